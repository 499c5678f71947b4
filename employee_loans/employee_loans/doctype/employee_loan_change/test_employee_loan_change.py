"""Employee Loan Change on the real site: EMI holidays, restructures and top-ups, approved, deducted
around in payroll, booked and cancelled."""

from decimal import Decimal

import frappe
from frappe.utils import getdate

from employee_loans.accounts import ensure_loan_accounts
from employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change import (
	approve,
	deny,
	get_preview,
	request_change,
	withdraw,
)
from employee_loans.engine import build_schedule_for_emi
from employee_loans.payroll_hooks.test_payroll import (
	FIRST_EMI,
	SCHEDULE,
	PayrollTestCase,
	loan_lines,
	money,
)
from employee_loans.tests.base import APPLICANT, COLLEAGUE, HR_USER
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user, make_slip, set_settings

test_ignore = IGNORE_TEST_RECORDS

LOAN = "Employee Loan"
CHANGE = "Employee Loan Change"


def gl_balance(account: str) -> Decimal:
	rows = frappe.get_all(
		"GL Entry", filters={"account": account, "is_cancelled": 0}, fields=["debit", "credit"]
	)
	return sum((money(row.debit) - money(row.credit) for row in rows), Decimal(0))


class ChangeTestCase(PayrollTestCase):
	def setUp(self):
		super().setUp()
		set_settings(
			max_holiday_months_per_loan=3,
			max_holiday_months_per_year=2,
			holiday_interest="Waived",
			holiday_absorb="Extend Term",
		)

	def request(self, loan, change_type="EMI Holiday", user=None, **values) -> str:
		values = {"employee_loan": loan, "change_type": change_type, "reason": "Sister's wedding", **values}
		with as_user(user or HR_USER):
			return request_change(values)

	def approve(self, change) -> None:
		with as_user(HR_USER):
			approve(change)

	def slip(self, month: str, submit=True):
		return make_slip(self.applicant, month, submit=submit)

	def rows(self, loan_name):
		return frappe.get_doc(LOAN, loan_name).schedule


