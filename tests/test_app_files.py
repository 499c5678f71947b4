"""Static checks of the app's own files: they run without frappe."""

import ast
import json
import shutil
import subprocess

import pytest
import tomllib

from employee_loans import __version__

from .app_checks import (
	BUNDLE,
	MODULE_DIR,
	PACKAGE,
	ROOT,
	app_doctypes,
	app_json_files,
	app_scripts,
	check_controller_fields,
	check_doctype,
	check_document_currency,
	check_json_documents,
	check_number_card,
	check_print_format,
	check_report,
	check_report_script_uses_shared_filters,
	check_states,
	check_status_colour_copies,
	check_workspace,
	colour_pairs,
	doctype_fields,
	doctype_files,
	doctype_states,
	documents_of_kind,
	hook_paths,
	jinja_arithmetic,
	load,
	resolve_dotted,
	shared_filter_names,
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


# -- reports, number cards, print formats and the workspace ------------------------------------------


def known_doctypes():
	return stack_doctypes() | app_doctypes()


def names_of(kind):
	return {load(path)["name"] for path in documents_of_kind(kind)}


# The company's books, not an employee's loans: HR and accounts roles, and its own filters (company,
# date, account; the shared loan filters would split the loan ledger but not the GL).
BOOKS_REPORTS = {"Employee Loan Reconciliation"}


def loan_reports():
	return [path for path in documents_of_kind("Report") if load(path)["name"] not in BOOKS_REPORTS]


def test_the_reports_are_there_and_consistent():
	reports = documents_of_kind("Report")
	assert names_of("Report") >= {
		"Active Loans",
		"Loan Summary",
		"Loan Deduction",
		"Loan History",
		*BOOKS_REPORTS,
	}
	assert [problem for path in reports for problem in check_report(path, known_doctypes())] == []
	# the roles that see every loan (employee_loans.permissions.ALL_RECORDS_ROLES: HR and finance) run
	# every report; employees run the loan reports, on their own loans
	every_loan = {"HR Manager", "HR User", "System Manager", "Accounts Manager", "Accounts User"}
	for path in reports:
		roles = {role["role"] for role in load(path)["roles"]}
		if load(path)["name"] in BOOKS_REPORTS:
			assert roles == every_loan
		else:
			assert roles == every_loan | {"Employee"}, path.name


def test_the_number_cards_are_there_and_consistent():
	cards = documents_of_kind("Number Card")
	assert len(cards) >= 4
	fields = doctype_fields()
	assert [problem for path in cards for problem in check_number_card(path, known_doctypes(), fields)] == []


def test_the_print_formats_are_there_and_only_display():
	formats = documents_of_kind("Print Format")
	assert names_of("Print Format") >= {"Loan Statement of Account", "Loan Closure Certificate"}
	assert [problem for path in formats for problem in check_print_format(path, known_doctypes())] == []


def test_the_workspace_points_at_what_the_app_has():
	workspaces = documents_of_kind("Workspace")
	assert names_of("Workspace") == {"Employee Loans"}
	reports, cards = names_of("Report"), names_of("Number Card")
	problems = [
		problem for path in workspaces for problem in check_workspace(path, known_doctypes(), reports, cards)
	]
	assert problems == []


def test_jinja_arithmetic_is_found_outside_strings_only():
	assert jinja_arithmetic("{{ doc.a + doc.b }}{% set x = a - b %}{{ c*2 }}{{ d / e }}") == [
		"doc.a + doc.b",
		"set x = a - b",
		"c*2",
		"d / e",
	]
	assert (
		jinja_arithmetic('{%- if x -%}{{ "a-b" }}{{ a ~ "-" ~ b }}{{ f(x, "MMM yyyy") }}{%- endif %}') == []
	)


@pytest.fixture
def bad_desk(tmp_path):
	def write(kind, name, document, **files):
		folder = tmp_path / kind / name
		folder.mkdir(parents=True)
		(folder / f"{name}.json").write_text(json.dumps(document))
		for suffix, text in files.items():
			(folder / f"{name}.{suffix}").write_text(text)
		return folder / f"{name}.json"

	return {
		"report": write(
			"report",
			"bad_report",
			{
				"doctype": "Report",
				"name": "Bad Report",
				"report_name": "Bad Report",
				"module": "Employee Loans",
				"ref_doctype": "Loan Of Nowhere",
				"report_type": "Script Report",
				"is_standard": "Yes",
				"roles": [],
			},
			py="def run(filters=None):\n\treturn [], []\n",
		),
		"card": write(
			"number_card",
			"bad_card",
			{
				"doctype": "Number Card",
				"name": "Bad Card",
				"module": "Employee Loans",
				"type": "Document Type",
				"document_type": "Employee Loan",
				"function": "Sum",
				"aggregate_function_based_on": "employee_name",
				"filters_json": '[["Employee Loan", "no_such_field", "=", 1, false]]',
			},
		),
		"print_format": write(
			"print_format",
			"bad_print_format",
			{
				"doctype": "Print Format",
				"name": "Bad Print Format",
				"module": "Employee Loans",
				"doc_type": "Employee Loan",
				"standard": "Yes",
				"custom_format": 1,
				"print_format_type": "Jinja",
				"html": "{% if doc.name %}{{ doc.loan_amount - doc.principal_repaid }}",
			},
		),
		"workspace": write(
			"workspace",
			"bad_workspace",
			{
				"doctype": "Workspace",
				"name": "Bad Workspace",
				"module": "Employee Loans",
				"content": json.dumps(
					[
						{"id": "a", "type": "shortcut", "data": {"shortcut_name": "Nowhere"}},
						{"id": "a", "type": "number_card", "data": {"number_card_name": "Ghost Card"}},
					]
				),
				"links": [
					{"type": "Card Break", "label": "Reports", "link_count": 2},
					{"type": "Link", "link_type": "Report", "link_to": "Missing Report"},
				],
				"number_cards": [{"number_card_name": "Ghost Card"}],
				"shortcuts": [{"label": "Loans", "type": "DocType", "link_to": "Loan Of Nowhere"}],
			},
		),
	}


def test_checks_flag_a_bad_report_card_print_format_and_workspace(bad_desk):
	known = stack_doctypes() | {"Employee Loan"}
	fields = {"Employee Loan": {"employee_name": "Data", "loan_amount": "Currency"}}
	report = check_report(bad_desk["report"], known)
	assert any("Loan Of Nowhere" in problem for problem in report)
	assert any("needs roles" in problem for problem in report)
	assert any("defines no execute" in problem for problem in report)
	assert any("frappe.query_reports" in problem for problem in report)
	card = check_number_card(bad_desk["card"], known, fields)
	assert any("not a number field" in problem for problem in card)
	assert any("no_such_field" in problem for problem in card)
	print_format = check_print_format(bad_desk["print_format"], known)
	assert any("arithmetic" in problem for problem in print_format)
	assert any("if blocks" in problem or "does not parse" in problem for problem in print_format)
	workspace = check_workspace(bad_desk["workspace"], known, set(), set())
	for expected in ("Nowhere", "Ghost Card", "Missing Report", "says 2 links but has 1", "not unique"):
		assert any(expected in problem for problem in workspace), expected


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


# -- the self-service pages (www/) ------------------------------------------------------------------


def portal_pages():
	return sorted((PACKAGE / "www").rglob("*.html"))


def test_portal_pages_extend_the_site_template_and_are_never_cached():
	"""Every page is the site's own web page, and its context (a user's loans) never goes into the
	website cache: a module without `no_cache = 1` would serve one employee's page to the next."""
	assert portal_pages(), "the self-service pages are missing"
	for page in portal_pages():
		source = page.read_text()
		assert '{% extends "templates/web.html" %}' in source, page
		module = page.with_name(page.stem.replace("-", "_") + ".py")
		assert module.exists(), f"{page} has no get_context module"
		tree = ast.parse(module.read_text())
		names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
		assert "get_context" in names, module
		no_cache = [
			node.value.value
			for node in tree.body
			if isinstance(node, ast.Assign)
			and any(getattr(target, "id", None) == "no_cache" for target in node.targets)
			and isinstance(node.value, ast.Constant)
		]
		assert no_cache == [1], f"{module} must set no_cache = 1"


def test_portal_scripts_included_by_jinja_have_no_jinja_markers():
	"""A script inlined with {% include %} is read by Jinja as a template: it must hold no markers."""
	import re

	templates = [*portal_pages(), *(PACKAGE / "templates").rglob("*.html")]
	for template in templates:
		for included in re.findall(r"""\{%-?\s*include\s+["']([^"']+\.js)["']""", template.read_text()):
			script = ROOT / included if (ROOT / included).exists() else PACKAGE.parent / included
			for marker in ("{{", "{%", "{#"):
				assert marker not in script.read_text(), f"{template.name} includes {included}: {marker}"


def test_portal_templates_translate_their_text():
	"""No bare English between tags in the portal's templates: every string goes through _()."""
	import re

	templates = [*portal_pages(), PACKAGE / "templates" / "includes" / "loans_portal.html"]
	for template in templates:
		source = re.sub(r"<(script|style)\b.*?</\1>", "", template.read_text(), flags=re.S)
		source = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", "", source, flags=re.S)
		for text in re.findall(r">([^<>]+)<", source):
			assert not re.search(
				r"[A-Za-z]{2,}", text
			), f"{template.name}: untranslated text {text.strip()!r}"


# -- desk scripts: status colours, currencies, the reports' shared filters ---------------------------


def test_loan_states_carry_the_colours_the_desk_shows():
	states = doctype_states()
	assert {row["title"]: row["color"] for row in states["Employee Loan"]} == {
		"Approved": "Blue",
		"Disbursed": "Orange",
		"Closed": "Green",
		"Cancelled": "Red",
	}
	assert [problem for path in doctype_files() for problem in check_states(path)] == []


def test_no_script_keeps_its_own_copy_of_the_status_colours():
	"""The list, the form, the reports and the portal take status colours from the DocType's states;
	a copy in a script drifts (the portal's once disagreed with the desk)."""
	assert check_status_colour_copies(app_scripts(), doctype_states()) == []


def test_the_colour_copy_check_finds_copies_in_js_python_and_forms(tmp_path):
	states = {"Employee Loan": [{"title": t, "color": "Blue"} for t in ("Approved", "Disbursed", "Closed")]}
	folder = tmp_path / "doctype" / "employee_loan"
	folder.mkdir(parents=True)
	(folder / "employee_loan.json").write_text(json.dumps({"doctype": "DocType", "name": "Employee Loan"}))
	scripts = {
		"report.js": 'const colours = { Approved: "blue", Disbursed: "orange" };',
		"portal.py": 'LOAN_INDICATOR = {"Approved": "yellow", "Closed": "Green"}',
		"form.js": "frm.page.set_indicator(__(frm.doc.status), 'blue');",
		"employee_loan_list.js": "frappe.listview_settings['Employee Loan'] = { get_indicator(doc) {} };",
		"fine.js": 'const rows = { Pending: "gray" }; const label = __("Approved");',
	}
	paths = []
	for name, text in scripts.items():
		path = (folder if name.endswith("_list.js") else tmp_path) / name
		path.write_text(text)
		paths.append(path)
	problems = check_status_colour_copies(paths, states)
	for name in ("report.js", "portal.py", "form.js", "employee_loan_list.js"):
		assert any(f"{name}:" in problem for problem in problems), name
	assert not any("fine.js" in problem for problem in problems)
	assert colour_pairs("{'Approved': 'light blue', Closed: 'red'}", {"Approved", "Closed"}) == {
		"Approved",
		"Closed",
	}


def test_no_form_script_formats_money_with_a_currency_field_the_doctype_lacks():
	assert check_document_currency(app_scripts(suffixes=(".js",)), doctype_fields()) == []


def test_the_currency_check_finds_doc_currency(tmp_path):
	folder = tmp_path / "doctype" / "employee_loan"
	folder.mkdir(parents=True)
	(folder / "employee_loan.json").write_text(json.dumps({"doctype": "DocType", "name": "Employee Loan"}))
	script = folder / "employee_loan.js"
	script.write_text("format_currency(frm.doc.emi, frm.doc.currency)")
	fields = {"Employee Loan": {"emi": "Currency"}}
	assert check_document_currency([script], fields)
	assert check_document_currency([script], {"Employee Loan": {"currency": "Link"}}) == []


def test_every_report_builds_its_filters_from_the_shared_script():
	shared = shared_filter_names()
	assert shared == ["company", "loan_category", "department", "employee"]
	reports = loan_reports()
	problems = [
		problem
		for path in reports
		for problem in check_report_script_uses_shared_filters(path.with_suffix(".js"), shared)
	]
	assert problems == []
	# the server applies the same filters under the same names (report/common.py)
	common = (MODULE_DIR / "report" / "common.py").read_text()
	for name in shared:
		assert f'"{name}": loan.' in common, name


def test_the_desk_loads_the_shared_script():
	"""Report scripts cannot import each other; the shared one is a desk bundle (hooks app_include_js),
	which `bench build --app employee_loans` builds."""
	hooks = ast.parse((PACKAGE / "hooks.py").read_text())
	values = {
		node.targets[0].id: ast.literal_eval(node.value)
		for node in hooks.body
		if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
	}
	include = values.get("app_include_js")
	include = [include] if isinstance(include, str) else include or []
	assert BUNDLE.name in include
	assert BUNDLE.exists()


REPORT_HARNESS = r"""
const fs = require("fs");
const vm = require("vm");
const [bundle, meta_json, ...reports] = process.argv.slice(1);
const metas = JSON.parse(meta_json);
const context = {
	__: (text, args) => (args ? text.replace(/\{(\d+)\}/g, (_, i) => args[i]) : text),
	frappe: {
		provide(namespace) {
			let parent = context;
			for (const part of namespace.split(".")) parent = parent[part] = parent[part] || {};
			return parent;
		},
		defaults: { get_user_default: () => "_Test Company" },
		datetime: {
			year_start: () => "2026-01-01",
			get_today: () => "2026-06-15",
			month_start: () => "2026-06-01",
			month_end: () => "2026-06-30",
		},
		query_report: { get_filter_value: () => "_Test Company" },
		query_reports: {},
		get_meta: (doctype) => metas[doctype],
		scrub: (text, spacer = "_") => text.replace(/ /g, spacer).toLowerCase(),
		utils: { escape_html: (text) => String(text).replace(/</g, "&lt;").replace(/>/g, "&gt;") },
	},
};
vm.createContext(context);
vm.runInContext(fs.readFileSync(bundle, "utf8"), context);
for (const report of reports) vm.runInContext(fs.readFileSync(report, "utf8"), context);
const out = {};
for (const [name, settings] of Object.entries(context.frappe.query_reports)) {
	out[name] = {
		filters: settings.filters.map((f) => f.fieldname),
		category_query: settings.filters.find((f) => f.fieldname === "loan_category").get_query(),
	};
	if (settings.formatter) {
		const plain = (value) => `plain:${value}`;
		out[name].status = ["Approved", "Disbursed", "Closed", "Cancelled", "Odd<b>"].map((status) =>
			settings.formatter(status, 0, { fieldname: "status" }, { status }, plain)
		);
	}
}
process.stdout.write(JSON.stringify(out));
"""


def run_report_scripts(states):
	node = shutil.which("node")
	if node is None:
		pytest.skip("node is not installed")
	reports = [path.with_suffix(".js") for path in loan_reports()]
	metas = json.dumps({"Employee Loan": {"states": states}})
	result = subprocess.run(
		[node, "-e", REPORT_HARNESS, str(BUNDLE), metas, *map(str, reports)],
		capture_output=True,
		text=True,
		check=True,
	)
	return json.loads(result.stdout)


def test_the_report_scripts_run_with_the_shared_filters_and_the_states_colours():
	loan_states = doctype_states()["Employee Loan"]
	reports = run_report_scripts(loan_states)
	# every loan report (the books reports have their own filters), the four first ones at least
	assert set(reports) == {load(path)["name"] for path in loan_reports()}
	assert set(reports) >= {"Active Loans", "Loan Summary", "Loan Deduction", "Loan History"}
	for name, report in reports.items():
		filters = report["filters"]
		assert filters[0] == "company", name
		assert filters[-3:] == ["loan_category", "department", "employee"], name
		assert len(filters) == len(set(filters)), name
		assert report["category_query"] == {"filters": {"company": "_Test Company"}}, name
	assert reports["Loan Deduction"]["filters"] == [
		"company",
		"from_date",
		"to_date",
		"loan_category",
		"department",
		"employee",
	]
	assert reports["Loan History"]["status"] == [
		'<span class="indicator-pill blue">Approved</span>',
		'<span class="indicator-pill orange">Disbursed</span>',
		'<span class="indicator-pill green">Closed</span>',
		'<span class="indicator-pill red">Cancelled</span>',
		'<span class="indicator-pill gray">Odd&lt;b&gt;</span>',
	]
	# change a colour in the states and the report follows: it keeps no copy
	recoloured = [{**row, "color": "Light Blue"} if row["title"] == "Closed" else row for row in loan_states]
	status = run_report_scripts(recoloured)["Loan History"]["status"]
	assert status[2] == '<span class="indicator-pill light-blue">Closed</span>'
