import frappe
from frappe.utils import flt, today

from employee_loans.employee_loans.report.active_loans.test_active_loans import change_l1
from employee_loans.employee_loans.report.loan_summary.loan_summary import execute
from employee_loans.tests.report_data import ONE, TWO, ReportTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user

test_ignore = IGNORE_TEST_RECORDS

FIGURES = (
	"loans",
	"disbursed_loans",
	"principal_disbursed",
	"amount_recovered",
	"principal_recovered",
	"interest_earned",
	"outstanding",
)


def figures(row):
	return tuple(row[field] for field in FIGURES)


class TestLoanSummary(ReportTestCase):
	def run_report(self, **filters):
		return execute({"company": "_Test Company", **filters})

	def by_group(self, data):
		return {row["group"]: figures(row) for row in data}

	def test_by_category_for_february_and_march(self):
		_columns, data, _message, chart, report_summary = self.run_report(
			from_date="2026-02-01", to_date="2026-03-31", group_by="Category"
		)
		groups = self.by_group(data)
		# L1: disbursed in January; Feb EMI 9,045.46 and Mar partial 5,800; outstanding at 31 Mar
		# 2,00,000 - 7,712.13 - 4,518.08 (the 10,000 of April comes later)
		self.assertEqual(groups[self.personal_category], (1, 0, 0, 14845.46, 12230.21, 2615.25, 187769.79))
		# L2 disbursed 10 Feb (60,000; 5,000 in March) and L3 (1,000 in Feb, skipped in March,
		# 11,000 outstanding until its pre-closure in April); L5 is cancelled
		self.assertEqual(groups[self.emergency_category], (2, 1, 60000, 6000, 6000, 0, 66000))
		self.assertEqual(
			[label for label in chart["data"]["labels"] if label in groups],
			sorted([self.personal_category, self.emergency_category]),
		)

	def test_by_status_at_the_end_of_the_period(self):
		_columns, data, _message, chart, report_summary = self.run_report(
			from_date="2026-01-01", to_date="2026-04-30", group_by="Status", department=self.department_a
		)
		self.assertEqual([row["group"] for row in data], ["Disbursed", "Closed"])
		groups = self.by_group(data)
		self.assertEqual(groups["Disbursed"], (1, 1, 200000, 24845.46, 22230.21, 2615.25, 177769.79))
		self.assertEqual(groups["Closed"], (1, 1, 12000, 12000, 12000, 0, 0))
		cards = self.summary(report_summary)
		self.assertEqual(cards["Loans"], 2)
		self.assertEqual(cards["Principal Disbursed"], 212000)
		self.assertEqual(cards["Recovered"], 36845.46)
		self.assertEqual(cards["Interest Earned"], 2615.25)
		self.assertEqual(cards["Outstanding at To Date"], 177769.79)
		self.assertEqual(chart["data"]["labels"], ["Disbursed", "Closed"])
		self.assertEqual(chart["data"]["datasets"][2]["values"], [177769.79, 0])

		# At the end of March L3 was still running
		data = self.run_report(
			from_date="2026-01-01", to_date="2026-03-31", group_by="Status", department=self.department_a
		)[1]
		self.assertEqual(
			self.by_group(data), {"Disbursed": (2, 2, 212000, 15845.46, 13230.21, 2615.25, 198769.79)}
		)

	def test_approved_loans_awaiting_disbursement(self):
		data = self.run_report(
			from_date="2026-01-01", to_date="2026-12-31", group_by="Status", department=self.department_b
		)[1]
		groups = self.by_group(data)
		self.assertEqual(groups["Approved"], (1, 0, 0, 0, 0, 0, 0))
		self.assertEqual(groups["Disbursed"], (1, 1, 60000, 5000, 5000, 0, 55000))
		self.assertEqual([row["group"] for row in data], ["Approved", "Disbursed"])
		# before its approval on 2 April, L4 is not in the period
		data = self.run_report(
			from_date="2026-01-01", to_date="2026-03-31", group_by="Status", department=self.department_b
		)[1]
		self.assertEqual(set(self.by_group(data)), {"Disbursed"})

	def test_filters(self):
		march = {"from_date": "2026-03-01", "to_date": "2026-03-31"}
		data = self.run_report(**march, employee=self.two)[1]
		self.assertEqual(self.by_group(data), {self.emergency_category: (1, 0, 0, 5000, 5000, 0, 55000)})
		data = self.run_report(**march, loan_category=self.personal_category, employee=self.one)[1]
		self.assertEqual(
			self.by_group(data), {self.personal_category: (1, 0, 0, 5800, 4518.08, 1281.92, 187769.79)}
		)
		# L3 closed on 15 April: not in a period that starts after it
		data = self.run_report(from_date="2026-05-01", to_date="2026-05-31", employee=self.one)[1]
		self.assertEqual(self.by_group(data), {self.personal_category: (1, 0, 0, 0, 0, 0, 177769.79)})

	def test_an_employee_sees_only_their_own_loans(self):
		period = {"from_date": "2026-01-01", "to_date": "2026-04-30", "group_by": "Category"}
		with as_user(TWO):
			data = execute(period)[1]
			# L2, and L4 approved on 2 April and not yet disbursed
			self.assertEqual(
				self.by_group(data),
				{
					self.emergency_category: (1, 1, 60000, 5000, 5000, 0, 55000),
					self.personal_category: (1, 0, 0, 0, 0, 0, 0),
				},
			)
			self.assertEqual(execute({**period, "employee": self.one})[1], [])
		with as_user(ONE):
			data = execute(period)[1]
			self.assertEqual(
				self.by_group(data),
				{
					self.personal_category: (1, 1, 200000, 24845.46, 22230.21, 2615.25, 177769.79),
					self.emergency_category: (1, 1, 12000, 12000, 12000, 0, 0),
				},
			)

	def test_the_desk_runs_it_with_a_total_row(self):
		from frappe.desk.query_report import run

		with as_user(ONE):
			result = run(
				"Loan Summary", {"from_date": "2026-01-01", "to_date": "2026-04-30", "group_by": "Category"}
			)
		fields = [column["fieldname"] for column in result["columns"]]
		total = dict(zip(fields, result["result"][-1], strict=True))
		self.assertEqual(total["loans"], 2)
		self.assertEqual(round(total["amount_recovered"], 2), 36845.46)

	def test_top_ups_are_disbursed_when_applied_and_changes_after_to_date_are_not_outstanding_yet(self):
		# approved today: a top-up of 50,000 and a holiday whose interest is added to the principal
		interest = change_l1(self)
		personal = self.personal_category

		def l1(from_date, to_date):
			data = self.run_report(from_date=from_date, to_date=to_date, employee=self.one)[1]
			return self.by_group(data)[personal]

		# a period up to today: the top-up is disbursed in it, the holiday's interest is owed but was
		# never paid out
		self.assertEqual(
			l1("2026-01-01", today()),
			(1, 1, 250000, 24845.46, 22230.21, 2615.25, flt(177769.79 + 50000 + interest, 2)),
		)
		cards = self.summary(self.run_report(from_date="2026-01-01", to_date=today(), employee=self.one)[4])
		self.assertEqual(cards["Principal Disbursed"], 262000)  # with L3's 12,000
		# today alone: no loan disbursed, the top-up is
		self.assertEqual(l1(today(), today()), (1, 0, 50000, 0, 0, 0, flt(177769.79 + 50000 + interest, 2)))
		# up to 30 April the changes had not happened: the figures are those before them
		self.assertEqual(
			l1("2026-01-01", "2026-04-30"), (1, 1, 200000, 24845.46, 22230.21, 2615.25, 177769.79)
		)
		by_status = self.run_report(
			from_date="2026-01-01", to_date="2026-04-30", group_by="Status", employee=self.one
		)[1]
		self.assertEqual(
			self.by_group(by_status)["Disbursed"][2:], (200000, 24845.46, 22230.21, 2615.25, 177769.79)
		)

		# a cancelled change drops out: the holiday (the latest change) cancelled
		holiday = frappe.get_last_doc(
			"Employee Loan Change", {"employee_loan": self.l1, "change_type": "EMI Holiday"}
		)
		holiday.cancel()
		self.assertEqual(l1("2026-01-01", today()), (1, 1, 250000, 24845.46, 22230.21, 2615.25, 227769.79))
