"""The bank and cash accounts the desk offers where money moves (Mark as Disbursed, Pre-close, a
manual repayment, a top-up), for users who cannot read the chart of accounts.

HR pays loans out and takes repayments in, but ERPNext gives HR roles no permission on Account (nor on
Company): a Link to Account would refuse them its search and its check of the value typed. These
fields therefore search through `payment_account_query` and skip the desk's own link check
(`ignore_link_validation`); the account chosen is checked on the server when the money is booked
(accounts.validate_payment_account: a bank or cash ledger of the loan's company).
"""

import frappe
from frappe import _

from employee_loans.accounts import default_payment_account
from employee_loans.permissions import ensure_permission, loan_scope

LOAN = "Employee Loan"


@frappe.whitelist()
def get_default_payment_account(loan: str) -> str | None:
	"""The account a payment of `loan` goes through unless the user picks another: its company's
	default bank account, else its cash account."""
	doc = frappe.get_doc(LOAN, loan)
	ensure_permission(doc, "read")
	return default_payment_account(doc.company)


@frappe.whitelist()
@frappe.validate_and_sanitize_search_inputs
def payment_account_query(doctype, txt, searchfield, start, page_len, filters):
	"""The enabled bank and cash ledgers of `filters["company"]` whose name contains `txt`: for a user
	who may move a loan's money (write a loan) in a company their User Permissions allow."""
	company = (filters or {}).get("company")
	if (
		not company
		or not frappe.has_permission(LOAN, "write")
		or not loan_scope().may_see("Company", company)
	):
		frappe.throw(
			_("You are not permitted to choose the accounts of company {0}.").format(company),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	account = frappe.qb.DocType("Account")
	return (
		frappe.qb.from_(account)
		.select(account.name, account.account_type)
		.where(
			(account.company == company)
			& (account.is_group == 0)
			& (account.disabled == 0)
			& account.account_type.isin(("Bank", "Cash"))
			& (account.name.like(f"%{txt}%") | account.account_name.like(f"%{txt}%"))
		)
		.orderby(account.account_type)
		.orderby(account.name)
		.limit(page_len)
		.offset(start)
		.run()
	)
