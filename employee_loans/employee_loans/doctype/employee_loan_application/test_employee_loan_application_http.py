"""Decisions over HTTP, through the real WSGI application and a real login: a GET request changes
nothing, and submitting through the REST API is held to the same rules as the Decide actions."""

from urllib.parse import urlencode

import frappe
from frappe.tests.test_api import make_request
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_test_client

from employee_loans.tests.utils import (
	IGNORE_TEST_RECORDS,
	PASSWORD,
	apply,
	make_category,
	make_employee,
	set_settings,
)

test_ignore = IGNORE_TEST_RECORDS

APPLICATION = "Employee Loan Application"
METHODS = "employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application"
APPLICANT = "el-http-applicant@example.com"
HR = "el-http-hr@example.com"  # an HR Manager who is an employee too


class TestDecisionsOverHttp(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		set_settings()
		cls.category = make_category(
			"HTTP Personal", maximum_amount=500000, rate=8, min_months=6, max_months=60
		)
		cls.applicant = make_employee(APPLICANT)
		# without the User Permission HRMS adds on an employee's own record, which would hide the others'
		cls.hr_employee = make_employee(
			HR, roles=("HR Manager", "HR User", "Employee"), create_user_permission=0
		)
		frappe.db.commit()  # the HTTP requests run on their own database connection

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		employees = [cls.applicant, cls.hr_employee]
		names = frappe.get_all(APPLICATION, filters={"employee": ("in", employees)}, pluck="name")
		if names:
			frappe.db.delete("Employee Loan Eligibility Finding", {"parent": ("in", names)})
			frappe.db.delete("Employee Loan", {"loan_application": ("in", names)})
			# decided applications refuse deletion through the desk; the test removes its own rows
			frappe.db.delete(APPLICATION, {"name": ("in", names)})
		for employee in employees:
			frappe.delete_doc("Employee", employee, force=True)
		frappe.delete_doc("Employee Loan Category", cls.category, force=True)
		frappe.db.commit()
		super().tearDownClass()

	def pending(self, employee: str) -> str:
		name = apply(employee, self.category, 100000, 12).name
		frappe.db.commit()
		return name

	def login(self, user: str):
		client = get_test_client()
		response = make_request(client.post, ("/api/method/login",), {"data": {"usr": user, "pwd": PASSWORD}})
		self.assertEqual(response.status_code, 200, response.text)
		return client

	def call(self, client, http_method: str, method: str, **args):
		path = f"/api/method/{METHODS}.{method}" if "." not in method else f"/api/method/{method}"
		if http_method == "GET":
			return make_request(client.get, (f"{path}?{urlencode(args)}",))
		return make_request(client.post, (path,), {"data": args})

	def state(self, name: str) -> tuple:
		frappe.db.rollback()  # read what the requests committed, not this connection's snapshot
		status, docstatus = frappe.db.get_value(APPLICATION, name, ["status", "docstatus"])
		return status, docstatus, frappe.db.count("Employee Loan", {"loan_application": name})

	def test_a_get_request_changes_nothing(self):
		application, to_withdraw = self.pending(self.applicant), self.pending(self.applicant)
		hr, applicant = self.login(HR), self.login(APPLICANT)
		applications_before = frappe.db.count(APPLICATION, {"employee": self.applicant})

		for client, method, args in (
			(hr, "approve", {"application": application}),
			(hr, "deny", {"application": application, "reason": "Budget"}),
			(applicant, "withdraw", {"application": to_withdraw}),
			(
				applicant,
				"employee_loans.api.apply_for_loan",
				{"loan_category": self.category, "loan_amount": 5000, "tenure_months": 6, "reason": "x"},
			),
		):
			response = self.call(client, "GET", method, **args)
			self.assertEqual(response.status_code, 403, f"GET {method}: {response.text}")

		self.assertEqual(self.state(application), ("Pending", 0, 0))
		self.assertEqual(self.state(to_withdraw), ("Pending", 0, 0))
		self.assertEqual(frappe.db.count(APPLICATION, {"employee": self.applicant}), applications_before)

		# the same calls as POST do what they say
		response = self.call(hr, "POST", "approve", application=application)
		self.assertEqual(response.status_code, 200, response.text)
		self.assertEqual(self.state(application), ("Approved", 1, 1))
		self.assertEqual(self.call(applicant, "POST", "withdraw", application=to_withdraw).status_code, 200)
		self.assertEqual(self.state(to_withdraw), ("Withdrawn", 2, 0))

	def test_submitting_through_the_rest_api_follows_the_rules(self):
		own, theirs = self.pending(self.hr_employee), self.pending(self.applicant)
		hr, applicant = self.login(HR), self.login(APPLICANT)

		def submit(client, name):
			return make_request(
				client.put,
				(f"/api/resource/{APPLICATION}/{name}",),
				{"json": {"status": "Approved", "docstatus": 1}},
			)

		response = submit(hr, own)  # nobody decides on their own application
		self.assertEqual(response.status_code, 403, response.text)
		self.assertIn("your own loan application", response.text)
		self.assertEqual(self.state(own), ("Pending", 0, 0))

		response = submit(applicant, theirs)  # the Employee role cannot submit
		self.assertEqual(response.status_code, 403, response.text)
		self.assertEqual(self.state(theirs), ("Pending", 0, 0))

		response = submit(hr, theirs)  # HR deciding on someone else's: the loan is created
		self.assertEqual(response.status_code, 200, response.text)
		self.assertEqual(self.state(theirs), ("Approved", 1, 1))
		self.assertEqual(response.json["data"]["decided_by"], HR)
