"""The loan page's change requests (www/my-loans/loan): an employee asks for an EMI holiday or a top-up of
their own disbursed loan through the same whitelisted methods as the page's script, sees their own
changes only, and is refused for a colleague's loan or a restructure, with nothing written."""

import json
import os

import frappe
from frappe.translate import extract_messages_from_javascript_code
from frappe.utils import getdate

from employee_loans.employee_loans.doctype.employee_loan_change.test_employee_loan_change import (
	ChangeTestCase,
)
from employee_loans.portal import LOAN_SCRIPT_MESSAGES
from employee_loans.tests.base import APPLICANT, COLLEAGUE
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user, count
from employee_loans.www.test_portal import page_context, render, state_colour, withdraw_buttons

test_ignore = IGNORE_TEST_RECORDS

CHANGE = "Employee Loan Change"
LOAN_PAGE = "/my-loans/loan"


class TestPortalChanges(ChangeTestCase):
	def setUp(self):
		super().setUp()
		self.own_loan = self.disbursed_loan()  # 1,20,000 at 8 % over 12 months from January 2026
		self.their_loan = self.disbursed_loan(employee=self.colleague, amount=60000)
		self.request_before = getattr(frappe.local, "request", None)

	def tearDown(self):
		frappe.local.form_dict = frappe._dict()
		frappe.local.request = self.request_before
		super().tearDown()

	def page_call(self, context, method: str, values: dict):
		"""What the page's script calls: the method named on the page, with `values` as JSON."""
		return frappe.get_attr(context.change_methods[method])(values=json.dumps(values))

	def test_loan_page_offers_the_requests_for_the_employees_own_disbursed_loan_only(self):
		with as_user(APPLICANT):
			context = page_context(LOAN_PAGE, name=self.own_loan)
			status, html, _location = render(LOAN_PAGE, name=self.own_loan)
		self.assertTrue(context.can_request_change)
		# nothing deducted yet: the holiday may start in any of the twelve pending months
		self.assertEqual(context.holiday_first_months[0]["value"], "2026-01-01")
		self.assertEqual(context.holiday_first_months[0]["label"], "January 2026")
		self.assertEqual(len(context.holiday_first_months), 12)
		self.assertEqual(status, 200)
		for marker in (
			'id="emi-holiday-form"',
			'id="top-up-form"',
			"Ask for an EMI holiday",
			"Ask for a top-up",
		):
			self.assertIn(marker, html)
		self.assertIn("employee_loan_change.get_preview", html)
		self.assertIn("employee_loan_change.request_change", html)
		self.assertIn("loan-change-form", html)  # the page's own script, inlined
		self.assertIn("Fill in the form to see your new EMI.", json.loads(context.translated_messages))
		with as_user(APPLICANT):
			status, html, _location = render(LOAN_PAGE, name=self.their_loan)
		self.assertEqual(status, 403)
		self.assertNotIn("emi-holiday-form", html)
		self.assertNotIn(self.their_loan + "-CHG", html)

	def test_holiday_requested_as_the_page_does_is_pending_with_the_previewed_figures(self):
		values = {
			"employee_loan": self.own_loan,
			"change_type": "EMI Holiday",
			"from_date": "2026-03-01",
			"holiday_months": "2",
		}
		with as_user(APPLICANT):
			context = page_context(LOAN_PAGE, name=self.own_loan)
			preview = self.page_call(context, "preview", values)
			change = self.page_call(context, "request", {**values, "reason": "Sister's wedding"})
			after = page_context(LOAN_PAGE, name=self.own_loan, requested=change)
			status, html, _location = render(LOAN_PAGE, name=self.own_loan, requested=change)
		self.assertEqual(getdate(preview["end_date_after"]), getdate("2027-02-01"))  # two months later
		doc = frappe.get_doc(CHANGE, change)
		self.assertEqual(
			(doc.status, doc.docstatus, doc.employee, doc.requested_by, doc.reason),
			("Pending", 0, self.applicant, APPLICANT, "Sister's wedding"),
		)
		self.assertEqual((getdate(doc.from_date), doc.holiday_months), (getdate("2026-03-01"), 2))
		self.assertEqual(doc.emi_after, preview["emi_after"])
		self.assertEqual(getdate(doc.end_date_after), getdate("2027-02-01"))
		self.assertEqual([row.name for row in after.changes], [change])
		shown = after.changes[0]
		self.assertEqual((shown.status, shown.from_month), ("Pending", "March 2026"))
		self.assertEqual(shown.indicator, state_colour(CHANGE, "Pending"))
		self.assertEqual(after.requested, change)
		self.assertEqual(status, 200)
		self.assertIn('data-loans-portal="change-requested"', html)
		self.assertIn(f'data-change="{change}"', html)

	def test_a_pending_request_is_withdrawn_from_the_page(self):
		values = {
			"employee_loan": self.own_loan,
			"change_type": "EMI Holiday",
			"from_date": "2026-03-01",
			"holiday_months": "1",
			"reason": "Sister's wedding",
		}
		with as_user(APPLICANT):
			context = page_context(LOAN_PAGE, name=self.own_loan)
			change = self.page_call(context, "request", values)
			pending = page_context(LOAN_PAGE, name=self.own_loan)
			_status, html, _location = render(LOAN_PAGE, name=self.own_loan)
		self.assertTrue(pending.changes[0].can_withdraw)
		self.assertIn(f'data-withdraw-change="{change}"', html)
		# what the page's button calls: the method it names, with the change
		((method, args),) = withdraw_buttons(html)
		self.assertEqual((method, args), (pending.withdraw_change_method, {"change": change}))
		self.assertTrue(method.endswith("employee_loan_change.withdraw"))
		with as_user(APPLICANT):
			frappe.get_attr(method)(**args)
			after = page_context(LOAN_PAGE, name=self.own_loan)
			_status, html, _location = render(LOAN_PAGE, name=self.own_loan)
		self.assertEqual(frappe.db.get_value(CHANGE, change, ["status", "docstatus"]), ("Withdrawn", 2))
		shown = after.changes[0]
		self.assertEqual((shown.name, shown.status, shown.can_withdraw), (change, "Withdrawn", False))
		self.assertEqual(shown.indicator, state_colour(CHANGE, "Withdrawn"))
		self.assertNotIn("data-withdraw-change=", html)
		self.assertEqual(withdraw_buttons(html), [])

	def test_top_up_requested_as_the_page_does_is_pending_with_its_new_emi(self):
		values = {"employee_loan": self.own_loan, "change_type": "Top-up", "top_up_amount": "30000"}
		with as_user(APPLICANT):
			context = page_context(LOAN_PAGE, name=self.own_loan)
			preview = self.page_call(context, "preview", values)
			change = self.page_call(context, "request", {**values, "reason": "Roof repairs"})
		doc = frappe.get_doc(CHANGE, change)
		self.assertEqual((doc.status, doc.change_type, doc.top_up_amount), ("Pending", "Top-up", 30000))
		self.assertGreater(doc.emi_after, doc.emi_before)
		self.assertEqual(doc.emi_after, preview["emi_after"])
		self.assertEqual(doc.outstanding_after, doc.outstanding_before + 30000)

	def test_a_colleagues_loan_is_refused_and_nothing_is_written(self):
		before = count(CHANGE)
		values = {
			"employee_loan": self.their_loan,
			"change_type": "EMI Holiday",
			"from_date": "2026-03-01",
			"holiday_months": "1",
			"reason": "Festival",
		}
		with as_user(APPLICANT):
			context = page_context(LOAN_PAGE, name=self.own_loan)
			for method in ("preview", "request"):
				with self.subTest(method=method), self.assertRaises(frappe.PermissionError):
					self.page_call(context, method, values)
			with self.assertRaises(frappe.PermissionError):
				self.page_call(
					context, "request", {**values, "change_type": "Top-up", "top_up_amount": "1000"}
				)
		self.assertEqual(count(CHANGE), before)
		# the applicant's own change is theirs alone: the colleague's page never lists it
		mine = self.request(
			self.own_loan, user=APPLICANT, from_date="2026-03-01", holiday_months=1, reason="Festival"
		)
		with as_user(COLLEAGUE):
			theirs = page_context(LOAN_PAGE, name=self.their_loan)
			_status, html, _location = render(LOAN_PAGE, name=self.their_loan)
		self.assertEqual(theirs.changes, [])
		self.assertNotIn(mine, html)

	def test_a_restructure_asked_by_an_employee_is_refused_and_nothing_is_written(self):
		before = count(CHANGE)
		values = {
			"employee_loan": self.own_loan,
			"change_type": "Restructure",
			"from_date": "2026-03-01",
			"new_term_months": "20",
			"reason": "Lower EMI",
		}
		with as_user(APPLICANT):
			context = page_context(LOAN_PAGE, name=self.own_loan)
			for method in ("preview", "request"):
				with (
					self.subTest(method=method),
					self.assertRaisesRegex(frappe.PermissionError, "Only HR can restructure"),
				):
					self.page_call(context, method, values)
		self.assertEqual(count(CHANGE), before)

	def test_loan_script_gets_the_translations_of_every_message_it_uses(self):
		# the page's own script, and the Withdraw buttons' script it includes
		used = set()
		for script in ("www/my-loans/loan.js", "templates/includes/loans_portal_withdraw.js"):
			with open(
				os.path.join(frappe.get_app_path("employee_loans"), script), encoding="utf-8"
			) as source:
				used |= {
					message for _line, message, _ctx in extract_messages_from_javascript_code(source.read())
				}
		self.assertEqual(used, set(LOAN_SCRIPT_MESSAGES))
