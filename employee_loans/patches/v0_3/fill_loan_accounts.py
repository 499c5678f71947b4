"""Loan categories made before the books: fill their accounts where the company has an obvious one,
and give disbursed loans their category's accounts and interest component.

No silent default: an account is filled only when exactly one ledger fits (for the loan account, an
asset ledger with no account type under Loans and Advances (Assets); for interest income, an income
ledger whose name speaks of interest). Otherwise the field stays empty and disbursing a loan of the
category stops with a message that names the field to set."""

import frappe

from employee_loans.utils import get_settings


def execute():
	category = frappe.qb.DocType("Employee Loan Category")
	for row in frappe.qb.from_(category).select(
		category.name, category.company, category.loan_account, category.interest_income_account,
		category.annual_interest_rate,
	).run(as_dict=True):  # fmt: skip
		values = {}
		if not row.loan_account:
			values["loan_account"] = only(obvious_loan_accounts(row.company))
		if not row.interest_income_account and row.annual_interest_rate:
			values["interest_income_account"] = only(obvious_interest_accounts(row.company))
		values = {field: value for field, value in values.items() if value}
		if values:
			frappe.db.set_value("Employee Loan Category", row.name, values, update_modified=False)
		set_component_accounts(row.name)
	fill_loans()


def set_component_accounts(category: str) -> None:
	"""The components book to the category's accounts (what saving the category does); a conflict is
	left for the admin, whom saving the category will then tell what to change."""
	doc = frappe.get_doc("Employee Loan Category", category)
	if not doc.loan_account:
		return
	try:
		doc.run_method("on_update")
	except frappe.ValidationError:
		frappe.clear_last_message()


def only(candidates: list[str]) -> str | None:
	return candidates[0] if len(candidates) == 1 else None


def obvious_loan_accounts(company: str) -> list[str]:
	account = frappe.qb.DocType("Account")
	parent = frappe.qb.DocType("Account").as_("parent")
	return (
		frappe.qb.from_(account)
		.inner_join(parent)
		.on(parent.name == account.parent_account)
		.select(account.name)
		.where(
			(account.company == company)
			& (account.is_group == 0)
			& (account.disabled == 0)
			& (account.root_type == "Asset")
			& ((account.account_type == "") | account.account_type.isnull())
			& (parent.account_name == "Loans and Advances (Assets)")
		)
		.run(pluck=True)
	)


def obvious_interest_accounts(company: str) -> list[str]:
	account = frappe.qb.DocType("Account")
	return (
		frappe.qb.from_(account)
		.select(account.name)
		.where(
			(account.company == company)
			& (account.is_group == 0)
			& (account.disabled == 0)
			& (account.root_type == "Income")
			& account.account_name.like("%Interest%")
		)
		.run(pluck=True)
	)


def fill_loans() -> None:
	"""Disbursed loans take their category's accounts; interest-bearing ones the interest component.
	Their disbursement was never booked: the reconciliation report shows them until an opening entry
	is posted."""
	interest_component = get_settings().interest_component
	loan = frappe.qb.DocType("Employee Loan")
	category = frappe.qb.DocType("Employee Loan Category")
	rows = (
		frappe.qb.from_(loan)
		.inner_join(category)
		.on(category.name == loan.loan_category)
		.select(
			loan.name,
			loan.annual_interest_rate,
			category.loan_account,
			category.interest_income_account,
			category.interest_component,
		)
		.where((loan.docstatus == 1) & loan.loan_account.isnull())
		.run(as_dict=True)
	)
	for row in rows:
		charges_interest = bool(row.annual_interest_rate)
		frappe.db.set_value(
			"Employee Loan",
			row.name,
			{
				"loan_account": row.loan_account,
				"interest_income_account": row.interest_income_account if charges_interest else None,
				"interest_component": (row.interest_component or interest_component)
				if charges_interest
				else None,
			},
			update_modified=False,
		)
