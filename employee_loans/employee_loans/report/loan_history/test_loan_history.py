import frappe
from frappe.utils import flt

from employee_loans.employee_loans.report.active_loans.test_active_loans import change_l1
from employee_loans.employee_loans.report.loan_history.loan_history import execute
from employee_loans.tests.report_data import NOBODY, ONE, TWO, ReportTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user, make_user, set_settings

test_ignore = IGNORE_TEST_RECORDS


def dates(row):
	return tuple(
		str(row[field]) if row[field] else None
		for field in ("applied_on", "approved_on", "disbursement_date", "closure_date")
	)


def repaid(row):
	return (row["principal_repaid"], row["interest_paid"], row["amount_repaid"], row["outstanding_balance"])


class TestLoanHistory(ReportTestCase):
	def run_report(self, **filters):
		return execute({"company": "_Test Company", **filters})

	def test_every_loan_open_and_closed(self):
		_columns, data, _message, _chart, _summary = self.run_report()
		rows = self.rows_by_loan(data)
		self.assertEqual(set(rows), {self.l1, self.l2, self.l3, self.l4, self.l5})
		self.assertEqual(
			{loan: rows[loan]["status"] for loan in rows},
			{
				self.l1: "Disbursed",
				self.l2: "Disbursed",
				self.l3: "Closed",
				self.l4: "Approved",
				self.l5: "Cancelled",
			},
		)
		self.assertEqual(dates(rows[self.l1]), ("2026-01-05", "2026-01-06", "2026-01-15", None))
		self.assertEqual(repaid(rows[self.l1]), (22230.21, 2615.25, 24845.46, 177769.79))
		self.assertFalse(rows[self.l1]["closure_type"])
		l3 = rows[self.l3]
		self.assertEqual(dates(l3), ("2026-01-10", "2026-01-18", "2026-01-20", "2026-04-15"))
		self.assertEqual(l3["closure_type"], "Pre-closed (Settled Manually)")
		self.assertEqual(repaid(l3), (12000, 0, 12000, 0))
		# February's slip paid one instalment; the pre-closure settled April's (as payroll would)
		self.assertEqual(l3["emis_paid"], 2)
		self.assertEqual(dates(rows[self.l4]), ("2026-04-01", "2026-04-02", None, None))
		self.assertEqual(rows[self.l5]["closure_type"], "Cancelled")
		self.assertEqual(
			rows[self.l1]["loan_application"],
			frappe.db.get_value("Employee Loan", self.l1, "loan_application"),
		)

	def test_summary_and_chart(self):
		_columns, data, _message, chart, report_summary = self.run_report(department=self.department_a)
		self.assertEqual([row["employee_loan"] for row in data], [self.l3, self.l1])  # latest approval first
		cards = self.summary(report_summary)
		self.assertEqual((cards["Loans"], cards["Open"], cards["Closed"]), (2, 1, 1))
		self.assertEqual(cards["Principal"], 212000)
		self.assertEqual(cards["Total Repaid"], 36845.46)
		self.assertEqual(cards["Outstanding Balance"], 177769.79)
		labels = dict(zip(chart["data"]["labels"], chart["data"]["datasets"][0]["values"], strict=True))
		self.assertEqual(labels, {"Disbursed": 1, "Pre-closed (Settled Manually)": 1})

		cards = self.summary(self.run_report(department=self.department_b)[4])
		self.assertEqual((cards["Loans"], cards["Open"], cards["Closed"]), (3, 2, 0))
		self.assertEqual(cards["Total Repaid"], 5000)
		self.assertEqual(cards["Outstanding Balance"], 55000)

	def test_filters(self):
		def loans(**filters):
			return sorted(self.rows_by_loan(self.run_report(**filters)[1]))

		self.assertEqual(loans(status="Closed", department=self.department_a), [self.l3])
		self.assertEqual(loans(employee=self.two), sorted([self.l2, self.l4, self.l5]))
		self.assertEqual(loans(loan_category=self.personal_category), sorted([self.l1, self.l4]))
		# from 1 May: L3 (closed 15 April) is history before the period
		self.assertEqual(loans(from_date="2026-05-01", department=self.department_a), [self.l1])
		# to 12 January: only L1 had been approved
		self.assertEqual(loans(to_date="2026-01-12", department=self.department_a), [self.l1])
		self.assertEqual(loans(to_date="2026-01-31", department=self.department_b), [])

	def test_an_employee_sees_only_their_own_loans(self):
		with as_user(TWO):
			data = execute({})[1]
			self.assertEqual(
				sorted(row["employee_loan"] for row in data), sorted([self.l2, self.l4, self.l5])
			)
			self.assertEqual(execute({"department": self.department_a})[1], [])
		with as_user(ONE):
			self.assertEqual(
				sorted(row["employee_loan"] for row in execute({})[1]), sorted([self.l1, self.l3])
			)
		make_user(NOBODY, ["Employee"])
		with as_user(NOBODY):
			self.assertEqual(execute({})[1], [])

	def test_the_desk_runs_it_for_an_employee(self):
		from frappe.desk.query_report import run

		with as_user(ONE):
			result = run("Loan History", {})
		self.assertEqual(sorted(row["employee_loan"] for row in result["result"]), sorted([self.l1, self.l3]))

	def test_changes_counts_each_loans_approved_changes(self):
		from employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change import (
			approve,
			deny,
			request_change,
		)

		set_settings(max_holiday_months_per_loan=3, max_holiday_months_per_year=2, holiday_interest="Waived")

		def request(loan, change_type="EMI Holiday", **values):
			return request_change(
				{"employee_loan": loan, "change_type": change_type, "reason": "Family wedding", **values}
			)

		def queries() -> int:
			"""The queries of one run (caches warmed first)."""
			self.run_report()
			original, count = frappe.db.sql, []

			def counted(*args, **kwargs):
				count.append(1)
				return original(*args, **kwargs)

			frappe.db.sql = counted
			try:
				self.run_report()
			finally:
				frappe.db.sql = original
			return len(count)

		before = queries()
		approve(request(self.l1, from_date="2027-01-01", holiday_months=1))
		approve(request(self.l1, "Restructure", from_date="2027-03-01", new_term_months=12))
		cancelled = request(self.l2, from_date="2026-09-01", holiday_months=1)
		approve(cancelled)
		frappe.get_doc("Employee Loan Change", cancelled).cancel()
		deny(request(self.l2, from_date="2026-10-01", holiday_months=1), "Too many requests this year")
		request(self.l2, from_date="2026-11-01", holiday_months=1)  # still pending

		columns, data = self.run_report()[:2]
		self.assertIn("changes", [column["fieldname"] for column in columns])
		rows = self.rows_by_loan(data)
		self.assertEqual(
			{loan: rows[loan]["changes"] for loan in rows},
			{self.l1: 2, self.l2: 0, self.l3: 0, self.l4: 0, self.l5: 0},
		)
		# the count is joined to the loans' query: no query per loan or per change
		self.assertEqual(queries(), before)

	def test_a_changed_loan_shows_what_it_lent_and_the_rate_in_force(self):
		interest = change_l1(self)
		_columns, data, _message, _chart, report_summary = self.run_report(department=self.department_a)
		rows = self.rows_by_loan(data)
		lent = flt(200000 + 50000 + interest, 2)
		l1 = rows[self.l1]
		self.assertEqual((l1["principal_lent"], l1["interest_rate"], l1["changes"]), (lent, 6, 3))
		# principal repaid and outstanding add up to what was lent, top-up and holiday interest included
		self.assertEqual(flt(l1["principal_repaid"] + l1["outstanding_balance"], 2), lent)
		self.assertEqual((rows[self.l3]["principal_lent"], rows[self.l3]["interest_rate"]), (12000, 0))
		cards = self.summary(report_summary)
		self.assertEqual(cards["Principal"], flt(lent + 12000, 2))
		self.assertEqual(cards["Outstanding Balance"], flt(lent - 22230.21, 2))
