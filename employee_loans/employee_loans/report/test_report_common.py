"""What the four loan reports share: the result for a user linked to no Employee record and the
loan filters applied by common.py."""

from frappe.desk.query_report import run

from employee_loans.employee_loans.report.common import no_linked_employee_message
from employee_loans.tests.base import APPLICANT, HR_USER, LoanTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user, make_user

test_ignore = IGNORE_TEST_RECORDS

REPORTS = ("Active Loans", "Loan Summary", "Loan Deduction", "Loan History")
NO_EMPLOYEE = "el-report-common-nobody@example.com"


class TestLoanReportsShare(LoanTestCase):
	def test_a_user_linked_to_no_employee_gets_the_same_clear_result_in_every_report(self):
		make_user(NO_EMPLOYEE, ["Employee"])
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
