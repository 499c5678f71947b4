"""Static checks of the app's own files: they run without frappe."""

import ast
import json

import pytest
import tomllib

from employee_loans import __version__

from .app_checks import (
	MODULE_DIR,
	PACKAGE,
	ROOT,
	app_doctypes,
	app_json_files,
	check_controller_fields,
	check_doctype,
	check_json_documents,
	doctype_files,
	hook_paths,
	resolve_dotted,
	stack_doctypes,
)


def test_app_metadata():
	project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
	assert project["name"] == "employee_loans"
	assert project["dependencies"] == []  # the bench provides frappe, erpnext and hrms
	assert __version__
	hooks = ast.parse((PACKAGE / "hooks.py").read_text())
	values = {
		node.targets[0].id: ast.literal_eval(node.value)
		for node in hooks.body
		if isinstance(node, ast.Assign)
		and isinstance(node.targets[0], ast.Name)
		and node.targets[0].id.startswith(("app_", "required"))
	}
	assert values["app_name"] == "employee_loans"
	assert values["app_title"] == "Employee Loans"
	assert values["required_apps"] == ["frappe/erpnext", "frappe/hrms"]
	assert (PACKAGE / "modules.txt").read_text().split() == ["Employee", "Loans"]
	assert (PACKAGE / "patches.txt").exists()
	assert (MODULE_DIR / "__init__.py").exists()


def test_engine_never_imports_frappe():
	for path in (PACKAGE / "engine").glob("*.py"):
		tree = ast.parse(path.read_text())
		for node in ast.walk(tree):
			names = []
			if isinstance(node, ast.Import):
				names = [alias.name for alias in node.names]
			elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
				names = [node.module]
			for name in names:
				assert name.split(".")[0] not in ("frappe", "erpnext", "hrms"), f"{path.name} imports {name}"


def test_engine_has_no_float_arithmetic():
	"""Money in the engine is Decimal: no float() calls and no float literals."""
	for path in (PACKAGE / "engine").glob("*.py"):
		tree = ast.parse(path.read_text())
		for node in ast.walk(tree):
			if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
				assert node.func.id != "float", f"{path.name}:{node.lineno} calls float()"
			if isinstance(node, ast.Constant) and isinstance(node.value, float):
				raise AssertionError(f"{path.name}:{node.lineno} has a float literal")


def test_every_json_document_parses_and_names_the_module():
	assert check_json_documents(app_json_files()) == []


def test_every_doctype_is_consistent():
	known = stack_doctypes() | app_doctypes()
	problems = [problem for path in doctype_files() for problem in check_doctype(path, known)]
	assert problems == []


def test_every_controller_uses_only_its_fields():
	problems = [problem for path in doctype_files() for problem in check_controller_fields(path)]
	assert problems == []


def test_every_hook_path_resolves_to_a_function_in_the_package():
	problems = [problem for path in hook_paths() if (problem := resolve_dotted(path))]
	assert problems == []


# -- the checks themselves catch what they are meant to catch ---------------------------------------


@pytest.fixture
def bad_module(tmp_path):
	folder = tmp_path / "doctype" / "bad_thing"
	folder.mkdir(parents=True)
	(folder / "bad_thing.json").write_text(
		json.dumps(
			{
				"doctype": "DocType",
				"name": "Bad Thing",
				"module": "HR",
				"field_order": ["employee", "employee", "nowhere"],
				"fields": [
					{"fieldname": "employee", "fieldtype": "Link", "options": "Employee"},
					{"fieldname": "employee", "fieldtype": "Data"},
					{"fieldname": "nowhere", "fieldtype": "Link", "options": "Loan Of Nowhere"},
				],
				"permissions": [{"read": 1}],
			}
		)
	)
	(folder / "bad_thing.py").write_text(
		"from frappe.model.document import Document\n\n"
		"class BadThing(Document):\n"
		"\tdef validate(self):\n"
		"\t\tself.total = self.employee\n"
		"\t\treturn self.missing_field\n"
	)
	(tmp_path / "report" / "broken").mkdir(parents=True)
	(tmp_path / "report" / "broken" / "broken.json").write_text("{not json")
	return tmp_path


def test_checks_flag_a_bad_doctype(bad_module):
	path = bad_module / "doctype" / "bad_thing" / "bad_thing.json"
	problems = check_doctype(path, stack_doctypes())
	assert any("duplicate fieldnames ['employee']" in problem for problem in problems)
	assert any("Loan Of Nowhere" in problem for problem in problems)
	assert any("permission row without a role" in problem for problem in problems)
	assert not any("'Employee'" in problem for problem in problems)
	module_problems = check_json_documents(app_json_files(bad_module))
	assert any("module is 'HR'" in problem for problem in module_problems)
	assert any("does not parse" in problem for problem in module_problems)
	controller_problems = check_controller_fields(path)
	assert any("sets self.total" in problem for problem in controller_problems)
	assert any("reads self.missing_field" in problem for problem in controller_problems)


def test_hook_path_resolution_flags_missing_functions():
	assert resolve_dotted("employee_loans.engine.cli.main") is None
	assert resolve_dotted("employee_loans.engine.cli.no_such_function") is not None
	assert resolve_dotted("employee_loans.no_such_module.run") is not None


def test_stack_doctype_list_is_present():
	known = stack_doctypes()
	assert {"Employee", "Salary Slip", "Company", "Salary Component", "User"} <= known
	assert not {"Employee Loan", "Employee Loan Application"} & known
