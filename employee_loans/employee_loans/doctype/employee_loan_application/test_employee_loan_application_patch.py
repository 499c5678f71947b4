"""The patch that moves applications decided before decisions were submits: Pending stays a draft,
Approved and Denied become submitted, Withdrawn cancelled, and no field is lost."""

import frappe

from employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application import (
	approve,
)
from employee_loans.patches.v0_2 import submit_decided_loan_applications
from employee_loans.tests.base import APPLICANT, HR_USER, LoanTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user

test_ignore = IGNORE_TEST_RECORDS

APPLICATION = "Employee Loan Application"
FINDING = "Employee Loan Eligibility Finding"
OLD_ROWS = {
	# status: (name, decided fields of an application made before the change)
	"Pending": ("ELA-OLD-PENDING", {}),
	"Approved": ("ELA-OLD-APPROVED", {"decided_by": HR_USER, "decided_on": "2026-02-03 10:00:00"}),
	"Denied": (
		"ELA-OLD-DENIED",
		{"decided_by": HR_USER, "decided_on": "2026-02-04 11:00:00", "denial_reason": "Budget"},
	),
	"Withdrawn": ("ELA-OLD-WITHDRAWN", {"decided_by": APPLICANT, "decided_on": "2026-02-05"}),
}


class TestSubmitDecidedApplicationsPatch(LoanTestCase):
	def write_old_style(self, status: str, name: str, decided: dict) -> None:
		"""An application as the app stored it before: docstatus 0 whatever its status, with a finding."""
		doc = frappe.get_doc(
			{
				"doctype": APPLICATION,
				"name": name,
				"naming_series": "ELA-.YYYY.-",
				"employee": self.applicant,
				"employee_name": "el-applicant",
				"company": "_Test Company",
				"posting_date": "2026-02-01",
				"status": status,
				"loan_category": self.personal,
				"interest_method": "Reducing Balance",
				"annual_interest_rate": 8,
				"loan_amount": 200000,
				"tenure_months": 24,
				"reason": "Family needs",
				"emi": 9045.46,
				"total_interest": 17090.98,
				"total_payable": 217090.98,
				"net_salary": 99800,
				"salary_source": "Salary Structure Assignment",
				"has_warnings": 1,
				"modified": "2026-02-06 09:00:00",
				"creation": "2026-02-01 09:00:00",
				"docstatus": 0,
				**decided,
			}
		)
		doc.db_insert()
		finding = frappe.get_doc(
			{
				"doctype": FINDING,
				"name": f"{name}-F1",
				"parent": name,
				"parenttype": APPLICATION,
				"parentfield": "findings",
				"idx": 1,
				"rule": "EMI to Net Salary",
				"severity": "Warn",
				"message": "The EMI is 9.06 % of net salary.",
				"docstatus": 0,
			}
		)
		finding.db_insert()

	def snapshot(self) -> dict:
		names = [name for name, _decided in OLD_ROWS.values()]
		rows = frappe.get_all(APPLICATION, filters={"name": ("in", names)}, fields=["*"])
		findings = frappe.get_all(FINDING, filters={"parent": ("in", names)}, fields=["*"])
		return {row.name: row for row in rows + findings}

	def test_applications_move_to_the_docstatus_of_their_decision_and_keep_every_field(self):
		for status, (name, decided) in OLD_ROWS.items():
			self.write_old_style(status, name, decided)
		before = self.snapshot()

		submit_decided_loan_applications.execute()
		after = self.snapshot()

		expected = {"Pending": 0, "Approved": 1, "Denied": 1, "Withdrawn": 2}
		for status, (name, _decided) in OLD_ROWS.items():
			for row in (name, f"{name}-F1"):
				self.assertEqual(after[row].docstatus, expected[status], row)
				unchanged = {key: value for key, value in before[row].items() if key != "docstatus"}
				self.assertEqual(
					{key: after[row][key] for key in unchanged}, unchanged, f"{row} lost or changed a field"
				)

		submit_decided_loan_applications.execute()  # again: nothing moves twice
		self.assertEqual(self.snapshot(), after)

	def test_moved_applications_behave_as_new_ones(self):
		for status, (name, decided) in OLD_ROWS.items():
			self.write_old_style(status, name, decided)
		submit_decided_loan_applications.execute()

		approved = frappe.get_doc(APPLICATION, "ELA-OLD-APPROVED")
		approved.loan_amount = 1
		with self.assertRaisesRegex(frappe.ValidationError, "Not allowed to change .*Loan Amount"):
			approved.save()
		withdrawn = frappe.get_doc(APPLICATION, "ELA-OLD-WITHDRAWN")
		withdrawn.reason = "x"
		with self.assertRaisesRegex(frappe.ValidationError, "Cannot edit cancelled document"):
			withdrawn.save()
		# the Pending one is still a draft that HR can decide
		with as_user(HR_USER):
			loan = approve("ELA-OLD-PENDING")
		self.assertEqual(
			frappe.db.get_value(APPLICATION, "ELA-OLD-PENDING", ["status", "docstatus", "employee_loan"]),
			("Approved", 1, loan),
		)
