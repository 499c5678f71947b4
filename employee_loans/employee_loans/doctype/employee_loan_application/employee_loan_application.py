import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.workflow import get_workflow, get_workflow_name
from frappe.utils import cint, now_datetime

from employee_loans.eligibility import assess, finding_rows
from employee_loans.engine.states import (
	APPLICATION_APPROVED,
	APPLICATION_DENIED,
	APPLICATION_PENDING,
	APPLICATION_WITHDRAWN,
)
from employee_loans.permissions import employees_of_user, ensure_hr, ensure_permission
from employee_loans.utils import get_settings, is_hr, to_field, withdraw_draft

PENDING = APPLICATION_PENDING
APPROVED = APPLICATION_APPROVED
DENIED = APPLICATION_DENIED
WITHDRAWN = APPLICATION_WITHDRAWN
DECISIONS = (APPROVED, DENIED)


class EmployeeLoanApplication(Document):
	"""A request for a loan. Deciding on it is submitting it (status Approved or Denied), so Frappe locks
	the decision, and a company can put its own Workflow on it. The applicant's withdrawal cancels it.

	The record of a decision (decided by and on, the loan) is at permlevel 2, which no role may write:
	Frappe drops whatever a form or an API call sends for it, and only this controller sets it."""

	def validate(self):
		if self.docstatus.is_draft():
			self.validate_draft_status()
		self.validate_applicant()
		self.validate_category()
		if self.workflow_state_changed():
			_ensure_not_own(self)  # a workflow step (a recommendation) is a decision too
		if self.docstatus.is_draft():
			self.run_eligibility()

	def validate_draft_status(self):
		if self.is_new():
			self.status = PENDING
			if not cint(get_settings().enable_applications):
				frappe.throw(
					_(
						"New loan applications are switched off in Employee Loan Settings. Ask HR to turn them on."
					),
					title=_("Applications Closed"),
				)
		elif self.status != PENDING:
			frappe.throw(
				_("Use the Approve, Deny or Withdraw actions to change the status."), title=_("Not Allowed")
			)

	def validate_applicant(self):
		if is_hr():
			return
		if self.employee not in employees_of_user():
			frappe.throw(
				_("You can apply for a loan only for yourself."),
				frappe.PermissionError,
				title=_("Not Permitted"),
			)

	def validate_category(self):
		category = frappe.db.get_value(
			"Employee Loan Category", self.loan_category, ["company", "disabled"], as_dict=True
		)
		if not category:
			frappe.throw(
				_("Loan Category {0} does not exist.").format(self.loan_category), title=_("Unknown Category")
			)
		if category.company != self.company:
			frappe.throw(
				_(
					"Loan Category {0} belongs to {1}, not to the employee's company {2}. Choose a category of {2}."
				).format(self.loan_category, category.company, self.company),
				title=_("Wrong Company"),
			)
		# a category disabled after the application was made does not stop its decision
		if cint(category.disabled) and self.docstatus.is_draft():
			frappe.throw(
				_(
					"Loan Category {0} is disabled and accepts no new applications. Choose another category."
				).format(self.loan_category),
				title=_("Category Disabled"),
			)

	def run_eligibility(self):
		result = assess(self)
		self.emi = to_field(result["emi"])
		self.total_interest = to_field(result["total_interest"])
		self.total_payable = to_field(result["total_payable"])
		self.last_emi_date = result["last_emi_date"]
		self.net_salary = to_field(result["net_salary"])
		self.salary_source = result["salary_source"]
		self.existing_emis = to_field(result["existing_emis"])
		self.active_loans = len(result["existing_loans"])
		self.set("findings", [])
		for row in finding_rows(result["findings"]):
			self.append("findings", row)
		self.has_warnings = int(bool(result["findings"]) and not result["blocking"])
		if result["blocking"]:
			frappe.throw(
				"<br>".join(row["message"] for row in finding_rows(result["blocking"])),
				title=_("The Application Cannot Be Accepted"),
			)

	def before_submit(self):
		# Every way to submit passes here: the Decide actions, the standard Submit, REST, a Workflow.
		_ensure_not_own(self)
		self.validate_workflow_decision()
		if self.status not in DECISIONS:
			frappe.throw(
				_(
					"Submitting an application decides on it, so its status must be Approved or Denied, not {0}. "
					"Use Decide > Approve or Decide > Deny."
				).format(_(self.status)),
				title=_("Decision Required"),
			)
		if self.status == APPROVED:
			self.denial_reason = None
			self.run_eligibility()  # salary or loans may have changed since the application was saved
		elif not (self.denial_reason or "").strip():
			frappe.throw(
				_("Give a reason for the denial; the employee will see it."), title=_("Reason Required")
			)
		self.decided_by = frappe.session.user
		self.decided_on = now_datetime()

	def validate_workflow_decision(self):
		"""Under a Workflow only its actions decide. Frappe checks the transition and its role only when
		the workflow state changes, so a plain submit would otherwise skip the company's chain."""
		workflow = self.get_active_workflow()
		if not workflow:
			return
		deciding_states = {state.state for state in workflow.states if cint(state.doc_status) == 1}
		if self.get(workflow.workflow_state_field) not in deciding_states:
			frappe.throw(
				_("Loan applications follow the workflow {0}: decide with its actions.").format(
					workflow.name
				),
				title=_("Use the Workflow"),
			)
		if self.status not in DECISIONS:
			frappe.throw(
				_(
					"The workflow state {0} submits the application but does not set its Status. In Workflow "
					"{1}, set Update Field to status and Update Value to Approved or Denied for that state."
				).format(self.get(workflow.workflow_state_field), workflow.name),
				title=_("Workflow Incomplete"),
			)

	def on_submit(self):
		if self.status == APPROVED:
			self.db_set("employee_loan", self.create_loan(), update_modified=False)
			self.run_method("on_application_approved")
		else:
			self.run_method("on_application_denied")

	def create_loan(self) -> str:
		loan = frappe.get_doc(
			{
				"doctype": "Employee Loan",
				"employee": self.employee,
				"company": self.company,
				"loan_application": self.name,
				"loan_category": self.loan_category,
				"interest_method": frappe.db.get_value(
					"Employee Loan Category", self.loan_category, "interest_method"
				),
				"annual_interest_rate": self.annual_interest_rate,
				"loan_amount": self.loan_amount,
				"tenure_months": self.tenure_months,
				"approved_by": self.decided_by,
				"approved_on": self.decided_on,
			}
		)
		loan.insert(ignore_permissions=True)
		return loan.name

	def before_cancel(self):
		frappe.throw(
			_("A decided application is kept as the record of its decision; it cannot be cancelled."),
			title=_("Not Allowed"),
		)

	def withdraw(self):
		"""End a Pending draft as Withdrawn and cancelled (docstatus 2): see utils.withdraw_draft."""
		withdraw_draft(self, WITHDRAWN)
		self.run_method("on_application_withdrawn")  # for doc_events and Notifications, as on_cancel is
		self.clear_cache()
		self.notify_update()

	def on_trash(self):
		if self.status != PENDING:
			frappe.throw(
				_("A decided application is kept as a record; it cannot be deleted."), title=_("Not Allowed")
			)

	def get_active_workflow(self):
		return get_workflow(self.doctype) if get_workflow_name(self.doctype) else None

	def workflow_state_changed(self) -> bool:
		workflow = self.get_active_workflow()
		return bool(workflow and not self.is_new() and self.has_value_changed(workflow.workflow_state_field))


