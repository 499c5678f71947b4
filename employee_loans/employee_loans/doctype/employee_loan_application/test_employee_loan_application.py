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
		self.assertEqual((application.status, application.docstatus), ("Pending", 0))
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
		self.assertEqual((application.status, application.docstatus), ("Approved", 1))
		self.assertEqual(application.employee_loan, loan_name)
		self.assertEqual(application.decided_by, HR_USER)
		self.assertIsNotNone(application.decided_on)
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
		with self.assertRaisesRegex(frappe.ValidationError, "already Denied"):
			approve(denied.name)
		self.assertEqual(
			frappe.db.get_value(APPLICATION, denied.name, ["status", "docstatus"]), ("Denied", 1)
		)

	def test_denial_needs_a_reason(self):
		application = apply(self.applicant, self.personal)
		with self.assertRaisesRegex(frappe.ValidationError, "Give a reason for the denial"):
			deny(application.name, "  ")
		self.assertEqual(
			frappe.db.get_value(APPLICATION, application.name, ["status", "docstatus"]), ("Pending", 0)
		)
		deny(application.name, "Too many loans this quarter")
		application.reload()
		self.assertEqual(
			(application.status, application.docstatus, application.denial_reason),
			("Denied", 1, "Too many loans this quarter"),
		)
		self.assertIsNone(application.employee_loan)
		self.assertEqual(count("Employee Loan", loan_application=application.name), 0)

	def test_nobody_decides_on_their_own_application(self):
		own = apply(self.hr_manager_employee, self.personal, 10000, 6)
		with as_user(HR_MANAGER):
			with self.assertRaisesRegex(frappe.PermissionError, "your own loan application"):
				approve(own.name)
			with self.assertRaisesRegex(frappe.PermissionError, "your own loan application"):
				deny(own.name, "no")
			# the standard Submit button and REST submit the document itself
			doc = frappe.get_doc(APPLICATION, own.name)
			doc.status = "Approved"
			with self.assertRaisesRegex(frappe.PermissionError, "your own loan application"):
				doc.submit()
		self.assertEqual(frappe.db.get_value(APPLICATION, own.name, ["status", "docstatus"]), ("Pending", 0))
		self.assertEqual(count("Employee Loan", loan_application=own.name), 0)

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
		self.assertEqual(
			frappe.db.get_value(APPLICATION, application.name, ["status", "docstatus", "decided_by"]),
			("Withdrawn", 2, APPLICANT),
		)
		with self.assertRaisesRegex(frappe.ValidationError, "already Withdrawn"):
			approve(application.name)
		with self.assertRaisesRegex(frappe.ValidationError, "already Withdrawn"):
			deny(application.name, "too late")

	def test_decided_application_cannot_be_edited(self):
		application = apply(self.applicant, self.personal)
		approve(application.name)
		application.reload()
		application.loan_amount = 1000
		with self.assertRaisesRegex(
			frappe.ValidationError, "Not allowed to change .*Loan Amount.* after submission"
		):
			application.save()
		application.reload()
		application.status = "Denied"
		with self.assertRaisesRegex(
			frappe.ValidationError, "Not allowed to change .*Status.* after submission"
		):
			application.save()
		self.assertEqual(
			frappe.db.get_value(APPLICATION, application.name, ["loan_amount", "status"]),
			(200000, "Approved"),
		)

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

	# -- deciding is submitting -----------------------------------------------------------------------

	def test_submitting_without_a_decision_is_refused(self):
		application = apply(self.applicant, self.personal)
		doc = frappe.get_doc(APPLICATION, application.name)
		with (
			as_user(HR_USER),
			self.assertRaisesRegex(frappe.ValidationError, "Approved or Denied, not Pending"),
		):
			doc.submit()
		self.assertEqual(
			frappe.db.get_value(APPLICATION, application.name, ["status", "docstatus"]), ("Pending", 0)
		)

	def test_the_standard_submit_decides_as_the_actions_do(self):
		approved = frappe.get_doc(APPLICATION, apply(self.applicant, self.personal, 200000, 24).name)
		denied = frappe.get_doc(APPLICATION, apply(self.applicant, self.emergency, 10000, 6).name)
		with as_user(HR_USER):
			approved.status = "Approved"
			approved.submit()
			denied.status = "Denied"
			with self.assertRaisesRegex(frappe.ValidationError, "Give a reason for the denial"):
				denied.submit()
			denied = frappe.get_doc(APPLICATION, denied.name)
			denied.status = "Denied"
			denied.denial_reason = "Budget"
			denied.submit()
		approved.reload()
		self.assertEqual((approved.docstatus, approved.decided_by), (1, HR_USER))
		loan = frappe.get_doc("Employee Loan", approved.employee_loan)
		self.assertEqual(
			(loan.loan_application, loan.emi, loan.approved_by), (approved.name, 9045.46, HR_USER)
		)
		self.assertEqual(
			frappe.db.get_value(APPLICATION, denied.name, ["status", "docstatus", "denial_reason"]),
			("Denied", 1, "Budget"),
		)

	def test_an_employee_cannot_submit_their_own_application(self):
		with as_user(APPLICANT):
			application = apply(self.applicant, self.personal)
			self.assertTrue(frappe.has_permission(APPLICATION, "write", doc=application.name))
			self.assertFalse(frappe.has_permission(APPLICATION, "submit", doc=application.name))
			doc = frappe.get_doc(APPLICATION, application.name)
			doc.status = "Approved"
			with self.assertRaises(frappe.PermissionError):
				doc.submit()
		with as_user(HR_USER):
			self.assertTrue(frappe.has_permission(APPLICATION, "submit", doc=application.name))
		self.assertEqual(
			frappe.db.get_value(APPLICATION, application.name, ["status", "docstatus"]), ("Pending", 0)
		)
		self.assertEqual(count("Employee Loan", loan_application=application.name), 0)

	def test_the_applicant_edits_a_pending_draft(self):
		with as_user(APPLICANT):
			application = apply(self.applicant, self.personal, 200000, 24)
			application.loan_amount = 100000
			application.reason = "Smaller need"
			application.save()
		self.assertEqual(
			frappe.db.get_value(APPLICATION, application.name, ["loan_amount", "reason", "docstatus"]),
			(100000, "Smaller need", 0),
		)
		self.assertEqual(application.emi, 4522.73)  # the rules and figures run again on every save

	def test_a_draft_keeps_status_pending(self):
		application = apply(self.applicant, self.personal)
		application.status = "Approved"
		with self.assertRaisesRegex(frappe.ValidationError, "Use the Approve, Deny or Withdraw actions"):
			application.save()
		self.assertEqual(frappe.db.get_value(APPLICATION, application.name, "status"), "Pending")

	def test_hr_cannot_type_the_decision_record_and_employees_cannot_type_a_denial_reason(self):
		other = approve_and_disburse(
			apply(self.colleague, self.emergency, 5000, 6).name, frappe.utils.nowdate()
		)
		with as_user(HR_USER):
			application = apply(
				self.applicant,
				self.personal,
				employee_loan=other,
				decided_by=HR_MANAGER,
				decided_on="2026-01-01",
			)
			self.assertEqual(
				(application.employee_loan, application.decided_by, application.decided_on),
				(None, None, None),
			)
			application.employee_loan = other
			application.save()
		self.assertIsNone(frappe.db.get_value(APPLICATION, application.name, "employee_loan"))
		with as_user(APPLICANT):
			own = apply(self.applicant, self.emergency, 10000, 6, denial_reason="Denied by myself")
		self.assertIsNone(own.denial_reason)

	def test_a_withdrawn_application_is_locked_and_kept_in_the_history(self):
		with as_user(APPLICANT):
			application = apply(self.applicant, self.emergency, 10000, 6)
			withdraw(application.name)
		application.reload()
		self.assertEqual((application.status, application.docstatus), ("Withdrawn", 2))
		self.assertIsNotNone(application.decided_on)
		application.reason = "changed my mind again"
		with self.assertRaisesRegex(frappe.ValidationError, "Cannot edit cancelled document"):
			application.save()
		versions = frappe.get_all(
			"Version", filters={"ref_doctype": APPLICATION, "docname": application.name}, pluck="data"
		)
		self.assertTrue(any('"Withdrawn"' in data for data in versions), versions)
		with as_user(APPLICANT):
			self.assertTrue(frappe.has_permission(APPLICATION, "read", doc=application.name))

	def test_decided_applications_are_neither_cancelled_nor_deleted(self):
		approved = apply(self.applicant, self.personal)
		approve(approved.name)
		with self.assertRaisesRegex(frappe.ValidationError, "kept as the record of its decision"):
			frappe.get_doc(APPLICATION, approved.name).cancel()
		with self.assertRaisesRegex(frappe.ValidationError, "Submitted Record cannot be deleted"):
			frappe.delete_doc(APPLICATION, approved.name)
		withdrawn = apply(self.applicant, self.emergency, 10000, 6)
		with as_user(APPLICANT):
			withdraw(withdrawn.name)
		with self.assertRaisesRegex(frappe.ValidationError, "it cannot be deleted"):
			frappe.delete_doc(APPLICATION, withdrawn.name)
		self.assertEqual(frappe.db.get_value(APPLICATION, approved.name, "docstatus"), 1)
		self.assertEqual(frappe.db.get_value(APPLICATION, withdrawn.name, "docstatus"), 2)
		with as_user(APPLICANT):
			pending = apply(self.applicant, self.emergency, 5000, 6)
			with self.assertRaises(frappe.PermissionError):
				frappe.delete_doc(APPLICATION, pending.name)
		with as_user(HR_USER):
			frappe.delete_doc(APPLICATION, pending.name)
		self.assertFalse(frappe.db.exists(APPLICATION, pending.name))

	def test_a_category_disabled_after_the_application_does_not_stop_its_decision(self):
		application = apply(self.applicant, self.personal)
		frappe.db.set_value("Employee Loan Category", self.personal, "disabled", 1)
		self.assertTrue(approve(application.name))
		self.assertEqual(frappe.db.get_value(APPLICATION, application.name, "status"), "Approved")
