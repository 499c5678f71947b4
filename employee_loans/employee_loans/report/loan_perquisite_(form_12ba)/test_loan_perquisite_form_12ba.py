"""Loan Perquisite (Form 12BA): the year's taxable value is what the submitted slips charged."""

from decimal import Decimal

import frappe
from frappe.desk.query_report import run
from frappe.query_builder.functions import Sum

from employee_loans.employee_loans.report.active_loans.test_active_loans import approved_change
from employee_loans.payroll_hooks.test_payroll_perquisite import PerquisiteTestCase, perquisite_rows
from employee_loans.tests.base import APPLICANT, COLLEAGUE
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user, make_slip

test_ignore = IGNORE_TEST_RECORDS

REPORT = "Loan Perquisite (Form 12BA)"


def money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def slips_total(employee: str, start="2026-04-01", end="2027-03-31") -> Decimal:
	"""The perquisite rows of the employee's submitted slips of the financial year, straight from the
	tables."""
	slip, detail = frappe.qb.DocType("Salary Slip"), frappe.qb.DocType("Salary Detail")
	total = (
		frappe.qb.from_(detail)
		.join(slip)
		.on(detail.parent == slip.name)
		.select(Sum(detail.amount))
		.where(
			(slip.employee == employee)
			& (slip.docstatus == 1)
			& (slip.end_date[start:end])
			& (detail.parentfield == "earnings")
			& detail.employee_loan.isnotnull()
		)
		.run()
	)[0][0]
	return money(total)


