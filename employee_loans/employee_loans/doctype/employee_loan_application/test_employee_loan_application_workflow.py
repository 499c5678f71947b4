"""A company's own approval chain, set up as a Frappe Workflow without code: a department head
recommends, then an HR Manager approves or denies. Deciding is submitting, so the workflow's submitting
states are the decisions and the app's rules (eligibility, self-approval, denial reason) hold under it."""

import frappe
from frappe.model.meta import trim_table
from frappe.model.workflow import WorkflowTransitionError, apply_workflow

from employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application import (
	approve,
	deny,
	withdraw,
)
from employee_loans.tests.base import APPLICANT, HR_MANAGER, LoanTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, apply, as_user, count, make_employee, make_user

test_ignore = IGNORE_TEST_RECORDS

APPLICATION = "Employee Loan Application"
WORKFLOW = "EL Two-Step Loan Approval"
RECOMMENDER_ROLE = "EL Department Head"
DEPARTMENT_HEAD = "el-department-head@example.com"
HR_APPROVER = "el-hr-approver@example.com"  # an HR Manager without an Employee record of their own
STATES = {
	"Pending": "Warning",
	"Recommended": "Primary",
	"Approved": "Success",
	"Denied": "Danger",
	"Withdrawn": "Inverse",
}
ACTIONS = ("Recommend", "Approve", "Deny")


def remove_workflow() -> None:
	"""Leave the site as it was: no workflow on applications, no workflow_state column."""
	frappe.set_user("Administrator")
	if frappe.db.exists("Workflow", WORKFLOW):
		frappe.delete_doc("Workflow", WORKFLOW, force=True, ignore_permissions=True)
	custom_field = frappe.db.get_value("Custom Field", {"dt": APPLICATION, "fieldname": "workflow_state"})
	if custom_field:
		frappe.delete_doc("Custom Field", custom_field, force=True, ignore_permissions=True)
	frappe.clear_cache(doctype=APPLICATION)
	trim_table(APPLICATION, dry_run=False)  # deleting a Custom Field leaves its column behind
	frappe.db.commit()


def make_workflow() -> None:
	remove_workflow()  # a run that was killed may have left one behind
	if not frappe.db.exists("Role", RECOMMENDER_ROLE):
		frappe.get_doc({"doctype": "Role", "role_name": RECOMMENDER_ROLE, "desk_access": 1}).insert()
	for state, style in STATES.items():
		if not frappe.db.exists("Workflow State", state):
			frappe.get_doc(
				{"doctype": "Workflow State", "workflow_state_name": state, "style": style}
			).insert()
	for action in ACTIONS:
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert()

	def state(name, doc_status, allow_edit, status=None):
		row = {"state": name, "doc_status": str(doc_status), "allow_edit": allow_edit}
		return row | ({"update_field": "status", "update_value": status} if status else {})

	def transition(state, action, next_state, allowed):
		# Frappe's own self-approval check only compares the document's owner; allowing it here shows
		# that the app's rule (nobody decides on their own application) holds by itself.
		return {
			"state": state,
			"action": action,
			"next_state": next_state,
			"allowed": allowed,
			"allow_self_approval": 1,
		}

	frappe.get_doc(
		{
			"doctype": "Workflow",
			"workflow_name": WORKFLOW,
			"document_type": APPLICATION,
			"workflow_state_field": "workflow_state",
			"is_active": 1,
			"send_email_alert": 0,
			"states": [
				state("Pending", 0, "Employee"),
				state("Recommended", 0, RECOMMENDER_ROLE),
				state("Approved", 1, "HR Manager", "Approved"),
				state("Denied", 1, "HR Manager", "Denied"),
				state("Withdrawn", 2, "HR Manager", "Withdrawn"),
			],
			"transitions": [
				transition("Pending", "Recommend", "Recommended", RECOMMENDER_ROLE),
				transition("Recommended", "Approve", "Approved", "HR Manager"),
				transition("Recommended", "Deny", "Denied", "HR Manager"),
			],
		}
	).insert()
	frappe.db.commit()  # the workflow_state column is DDL, committed anyway


