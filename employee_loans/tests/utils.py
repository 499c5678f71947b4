"""Helpers of the integration tests (FrappeTestCase, run inside a bench). The factories themselves live
in employee_loans.sample_data, which the benchmarks and the portal's demo data share; they are
re-exported here so the tests keep importing them from one place."""

from contextlib import contextmanager
from decimal import Decimal

import frappe
from frappe.utils import add_months, getdate

from employee_loans.sample_data import (  # noqa: F401 (re-exported for the tests)
	BASIC,
	COMPANY,
	PASSWORD,
	PROFESSIONAL_TAX,
	STRUCTURE,
	apply,
	approve_and_disburse,
	assign_structure,
	make_category,
	make_component,
	make_department,
	make_employee,
	make_slip,
	make_structure,
	make_user,
	set_settings,
)

# The tests build their own records. Frappe's test runner would otherwise walk every Link of these
# DocTypes and create the other apps' test records (and fail on apps the site does not have).
IGNORE_TEST_RECORDS = [
	"Account",
	"Company",
	"Department",
	"Employee",
	"Employee Loan",
	"Employee Loan Application",
	"Employee Loan Category",
	"Employee Loan Change",
	"Employee Loan Repayment",
	"Full and Final Statement",
	"Journal Entry",
	"Salary Component",
	"Salary Slip",
	"User",
]


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


def category_with_books_of_its_own(name: str, prefix: str, abbr: str) -> tuple[str, str, str]:
	"""A category at 8 % whose loans book to ledgers and salary components of their own ("{prefix}
	Loans", "{prefix} Interest"; components "{prefix} EMI" and "{prefix} Interest"), so the GL balances
	and the reconciliation read for them see nothing of other tests. Returns the category and its loan
	and interest income accounts."""
	from employee_loans.sample_data import ledger_account

	loan_account = ledger_account(f"{prefix} Loans", "Loans and Advances (Assets)")
	interest_account = ledger_account(f"{prefix} Interest", "Indirect Income")
	category = make_category(
		name,
		maximum_amount=500000,
		rate=8,
		min_months=6,
		max_months=60,
		loan_account=loan_account,
		interest_income_account=interest_account,
		salary_component=make_component(f"{prefix} EMI", f"{abbr}E", "Deduction"),
		interest_component=make_component(f"{prefix} Interest", f"{abbr}I", "Deduction"),
	)
	return category, loan_account, interest_account


def reconciled(test, loan_account: str, interest_account: str, as_at_date: str, from_date: str) -> dict:
	"""Employee Loan Reconciliation for one loan account and its interest account: per account (books,
	ledger, difference, unexplained)."""
	from employee_loans.employee_loans.report.employee_loan_reconciliation.employee_loan_reconciliation import (
		execute,
	)

	_columns, data, *_rest = execute(
		{"company": COMPANY, "loan_account": loan_account, "as_at_date": as_at_date, "from_date": from_date}
	)
	figures = {}
	for account in (loan_account, interest_account):
		rows = [row for row in data if row.get("account") == account]
		test.assertEqual(rows[-1]["line"], "Unexplained")
		figures[account] = tuple(
			Decimal(str(value or 0)).quantize(Decimal("0.01"))
			for value in (rows[0]["books"], rows[0]["ledger"], rows[0]["difference"], rows[-1]["difference"])
		)
	return figures
