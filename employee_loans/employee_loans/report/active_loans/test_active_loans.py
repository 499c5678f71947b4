import frappe
from frappe.utils import flt

from employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change import (
	approve,
	request_change,
)
from employee_loans.employee_loans.report.active_loans.active_loans import execute
from employee_loans.tests.base import HR_USER
from employee_loans.tests.report_data import NOBODY, ONE, TWO, ReportTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user, make_user, set_settings

test_ignore = IGNORE_TEST_RECORDS

CHANGE = "Employee Loan Change"


def approved_change(loan: str, change_type: str, **values) -> str:
	"""A change requested and approved by HR through the whitelisted methods, applied now."""
	with as_user(HR_USER):
		change = request_change(
			{"employee_loan": loan, "change_type": change_type, "reason": "Family emergency", **values}
		)
		approve(change)
	return change


def change_l1(case) -> float:
	"""L1 topped up by 50,000 (from its next instalment, April 2026), restructured to 6 % over 24 months
	from April 2026, and given an EMI holiday in May 2026 whose interest is added to the principal.
	Returns the holiday's interest."""
	set_settings(
		max_holiday_months_per_loan=3,
		max_holiday_months_per_year=2,
		holiday_interest="Added to Principal",
		holiday_absorb="Extend Term",
	)
	approved_change(case.l1, "Top-up", top_up_amount=50000)
	approved_change(case.l1, "Restructure", from_date="2026-04-01", new_term_months=24, new_interest_rate=6)
	holiday = approved_change(case.l1, "EMI Holiday", from_date="2026-05-01", holiday_months=1)
	interest = flt(frappe.db.get_value(CHANGE, holiday, "interest_added"), 2)
	case.assertGreater(interest, 0)
	return interest


class TestActiveLoans(ReportTestCase):
	def run_report(self, **filters):
		return execute({"company": "_Test Company", **filters})

	def test_every_disbursed_loan_with_its_position(self):
		_columns, data, _message, _chart, _summary = self.run_report()
		rows = self.rows_by_loan(data)
		# L3 is closed, L4 only approved, L5 cancelled
		self.assertEqual(set(rows), {self.l1, self.l2})
		l1 = rows[self.l1]
		self.assertEqual(
			(l1["employee"], l1["department"], l1["loan_category"], str(l1["disbursement_date"])),
			(self.one, self.department_a, self.personal_category, "2026-01-15"),
		)
		self.assertEqual((l1["principal_lent"], l1["interest_rate"]), (200000, 8))
		# 1,77,769.79 re-amortised over the 22 instalments left, end date kept
		self.assertEqual(l1["emi"], 8714.35)
		self.assertEqual((l1["emis_paid"], l1["total_emis"]), (1, 24))
		self.assertEqual(l1["principal_repaid"], 22230.21)
		self.assertEqual(l1["outstanding_balance"], 177769.79)
		self.assertEqual(str(l1["next_emi_date"]), "2026-04-01")
		self.assertEqual(l1["currency"], "INR")
		l2 = rows[self.l2]
		self.assertEqual((l2["emi"], l2["emis_paid"], l2["total_emis"]), (5500, 1, 12))
		self.assertEqual((l2["principal_repaid"], l2["outstanding_balance"]), (5000, 55000))
		self.assertEqual(str(l2["next_emi_date"]), "2026-05-01")

	def test_summary_and_chart_per_category(self):
		_columns, data, _message, chart, report_summary = self.run_report(
			loan_category=self.personal_category
		)
		self.assertEqual([row["employee_loan"] for row in data], [self.l1])
		cards = self.summary(report_summary)
		self.assertEqual(cards["Active Loans"], 1)
		self.assertEqual(cards["Principal Lent"], 200000)
		self.assertEqual(cards["Outstanding Balance"], 177769.79)
		self.assertEqual(cards["Monthly EMIs"], 8714.35)
		self.assertEqual(chart["data"]["labels"], [self.personal_category])
		self.assertEqual(chart["data"]["datasets"][0]["values"], [177769.79])

		cards = self.summary(self.run_report(department=self.department_b)[4])
		self.assertEqual((cards["Active Loans"], cards["Outstanding Balance"]), (1, 55000))

	def test_filters(self):
		self.assertEqual([row["employee_loan"] for row in self.run_report(employee=self.two)[1]], [self.l2])
		self.assertEqual(
			[row["employee_loan"] for row in self.run_report(department=self.department_a)[1]], [self.l1]
		)
		self.assertEqual(
			[row["employee_loan"] for row in self.run_report(loan_category=self.emergency_category)[1]],
			[self.l2],
		)
		window = self.run_report(from_date="2026-02-01", to_date="2026-02-28", employee=self.one)[1]
		self.assertEqual(window, [])
		self.assertEqual(self.run_report(company="_Test Company 1", employee=self.one)[1], [])

	def test_an_employee_sees_only_their_own_loans(self):
		with as_user(ONE):
			data = execute({})[1]
			self.assertEqual([row["employee_loan"] for row in data], [self.l1])
			self.assertEqual(execute({"employee": self.two})[1], [])
			self.assertEqual(self.summary(execute({})[4])["Active Loans"], 1)
		with as_user(TWO):
			self.assertEqual([row["employee_loan"] for row in execute({})[1]], [self.l2])
		make_user(NOBODY, ["Employee"])
		with as_user(NOBODY):
			_columns, data, message, _chart, _summary = execute({})
			self.assertEqual(data, [])
			self.assertIn("No employee", message)

	def test_the_desk_runs_it_for_an_employee(self):
		from frappe.desk.query_report import run

		with as_user(TWO):
			result = run("Active Loans", {})
		self.assertEqual([row["employee_loan"] for row in result["result"]], [self.l2])

	def test_a_loan_closed_by_its_last_repayment_leaves_the_report(self):
		from employee_loans.employee_loans.doctype.employee_loan.employee_loan import preclose

		preclose(self.l2, "Settled Manually", "2026-05-05")
		self.assertEqual(frappe.db.get_value("Employee Loan", self.l2, "status"), "Closed")
		self.assertNotIn(self.l2, self.rows_by_loan(self.run_report()[1]))

	def test_a_changed_loan_shows_what_it_lent_and_the_rate_in_force(self):
		interest = change_l1(self)
		_columns, data, _message, chart, report_summary = self.run_report(department=self.department_a)
		l1 = self.rows_by_loan(data)[self.l1]
		# the top-up and the holiday's interest are lent too; the restructure's rate is in force
		lent = flt(200000 + 50000 + interest, 2)
		self.assertEqual((l1["principal_lent"], l1["interest_rate"]), (lent, 6))
		self.assertEqual(l1["principal_repaid"], 22230.21)
		# what was lent is what was repaid and what is still owed
		self.assertEqual(flt(l1["principal_repaid"] + l1["outstanding_balance"], 2), lent)
		cards = self.summary(report_summary)
		self.assertEqual(cards["Principal Lent"], lent)
		self.assertEqual(cards["Outstanding Balance"], flt(lent - 22230.21, 2))
		self.assertEqual(chart["data"]["datasets"][0]["values"], [flt(lent - 22230.21, 2)])
		# the other loan's rate and principal are its own
		self.assertEqual(
			[(row["principal_lent"], row["interest_rate"]) for row in self.run_report(employee=self.two)[1]],
			[(60000, 0)],
		)