def _load_for_decision(name: str) -> EmployeeLoanApplication:
	application = frappe.get_doc("Employee Loan Application", name, for_update=True)
	ensure_permission(application, "write")
	if application.status != PENDING or not application.docstatus.is_draft():
		frappe.throw(
			_("Application {0} is already {1}.").format(application.name, _(application.status)),
			title=_("Already Decided"),
		)
	return application


def _ensure_not_own(application: EmployeeLoanApplication) -> None:
	if application.employee in employees_of_user():
		frappe.throw(
			_("You cannot decide on your own loan application; another HR user must."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


@frappe.whitelist(methods=["POST"])
def approve(application: str) -> str:
	"""Approve a Pending application: the rules run again and the Employee Loan is created."""
	ensure_hr(_("approve loan applications"))
	doc = _load_for_decision(application)
	doc.status = APPROVED
	doc.submit()
	return doc.employee_loan


@frappe.whitelist(methods=["POST"])
def deny(application: str, reason: str) -> None:
	ensure_hr(_("deny loan applications"))
	doc = _load_for_decision(application)
	doc.status = DENIED
	doc.denial_reason = (reason or "").strip()
	doc.submit()


@frappe.whitelist(methods=["POST"])
def withdraw(application: str) -> None:
	"""The applicant takes back a Pending application."""
	doc = _load_for_decision(application)
	if doc.employee not in employees_of_user():
		frappe.throw(
			_("Only the applicant can withdraw an application."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	doc.withdraw()


@frappe.whitelist()
def get_approval_context(application: str) -> dict:
	"""What the approver sees: the findings now, the employee's salary and every existing loan."""
	doc = frappe.get_doc("Employee Loan Application", application)
	ensure_permission(doc, "read")
	result = assess(doc)
	return {
		"emi": to_field(result["emi"]),
		"net_salary": to_field(result["net_salary"]),
		"salary_source": result["salary_source"],
		"existing_emis": to_field(result["existing_emis"]),
		"existing_loans": result["existing_loans"],
		"findings": finding_rows(result["findings"]),
		"can_approve": not result["blocking"],
	}
