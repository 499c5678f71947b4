"""What the four loan reports share: the result for a user linked to no Employee record and the
loan filters applied by common.py."""

import os

import frappe
from frappe.desk.query_report import run
from frappe.utils.jinja_globals import bundled_asset

from employee_loans.employee_loans.report.common import no_linked_employee_message
from employee_loans.tests.base import APPLICANT, HR_USER, LoanTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user, make_employee

test_ignore = IGNORE_TEST_RECORDS

BUNDLE = "employee_loans.bundle.js"
REPORTS = ("Active Loans", "Loan Summary", "Loan Deduction", "Loan History")
NO_EMPLOYEE = "el-report-common-nobody@example.com"


class TestLoanReportsShare(LoanTestCase):
	def test_a_user_linked_to_no_employee_gets_the_same_clear_result_in_every_report(self):
		# ERPNext takes the Employee role from a user saved without an Employee record, so the case
		# arises when HR unlinks (or deletes) the record of a user who has the role
		employee = make_employee(NO_EMPLOYEE)
		frappe.db.set_value("Employee", employee, "user_id", None)
		self.assertIn("Employee", frappe.get_roles(NO_EMPLOYEE))
		with as_user(NO_EMPLOYEE):
			results = {report: run(report, {"company": "_Test Company"}) for report in REPORTS}
		for report, result in results.items():
			self.assertEqual(result["result"], [], report)
			self.assertEqual(result["message"], no_linked_employee_message(), report)
			self.assertIn("No employee record is linked to your user", result["message"], report)
			self.assertTrue(result["columns"], report)
			self.assertFalse(result.get("report_summary"), report)

	def test_an_employee_with_a_record_and_hr_get_no_such_message(self):
		for user in (APPLICANT, HR_USER):
			with as_user(user):
				for report in REPORTS:
					result = run(report, {"company": "_Test Company"})
					self.assertNotEqual(result["message"], no_linked_employee_message(), (user, report))

	def test_the_desk_page_includes_the_built_report_filter_script(self):
		"""The report scripts call employee_loans.report_filters, defined in the app's desk bundle: the
		desk page (frappe/www/app.py) includes it and the built file is in the site's assets."""
		self.assertIn(BUNDLE, frappe.get_hooks("app_include_js"))
		url = bundled_asset(BUNDLE)
		self.assertRegex(
			url,
			r"/assets/employee_loans/dist/js/employee_loans\.bundle\.[A-Z0-9]+\.js$",
			"the desk bundle is not built: run `bench build --app employee_loans`",
		)
		path = os.path.join(frappe.local.sites_path, url[url.index("/assets/") + 1 :])
		with open(path) as built:
			script = built.read()
		self.assertIn("report_filters", script)
		self.assertIn("status_colour", script)
