"""Checks of the app's own files that need no bench: JSON metadata, hooks and controllers.

Each check returns a list of problems (empty when all is well) so it can be tested on bad input
as well as run over the real app.
"""

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "employee_loans"
MODULE_NAME = "Employee Loans"
MODULE_DIR = PACKAGE / "employee_loans"

# JSON documents of these kinds must name the module.
MODULE_BOUND = {
	"DocType",
	"Report",
	"Print Format",
	"Workspace",
	"Notification",
	"Number Card",
	"Dashboard Chart",
	"Web Form",
	"Page",
}
# Fields every DocType has, whatever its JSON says.
STANDARD_FIELDS = {
	"name", "owner", "creation", "modified", "modified_by", "docstatus", "idx", "parent", "parenttype",
	"parentfield", "amended_from", "_user_tags", "_comments", "_assign", "_liked_by", "_seen", "doctype",
	"flags", "meta", "naming_series",
}  # fmt: skip


def stack_doctypes() -> set[str]:
	lines = (ROOT / "tests" / "data" / "stack_doctypes.txt").read_text().splitlines()
	return {line.split("\t", 1)[1] for line in lines if line and not line.startswith("#")}


def app_json_files(base: Path = MODULE_DIR) -> list[Path]:
	"""Every metadata JSON of the module: <kind>/<name>/<name>.json."""
	return sorted(path for path in base.glob("*/*/*.json") if path.stem == path.parent.name)


def load(path: Path) -> dict:
	return json.loads(path.read_text())


def doctype_files(base: Path = MODULE_DIR) -> list[Path]:
	return [path for path in app_json_files(base) if load(path).get("doctype") == "DocType"]


def app_doctypes(base: Path = MODULE_DIR) -> set[str]:
	return {load(path)["name"] for path in doctype_files(base)}


def check_json_documents(paths: list[Path]) -> list[str]:
	problems = []
	for path in paths:
		try:
			document = load(path)
		except json.JSONDecodeError as error:
			problems.append(f"{path}: does not parse: {error}")
			continue
		kind = document.get("doctype")
		if kind in MODULE_BOUND and document.get("module") != MODULE_NAME:
			problems.append(f"{path}: module is {document.get('module')!r}, expected {MODULE_NAME!r}")
		if not document.get("name"):
			problems.append(f"{path}: has no name")
	return problems


def check_doctype(path: Path, known_doctypes: set[str]) -> list[str]:
	"""Unique fieldnames, Link/Table targets that exist, field_order consistent with fields."""
	document = load(path)
	problems = []
	fields = document.get("fields", [])
	names = [field.get("fieldname") for field in fields]
	duplicates = sorted({name for name in names if names.count(name) > 1})
	if duplicates:
		problems.append(f"{path.name}: duplicate fieldnames {duplicates}")
	for field in fields:
		fieldtype = field.get("fieldtype")
		if fieldtype in ("Link", "Table", "Table MultiSelect"):
			target = field.get("options")
			if target not in known_doctypes:
				problems.append(f"{path.name}: {field.get('fieldname')} links to unknown DocType {target!r}")
		if fieldtype == "Select" and not field.get("options"):
			problems.append(f"{path.name}: Select field {field.get('fieldname')} has no options")
	order = document.get("field_order")
	if order is not None and sorted(order) != sorted(names):
		problems.append(f"{path.name}: field_order does not match fields")
	for permission in document.get("permissions", []):
		if not permission.get("role"):
			problems.append(f"{path.name}: permission row without a role")
	return problems


FIELD_ACCESS = re.compile(r"""\b(?:self|doc|loan|application)\.(get|set)\(\s*["']([a-z_][a-z0-9_]*)["']""")


