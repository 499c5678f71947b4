"""Payroll integration: loan lines on real HRMS salary slips, repayments on submit, exact reversal."""

from datetime import date
from decimal import Decimal

import frappe
from frappe.utils import add_months, getdate

from employee_loans.employee_loans.doctype.employee_loan.employee_loan import preclose
from employee_loans.engine import build_schedule
from employee_loans.tests.base import LoanTestCase
from employee_loans.tests.utils import (
	IGNORE_TEST_RECORDS,
	STRUCTURE,
	apply,
	approve_and_disburse,
	make_slip,
	set_settings,
)

test_ignore = IGNORE_TEST_RECORDS

LOAN = "Employee Loan"
NET_BEFORE_LOANS = Decimal("99800")  # basic 100,000 less professional tax 200
# the default loan of these tests: 1,20,000 at 8 % over 12 months, disbursed in December 2025
SCHEDULE = build_schedule("120000", "8", 12, "Reducing Balance", date(2026, 1, 1), 2)
FIRST_EMI = SCHEDULE[0].emi  # 10,438.61


def slip_rows(slip):
	"""The slip's own deduction rows tied to a loan (principal and interest rows apart)."""
	return [row for row in slip.deductions if row.employee_loan]


def loan_lines(slip):
	"""One entry per loan on the slip: what it deducts in all (`amount`, `year_to_date`), split into
	its principal row (the loan's deduction component) and interest row (none when interest-free)."""
	lines = {}
	for row in slip_rows(slip):
		line = lines.setdefault(
			row.employee_loan,
			frappe._dict(employee_loan=row.employee_loan, amount=0.0, year_to_date=0.0, rows=[]),
		)
		line.rows.append(row)
		line.amount = float(sum(money(r.amount) for r in line.rows))
		line.year_to_date = float(sum(money(r.year_to_date or 0) for r in line.rows))
		if row.salary_component == "Loan Interest":
			line.interest = money(row.amount)
		else:
			line.salary_component = row.salary_component
			line.principal = money(row.amount)
			line.loan_deduction_note = row.loan_deduction_note
	return list(lines.values())


def money(value) -> Decimal:
	return Decimal(str(value)).quantize(Decimal("0.01"))


class PayrollTestCase(LoanTestCase):
	def disbursed_loan(self, category=None, amount=120000, months=12, employee=None, disbursed="2025-12-15"):
		application = apply(
			employee or self.applicant, category or self.personal, amount, months, posting_date="2025-12-01"
		)
		return approve_and_disburse(application.name, disbursed)

	def assert_slip_consistent(self, slip):
		"""Totals as HRMS computes them: gross less every counted deduction, rounding and words."""
		deductions = sum(money(row.amount) for row in slip.deductions if not row.do_not_include_in_total)
		self.assertEqual(money(slip.total_deduction), deductions)
		self.assertEqual(money(slip.net_pay), money(slip.gross_pay) - deductions)
		self.assertEqual(slip.rounded_total, round(slip.net_pay))
		self.assertIn(
			frappe.utils.money_in_words(slip.rounded_total, slip.currency).split(" only")[0],
			slip.total_in_words,
		)
		# the slip's Loan Deductions, as saved: what Loan Deduction reconciles the repayments with
		loan_total = sum(money(row.amount) for row in slip.deductions if row.employee_loan)
		self.assertEqual(
			money(frappe.db.get_value("Salary Slip", slip.name, "employee_loan_deduction")), loan_total
		)

	def assert_same_as_replay(self, loan_name):
		"""What payroll stored equals the full replay of the loan's submitted repayments."""
		from employee_loans.ledger import locked_loan, rebuild

		fields = (
			"outstanding_balance", "principal_repaid", "interest_paid", "amount_repaid", "emis_paid",
			"total_emis", "next_emi_date", "remaining_payable", "emi", "status", "closure_type",
		)  # fmt: skip
		row_fields = ("instalment_number", "due_date", "emi", "interest_amount", "principal_amount", "status",
			"paid_amount", "paid_principal", "paid_interest", "salary_slip", "repayment")  # fmt: skip

		def state():
			loan = frappe.get_doc(LOAN, loan_name)
			return (
				{field: loan.get(field) for field in fields},
				[{field: row.get(field) for field in row_fields} for row in loan.schedule],
			)

		stored = state()
		rebuild(locked_loan(loan_name))
		self.assertEqual(state(), stored)

	def assert_loan_matches(self, loan_name, principal_paid: Decimal, amount: Decimal):
		loan = frappe.get_doc(LOAN, loan_name)
		self.assertEqual(money(loan.outstanding_balance), amount - principal_paid)
		self.assertEqual(money(loan.principal_repaid), principal_paid)
		return loan


