"""Leaving employees: the last slip, HRMS's Full and Final Statement and its journal entry, write-offs.

Payroll Entry commits what it makes, so these tests commit their records too and remove every row they
made in tearDown. The category books to accounts and salary components of its own ("EL Exit ..."), so
the GL balances and the reconciliation read for them see nothing of other tests."""

from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import random_string

from employee_loans.employee_loans.doctype.employee_loan.employee_loan import reopen, write_off
from employee_loans.exit_settlement import get_loan_rows
from employee_loans.sample_data import (
	apply,
	approve_and_disburse,
	assign_structure,
	background_jobs_inline,
	component_accounts,
	delete_employees,
	ledger_account,
	make_department,
	make_employee,
	make_user,
	payroll_entry,
	set_settings,
)
from employee_loans.tests.utils import (
	IGNORE_TEST_RECORDS,
	as_user,
	category_with_books_of_its_own,
	reconciled,
)

test_ignore = IGNORE_TEST_RECORDS

LOAN = "Employee Loan"
HR_USER = "el-exit-hr-user@example.com"
PRINCIPAL, INTEREST = "Employee Loan", "Employee Loan Interest"
# Worked out by hand for 1,20,000 at 8 % over 12 months (reducing balance, r = 8 / 12 / 100): the EMI
# P·r·(1+r)^12 / ((1+r)^12 - 1) = 10,438.61; January's interest 1,20,000·r = 800.00, its principal
# 9,638.61, leaving 1,10,361.39; February's interest on that balance 735.74.
EMI, JANUARY_INTEREST = Decimal("10438.61"), Decimal("800.00")
AFTER_JANUARY, FEBRUARY_INTEREST = Decimal("110361.39"), Decimal("735.74")


def money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def gl_balance(account: str) -> Decimal:
	rows = frappe.get_all(
		"GL Entry", filters={"account": account, "is_cancelled": 0}, fields=["debit", "credit"]
	)
	return sum((money(row.debit) - money(row.credit) for row in rows), Decimal(0))


def entry_credits(entry: str) -> dict:
	"""Credit less debit per account of the journal entry's live GL rows."""
	credits = {}
	for row in frappe.get_all(
		"GL Entry",
		filters={"voucher_no": entry, "is_cancelled": 0},
		fields=["account", "debit", "credit"],
	):
		credits[row.account] = credits.get(row.account, Decimal(0)) + money(row.credit) - money(row.debit)
	return credits