def check_controller_fields(json_path: Path, child_fields: dict[str, set[str]] | None = None) -> list[str]:
	"""Every `self.<field>` read or written in a controller names a field of its DocType (or a
	method/attribute the controller defines itself)."""
	controller = json_path.with_suffix(".py")
	if not controller.exists():
		return []
	document = load(json_path)
	fields = {field["fieldname"] for field in document.get("fields", [])} | STANDARD_FIELDS
	tree = ast.parse(controller.read_text())
	defined = set()
	for node in ast.walk(tree):
		if isinstance(node, ast.FunctionDef):
			defined.add(node.name)
		if isinstance(node, ast.ClassDef):
			for item in node.body:
				# (`fieldname: DF.Data` annotations are declarations, not definitions: not counted)
				if isinstance(item, ast.Assign):
					defined.update(target.id for target in item.targets if isinstance(target, ast.Name))
	base_attributes = {
		"flags", "meta", "get", "set", "append", "save", "insert", "submit", "cancel", "reload", "db_set",
		"get_doc_before_save", "has_value_changed", "is_new", "precision", "check_permission",
		"run_method", "add_comment", "get_title", "as_dict", "update", "db_update", "load_from_db",
		"notify_update", "throw_permission_error", "get_formatted", "get_url", "lock", "unlock",
		"validate_value", "is_child_table_same", "has_permission", "delete", "set_status",
		"_doc_before_save", "_action", "doctype", "name", "docstatus", "getone", "extend",
		"set_onload", "get_onload", "queue_action", "save_version", "reset_values_if_no_permlevel_access",
		"apply_fieldlevel_read_permissions", "clear_cache", "get_valid_dict", "get_title_field",
		"set_new_name", "remove", "db_insert", "get_value", "load_doc_before_save", "set_docstatus",
		"update_children", "ignore_linked_doctypes",
	}  # fmt: skip
	problems = []
	assigned_locally = set()
	for node in ast.walk(tree):
		if isinstance(node, ast.Assign):
			for target in node.targets:
				if (
					isinstance(target, ast.Attribute)
					and isinstance(target.value, ast.Name)
					and target.value.id == "self"
				):
					assigned_locally.add(target.attr)
	for node in ast.walk(tree):
		if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
			name = node.attr
			if name in fields or name in defined or name in base_attributes or name.startswith("_"):
				continue
			if isinstance(node.ctx, ast.Store):
				problems.append(
					f"{controller.name}:{node.lineno}: sets self.{name}, which is not a field of the DocType"
				)
			elif name not in assigned_locally:
				problems.append(
					f"{controller.name}:{node.lineno}: reads self.{name}, which is not a field of the DocType"
				)
	for match in FIELD_ACCESS.finditer(controller.read_text()):
		if (
			match.group(1) in ("get", "set")
			and match.group(2) not in fields
			and match.group(2) not in (child_fields or {})
		):
			# doc.get("x") on another document cannot be checked here; only self.get is strict
			if match.group(0).startswith("self."):
				problems.append(
					f"{controller.name}: self.{match.group(1)}({match.group(2)!r}) is not a field"
				)
	return problems


def hook_paths(hooks_file: Path = PACKAGE / "hooks.py") -> list[str]:
	"""Every string in hooks.py that looks like a dotted path into this app."""
	tree = ast.parse(hooks_file.read_text())
	paths = []
	for node in ast.walk(tree):
		if isinstance(node, ast.Constant) and isinstance(node.value, str):
			# asset names ("employee_loans.bundle.js") look dotted too, but are files, not functions
			if re.fullmatch(r"employee_loans(\.[A-Za-z_][A-Za-z0-9_]*)+", node.value) and not re.search(
				r"\.(js|css|scss)$", node.value
			):
				paths.append(node.value)
	return paths


def resolve_dotted(path: str, root: Path = ROOT) -> str | None:
	"""None when `path` names a function (or class) defined in a module of the package, else why not."""
	parts = path.split(".")
	for split in range(len(parts) - 1, 0, -1):
		module_parts, attribute_parts = parts[:split], parts[split:]
		module_file = root.joinpath(*module_parts).with_suffix(".py")
		package_init = root.joinpath(*module_parts, "__init__.py")
		source = module_file if module_file.exists() else package_init if package_init.exists() else None
		if source is None:
			continue
		tree = ast.parse(source.read_text())
		scope = tree.body
		for name in attribute_parts:
			match = next(
				(
					node
					for node in scope
					if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
					and node.name == name
				),
				None,
			)
			if match is None:
				return f"{path}: {name} is not defined in {source.relative_to(root)}"
			scope = getattr(match, "body", [])
		return None
	return f"{path}: no module of the package matches"


