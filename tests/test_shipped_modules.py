"""What ships in the package stays apart from the tests, and whatever can fill a site with sample data
refuses to run on a site without allow_tests.

Static checks (no bench needed). The integration test employee_loans/tests/test_sample_data.py calls the
guarded entry points on a real site without allow_tests.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "employee_loans"
TEST_PACKAGE = PACKAGE / "tests"
SAMPLE_DATA = PACKAGE / "sample_data.py"
# Modules that create or delete records in bulk: every public function must be guarded.
SAMPLE_DATA_USERS = [
	SAMPLE_DATA,
	PACKAGE / "benchmarks" / "payroll.py",
	PACKAGE / "benchmarks" / "report_volume.py",
	PACKAGE / "e2e" / "demo_data.py",
]
GUARD = "for_test_sites"
UNGUARDED_IN_SAMPLE_DATA = {"require_test_site", GUARD}


def is_test_file(path: Path) -> bool:
	return path.name.startswith("test_") or TEST_PACKAGE in path.parents


def shipped_modules() -> list[Path]:
	return sorted(path for path in PACKAGE.rglob("*.py") if not is_test_file(path))


def module_name(path: Path, root: Path = ROOT) -> str:
	parts = path.relative_to(root).with_suffix("").parts
	return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, root: Path = ROOT) -> list[str]:
	"""Every module `path` imports, relative imports resolved, `from x import y` also as `x.y`."""
	package = module_name(path, root).split(".")
	if path.name != "__init__.py":
		package = package[:-1]
	found = []
	for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
		if isinstance(node, ast.Import):
			found += [alias.name for alias in node.names]
		elif isinstance(node, ast.ImportFrom):
			base = node.module or ""
			if node.level:
				anchor = package[: len(package) - node.level + 1]
				base = ".".join([*anchor, base] if base else anchor)
			found.append(base)
			found += [f"{base}.{alias.name}" for alias in node.names]
	return found


def is_test_helper(module: str) -> bool:
	parts = module.split(".")
	return (
		module == "employee_loans.tests"
		or module.startswith("employee_loans.tests.")
		or module == "frappe.tests"
		or module.startswith("frappe.tests.")
		or any(part.startswith("test_") for part in parts)
	)


def top_level_functions(path: Path) -> list[ast.FunctionDef]:
	tree = ast.parse(path.read_text(), filename=str(path))
	return [node for node in tree.body if isinstance(node, ast.FunctionDef)]


def decorator_names(function: ast.FunctionDef) -> set[str]:
	names = set()
	for decorator in function.decorator_list:
		target = decorator.func if isinstance(decorator, ast.Call) else decorator
		names.add(target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", ""))
	return names


def test_shipped_modules_are_found():
	shipped = {path.relative_to(PACKAGE).as_posix() for path in shipped_modules()}
	assert {"sample_data.py", "benchmarks/payroll.py", "e2e/demo_data.py", "portal.py"} <= shipped
	assert not any(name.startswith("tests/") or "/test_" in f"/{name}" for name in shipped)


def test_no_shipped_module_imports_test_helpers():
	"""Test helpers (this app's employee_loans.tests, frappe.tests, any test_* module) are for the test
	runner; a module that ships and imports them drags test code and its side effects onto live sites."""
	offenders = []
	for path in shipped_modules():
		helpers = [module for module in imported_modules(path) if is_test_helper(module)]
		if helpers:
			offenders.append(f"{path.relative_to(ROOT)} imports {min(helpers, key=len)}")
	assert not offenders, "\n".join(offenders)


def test_import_check_sees_every_form_of_import(tmp_path):
	"""The check above resolves relative imports and `from package import tests`."""
	package = tmp_path / "employee_loans"
	(package / "benchmarks").mkdir(parents=True)
	sample = package / "benchmarks" / "sample.py"
	sample.write_text(
		"from ..tests import utils\n"
		"from employee_loans import tests\n"
		"import employee_loans.tests.base\n"
		"from hrms.payroll.doctype.salary_structure.test_salary_structure import x\n"
		"from frappe.utils import flt\n"
	)
	helpers = [module for module in imported_modules(sample, tmp_path) if is_test_helper(module)]
	assert "employee_loans.tests.utils" in helpers
	assert "employee_loans.tests" in helpers
	assert "employee_loans.tests.base" in helpers
	assert any("test_salary_structure" in module for module in helpers)
	assert not any(module.startswith("frappe.utils") for module in helpers)


def test_everything_that_makes_sample_data_refuses_without_allow_tests():
	"""Every public function of the sample data module, the benchmarks that load volume and the
	portal's demo data is wrapped in for_test_sites, so `bench execute` of any of them on a live site
	stops with a message before it writes or deletes anything. Helpers that are not entry points are
	private (a leading underscore)."""
	unguarded = [
		f"{path.relative_to(ROOT)}: {function.name}"
		for path in SAMPLE_DATA_USERS
		for function in top_level_functions(path)
		if not function.name.startswith("_")
		and not (path == SAMPLE_DATA and function.name in UNGUARDED_IN_SAMPLE_DATA)
		and GUARD not in decorator_names(function)
	]
	assert not unguarded, "not guarded by for_test_sites:\n" + "\n".join(unguarded)


def test_sample_data_factories_exist_once():
	"""The factories and the bulk loader live in employee_loans/sample_data.py only: no module of the
	package (tests included) defines another function of the same name."""
	names = {function.name for function in top_level_functions(SAMPLE_DATA)}
	copies = [
		f"{path.relative_to(ROOT)}: {node.name}"
		for path in PACKAGE.rglob("*.py")
		if path != SAMPLE_DATA
		for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
		if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
		and node.name in names
		and not (path.name == "portal_check.py" and node.name == "apply")  # a browser step, not a factory
	]
	assert not copies, "defined again outside sample_data.py:\n" + "\n".join(copies)