class TestLeavingEmployee(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		component_accounts()
		cls.write_off_account = ledger_account("Employee Loan Write-offs", "Indirect Expenses")
		set_settings(maximum_active_loans=0, write_off_account=cls.write_off_account)
		cls.category, cls.loan_account, cls.interest_account = category_with_books_of_its_own(
			"Exit Personal", "EL Exit", "ELX"
		)
		cls.department = make_department("EL Exit")
		make_user(HR_USER, ["HR User", "Employee"])
		frappe.db.commit()  # nosemgrep: Payroll Entry commits; the fixtures must be there for it

	def setUp(self):
		frappe.set_user("Administrator")
		self.employee = make_employee(
			f"el-exit-{random_string(6).lower()}@example.com", roles=(), department=self.department
		)
		assign_structure(self.employee, base=100000)
		self.entries = []
		frappe.db.commit()  # nosemgrep

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		delete_employees([self.employee], self.entries)
		set_settings(maximum_active_loans=0, write_off_account=self.write_off_account)
		frappe.db.commit()  # nosemgrep

	def disbursed_loan(self) -> str:
		application = apply(self.employee, self.category, 120000, 12, posting_date="2025-12-01")
		return approve_and_disburse(application.name, "2025-12-15")

	def run_payroll(self, start: str, end: str):
		entry = payroll_entry(self.department, start, end)
		self.entries.append(entry.name)
		with background_jobs_inline():
			entry.submit()
			entry.reload()
			entry.submit_salary_slips()
		frappe.db.commit()  # nosemgrep
		return entry

	def relieve(self, on: str):
		employee = frappe.get_doc("Employee", self.employee)
		employee.relieving_date = on
		employee.status = "Left"
		frappe.clear_messages()
		employee.save(ignore_permissions=True)

	def statement(self):
		return frappe.get_doc(
			{
				"doctype": "Full and Final Statement",
				"employee": self.employee,
				"company": "_Test Company",
				"transaction_date": "2026-02-25",
			}
		).insert(ignore_permissions=True)

	def loan_rows(self, statement, loan) -> dict:
		"""The loan's rows by component (one each), with their account and amount."""
		rows = [row for row in statement.receivables if row.reference_document == loan]
		by_component = {row.component: row for row in rows}
		self.assertEqual(len(by_component), len(rows), [row.as_dict() for row in rows])
		return by_component

	def loan_row(self, statement, loan):
		rows = self.loan_rows(statement, loan)
		self.assertEqual(list(rows), [PRINCIPAL], statement.receivables)
		return rows[PRINCIPAL]

	def submit_with_journal_entry(self, statement, posting_date="2026-02-28"):
		"""Submit the statement with every row settled and make its journal entry with HRMS's own Create
		Journal Entry (the balancing row paid from cash); the entry is returned unsaved."""
		# HRMS's own empty rows (no document behind them) go; it submits only with every row settled
		statement.payables = [r for r in statement.payables if r.reference_document]
		statement.receivables = [r for r in statement.receivables if r.reference_document]
		for settled in (*statement.payables, *statement.receivables):
			settled.status = "Settled"
		statement.submit()
		entry = statement.create_journal_entry()
		cash = frappe.db.get_value(
			"Account", {"account_type": "Cash", "company": "_Test Company", "is_group": 0}
		)
		for account_row in entry.accounts:
			if not account_row.account:
				account_row.account = cash
		entry.posting_date = posting_date
		entry.cheque_no, entry.cheque_date = "FNF-1", posting_date
		return entry

	def reconcile(self, as_at_date: str) -> dict:
		"""The reconciliation's (books, ledger, difference, unexplained) on the category's two accounts."""
		return reconciled(self, self.loan_account, self.interest_account, as_at_date, "2026-01-01")

	def settlement_of(self, loan: str) -> list[tuple]:
		"""The loan's submitted Exit Settlement repayments: amount, principal, interest, statement, the
		statement's journal entry and an entry of its own."""
		return [
			(
				money(row.amount),
				money(row.principal_amount),
				money(row.interest_amount),
				row.full_and_final_statement,
				row.settlement_journal_entry,
				row.journal_entry,
			)
			for row in frappe.get_all(
				"Employee Loan Repayment",
				filters={"employee_loan": loan, "repayment_type": "Exit Settlement", "docstatus": 1},
				fields=[
					"amount",
					"principal_amount",
					"interest_amount",
					"full_and_final_statement",
					"settlement_journal_entry",
					"journal_entry",
				],
			)
		]

	def test_an_exit_with_interest_books_the_principal_to_the_loan_and_the_interest_to_income(self):
		loan = self.disbursed_loan()
		self.run_payroll("2026-01-01", "2026-01-31")
		self.assertEqual(money(frappe.db.get_value(LOAN, loan, "outstanding_balance")), AFTER_JANUARY)
		self.relieve("2026-02-20")

		# relieved in February before its payroll: the statement asks the principal on the loan account
		# and February's interest on interest income, each its own row
		statement = self.statement()
		rows = self.loan_rows(statement, loan)
		self.assertEqual(
			[(c, r.reference_document_type, r.account, money(r.amount), r.status) for c, r in rows.items()],
			[
				(PRINCIPAL, LOAN, self.loan_account, AFTER_JANUARY, "Unsettled"),
				(INTEREST, LOAN, self.interest_account, FEBRUARY_INTEREST, "Unsettled"),
			],
		)
		self.assertEqual(money(statement.total_receivable_amount), AFTER_JANUARY + FEBRUARY_INTEREST)

		# a loan picked by hand: the form gets the same two rows; a save puts the loan's rows right
		self.assertEqual(
			[(r["component"], r["account"], money(r["amount"])) for r in get_loan_rows(loan, "2026-02-20")],
			[
				(PRINCIPAL, self.loan_account, AFTER_JANUARY),
				(INTEREST, self.interest_account, FEBRUARY_INTEREST),
			],
		)
		statement.receivables = [r for r in statement.receivables if r.reference_document != loan]
		for amount in (1, 2):  # the loan twice, by hand, under a component of the user's own
			statement.append(
				"receivables",
				{
					"reference_document_type": LOAN,
					"reference_document": loan,
					"component": "Loan",
					"amount": amount,
				},
			)
		statement.save()
		rows = self.loan_rows(statement, loan)
		self.assertEqual(
			[(c, r.account, money(r.amount)) for c, r in rows.items()],
			[
				(PRINCIPAL, self.loan_account, AFTER_JANUARY),
				(INTEREST, self.interest_account, FEBRUARY_INTEREST),
			],
		)

		entry = self.submit_with_journal_entry(statement)
		# an entry that books the interest to the loan account too is refused, and nothing is written
		for row in entry.accounts:
			if row.account == self.interest_account:
				row.account = self.loan_account
		frappe.db.savepoint("tampered")
		with self.assertRaisesRegex(
			frappe.ValidationError, "credits EL Exit Interest - _TC with 0, but Full and Final .* asks 735.74"
		):
			entry.insert(ignore_permissions=True)
			entry.submit()
		frappe.db.rollback(save_point="tampered")
		self.assertEqual(frappe.db.get_value(LOAN, loan, "status"), "Disbursed")
		self.assertFalse(
			frappe.db.exists(
				"Employee Loan Repayment", {"employee_loan": loan, "repayment_type": "Exit Settlement"}
			)
		)

		entry = frappe.get_doc("Full and Final Statement", statement.name).create_journal_entry()
		cash = frappe.db.get_value(
			"Account", {"account_type": "Cash", "company": "_Test Company", "is_group": 0}
		)
		for row in entry.accounts:
			row.account = row.account or cash
		entry.posting_date = entry.cheque_date = "2026-02-28"
		entry.cheque_no = "FNF-1"
		entry.insert(ignore_permissions=True)
		entry.submit()
		frappe.db.commit()  # nosemgrep

		# the GL read back: the entry credits the loan account with the principal and interest income
		# with the interest, and the cash received is both
		self.assertEqual(
			entry_credits(entry.name),
			{
				self.loan_account: AFTER_JANUARY,
				self.interest_account: FEBRUARY_INTEREST,
				cash: -(AFTER_JANUARY + FEBRUARY_INTEREST),
			},
		)
		# disbursed, then recovered by January's payroll journal and the statement's entry: nothing
		# left on the loan account; interest income has January's and February's interest
		self.assertEqual(gl_balance(self.loan_account), 0)
		self.assertEqual(gl_balance(self.interest_account), -(JANUARY_INTEREST + FEBRUARY_INTEREST))

		# the Exit Settlement repayment records principal and interest as the rows did; the loan is closed
		self.assertEqual(
			self.settlement_of(loan),
			[
				(
					AFTER_JANUARY + FEBRUARY_INTEREST,
					AFTER_JANUARY,
					FEBRUARY_INTEREST,
					statement.name,
					entry.name,
					None,  # the statement's entry books it; no entry of its own
				)
			],
		)
		doc = frappe.get_doc(LOAN, loan)
		self.assertEqual(
			(doc.status, doc.closure_type, money(doc.outstanding_balance), money(doc.interest_paid)),
			("Closed", "Exit Settlement", 0, JANUARY_INTEREST + FEBRUARY_INTEREST),
		)

		# the reconciliation: 0.00 on the loan account and on interest, nothing unexplained
		self.assertEqual(
			self.reconcile("2026-02-28"),
			{
				self.loan_account: (0, 0, 0, 0),
				self.interest_account: (
					JANUARY_INTEREST + FEBRUARY_INTEREST,
					JANUARY_INTEREST + FEBRUARY_INTEREST,
					0,
					0,
				),
			},
		)

		# cancelling the statement's entry puts everything back: the loan open, the GL as before, and the
		# two ledgers still agree
		entry.reload()
		entry.cancel()
		frappe.db.commit()  # nosemgrep
		doc.reload()
		self.assertEqual(
			(doc.status, doc.closure_type, money(doc.outstanding_balance), money(doc.interest_paid)),
			("Disbursed", "", AFTER_JANUARY, JANUARY_INTEREST),
		)
		self.assertEqual(entry_credits(entry.name), {})
		self.assertEqual(gl_balance(self.loan_account), AFTER_JANUARY)
		self.assertEqual(gl_balance(self.interest_account), -JANUARY_INTEREST)
		self.assertEqual(
			self.reconcile("2026-02-28"),
			{
				self.loan_account: (AFTER_JANUARY, AFTER_JANUARY, 0, 0),
				self.interest_account: (JANUARY_INTEREST, JANUARY_INTEREST, 0, 0),
			},
		)

	def test_the_statement_recovers_what_the_last_slip_left_and_its_journal_closes_the_loan(self):
		loan = self.disbursed_loan()
		self.run_payroll("2026-01-01", "2026-01-31")

		# relieved on 20 February: the warning names the open loan
		self.relieve("2026-02-20")
		self.assertIn(loan, " ".join(str(message) for message in frappe.get_message_log()))

		# a statement made before the last slip asks for February's instalment interest too, on its own row
		statement = self.statement()
		rows = self.loan_rows(statement, loan)
		self.assertEqual(
			[(c, money(r.amount)) for c, r in rows.items()],
			[(PRINCIPAL, AFTER_JANUARY), (INTEREST, FEBRUARY_INTEREST)],
		)

		# the last slip recovers what net pay allows above the protected minimum
		set_settings(
			maximum_active_loans=0, protected_net_pay=95000, write_off_account=self.write_off_account
		)
		frappe.db.commit()  # nosemgrep
		self.run_payroll("2026-02-01", "2026-02-28")
		doc = frappe.get_doc(LOAN, loan)
		self.assertEqual(doc.status, "Disbursed")
		self.assertGreater(money(doc.unrecovered_at_exit), 0)
		self.assertEqual(money(doc.unrecovered_at_exit), money(doc.outstanding_balance))
		# net pay 99,800 less the protected 95,000: 4,800.00, February's interest first
		slip_recovered = Decimal("4800.00")
		self.assertEqual(money(doc.outstanding_balance), AFTER_JANUARY - (slip_recovered - FEBRUARY_INTEREST))

		# the draft statement follows: now exactly what the slip left, and the interest row is gone (the
		# slip recovered February's interest)
		statement.reload()
		statement.save()
		row = self.loan_row(statement, loan)
		self.assertEqual(
			(row.account, money(row.amount)), (self.loan_account, money(doc.outstanding_balance))
		)
		self.assertEqual(money(statement.total_receivable_amount), money(doc.outstanding_balance))

		entry = self.submit_with_journal_entry(statement)
		entry.insert(ignore_permissions=True)
		entry.submit()
		frappe.db.commit()  # nosemgrep
		self.assertEqual(entry_credits(entry.name)[self.loan_account], money(doc.outstanding_balance))
		self.assertNotIn(self.interest_account, entry_credits(entry.name))

		doc.reload()
		self.assertEqual(
			(doc.status, doc.closure_type, money(doc.outstanding_balance)), ("Closed", "Exit Settlement", 0)
		)
		self.assertEqual(
			self.settlement_of(loan),
			[(money(row.amount), money(row.amount), 0, statement.name, entry.name, None)],
		)
		from employee_loans.statements import employee_loan_closure_certificate

		self.assertIn("Full and Final Statement", employee_loan_closure_certificate(loan).certificate_text)
		# disbursed, recovered through two payroll journals and the statement's entry: nets to 0; interest
		# income has January's and February's interest (the last slip's journal booked February's)
		self.assertEqual(gl_balance(self.loan_account), 0)
		self.assertEqual(gl_balance(self.interest_account), -(JANUARY_INTEREST + FEBRUARY_INTEREST))
		interest = JANUARY_INTEREST + FEBRUARY_INTEREST
		self.assertEqual(
			self.reconcile("2026-02-28"),
			{self.loan_account: (0, 0, 0, 0), self.interest_account: (interest, interest, 0, 0)},
		)

		# cancelling the statement's entry reopens the loan exactly as it was
		outstanding = money(row.amount)
		entry.reload()
		entry.cancel()
		doc.reload()
		self.assertEqual((doc.status, money(doc.outstanding_balance)), ("Disbursed", outstanding))
		self.assertFalse(doc.closure_type)
		self.assertEqual(gl_balance(self.loan_account), outstanding)

	def test_a_loan_pre_closed_by_hand_reads_settled_for_nothing_more(self):
		loan = self.disbursed_loan()
		self.relieve("2026-01-20")
		# Active Loans shows who has left with the loan open
		from employee_loans.employee_loans.report.active_loans.active_loans import execute

		rows = {row["employee_loan"]: row for row in execute({"company": "_Test Company"})[1]}
		self.assertEqual(str(rows[loan]["left_on"]), "2026-01-20")
		statement = self.statement()
		# January's instalment is due in the month of relieving: principal and its interest, two rows
		self.assertEqual(list(self.loan_rows(statement, loan)), [PRINCIPAL, INTEREST])
		self.assertEqual(money(self.loan_rows(statement, loan)[PRINCIPAL].amount), Decimal("120000.00"))
		from employee_loans.employee_loans.doctype.employee_loan.employee_loan import preclose

		preclose(loan, "Settled Manually", "2026-01-20", "CHQ-EXIT")
		statement.reload()
		statement.save()
		row = self.loan_row(statement, loan)
		self.assertEqual((row.status, money(row.amount)), ("Settled", 0))

	def test_write_off_closes_the_loan_with_its_entry_and_cancelling_reopens_it(self):
		loan = self.disbursed_loan()
		loan_account = frappe.db.get_value(LOAN, loan, "loan_account")
		outstanding = money(frappe.db.get_value(LOAN, loan, "outstanding_balance"))
		before = gl_balance(loan_account), gl_balance(self.write_off_account)
		count = frappe.db.count("Employee Loan Repayment", {"employee_loan": loan})

		with self.assertRaisesRegex(frappe.ValidationError, "reason for writing the loan off"):
			write_off(loan, " ")
		with as_user(HR_USER), self.assertRaisesRegex(frappe.PermissionError, "write off loans"):
			write_off(loan, "Left without notice")
		set_settings(maximum_active_loans=0, write_off_account="Indirect Expenses - _TC")
		with self.assertRaisesRegex(frappe.ValidationError, "is a group account"):
			write_off(loan, "Left without notice")
		self.assertEqual(frappe.db.count("Employee Loan Repayment", {"employee_loan": loan}), count)
		set_settings(maximum_active_loans=0, write_off_account=self.write_off_account)

		repayment = write_off(loan, "Left without notice", "2026-02-10")
		doc = frappe.get_doc(LOAN, loan)
		self.assertEqual(
			(doc.status, doc.closure_type, doc.written_off_by, doc.write_off_reason),
			("Closed", "Written Off", "Administrator", "Left without notice"),
		)
		entry = frappe.db.get_value("Employee Loan Repayment", repayment, "journal_entry")
		self.assertEqual(
			frappe.db.get_value("Journal Entry", entry, ["voucher_type", "docstatus"]), ("Write Off Entry", 1)
		)
		self.assertEqual(
			(gl_balance(loan_account) - before[0], gl_balance(self.write_off_account) - before[1]),
			(-outstanding, outstanding),
		)
		with self.assertRaisesRegex(frappe.ValidationError, "only a Disbursed loan can be written off"):
			write_off(loan, "again")
		# the no-dues letter says the balance was written off, not repaid
		from employee_loans.statements import employee_loan_closure_certificate

		letter = employee_loan_closure_certificate(loan)
		self.assertTrue(letter.can_issue)
		self.assertIn("was written off by _Test Company", letter.certificate_text)
		self.assertNotIn("repaid in full", letter.certificate_text)

		reopen(loan, "Employee came back to pay")
		doc.reload()
		self.assertEqual((doc.status, money(doc.outstanding_balance)), ("Disbursed", outstanding))
		self.assertFalse(doc.written_off_by)
		self.assertEqual(frappe.db.get_value("Journal Entry", entry, "docstatus"), 2)
		self.assertEqual((gl_balance(loan_account), gl_balance(self.write_off_account)), before)