# -- reports, number cards, print formats and the workspace ------------------------------------------

REPORT_TYPES = {"Script Report", "Query Report", "Report Builder"}
CARD_FUNCTIONS = {"Count", "Sum", "Average", "Minimum", "Maximum"}
NUMERIC_FIELDTYPES = {"Currency", "Float", "Int", "Percent"}
WORKSPACE_BLOCKS = {"header", "paragraph", "spacer", "card", "shortcut", "number_card", "chart", "onboarding"}


def scrub(name: str) -> str:
	"""Frappe's folder name for a document name."""
	return name.replace(" ", "_").replace("-", "_").lower()


def documents_of_kind(kind: str, base: Path = MODULE_DIR) -> list[Path]:
	paths = []
	for path in app_json_files(base):
		try:
			if load(path).get("doctype") == kind:
				paths.append(path)
		except json.JSONDecodeError:
			continue
	return paths


def doctype_fields(base: Path = MODULE_DIR) -> dict[str, dict[str, str]]:
	"""fieldname -> fieldtype for each of the app's DocTypes."""
	return {
		load(path)["name"]: {
			field["fieldname"]: field.get("fieldtype") for field in load(path).get("fields", [])
		}
		for path in doctype_files(base)
	}


def defines_function(source: Path, name: str) -> bool:
	tree = ast.parse(source.read_text())
	return any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body)


def check_report(path: Path, known_doctypes: set[str]) -> list[str]:
	"""A standard report of the module with an existing ref_doctype, roles, and for a Script Report its
	execute() and its filters script beside the JSON."""
	document = load(path)
	name = document.get("name")
	problems = []
	if document.get("ref_doctype") not in known_doctypes:
		problems.append(f"{path.name}: ref_doctype {document.get('ref_doctype')!r} is not a known DocType")
	if document.get("report_type") not in REPORT_TYPES:
		problems.append(
			f"{path.name}: report_type {document.get('report_type')!r} is not one of {REPORT_TYPES}"
		)
	if document.get("is_standard") != "Yes":
		problems.append(f"{path.name}: is_standard must be 'Yes' for a report shipped with the app")
	if document.get("report_name") != name or path.parent.name != scrub(name or ""):
		problems.append(f"{path.name}: report_name and folder must match the name {name!r}")
	roles = document.get("roles") or []
	if not roles or not all(role.get("role") for role in roles):
		problems.append(f"{path.name}: a report needs roles")
	if document.get("report_type") == "Script Report":
		controller = path.with_suffix(".py")
		if not controller.exists():
			problems.append(f"{path.name}: Script Report without {controller.name}")
		elif not defines_function(controller, "execute"):
			problems.append(f"{controller.name}: defines no execute(filters)")
		script = path.with_suffix(".js")
		if not script.exists() or f'frappe.query_reports["{name}"]' not in script.read_text():
			problems.append(f"{path.name}: {script.name} must register frappe.query_reports[{name!r}]")
	return problems


def check_filters_json(label: str, text: str | None, doctype: str, fields: dict[str, dict[str, str]]):
	problems = []
	try:
		filters = json.loads(text or "[]")
	except json.JSONDecodeError as error:
		return [f"{label}: filters do not parse: {error}"]
	for condition in filters:
		if not isinstance(condition, list) or len(condition) < 3:
			problems.append(f"{label}: filter {condition!r} is not [doctype, field, operator, value]")
			continue
		field = condition[1]
		if (
			condition[0] == doctype
			and doctype in fields
			and field not in set(fields[doctype]) | STANDARD_FIELDS
		):
			problems.append(f"{label}: filter on unknown field {doctype}.{field}")
	return problems


