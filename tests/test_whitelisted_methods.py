"""Static check: a whitelisted method that changes data accepts POST only, so a GET request (a link,
an image tag on another site) can never approve, disburse or close a loan."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "employee_loans"

# Whitelisted methods that only read; every other one must be POST-only.
READ_ONLY = {
	"preview_application",
	"get_approval_context",
	"get_preclosure_amount",
	"get_loan_rows",
	"draft_slips",
	"get_preview",
	"get_default_payment_account",
	"payment_account_query",
	"download_template",
}


def whitelisted_functions():
	for path in PACKAGE.rglob("*.py"):
		if path.name.startswith("test_"):
			continue
		tree = ast.parse(path.read_text(), filename=str(path))
		for node in ast.walk(tree):
			if not isinstance(node, ast.FunctionDef):
				continue
			for decorator in node.decorator_list:
				call = decorator if isinstance(decorator, ast.Call) else None
				target = call.func if call else decorator
				if isinstance(target, ast.Attribute) and target.attr == "whitelist":
					yield path.relative_to(PACKAGE.parent), node.name, call


def methods_of(call) -> list[str] | None:
	for keyword in call.keywords if call else []:
		if keyword.arg == "methods":
			return [element.value for element in keyword.value.elts]
	return None


def test_every_method_that_changes_data_is_post_only():
	found = list(whitelisted_functions())
	assert {"approve", "deny", "withdraw", "disburse", "preclose", "reopen"} <= {name for _, name, _ in found}
	open_to_get = [
		f"{path}:{name}"
		for path, name, call in found
		if name not in READ_ONLY and methods_of(call) != ["POST"]
	]
	assert open_to_get == []


def test_the_check_catches_a_get_method(tmp_path):
	source = "import frappe\n@frappe.whitelist()\ndef approve(application: str):\n\tpass\n"
	node = ast.parse(source).body[1]
	assert methods_of(node.decorator_list[0]) is None
