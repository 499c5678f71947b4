import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, now_datetime

from employee_loans.eligibility import assess, translated
from employee_loans.permissions import employees_of_user, ensure_hr, ensure_permission
from employee_loans.utils import get_settings, is_hr, to_field

DECIDABLE = "Pending"
DECISION_FIELDS = ("decided_by", "decided_on", "denial_reason", "employee_loan")


class EmployeeLoanApplication(Document):
	def validate(self):
		self.validate_status_change()
		self.validate_applicant()
		self.validate_category()
		if self.status == DECIDABLE:
			self.run_eligibility()

	def validate_status_change(self):
		before = None if self.is_new() else self.get_doc_before_save()
		if not self.flags.from_action:
			# Decisions are made by the actions only, whatever a form or an API call sends.
			for fieldname in DECISION_FIELDS:
				self.set(fieldname, before.get(fieldname) if before else None)
		if self.is_new():
			self.status = DECIDABLE
			if not cint(get_settings().enable_applications):
				frappe.throw(
					_(
						"New loan applications are switched off in Employee Loan Settings. Ask HR to turn them on."
					),
					title=_("Applications Closed"),
				)
			return
		if before and before.status != DECIDABLE and not self.flags.from_action:
			frappe.throw(
				_("Application {0} is {1}; it can no longer be changed.").format(self.name, _(before.status)),
				title=_("Application Decided"),
			)
		if before and before.status != self.status and not self.flags.from_action:
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
		if cint(category.disabled) and self.status == DECIDABLE:
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
		for finding in result["findings"]:
			self.append(
				"findings",
				{"rule": _(finding.rule), "severity": finding.severity, "message": translated(finding)},
			)
		self.has_warnings = int(bool(result["findings"]) and not result["blocking"])
		if result["blocking"]:
			frappe.throw(
				"<br>".join(translated(finding) for finding in result["blocking"]),
				title=_("The Application Cannot Be Accepted"),
			)

	def on_trash(self):
		if self.status != DECIDABLE:
			frappe.throw(
				_("A decided application is kept as a record; it cannot be deleted."), title=_("Not Allowed")
			)


def _load_for_decision(name: str) -> EmployeeLoanApplication:
	application = frappe.get_doc("Employee Loan Application", name, for_update=True)
	ensure_permission(application, "write")
	if application.status != DECIDABLE:
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


@frappe.whitelist()
def approve(application: str) -> str:
	"""Approve a Pending application: the rules run again and the Employee Loan is created."""
	ensure_hr(_("approve loan applications"))
	doc = _load_for_decision(application)
	_ensure_not_own(doc)
	doc.run_eligibility()  # salary or loans may have changed since the application was saved
	loan = frappe.get_doc(
		{
			"doctype": "Employee Loan",
			"employee": doc.employee,
			"company": doc.company,
			"loan_application": doc.name,
			"loan_category": doc.loan_category,
			"interest_method": frappe.db.get_value(
				"Employee Loan Category", doc.loan_category, "interest_method"
			),
			"annual_interest_rate": doc.annual_interest_rate,
			"loan_amount": doc.loan_amount,
			"tenure_months": doc.tenure_months,
			"approved_by": frappe.session.user,
			"approved_on": now_datetime(),
		}
	)
	loan.insert(ignore_permissions=True)
	doc.status = "Approved"
	doc.decided_by = frappe.session.user
	doc.decided_on = now_datetime()
	doc.employee_loan = loan.name
	doc.flags.from_action = True
	doc.save(ignore_permissions=True)
	doc.run_method("on_application_approved")
	return loan.name


@frappe.whitelist()
def deny(application: str, reason: str) -> None:
	ensure_hr(_("deny loan applications"))
	if not (reason or "").strip():
		frappe.throw(_("Give a reason for the denial; the employee will see it."), title=_("Reason Required"))
	doc = _load_for_decision(application)
	_ensure_not_own(doc)
	doc.status = "Denied"
	doc.denial_reason = reason.strip()
	doc.decided_by = frappe.session.user
	doc.decided_on = now_datetime()
	doc.flags.from_action = True
	doc.save(ignore_permissions=True)
	doc.run_method("on_application_denied")


@frappe.whitelist()
def withdraw(application: str) -> None:
	"""The applicant takes back a Pending application."""
	doc = _load_for_decision(application)
	if doc.employee not in employees_of_user():
		frappe.throw(
			_("Only the applicant can withdraw an application."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	doc.status = "Withdrawn"
	doc.decided_by = frappe.session.user
	doc.decided_on = now_datetime()
	doc.flags.from_action = True
	doc.save(ignore_permissions=True)


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
		"findings": [
			{"rule": _(f.rule), "severity": f.severity, "message": translated(f)} for f in result["findings"]
		],
		"can_approve": not result["blocking"],
	}