def check_number_card(path: Path, known_doctypes: set[str], fields: dict[str, dict[str, str]]) -> list[str]:
	document = load(path)
	doctype = document.get("document_type")
	problems = []
	if document.get("type") != "Document Type":
		return problems
	if doctype not in known_doctypes:
		problems.append(f"{path.name}: document_type {doctype!r} is not a known DocType")
	function = document.get("function")
	if function not in CARD_FUNCTIONS:
		problems.append(f"{path.name}: function {function!r} is not one of {CARD_FUNCTIONS}")
	if function not in ("Count", None) and doctype in fields:
		field = document.get("aggregate_function_based_on")
		if fields[doctype].get(field) not in NUMERIC_FIELDTYPES:
			problems.append(f"{path.name}: {function} of {field!r}, which is not a number field of {doctype}")
	if path.parent.name != scrub(document.get("name") or ""):
		problems.append(f"{path.name}: folder does not match the name {document.get('name')!r}")
	problems += check_filters_json(path.name, document.get("filters_json"), doctype, fields)
	problems += check_filters_json(path.name, document.get("dynamic_filters_json"), doctype, fields)
	return problems


JINJA_EXPRESSION = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
JINJA_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
ARITHMETIC = re.compile(r"[\w)\]]\s*(\+|\*\*?|/{1,2}|%|-)\s*[\w(]")


def jinja_arithmetic(html: str) -> list[str]:
	"""Expressions in a template that compute (+ - * / // % **) instead of displaying a value."""
	found = []
	for match in JINJA_EXPRESSION.finditer(html):
		expression = (match.group(1) or match.group(2) or "").strip("-+ \n\t")
		bare = JINJA_STRING.sub('""', expression)
		if ARITHMETIC.search(bare):
			found.append(expression.strip())
	return found


def check_print_format(path: Path, known_doctypes: set[str]) -> list[str]:
	"""A standard Jinja print format of a known DocType that parses and does no arithmetic: its figures
	are stored fields or come from a helper that uses the engine."""
	document = load(path)
	problems = []
	if document.get("doc_type") not in known_doctypes:
		problems.append(f"{path.name}: doc_type {document.get('doc_type')!r} is not a known DocType")
	if document.get("standard") != "Yes":
		problems.append(f"{path.name}: standard must be 'Yes' for a print format shipped with the app")
	if path.parent.name != scrub(document.get("name") or ""):
		problems.append(f"{path.name}: folder does not match the name {document.get('name')!r}")
	if document.get("print_format_type") != "Jinja":
		return problems
	html = document.get("html") or ""
	if not document.get("custom_format") or not html.strip():
		problems.append(f"{path.name}: a Jinja print format needs custom_format and its html")
	try:
		import jinja2
	except ImportError:  # the bench always has it; plain CI may not
		jinja2 = None
	if jinja2 is not None:
		try:
			jinja2.Environment(extensions=["jinja2.ext.do"]).parse(html)
		except jinja2.TemplateSyntaxError as error:
			problems.append(f"{path.name}: template does not parse: {error} (line {error.lineno})")
	for opener, closer in (("if", "endif"), ("for", "endfor"), ("macro", "endmacro")):
		opened = len(re.findall(r"\{%-?\s*" + opener + r"\b", html))
		closed = len(re.findall(r"\{%-?\s*" + closer + r"\b", html))
		if opened != closed:
			problems.append(f"{path.name}: {opened} {opener} blocks but {closed} {closer}")
	for expression in jinja_arithmetic(html):
		problems.append(f"{path.name}: arithmetic in the template: {expression!r}")
	return problems


