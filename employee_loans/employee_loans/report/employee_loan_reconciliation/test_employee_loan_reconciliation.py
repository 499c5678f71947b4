"""Employee Loan Reconciliation after a year of payroll run through Payroll Entry, and the rows that
explain a difference.

Payroll Entry's own functions commit (slip creation and submission), so the year is built once for the
class, committed, and removed again in tearDownClass. Its loans book to accounts and salary components
of their own ("EL Recon ..."), so the report filtered by those accounts sees nothing of other tests.
Each test runs in a savepoint that is rolled back afterwards."""

from datetime import date
from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import formatdate, get_last_day, random_string

from employee_loans.employee_loans.doctype.employee_loan.employee_loan import preclose
from employee_loans.employee_loans.report.employee_loan_reconciliation.employee_loan_reconciliation import (
	execute,
)
from employee_loans.sample_data import (
	background_jobs_inline,
	component_accounts,
	delete_employees,
	ledger_account,
	payroll_entry,
)
from employee_loans.tests.utils import (
	COMPANY,
	IGNORE_TEST_RECORDS,
	apply,
	approve_and_disburse,
	as_user,
	assign_structure,
	make_category,
	make_component,
	make_department,
	make_employee,
	make_slip,
	make_user,
	set_settings,
)

test_ignore = IGNORE_TEST_RECORDS

LOAN = "Employee Loan"
REPAYMENT = "Employee Loan Repayment"
JOURNAL_ENTRY = "Journal Entry"
CHANGE = "Employee Loan Change"
CASH = "Cash - _TC"
YEAR_START, YEAR_END = "2026-01-01", "2026-12-31"
EMPLOYEE_ONLY = "el-recon-employee@example.com"
HR_ONLY = "el-recon-hr@example.com"
ACCOUNTS_ONLY = "el-recon-accounts@example.com"


def money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def reconcile(**filters) -> tuple[list[dict], dict]:
	_columns, data, _message, _chart, summary = execute({"company": COMPANY, **filters})
	return data, {card["label"]: money(card["value"]) for card in summary}


def block(data: list[dict], section: str, account: str) -> tuple[dict, list[dict], Decimal, Decimal]:
	"""An account's row, the rows that explain its difference, Explained and Unexplained."""
	head, *explaining, explained, unexplained = [
		row for row in data if row["section"] == section and row["account"] == account
	]
	assert (explained["line"], unexplained["line"]) == ("Explained", "Unexplained")
	return head, explaining, money(explained["difference"]), money(unexplained["difference"])


def figures(row: dict) -> tuple[Decimal, Decimal, Decimal]:
	return money(row["books"]), money(row["ledger"]), money(row["difference"])


def explanation(row: dict) -> tuple:
	return (row["line"], row["reference_doctype"], row["reference_name"], money(row["difference"]))


def cancel_by_hand(journal_entry: str) -> None:
	"""Cancel a loan's journal entry on its own. Frappe refuses that while the loan or repayment links
	it; whoever skips the link check (a console, a data fix) leaves the loan ledger and the GL apart."""
	entry = frappe.get_doc(JOURNAL_ENTRY, journal_entry)
	entry.flags.ignore_links = True
	entry.cancel()