class TestEmiHoliday(ChangeTestCase):
	def test_holiday_requested_in_the_portal_approved_two_slips_without_a_line_term_extended(self):
		loan_name = self.disbursed_loan()  # 1,20,000 at 8 % over 12 months from January 2026
		self.slip("2026-01-01")
		with as_user(APPLICANT):
			preview = get_preview(
				{
					"employee_loan": loan_name,
					"change_type": "EMI Holiday",
					"from_date": "2026-03-01",
					"holiday_months": 2,
				}
			)
		self.assertEqual(money(preview["emi_after"]), FIRST_EMI)  # the EMI is kept
		self.assertEqual(getdate(preview["end_date_after"]), getdate("2027-02-01"))
		change = self.request(loan_name, user=APPLICANT, from_date="2026-03-01", holiday_months=2)
		doc = frappe.get_doc(CHANGE, change)
		self.assertEqual((doc.status, doc.requested_by, doc.employee), ("Pending", APPLICANT, self.applicant))
		self.approve(change)
		doc.reload()
		self.assertEqual((doc.status, doc.decided_by, doc.docstatus), ("Approved", HR_USER, 1))

		self.slip("2026-02-01")
		for month in ("2026-03-01", "2026-04-01"):
			slip = self.slip(month)
			self.assertEqual(loan_lines(slip), [])
			self.assertIn(change, slip.employee_loan_note)
			self.assertIn("EMI holiday", slip.employee_loan_note)
		may = self.slip("2026-05-01")
		self.assertEqual(money(loan_lines(may)[0].amount), FIRST_EMI)
		rows = self.rows(loan_name)
		holiday = [row for row in rows if row.status == "EMI Holiday"]
		self.assertEqual(
			[getdate(row.due_date) for row in holiday], [getdate("2026-03-01"), getdate("2026-04-01")]
		)
		self.assertEqual(getdate(rows[-1].due_date), getdate("2027-02-01"))
		# interest waived: what is left is the old schedule, two months later
		self.assertEqual(
			[(money(row.emi), money(row.principal_amount)) for row in rows if row.status != "EMI Holiday"],
			[(row.emi, row.principal) for row in SCHEDULE],
		)
		self.assert_same_as_replay(loan_name)

	def test_holiday_with_interest_added_raises_the_emi_and_books_the_interest(self):
		set_settings(holiday_interest="Added to Principal", holiday_absorb="Raise EMI")
		loan_name = self.disbursed_loan()
		loan_account, interest_account = ensure_loan_accounts(frappe.get_doc(LOAN, loan_name).company)
		self.slip("2026-01-01")
		books_before = gl_balance(loan_account), gl_balance(interest_account)
		change = self.request(loan_name, from_date="2026-02-01", holiday_months=1)
		doc = frappe.get_doc(CHANGE, change)
		# the month's interest on February's opening balance (8 % a year)
		interest = money(SCHEDULE[1].opening_balance * Decimal("8") / 1200)
		self.assertEqual(money(doc.interest_added), interest)
		self.approve(change)
		doc.reload()
		loan = frappe.get_doc(LOAN, loan_name)
		self.assertEqual(money(loan.holiday_interest_added), interest)
		self.assertEqual(money(loan.outstanding_balance), SCHEDULE[1].opening_balance + interest)
		self.assertEqual(getdate(loan.schedule[-1].due_date), getdate("2026-12-01"))  # end date kept
		self.assertGreater(money(doc.emi_after), FIRST_EMI)
		self.assertEqual(money(loan.emi), money(doc.emi_after))
		entry = frappe.get_doc("Journal Entry", doc.journal_entry)
		self.assertEqual(
			(entry.docstatus, entry.employee_loan, entry.employee_loan_change), (1, loan_name, change)
		)
		self.assertEqual(
			(gl_balance(loan_account) - books_before[0], gl_balance(interest_account) - books_before[1]),
			(interest, -interest),
		)
		self.assertEqual(loan_lines(self.slip("2026-02-01")), [])
		march = loan_lines(self.slip("2026-03-01"))[0]
		self.assertEqual(money(march.amount), money(doc.emi_after))
		self.assert_same_as_replay(loan_name)

	def test_cancelling_a_holiday_restores_the_schedule_exactly_and_its_entry(self):
		set_settings(holiday_interest="Added to Principal")
		loan_name = self.disbursed_loan()
		self.slip("2026-01-01")
		before = [(row.due_date, row.emi, row.status, row.closing_balance) for row in self.rows(loan_name)]
		change = self.request(loan_name, from_date="2026-03-01", holiday_months=2)
		self.approve(change)
		doc = frappe.get_doc(CHANGE, change)
		self.assertNotEqual(
			[(r.due_date, r.emi, r.status, r.closing_balance) for r in self.rows(loan_name)], before
		)
		doc.cancel()
		self.assertEqual(
			[(r.due_date, r.emi, r.status, r.closing_balance) for r in self.rows(loan_name)], before
		)
		self.assertEqual(frappe.db.get_value("Journal Entry", doc.journal_entry, "docstatus"), 2)
		loan = frappe.get_doc(LOAN, loan_name)
		self.assertEqual((money(loan.holiday_interest_added), money(loan.emi)), (0, FIRST_EMI))
		self.assertEqual(doc.status, "Cancelled")

	def test_a_holiday_cannot_be_cancelled_once_a_slip_has_deducted_since(self):
		loan_name = self.disbursed_loan()
		change = self.request(loan_name, from_date="2026-03-01", holiday_months=1)
		self.approve(change)
		self.slip("2026-01-01")
		doc = frappe.get_doc(CHANGE, change)
		with self.assertRaisesRegex(frappe.ValidationError, "has deducted loan .* since this change"):
			doc.cancel()
		self.assertEqual(frappe.db.get_value(CHANGE, change, "docstatus"), 1)

	def test_refusals_say_why_and_write_nothing(self):
		loan_name = self.disbursed_loan()
		self.slip("2026-01-01")
		before = frappe.db.count(CHANGE)
		cases = [
			({"from_date": "2026-01-01", "holiday_months": 1}, "already been deducted"),
			(
				{"from_date": "2026-02-01", "holiday_months": 3},
				"At most 2 EMI holiday months are allowed in a year",
			),
			({"from_date": "2026-11-01", "holiday_months": 3}, "no instalment left to deduct"),
			({"from_date": "2026-02-01", "holiday_months": 0}, "number of holiday months"),
		]
		for values, message in cases:
			with self.subTest(values=values), self.assertRaisesRegex(frappe.ValidationError, message):
				self.request(loan_name, **values)
		frappe.db.set_value(LOAN, loan_name, "preclosure_requested", 1)
		with self.assertRaisesRegex(frappe.ValidationError, "pre-closure pending"):
			self.request(loan_name, from_date="2026-03-01", holiday_months=1)
		frappe.db.set_value(LOAN, loan_name, "preclosure_requested", 0)
		frappe.db.set_value("Employee", self.applicant, "relieving_date", "2026-03-20")
		with self.assertRaisesRegex(frappe.ValidationError, "cannot reach the exit month"):
			self.request(loan_name, from_date="2026-03-01", holiday_months=1)
		frappe.db.set_value("Employee", self.applicant, "relieving_date", None)
		# per loan: two approved months, then a third in another year would pass, a fourth not
		self.approve(self.request(loan_name, from_date="2026-03-01", holiday_months=2))
		with self.assertRaisesRegex(frappe.ValidationError, "at most 3 EMI holiday months"):
			self.request(loan_name, from_date="2026-06-01", holiday_months=2)
		self.assertEqual(frappe.db.count(CHANGE), before + 1)

	def test_employees_request_only_for_their_own_loans_and_only_holidays_and_top_ups(self):
		loan_name = self.disbursed_loan()
		with self.assertRaises(frappe.PermissionError):
			self.request(loan_name, user=COLLEAGUE, from_date="2026-03-01", holiday_months=1)
		with self.assertRaisesRegex(frappe.PermissionError, "Only HR can restructure"):
			self.request(loan_name, "Restructure", user=APPLICANT, from_date="2026-03-01", new_term_months=6)
		change = self.request(loan_name, user=APPLICANT, from_date="2026-03-01", holiday_months=1)
		with as_user(COLLEAGUE):
			self.assertFalse(frappe.has_permission(CHANGE, "read", doc=frappe.get_doc(CHANGE, change)))
			self.assertEqual(frappe.get_list(CHANGE, pluck="name"), [])
		with as_user(APPLICANT):
			self.assertEqual(frappe.get_list(CHANGE, pluck="name"), [change])
			with self.assertRaises(frappe.PermissionError):
				approve(change)

	def test_denied_change_changes_nothing(self):
		loan_name = self.disbursed_loan()
		before = [(r.due_date, r.emi, r.status) for r in self.rows(loan_name)]
		change = self.request(loan_name, user=APPLICANT, from_date="2026-03-01", holiday_months=1)
		with as_user(HR_USER):
			deny(change, "Not in the busy season")
		doc = frappe.get_doc(CHANGE, change)
		self.assertEqual(
			(doc.status, doc.docstatus, doc.decision_reason), ("Denied", 1, "Not in the busy season")
		)
		self.assertEqual([(r.due_date, r.emi, r.status) for r in self.rows(loan_name)], before)

	def test_the_employee_withdraws_a_pending_request_and_it_can_no_longer_be_decided(self):
		loan_name = self.disbursed_loan()
		before = [(r.due_date, r.emi, r.status) for r in self.rows(loan_name)]
		change = self.request(loan_name, user=APPLICANT, from_date="2026-03-01", holiday_months=1)
		# a colleague, and HR (who denies instead), cannot take it back for the employee
		for user in (COLLEAGUE, HR_USER):
			with as_user(user), self.assertRaises(frappe.PermissionError):
				withdraw(change)
		self.assertEqual(frappe.db.get_value(CHANGE, change, "status"), "Pending")
		with as_user(APPLICANT):
			withdraw(change)
		doc = frappe.get_doc(CHANGE, change)
		self.assertEqual((doc.status, doc.docstatus, doc.decided_by), ("Withdrawn", 2, APPLICANT))
		self.assertTrue(doc.decided_on)
		with as_user(HR_USER), self.assertRaisesRegex(frappe.ValidationError, "already Withdrawn"):
			approve(change)
		with as_user(APPLICANT), self.assertRaisesRegex(frappe.ValidationError, "already Withdrawn"):
			withdraw(change)
		self.assertEqual([(r.due_date, r.emi, r.status) for r in self.rows(loan_name)], before)
		# a decided request is the record of its decision: it cannot be withdrawn
		approved = self.request(loan_name, user=APPLICANT, from_date="2026-03-01", holiday_months=1)
		self.approve(approved)
		with as_user(APPLICANT), self.assertRaisesRegex(frappe.ValidationError, "already Approved"):
			withdraw(approved)
		self.assertEqual(frappe.db.get_value(CHANGE, approved, "status"), "Approved")