def check_workspace(
	path: Path, known_doctypes: set[str], reports: set[str], number_cards: set[str]
) -> list[str]:
	"""Every block of the layout names a shortcut, card or number card the workspace defines, every
	link points at a DocType or report that exists, and each card's link count is right."""
	document = load(path)
	problems = []
	try:
		blocks = json.loads(document.get("content") or "[]")
	except json.JSONDecodeError as error:
		return [f"{path.name}: content does not parse: {error}"]
	links = document.get("links") or []
	cards = {link.get("label") for link in links if link.get("type") == "Card Break"}
	shortcuts = {shortcut.get("label") for shortcut in document.get("shortcuts") or []}
	own_cards = {card.get("number_card_name") for card in document.get("number_cards") or []}
	ids = [block.get("id") for block in blocks]
	if len(ids) != len(set(ids)):
		problems.append(f"{path.name}: layout block ids are not unique")
	for block in blocks:
		kind, data = block.get("type"), block.get("data") or {}
		if kind not in WORKSPACE_BLOCKS:
			problems.append(f"{path.name}: unknown block type {kind!r}")
		elif kind == "shortcut" and data.get("shortcut_name") not in shortcuts:
			problems.append(f"{path.name}: block names shortcut {data.get('shortcut_name')!r}, not defined")
		elif kind == "card" and data.get("card_name") not in cards:
			problems.append(f"{path.name}: block names card {data.get('card_name')!r}, not defined")
		elif kind == "number_card" and data.get("number_card_name") not in own_cards:
			problems.append(
				f"{path.name}: block names number card {data.get('number_card_name')!r}, not listed"
			)
	for name in own_cards - number_cards:
		problems.append(f"{path.name}: number card {name!r} does not exist in the app")
	expected, counted, current = 0, 0, None
	for link in [*links, {"type": "Card Break", "label": None}]:
		if link.get("type") == "Card Break":
			if current is not None and expected != counted:
				problems.append(f"{path.name}: card {current!r} says {expected} links but has {counted}")
			current, expected, counted = link.get("label"), link.get("link_count") or 0, 0
			continue
		counted += 1
		target, kind = link.get("link_to"), link.get("link_type")
		if kind == "DocType" and target not in known_doctypes:
			problems.append(f"{path.name}: link to unknown DocType {target!r}")
		if kind == "Report" and target not in reports:
			problems.append(f"{path.name}: link to unknown report {target!r}")
	for shortcut in document.get("shortcuts") or []:
		if shortcut.get("type") == "DocType" and shortcut.get("link_to") not in known_doctypes:
			problems.append(f"{path.name}: shortcut to unknown DocType {shortcut.get('link_to')!r}")
		if shortcut.get("type") == "Report" and shortcut.get("link_to") not in reports:
			problems.append(f"{path.name}: shortcut to unknown report {shortcut.get('link_to')!r}")
		try:
			json.loads(shortcut.get("stats_filter") or "{}")
		except json.JSONDecodeError:
			problems.append(
				f"{path.name}: shortcut {shortcut.get('label')!r} has a stats_filter that does not parse"
			)
	return problems


# -- desk scripts: status colours, currencies, the reports' shared filters ---------------------------

# The colours a DocType's `states` may use (the DocType State child table's Select options in v15) and
# the names the desk's indicators use for them.
STATE_COLOURS = ("Blue", "Cyan", "Gray", "Green", "Light Blue", "Orange", "Pink", "Purple", "Red", "Yellow")
INDICATOR_COLOURS = {
	*(colour.lower().replace(" ", "-") for colour in STATE_COLOURS),
	"grey", "darkgrey", "black", "light-gray", "yellow", "light-blue",
}  # fmt: skip
SCRIPT_SUFFIXES = (".js", ".html", ".py")
BUNDLE = PACKAGE / "public" / "js" / "employee_loans.bundle.js"


def app_scripts(base: Path = PACKAGE, suffixes=SCRIPT_SUFFIXES) -> list[Path]:
	"""The app's own scripts and templates (tests and built assets excluded)."""
	return sorted(
		path
		for path in base.rglob("*")
		if path.suffix in suffixes
		and path.is_file()
		and not path.name.startswith("test_")
		and not {"node_modules", "dist", "__pycache__"} & set(path.parts)
	)


def doctype_states(base: Path = MODULE_DIR) -> dict[str, list[dict]]:
	"""DocType name -> its `states` rows, for the app's DocTypes that define any."""
	return {
		load(path)["name"]: load(path)["states"] for path in doctype_files(base) if load(path).get("states")
	}


def check_states(path: Path) -> list[str]:
	"""A DocType's `states`: colours Frappe knows, titles that are values of its status field."""
	document = load(path)
	problems = []
	states = document.get("states") or []
	status = next((f for f in document.get("fields", []) if f.get("fieldname") == "status"), None)
	options = set((status or {}).get("options", "").split("\n")) if status else set()
	for state in states:
		if state.get("color") not in STATE_COLOURS:
			problems.append(f"{path.name}: state {state.get('title')!r} has colour {state.get('color')!r}")
		if state.get("title") not in options:
			problems.append(f"{path.name}: state {state.get('title')!r} is not an option of its status field")
	return problems


