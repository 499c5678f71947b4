"""What the loan reports share: filters, the employee-only view and summary cards.

`frappe.qb` ignores the permission hooks, so every report narrows its query to the user's own
employee records itself (`employee_scope`). The figures are summed in SQL on the exact decimal
columns and rounded once, to the company currency's precision, for display.
"""

import frappe
from frappe import _
from frappe.utils import flt, getdate

from employee_loans.permissions import employees_of_user
from employee_loans.utils import currency_precision, is_hr

LOAN = "Employee Loan"
REPAYMENT = "Employee Loan Repayment"
APPLICATION = "Employee Loan Application"


def employee_scope(user: str | None = None) -> list[str] | None:
	"""None when the user may see every employee's loans (HR roles), otherwise the employees whose
	rows they may see: their own (possibly none)."""
	if is_hr(user):
		return None
	return employees_of_user(user)


def run_report(get_columns, get_result):
	"""The one entry point of the loan reports. An employee-only user whose user is linked to no
	Employee record gets the report's columns, no rows and the same message in every report;
	everyone else gets `get_result(scope)`: (data, message, chart, report_summary)."""
	scope = employee_scope()
	columns = get_columns(scope)
	if scope == []:
		return columns, [], no_linked_employee_message(), None, None
	return columns, *get_result(scope)


def no_linked_employee_message() -> str:
	return _("No employee record is linked to your user. Ask HR to link it.")


def restrict_to_scope(query, employee_field, scope: list[str] | None):
	if scope is None:
		return query
	return query.where(employee_field.isin(scope))


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


def loan_column(label: str | None = None, fieldname: str = "employee_loan", width: int = 150) -> dict:
	return {
		"label": label or _("Loan"),
		"fieldname": fieldname,
		"fieldtype": "Link",
		"options": LOAN,
		"width": width,
	}


def employee_columns(scope: list[str] | None = None) -> list[dict]:
	"""Employee, name and department. In an employee's own view the department is plain text: the
	desk checks read permission on every Link column's DocType, and employees cannot read Department."""
	department = {"label": _("Department"), "fieldname": "department", "fieldtype": "Data", "width": 140}
	if scope is None:
		department.update(fieldtype="Link", options="Department")
	return [
		{
			"label": _("Employee"),
			"fieldname": "employee",
			"fieldtype": "Link",
			"options": "Employee",
			"width": 130,
		},
		{"label": _("Employee Name"), "fieldname": "employee_name", "fieldtype": "Data", "width": 160},
		department,
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
