import frappe
from frappe.tests.utils import FrappeTestCase

from employee_loans.tests.utils import assign_structure, make_category, make_employee, make_user, set_settings

HR_MANAGER = "el-hr-manager@example.com"
HR_USER = "el-hr-user@example.com"
APPLICANT = "el-applicant@example.com"
COLLEAGUE = "el-colleague@example.com"


class LoanTestCase(FrappeTestCase):
	"""Common fixture: settings, two categories, HR users and two salaried employees. Each test runs
	inside a savepoint that is rolled back afterwards, so tests never see each other's records."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		set_settings()
		cls.personal = make_category("Personal", maximum_amount=500000, rate=8, min_months=6, max_months=60)
		cls.emergency = make_category(
			"Emergency", maximum_amount=100000, rate=0, method="Interest Free", min_months=1, max_months=12
		)
		make_user(HR_MANAGER, ["HR Manager", "HR User", "Employee"])
		make_user(HR_USER, ["HR User", "Employee"])
		cls.hr_manager_employee = make_employee(HR_MANAGER, roles=("HR Manager", "HR User", "Employee"))
		cls.applicant = make_employee(APPLICANT)
		cls.colleague = make_employee(COLLEAGUE)
		assign_structure(cls.applicant, base=100000)
		assign_structure(cls.colleague, base=50000)

	def setUp(self):
		frappe.set_user("Administrator")
		frappe.db.savepoint("employee_loans_test")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point="employee_loans_test")
		frappe.clear_document_cache("Employee Loan Settings", "Employee Loan Settings")
		# a rollback leaves cached documents as the test changed them (a relieving date, say)
		for employee in (self.applicant, self.colleague, self.hr_manager_employee):
			frappe.clear_document_cache("Employee", employee)