def colour_pairs(text: str, titles: set[str]) -> set[str]:
	"""The titles that `text` pairs with an indicator colour: `Approved: "blue"`, `"Closed": 'green'`,
	`{"Approved", "blue"}`-style pairs in JS objects, Python dicts or Jinja."""
	found = set()
	for match in re.finditer(r"""(["']?)([A-Z][A-Za-z -]*?)\1\s*[:,]\s*["']([A-Za-z -]+)["']""", text):
		if match.group(2) in titles and match.group(3).lower().replace(" ", "-") in INDICATOR_COLOURS:
			found.add(match.group(2))
	return found


def check_status_colour_copies(paths: list[Path], states: dict[str, list[dict]]) -> list[str]:
	"""Status colours live in the DocType's `states` only. A script that maps two or more of one
	DocType's states to colours, or that sets the status indicator itself, is a copy that drifts."""
	problems = []
	for path in paths:
		text = path.read_text()
		for doctype, rows in states.items():
			titles = {row["title"] for row in rows}
			copied = colour_pairs(text, titles)
			if len(copied) >= 2:
				problems.append(
					f"{path}: maps {sorted(copied)} of {doctype} to colours; read them from its states "
					"(frappe.get_meta(...).states, employee_loans.status_colour)"
				)
		if path.suffix == ".js" and re.search(r"page\.set_indicator\([^;]*\bstatus\b", text):
			problems.append(f"{path}: sets the status indicator itself; the DocType's states set it")
		if path.name.endswith("_list.js") and re.search(r"\bget_indicator\s*[(:]", text):
			doctype = load(path.with_name(path.name.replace("_list.js", ".json"))).get("name")
			if doctype in states:
				problems.append(f"{path}: get_indicator overrides {doctype}'s states")
	return problems


def script_doctypes(path: Path) -> set[str]:
	"""The DocTypes a desk script is for: its folder's, and any it registers handlers for."""
	names = set(re.findall(r"""frappe\.ui\.form\.on\(\s*["']([^"']+)["']""", path.read_text()))
	names |= set(re.findall(r"""frappe\.listview_settings\[\s*["']([^"']+)["']""", path.read_text()))
	own = path.parent / f"{path.parent.name}.json"
	if path.parent.parent.name == "doctype" and own.exists():
		names.add(load(own).get("name"))
	return names


def check_document_currency(paths: list[Path], fields: dict[str, dict[str, str]]) -> list[str]:
	"""`frm.doc.currency` / `doc.currency` on a DocType without a currency field is undefined, and
	format_currency then falls back to the site's default currency: use the field's own currency
	(frappe.meta.get_field_currency(df, doc), whose options name the company's currency)."""
	problems = []
	for path in paths:
		text = path.read_text()
		if not re.search(r"\bdoc\.currency\b", text):
			continue
		doctypes = script_doctypes(path)
		if not any("currency" in fields.get(doctype, {}) for doctype in doctypes):
			problems.append(
				f"{path}: reads doc.currency, which {sorted(doctypes) or 'no DocType'} has not; use the "
				"field's currency (frappe.meta.get_field_currency)"
			)
	return problems


REPORT_FILTERS_CALL = "employee_loans.report_filters("


def shared_filter_names(bundle: Path = BUNDLE) -> list[str]:
	"""The fieldnames employee_loans.report_filters gives every report, in order."""
	text = bundle.read_text()
	start = text.index("employee_loans.report_filters = function")
	body = text[start : text.index("\n};", start)]
	return re.findall(r"""fieldname:\s*["']([a-z_]+)["']""", body)


def check_report_script_uses_shared_filters(path: Path, shared: list[str]) -> list[str]:
	"""A report's .js builds its filters with employee_loans.report_filters and repeats none of them."""
	text = path.read_text()
	problems = []
	if REPORT_FILTERS_CALL not in text:
		problems.append(f"{path.name}: does not build its filters with {REPORT_FILTERS_CALL}...)")
	for name in re.findall(r"""fieldname:\s*["']([a-z_]+)["']""", text):
		if name in shared:
			problems.append(f"{path.name}: defines the shared filter {name!r} again")
	return problems
