from decimal import Decimal

import frappe

from employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application import (
	approve,
	deny,
	get_approval_context,
	withdraw,
)
from employee_loans.tests.base import APPLICANT, COLLEAGUE, HR_MANAGER, HR_USER, LoanTestCase
from employee_loans.tests.utils import (
	IGNORE_TEST_RECORDS,
	apply,
	approve_and_disburse,
	as_user,
	count,
	make_category,
	make_employee,
	make_slip,
	set_settings,
)

test_ignore = IGNORE_TEST_RECORDS

APPLICATION = "Employee Loan Application"


class TestEmployeeLoanApplication(LoanTestCase):
	def test_employee_applies_for_themself_with_exact_emi_and_salary(self):
		with as_user(APPLICANT):
			application = apply(self.applicant, self.personal, 200000, 24)
		self.assertEqual(application.status, "Pending")
		self.assertEqual(Decimal(str(application.emi)), Decimal("9045.46"))
		self.assertEqual(Decimal(str(application.total_interest)), Decimal("17090.98"))
		# net salary from the structure assignment: basic 100,000 less professional tax 200
		self.assertEqual(application.net_salary, 99800)
		self.assertIn("Salary Structure Assignment", application.salary_source)
		self.assertEqual(application.findings, [])
		self.assertEqual(application.company, "_Test Company")

	def test_net_salary_comes_from_the_latest_submitted_slip_when_there_is_one(self):
		make_slip(self.applicant, "2026-10-01", submit=True)
		application = apply(self.applicant, self.personal, 100000, 12)
		self.assertEqual(application.net_salary, 99800)
		self.assertIn("Salary Slip", application.salary_source)

	def assert_refused(self, message_part, **kwargs):
		before = count(APPLICATION)
		with self.assertRaises(frappe.ValidationError) as raised:
			apply(**kwargs)
		self.assertIn(message_part, str(raised.exception))
		self.assertEqual(count(APPLICATION), before, "a refused application must leave nothing behind")

	def test_amount_above_category_maximum_is_blocked(self):
		self.assert_refused(
			"above this category's maximum of 500,000.00",
			employee=self.applicant,
			category=self.personal,
			amount=500001,
		)

	def test_non_positive_amount_is_refused(self):
		self.assert_refused("greater than zero", employee=self.applicant, category=self.personal, amount=0)
		self.assert_refused("greater than zero", employee=self.applicant, category=self.personal, amount=-5)

	def test_terms_too_small_for_the_currency_get_a_message(self):
		self.assert_refused(
			"too small", employee=self.applicant, category=self.personal, amount=0.05, months=48
		)

	def test_tenure_out_of_bounds_is_blocked(self):
		self.assert_refused(
			"outside this category's bounds (6 to 60",
			employee=self.applicant,
			category=self.personal,
			months=3,
		)
		self.assert_refused(
			"outside this category's bounds", employee=self.applicant, category=self.personal, months=61
		)

	def test_disabled_category_accepts_no_application(self):
		frappe.db.set_value("Employee Loan Category", self.personal, "disabled", 1)
		self.assert_refused("is disabled", employee=self.applicant, category=self.personal)

	def test_category_of_another_company_is_refused(self):
		other_company = frappe.get_all(
			"Company", filters={"name": ("!=", "_Test Company")}, pluck="name", limit=1
		)
		if not other_company:
			other_company = [
				frappe.get_doc(
					{
						"doctype": "Company",
						"company_name": "_EL Other Co",
						"abbr": "_ELO",
						"default_currency": "INR",
						"country": "India",
					}
				)
				.insert()
				.name
			]
		foreign = make_category("Foreign", company=other_company[0])
		self.assert_refused("belongs to", employee=self.applicant, category=foreign)

	def test_inactive_left_or_relieved_employee_is_blocked(self):
		inactive = make_employee("el-inactive@example.com")
		frappe.db.set_value("Employee", inactive, "status", "Inactive")
		self.assert_refused("only Active employees", employee=inactive, category=self.personal)
		leaving = make_employee("el-leaving@example.com")
		frappe.db.set_value("Employee", leaving, "relieving_date", "2027-03-31")
		self.assert_refused("before the last EMI", employee=leaving, category=self.personal, months=24)

	def test_minimum_service(self):
		set_settings(minimum_service_months=12)
		newcomer = make_employee(
			"el-newcomer@example.com", date_of_joining=frappe.utils.add_months(frappe.utils.nowdate(), -3)
		)
		self.assert_refused(
			"completed months of service; at least 12", employee=newcomer, category=self.personal
		)

	def test_active_loan_limit(self):
		set_settings(maximum_active_loans=1)
		first = apply(self.applicant, self.personal, 50000, 12)
		approve(first.name)
		self.assert_refused(
			"already has 1 approved or disbursed loans", employee=self.applicant, category=self.personal
		)

	def test_emi_ratio_warns_or_blocks_per_settings(self):
		set_settings(emi_limit_percent=5, emi_limit_action="Warn")
		application = apply(self.applicant, self.personal, 200000, 24)  # 9,045.46 of 99,800 = 9.06 %
		self.assertEqual(application.has_warnings, 1)
		self.assertEqual(
			[(f.rule, f.severity) for f in application.findings], [("EMI to Net Salary", "Warn")]
		)
		self.assertIn("9.06 %", application.findings[0].message)
		set_settings(emi_limit_percent=5, emi_limit_action="Block")
		self.assert_refused("above the 5", employee=self.applicant, category=self.personal)

	def test_applications_switched_off(self):
		set_settings(enable_applications=0)
		self.assert_refused("switched off", employee=self.applicant, category=self.personal)

	def test_employee_cannot_apply_for_a_colleague(self):
		with as_user(APPLICANT), self.assertRaises(frappe.PermissionError):
			apply(self.colleague, self.personal)

	def test_approval_creates_the_loan_and_links_it(self):
		application = apply(self.applicant, self.personal, 200000, 24)
		with as_user(HR_USER):
			loan_name = approve(application.name)
		application.reload()
		self.assertEqual(application.status, "Approved")
		self.assertEqual(application.employee_loan, loan_name)
		self.assertEqual(application.decided_by, HR_USER)
		loan = frappe.get_doc("Employee Loan", loan_name)
		self.assertEqual((loan.status, loan.docstatus), ("Approved", 0))
		self.assertEqual(loan.loan_amount, 200000)
		self.assertEqual(loan.emi, 9045.46)
		self.assertEqual(loan.loan_application, application.name)

	def test_second_approval_and_deciding_a_denied_application_are_refused(self):
		application = apply(self.applicant, self.personal)
		approve(application.name)
		loans = count("Employee Loan")
		with self.assertRaises(frappe.ValidationError) as raised:
			approve(application.name)
		self.assertIn("already Approved", str(raised.exception))
		self.assertEqual(count("Employee Loan"), loans)
		denied = apply(self.applicant, self.emergency, 10000, 6)
		deny(denied.name, "Budget exhausted")
		with self.assertRaises(frappe.ValidationError):
			approve(denied.name)
		self.assertEqual(frappe.db.get_value(APPLICATION, denied.name, "status"), "Denied")

	def test_denial_needs_a_reason(self):
		application = apply(self.applicant, self.personal)
		with self.assertRaises(frappe.ValidationError):
			deny(application.name, "  ")
		self.assertEqual(frappe.db.get_value(APPLICATION, application.name, "status"), "Pending")
		deny(application.name, "Too many loans this quarter")
		application.reload()
		self.assertEqual(
			(application.status, application.denial_reason), ("Denied", "Too many loans this quarter")
		)

	def test_nobody_decides_on_their_own_application(self):
		own = apply(self.hr_manager_employee, self.personal, 10000, 6)
		with as_user(HR_MANAGER):
			with self.assertRaises(frappe.PermissionError):
				approve(own.name)
			with self.assertRaises(frappe.PermissionError):
				deny(own.name, "no")
		self.assertEqual(frappe.db.get_value(APPLICATION, own.name, "status"), "Pending")

	def test_employee_cannot_approve_or_deny(self):
		application = apply(self.colleague, self.personal, 10000, 6)
		with as_user(APPLICANT):
			with self.assertRaises(frappe.PermissionError):
				approve(application.name)
			with self.assertRaises(frappe.PermissionError):
				deny(application.name, "no")

	def test_withdraw_by_the_applicant_only(self):
		application = apply(self.applicant, self.personal)
		with as_user(COLLEAGUE), self.assertRaises(frappe.PermissionError):
			withdraw(application.name)
		with as_user(HR_USER), self.assertRaises(frappe.PermissionError):
			withdraw(application.name)
		with as_user(APPLICANT):
			withdraw(application.name)
		self.assertEqual(frappe.db.get_value(APPLICATION, application.name, "status"), "Withdrawn")
		with self.assertRaises(frappe.ValidationError):
			approve(application.name)

	def test_decided_application_cannot_be_edited(self):
		application = apply(self.applicant, self.personal)
		approve(application.name)
		application.reload()
		application.loan_amount = 1000
		with self.assertRaises(frappe.ValidationError):
			application.save()
		self.assertEqual(frappe.db.get_value(APPLICATION, application.name, "loan_amount"), 200000)

	def test_rules_run_again_at_approval(self):
		set_settings(maximum_active_loans=1)
		first = apply(self.applicant, self.personal, 50000, 12)
		second = apply(self.applicant, self.emergency, 10000, 6)  # fine when made: no loan yet
		approve(first.name)
		with self.assertRaises(frappe.ValidationError) as raised:
			approve(second.name)
		self.assertIn("already has 1", str(raised.exception))
		self.assertEqual(frappe.db.get_value(APPLICATION, second.name, "status"), "Pending")

	def test_approval_context_shows_salary_loans_and_findings(self):
		existing = approve_and_disburse(
			apply(self.applicant, self.emergency, 12000, 12).name, frappe.utils.nowdate()
		)
		set_settings(emi_limit_percent=10)
		application = apply(self.applicant, self.personal, 200000, 24)
		context = get_approval_context(application.name)
		self.assertEqual(context["net_salary"], 99800)
		self.assertEqual(context["existing_emis"], 1000)
		self.assertEqual([loan.name for loan in context["existing_loans"]], [existing])
		self.assertEqual([f["rule"] for f in context["findings"]], ["EMI to Net Salary"])  # 10,045.46 > 9,980
		self.assertTrue(context["can_approve"])

	def test_new_application_notifies_approvers(self):
		with as_user(APPLICANT):
			application = apply(self.applicant, self.personal, 10000, 6)
		logs = frappe.get_all(
			"Notification Log",
			filters={"document_name": application.name, "for_user": HR_MANAGER},
			pluck="subject",
		)
		self.assertTrue(logs and application.name in logs[0])

	def test_approval_and_denial_notify_the_employee(self):
		approved = apply(self.applicant, self.personal, 10000, 6)
		approve(approved.name)
		denied = apply(self.applicant, self.emergency, 10000, 6)
		deny(denied.name, "Budget")
		subjects = frappe.get_all("Notification Log", filters={"for_user": APPLICANT}, pluck="subject")
		self.assertTrue(any(approved.name in s and "approved" in s for s in subjects), subjects)
		self.assertTrue(any(denied.name in s and "not approved" in s for s in subjects), subjects)

	def test_notifications_also_go_by_email(self):
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_id": "el-outgoing@example.com",
				"email_account_name": "EL Outgoing",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "localhost",
				"no_smtp_authentication": 1,
			}
		).insert(ignore_permissions=True)
		for name in frappe.get_all("Notification", filters={"name": ("like", "%(Email)")}, pluck="name"):
			frappe.db.set_value("Notification", name, "enabled", 1)
		frappe.cache.delete_value("notifications")
		application = apply(self.applicant, self.personal, 10000, 6)
		approve(application.name)
		queued = frappe.get_all(
			"Email Queue",
			filters={"reference_name": application.name},
			fields=["name", "message"],
		)
		recipients = {
			row.recipient
			for email in queued
			for row in frappe.get_all(
				"Email Queue Recipient", filters={"parent": email.name}, fields=["recipient"]
			)
		}
		self.assertIn(APPLICANT, recipients)
		self.assertIn(HR_MANAGER, recipients)

	def test_decision_fields_cannot_be_typed_in(self):
		other = approve_and_disburse(
			apply(self.colleague, self.emergency, 5000, 6).name, frappe.utils.nowdate()
		)
		with as_user(APPLICANT):
			application = frappe.get_doc(
				{
					"doctype": APPLICATION,
					"employee": self.applicant,
					"loan_category": self.personal,
					"loan_amount": 10000,
					"tenure_months": 6,
					"reason": "x",
					"status": "Approved",
					"employee_loan": other,
					"decided_by": HR_MANAGER,
				}
			).insert()
		self.assertEqual(
			(application.status, application.employee_loan, application.decided_by), ("Pending", None, None)
		)