class TestLoanPerquisiteReport(PerquisiteTestCase):
	def report(self, **filters):
		return run(REPORT, {"company": "_Test Company", "financial_year": "2026-27", **filters})

	def test_the_year_total_is_the_sum_of_the_slips_perquisite_rows(self):
		loan = self.loan(self.advance, 500000, 10)
		make_slip(self.applicant, "2026-03-01", submit=True)  # FY 2025-26: not in this year's report
		make_slip(self.applicant, "2026-04-01", submit=True)
		may = make_slip(self.applicant, "2026-05-01", submit=True)
		june = make_slip(self.applicant, "2026-06-01", submit=True)
		june.cancel()  # a cancelled slip charged nothing
		result = self.report()
		data = result["result"]
		self.assertEqual([row["indent"] for row in data], [0, 1, 2, 2])
		employee, loan_row, april_row, may_row = data
		self.assertEqual((employee["employee"], loan_row["employee_loan"]), (self.applicant, loan))
		self.assertEqual(
			[
				(
					row["balance"],
					row["benchmark_rate"],
					row["value"],
					row["interest_recovered"],
					row["taxable_value"],
				)
				for row in (april_row, may_row)
			],
			[(450000, 9, 3375, 0, 3375), (400000, 9, 3000, 0, 3000)],
		)
		self.assertEqual((april_row["label"], may_row["salary_slip"]), ("April 2026", may.name))
		self.assertEqual((april_row["remark"], may_row["remark"]), (None, None))
		self.assertEqual(slips_total(self.applicant), Decimal("6375.00"))
		for total in (employee, loan_row):
			self.assertEqual(money(total["taxable_value"]), slips_total(self.applicant))
			self.assertEqual(money(total["value"]), Decimal("6375.00"))
		cards = {card["label"]: card["value"] for card in result["report_summary"]}
		self.assertEqual(money(cards["Taxable Value 2026-27"]), slips_total(self.applicant))
		self.assertEqual((cards["Employees"], cards["Loans"]), (1, 1))
		# the year before: the March slip alone, at 11 % on 5,00,000
		previous = self.report(financial_year="2025-26")["result"]
		self.assertEqual(
			[money(row["taxable_value"]) for row in previous if row["indent"] == 2], [Decimal("4583.33")]
		)

	def test_a_repayment_posted_after_the_slip_is_pointed_out(self):
		loan = self.loan(self.advance, 500000, 10)
		make_slip(self.applicant, "2026-04-01", submit=True)
		prepayment = frappe.get_doc(
			{
				"doctype": "Employee Loan Repayment",
				"employee_loan": loan,
				"repayment_type": "Manual",
				"amount": 50000,
				"posting_date": "2026-04-28",
			}
		).insert()
		prepayment.submit()
		(month,) = [row for row in self.report()["result"] if row["indent"] == 2]
		# the slip charged 3,375.00 on 4,50,000; with the prepayment the balance on 30 April was 4,00,000
		self.assertEqual((month["taxable_value"], month["balance"], month["value"]), (3375, 400000, 3000))
		self.assertIn("changed after the salary slip: the rule now gives", month["remark"])

	def test_a_top_up_is_lent_from_the_day_it_is_applied_as_payroll_counts_it(self):
		# each step on its day, so the top-up takes its place between the two slips
		with self.freeze_time("2026-03-15 10:00:00", tick=True):
			loan = self.loan(self.advance, 500000, 10)  # 50,000 a month from April 2026
		with self.freeze_time("2026-04-28 10:00:00", tick=True):
			make_slip(self.applicant, "2026-04-01", submit=True)
		with self.freeze_time("2026-05-10 10:00:00", tick=True):
			approved_change(loan, "Top-up", top_up_amount=50000)
		with self.freeze_time("2026-05-28 10:00:00", tick=True):
			may = make_slip(self.applicant, "2026-05-01", submit=True)
		# 4,50,000 + 50,000 over the 9 instalments left (end date kept): 55,555.56 in May leaves
		# 4,44,444.44 on 31 May, 9 % of which for the month is 3,333.33
		(charged,) = perquisite_rows(may)
		self.assertEqual(money(charged.amount), Decimal("3333.33"))
		months = [row for row in self.report()["result"] if row["indent"] == 2]
		self.assertEqual(
			[(row["label"], row["balance"], row["value"], row["taxable_value"]) for row in months],
			[("April 2026", 450000, 3375, 3375), ("May 2026", 444444.44, 3333.33, 3333.33)],
		)
		# the report and payroll agree: nothing changed after the slips
		self.assertEqual([row["remark"] for row in months], [None, None])

	def test_each_month_shows_the_loan_rate_in_force_then(self):
		with self.freeze_time("2026-03-15 10:00:00", tick=True):
			loan = self.loan(self.vehicle, 500000, 10)  # 8 %, below the 9 % benchmark for a vehicle
		for day, month in (("2026-04-28", "2026-04-01"), ("2026-05-28", "2026-05-01")):
			with self.freeze_time(f"{day} 10:00:00", tick=True):
				make_slip(self.applicant, month, submit=True)
		with self.freeze_time("2026-05-30 10:00:00", tick=True):
			approved_change(
				loan,
				"Restructure",
				from_date="2026-06-01",
				new_term_months=8,
				change_interest_rate=1,
				new_interest_rate=6,
			)
		with self.freeze_time("2026-06-28 10:00:00", tick=True):
			make_slip(self.applicant, "2026-06-01", submit=True)
		data = self.report()["result"]
		loan_row = next(row for row in data if row["indent"] == 1)
		months = [(row["label"], row["loan_rate"]) for row in data if row["indent"] == 2]
		self.assertEqual(months, [("April 2026", 8), ("May 2026", 8), ("June 2026", 6)])
		self.assertEqual((loan_row["employee_loan"], loan_row["loan_rate"]), (loan, 6))

	def test_an_employee_sees_only_their_own_rows(self):
		self.loan(self.advance, 500000, 10)
		make_slip(self.applicant, "2026-04-01", submit=True)
		with as_user(APPLICANT):
			own = self.report()["result"]
		with as_user(COLLEAGUE):
			other = self.report()
		self.assertEqual({row["employee"] for row in own}, {self.applicant})
		self.assertEqual(other["result"], [])
		self.assertIn("No salary slip of financial year 2026-27 carries a perquisite", other["message"])

	def test_a_financial_year_that_is_not_one_is_refused_with_the_form_to_use(self):
		with self.assertRaisesRegex(
			frappe.ValidationError, r"Financial Year 2026 is not a year like \d{4}-\d{2}"
		):
			self.report(financial_year="2026")
