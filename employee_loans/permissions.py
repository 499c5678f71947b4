"""Row-level access: an employee sees only their own applications, loans and repayments.

HR roles keep whatever their role permissions (and User Permissions on Company) give them. These hooks
only take access away: `permission_query_conditions` filters lists and reports built on get_list,
`has_permission` guards every single-document read, write and action.
"""

import frappe
from frappe import _
from frappe.query_builder import Case

from employee_loans.utils import HR_ROLES

# Roles that see every loan their role permissions allow (finance reconciles the whole portfolio);
# anyone else sees only their own records.
ALL_RECORDS_ROLES = (*HR_ROLES, "Accounts Manager", "Accounts User")


def sees_all_records(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or bool(set(frappe.get_roles(user)) & set(ALL_RECORDS_ROLES))


def employees_of_user(user: str | None = None) -> list[str]:
	"""Every Employee whose user_id is `user` (normally one)."""
	user = user or frappe.session.user
	if not user or user == "Guest":
		return []
	# An Active record first: someone rehired keeps their old, Left record linked to the same user.
	employee = frappe.qb.DocType("Employee")
	return (
		frappe.qb.from_(employee)
		.select(employee.name)
		.where(employee.user_id == user)
		.orderby(Case().when(employee.status == "Active", 0).else_(1))
		.orderby(employee.creation, order=frappe.qb.desc)
		.run(pluck=True)
	)


def own_records_condition(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	if sees_all_records(user):
		return ""
	employees = employees_of_user(user)
	if not employees:
		return "1=0"
	names = ", ".join(frappe.db.escape(employee) for employee in employees)
	return f"`tab{doctype}`.`employee` in ({names})"


def application_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return own_records_condition(user, "Employee Loan Application")


def loan_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return own_records_condition(user, "Employee Loan")


def repayment_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return own_records_condition(user, "Employee Loan Repayment")


def change_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return own_records_condition(user, "Employee Loan Change")


def has_own_record_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""False (deny) when a non-HR user touches another employee's record; None leaves the decision
	to the role permissions."""
	user = user or frappe.session.user
	if sees_all_records(user):
		return None
	employee = doc.get("employee")
	if not employee and doc.doctype == "Employee Loan Repayment" and doc.get("employee_loan"):
		employee = frappe.db.get_value("Employee Loan", doc.employee_loan, "employee")
	if employee and employee in employees_of_user(user):
		return None
	return False


def ensure_permission(doc, ptype: str = "read") -> None:
	"""For whitelisted methods: the role permission and the own-record rule, or a clear refusal."""
	if not frappe.has_permission(doc.doctype, ptype, doc=doc):
		frappe.throw(
			_("You are not permitted to {0} {1} {2}.").format(_(ptype), _(doc.doctype), doc.name),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


def ensure_role(roles: tuple[str, ...], action: str) -> None:
	"""For whitelisted actions: the user holds one of `roles` (Administrator always does)."""
	if frappe.session.user == "Administrator" or set(frappe.get_roles()) & set(roles):
		return
	frappe.throw(
		_("Only {0} can {1}.").format(_(" or ").join(_(role) for role in roles), action),
		frappe.PermissionError,
		title=_("Not Permitted"),
	)


def ensure_hr(action: str) -> None:
	ensure_role(HR_ROLES, action)
