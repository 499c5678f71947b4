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

	def test_bad_terms_are_refused_with_the_engine_rule_they_break(self):
		for fields, message in (
			({"maximum_amount": 0}, r"Maximum Amount must be greater than zero"),
			({"maximum_amount": -5}, r"Maximum Amount must be greater than zero"),
			({"rate": 101}, r"Annual Interest Rate must be between 0 and 100"),
			({"rate": -1}, r"Annual Interest Rate must be between 0 and 100"),
			({"rate": 5, "method": "Interest Free"}, r"interest-free loan must have a rate of 0"),
			({"min_months": 0}, r"Minimum Tenure \(Months\) must be at least 1"),
			({"max_months": 601}, r"Maximum Tenure \(Months\) must be at most 600"),
			({"min_months": 12, "max_months": 6}, r"Minimum Tenure \(Months\) 12 is above Maximum Tenure"),
		):
			with self.assertRaisesRegex(frappe.ValidationError, message, msg=str(fields)):
				make_category("Broken", **fields)
		self.assertFalse(frappe.db.exists("Employee Loan Category", "Broken - _TC"))

	def test_the_engine_limits_are_allowed(self):
		name = make_category("Long Home", rate=100, min_months=1, max_months=600)
		self.assertEqual(
			frappe.db.get_value(
				"Employee Loan Category", name, ["interest_method", "maximum_tenure_months"], as_dict=True
			),
			{"interest_method": "Reducing Balance", "maximum_tenure_months": 600},
		)
