"""The starter set of loan categories, loaded on request from the settings form."""

import frappe
from frappe import _

from employee_loans.accounts import ensure_loan_accounts

STARTER_CATEGORIES = (
	# name, maximum amount, annual rate, method, minimum and maximum tenure in months
	("Personal", 500000, 8, "Reducing Balance", 6, 60),
	("Emergency", 100000, 0, "Interest Free", 1, 12),
	("Home Advance", 1000000, 6, "Reducing Balance", 12, 120),
	("Vehicle", 300000, 7, "Reducing Balance", 12, 60),
	("Education", 200000, 5, "Reducing Balance", 6, 48),
)


def load_starter_categories(company: str) -> list[str]:
	"""Create the five starter categories for `company`; existing ones are left untouched."""
	if not frappe.db.exists("Company", company):
		frappe.throw(_("Company {0} does not exist.").format(company), title=_("Unknown Company"))
	loan_account, interest_account = ensure_loan_accounts(company)
	created = []
	for name, maximum, rate, method, min_months, max_months in STARTER_CATEGORIES:
		if frappe.db.exists("Employee Loan Category", {"category_name": name, "company": company}):
			continue
		category = frappe.get_doc(
			{
				"doctype": "Employee Loan Category",
				"category_name": name,
				"company": company,
				"maximum_amount": maximum,
				"annual_interest_rate": rate,
				"interest_method": method,
				"minimum_tenure_months": min_months,
				"maximum_tenure_months": max_months,
				"loan_account": loan_account,
				"interest_income_account": interest_account if rate else None,
			}
		).insert()
		created.append(category.name)
	return created
