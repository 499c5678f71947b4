"""The loans in the general ledger: what disbursement, manual repayment, settled pre-closure, cancel
and reopen post, and the accounts that are refused before anything is written."""

import re
from decimal import Decimal

import frappe
from frappe.utils import getdate

from employee_loans.accounts import ensure_loan_accounts
from employee_loans.employee_loans.doctype.employee_loan.employee_loan import (
	disburse,
	get_preclosure_amount,
	preclose,
	reopen,
)
from employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application import approve
from employee_loans.tests.base import LoanTestCase
from employee_loans.tests.utils import COMPANY, IGNORE_TEST_RECORDS, apply, count, make_category

test_ignore = IGNORE_TEST_RECORDS

LOAN = "Employee Loan"
REPAYMENT = "Employee Loan Repayment"
JOURNAL_ENTRY = "Journal Entry"
CASH = "Cash - _TC"
BANK = "EL Books Bank - _TC"
OTHER_COMPANY = "_EL Other Co"


def money(value) -> Decimal:
	return Decimal(str(value)).quantize(Decimal("0.01"))


def gl_rows(voucher_no: str) -> list[tuple]:
	"""The live GL rows of a voucher: (account, debit, credit), sorted."""
	rows = frappe.get_all(
		"GL Entry",
		filters={"voucher_no": voucher_no, "is_cancelled": 0},
		fields=["account", "debit", "credit"],
	)
	return sorted((row.account, money(row.debit), money(row.credit)) for row in rows)


def gl_balance(account: str) -> Decimal:
	"""Debit less credit of the account over its live GL rows."""
	rows = frappe.get_all(
		"GL Entry", filters={"account": account, "is_cancelled": 0}, fields=["debit", "credit"]
	)
	return sum((money(row.debit) - money(row.credit) for row in rows), Decimal(0))


def repay(loan: str, amount, posting_date="2026-03-10", reference="CHQ-1", payment_account=None):
	doc = frappe.get_doc(
		{
			"doctype": REPAYMENT,
			"employee_loan": loan,
			"amount": amount,
			"repayment_type": "Manual",
			"posting_date": posting_date,
			"reference": reference,
			"payment_account": payment_account,
		}
	).insert()
	doc.submit()
	return doc


def bank_account() -> str:
	if not frappe.db.exists("Account", BANK):
		frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": "EL Books Bank",
				"parent_account": "Bank Accounts - _TC",
				"company": COMPANY,
				"account_type": "Bank",
			}
		).insert(ignore_permissions=True)
	return BANK


def other_company_account() -> str:
	"""A ledger of a second company of its own (made in the test's savepoint): not a subsidiary, whose
	accounts ERPNext would only take from its parent company."""
	if not frappe.db.exists("Company", OTHER_COMPANY):
		frappe.get_doc(
			{
				"doctype": "Company",
				"company_name": OTHER_COMPANY,
				"abbr": "_ELO",
				"default_currency": "INR",
				"country": "India",
			}
		).insert()
	return ensure_loan_accounts(OTHER_COMPANY)[0]


