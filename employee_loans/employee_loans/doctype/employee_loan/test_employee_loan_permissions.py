"""Nobody sees a colleague's loan: the desk's document and list paths, the whitelisted actions, and the
REST API (over HTTP, through the real WSGI application)."""

import frappe
import frappe.client
from frappe.tests.test_api import make_request
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_test_client

from employee_loans.api import preview_application
from employee_loans.employee_loans.doctype.employee_loan.employee_loan import disburse, preclose, reopen
from employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application import (
	approve,
	get_approval_context,
	withdraw,
)
from employee_loans.tests.base import APPLICANT, HR_USER, LoanTestCase
from employee_loans.tests.utils import (
	IGNORE_TEST_RECORDS,
	PASSWORD,
	apply,
	approve_and_disburse,
	as_user,
	make_category,
	make_employee,
	set_settings,
)

test_ignore = IGNORE_TEST_RECORDS

APPLICATION, LOAN, REPAYMENT = "Employee Loan Application", "Employee Loan", "Employee Loan Repayment"


class TestOwnRecordsOnly(LoanTestCase):
	def setUp(self):
		super().setUp()
		self.own_app = apply(self.applicant, self.personal, 100000, 12, posting_date="2026-01-05")
		self.own_loan = approve_and_disburse(self.own_app.name)
		self.their_app = apply(self.colleague, self.personal, 50000, 12, posting_date="2026-01-05")
		self.their_loan = approve_and_disburse(self.their_app.name)
		self.their_pending = apply(self.colleague, self.emergency, 5000, 6)
		self.their_repayment = frappe.get_doc(
			{
				"doctype": REPAYMENT,
				"employee_loan": self.their_loan,
				"amount": 1000,
				"repayment_type": "Manual",
			}
		).insert()
		self.their_repayment.submit()

	def test_lists_show_only_own_records(self):
		with as_user(APPLICANT):
			self.assertEqual(frappe.get_list(LOAN, pluck="name"), [self.own_loan])
			self.assertEqual(set(frappe.get_list(APPLICATION, pluck="employee")), {self.applicant})
			self.assertEqual(frappe.get_list(REPAYMENT, pluck="name"), [])
			# the functions behind /api/resource lists
			self.assertEqual(
				[row["name"] for row in frappe.client.get_list(LOAN, fields=["name"])], [self.own_loan]
			)
			self.assertEqual(frappe.client.get_count(LOAN), 1)
		with as_user(HR_USER):
			self.assertTrue({self.own_loan, self.their_loan} <= set(frappe.get_list(LOAN, pluck="name")))

	def test_reading_a_colleagues_documents_is_refused(self):
		with as_user(APPLICANT):
			for doctype, name in (
				(LOAN, self.their_loan),
				(APPLICATION, self.their_app.name),
				(REPAYMENT, self.their_repayment.name),
			):
				self.assertFalse(frappe.has_permission(doctype, "read", doc=name))
				with self.assertRaises(frappe.PermissionError):
					frappe.client.get(doctype, name)
			self.assertTrue(frappe.has_permission(LOAN, "read", doc=self.own_loan))
			self.assertEqual(frappe.client.get(LOAN, self.own_loan)["name"], self.own_loan)

	def test_changing_a_colleagues_application_is_refused(self):
		with as_user(APPLICANT):
			doc = frappe.get_doc(APPLICATION, self.their_pending.name)
			doc.loan_amount = 1
			with self.assertRaises(frappe.PermissionError):
				doc.save()
			with self.assertRaises(frappe.PermissionError):
				frappe.client.set_value(APPLICATION, self.their_pending.name, "reason", "mine now")
		self.assertEqual(frappe.db.get_value(APPLICATION, self.their_pending.name, "loan_amount"), 5000)

	def test_actions_on_a_colleagues_records_are_refused(self):
		with as_user(APPLICANT):
			for action in (
				lambda: get_approval_context(self.their_pending.name),
				lambda: withdraw(self.their_pending.name),
				lambda: approve(self.their_pending.name),
				lambda: preview_application(self.personal, 10000, 12, employee=self.colleague),
				lambda: disburse(self.their_loan, "2026-02-01"),
				lambda: preclose(self.their_loan, "Settled Manually"),
				lambda: reopen(self.their_loan, "because"),
			):
				with self.assertRaises(frappe.PermissionError):
					action()
		self.assertEqual(frappe.db.get_value(APPLICATION, self.their_pending.name, "status"), "Pending")
		self.assertEqual(frappe.db.get_value(LOAN, self.their_loan, "status"), "Disbursed")

	def test_employee_can_preview_and_read_their_own(self):
		with as_user(APPLICANT):
			preview = preview_application(self.personal, 200000, 24)
			self.assertEqual(preview["emi"], 9045.46)
			self.assertEqual(get_approval_context(self.own_app.name)["net_salary"], 99800)

	def test_user_without_employee_sees_nothing(self):
		from employee_loans.tests.utils import make_user

		make_user("el-stranger@example.com", ["Employee"])
		with as_user("el-stranger@example.com"):
			try:
				rows = frappe.get_list(LOAN)
			except frappe.PermissionError:
				rows = []
			self.assertEqual(rows, [])
			with self.assertRaises(frappe.PermissionError):
				preview_application(self.personal, 10000, 12)


