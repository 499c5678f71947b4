"""The self-service pages (www/my-loans, www/apply-for-loan) and the portal's whitelisted methods: an
employee sees and acts on their own records only, a user without an Employee gets a clear page, guests
go to the login page, and an application made from the portal is validated exactly as in the desk."""

import json
import os
import re
from decimal import Decimal
from html import unescape
from unittest.mock import patch
from urllib.parse import parse_qs, urlparse

import frappe
from frappe.translate import extract_messages_from_javascript_code
from frappe.utils import fmt_money, set_request
from frappe.website.serve import get_response

from employee_loans.api import apply_for_loan, preview_application
from employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application import (
	approve,
	deny,
	withdraw,
)
from employee_loans.portal import (
	APPLY_SCRIPT_MESSAGES,
	STATEMENT_PRINT_FORMAT,
	WITHDRAW_SCRIPT_MESSAGES,
)
from employee_loans.tests.base import APPLICANT, HR_MANAGER, LoanTestCase
from employee_loans.tests.utils import (
	IGNORE_TEST_RECORDS,
	apply,
	approve_and_disburse,
	as_user,
	count,
	make_category,
	make_slip,
	make_user,
	set_settings,
)

test_ignore = IGNORE_TEST_RECORDS

APPLICATION, LOAN = "Employee Loan Application", "Employee Loan"
NOBODY = "el-portal-nobody@example.com"  # a user with the Employee role but no Employee record
PAGES = {
	"/my-loans": "my-loans.index",
	"/my-loans/loan": "my-loans.loan",
	"/my-loans/application": "my-loans.application",
	"/apply-for-loan": "apply-for-loan.index",
}


NOT_YOURS = "is not one of yours"
NOT_LINKED = "not linked to an Employee"


def state_colour(doctype: str, status: str) -> str:
	"""The indicator colour the desk shows for `status`: the DocType's `states`."""
	states = {state.title: state.color for state in frappe.get_meta(doctype).states}
	if status not in states:
		raise AssertionError(
			f"{doctype} has no state (colour) for {status!r}: add it to the DocType's states"
		)
	return states[status].lower().replace(" ", "-")


def withdraw_buttons(html: str) -> list[tuple[str, dict]]:
	"""What each Withdraw button of a rendered page calls (loans_portal_withdraw.js): its method and
	arguments."""
	return [
		(method, json.loads(unescape(args)))
		for method, args in re.findall(r'data-withdraw-method="([^"]+)" data-withdraw-args="([^"]+)"', html)
	]


def money(value) -> str:
	return fmt_money(
		value, precision=2, currency=frappe.get_cached_value("Company", "_Test Company", "default_currency")
	)


def page_context(route: str, **query) -> frappe._dict:
	"""What the page's get_context gives for `route?query`, as the current user."""
	frappe.local.form_dict = frappe._dict(query)
	set_request(method="GET", path=route, query_string=query)
	context = frappe._dict()
	frappe.get_module(f"employee_loans.www.{PAGES[route]}").get_context(context)
	return context


def render(route: str, **query):
	"""The page as the website serves it: (HTTP status, HTML, Location header)."""
	frappe.local.form_dict = frappe._dict(query)
	frappe.local.response = frappe._dict({"docs": []})
	frappe.flags.redirect_location = None
	set_request(method="GET", path=route, query_string=query)
	response = get_response(route)
	return response.status_code, response.get_data(as_text=True), response.headers.get("Location")