class TestEmployeeLoanBooks(LoanTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.loan_account, cls.interest_account = ensure_loan_accounts(COMPANY)

	def new_loan(self, amount=200000, months=24, category=None) -> str:
		application = apply(
			self.applicant, category or self.personal, amount, months, posting_date="2026-01-05"
		)
		return approve(application.name)

	def balances(self, *accounts) -> dict:
		return {account: gl_balance(account) for account in accounts or self.accounts()}

	def accounts(self) -> tuple:
		return (self.loan_account, self.interest_account, CASH, bank_account())

	def moved(self, before: dict) -> dict:
		"""How much each account moved since `before` (only those that moved)."""
		after = self.balances(*before)
		return {
			account: after[account] - before[account]
			for account in before
			if after[account] != before[account]
		}

	def journal_entries(self, loan: str) -> list[frappe._dict]:
		return frappe.get_all(
			JOURNAL_ENTRY,
			filters={"employee_loan": loan},
			fields=["name", "docstatus", "employee_loan_repayment"],
			order_by="creation",
		)

	# -- disbursement ---------------------------------------------------------------------------------

	def test_disbursement_from_cash_posts_a_cash_entry_debiting_the_loan_account(self):
		before = self.balances()
		loan_name = self.new_loan()
		disburse(loan_name, "2026-01-15", "CHQ-4711")
		loan = frappe.get_doc(LOAN, loan_name)
		# no default bank account on the test company: the default cash account pays it
		self.assertEqual((loan.payment_account, loan.loan_account), (CASH, self.loan_account))
		self.assertEqual(loan.interest_income_account, self.interest_account)
		entry = frappe.get_doc(JOURNAL_ENTRY, loan.disbursement_journal_entry)
		self.assertEqual(
			(entry.docstatus, entry.voucher_type, entry.company, entry.employee_loan),
			(1, "Cash Entry", COMPANY, loan_name),
		)
		self.assertEqual((entry.cheque_no, getdate(entry.cheque_date)), ("CHQ-4711", getdate("2026-01-15")))
		self.assertEqual(getdate(entry.posting_date), getdate("2026-01-15"))
		self.assertIn(loan_name, entry.user_remark)
		self.assertIn(loan.employee, entry.user_remark)
		self.assertEqual(
			gl_rows(entry.name),
			[(CASH, 0, money(200000)), (self.loan_account, money(200000), 0)],
		)
		self.assertEqual(self.moved(before), {self.loan_account: 200000, CASH: -200000})
		self.assertEqual(
			frappe.get_all(
				"GL Entry", filters={"voucher_no": entry.name}, pluck="posting_date", distinct=True
			),
			[getdate("2026-01-15")],
		)

	def test_disbursement_from_a_bank_account_posts_a_bank_entry(self):
		loan_name = self.new_loan(12000, 12, self.emergency)
		disburse(loan_name, "2026-01-20", payment_account=bank_account())
		loan = frappe.get_doc(LOAN, loan_name)
		# an interest-free loan has no interest income account
		self.assertEqual((loan.payment_account, loan.interest_income_account), (BANK, None))
		entry = frappe.get_doc(JOURNAL_ENTRY, loan.disbursement_journal_entry)
		# no reference given: the loan's name is the cheque number the bank entry needs
		self.assertEqual((entry.voucher_type, entry.cheque_no), ("Bank Entry", loan_name))
		self.assertEqual(gl_rows(entry.name), [(BANK, 0, money(12000)), (self.loan_account, money(12000), 0)])

	def test_the_disbursement_entry_cannot_be_cancelled_on_its_own(self):
		loan_name = self.new_loan()
		disburse(loan_name, "2026-01-15")
		entry = frappe.get_doc(
			JOURNAL_ENTRY, frappe.db.get_value(LOAN, loan_name, "disbursement_journal_entry")
		)
		# as a request would, the failed cancel is rolled back
		frappe.db.savepoint("hand_cancel")
		with self.assertRaisesRegex(
			frappe.LinkExistsError, f"is linked with Employee Loan .*{re.escape(loan_name)}"
		):
			try:
				entry.cancel()
			finally:
				frappe.db.rollback(save_point="hand_cancel")
		self.assertEqual(frappe.db.get_value(JOURNAL_ENTRY, entry.name, "docstatus"), 1)

	# -- repayments -----------------------------------------------------------------------------------

	def test_a_manual_repayment_debits_the_account_paid_into_and_credits_the_loan_account(self):
		loan_name = approve_and_disburse_personal(self)
		before = self.balances()
		repayment = repay(loan_name, 10000, reference="CHQ-77", payment_account=bank_account())
		entry = frappe.get_doc(JOURNAL_ENTRY, repayment.journal_entry)
		self.assertEqual(
			(entry.docstatus, entry.voucher_type, entry.employee_loan, entry.employee_loan_repayment),
			(1, "Bank Entry", loan_name, repayment.name),
		)
		self.assertEqual((entry.cheque_no, getdate(entry.posting_date)), ("CHQ-77", getdate("2026-03-10")))
		# principal ahead of the schedule: no interest
		self.assertEqual(gl_rows(entry.name), [(BANK, money(10000), 0), (self.loan_account, 0, money(10000))])
		self.assertEqual(self.moved(before), {BANK: 10000, self.loan_account: -10000})

	def test_a_settled_preclosure_books_principal_to_the_loan_account_and_interest_to_income(self):
		loan_name = approve_and_disburse_personal(self)
		quote = get_preclosure_amount(loan_name, "2026-03-10")
		# nothing recovered yet: the whole principal plus the interest of the first instalment, due
		# 1 Feb (2,00,000 x 8 % / 12)
		self.assertEqual((quote["principal"], quote["interest"]), (200000, 1333.33))
		before = self.balances()
		name = preclose(loan_name, "Settled Manually", "2026-03-10", "NEFT-9", bank_account())
		repayment = frappe.get_doc(REPAYMENT, name)
		self.assertEqual(
			(money(repayment.principal_amount), money(repayment.interest_amount)),
			(money(quote["principal"]), money(quote["interest"])),
		)
		entry = frappe.get_doc(JOURNAL_ENTRY, repayment.journal_entry)
		self.assertEqual((entry.cheque_no, entry.employee_loan_repayment), ("NEFT-9", name))
		self.assertEqual(
			gl_rows(entry.name),
			sorted(
				[
					(BANK, money(quote["amount"]), 0),
					(self.loan_account, 0, money(quote["principal"])),
					(self.interest_account, 0, money(quote["interest"])),
				]
			),
		)
		self.assertEqual(
			self.moved(before),
			{
				BANK: money(quote["amount"]),
				self.loan_account: -money(quote["principal"]),
				self.interest_account: -money(quote["interest"]),
			},
		)
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "status"), "Closed")
		# the loan account holds nothing for this loan any more
		self.assertEqual(gl_balance_of_loan(loan_name, self.loan_account), 0)

	# -- cancel and reopen reverse every row ---------------------------------------------------------

	def test_cancelling_a_repayment_and_the_loan_reverses_every_gl_row(self):
		before = self.balances()
		loan_name = approve_and_disburse_personal(self)
		after_disbursement = self.balances()
		first = repay(loan_name, 10000)
		second = repay(loan_name, 5000, posting_date="2026-03-20", payment_account=bank_account())
		self.assertEqual(self.moved(after_disbursement), {self.loan_account: -15000, CASH: 10000, BANK: 5000})
		second.cancel()
		first.cancel()
		self.assertEqual(self.balances(), after_disbursement)
		frappe.get_doc(LOAN, loan_name).cancel()
		self.assertEqual(self.balances(), before)
		journals = self.journal_entries(loan_name)
		self.assertEqual(len(journals), 3)  # the disbursement and both repayments
		self.assertEqual({journal.docstatus for journal in journals}, {2})
		for journal in journals:
			self.assertEqual(gl_rows(journal.name), [], journal.name)
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "status"), "Cancelled")

	def test_reopen_reverses_the_closing_repayments_entry(self):
		loan_name = approve_and_disburse_personal(self)
		before = self.balances()
		name = preclose(loan_name, "Settled Manually", "2026-03-10", "NEFT-9")
		entry = frappe.db.get_value(REPAYMENT, name, "journal_entry")
		self.assertNotEqual(self.balances(), before)
		reopen(loan_name, "Cheque bounced")
		self.assertEqual(frappe.db.get_value(REPAYMENT, name, "docstatus"), 2)
		self.assertEqual(frappe.db.get_value(JOURNAL_ENTRY, entry, "docstatus"), 2)
		self.assertEqual(gl_rows(entry), [])
		self.assertEqual(self.balances(), before)
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "status"), "Disbursed")

	# -- bad inputs write nothing --------------------------------------------------------------------

	def test_a_category_refuses_accounts_payroll_cannot_book_to(self):
		component_accounts = frappe.get_all(
			"Salary Component Account", filters={"company": COMPANY}, fields=["parent", "account"]
		)
		foreign = other_company_account()
		foreign_company = frappe.db.get_value("Account", foreign, "company")
		cases = [
			(
				{"loan_account": foreign},
				f"Loan Account {foreign} belongs to company {foreign_company}; choose an account of {COMPANY}",
			),
			(
				{"loan_account": "Loans and Advances (Assets) - _TC"},
				"Loans and Advances \\(Assets\\) - _TC is a group account; choose a ledger account under it",
			),
			(
				{"loan_account": "Debtors - _TC"},
				"Debtors - _TC is a Receivable account. Payroll books loan recoveries without a party",
			),
			(
				{"loan_account": self.interest_account},
				f"Loan Account {self.interest_account} is not an asset account",
			),
			(
				{"interest_income_account": self.loan_account},
				f"Interest Income Account {self.loan_account} is not an income account",
			),
			({"loan_account": None}, "Set the Loan Account of category EL Bad Books"),
		]
		for fields, message in cases:
			with self.subTest(fields=fields):
				with self.assertRaisesRegex(frappe.ValidationError, message):
					make_category("EL Bad Books", **fields)
				self.assertFalse(frappe.db.exists("Employee Loan Category", "EL Bad Books - _TC"))
		self.assertEqual(
			frappe.get_all(
				"Salary Component Account", filters={"company": COMPANY}, fields=["parent", "account"]
			),
			component_accounts,
		)

	def assert_not_disbursed(self, loan_name: str):
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, ["docstatus", "status"]), (0, "Approved"))
		self.assertFalse(frappe.db.get_value(LOAN, loan_name, "disbursement_journal_entry"))
		self.assertEqual(count("Employee Loan Schedule", parent=loan_name), 0)
		self.assertEqual(self.journal_entries(loan_name), [])

	def test_disbursing_from_an_account_that_is_not_bank_or_cash_is_refused(self):
		loan_name = self.new_loan()
		before = self.balances()
		for account, message in (
			("Debtors - _TC", "Paid From Debtors - _TC is not a bank or cash account"),
			(self.loan_account, f"Paid From {self.loan_account} is not a bank or cash account"),
			("Bank Accounts - _TC", "Paid From Bank Accounts - _TC is a group account"),
		):
			with self.subTest(account=account), self.assertRaisesRegex(frappe.ValidationError, message):
				disburse(loan_name, "2026-01-15", payment_account=account)
			self.assert_not_disbursed(loan_name)
		self.assertEqual(self.balances(), before)

	def test_disbursing_needs_an_account_when_the_company_has_no_default_bank_or_cash(self):
		loan_name = self.new_loan()
		frappe.db.set_value("Company", COMPANY, {"default_bank_account": None, "default_cash_account": None})
		frappe.clear_document_cache("Company", COMPANY)
		# after tearDown's rollback, forget the cached company without its accounts
		self.addCleanup(frappe.clear_document_cache, "Company", COMPANY)
		with self.assertRaisesRegex(frappe.ValidationError, "Choose the bank or cash account for Paid From"):
			disburse(loan_name, "2026-01-15")
		self.assert_not_disbursed(loan_name)
		# naming the account is enough
		disburse(loan_name, "2026-01-15", payment_account=CASH)
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "status"), "Disbursed")

	def test_a_repayment_into_an_account_that_is_not_bank_or_cash_is_refused(self):
		loan_name = approve_and_disburse_personal(self)
		before = self.balances()
		with self.assertRaisesRegex(
			frappe.ValidationError, "Received Into Debtors - _TC is not a bank or cash account"
		):
			repay(loan_name, 10000, payment_account="Debtors - _TC")
		self.assertEqual(count(REPAYMENT, employee_loan=loan_name), 0)
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "outstanding_balance"), 200000)
		self.assertEqual(self.balances(), before)


def approve_and_disburse_personal(case) -> str:
	"""A 2,00,000 loan at 8 % over 24 months, disbursed from cash on 15 Jan 2026."""
	loan_name = case.new_loan()
	disburse(loan_name, "2026-01-15", "CHQ-1")
	return loan_name


def gl_balance_of_loan(loan: str, account: str) -> Decimal:
	"""What the loan's own journal entries leave on `account`."""
	journals = frappe.get_all(JOURNAL_ENTRY, filters={"employee_loan": loan, "docstatus": 1}, pluck="name")
	rows = frappe.get_all(
		"GL Entry",
		filters={"voucher_no": ("in", journals or [""]), "account": account, "is_cancelled": 0},
		fields=["debit", "credit"],
	)
	return sum((money(row.debit) - money(row.credit) for row in rows), Decimal(0))