class TestEmployeeLoanReconciliation(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.employees, cls.entries, cls.categories = [], [], []
		try:
			cls.build()
		except Exception:
			cls.remove()
			raise

	@classmethod
	def tearDownClass(cls):
		cls.remove()
		super().tearDownClass()

	@classmethod
	def build(cls):
		set_settings(maximum_active_loans=0)
		component_accounts()
		cls.loan_account = ledger_account("EL Recon Loans", "Loans and Advances (Assets)")
		cls.interest_account = ledger_account("EL Recon Interest", "Indirect Income")
		cls.pending_account = ledger_account("EL Recon Pending Loans", "Loans and Advances (Assets)")
		make_component("EL Recon EMI", "ELRE", "Deduction")
		make_component("EL Recon Interest", "ELRI", "Deduction")
		make_component("EL Recon Pending EMI", "ELRP", "Deduction")
		books = {"loan_account": cls.loan_account, "salary_component": "EL Recon EMI"}
		cls.personal = make_category(
			"Recon Personal",
			maximum_amount=500000,
			rate=8,
			min_months=6,
			max_months=36,
			interest_income_account=cls.interest_account,
			interest_component="EL Recon Interest",
			**books,
		)
		cls.emergency = make_category(
			"Recon Emergency",
			maximum_amount=100000,
			rate=0,
			method="Interest Free",
			min_months=1,
			max_months=12,
			**books,
		)
		# a category of its own for the slip whose Payroll Entry never books it (test_..._pending_...)
		cls.pending = make_category(
			"Recon Pending",
			maximum_amount=100000,
			rate=0,
			method="Interest Free",
			min_months=1,
			max_months=12,
			loan_account=cls.pending_account,
			salary_component="EL Recon Pending EMI",
		)
		cls.categories += [cls.personal, cls.emergency, cls.pending]
		run = random_string(6).lower()

		# three employees, each with an interest-bearing loan over 24 months and an interest-free one
		# over 12, disbursed in December 2025: the first instalments fall due in January 2026
		cls.department = make_department("EL Recon Payroll")
		cls.loans = []
		for index in range(3):
			employee = cls.employee(f"el-recon-{run}-{index}@example.com", cls.department)
			for category, amount, months in (
				(cls.personal, 24000 + 6000 * index, 24),
				(cls.emergency, 6000 + 1200 * index, 12),
			):
				application = apply(employee, category, amount, months, posting_date="2025-12-01")
				cls.loans.append(approve_and_disburse(application.name, "2025-12-15"))
		frappe.db.commit()  # the payroll functions commit and roll back on their own

		# twelve monthly Payroll Entries: slips created, submitted and booked by HRMS's accrual journal
		for month in range(1, 13):
			start = date(2026, month, 1)
			entry = cls.run_payroll(cls.department, start)
			with background_jobs_inline():
				entry.submit_salary_slips()
			entry.reload()
			slips = frappe.get_all(
				"Salary Slip", filters={"payroll_entry": entry.name}, fields=["docstatus", "journal_entry"]
			)
			assert [slip.docstatus for slip in slips] == [1, 1, 1], (start, entry.error_message)
			assert all(slip.journal_entry for slip in slips), (start, entry.error_message)

		# a Payroll Entry whose slip HR submits by hand from the slip's form: HRMS books only the slips
		# its own "Submit Salary Slip" submits, so this one never reaches an accrual journal
		cls.pending_department = make_department("EL Recon Pending")
		employee = cls.employee(f"el-recon-{run}-pending@example.com", cls.pending_department)
		application = apply(employee, cls.pending, 12000, 12, posting_date="2025-12-01")
		cls.pending_loan = approve_and_disburse(application.name, "2025-12-15")
		frappe.db.commit()
		cls.pending_entry = cls.run_payroll(cls.pending_department, date(2026, 3, 1)).name

	@classmethod
	def employee(cls, email: str, department: str) -> str:
		employee = make_employee(email, roles=(), department=department)
		assign_structure(employee, base=50000)
		cls.employees.append(employee)
		return employee

	@classmethod
	def run_payroll(cls, department: str, start: date):
		"""A Payroll Entry for the department's month, submitted: its draft slips are created."""
		entry = payroll_entry(department, str(start), str(get_last_day(start)))
		cls.entries.append(entry.name)
		frappe.db.commit()
		with background_jobs_inline():
			entry.submit()
		entry.reload()
		return entry

	@classmethod
	def remove(cls):
		"""Everything the class committed: the loans' own journal entries, then employees, slips, payroll
		entries and their journals, loans (delete_employees), and the categories."""
		loans = frappe.get_all(LOAN, filters={"employee": ("in", cls.employees or [""])}, pluck="name")
		for journal in frappe.get_all(
			JOURNAL_ENTRY, filters={"employee_loan": ("in", loans or [""])}, pluck="name"
		):
			for doctype in ("GL Entry", "Payment Ledger Entry"):
				frappe.db.delete(doctype, {"voucher_no": journal})
			frappe.db.delete("Journal Entry Account", {"parent": journal})
			frappe.db.delete(JOURNAL_ENTRY, {"name": journal})
		delete_employees(cls.employees, cls.entries)
		for category in cls.categories:
			frappe.delete_doc("Employee Loan Category", category, force=True, ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: the payroll functions committed what this removes

	def setUp(self):
		frappe.set_user("Administrator")
		frappe.db.savepoint("employee_loans_reconciliation")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point="employee_loans_reconciliation")

	# -- helpers -------------------------------------------------------------------------------------

	def outstanding(self, as_at: str) -> Decimal:
		"""The year's loans' principal less the principal repaid by `as_at`, from the repayments."""
		principal = sum(
			money(amount)
			for amount in frappe.get_all(LOAN, filters={"name": ("in", self.loans)}, pluck="loan_amount")
		)
		repaid = frappe.get_all(
			REPAYMENT,
			filters={"employee_loan": ("in", self.loans), "docstatus": 1, "posting_date": ("<=", as_at)},
			pluck="principal_amount",
		)
		return principal - sum(money(amount) for amount in repaid)

	def interest(self, from_date: str, to_date: str) -> Decimal:
		return sum(
			money(amount)
			for amount in frappe.get_all(
				REPAYMENT,
				filters={
					"employee_loan": ("in", self.loans),
					"docstatus": 1,
					"posting_date": ("between", [from_date, to_date]),
				},
				pluck="interest_amount",
			)
		)

	def new_loan(self, category: str, amount, months: int, disbursed_on: str) -> str:
		"""A loan of a new employee outside the payroll department (rolled back with the test)."""
		employee = make_employee(f"el-recon-extra-{random_string(6).lower()}@example.com", roles=())
		assign_structure(employee, base=50000)
		application = apply(employee, category, amount, months, posting_date=disbursed_on)
		return approve_and_disburse(application.name, disbursed_on)

	def manual_repayment(self, loan: str, amount, posting_date: str):
		repayment = frappe.get_doc(
			{
				"doctype": REPAYMENT,
				"employee_loan": loan,
				"repayment_type": "Manual",
				"amount": amount,
				"posting_date": posting_date,
				"reference": "CHQ-R",
			}
		).insert()
		repayment.submit()
		return repayment

	# -- a normal year -------------------------------------------------------------------------------

	def test_after_a_year_of_payroll_the_books_and_the_loan_ledger_agree(self):
		data, cards = reconcile(as_at_date=YEAR_END, from_date=YEAR_START, loan_account=self.loan_account)
		head, explaining, explained, unexplained = block(data, "Loan Account", self.loan_account)
		outstanding = self.outstanding(YEAR_END)
		# the interest-free loans are repaid, the interest-bearing ones are half-way
		self.assertGreater(outstanding, 0)
		self.assertEqual(figures(head), (outstanding, outstanding, 0))
		self.assertEqual((explaining, explained, unexplained), ([], 0, 0))
		self.assertEqual(
			(cards["GL Balance"], cards["Ledger Outstanding"], cards["Difference"], cards["Unexplained"]),
			(outstanding, outstanding, 0, 0),
		)
		# and at every month's end on the way
		for month in (1, 6, 11):
			as_at = str(get_last_day(date(2026, month, 1)))
			head = block(
				reconcile(as_at_date=as_at, loan_account=self.loan_account)[0],
				"Loan Account",
				self.loan_account,
			)[0]
			self.assertEqual(figures(head), (self.outstanding(as_at), self.outstanding(as_at), 0), as_at)
		# before the disbursements nothing is outstanding
		head = block(
			reconcile(as_at_date="2025-12-14", from_date="2025-12-01")[0], "Loan Account", self.loan_account
		)[0]
		self.assertEqual(figures(head), (0, 0, 0))

		# the interest recovered in the year is exactly what HRMS's journals credited to interest income
		head, explaining, explained, unexplained = block(data, "Interest Income", self.interest_account)
		interest = self.interest(YEAR_START, YEAR_END)
		self.assertGreater(interest, 0)
		self.assertEqual(figures(head), (interest, interest, 0))
		self.assertEqual((explaining, explained, unexplained), ([], 0, 0))
		self.assertEqual(
			head["line"],
			f"{self.interest_account}: interest from {formatdate(YEAR_START)} to {formatdate(YEAR_END)}",
		)
		# a shorter period
		head = block(
			reconcile(as_at_date="2026-06-30", from_date="2026-04-01")[0],
			"Interest Income",
			self.interest_account,
		)[0]
		interest = self.interest("2026-04-01", "2026-06-30")
		self.assertEqual(figures(head), (interest, interest, 0))

	# -- what explains a difference ------------------------------------------------------------------

	def test_a_slip_submitted_outside_a_payroll_entry_is_the_difference(self):
		loan = self.new_loan(self.personal, 30000, 12, "2026-10-15")
		employee = frappe.db.get_value(LOAN, loan, "employee")
		slip = make_slip(employee, "2026-11-01", submit=True)
		repayment = frappe.get_doc(REPAYMENT, {"salary_slip": slip.name, "employee_loan": loan})
		principal, interest = money(repayment.principal_amount), money(repayment.interest_amount)
		self.assertGreater(interest, 0)

		data, cards = reconcile(as_at_date=YEAR_END, from_date=YEAR_START, loan_account=self.loan_account)
		head, explaining, explained, unexplained = block(data, "Loan Account", self.loan_account)
		# HRMS never books a slip outside a Payroll Entry: the loan account keeps the principal
		self.assertEqual(
			figures(head),
			(self.outstanding(YEAR_END) + 30000, self.outstanding(YEAR_END) + 30000 - principal, principal),
		)
		line = "Salary slip submitted outside a Payroll Entry: payroll never books it"
		self.assertEqual(
			[explanation(row) for row in explaining], [(line, "Salary Slip", slip.name, principal)]
		)
		self.assertEqual(
			(explaining[0]["employee"], explaining[0]["employee_loan"], str(explaining[0]["posting_date"])),
			(employee, loan, "2026-11-01"),
		)
		self.assertEqual((explained, unexplained), (principal, 0))
		self.assertEqual((cards["Difference"], cards["Unexplained"]), (principal, 0))

		# and interest income lacks the slip's interest
		head, explaining, explained, unexplained = block(data, "Interest Income", self.interest_account)
		ledger = self.interest(YEAR_START, YEAR_END) + interest
		self.assertEqual(figures(head), (ledger - interest, ledger, -interest))
		self.assertEqual(
			[explanation(row) for row in explaining], [(line, "Salary Slip", slip.name, -interest)]
		)
		self.assertEqual((explained, unexplained, cards["Interest Difference"]), (-interest, 0, -interest))

		# cancelling the slip puts the books and the ledger together again
		slip.reload()
		slip.cancel()
		head, explaining, _explained, unexplained = block(
			reconcile(as_at_date=YEAR_END, loan_account=self.loan_account)[0],
			"Loan Account",
			self.loan_account,
		)
		self.assertEqual((money(head["difference"]), explaining, unexplained), (0, [], 0))

	def test_a_slip_of_a_payroll_entry_that_never_posted_its_journal_is_the_difference(self):
		slip = frappe.get_doc("Salary Slip", {"payroll_entry": self.pending_entry})
		self.assertEqual(slip.docstatus, 0)
		slip.submit()  # by hand, not through the Payroll Entry
		principal = money(frappe.db.get_value(REPAYMENT, {"salary_slip": slip.name}, "principal_amount"))
		self.assertEqual(principal, 1000)
		data, cards = reconcile(as_at_date="2026-03-31", loan_account=self.pending_account)
		head, explaining, explained, unexplained = block(data, "Loan Account", self.pending_account)
		self.assertEqual(figures(head), (12000, 11000, 1000))
		self.assertEqual(
			[explanation(row) for row in explaining],
			[
				(
					f"Salary slip of Payroll Entry {self.pending_entry}: its accrual journal is not posted",
					"Salary Slip",
					slip.name,
					1000,
				)
			],
		)
		self.assertEqual((explained, unexplained, cards["Unexplained"]), (1000, 0, 0))
		# the account filter keeps the other loan accounts out
		self.assertEqual(
			{row["account"] for row in data if row["section"] == "Loan Account"}, {self.pending_account}
		)

	def test_a_booked_slip_cancelled_on_its_own_is_the_difference(self):
		# December's slip of one employee is cancelled from its form: its repayments are taken back, while
		# the Payroll Entry's accrual journal still books the whole run
		slip = frappe.get_doc(
			"Salary Slip", {"payroll_entry": self.entries[11], "employee": self.employees[0]}
		)
		repayments = frappe.get_all(
			REPAYMENT,
			filters={"salary_slip": slip.name},
			fields=["employee_loan", "principal_amount", "interest_amount"],
			order_by="name",
		)
		self.assertEqual(len(repayments), 2)  # the interest-bearing loan and the interest-free one
		slip.cancel()

		data, cards = reconcile(as_at_date=YEAR_END, from_date=YEAR_START, loan_account=self.loan_account)
		head, explaining, explained, unexplained = block(data, "Loan Account", self.loan_account)
		line = f"Salary slip cancelled after Journal Entry {slip.journal_entry} booked it"
		principal = sum(money(row.principal_amount) for row in repayments)
		self.assertEqual(
			sorted((row["employee_loan"], explanation(row)) for row in explaining),
			[
				(row.employee_loan, (line, "Salary Slip", slip.name, -money(row.principal_amount)))
				for row in repayments
			],
		)
		self.assertEqual((money(head["difference"]), explained, unexplained), (-principal, -principal, 0))
		self.assertEqual(cards["Unexplained"], 0)
		head, explaining, explained, unexplained = block(data, "Interest Income", self.interest_account)
		interest = sum(money(row.interest_amount) for row in repayments)
		self.assertGreater(interest, 0)
		self.assertEqual(
			[explanation(row) for row in explaining], [(line, "Salary Slip", slip.name, interest)]
		)
		self.assertEqual((money(head["difference"]), unexplained), (interest, 0))

	def test_journal_entries_cancelled_by_hand_or_missing_and_entries_made_by_hand(self):
		# a loan whose disbursement entry is cancelled by hand
		cancelled = self.new_loan(self.emergency, 9000, 9, "2026-12-10")
		cancelled_entry = frappe.db.get_value(LOAN, cancelled, "disbursement_journal_entry")
		cancel_by_hand(cancelled_entry)
		# a manual repayment whose entry is cancelled by hand
		repaid = self.new_loan(self.emergency, 6000, 6, "2026-12-10")
		repayment = self.manual_repayment(repaid, 1500, "2026-12-20")
		cancel_by_hand(repayment.journal_entry)
		# a loan disbursed, and repaid in part, before the books existed: no journal entries at all
		old = self.new_loan(self.emergency, 3000, 3, "2026-12-11")
		cancel_by_hand(frappe.db.get_value(LOAN, old, "disbursement_journal_entry"))
		frappe.db.set_value(LOAN, old, "disbursement_journal_entry", None)
		old_repayment = self.manual_repayment(old, 700, "2026-12-21")
		cancel_by_hand(old_repayment.journal_entry)
		frappe.db.set_value(REPAYMENT, old_repayment.name, "journal_entry", None)
		# and an entry someone made on the loan account by hand
		opening = frappe.get_doc(
			{
				"doctype": JOURNAL_ENTRY,
				"company": COMPANY,
				"posting_date": "2026-12-31",
				"accounts": [
					{"account": self.loan_account, "debit_in_account_currency": 250},
					{"account": CASH, "credit_in_account_currency": 250},
				],
			}
		).insert()
		opening.submit()

		data, cards = reconcile(as_at_date=YEAR_END, loan_account=self.loan_account)
		head, explaining, explained, unexplained = block(data, "Loan Account", self.loan_account)
		self.assertEqual(
			[explanation(row) for row in explaining],
			[
				(f"Disbursement: Journal Entry {cancelled_entry} is cancelled", LOAN, cancelled, -9000),
				("Disbursed without a journal entry (before the books)", LOAN, old, -3000),
				(
					f"Manual repayment: Journal Entry {repayment.journal_entry} is cancelled",
					REPAYMENT,
					repayment.name,
					1500,
				),
				("Manual repayment posted without a journal entry", REPAYMENT, old_repayment.name, 700),
			],
		)
		self.assertEqual(explaining[0]["journal_entry"], cancelled_entry)
		self.assertEqual(explained, -9000 - 3000 + 1500 + 700)
		# what nothing explains is the entry made by hand
		self.assertEqual(money(head["difference"]), explained + 250)
		self.assertEqual((unexplained, cards["Unexplained"]), (250, 250))

	def test_a_journal_entry_dated_after_the_date_explains_until_that_date(self):
		loan = self.new_loan(self.emergency, 6000, 6, "2026-12-10")
		entry = frappe.db.get_value(LOAN, loan, "disbursement_journal_entry")
		frappe.db.set_value(JOURNAL_ENTRY, entry, "posting_date", "2027-01-05")
		frappe.db.set_value("GL Entry", {"voucher_no": entry}, "posting_date", "2027-01-05")
		head, explaining, _explained, unexplained = block(
			reconcile(as_at_date=YEAR_END, loan_account=self.loan_account)[0],
			"Loan Account",
			self.loan_account,
		)
		self.assertEqual(
			[explanation(row) for row in explaining],
			[
				(
					f"Disbursement: Journal Entry {entry} is dated {formatdate('2027-01-05')}, after {formatdate(YEAR_END)}",
					LOAN,
					loan,
					-6000,
				)
			],
		)
		self.assertEqual((money(head["difference"]), unexplained), (-6000, 0))

	def test_a_settled_preclosure_keeps_the_books_and_the_ledger_together(self):
		loan = self.new_loan(self.personal, 12000, 12, "2026-11-10")
		preclose(loan, "Settled Manually", "2026-12-15", "NEFT-1")
		data, _cards = reconcile(as_at_date=YEAR_END, from_date=YEAR_START, loan_account=self.loan_account)
		for section, account in (
			("Loan Account", self.loan_account),
			("Interest Income", self.interest_account),
		):
			head, explaining, _explained, unexplained = block(data, section, account)
			self.assertEqual((money(head["difference"]), explaining, unexplained), (0, [], 0), section)
		# its interest (the December instalment's) is in the interest recovered and in the books
		head = block(data, "Interest Income", self.interest_account)[0]
		self.assertEqual(money(head["ledger"]), self.interest(YEAR_START, YEAR_END) + 80)

	def test_a_top_up_and_a_holiday_with_interest_added_keep_the_books_and_the_ledger_together(self):
		from employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change import (
			approve,
			request_change,
		)

		set_settings(
			max_holiday_months_per_loan=3,
			max_holiday_months_per_year=2,
			holiday_interest="Added to Principal",
			holiday_absorb="Extend Term",
		)
		make_user(HR_ONLY, ["HR User"])
		loan = self.new_loan(self.personal, 30000, 12, "2026-10-15")
		changes = []
		for values in (
			{"change_type": "Top-up", "top_up_amount": 10000},
			{"change_type": "EMI Holiday", "from_date": "2027-01-01", "holiday_months": 1},
		):
			with as_user(HR_ONLY):
				change = request_change({"employee_loan": loan, "reason": "Medical bills", **values})
				approve(change)
			changes.append(frappe.get_doc(CHANGE, change))
		top_up, holiday = changes
		interest = money(holiday.interest_added)
		self.assertGreater(interest, 0)
		self.assertTrue(top_up.journal_entry and holiday.journal_entry)

		def both_sections():
			data, cards = reconcile(as_at_date=YEAR_END, from_date=YEAR_START)
			return (
				block(data, "Loan Account", self.loan_account),
				block(data, "Interest Income", self.interest_account),
				cards,
			)

		(
			(loan_head, loan_rows, _e, loan_unexplained),
			(interest_head, interest_rows, _i, interest_unexplained),
			_c,
		) = both_sections()
		# the ledger's principal has the top-up and the holiday interest, as the books' debits do
		# (the year's loans, and the new loan of 30,000 nothing has repaid yet)
		outstanding = self.outstanding(YEAR_END) + 30000
		self.assertEqual(money(loan_head["ledger"]), outstanding + 10000 + interest)
		self.assertEqual((money(loan_head["difference"]), loan_rows, loan_unexplained), (0, [], 0))
		# the holiday interest credited to interest income is interest the ledger booked
		self.assertEqual(money(interest_head["ledger"]), self.interest(YEAR_START, YEAR_END) + interest)
		self.assertEqual(
			(money(interest_head["difference"]), interest_rows, interest_unexplained), (0, [], 0)
		)
		# before the changes were applied they are in neither side
		head = block(reconcile(as_at_date="2026-11-28")[0], "Loan Account", self.loan_account)[0]
		outstanding_before = self.outstanding("2026-11-28") + 30000
		self.assertEqual(figures(head), (outstanding_before, outstanding_before, 0))

		# cancelled (the later first), their journal entries with them: both sides drop them
		with as_user(HR_ONLY):
			for change in (holiday, top_up):
				frappe.get_doc(CHANGE, change.name).cancel()
		for name in (holiday.journal_entry, top_up.journal_entry):
			self.assertEqual(frappe.db.get_value(JOURNAL_ENTRY, name, "docstatus"), 2)
		(
			(loan_head, loan_rows, _e, loan_unexplained),
			(interest_head, interest_rows, _i, interest_unexplained),
			_cards,
		) = both_sections()
		self.assertEqual(money(loan_head["ledger"]), outstanding)
		self.assertEqual((money(loan_head["difference"]), loan_rows, loan_unexplained), (0, [], 0))
		self.assertEqual(money(interest_head["ledger"]), self.interest(YEAR_START, YEAR_END))
		self.assertEqual(
			(money(interest_head["difference"]), interest_rows, interest_unexplained), (0, [], 0)
		)

	def test_a_top_up_whose_journal_entry_is_cancelled_by_hand_is_the_difference(self):
		from employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change import (
			approve,
			request_change,
		)

		make_user(HR_ONLY, ["HR User"])
		loan = self.new_loan(self.personal, 30000, 12, "2026-10-15")
		with as_user(HR_ONLY):
			change = request_change(
				{"employee_loan": loan, "change_type": "Top-up", "top_up_amount": 10000, "reason": "Repairs"}
			)
			approve(change)
		entry = frappe.db.get_value(CHANGE, change, "journal_entry")
		cancel_by_hand(entry)
		data, _cards = reconcile(as_at_date=YEAR_END, from_date=YEAR_START, loan_account=self.loan_account)
		head, explaining, explained, unexplained = block(data, "Loan Account", self.loan_account)
		self.assertEqual(
			[explanation(row) for row in explaining],
			[(f"Top-up: Journal Entry {entry} is cancelled", CHANGE, change, -10000)],
		)
		self.assertEqual((money(head["difference"]), explained, unexplained), (-10000, -10000, 0))

	# -- filters, people and cost --------------------------------------------------------------------

	def test_every_loan_account_and_interest_account_of_the_company_has_its_rows(self):
		data, _cards = reconcile(as_at_date=YEAR_END, from_date=YEAR_START)
		loan_accounts = {row["account"] for row in data if row["section"] == "Loan Account"}
		self.assertLessEqual({self.loan_account, self.pending_account}, loan_accounts)
		interest_accounts = {row["account"] for row in data if row["section"] == "Interest Income"}
		self.assertIn(self.interest_account, interest_accounts)
		# account rows first, then what explains them (the desk shows them as a tree)
		self.assertEqual({row["indent"] for row in data}, {0, 1})
		self.assertEqual(data[0]["indent"], 0)

	def test_the_interest_period_starts_with_the_fiscal_year_unless_given(self):
		from erpnext.accounts.utils import get_fiscal_year

		start = get_fiscal_year("2026-06-30", company=COMPANY)[1]
		head = block(reconcile(as_at_date="2026-06-30")[0], "Interest Income", self.interest_account)[0]
		self.assertIn(f"interest from {formatdate(start)} to {formatdate('2026-06-30')}", head["line"])
		with self.assertRaisesRegex(frappe.ValidationError, "Interest From .* is after the As at date"):
			reconcile(as_at_date="2026-06-30", from_date="2026-07-01")
		with self.assertRaisesRegex(frappe.ValidationError, "Choose the company whose loans to reconcile"):
			execute({"as_at_date": "2026-06-30"})

	def test_employees_cannot_reconcile(self):
		from frappe.desk.query_report import run

		make_user(EMPLOYEE_ONLY, ["Employee"])
		with as_user(EMPLOYEE_ONLY):
			with self.assertRaisesRegex(frappe.PermissionError, "Only HR and accounts users can reconcile"):
				execute({"company": COMPANY})
			with self.assertRaisesRegex(frappe.PermissionError, "You don't have access to Report"):
				run("Employee Loan Reconciliation", {"company": COMPANY, "as_at_date": YEAR_END})

	def test_an_hr_user_runs_it_from_the_desk(self):
		from frappe.desk.query_report import run

		make_user(HR_ONLY, ["HR User"])
		with as_user(HR_ONLY):
			result = run(
				"Employee Loan Reconciliation",
				{"company": COMPANY, "as_at_date": YEAR_END, "loan_account": self.loan_account},
			)
		head = block(result["result"], "Loan Account", self.loan_account)[0]
		self.assertEqual(figures(head), (self.outstanding(YEAR_END), self.outstanding(YEAR_END), 0))
		# HR users cannot read accounts or journal entries: those columns are plain text for them
		types = {column["fieldname"]: column["fieldtype"] for column in result["columns"]}
		self.assertEqual(
			(types["account"], types["journal_entry"], types["employee_loan"]), ("Data", "Data", "Link")
		)

	def test_an_accounts_user_runs_it_from_the_desk(self):
		from frappe.desk.query_report import run

		make_user(ACCOUNTS_ONLY, ["Accounts User"])
		with as_user(ACCOUNTS_ONLY):
			result = run(
				"Employee Loan Reconciliation",
				{"company": COMPANY, "as_at_date": YEAR_END, "loan_account": self.loan_account},
			)
		head = block(result["result"], "Loan Account", self.loan_account)[0]
		self.assertEqual(money(head["difference"]), 0)
		types = {column["fieldname"]: column["fieldtype"] for column in result["columns"]}
		self.assertEqual((types["account"], types["journal_entry"]), ("Link", "Link"))

	def test_the_number_of_queries_does_not_grow_with_the_loans(self):
		filters = {"as_at_date": YEAR_END, "from_date": YEAR_START}
		reconcile(**filters)  # caches warmed

		def queries() -> int:
			original, count = frappe.db.sql, []

			def counted(*args, **kwargs):
				count.append(args[0] if args else kwargs.get("query"))
				return original(*args, **kwargs)

			frappe.db.sql = counted
			try:
				reconcile(**filters)
			finally:
				frappe.db.sql = original
			return len(count)

		before = queries()
		for _index in range(3):
			loan = self.new_loan(self.personal, 12000, 12, "2026-11-10")
			self.manual_repayment(loan, 1000, "2026-12-01")
			cancel_by_hand(frappe.db.get_value(LOAN, loan, "disbursement_journal_entry"))
		self.assertEqual(queries(), before)
