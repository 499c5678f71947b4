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
				if isinstance(item, ast.Assign):
					defined.update(target.id for target in item.targets if isinstance(target, ast.Name))
				if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
					# `fieldname: DF.Data` type annotations are declarations, not definitions
					pass
	base_attributes = {
		"flags", "meta", "get", "set", "append", "save", "insert", "submit", "cancel", "reload", "db_set",
		"get_doc_before_save", "has_value_changed", "is_new", "precision", "check_permission",
		"run_method", "add_comment", "get_title", "as_dict", "update", "db_update", "load_from_db",
		"notify_update", "throw_permission_error", "get_formatted", "get_url", "lock", "unlock",
		"validate_value", "is_child_table_same", "has_permission", "delete", "set_status",
		"_doc_before_save", "_action", "doctype", "name", "docstatus", "getone", "extend",
		"set_onload", "get_onload", "queue_action", "save_version", "reset_values_if_no_permlevel_access",
		"apply_fieldlevel_read_permissions", "clear_cache", "get_valid_dict", "get_title_field",
		"set_new_name", "remove", "db_insert", "get_value",
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
			if re.fullmatch(r"employee_loans(\.[A-Za-z_][A-Za-z0-9_]*)+", node.value):
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
