import frappe

from employee_loans.tests.base import LoanTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, make_category

test_ignore = IGNORE_TEST_RECORDS


class TestEmployeeLoanCategory(LoanTestCase):
	def test_name_carries_the_company_abbreviation(self):
		self.assertEqual(self.personal, "Personal - _TC")

	def test_zero_rate_is_interest_free(self):
		name = make_category("Festival", rate=0, method="Reducing Balance")
		self.assertEqual(
			frappe.db.get_value("Employee Loan Category", name, "interest_method"), "Interest Free"
		)

	def test_bad_terms_are_refused(self):
		for fields in (
			{"maximum_amount": 0},
			{"rate": 101},
			{"rate": 5, "method": "Interest Free"},
			{"min_months": 12, "max_months": 6},
			{"min_months": 0},
		):
			with self.assertRaises(frappe.ValidationError, msg=str(fields)):
				make_category("Broken", **fields)
		self.assertFalse(frappe.db.exists("Employee Loan Category", "Broken - _TC"))
