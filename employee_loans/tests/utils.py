"""Factories shared by the integration tests (FrappeTestCase, run inside a bench)."""

from contextlib import contextmanager

import frappe
from frappe.utils import add_months, get_first_day, getdate

COMPANY = "_Test Company"
BASIC = "EL Basic Salary"
PROFESSIONAL_TAX = "EL Professional Tax"
STRUCTURE = "EL Test Structure"
PASSWORD = "Loans-Test-1!"

# The tests build their own records. Frappe's test runner would otherwise walk every Link of these
# DocTypes and create the other apps' test records (and fail on apps the site does not have).
IGNORE_TEST_RECORDS = [
	"Company",
	"Department",
	"Employee",
	"Employee Loan",
	"Employee Loan Application",
	"Employee Loan Category",
	"Employee Loan Repayment",
	"Salary Component",
	"Salary Slip",
	"User",
]


def make_user(email: str, roles: list[str]) -> str:
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"new_password": PASSWORD,
				"send_welcome_email": 0,
				"roles": [{"role": role} for role in roles],
			}
		).insert(ignore_permissions=True)
	else:
		user = frappe.get_doc("User", email)
		user.add_roles(*roles)
	return email


def make_employee(
	email: str,
	company: str = COMPANY,
	roles: tuple = ("Employee",),
	date_of_joining="2020-01-01",
	**fields,
) -> str:
	"""An Active employee linked to a user with the given roles (no user when `roles` is empty)."""
	if roles:
		make_user(email, list(roles))
	existing = frappe.db.get_value("Employee", {"user_id": email}) if roles else None
	if existing:
		frappe.db.set_value("Employee", existing, {"status": "Active", "relieving_date": None, **fields})
		return existing
	employee = frappe.get_doc(
		{
			"doctype": "Employee",
			"first_name": email.split("@")[0],
			"company": company,
			"user_id": email if roles else None,
			"date_of_birth": "1990-05-08",
			"date_of_joining": date_of_joining,
			"gender": "Female",
			"status": "Active",
			**fields,
		}
	)
	employee.insert(ignore_permissions=True)
	return employee.name


def make_category(
	name: str = "Personal",
	company: str = COMPANY,
	maximum_amount=500000,
	rate=8,
	method="Reducing Balance",
	min_months=6,
	max_months=60,
	**fields,
) -> str:
	abbr = frappe.get_cached_value("Company", company, "abbr")
	full_name = f"{name} - {abbr}"
	if frappe.db.exists("Employee Loan Category", full_name):
		frappe.delete_doc("Employee Loan Category", full_name, force=True, ignore_permissions=True)
	return (
		frappe.get_doc(
			{
				"doctype": "Employee Loan Category",
				"category_name": name,
				"company": company,
				"maximum_amount": maximum_amount,
				"annual_interest_rate": rate,
				"interest_method": method,
				"minimum_tenure_months": min_months,
				"maximum_tenure_months": max_months,
				**fields,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def set_settings(**values) -> None:
	settings = frappe.get_single("Employee Loan Settings")
	defaults = {
		"enable_applications": 1,
		"emi_limit_percent": 50,
		"emi_limit_action": "Warn",
		"minimum_service_months": 0,
		"maximum_active_loans": 3,
		"deduction_component": "Loan EMI",
		"short_pay_policy": "Skip Month",
		"protected_net_pay": 0,
		"reamortisation_mode": "Keep End Date",
	}
	settings.update({**defaults, **values})
	settings.flags.ignore_permissions = True
	settings.save()
	frappe.clear_document_cache("Employee Loan Settings", "Employee Loan Settings")


def make_component(name: str, abbr: str, component_type: str) -> str:
	if not frappe.db.exists("Salary Component", name):
		frappe.get_doc(
			{
				"doctype": "Salary Component",
				"salary_component": name,
				"salary_component_abbr": abbr,
				"type": component_type,
				"depends_on_payment_days": 0,
			}
		).insert(ignore_permissions=True)
	return name


def make_structure(company: str = COMPANY, professional_tax=200) -> str:
	"""A monthly structure: basic = base, a fixed professional tax; no proration, no income tax."""
	make_component(BASIC, "ELB", "Earning")
	make_component(PROFESSIONAL_TAX, "ELPT", "Deduction")
	if frappe.db.exists("Salary Structure", {"name": STRUCTURE, "docstatus": 1}):
		return STRUCTURE
	structure = frappe.get_doc(
		{
			"doctype": "Salary Structure",
			"name": STRUCTURE,
			"company": company,
			"payroll_frequency": "Monthly",
			"currency": frappe.get_cached_value("Company", company, "default_currency"),
			"earnings": [
				{
					"salary_component": BASIC,
					"abbr": "ELB",
					"amount_based_on_formula": 1,
					"formula": "base",
					"depends_on_payment_days": 0,
				}
			],
			"deductions": [
				{
					"salary_component": PROFESSIONAL_TAX,
					"abbr": "ELPT",
					"amount": professional_tax,
					"depends_on_payment_days": 0,
				}
			],
		}
	)
	structure.insert(ignore_permissions=True)
	structure.submit()
	return structure.name


def assign_structure(employee: str, base, from_date="2020-01-01", company: str = COMPANY):
	from hrms.payroll.doctype.salary_structure.test_salary_structure import (
		create_salary_structure_assignment,
	)

	make_structure(company)
	return create_salary_structure_assignment(
		employee, STRUCTURE, from_date=from_date, company=company, base=base
	)


def make_slip(employee: str, posting_date, submit: bool = False):
	"""A monthly salary slip for the month of `posting_date`, built the way the desk builds one."""
	start = get_first_day(getdate(posting_date))
	slip = frappe.get_doc(
		{
			"doctype": "Salary Slip",
			"employee": employee,
			"posting_date": start,
			"start_date": start,
			"payroll_frequency": "Monthly",
		}
	)
	slip.insert(ignore_permissions=True)
	if submit:
		slip.submit()
	return slip


def apply(employee: str, category: str, amount=200000, months=24, **fields):
	return frappe.get_doc(
		{
			"doctype": "Employee Loan Application",
			"employee": employee,
			"loan_category": category,
			"loan_amount": amount,
			"tenure_months": months,
			"reason": "Family needs",
			**fields,
		}
	).insert()


def approve_and_disburse(application: str, disbursement_date="2026-01-15", **kwargs) -> str:
	from employee_loans.employee_loans.doctype.employee_loan.employee_loan import disburse
	from employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application import (
		approve,
	)

	loan = approve(application)
	disburse(loan, disbursement_date, **kwargs)
	return loan


@contextmanager
def as_user(user: str):
	previous = frappe.session.user
	frappe.set_user(user)
	try:
		yield
	finally:
		frappe.set_user(previous)


def count(doctype: str, **filters) -> int:
	return frappe.db.count(doctype, filters)


def months_after(date, months: int):
	return add_months(getdate(date), months)
