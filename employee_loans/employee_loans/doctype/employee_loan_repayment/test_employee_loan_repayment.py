"""Two workers posting against one loan at the same moment, each on its own database connection.

The records these tests race on must be committed (another connection cannot see uncommitted rows),
so the class builds its own employee, category and loans, commits them, and deletes every row it made
in tearDownClass.
"""

import threading
from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from employee_loans.engine import build_schedule
from employee_loans.ledger import locked_loan, rebuild
from employee_loans.sample_data import delete_loans
from employee_loans.tests.utils import (
	IGNORE_TEST_RECORDS,
	apply,
	approve_and_disburse,
	assign_structure,
	make_category,
	make_employee,
	make_slip,
	set_settings,
)

test_ignore = IGNORE_TEST_RECORDS

RACER = "el-race-worker@example.com"
CATEGORY = "Race Test"
LOAN_STATE = (
	"status", "outstanding_balance", "principal_repaid", "interest_paid", "amount_repaid", "emis_paid",
	"total_emis", "next_emi_date", "remaining_payable", "emi",
)  # fmt: skip
ROW_STATE = ("instalment_number", "due_date", "emi", "principal_amount", "interest_amount", "status",
	"paid_amount", "paid_principal", "salary_slip", "repayment")  # fmt: skip


def money(value) -> Decimal:
	return Decimal(str(value)).quantize(Decimal("0.01"))


class Worker(threading.Thread):
	"""Runs `job` in a thread with its own site connection, as a second web or background worker
	would, and commits (or rolls back and keeps the error)."""

	def __init__(self, site: str, sites_path: str, job, *args, **kwargs):
		super().__init__(daemon=True)
		self.site, self.sites_path, self.job, self.args, self.kwargs = site, sites_path, job, args, kwargs
		self.error: Exception | None = None

	def run(self):
		frappe.init(site=self.site, sites_path=self.sites_path)
		frappe.connect()
		frappe.set_user("Administrator")
		try:
			self.job(*self.args, **self.kwargs)
			frappe.db.commit()  # nosemgrep: a worker's own transaction ends here
		except Exception as error:
			frappe.db.rollback()
			self.error = error
		finally:
			frappe.destroy()


def submit_slip(slip_name: str, wait_for=None, then_signal=None, has_read=None):
	"""A payroll worker submits a saved slip: after `wait_for` (an Event or a Barrier), committing and
	setting `then_signal` at once; with `has_read`, having read the slip first and said so."""
	slip = frappe.get_doc("Salary Slip", slip_name)
	if has_read:
		has_read.set()
	if wait_for:
		wait_for.wait(30)
	slip.submit()
	if then_signal:
		frappe.db.commit()  # nosemgrep: the other worker must see this slip's postings
		then_signal.set()


def post_manual_repayment(loan: str, amount, has_read=None, wait_for=None):
	"""HR records a manual payment. The request has read the loan first (its form, as a real request
	reads before it posts), says so through `has_read`, and posts after `wait_for`."""
	frappe.get_doc("Employee Loan", loan)
	if has_read:
		has_read.set()
	if wait_for:
		wait_for.wait(30)
	repayment = frappe.get_doc(
		{
			"doctype": "Employee Loan Repayment",
			"employee_loan": loan,
			"repayment_type": "Manual",
			"amount": amount,
		}
	)
	repayment.insert()
	repayment.submit()


