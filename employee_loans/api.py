"""Whitelisted methods shared by the desk forms and the self-service portal."""

import frappe
from frappe import _
from frappe.utils import cint, flt, nowdate

from employee_loans.eligibility import assess, finding_rows
from employee_loans.permissions import employees_of_user
from employee_loans.utils import is_hr, to_field


def resolve_employee(employee: str | None) -> str:
	"""HR may ask about any employee they may read (their User Permissions hold: HR of one company is
	refused another company's employee); everyone else only about themself."""
	own = employees_of_user()
	if is_hr() and employee:
		if not frappe.has_permission("Employee", "read", doc=employee):
			frappe.throw(
				_("You are not permitted to see employee {0}.").format(employee),
				frappe.PermissionError,
				title=_("Not Permitted"),
			)
		return employee
	if not own:
		frappe.throw(
			_("Your user is not linked to an Employee record. Ask HR to link it."),
			frappe.PermissionError,
			title=_("No Employee Record"),
		)
	if employee and employee not in own:
		frappe.throw(_("You can only see your own loans."), frappe.PermissionError, title=_("Not Permitted"))
	return own[0]


@frappe.whitelist()
def preview_application(
	loan_category: str, loan_amount: float | str, tenure_months: int | str, employee: str | None = None
) -> dict:
	"""EMI, totals and eligibility findings for terms being typed, without saving anything."""
	employee = resolve_employee(employee)
	company = frappe.db.get_value("Employee", employee, "company")
	category = frappe.db.get_value(
		"Employee Loan Category", loan_category, ["company", "disabled"], as_dict=True
	)
	if not category or category.company != company or cint(category.disabled):
		frappe.throw(_("Choose an enabled loan category of your company."), title=_("Invalid Category"))
	application = frappe.get_doc(
		{
			"doctype": "Employee Loan Application",
			"employee": employee,
			"company": company,
			"loan_category": loan_category,
			"loan_amount": flt(loan_amount),
			"tenure_months": cint(tenure_months),
			"posting_date": nowdate(),
		}
	)
	result = assess(application)
	return {
		"emi": to_field(result["emi"]),
		"total_interest": to_field(result["total_interest"]),
		"total_payable": to_field(result["total_payable"]),
		"last_emi_date": result["last_emi_date"],
		"net_salary": to_field(result["net_salary"]),
		"existing_emis": to_field(result["existing_emis"]),
		"findings": finding_rows(result["findings"]),
		"blocked": bool(result["blocking"]),
	}


@frappe.whitelist(methods=["POST"])
def apply_for_loan(
	loan_category: str, loan_amount: float | str, tenure_months: int | str, reason: str | None = None
) -> dict:
	"""The self-service portal's Submit: a Pending application for the signed-in user's own employee.

	The employee is never taken from the request. The application is inserted like any other, so the
	role permissions, the own-records rule and the DocType's validation (category, eligibility) run
	exactly as in the desk."""
	employee = resolve_employee(None)
	if not (reason or "").strip():
		frappe.throw(_("Give the reason for the loan."), title=_("Reason Required"))
	application = frappe.get_doc(
		{
			"doctype": "Employee Loan Application",
			"employee": employee,
			"loan_category": loan_category,
			"loan_amount": flt(loan_amount),
			"tenure_months": cint(tenure_months),
			"reason": reason.strip(),
			"posting_date": nowdate(),
		}
	)
	application.insert()
	return {"name": application.name, "status": application.status, "emi": application.emi}
