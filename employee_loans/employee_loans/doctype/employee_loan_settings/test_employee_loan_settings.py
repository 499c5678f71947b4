import frappe

from employee_loans.employee_loans.doctype.employee_loan_settings.employee_loan_settings import (
	load_starter_categories,
)
from employee_loans.tests.base import APPLICANT, LoanTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user, make_component

test_ignore = IGNORE_TEST_RECORDS

STARTERS = {
	"Personal": (500000, 8, "Reducing Balance"),
	"Emergency": (100000, 0, "Interest Free"),
	"Home Advance": (1000000, 6, "Reducing Balance"),
	"Vehicle": (300000, 7, "Reducing Balance"),
	"Education": (200000, 5, "Reducing Balance"),
}


class TestEmployeeLoanSettings(LoanTestCase):
	def test_starter_categories_load_once_for_a_company(self):
		frappe.db.delete("Employee Loan Category", {"company": "_Test Company"})
		created = load_starter_categories("_Test Company")
		self.assertEqual(len(created), 5)
		rows = frappe.get_all(
			"Employee Loan Category",
			filters={"company": "_Test Company"},
			fields=["category_name", "maximum_amount", "annual_interest_rate", "interest_method"],
		)
		self.assertEqual(
			{
				row.category_name: (row.maximum_amount, row.annual_interest_rate, row.interest_method)
				for row in rows
			},
			STARTERS,
		)
		self.assertEqual(load_starter_categories("_Test Company"), [])

	def test_existing_categories_are_left_alone(self):
		frappe.db.set_value("Employee Loan Category", self.personal, "maximum_amount", 123456)
		load_starter_categories("_Test Company")
		self.assertEqual(
			frappe.db.get_value("Employee Loan Category", self.personal, "maximum_amount"), 123456
		)

	def test_employees_cannot_load_categories_or_change_settings(self):
		with as_user(APPLICANT):
			with self.assertRaises(frappe.PermissionError):
				load_starter_categories("_Test Company")
			settings = frappe.get_doc("Employee Loan Settings")
			settings.emi_limit_percent = 99
			with self.assertRaises(frappe.PermissionError):
				settings.save()

	def test_invalid_settings_are_refused(self):
		settings = frappe.get_doc("Employee Loan Settings")
		settings.emi_limit_percent = 101
		with self.assertRaisesRegex(frappe.ValidationError, "EMI Limit"):
			settings.save()
		settings.reload()
		settings.deduction_component = make_component("EL Bonus", "ELBN", "Earning")
		with self.assertRaises(frappe.ValidationError) as raised:
			settings.save()
		self.assertIn("Deduction component", str(raised.exception))
		self.assertEqual(
			frappe.db.get_single_value("Employee Loan Settings", "deduction_component"), "Loan EMI"
		)

	def test_install_created_the_component_and_fields(self):
		self.assertEqual(frappe.db.get_value("Salary Component", "Loan EMI", "type"), "Deduction")
		for fieldname in ("employee_loan", "loan_deduction_note"):
			self.assertTrue(frappe.db.exists("Custom Field", {"dt": "Salary Detail", "fieldname": fieldname}))
