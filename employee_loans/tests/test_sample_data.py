"""Sample data (employee_loans.sample_data), the benchmarks and the portal's demo data on a real site:
without allow_tests every entry point refuses before it writes anything; with it, the bulk loader's
loans agree with their own repayments and schedules, and removing them leaves nothing behind."""

from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from employee_loans import sample_data
from employee_loans.benchmarks import payroll, report_volume
from employee_loans.e2e import demo_data
from employee_loans.tests.utils import IGNORE_TEST_RECORDS

test_ignore = IGNORE_TEST_RECORDS

PREFIX = "ELSDT"
WRITTEN = ("Employee", "Employee Loan", "Employee Loan Repayment", "Salary Slip", "User", "Department")


def guarded_functions() -> dict:
	"""Every public function of the sample data module, by name."""
	return {
		name: value
		for name, value in vars(sample_data).items()
		if callable(value)
		and not name.startswith("_")
		and getattr(value, "__module__", None) == sample_data.__name__
		and name not in ("require_test_site", "for_test_sites")
	}


class TestSampleData(FrappeTestCase):
	def test_entry_points_refuse_on_a_site_without_allow_tests(self):
		entry_points = {
			"benchmarks.payroll.run": lambda: payroll.run(slips=1, rounds=1),
			"benchmarks.report_volume.run": lambda: report_volume.run(loans=10, repayments=10),
			"benchmarks.report_volume.cleanup": report_volume.cleanup,
			"e2e.demo_data.setup_portal_employee": lambda: demo_data.setup_portal_employee(with_loan=True),
			"e2e.demo_data.remove_demo_loan": demo_data.remove_demo_loan,
			**{f"sample_data.{name}": function for name, function in guarded_functions().items()},
		}
		self.assertIn("sample_data.load_loan_volume", entry_points)
		self.assertIn("sample_data.delete_employees", entry_points)
		before = {doctype: frappe.db.count(doctype) for doctype in WRITTEN}
		with patch.dict(frappe.local.conf, {"allow_tests": 0}):
			for name, entry_point in entry_points.items():
				with self.subTest(entry_point=name):
					with self.assertRaisesRegex(frappe.ValidationError, "allow_tests") as raised:
						entry_point()
					self.assertIn("only run on a test site", str(raised.exception))
		self.assertEqual({doctype: frappe.db.count(doctype) for doctype in WRITTEN}, before)

	def test_bulk_loaded_loans_agree_with_their_repayments_and_schedules(self):
		self.addCleanup(sample_data.remove_loan_volume, PREFIX)
		loaded = sample_data.load_loan_volume(
			PREFIX, sample_data.COMPANY, loans=20, repayments_per_loan=25, schedules=True
		)
		self.assertEqual((loaded["employees"], loaded["loans"]), (2, 20))
		self.assertEqual(loaded["repayments"], 20 * 25)  # no tenure is shorter than 25 months
		loans = frappe.get_all(
			"Employee Loan",
			filters={"name": ("like", f"{PREFIX}-%")},
			fields=["name", "status", "loan_amount", "tenure_months", "outstanding_balance", "principal_repaid",
			        "emis_paid", "next_emi_date", "closure_date"],
		)  # fmt: skip
		self.assertEqual(len(loans), 20)
		for loan in loans:
			with self.subTest(loan=loan.name):
				repayments = frappe.get_all(
					"Employee Loan Repayment",
					filters={"employee_loan": loan.name, "docstatus": 1},
					fields=["principal_amount", "salary_slip", "amount"],
				)
				principal = round(sum(row.principal_amount for row in repayments), 2)
				self.assertEqual(principal, loan.principal_repaid)
				self.assertEqual(round(loan.loan_amount - principal, 2), loan.outstanding_balance)
				self.assertEqual(len(repayments), loan.emis_paid)
				schedule = frappe.get_all(
					"Employee Loan Schedule",
					filters={"parent": loan.name},
					fields=["status", "closing_balance", "paid_amount"],
					order_by="instalment_number",
				)
				self.assertEqual(len(schedule), loan.tenure_months)
				self.assertEqual(schedule[-1].closing_balance, 0)
				self.assertEqual(sum(row.status == "Paid" for row in schedule), loan.emis_paid)
				closed = loan.tenure_months == loan.emis_paid
				self.assertEqual(loan.status, "Closed" if closed else "Disbursed")
				self.assertEqual(bool(loan.closure_date), closed)
				self.assertEqual(bool(loan.next_emi_date), not closed)
				# the payroll repayments are the loan deduction rows of their salary slips
				from_slips = [row for row in repayments if row.salary_slip]
				deducted = frappe.get_all(
					"Salary Detail",
					filters={"employee_loan": loan.name, "parenttype": "Salary Slip"},
					fields=["parent", "amount"],
				)
				self.assertEqual(
					sorted((row.salary_slip, row.amount) for row in from_slips),
					sorted((row.parent, row.amount) for row in deducted),
				)
		sample_data.remove_loan_volume(PREFIX)
		for doctype in ("Employee", "Employee Loan", "Employee Loan Repayment", "Employee Loan Schedule",
		                "Salary Slip", "Salary Detail"):  # fmt: skip
			self.assertFalse(frappe.db.exists(doctype, {"name": ("like", f"{PREFIX}-%")}), doctype)
		self.assertFalse(frappe.db.exists("Employee Loan Category", {"name": ("like", f"{PREFIX} %")}))
		self.assertFalse(frappe.db.exists("Department", {"name": ("like", f"{PREFIX} %")}))