class TestPayrollCycle(PayrollTestCase):
	def test_twelve_months_to_automatic_closure_with_the_exact_total(self):
		loan_name = self.disbursed_loan(amount=120000, months=12)
		schedule = SCHEDULE
		net_paid = Decimal(0)
		principal_paid = Decimal(0)
		for index, instalment in enumerate(schedule):
			slip = make_slip(self.applicant, add_months("2026-01-01", index))
			lines = loan_lines(slip)
			self.assertEqual(len(lines), 1, f"month {index + 1}")
			self.assertEqual((lines[0].employee_loan, lines[0].salary_component), (loan_name, "Loan EMI"))
			self.assertEqual(money(lines[0].amount), instalment.emi)
			# principal on "Loan EMI", interest on "Loan Interest", as the payroll journal books them
			self.assertEqual(
				[(row.salary_component, money(row.amount)) for row in lines[0].rows],
				[("Loan EMI", instalment.principal), ("Loan Interest", instalment.interest)],
			)
			self.assertEqual(money(slip.net_pay), NET_BEFORE_LOANS - instalment.emi)
			self.assert_slip_consistent(slip)
			slip.submit()
			net_paid += money(slip.net_pay)
			principal_paid += instalment.principal
			slip.reload()
			self.assertEqual(money(slip.year_to_date), net_paid)
			self.assertEqual(
				money(loan_lines(slip)[0].year_to_date), sum(r.emi for r in schedule[: index + 1])
			)
			loan = self.assert_loan_matches(loan_name, principal_paid, Decimal("120000"))
			self.assertEqual(money(loan.outstanding_balance), instalment.closing_balance)
			self.assert_same_as_replay(loan_name)
		loan = frappe.get_doc(LOAN, loan_name)
		self.assertEqual(loan.status, "Closed")
		self.assertEqual(loan.closure_type, "Repaid")
		self.assertEqual(money(loan.amount_repaid), sum(r.emi for r in schedule))
		self.assertEqual(loan.emis_paid, 12)
		self.assertTrue(all(row.status == "Paid" and row.salary_slip for row in loan.schedule))
		repayments = frappe.get_all(
			"Employee Loan Repayment", filters={"employee_loan": loan_name, "docstatus": 1}, fields=["amount"]
		)
		self.assertEqual(len(repayments), 12)
		# the thirteenth month has nothing to deduct
		self.assertEqual(loan_lines(make_slip(self.applicant, "2027-01-01")), [])

	def test_interest_free_and_reducing_loans_side_by_side(self):
		reducing = self.disbursed_loan(self.personal, 200000, 24)
		free = self.disbursed_loan(self.emergency, 12000, 12)
		slip = make_slip(self.applicant, "2026-01-01")
		amounts = {row.employee_loan: money(row.amount) for row in loan_lines(slip)}
		self.assertEqual(amounts, {reducing: Decimal("9045.46"), free: Decimal("1000.00")})
		# the interest-free loan has one line; the other its principal and its interest
		components = {
			line.employee_loan: [r.salary_component for r in line.rows] for line in loan_lines(slip)
		}
		self.assertEqual(components, {reducing: ["Loan EMI", "Loan Interest"], free: ["Loan EMI"]})
		self.assertEqual(money(slip.net_pay), NET_BEFORE_LOANS - Decimal("10045.46"))
		self.assert_slip_consistent(slip)
		slip.submit()
		self.assert_loan_matches(reducing, Decimal("7712.13"), Decimal("200000"))
		self.assert_loan_matches(free, Decimal("1000"), Decimal("12000"))
		self.assert_same_as_replay(reducing)
		self.assert_same_as_replay(free)
		interest = frappe.db.get_value("Employee Loan Repayment", {"employee_loan": free}, "interest_amount")
		self.assertEqual(interest, 0)

	def test_lines_are_refreshed_not_duplicated_and_drafts_move_nothing(self):
		loan_name = self.disbursed_loan()
		slip = make_slip(self.applicant, "2026-01-01")
		slip.save()
		slip.save()
		self.assertEqual(len(loan_lines(slip)), 1)
		self.assertEqual(frappe.db.count("Employee Loan Repayment", {"employee_loan": loan_name}), 0)
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "outstanding_balance"), 120000)
		self.assertEqual(len(slip_rows(slip)), 2)
		# a line typed over by hand is put back to what is due
		slip_rows(slip)[0].amount = 1
		slip.save()
		self.assertEqual(money(loan_lines(slip)[0].amount), FIRST_EMI)
		self.assertEqual(len(slip_rows(slip)), 2)
		self.assert_slip_consistent(slip)

	def test_slips_from_before_the_loan_deductions_total_get_it_from_the_patch(self):
		from employee_loans.patches.v0_5 import set_slip_loan_deduction_totals

		self.disbursed_loan(self.personal, 200000, 24)
		self.disbursed_loan(self.emergency, 12000, 12)
		slip = make_slip(self.applicant, "2026-01-01", submit=True)
		# as a slip submitted before the field existed
		frappe.db.set_value("Salary Slip", slip.name, "employee_loan_deduction", 0, update_modified=False)
		for _run in range(2):  # a second run changes nothing
			set_slip_loan_deduction_totals.execute()
			self.assertEqual(
				money(frappe.db.get_value("Salary Slip", slip.name, "employee_loan_deduction")),
				Decimal("10045.46"),
			)

	def test_nothing_due_means_no_line(self):
		self.disbursed_loan(disbursed="2026-03-10")  # first EMI in April
		self.assertEqual(loan_lines(make_slip(self.applicant, "2026-03-01")), [])
		self.assertEqual(len(loan_lines(make_slip(self.applicant, "2026-04-01"))), 1)

	def test_deleting_a_draft_slip_leaves_no_trace(self):
		loan_name = self.disbursed_loan()
		before = frappe.get_doc(LOAN, loan_name).as_dict()
		slip = make_slip(self.applicant, "2026-01-01")
		frappe.delete_doc("Salary Slip", slip.name)
		after = frappe.get_doc(LOAN, loan_name).as_dict()
		for field in ("outstanding_balance", "emis_paid", "next_emi_date", "status", "modified"):
			self.assertEqual(after[field], before[field])
		self.assertEqual([r.status for r in after["schedule"]], [r.status for r in before["schedule"]])
		self.assertEqual(len(loan_lines(make_slip(self.applicant, "2026-01-01"))), 1)

	def test_submit_cancel_amend_resubmit_deducts_once(self):
		loan_name = self.disbursed_loan()
		slip = make_slip(self.applicant, "2026-01-01", submit=True)
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "emis_paid"), 1)
		slip.cancel()
		loan = frappe.get_doc(LOAN, loan_name)
		self.assertEqual((loan.outstanding_balance, loan.emis_paid), (120000, 0))
		self.assertEqual(loan.schedule[0].status, "Pending")
		self.assertFalse(loan.schedule[0].salary_slip)
		amended = frappe.copy_doc(slip)
		amended.amended_from = slip.name
		amended.docstatus = 0
		amended.insert()
		self.assertEqual(len(loan_lines(amended)), 1)
		amended.submit()
		submitted = frappe.get_all(
			"Employee Loan Repayment",
			filters={"employee_loan": loan_name, "docstatus": 1},
			pluck="salary_slip",
		)
		self.assertEqual(submitted, [amended.name])
		self.assert_loan_matches(loan_name, SCHEDULE[0].principal, Decimal("120000"))

	def test_cancelling_the_closing_slip_reopens_the_loan(self):
		loan_name = self.disbursed_loan(self.emergency, 2000, 2)
		make_slip(self.applicant, "2026-01-01", submit=True)
		last = make_slip(self.applicant, "2026-02-01", submit=True)
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "status"), "Closed")
		last.cancel()
		loan = frappe.get_doc(LOAN, loan_name)
		self.assertEqual((loan.status, loan.outstanding_balance), ("Disbursed", 1000))
		self.assertFalse(loan.closure_date)

	def test_a_row_deducted_in_full_stays_paid_when_an_earlier_prepayment_is_cancelled(self):
		"""HR posts a prepayment, January's slip deducts the re-laid EMI in full, then HR cancels the
		prepayment: instalment 1 still reads Paid with what was deducted, and the balance is exact."""
		loan_name = self.disbursed_loan()
		prepayment = frappe.get_doc(
			{
				"doctype": "Employee Loan Repayment",
				"employee_loan": loan_name,
				"repayment_type": "Manual",
				"amount": 12000,
				"posting_date": "2025-12-20",
			}
		).insert()
		prepayment.submit()
		slip = make_slip(self.applicant, "2026-01-01", submit=True)
		deducted = loan_lines(slip)[0]
		self.assertLess(money(deducted.amount), FIRST_EMI)  # the EMI after the prepayment
		paid = frappe.get_doc("Employee Loan Repayment", f"{slip.name}/{loan_name}")
		prepayment.cancel()
		loan = frappe.get_doc(LOAN, loan_name)
		first = loan.schedule[0]
		self.assertEqual(first.status, "Paid")
		self.assertEqual((money(first.emi), money(first.paid_amount)), (money(deducted.amount),) * 2)
		self.assertEqual(money(first.principal_amount), money(paid.principal_amount))
		self.assertEqual(loan.emis_paid, 1)
		self.assertEqual(money(loan.outstanding_balance), Decimal("120000") - money(paid.principal_amount))
		self.assertEqual(
			sum(money(row.principal_amount) for row in loan.schedule[1:]), money(loan.outstanding_balance)
		)
		self.assert_same_as_replay(loan_name)

	def test_an_earlier_slip_cannot_be_cancelled_under_a_later_one(self):
		loan_name = self.disbursed_loan(self.emergency, 3000, 3)
		january = make_slip(self.applicant, "2026-01-01", submit=True)
		make_slip(self.applicant, "2026-02-01", submit=True)
		with self.assertRaises(frappe.ValidationError) as raised:
			january.cancel()
		self.assertIn(loan_name, str(raised.exception))