class TestRestApiOwnRecordsOnly(FrappeTestCase):
	"""Over HTTP: committed records, a real login, the real /api/resource routes."""

	OWNER = "el-rest-owner@example.com"
	OTHER = "el-rest-other@example.com"

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		set_settings()
		cls.category = make_category(
			"REST Personal", maximum_amount=500000, rate=8, min_months=6, max_months=60
		)
		cls.owner_employee = make_employee(cls.OWNER)
		cls.other_employee = make_employee(cls.OTHER)
		cls.own_app = apply(cls.owner_employee, cls.category, 100000, 12, posting_date="2026-01-05")
		cls.own_loan = approve_and_disburse(cls.own_app.name)
		cls.other_app = apply(cls.other_employee, cls.category, 50000, 12, posting_date="2026-01-05")
		cls.other_loan = approve_and_disburse(cls.other_app.name)
		frappe.db.commit()  # the HTTP requests run on their own database connection

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		for loan in (cls.own_loan, cls.other_loan):
			frappe.db.set_value(APPLICATION, {"employee_loan": loan}, "employee_loan", None)
			frappe.get_doc(LOAN, loan).cancel()
			frappe.delete_doc(LOAN, loan, force=True)
		# decided applications refuse deletion through the desk; the test removes its own rows
		frappe.db.delete(APPLICATION, {"name": ("in", [cls.own_app.name, cls.other_app.name])})
		for employee in (cls.owner_employee, cls.other_employee):
			frappe.delete_doc("Employee", employee, force=True)
		frappe.delete_doc("Employee Loan Category", cls.category, force=True)
		frappe.db.commit()
		super().tearDownClass()

	def login(self, user):
		client = get_test_client()
		response = make_request(client.post, ("/api/method/login",), {"data": {"usr": user, "pwd": PASSWORD}})
		self.assertEqual(response.status_code, 200, response.text)
		return client

	def get(self, client, path):
		return make_request(client.get, (path,))

	def test_rest_read_of_a_colleagues_loan_is_refused(self):
		client = self.login(self.OWNER)
		self.assertEqual(self.get(client, f"/api/resource/{LOAN}/{self.own_loan}").status_code, 200)
		for doctype, name in ((LOAN, self.other_loan), (APPLICATION, self.other_app.name)):
			response = self.get(client, f"/api/resource/{doctype}/{name}")
			self.assertEqual(response.status_code, 403, response.text)
			self.assertNotIn(self.other_employee, response.text)

	def test_rest_list_shows_only_own_records(self):
		client = self.login(self.OWNER)
		for doctype, own in ((LOAN, self.own_loan), (APPLICATION, self.own_app.name)):
			response = self.get(
				client, f'/api/resource/{doctype}?fields=["name","employee"]&limit_page_length=0'
			)
			self.assertEqual(response.status_code, 200, response.text)
			rows = response.json["data"]
			self.assertEqual([row["name"] for row in rows], [own])
			self.assertEqual({row["employee"] for row in rows}, {self.owner_employee})

	def test_rest_update_of_a_colleagues_application_is_refused(self):
		client = self.login(self.OWNER)
		response = make_request(
			client.put, (f"/api/resource/{APPLICATION}/{self.other_app.name}",), {"json": {"reason": "mine"}}
		)
		self.assertIn(response.status_code, (403, 417), response.text)
		self.assertEqual(frappe.db.get_value(APPLICATION, self.other_app.name, "reason"), "Family needs")

	def test_rest_action_on_a_colleagues_loan_is_refused(self):
		client = self.login(self.OWNER)
		response = make_request(
			client.post,
			("/api/method/employee_loans.employee_loans.doctype.employee_loan.employee_loan.preclose",),
			{"data": {"loan": self.other_loan, "mode": "Settled Manually"}},
		)
		self.assertEqual(response.status_code, 403, response.text)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(LOAN, self.other_loan, "status"), "Disbursed")