class TestConcurrentPosting(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		set_settings(maximum_active_loans=0)
		cls.category = make_category(CATEGORY, maximum_amount=500000, rate=8, min_months=6, max_months=60)
		cls.employee = make_employee(RACER)
		assign_structure(cls.employee, base=100000)
		frappe.db.commit()  # nosemgrep: the other connection must see the fixtures
		cls.site, cls.sites_path = frappe.local.site, frappe.local.sites_path

	def setUp(self):
		remove_loans_and_slips(self.employee)

	def tearDown(self):
		frappe.db.rollback()
		remove_loans_and_slips(self.employee)

	@classmethod
	def tearDownClass(cls):
		frappe.db.delete("Salary Structure Assignment", {"employee": cls.employee})
		frappe.db.delete("Employee Loan Category", {"name": cls.category})
		frappe.db.commit()  # nosemgrep: the fixtures were committed; so is their removal
		super().tearDownClass()

	def loan(self, amount, months) -> str:
		application = apply(self.employee, self.category, amount, months, posting_date="2025-12-01")
		loan = approve_and_disburse(application.name, "2025-12-15")
		frappe.db.commit()  # nosemgrep
		return loan

	def state(self, loan: str):
		doc = frappe.get_doc("Employee Loan", loan)
		return (
			{field: doc.get(field) for field in LOAN_STATE},
			[{field: row.get(field) for field in ROW_STATE} for row in doc.schedule],
		)

	def assert_same_as_replay(self, loan: str):
		stored = self.state(loan)
		rebuild(locked_loan(loan))
		self.assertEqual(self.state(loan), stored)
		frappe.db.rollback()

	def run_workers(self, *workers: Worker, expect_errors: bool = False):
		for worker in workers:
			worker.start()
		for worker in workers:
			worker.join(120)
			self.assertFalse(worker.is_alive(), "a worker hung")
			if not expect_errors:
				self.assertIsNone(worker.error, f"{worker.job.__name__}: {worker.error!r}")
		frappe.db.rollback()  # a new transaction: see what the workers committed

	def test_slip_and_manual_repayment_at_the_same_moment_both_count(self):
		"""The reported lost update: HR's request has read the loan when the slip's worker commits
		instalment 1; the manual repayment then waits for the lock and posts. Both must count."""
		loan = self.loan(60000, 12)
		schedule = build_schedule("60000", "8", 12, "Reducing Balance", frappe.utils.getdate("2026-01-01"))
		self.assertEqual((schedule[0].emi, schedule[0].principal), (Decimal("5219.31"), Decimal("4819.31")))
		slip = make_slip(self.employee, "2026-01-01").name
		frappe.db.commit()  # nosemgrep

		hr_has_read, slip_committed = threading.Event(), threading.Event()
		self.run_workers(
			Worker(
				self.site,
				self.sites_path,
				submit_slip,
				slip,
				wait_for=hr_has_read,
				then_signal=slip_committed,
			),
			Worker(
				self.site,
				self.sites_path,
				post_manual_repayment,
				loan,
				1000,
				has_read=hr_has_read,
				wait_for=slip_committed,
			),
		)
		doc = frappe.get_doc("Employee Loan", loan)
		self.assertEqual(
			frappe.db.count("Employee Loan Repayment", {"employee_loan": loan, "docstatus": 1}), 2
		)
		self.assertEqual(money(doc.outstanding_balance), Decimal("60000") - Decimal("4819.31") - 1000)
		self.assertEqual(money(doc.principal_repaid), Decimal("5819.31"))
		self.assertEqual(doc.emis_paid, 1)
		self.assertEqual(doc.schedule[0].status, "Paid")
		self.assertEqual(doc.schedule[0].salary_slip, slip)
		self.assertEqual(doc.schedule[1].status, "Pending")
		self.assert_same_as_replay(loan)

	def test_two_workers_submitting_overlapping_slips_recover_the_loan_once(self):
		"""A second slip whose period overlaps January's, submitted by another worker that had already
		read when January's slip committed: refused by name, so one period never recovers twice."""
		loan = self.loan(120000, 12)
		january = make_slip(self.employee, "2026-01-01").name
		overlapping = frappe.get_doc(
			{
				"doctype": "Salary Slip",
				"employee": self.employee,
				"posting_date": "2026-01-20",
				"start_date": "2026-01-16",
				"end_date": "2026-02-15",
			}
		).insert()
		frappe.db.commit()  # nosemgrep
		second_has_read, january_committed = threading.Event(), threading.Event()
		second = Worker(
			self.site,
			self.sites_path,
			submit_slip,
			overlapping.name,
			has_read=second_has_read,
			wait_for=january_committed,
		)
		self.run_workers(
			Worker(
				self.site,
				self.sites_path,
				submit_slip,
				january,
				wait_for=second_has_read,
				then_signal=january_committed,
			),
			second,
			expect_errors=True,
		)
		self.assertIn("already been recovered", str(second.error))
		self.assertIn(loan, str(second.error))
		repayments = frappe.get_all(
			"Employee Loan Repayment", filters={"employee_loan": loan, "docstatus": 1}, pluck="salary_slip"
		)
		self.assertEqual(repayments, [january])
		self.assert_same_as_replay(loan)

	def test_many_rounds_of_slips_racing_manual_repayments(self):
		"""Each month a slip and a manual repayment start at the same instant. Whichever wins, nothing is
		lost: a slip that lost the race is refused with a message and goes through when saved again;
		the loan always equals the replay of its submitted repayments."""
		loan = self.loan(240000, 24)
		for month in range(8):
			slip = make_slip(self.employee, frappe.utils.add_months("2026-01-01", month)).name
			frappe.db.commit()  # nosemgrep
			start = threading.Barrier(2)
			slip_worker = Worker(self.site, self.sites_path, submit_slip, slip, wait_for=start)
			manual_worker = Worker(
				self.site, self.sites_path, post_manual_repayment, loan, 1000, wait_for=start
			)
			self.run_workers(slip_worker, manual_worker, expect_errors=True)
			self.assertIsNone(manual_worker.error, f"month {month + 1}: {manual_worker.error}")
			if slip_worker.error:
				self.assertIn("has changed since the slip was saved", str(slip_worker.error))
				resubmit = frappe.get_doc("Salary Slip", slip)
				resubmit.save()
				resubmit.submit()
				frappe.db.commit()  # nosemgrep
			repayments = frappe.get_all(
				"Employee Loan Repayment",
				filters={"employee_loan": loan, "docstatus": 1},
				fields=["principal_amount", "salary_slip"],
			)
			self.assertEqual(len([r for r in repayments if r.salary_slip]), month + 1)
			self.assertEqual(len([r for r in repayments if not r.salary_slip]), month + 1)
			doc = frappe.get_doc("Employee Loan", loan)
			self.assertEqual(
				money(doc.outstanding_balance),
				Decimal("240000") - sum(money(r.principal_amount) for r in repayments),
			)
			self.assertEqual(doc.emis_paid, month + 1)
			self.assert_same_as_replay(loan)

	def test_a_holiday_approved_while_its_month_is_deducted_is_one_or_the_other(self):
		"""HR approves an EMI holiday for a month while payroll submits that month's slip. The loan's row
		lock orders them: either the slip deducts and the holiday is refused (the month is deducted), or
		the holiday applies and the slip, whose line was decided before, is stopped and carries no line
		when saved again. Never both. Round 1: the slip commits after the approver's request has read;
		round 2 the other way round; then rounds started at the same instant."""
		from employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change import (
			request_change,
		)

		set_settings(maximum_active_loans=0, max_holiday_months_per_loan=12, max_holiday_months_per_year=12)
		frappe.db.commit()  # nosemgrep
		loan = self.loan(240000, 24)
		outcomes = []
		for month, order in enumerate(("slip first", "holiday first", "race", "race", "race", "race")):
			period = frappe.utils.add_months("2026-01-01", month)
			slip = make_slip(self.employee, period).name
			change = request_change(
				{
					"employee_loan": loan,
					"change_type": "EMI Holiday",
					"from_date": period,
					"holiday_months": 1,
					"reason": "Race",
				}
			)
			frappe.db.commit()  # nosemgrep
			if order == "race":
				start = threading.Barrier(2)
				slip_worker = Worker(self.site, self.sites_path, submit_slip, slip, wait_for=start)
				holiday_worker = Worker(self.site, self.sites_path, approve_after, change, wait_for=start)
			else:
				has_read, committed = threading.Event(), threading.Event()
				first, second = (has_read, committed) if order == "slip first" else (committed, has_read)
				slip_worker = Worker(
					self.site,
					self.sites_path,
					submit_slip,
					slip,
					has_read=second if order == "holiday first" else None,
					wait_for=first if order == "slip first" else second,
					then_signal=committed if order == "slip first" else None,
				)
				holiday_worker = Worker(
					self.site,
					self.sites_path,
					approve_after,
					change,
					has_read=has_read if order == "slip first" else None,
					wait_for=committed if order == "slip first" else None,
					then_signal=committed if order == "holiday first" else None,
				)
			self.run_workers(slip_worker, holiday_worker, expect_errors=True)
			approved = frappe.db.get_value("Employee Loan Change", change, "docstatus") == 1
			deducted = frappe.db.exists(
				"Employee Loan Repayment", {"salary_slip": slip, "docstatus": 1, "amount": (">", 0)}
			)
			self.assertNotEqual(bool(approved), bool(deducted), f"month {month + 1} ({order})")
			if approved:
				self.assertIsNone(holiday_worker.error)
				self.assertIn("has changed since the slip was saved", str(slip_worker.error))
				resubmit = frappe.get_doc("Salary Slip", slip)
				resubmit.save()
				self.assertFalse([row for row in resubmit.deductions if row.employee_loan])
				self.assertIn(change, resubmit.employee_loan_note)
				resubmit.submit()
				frappe.db.commit()  # nosemgrep
				outcomes.append("holiday first")
			else:
				self.assertIsNone(slip_worker.error)
				self.assertIn(
					"has already been deducted for a month of this holiday", str(holiday_worker.error)
				)
				outcomes.append("slip first")
			self.assert_same_as_replay(loan)
		self.assertEqual(outcomes[:2], ["slip first", "holiday first"])
		doc = frappe.get_doc("Employee Loan", loan)
		holidays = [row for row in doc.schedule if row.status == "EMI Holiday"]
		self.assertEqual(
			len(holidays), frappe.db.count("Employee Loan Change", {"employee_loan": loan, "docstatus": 1})
		)

	def test_a_request_withdrawn_while_hr_approves_it_ends_one_way_only(self):
		"""The employee withdraws a holiday request while HR approves it: one of them wins, the other is
		refused, and the loan is what the winner left it."""
		from employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change import (
			request_change,
		)

		loan = self.loan(60000, 12)
		before = self.state(loan)
		outcomes = []
		for order in ("withdraw first", "approve first", "race", "race"):
			change = request_change(
				{
					"employee_loan": loan,
					"change_type": "EMI Holiday",
					"from_date": "2026-03-01",
					"holiday_months": 1,
					"reason": "Race",
				}
			)
			frappe.db.commit()  # nosemgrep
			if order == "race":
				start = threading.Barrier(2)
				withdrawer = Worker(self.site, self.sites_path, withdraw_after, change, wait_for=start)
				approver = Worker(self.site, self.sites_path, approve_after, change, wait_for=start)
			elif order == "withdraw first":
				# HR has the request open when the employee withdraws it
				has_read, committed = threading.Event(), threading.Event()
				approver = Worker(
					self.site, self.sites_path, approve_after, change, has_read=has_read, wait_for=committed
				)
				withdrawer = Worker(
					self.site,
					self.sites_path,
					withdraw_after,
					change,
					wait_for=has_read,
					then_signal=committed,
				)
			else:
				# the employee's page is open when HR approves
				has_read, committed = threading.Event(), threading.Event()
				withdrawer = Worker(
					self.site, self.sites_path, withdraw_after, change, has_read=has_read, wait_for=committed
				)
				approver = Worker(
					self.site,
					self.sites_path,
					approve_after,
					change,
					wait_for=has_read,
					then_signal=committed,
				)
			self.run_workers(withdrawer, approver, expect_errors=True)
			status, docstatus = frappe.db.get_value("Employee Loan Change", change, ["status", "docstatus"])
			if status == "Withdrawn":
				self.assertEqual(docstatus, 2)
				self.assertIsNone(withdrawer.error, order)
				self.assertIsNotNone(approver.error, order)
				self.assertEqual(self.state(loan), before, order)
				outcomes.append("withdrawn")
			else:
				self.assertEqual((status, docstatus), ("Approved", 1), order)
				self.assertIsNone(approver.error, order)
				self.assertIn("already Approved", str(withdrawer.error), order)
				self.assertNotEqual(self.state(loan), before, order)
				outcomes.append("approved")
				# the next round starts from the same loan
				frappe.get_doc("Employee Loan Change", change).cancel()
				frappe.db.commit()  # nosemgrep
				self.assertEqual(self.state(loan), before, order)
			self.assert_same_as_replay(loan)
		self.assertEqual(outcomes[:2], ["withdrawn", "approved"])


def withdraw_after(change: str, has_read=None, wait_for=None, then_signal=None) -> None:
	"""The employee withdraws their request from the loan page: the page has read the change first (and
	says so through `has_read`), the button is pressed after `wait_for`, and with `then_signal` the
	withdrawal commits and says so."""
	from employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change import withdraw

	frappe.set_user(RACER)
	frappe.get_doc("Employee Loan Change", change)
	if has_read:
		has_read.set()
	if wait_for:
		wait_for.wait(30)
	withdraw(change)
	if then_signal:
		frappe.db.commit()  # nosemgrep: the other worker must see the withdrawal
		then_signal.set()


def approve_after(change: str, has_read=None, wait_for=None, then_signal=None) -> None:
	"""HR approves a holiday: the request has read the change first (and says so through `has_read`),
	approves after `wait_for`, and with `then_signal` commits and says so."""
	from employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change import approve

	frappe.get_doc("Employee Loan Change", change)
	if has_read:
		has_read.set()
	if wait_for:
		wait_for.wait(30)
	approve(change)
	if then_signal:
		frappe.db.commit()  # nosemgrep: the other worker must see the holiday
		then_signal.set()


def remove_loans_and_slips(employee: str) -> None:
	"""Delete every loan (with its journal entries), application, repayment and salary slip of the race
	tests' employee."""
	delete_loans(frappe.get_all("Employee Loan", filters={"employee": employee}, pluck="name"))
	slips = frappe.get_all("Salary Slip", filters={"employee": employee}, pluck="name")
	if slips:
		frappe.db.delete("Salary Detail", {"parent": ("in", slips), "parenttype": "Salary Slip"})
		frappe.db.delete("Salary Slip", {"name": ("in", slips)})
	applications = frappe.get_all("Employee Loan Application", filters={"employee": employee}, pluck="name")
	if applications:
		frappe.db.delete("Employee Loan Eligibility Finding", {"parent": ("in", applications)})
		frappe.db.delete("Employee Loan Application", {"name": ("in", applications)})
	frappe.db.commit()  # nosemgrep: the race tests commit their records; so is their removal
