"""Leaving employees: the last slip, HRMS's Full and Final Statement and its journal entry, write-offs.

Payroll Entry commits what it makes, so these tests commit their records too and remove every row they
made in tearDown."""

from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import random_string

from employee_loans.employee_loans.doctype.employee_loan.employee_loan import reopen, write_off
from employee_loans.sample_data import (
	apply,
	approve_and_disburse,
	assign_structure,
	background_jobs_inline,
	component_accounts,
	delete_employees,
	ledger_account,
	make_category,
	make_department,
	make_employee,
	make_user,
	payroll_entry,
	set_settings,
)
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user

test_ignore = IGNORE_TEST_RECORDS

LOAN = "Employee Loan"
HR_USER = "el-exit-hr-user@example.com"


def money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def gl_balance(account: str) -> Decimal:
	rows = frappe.get_all(
		"GL Entry", filters={"account": account, "is_cancelled": 0}, fields=["debit", "credit"]
	)
	return sum((money(row.debit) - money(row.credit) for row in rows), Decimal(0))


class TestLeavingEmployee(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		component_accounts()
		cls.write_off_account = ledger_account("Employee Loan Write-offs", "Indirect Expenses")
		set_settings(maximum_active_loans=0, write_off_account=cls.write_off_account)
		cls.category = make_category(
			"Exit Personal", maximum_amount=500000, rate=8, min_months=6, max_months=60
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

	def loan_row(self, statement, loan):
		rows = [row for row in statement.receivables if row.reference_document == loan]
		self.assertEqual(len(rows), 1, statement.receivables)
		return rows[0]

	def test_the_statement_recovers_what_the_last_slip_left_and_its_journal_closes_the_loan(self):
		loan_account = frappe.db.get_value("Employee Loan Category", self.category, "loan_account")
		before = gl_balance(loan_account)
		loan = self.disbursed_loan()
		self.run_payroll("2026-01-01", "2026-01-31")

		# relieved on 20 February: the warning names the open loan
		self.relieve("2026-02-20")
		self.assertIn(loan, " ".join(str(message) for message in frappe.get_message_log()))

		# a statement made before the last slip asks for February's instalment interest too
		statement = self.statement()
		row = self.loan_row(statement, loan)
		doc = frappe.get_doc(LOAN, loan)
		february = doc.schedule[1]
		self.assertEqual(
			(row.component, row.reference_document_type, row.account, row.status),
			("Employee Loan", LOAN, loan_account, "Unsettled"),
		)
		self.assertEqual(money(row.amount), money(doc.outstanding_balance) + money(february.interest_amount))

		# the last slip recovers what net pay allows above the protected minimum
		set_settings(
			maximum_active_loans=0, protected_net_pay=95000, write_off_account=self.write_off_account
		)
		frappe.db.commit()  # nosemgrep
		self.run_payroll("2026-02-01", "2026-02-28")
		doc.reload()
		self.assertEqual(doc.status, "Disbursed")
		self.assertGreater(money(doc.unrecovered_at_exit), 0)
		self.assertEqual(money(doc.unrecovered_at_exit), money(doc.outstanding_balance))

		# the draft statement follows: now exactly what the slip left
		statement.reload()
		statement.save()
		row = self.loan_row(statement, loan)
		self.assertEqual(money(row.amount), money(doc.outstanding_balance))
		self.assertEqual(money(statement.total_receivable_amount), money(doc.outstanding_balance))

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
		entry.cheque_no, entry.cheque_date = "FNF-1", "2026-02-28"
		entry.insert(ignore_permissions=True)
		entry.submit()

		doc.reload()
		self.assertEqual(
			(doc.status, doc.closure_type, money(doc.outstanding_balance)), ("Closed", "Exit Settlement", 0)
		)
		settlement = frappe.get_all(
			"Employee Loan Repayment",
			filters={"employee_loan": loan, "repayment_type": "Exit Settlement", "docstatus": 1},
			fields=["amount", "full_and_final_statement", "settlement_journal_entry", "journal_entry"],
		)
		self.assertEqual(len(settlement), 1)
		self.assertEqual(
			(
				money(settlement[0].amount),
				settlement[0].full_and_final_statement,
				settlement[0].settlement_journal_entry,
			),
			(money(row.amount), statement.name, entry.name),
		)
		self.assertFalse(settlement[0].journal_entry, "the statement's entry books it; no entry of its own")
		from employee_loans.statements import employee_loan_closure_certificate

		self.assertIn("Full and Final Statement", employee_loan_closure_certificate(loan).certificate_text)
		# disbursed, recovered through two payroll journals and the statement's entry: nets to 0
		self.assertEqual(gl_balance(loan_account), before)

		# cancelling the statement's entry reopens the loan exactly as it was
		outstanding = money(row.amount)
		entry.reload()
		entry.cancel()
		doc.reload()
		self.assertEqual((doc.status, money(doc.outstanding_balance)), ("Disbursed", outstanding))
		self.assertFalse(doc.closure_type)
		self.assertEqual(gl_balance(loan_account) - before, outstanding)

	def test_a_loan_pre_closed_by_hand_reads_settled_for_nothing_more(self):
		loan = self.disbursed_loan()
		self.relieve("2026-01-20")
		# Active Loans shows who has left with the loan open
		from employee_loans.employee_loans.report.active_loans.active_loans import execute

		rows = {row["employee_loan"]: row for row in execute({"company": "_Test Company"})[1]}
		self.assertEqual(str(rows[loan]["left_on"]), "2026-01-20")
		statement = self.statement()
		self.assertGreater(money(self.loan_row(statement, loan).amount), 0)
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
