import frappe

from employee_loans.employee_loans.report.loan_deduction.loan_deduction import execute
from employee_loans.tests.report_data import NOBODY, ONE, TWO, ReportTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user, make_user

test_ignore = IGNORE_TEST_RECORDS

SHORT = "Partial - Short Net Pay"
SKIPPED = "Skipped - Short Net Pay"


def figures(row):
	return (
		row["scheduled_amount"],
		row["amount"],
		row["shortfall"],
		row["principal_amount"],
		row["interest_amount"],
		row["reason"],
	)


class TestLoanDeduction(ReportTestCase):
	def run_report(self, **filters):
		return execute({"company": "_Test Company", **filters})

	def test_one_row_per_payroll_recovery_with_the_figures_of_the_slip(self):
		columns, data, _message, chart, report_summary = self.run_report(
			from_date="2026-02-01", to_date="2026-04-30", employee=self.one
		)
		self.assertEqual(
			[(row["payroll_end_date"].isoformat(), row["employee_loan"]) for row in data],
			[
				("2026-02-28", self.l1),
				("2026-02-28", self.l3),
				("2026-03-31", self.l1),
				("2026-03-31", self.l3),
			],
		)
		self.assertEqual(figures(data[0]), (9045.46, 9045.46, 0, 7712.13, 1333.33, None))
		self.assertEqual(figures(data[1]), (1000, 1000, 0, 1000, 0, None))
		self.assertEqual(figures(data[2]), (9045.46, 5800, 3245.46, 4518.08, 1281.92, SHORT))
		self.assertEqual(figures(data[3]), (1000, 0, 1000, 0, 0, SKIPPED))
		self.assertEqual(data[2]["salary_slip"], self.slips[("one", "2026-03")])
		self.assertEqual(data[2]["payroll_start_date"].isoformat(), "2026-03-01")
		self.assertEqual(data[2]["instalment_number"], "2")
		self.assertEqual(data[2]["department"], self.department_a)
		self.assertEqual(data[2]["currency"], "INR")
		self.assertIn("5800", data[2]["note"])
		self.assertNotIn(self.manual_repayment, [row["repayment"] for row in data])
		self.assertIn("shortfall", [column["fieldname"] for column in columns])

		cards = self.summary(report_summary)
		self.assertEqual(cards["Deductions"], 4)
		self.assertEqual(cards["EMIs Due"], 20090.92)
		self.assertEqual(cards["Deducted"], 15845.46)
		self.assertEqual(cards["Short of EMI"], 4245.46)
		self.assertEqual(cards["Principal Recovered"], 13230.21)
		self.assertEqual(cards["Interest Recovered"], 2615.25)
		self.assertEqual(chart["data"]["labels"], ["Feb 2026", "Mar 2026"])
		self.assertEqual(chart["data"]["datasets"][0]["values"], [10045.46, 10045.46])
		self.assertEqual(chart["data"]["datasets"][1]["values"], [10045.46, 5800])

	def test_totals_reconcile_with_the_submitted_slips_to_the_paisa(self):
		for filters in (
			{"from_date": "2026-02-01", "to_date": "2026-04-30", "employee": self.one},
			{"from_date": "2026-03-01", "to_date": "2026-03-31", "department": self.department_b},
			{"from_date": "2026-01-01", "to_date": "2026-12-31", "loan_category": self.emergency_category},
		):
			_columns, data, _message, _chart, report_summary = self.run_report(**filters)
			cards = self.summary(report_summary)
			slip_lines = self.slip_loan_lines(filters)
			self.assertEqual(cards["Loan Deductions on Salary Slips"], slip_lines, filters)
			self.assertEqual(cards["Deducted"], slip_lines, filters)
			self.assertEqual(cards["Difference"], 0, filters)
			self.assertEqual(round(sum(row["amount"] for row in data), 2), slip_lines, filters)

	def test_the_whole_company_reconciles_slip_by_slip(self):
		# without a category or department, the slips' side is each slip's stored Loan Deductions
		year = {"from_date": "2026-01-01", "to_date": "2026-12-31"}
		cards = self.summary(self.run_report(**year)[4])
		slips = frappe.get_all(
			"Salary Slip",
			filters={
				"company": "_Test Company",
				"docstatus": 1,
				"end_date": ("between", list(year.values())),
			},
			pluck="name",
		)
		rows = frappe.get_all(
			"Salary Detail",
			filters={"parent": ("in", slips), "parentfield": "deductions", "employee_loan": ("is", "set")},
			pluck="amount",
		)
		self.assertGreater(len(rows), 5)
		on_slips = round(sum(rows), 2)
		self.assertEqual(cards["Loan Deductions on Salary Slips"], on_slips)
		# The whole company's slips may hold loan rows this test did not make: 0 on a fresh site, and on
		# one where the app was uninstalled and installed again, the deductions of slips whose loans and
		# repayments went with it, shown as the difference they are.
		recovered = frappe.get_all(
			"Employee Loan Repayment",
			filters={
				"company": "_Test Company",
				"docstatus": 1,
				"repayment_type": "Salary Slip",
				"payroll_end_date": ("between", list(year.values())),
			},
			pluck="amount",
		)
		self.assertEqual(cards["Deducted"], round(sum(recovered), 2))
		self.assertEqual(cards["Difference"], round(sum(recovered) - on_slips, 2))

	def slip_loan_lines(self, filters) -> float:
		"""By hand, from the slips themselves: the deduction rows that carry a loan."""
		total = 0
		for slip_name in self.slips.values():
			slip = frappe.get_doc("Salary Slip", slip_name)
			if not (filters["from_date"] <= str(slip.end_date) <= filters["to_date"]):
				continue
			if filters.get("employee") and slip.employee != filters["employee"]:
				continue
			for row in slip.deductions:
				if not row.employee_loan:
					continue
				loan = frappe.db.get_value(
					"Employee Loan", row.employee_loan, ["department", "loan_category"], as_dict=True
				)
				if filters.get("department") and loan.department != filters["department"]:
					continue
				if filters.get("loan_category") and loan.loan_category != filters["loan_category"]:
					continue
				total += row.amount
		return round(total, 2)

	def test_filters(self):
		march = {"from_date": "2026-03-01", "to_date": "2026-03-31"}
		data = self.run_report(**march, loan_category=self.personal_category)[1]
		self.assertEqual([row["employee_loan"] for row in data if row["employee_loan"] == self.l1], [self.l1])
		self.assertNotIn(self.l2, [row["employee_loan"] for row in data])
		data = self.run_report(**march, department=self.department_b)[1]
		self.assertEqual([(row["employee_loan"], row["amount"]) for row in data], [(self.l2, 5000)])
		data = self.run_report(from_date="2026-04-01", to_date="2026-04-30", employee=self.two)[1]
		self.assertEqual([figures(row) for row in data], [(5000, 0, 5000, 0, 0, SKIPPED)])
		self.assertEqual(
			self.run_report(from_date="2026-05-01", to_date="2026-05-31", employee=self.two)[1], []
		)
		# the loans' company, through the filters every loan report shares; the slips' side follows
		_columns, data, _message, _chart, report_summary = self.run_report(**march, company="_Test Company 1")
		self.assertEqual(data, [])
		self.assertEqual(self.summary(report_summary)["Loan Deductions on Salary Slips"], 0)
		with self.assertRaisesRegex(frappe.ValidationError, r"From Date .* is after To Date"):
			self.run_report(from_date="2026-05-01", to_date="2026-04-30")

	def test_a_cancelled_slip_leaves_the_report(self):
		slip = frappe.get_doc("Salary Slip", self.slips[("two", "2026-04")])
		slip.cancel()
		data = self.run_report(from_date="2026-04-01", to_date="2026-04-30", employee=self.two)[1]
		self.assertEqual(data, [])

	def test_an_employee_sees_only_their_own_deductions(self):
		period = {"from_date": "2026-02-01", "to_date": "2026-04-30"}
		with as_user(TWO):
			data = execute(period)[1]
			self.assertEqual({row["employee"] for row in data}, {self.two})
			self.assertEqual(len(data), 2)
			self.assertEqual(execute({**period, "employee": self.one})[1], [])
			cards = self.summary(execute(period)[4])
			self.assertEqual(cards["Loan Deductions on Salary Slips"], 5000)
			self.assertEqual(cards["Difference"], 0)
		with as_user(ONE):
			self.assertEqual({row["employee"] for row in execute(period)[1]}, {self.one})
		make_user(NOBODY, ["Employee"])
		with as_user(NOBODY):
			self.assertEqual(execute(period)[1], [])

	def test_the_desk_runs_it_for_an_employee(self):
		from frappe.desk.query_report import run

		with as_user(ONE):
			result = run("Loan Deduction", {"from_date": "2026-02-01", "to_date": "2026-04-30"})
		self.assertEqual({row["employee"] for row in result["result"]}, {self.one})
		self.assertEqual(len(result["result"]), 4)