class TestShortPayAndClosure(PayrollTestCase):
	def test_short_pay_skip_month_deducts_nothing_and_reschedules(self):
		set_settings(short_pay_policy="Skip Month", protected_net_pay=95000)  # 4,800 available
		loan_name = self.disbursed_loan()
		slip = make_slip(self.applicant, "2026-01-01")
		line = loan_lines(slip)[0]
		self.assertEqual(money(line.amount), 0)
		self.assertIn("Skipped", line.loan_deduction_note)
		self.assertIn("re-scheduled", line.loan_deduction_note)
		self.assertEqual(money(slip.net_pay), NET_BEFORE_LOANS)
		slip.submit()
		self.assert_slip_consistent(slip)
		loan = frappe.get_doc(LOAN, loan_name)
		self.assertEqual(loan.outstanding_balance, 120000)
		self.assertEqual(loan.schedule[0].status, "Skipped")
		repayment = frappe.get_value(
			"Employee Loan Repayment",
			{"salary_slip": slip.name},
			["amount", "reason", "scheduled_amount"],
			as_dict=True,
		)
		self.assertEqual((repayment.amount, repayment.reason), (0, "Skipped - Short Net Pay"))
		self.assertEqual(money(repayment.scheduled_amount), FIRST_EMI)
		# the skipped month is spread over the remaining eleven, never doubled into February
		set_settings(short_pay_policy="Skip Month", protected_net_pay=0)
		february = make_slip(self.applicant, "2026-02-01")
		expected = build_schedule("120000", "8", 11, "Reducing Balance", date(2026, 2, 1), 2)[0].emi
		self.assertEqual(money(loan_lines(february)[0].amount), expected)
		self.assertLess(expected, FIRST_EMI * Decimal("1.1"))
		self.assertEqual(str(loan.schedule[-1].due_date), "2026-12-01")

	def test_short_pay_deduct_available_takes_what_is_there(self):
		set_settings(short_pay_policy="Deduct Available", protected_net_pay=95000)
		loan_name = self.disbursed_loan()
		slip = make_slip(self.applicant, "2026-01-01")
		line = loan_lines(slip)[0]
		self.assertEqual(money(line.amount), Decimal("4800.00"))
		self.assertIn("4800.00", line.loan_deduction_note)
		self.assertEqual(money(slip.net_pay), Decimal("95000.00"))
		self.assert_slip_consistent(slip)
		slip.submit()
		repayment = frappe.get_value(
			"Employee Loan Repayment",
			{"salary_slip": slip.name},
			["amount", "principal_amount", "interest_amount", "reason"],
			as_dict=True,
		)
		self.assertEqual(
			(repayment.amount, repayment.interest_amount, repayment.principal_amount, repayment.reason),
			(4800, 800, 4000, "Partial - Short Net Pay"),
		)
		loan = frappe.get_doc(LOAN, loan_name)
		self.assertEqual(loan.outstanding_balance, 116000)
		self.assertEqual(loan.schedule[0].status, "Partly Paid")
		expected = build_schedule("116000", "8", 11, "Reducing Balance", date(2026, 2, 1), 2)[0].emi
		self.assertEqual(money(loan.emi), expected)
		slip.cancel()
		loan.reload()
		self.assertEqual((loan.outstanding_balance, money(loan.emi)), (120000, FIRST_EMI))

	def test_pre_closure_in_the_next_payroll(self):
		loan_name = self.disbursed_loan(self.emergency, 12000, 12)
		make_slip(self.applicant, "2026-01-01", submit=True)
		preclose(loan_name, "Deduct in Next Payroll")
		slip = make_slip(self.applicant, "2026-02-01")
		line = loan_lines(slip)[0]
		self.assertEqual(money(line.amount), Decimal("11000.00"))
		self.assertIn("Pre-closure", line.loan_deduction_note)
		slip.submit()
		loan = frappe.get_doc(LOAN, loan_name)
		self.assertEqual(
			(loan.status, loan.closure_type, loan.outstanding_balance), ("Closed", "Pre-closed (Payroll)", 0)
		)
		self.assertEqual(loan.preclosure_requested, 0)
		self.assertEqual(loan_lines(make_slip(self.applicant, "2026-03-01")), [])
		slip.cancel()
		self.assertEqual(
			frappe.db.get_value(LOAN, loan_name, ["status", "outstanding_balance"]), ("Disbursed", 11000)
		)

	def test_relieved_employee_settles_what_net_pay_allows(self):
		loan_name = self.disbursed_loan(self.personal, 200000, 24)
		make_slip(self.applicant, "2026-01-01", submit=True)
		make_slip(self.applicant, "2026-02-01", submit=True)
		frappe.db.set_value("Employee", self.applicant, "relieving_date", "2026-03-31")
		slip = make_slip(self.applicant, "2026-03-01")
		schedule = build_schedule("200000", "8", 24, "Reducing Balance", date(2026, 1, 1), 2)
		outstanding = schedule[1].closing_balance
		line = loan_lines(slip)[0]
		self.assertEqual(money(line.amount), NET_BEFORE_LOANS)  # all the net pay there is
		self.assertIn("Final Settlement", line.loan_deduction_note)
		slip.submit()
		loan = frappe.get_doc(LOAN, loan_name)
		interest = schedule[2].interest
		left = outstanding - (NET_BEFORE_LOANS - interest)
		self.assertEqual(money(loan.outstanding_balance), left)
		self.assertEqual(money(loan.unrecovered_at_exit), left)
		self.assertEqual(loan.status, "Disbursed")
		slip.cancel()
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "unrecovered_at_exit"), 0)

	def test_structure_preview_shows_the_loan_line(self):
		from hrms.payroll.doctype.salary_structure.salary_structure import make_salary_slip

		self.disbursed_loan()
		preview = make_salary_slip(STRUCTURE, employee=self.applicant, for_preview=1)
		lines = loan_lines(preview)
		self.assertEqual(len(lines), 1)
		self.assertEqual(money(lines[0].amount), FIRST_EMI)
		self.assertEqual(money(preview.net_pay), NET_BEFORE_LOANS - FIRST_EMI)
		self.assertEqual(frappe.db.count("Employee Loan Repayment", {"employee": self.applicant}), 0)

	def test_each_instalment_is_taken_once_when_drafts_overlap_in_time(self):
		loan_name = self.disbursed_loan()
		january = make_slip(self.applicant, "2026-01-01")
		february = make_slip(self.applicant, "2026-02-01")  # drafted before January is submitted
		self.assertEqual(money(loan_lines(february)[0].amount), FIRST_EMI)
		january.submit()
		# February's draft still splits instalment 1: it is refused by name until saved again
		with self.assertRaisesRegex(frappe.ValidationError, f"deduction for loan {loan_name} has changed"):
			february.submit()
		february.reload()
		february.save()
		self.assertEqual(loan_lines(february)[0].principal, SCHEDULE[1].principal)
		february.submit()
		numbers = frappe.get_all(
			"Employee Loan Repayment",
			filters={"employee_loan": loan_name, "docstatus": 1},
			pluck="instalment_number",
			order_by="instalment_number",
		)
		self.assertEqual(numbers, [1, 2])

	def test_a_second_slip_for_the_same_period_is_refused(self):
		loan_name = self.disbursed_loan()
		make_slip(self.applicant, "2026-01-01", submit=True)
		overlapping = frappe.get_doc(
			{
				"doctype": "Salary Slip",
				"employee": self.applicant,
				"posting_date": "2026-01-20",
				"start_date": "2026-01-16",
				"end_date": "2026-02-15",
			}
		).insert()
		self.assertEqual(len(loan_lines(overlapping)), 1)
		with self.assertRaises(frappe.ValidationError) as raised:
			overlapping.submit()
		self.assertIn(loan_name, str(raised.exception))
		self.assertIn("already been recovered", str(raised.exception))
		self.assertEqual(
			frappe.db.count("Employee Loan Repayment", {"employee_loan": loan_name, "docstatus": 1}), 1
		)

	def test_loan_changed_after_save_stops_submission_before_anything_is_written(self):
		from employee_loans.employee_loans.doctype.employee_loan.employee_loan import preclose as close_now

		loan_name = self.disbursed_loan(self.emergency, 12000, 12)
		slip = make_slip(self.applicant, "2026-01-01")
		close_now(loan_name, "Settled Manually")
		with self.assertRaises(frappe.ValidationError) as raised:
			slip.submit()
		self.assertIn(loan_name, str(raised.exception))
		self.assertIn(self.applicant, str(raised.exception))
		self.assertEqual(frappe.db.get_value("Salary Slip", slip.name, "docstatus"), 0)
		self.assertEqual(frappe.db.count("Employee Loan Repayment", {"salary_slip": slip.name}), 0)


