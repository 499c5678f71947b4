"""Who reads which loans: the one rule, for lists, forms, reports, number cards, the portal and the
whitelisted methods alike.

- HR (HR Manager, HR User, System Manager) and finance (Accounts Manager, Accounts User: they reconcile
  the whole portfolio) see every loan (`sees_all_records`); anyone else sees only their own employee's
  applications, loans, repayments and changes.
- Within that, Frappe's User Permissions hold: a user permitted only some companies, departments or
  employees sees only their loans (`loan_scope`), in a report as in the list.

The hooks here only take access away: `permission_query_conditions` filters lists and everything built
on get_list (number cards, the portal), `has_permission` guards every single-document read, write and
action. `frappe.qb` applies neither, so every report narrows its queries with `loan_scope`
(employee_loans/employee_loans/report/common.py: run_report and restrict_to_scope).
"""

from dataclasses import dataclass

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Coalesce

from employee_loans.utils import HR_ROLES

LOAN = "Employee Loan"
# Roles that see every loan their role permissions and User Permissions allow (finance reconciles the
# whole portfolio); anyone else sees only their own records.
ALL_RECORDS_ROLES = (*HR_ROLES, "Accounts Manager", "Accounts User")


def sees_all_records(user: str | None = None) -> bool:
	"""The user sees every employee's loans (within their User Permissions), not only their own."""
	user = user or frappe.session.user
	return user == "Administrator" or bool(set(frappe.get_roles(user)) & set(ALL_RECORDS_ROLES))


@dataclass(frozen=True)
class LoanScope:
	"""The loans a user may read, as the list of loans shows them.

	`employees` is None when the user sees every employee's loans, else the employees whose loans are
	the user's own (none when the user is linked to no Employee). `allowed` holds the user's User
	Permissions that apply to loans, by the DocType they allow ("Company": the companies permitted);
	a DocType not in it is not restricted. `strict` is System Settings' Apply Strict User Permissions:
	without it a loan whose field is empty passes, as in the list."""

	employees: tuple[str, ...] | None
	allowed: dict[str, tuple[str, ...]]
	strict: bool = False

	@property
	def every_employee(self) -> bool:
		return self.employees is None

	@property
	def no_employee(self) -> bool:
		"""An employee-only user linked to no Employee record: no loan is theirs."""
		return self.employees == ()

	@property
	def unrestricted(self) -> bool:
		"""Every loan on the site: every employee's and no User Permission narrowing them."""
		return self.every_employee and not self.allowed

	def may_see(self, doctype: str, name: str | None) -> bool:
		"""Whether the User Permissions let the user see loans of `name` (a company, department...)."""
		names = self.allowed.get(doctype)
		return not names or name in names

	def criterion(self, table, doctype: str = LOAN):
		"""The User Permissions as a frappe.qb condition on `table`, a query's table of `doctype` (the
		loan's by default): for each of its Link fields whose DocType the user is restricted on, the value
		is one permitted (or empty, unless strict), as frappe.get_list builds it (frappe/model/db_query.py,
		add_user_permissions). None when nothing restricts it."""
		fields = [
			(df.fieldname, df.options)
			for df in frappe.get_meta(doctype).get_link_fields()
			if not df.get("ignore_user_permissions")
		]
		condition = None
		for fieldname, target in [*fields, ("name", doctype)]:
			names = self.allowed.get(target)
			if not names:
				continue
			term = table[fieldname].isin(names)
			if not self.strict:
				term = (Coalesce(table[fieldname], "") == "") | term
			condition = term if condition is None else condition & term
		return condition


def loan_scope(user: str | None = None) -> LoanScope:
	"""Whose loans `user` may read: the own-records rule (`sees_all_records`) and the User Permissions
	that apply to Employee Loan, read the way frappe.get_list reads them for the list of loans (which
	also raises frappe.PermissionError for a user who may not read loans at all)."""
	from frappe.desk.reportview import build_match_conditions

	user = user or frappe.session.user
	employees = None if sees_all_records(user) else tuple(employees_of_user(user))
	if employees == ():
		return LoanScope(employees, {})  # no loan is theirs: nothing to narrow further
	allowed: dict[str, tuple[str, ...]] = {}
	for match_filters in build_match_conditions(LOAN, user, as_condition=False):
		for doctype, names in match_filters.items():
			allowed[doctype] = tuple(names)
	return LoanScope(employees, allowed, bool(frappe.get_system_settings("apply_strict_user_permissions")))


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