class TestRestructureAndTopUp(ChangeTestCase):
	def test_restructure_with_a_new_rate_and_term(self):
		loan_name = self.disbursed_loan()
		self.slip("2026-01-01")
		change = self.request(
			loan_name, "Restructure", from_date="2026-02-01", new_term_months=20, new_interest_rate=6
		)
		self.approve(change)
		rows = self.rows(loan_name)
		pending = [row for row in rows if row.status == "Pending"]
		self.assertEqual(len(pending), 20)
		self.assertEqual(getdate(pending[-1].due_date), getdate("2027-09-01"))
		# the annuity of the balance over 20 months at 6 %
		balance = SCHEDULE[0].closing_balance
		expected = build_schedule_for_emi(
			balance, "6", money(pending[0].emi), "Reducing Balance", getdate("2026-02-01")
		)
		self.assertEqual(len(expected), 20)
		self.assertEqual(money(pending[0].interest_amount), money(balance * Decimal("0.005")))
		self.assertEqual(money(pending[-1].closing_balance), 0)
		self.assertEqual(
			frappe.db.get_value(LOAN, loan_name, ["annual_interest_rate", "current_interest_rate"]), (8, 6)
		)
		self.assertEqual(money(loan_lines(self.slip("2026-02-01"))[0].amount), money(pending[0].emi))
		self.assert_same_as_replay(loan_name)

	def test_cancelling_a_restructure_gives_back_the_schedule(self):
		loan_name = self.disbursed_loan()
		before = [(r.due_date, r.emi, r.status, r.closing_balance) for r in self.rows(loan_name)]
		change = self.request(loan_name, "Restructure", from_date="2026-04-01", new_term_months=24)
		self.approve(change)
		self.assertEqual(getdate(self.rows(loan_name)[-1].due_date), getdate("2028-03-01"))
		# no rate given: the loan keeps its 8 % (a blank Percent field is no 0 % restructure)
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "current_interest_rate"), 8)
		self.assertTrue(all(row.interest_amount > 0 for row in self.rows(loan_name)))
		frappe.get_doc(CHANGE, change).cancel()
		self.assertEqual(
			[(r.due_date, r.emi, r.status, r.closing_balance) for r in self.rows(loan_name)], before
		)
		self.assertEqual(money(frappe.db.get_value(LOAN, loan_name, "emi")), FIRST_EMI)
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "current_interest_rate"), 8)

	def test_only_hr_restructures_and_an_interest_free_loan_gets_no_rate(self):
		loan_name = self.disbursed_loan(category=self.emergency, amount=60000, months=6)
		with self.assertRaisesRegex(frappe.ValidationError, "is interest-free; it cannot be given a rate"):
			self.request(
				loan_name, "Restructure", from_date="2026-02-01", new_term_months=12, new_interest_rate=5
			)
		self.assertEqual(frappe.db.count(CHANGE, {"employee_loan": loan_name}), 0)

	def test_top_up_with_its_journal_entry_and_cancel(self):
		loan_name = self.disbursed_loan()
		loan = frappe.get_doc(LOAN, loan_name)
		self.slip("2026-01-01")
		books = gl_balance(loan.loan_account)
		change = self.request(loan_name, "Top-up", top_up_amount=50000)
		doc = frappe.get_doc(CHANGE, change)
		self.assertEqual(getdate(doc.from_date), getdate("2026-02-01"))
		self.assertEqual(doc.new_term_months, 11)  # to the loan's end date
		self.approve(change)
		doc.reload()
		loan.reload()
		self.assertEqual(money(loan.top_up_amount), 50000)
		self.assertEqual(money(loan.outstanding_balance), SCHEDULE[0].closing_balance + 50000)
		self.assertEqual(getdate(loan.schedule[-1].due_date), getdate("2026-12-01"))
		self.assertEqual(money(loan.emi), money(doc.emi_after))
		self.assertEqual(gl_balance(loan.loan_account) - books, 50000)
		entry = frappe.get_doc("Journal Entry", doc.journal_entry)
		self.assertEqual(
			(entry.employee_loan, entry.employee_loan_change, entry.docstatus), (loan_name, change, 1)
		)
		doc.cancel()
		loan.reload()
		self.assertEqual(money(loan.outstanding_balance), SCHEDULE[0].closing_balance)
		self.assertEqual(money(loan.emi), FIRST_EMI)
		self.assertEqual(gl_balance(loan.loan_account), books)
		# amended and approved again: booked once more, with a journal entry of its own
		amended = frappe.copy_doc(doc, ignore_no_copy=False)  # as the desk amends
		amended.amended_from, amended.docstatus = doc.name, 0
		amended.insert()
		self.assertEqual((amended.status, amended.journal_entry), ("Pending", None))
		self.approve(amended.name)
		amended.reload()
		loan.reload()
		self.assertNotEqual(amended.journal_entry, doc.journal_entry)
		self.assertEqual(money(loan.outstanding_balance), SCHEDULE[0].closing_balance + 50000)
		self.assertEqual(gl_balance(loan.loan_account) - books, 50000)
		self.assert_same_as_replay(loan_name)

	def test_top_up_over_the_category_maximum_is_refused(self):
		loan_name = self.disbursed_loan()  # category maximum 5,00,000
		before = frappe.db.count(CHANGE)
		with self.assertRaisesRegex(
			frappe.ValidationError,
			"would owe 570,000.00, above this category's maximum of 500,000.00. "
			"Ask for a top-up of at most 380,000.00",
		):
			self.request(loan_name, "Top-up", user=APPLICANT, top_up_amount=450000)
		self.assertEqual(frappe.db.count(CHANGE), before)