class TestSameAsHrmsWouldCompute(PayrollTestCase):
	def test_slip_equals_one_with_the_deduction_as_additional_salary(self):
		"""Oracle: a twin employee whose EMI arrives as an HRMS Additional Salary deduction."""
		from employee_loans.tests.utils import assign_structure, make_employee

		twin = make_employee("el-twin@example.com")
		assign_structure(twin, base=100000)
		self.disbursed_loan()
		for index, month in enumerate(("2026-01-01", "2026-02-01")):
			for component, amount in (
				("Loan EMI", SCHEDULE[index].principal),
				("Loan Interest", SCHEDULE[index].interest),
			):
				frappe.get_doc(
					{
						"doctype": "Additional Salary",
						"employee": twin,
						"company": "_Test Company",
						"salary_component": component,
						"type": "Deduction",
						"amount": float(amount),
						"payroll_date": getdate(month).replace(day=15),
						"overwrite_salary_structure_amount": 0,
					}
				).submit()
			ours = make_slip(self.applicant, month)
			theirs = make_slip(twin, month)
			for field in (
				"gross_pay",
				"total_deduction",
				"net_pay",
				"rounded_total",
				"total_in_words",
				"year_to_date",
				"month_to_date",
				"gross_year_to_date",
			):
				self.assertEqual(ours.get(field), theirs.get(field), f"{field} in {month}")
			for ours_row in slip_rows(ours):
				theirs_row = next(
					row for row in theirs.deductions if row.salary_component == ours_row.salary_component
				)
				self.assertEqual(
					(ours_row.amount, ours_row.year_to_date), (theirs_row.amount, theirs_row.year_to_date)
				)
			ours.submit()
			theirs.submit()
			ours.reload()
			theirs.reload()
			self.assertEqual(ours.year_to_date, theirs.year_to_date)


class TestBrokenLoanData(PayrollTestCase):
	def test_a_broken_loan_never_fails_slip_creation_and_stops_its_submission_by_name(self):
		loan_name = self.disbursed_loan()
		first_row = frappe.db.get_value(
			"Employee Loan Schedule", {"parent": loan_name, "instalment_number": 1}
		)
		frappe.db.set_value("Employee Loan Schedule", first_row, "emi", 1)  # no longer principal + interest
		slip = make_slip(self.applicant, "2026-01-01")  # creation, as in a Payroll Entry, goes through
		self.assertEqual(loan_lines(slip), [])
		self.assertEqual(money(slip.net_pay), NET_BEFORE_LOANS)
		with self.assertRaises(frappe.ValidationError) as raised:
			slip.submit()
		self.assertIn(loan_name, str(raised.exception))
		self.assertIn(self.applicant, str(raised.exception))
		self.assertEqual(frappe.db.count("Employee Loan Repayment", {"employee_loan": loan_name}), 0)
