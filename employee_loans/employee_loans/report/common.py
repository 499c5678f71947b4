"""What the loan reports share: whose loans a user sees, the filters, and summary cards.

`frappe.qb` ignores Frappe's permissions, so every report asks `run_report` for the user's scope
(employee_loans.permissions.loan_scope: their own employee's loans unless they see every loan, and their
User Permissions on Company, Department, Employee...) and narrows each query with `restrict_to_scope`.
A Link column is a link only for users who may read its DocType (`link_column`): the desk refuses a
report whose rows link to a DocType the user cannot read. The figures are summed in SQL on the exact
decimal columns and rounded once, to the company currency's precision, for display.
"""

from pypika.queries import Table
from pypika.terms import Field

import frappe
from frappe import _
from frappe.utils import flt, getdate

from employee_loans.permissions import LoanScope, loan_scope
from employee_loans.utils import currency_precision

LOAN = "Employee Loan"
REPAYMENT = "Employee Loan Repayment"
APPLICATION = "Employee Loan Application"


def run_report(get_columns, get_result):
	"""The one entry point of the loan reports: `get_result(scope)` gives (data, message, chart,
	report_summary) for the user's LoanScope. An employee-only user whose user is linked to no Employee
	record gets the report's columns, no rows and the same message in every report."""
	scope = loan_scope()
	columns = get_columns(scope)
	if scope.no_employee:
		return columns, [], no_linked_employee_message(), None, None
	return columns, *get_result(scope)


def no_linked_employee_message() -> str:
	return _("No employee record is linked to your user. Ask HR to link it.")


def restrict_to_scope(query, loan: Table, scope: LoanScope, employee: Field | None = None):
	"""Only the rows of loans `scope` lets the user read. `loan` is the Employee Loan table of the query
	(every loan report reads it, or joins it to what it reads); the own-records rule narrows on
	`employee` (the loan's employee by default; a report may name the employee column of the table it
	reads by, such as a repayment's or a salary slip's), the User Permissions on the loan's fields."""
	if not isinstance(loan, Table):
		raise TypeError("restrict_to_scope takes the query's Employee Loan table, then the scope")
	query = _own_only(query, employee or loan.employee, scope)
	condition = scope.criterion(loan)
	return query if condition is None else query.where(condition)


def restrict_to_own(query, employee: Field, scope: LoanScope):
	"""The own-records rule alone, on an `employee` column: for a query that reads no loan (a salary
	slip's stored total), which may skip the loans only when no User Permission restricts them."""
	if scope.allowed:
		raise ValueError("the user's User Permissions restrict their loans: use restrict_to_scope")
	return _own_only(query, employee, scope)


def _own_only(query, employee: Field, scope: LoanScope):
	if scope.employees is None:
		return query
	return query.where(employee.isin(scope.employees or ("",)))


def get_filters(filters) -> frappe._dict:
	filters = frappe._dict(filters or {})
	for key in ("from_date", "to_date"):
		if filters.get(key):
			filters[key] = getdate(filters[key])
	if filters.from_date and filters.to_date and filters.from_date > filters.to_date:
		frappe.throw(
			_("From Date {0} is after To Date {1}. Choose a From Date on or before the To Date.").format(
				frappe.format(filters.from_date, "Date"), frappe.format(filters.to_date, "Date")
			),
			title=_("Invalid Period"),
		)
	return filters


def apply_loan_filters(query, loan, filters, skip: tuple = ()):
	"""The filters every loan report offers (company, category, department, employee; see
	employee_loans/public/js/employee_loans.bundle.js) and a status, on the Employee Loan table. A
	report on repayments or salary slips joins Employee Loan and filters it here too."""
	mapping = {
		"company": loan.company,
		"loan_category": loan.loan_category,
		"department": loan.department,
		"employee": loan.employee,
		"status": loan.status,
	}
	for key, field in mapping.items():
		if key not in skip and filters.get(key):
			query = query.where(field == filters.get(key))
	return query


def precision_for(filters) -> int:
	company = filters.get("company") or frappe.defaults.get_user_default("Company")
	return currency_precision(company) if company else currency_precision()


def currency_for(filters) -> str | None:
	company = filters.get("company") or frappe.defaults.get_user_default("Company")
	return frappe.get_cached_value("Company", company, "default_currency") if company else None


def money(value, precision: int) -> float:
	return flt(value or 0, precision)


def card(value, label: str, datatype: str = "Currency", currency: str | None = None, indicator: str = "Blue"):
	summary = {"value": value, "label": label, "datatype": datatype, "indicator": indicator}
	if datatype == "Currency" and currency:
		summary["currency"] = currency
	return summary


def link_column(label: str, fieldname: str, doctype: str, width: int) -> dict:
	"""A link for a user who may read `doctype`, else plain text: the desk checks read permission on
	every Link column's DocType (frappe.desk.query_report.get_filtered_data) and refuses the report
	otherwise, and not every role that may run a report reads every DocType (employees cannot read
	Department, finance neither categories nor employees' applications)."""
	if frappe.has_permission(doctype, "read"):
		return {
			"label": label,
			"fieldname": fieldname,
			"fieldtype": "Link",
			"options": doctype,
			"width": width,
		}
	return {"label": label, "fieldname": fieldname, "fieldtype": "Data", "width": width}


def loan_column(label: str | None = None, fieldname: str = "employee_loan", width: int = 150) -> dict:
	return link_column(label or _("Loan"), fieldname, LOAN, width)


def category_column(width: int = 150) -> dict:
	return link_column(_("Category"), "loan_category", "Employee Loan Category", width)


def employee_columns() -> list[dict]:
	"""Employee, name and department."""
	return [
		link_column(_("Employee"), "employee", "Employee", 130),
		{"label": _("Employee Name"), "fieldname": "employee_name", "fieldtype": "Data", "width": 160},
		link_column(_("Department"), "department", "Department", 140),
	]


def currency_field_column() -> dict:
	"""The hidden column the Currency columns take their currency from (plain text: employees cannot
	read the Currency DocType, and the desk checks every Link column)."""
	return {"label": _("Currency"), "fieldname": "currency", "fieldtype": "Data", "hidden": 1}


def currency_column(label: str, fieldname: str, width: int = 130) -> dict:
	return {
		"label": label,
		"fieldname": fieldname,
		"fieldtype": "Currency",
		"options": "currency",
		"width": width,
	}