class TestTwoStepApprovalWorkflow(LoanTestCase):
	@classmethod
	def setUpClass(cls):
		frappe.set_user("Administrator")
		make_workflow()
		cls.addClassCleanup(remove_workflow)  # registered first, so it runs after the class's rollback
		super().setUpClass()
		# The department head holds HR User too: the app shows other employees' applications to HR roles
		# only. No User Permission on their own Employee record, which would hide everyone else's.
		cls.department_head_employee = make_employee(
			DEPARTMENT_HEAD, roles=("Employee", "HR User", RECOMMENDER_ROLE), create_user_permission=0
		)
		make_user(HR_APPROVER, ["HR Manager", "HR User"])

	def act(self, user: str, name: str, action: str):
		with as_user(user):
			return apply_workflow(frappe.get_doc(APPLICATION, name).as_dict(), action)

	def state_of(self, name: str) -> tuple:
		return frappe.db.get_value(APPLICATION, name, ["workflow_state", "status", "docstatus"])

	def test_recommended_then_approved_creates_the_loan(self):
		with as_user(APPLICANT):
			application = apply(self.applicant, self.personal, 200000, 24)
		self.assertEqual(self.state_of(application.name), ("Pending", "Pending", 0))

		# the applicant can neither take a step nor approve
		with self.assertRaisesRegex(WorkflowTransitionError, "Not a valid Workflow Action"):
			self.act(APPLICANT, application.name, "Recommend")
		with as_user(APPLICANT), self.assertRaisesRegex(frappe.PermissionError, "Only HR Manager or HR User"):
			approve(application.name)
		# HR cannot skip the chain: not with the app's actions, not with the workflow's
		with as_user(HR_APPROVER):
			with self.assertRaisesRegex(
				frappe.ValidationError, "follow the workflow .*: decide with its actions"
			):
				approve(application.name)
			with self.assertRaisesRegex(frappe.ValidationError, "follow the workflow"):
				deny(application.name, "No")
		with self.assertRaisesRegex(WorkflowTransitionError, "Not a valid Workflow Action"):
			self.act(HR_APPROVER, application.name, "Approve")
		self.assertEqual(self.state_of(application.name), ("Pending", "Pending", 0))

		self.act(DEPARTMENT_HEAD, application.name, "Recommend")
		self.assertEqual(self.state_of(application.name), ("Recommended", "Pending", 0))
		# the department head (an HR User here) cannot approve past the HR Manager's step either
		with as_user(DEPARTMENT_HEAD), self.assertRaisesRegex(frappe.ValidationError, "follow the workflow"):
			approve(application.name)
		with self.assertRaisesRegex(WorkflowTransitionError, "Not a valid Workflow Action"):
			self.act(DEPARTMENT_HEAD, application.name, "Approve")

		self.act(HR_APPROVER, application.name, "Approve")
		self.assertEqual(self.state_of(application.name), ("Approved", "Approved", 1))
		application.reload()
		self.assertEqual(application.decided_by, HR_APPROVER)
		loan = frappe.get_doc("Employee Loan", application.employee_loan)
		self.assertEqual(
			(loan.status, loan.loan_application, loan.loan_amount, loan.emi, loan.approved_by),
			("Approved", application.name, 200000, 9045.46, HR_APPROVER),
		)
		subjects = frappe.get_all("Notification Log", filters={"for_user": APPLICANT}, pluck="subject")
		self.assertTrue(any(application.name in s and "approved" in s for s in subjects), subjects)

	def test_nobody_takes_a_step_on_their_own_application(self):
		own = apply(self.department_head_employee, self.personal, 10000, 6)  # made by HR, not its owner
		with self.assertRaisesRegex(frappe.PermissionError, "your own loan application"):
			self.act(DEPARTMENT_HEAD, own.name, "Recommend")
		self.assertEqual(self.state_of(own.name), ("Pending", "Pending", 0))

		managers_own = apply(self.hr_manager_employee, self.personal, 10000, 6)
		self.act(DEPARTMENT_HEAD, managers_own.name, "Recommend")
		with self.assertRaisesRegex(frappe.PermissionError, "your own loan application"):
			self.act(HR_MANAGER, managers_own.name, "Approve")
		with self.assertRaisesRegex(frappe.PermissionError, "your own loan application"):
			self.act(HR_MANAGER, managers_own.name, "Deny")
		self.assertEqual(self.state_of(managers_own.name), ("Recommended", "Pending", 0))
		self.assertEqual(count("Employee Loan", loan_application=managers_own.name), 0)

	def test_denial_through_the_workflow_needs_the_reason(self):
		application = apply(self.applicant, self.personal)
		self.act(DEPARTMENT_HEAD, application.name, "Recommend")
		with self.assertRaisesRegex(frappe.ValidationError, "Give a reason for the denial"):
			self.act(HR_APPROVER, application.name, "Deny")
		with as_user(HR_APPROVER):
			doc = frappe.get_doc(APPLICATION, application.name)
			doc.denial_reason = "Budget for this quarter is used up"
			doc.save()
		self.act(HR_APPROVER, application.name, "Deny")
		self.assertEqual(self.state_of(application.name), ("Denied", "Denied", 1))
		self.assertEqual(
			frappe.db.get_value(APPLICATION, application.name, "denial_reason"),
			"Budget for this quarter is used up",
		)
		self.assertEqual(count("Employee Loan", loan_application=application.name), 0)

	def test_rules_run_again_when_the_workflow_approves(self):
		application = apply(self.applicant, self.personal, 200000, 24)
		self.act(DEPARTMENT_HEAD, application.name, "Recommend")
		frappe.db.set_value("Employee", self.applicant, "status", "Inactive")
		with self.assertRaisesRegex(frappe.ValidationError, "only Active employees"):
			self.act(HR_APPROVER, application.name, "Approve")
		self.assertEqual(self.state_of(application.name), ("Recommended", "Pending", 0))

	def test_the_applicant_withdraws_during_the_chain(self):
		with as_user(APPLICANT):
			application = apply(self.applicant, self.personal)
		self.act(DEPARTMENT_HEAD, application.name, "Recommend")
		with as_user(APPLICANT):
			withdraw(application.name)
		# the workflow's cancelled state, as Frappe picks one for a cancel: the first with docstatus 2
		self.assertEqual(self.state_of(application.name), ("Withdrawn", "Withdrawn", 2))
		with self.assertRaisesRegex(frappe.ValidationError, "Not a valid Workflow Action"):
			self.act(HR_APPROVER, application.name, "Approve")