class TestLoanPortal(LoanTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(NOBODY, ["Employee"])

	def setUp(self):
		super().setUp()
		self.own_pending = apply(self.applicant, self.emergency, 6000, 6)
		self.own_application = apply(self.applicant, self.personal, 120000, 12, posting_date="2026-01-05")
		self.own_loan = approve_and_disburse(self.own_application.name, "2026-01-15")
		self.their_application = apply(self.colleague, self.personal, 60000, 12, posting_date="2026-01-05")
		self.their_loan = approve_and_disburse(self.their_application.name, "2026-01-15")
		self.their_pending = apply(self.colleague, self.emergency, 3000, 6)

		self.request = getattr(frappe.local, "request", None)

	def tearDown(self):
		frappe.local.form_dict = frappe._dict()
		frappe.local.request = self.request
		super().tearDown()

	# -- My Loans -----------------------------------------------------------------------------------

	def test_my_loans_lists_own_applications_and_loans_only(self):
		with as_user(APPLICANT):
			context = page_context("/my-loans")
		self.assertFalse(context.no_employee)
		self.assertEqual([loan.name for loan in context.loans], [self.own_loan])
		self.assertEqual(
			{application.name for application in context.applications},
			{self.own_pending.name, self.own_application.name},
		)
		loan = context.loans[0]
		stored = frappe.get_doc(LOAN, self.own_loan)
		self.assertEqual(loan.status, "Disbursed")
		self.assertEqual(loan.category_name, "Personal")
		self.assertEqual(loan.emi_display, money(stored.emi))
		self.assertEqual(loan.outstanding_display, money(120000))
		self.assertEqual(loan.next_emi_display, frappe.utils.format_date(stored.next_emi_date))
		self.assertIn(f"name={self.own_loan}", loan.route)
		self.assertEqual(loan.indicator, state_colour(LOAN, "Disbursed"))
		pending = next(a for a in context.applications if a.name == self.own_pending.name)
		self.assertEqual(
			(pending.status, pending.indicator), ("Pending", state_colour(APPLICATION, "Pending"))
		)
		self.assertEqual(pending.emi_display, money(1000))
		approved = next(a for a in context.applications if a.name == self.own_application.name)
		self.assertIn(f"name={self.own_loan}", approved.loan_route)
		self.assertTrue(context.can_apply)
		with as_user(APPLICANT):
			status, html, _location = render("/my-loans")
		self.assertEqual(status, 200)
		for own in (self.own_loan, self.own_pending.name, self.own_application.name):
			self.assertIn(own, html)
		for theirs in (self.their_loan, self.their_application.name, self.their_pending.name):
			self.assertNotIn(theirs, html)
		self.assertIn("Decided Applications (1)", html)  # the approved one, folded away

	def test_empty_states_when_the_employee_has_nothing_yet(self):
		frappe.db.delete("Employee Loan Repayment", {"employee": self.applicant})
		frappe.db.delete(LOAN, {"employee": self.applicant})
		frappe.db.delete(APPLICATION, {"employee": self.applicant})
		with as_user(APPLICANT):
			context = page_context("/my-loans")
			status, html, _location = render("/my-loans")
		self.assertEqual((context.loans, context.applications), ([], []))
		self.assertEqual(status, 200)
		self.assertIn("No loans yet", html)
		self.assertIn("No applications yet", html)
		self.assertIn('href="/apply-for-loan"', html)

	def test_hr_users_see_only_their_own_loans_in_the_portal(self):
		with as_user(HR_MANAGER):
			context = page_context("/my-loans")
			self.assertEqual((context.loans, context.applications), ([], []))
			with self.assertRaisesRegex(frappe.PermissionError, NOT_YOURS):
				page_context("/my-loans/loan", name=self.own_loan)

	# -- one loan -----------------------------------------------------------------------------------

	def test_loan_page_shows_the_full_schedule_with_paid_rows_and_the_repayments(self):
		slip = make_slip(self.applicant, "2026-02-01", submit=True)  # deducts the first EMI
		repayment = frappe.get_doc(
			{
				"doctype": "Employee Loan Repayment",
				"employee_loan": self.own_loan,
				"amount": 5000,
				"repayment_type": "Manual",
				"posting_date": "2026-03-10",
				"reference": "CHQ-77",
			}
		).insert()
		repayment.submit()
		with as_user(APPLICANT):
			context = page_context("/my-loans/loan", name=self.own_loan)
			status, html, _location = render("/my-loans/loan", name=self.own_loan)
		self.assertEqual(context.loan.name, self.own_loan)
		self.assertEqual(len(context.schedule), 12)
		self.assertTrue(context.schedule[0].paid)
		self.assertEqual(context.schedule[0].indicator, state_colour("Employee Loan Schedule", "Paid"))
		self.assertEqual(context.schedule[1].indicator, state_colour("Employee Loan Schedule", "Pending"))
		self.assertEqual(context.status_color, state_colour(LOAN, "Disbursed"))
		self.assertFalse(any(row.paid for row in context.schedule[1:]))
		self.assertEqual(
			[(r.salary_slip, r.repayment_type) for r in context.repayments],
			[(slip.name, "Salary Slip"), (None, "Manual")],
		)
		self.assertEqual(context.repayments[1].name, repayment.name)
		self.assertEqual(status, 200)
		self.assertIn("loan-row-paid", html)
		self.assertIn("CHQ-77", html)
		self.assertIn("Repayment Schedule", html)

	def test_statement_link_appears_once_the_print_format_exists(self):
		frappe.db.delete("Print Format", {"name": STATEMENT_PRINT_FORMAT})
		with as_user(APPLICANT):
			self.assertIsNone(page_context("/my-loans/loan", name=self.own_loan).statement)
		frappe.get_doc(
			{
				"doctype": "Print Format",
				"name": STATEMENT_PRINT_FORMAT,
				"doc_type": LOAN,
				"standard": "No",
				"custom_format": 1,
				"print_format_type": "Jinja",
				"html": "<p>{{ doc.name }}</p>",
			}
		).insert(ignore_permissions=True)
		with as_user(APPLICANT):
			statement = page_context("/my-loans/loan", name=self.own_loan).statement
		view = urlparse(statement["view"])
		self.assertEqual(view.path, "/printview")
		self.assertEqual(
			parse_qs(view.query),
			{"doctype": [LOAN], "name": [self.own_loan], "format": [STATEMENT_PRINT_FORMAT]},
		)
		self.assertTrue(statement["pdf"].startswith("/api/method/frappe.utils.print_format.download_pdf?"))

	def test_approved_loan_not_yet_disbursed_explains_the_missing_schedule(self):
		application = apply(self.applicant, self.personal, 20000, 6)
		loan = approve(application.name)
		with as_user(APPLICANT):
			context = page_context("/my-loans/loan", name=loan)
			status, html, _location = render("/my-loans/loan", name=loan)
		self.assertEqual(context.schedule, [])
		self.assertEqual(status, 200)
		self.assertIn("Schedule not generated yet", html)

	def test_another_employees_loan_or_application_is_refused(self):
		with as_user(APPLICANT):
			for route, name in (
				("/my-loans/loan", self.their_loan),
				("/my-loans/loan", "EL-2026-99999"),  # a name that does not exist: the same refusal
				("/my-loans/loan", None),
				("/my-loans/application", self.their_pending.name),
				("/my-loans/application", self.their_application.name),
				("/my-loans/application", "ELA-2026-99999"),
			):
				with (
					self.subTest(route=route, name=name),
					self.assertRaisesRegex(frappe.PermissionError, NOT_YOURS),
				):
					page_context(route, **({"name": name} if name else {}))
			status, html, _location = render("/my-loans/loan", name=self.their_loan)
		self.assertEqual(status, 403)
		self.assertIn("not one of yours", html)
		self.assertNotIn("60,000", html)

	# -- users who may not use the portal ------------------------------------------------------------

	def test_user_not_linked_to_an_employee_gets_a_clear_page(self):
		with as_user(NOBODY):
			for route in PAGES:
				with self.subTest(route=route):
					context = page_context(route, name=self.own_loan)
					self.assertTrue(context.no_employee)
					self.assertFalse(context.get("loan") or context.get("application"))
					status, html, _location = render(route, name=self.own_loan)
					self.assertEqual(status, 200)
					self.assertIn('data-loans-portal="not-linked"', html)
					self.assertNotIn("Traceback", html)
			with self.assertRaisesRegex(frappe.PermissionError, NOT_LINKED):
				apply_for_loan(self.personal, 10000, 6, "Repairs")
			with self.assertRaisesRegex(frappe.PermissionError, NOT_LINKED):
				preview_application(self.personal, 10000, 6)

	def test_guests_are_sent_to_the_login_page(self):
		with as_user("Guest"):
			for route in PAGES:
				with self.subTest(route=route):
					with self.assertRaises(frappe.Redirect) as raised:
						page_context(route)
					self.assertEqual(raised.exception.http_status_code, 302)
					location = urlparse(frappe.local.flags.redirect_location)
					self.assertEqual(location.path, "/login")
					self.assertTrue(parse_qs(location.query)["redirect-to"][0].startswith(route))
			status, _html, location = render("/my-loans")
			self.assertEqual(status, 302)
			self.assertTrue(location.startswith("/login?redirect-to=%2Fmy-loans"))
			with self.assertRaisesRegex(frappe.PermissionError, NOT_LINKED):
				apply_for_loan(self.personal, 10000, 6, "Repairs")

	# -- Apply for a loan ---------------------------------------------------------------------------

	def test_apply_page_offers_the_enabled_categories_of_the_employees_company(self):
		disabled = make_category("Festival", maximum_amount=20000, rate=0, method="Interest Free")
		frappe.db.set_value("Employee Loan Category", disabled, "disabled", 1)
		with as_user(APPLICANT):
			context = page_context("/apply-for-loan", category=self.emergency)
			status, html, _location = render("/apply-for-loan")
		offered = {c.name for c in context.categories}
		self.assertLessEqual({self.personal, self.emergency}, offered)
		self.assertNotIn(disabled, offered)
		enabled_of_company = set(
			frappe.get_all(
				"Employee Loan Category", filters={"company": "_Test Company", "disabled": 0}, pluck="name"
			)
		)
		self.assertEqual(offered, enabled_of_company)
		self.assertEqual(context.chosen_category, self.emergency)
		self.assertEqual(context.currency["precision"], 2)
		personal = next(c for c in context.categories if c.name == self.personal)
		self.assertIn(money(500000), personal.info)
		self.assertIn("6 to 60 months", personal.info)
		self.assertEqual(json.loads(context.translated_messages)["Calculating..."], "Calculating...")
		self.assertEqual(status, 200)
		self.assertIn('id="loan-application-form"', html)
		self.assertNotIn(disabled, html)
		# the page's own assets (index.js, index.css), inlined by Frappe's page renderer
		self.assertIn("employee_loans.api.preview_application", html)
		self.assertIn("frappe.call(", html)
		self.assertIn(".loan-preview-emi", html)
		self.assertIn("frappe._messages = Object.assign(frappe._messages || {},", html)

	def test_apply_page_when_applications_are_closed(self):
		set_settings(enable_applications=0)
		with as_user(APPLICANT):
			context = page_context("/apply-for-loan")
			status, html, _location = render("/apply-for-loan")
		self.assertFalse(context.applications_open)
		self.assertEqual(status, 200)
		self.assertIn("Applications are closed", html)
		self.assertNotIn('id="loan-application-form"', html)

	def test_application_from_the_portal_is_pending_with_the_engines_emi(self):
		with as_user(APPLICANT):
			preview = preview_application(self.personal, "200000", "24")
			result = apply_for_loan(self.personal, "200000", "24", "  Home repairs  ")
			context = page_context("/my-loans", applied=result["name"])
		application = frappe.get_doc(APPLICATION, result["name"])
		self.assertEqual((application.status, application.employee), ("Pending", self.applicant))
		self.assertEqual(application.owner, APPLICANT)
		self.assertEqual(application.reason, "Home repairs")
		self.assertEqual(Decimal(str(application.emi)), Decimal("9045.46"))
		self.assertEqual(application.emi, preview["emi"])
		self.assertEqual(result["emi"], application.emi)
		self.assertEqual(context.applied, result["name"])
		self.assertIn(result["name"], [a.name for a in context.applications])

	def test_portal_application_is_validated_as_in_the_desk(self):
		foreign_company = frappe.get_all(
			"Company", filters={"name": ("!=", "_Test Company")}, pluck="name", limit=1
		)
		foreign = make_category("Foreign", company=foreign_company[0]) if foreign_company else None
		disabled = make_category("Festival", maximum_amount=20000, rate=0, method="Interest Free")
		frappe.db.set_value("Employee Loan Category", disabled, "disabled", 1)
		before = count(APPLICATION)
		cases = [
			("above this category's maximum", (self.personal, 500001, 12, "Car")),
			("outside this category's bounds", (self.personal, 10000, 3, "Car")),
			("greater than zero", (self.personal, "abc", 12, "Car")),
			("is disabled", (disabled, 10000, 6, "Car")),
			("Give the reason", (self.personal, 10000, 12, "   ")),
		]
		if foreign:
			cases.append(("belongs to", (foreign, 10000, 12, "Car")))
		with as_user(APPLICANT):
			for message, args in cases:
				with self.subTest(message=message), self.assertRaises(frappe.ValidationError) as raised:
					apply_for_loan(*args)
				self.assertIn(message, str(raised.exception))
		set_settings(emi_limit_percent=5, emi_limit_action="Block")
		with as_user(APPLICANT), self.assertRaises(frappe.ValidationError) as raised:
			apply_for_loan(self.personal, 200000, 24, "Car")
		self.assertIn("above the 5", str(raised.exception))
		self.assertEqual(count(APPLICATION), before, "a refused application must leave nothing behind")

	def test_methods_never_act_for_another_employee(self):
		with as_user(APPLICANT):
			# an `employee` smuggled into the request is not an argument of apply_for_loan: ignored
			result = frappe.call(
				"employee_loans.api.apply_for_loan",
				loan_category=self.emergency,
				loan_amount=5000,
				tenure_months=5,
				reason="School fees",
				employee=self.colleague,
			)
			self.assertEqual(frappe.db.get_value(APPLICATION, result["name"], "employee"), self.applicant)
			with self.assertRaisesRegex(frappe.PermissionError, "only see your own loans"):
				preview_application(self.personal, 10000, 12, employee=self.colleague)
			with self.assertRaisesRegex(frappe.PermissionError, "not permitted to write"):
				withdraw(self.their_pending.name)
		self.assertEqual(frappe.db.get_value(APPLICATION, self.their_pending.name, "status"), "Pending")

	# -- one application, withdraw --------------------------------------------------------------------

	def test_employee_withdraws_a_pending_application(self):
		with as_user(APPLICANT):
			context = page_context("/my-loans/application", name=self.own_pending.name)
			self.assertTrue(context.can_withdraw)
			self.assertIn("Withdrawing...", json.loads(context.translated_messages))
			status, html, _location = render("/my-loans/application", name=self.own_pending.name)
			self.assertEqual(status, 200)
			self.assertIn('id="withdraw-application"', html)
			# what the page's button calls
			((method, args),) = withdraw_buttons(html)
			self.assertEqual(frappe.get_attr(method), withdraw)
			self.assertEqual(args, {"application": self.own_pending.name})
			frappe.get_attr(method)(**args)
			context = page_context("/my-loans/application", name=self.own_pending.name)
		self.assertEqual(context.application.status, "Withdrawn")
		self.assertEqual(context.status_color, state_colour(APPLICATION, "Withdrawn"))
		self.assertFalse(context.can_withdraw)
		# only a Pending application can be withdrawn
		with as_user(APPLICANT), self.assertRaisesRegex(frappe.ValidationError, "is already Withdrawn"):
			withdraw(self.own_pending.name)

	def test_decided_applications_show_the_decision_and_cannot_be_withdrawn(self):
		deny(self.own_pending.name, "Budget for this quarter is used up")
		with as_user(APPLICANT):
			denied = page_context("/my-loans/application", name=self.own_pending.name)
			_status, html, _location = render("/my-loans/application", name=self.own_pending.name)
			approved = page_context("/my-loans/application", name=self.own_application.name)
		self.assertFalse(denied.can_withdraw)
		self.assertIn("Budget for this quarter is used up", html)
		self.assertNotIn('id="withdraw-application"', html)
		self.assertFalse(approved.can_withdraw)
		self.assertIn(f"name={self.own_loan}", approved.loan_route)

	# -- the pages' assets ------------------------------------------------------------------------------

	def test_page_scripts_get_the_translations_of_every_message_they_use(self):
		"""Each page hands its script the translations of exactly the __() strings the script uses, as
		Frappe's own extractor finds them."""
		app = frappe.get_app_path("employee_loans")
		for script, messages in (
			("www/apply-for-loan/index.js", APPLY_SCRIPT_MESSAGES),
			# the application page's only script: its Withdraw button's
			("templates/includes/loans_portal_withdraw.js", WITHDRAW_SCRIPT_MESSAGES),
		):
			with self.subTest(script=script), open(os.path.join(app, script), encoding="utf-8") as source:
				used = {
					message
					for _line, message, _context in extract_messages_from_javascript_code(source.read())
				}
				self.assertEqual(used, set(messages))

	def test_page_scripts_speak_the_employees_language(self):
		"""A translation added on the site reaches the script's messages, through Frappe's translation
		cache (no script file is read to serve a page)."""
		frappe.get_doc(
			{
				"doctype": "Translation",
				"language": "de",
				"source_text": "Calculating...",
				"translated_text": "Berechne...",
			}
		).insert(ignore_permissions=True)
		self.addCleanup(frappe.translate.clear_cache)
		lang = frappe.local.lang
		self.addCleanup(setattr, frappe.local, "lang", lang)
		frappe.local.lang = "de"
		real_open = open

		def open_no_script(file, *args, **kwargs):
			if str(file).endswith(".js"):
				raise AssertionError(f"{file} was read to serve the page")
			return real_open(file, *args, **kwargs)

		with as_user(APPLICANT), patch("builtins.open", open_no_script):
			context = page_context("/apply-for-loan")
		self.assertEqual(json.loads(context.translated_messages)["Calculating..."], "Berechne...")

	def test_status_colours_follow_the_doctypes_states_as_customised(self):
		"""The portal has no colours of its own: a state's colour changed in Customize Form (a Property
		Setter on the DocType State row) shows in the portal as in the desk."""
		state = next(state for state in frappe.get_meta(LOAN).states if state.title == "Disbursed")
		frappe.get_doc(
			{
				"doctype": "Property Setter",
				"doctype_or_field": "DocType State",
				"doc_type": LOAN,
				"row_name": state.name,
				"property": "color",
				"property_type": "Select",
				"value": "Light Blue",
			}
		).insert(ignore_permissions=True)
		frappe.clear_cache(doctype=LOAN)
		self.addCleanup(frappe.clear_cache, doctype=LOAN)
		with as_user(APPLICANT):
			my_loans = page_context("/my-loans")
			loan = page_context("/my-loans/loan", name=self.own_loan)
			status, html, _location = render("/my-loans/loan", name=self.own_loan)
		self.assertEqual(my_loans.loans[0].indicator, "light-blue")
		self.assertEqual(loan.status_color, "light-blue")
		self.assertEqual(status, 200)
		self.assertIn('class="indicator-pill light-blue loan-status', html)

	def test_portal_menu_offers_the_pages_to_employees(self):
		frappe.get_single("Portal Settings").sync_menu()
		routes = {item.route: item for item in frappe.get_single("Portal Settings").menu}
		for route in ("/my-loans", "/apply-for-loan"):
			self.assertIn(route, routes)
			self.assertEqual((routes[route].role, routes[route].enabled), ("Employee", 1))
