import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, nowdate

from employee_loans.engine.states import (
	LOAN_APPROVED,
	LOAN_CANCELLED,
	LOAN_CLOSED,
	LOAN_DISBURSED,
	PRE_CLOSURE_PAYMENT,
)
from employee_loans.ledger import REPAYMENT_DOCTYPE, lock_loan, rebuild
from employee_loans.permissions import ensure_hr, ensure_permission, ensure_role
from employee_loans.utils import get_settings, loan_terms, to_field

PRECLOSE_MANUALLY = "Settled Manually"
PRECLOSE_IN_PAYROLL = "Deduct in Next Payroll"


class EmployeeLoan(Document):
	def validate(self):
		if self.docstatus == 0:
			self.status = LOAN_APPROVED
			category_company = frappe.db.get_value("Employee Loan Category", self.loan_category, "company")
			if category_company != self.company:
				frappe.throw(
					_("Loan Category {0} belongs to {1}, not to {2}.").format(
						self.loan_category, category_company, self.company
					),
					title=_("Wrong Company"),
				)
			terms = loan_terms(self)
			self.interest_method = terms.method
			self.emi = to_field(terms.emi())

	def before_submit(self):
		if not self.flags.from_disbursement:
			frappe.throw(
				_("Use Mark as Disbursed to disburse loan {0}; it generates the repayment schedule.").format(
					self.name
				),
				title=_("Disburse the Loan"),
			)

	def before_cancel(self):
		# The approved application keeps its record of the decision; only repayments block the cancel.
		self.ignore_linked_doctypes = ("Employee Loan Application",)

	def on_submit(self):
		# Disbursement: the schedule is generated from the terms (there are no repayments yet).
		rebuild(self)

	def on_cancel(self):
		# Repayments link to the loan, so Frappe refuses this cancel while any is submitted.
		self.db_set("status", LOAN_CANCELLED)


def _loan_for_action(name: str, ptype: str = "write"):
	# The row lock before anything else is read of the loan.
	loan = lock_loan(name)
	ensure_permission(loan, ptype)
	return loan


def _require_status(loan, status: str, action: str) -> None:
	if loan.status != status:
		frappe.throw(
			_("Loan {0} is {1}; only a {2} loan can be {3}.").format(
				loan.name, _(loan.status), _(status), action
			),
			title=_("Wrong Status"),
		)


@frappe.whitelist(methods=["POST"])
def disburse(
	loan: str, disbursement_date: str, reference: str | None = None, repayment_start_date: str | None = None
) -> str:
	"""Mark an Approved loan as disbursed: the schedule is generated and the terms are locked."""
	ensure_hr(_("disburse loans"))
	doc = _loan_for_action(loan, "submit")
	_require_status(doc, LOAN_APPROVED, _("disbursed"))
	if doc.docstatus != 0:
		frappe.throw(_("Loan {0} has already been disbursed.").format(doc.name), title=_("Already Disbursed"))
	if not disbursement_date:
		frappe.throw(_("Give the disbursement date."), title=_("Date Required"))
	application_date = frappe.db.get_value("Employee Loan Application", doc.loan_application, "posting_date")
	if application_date and getdate(disbursement_date) < getdate(application_date):
		frappe.throw(
			_("The disbursement date {0} is before the application date {1}.").format(
				disbursement_date, application_date
			),
			title=_("Invalid Date"),
		)
	component = frappe.db.get_value("Employee Loan Category", doc.loan_category, "salary_component")
	component = component or get_settings().deduction_component
	if not component:
		frappe.throw(
			_("Set the Deduction Salary Component in Employee Loan Settings before disbursing loans."),
			title=_("Deduction Component Missing"),
		)
	doc.disbursement_date = getdate(disbursement_date)
	doc.disbursement_reference = (reference or "").strip() or None
	if repayment_start_date:
		doc.repayment_start_date = getdate(repayment_start_date)
	doc.salary_component = component
	doc.status = LOAN_DISBURSED
	doc.flags.from_disbursement = True
	doc.submit()
	doc.reload()  # the schedule and balances the submit stored, for the employee's notification
	doc.run_method("on_loan_disbursed")
	return doc.name


@frappe.whitelist(methods=["POST"])
def preclose(
	loan: str, mode: str, posting_date: str | None = None, reference: str | None = None
) -> str | None:
	"""Close a Disbursed loan early: settled manually now, or the whole balance in the next payroll."""
	ensure_hr(_("pre-close loans"))
	doc = _loan_for_action(loan)
	_require_status(doc, LOAN_DISBURSED, _("pre-closed"))
	if mode == PRECLOSE_IN_PAYROLL:
		doc.db_set({"preclosure_requested": 1, "preclosure_requested_on": getdate(posting_date or nowdate())})
		doc.add_comment("Info", _("Pre-closure requested: the next salary slip deducts the whole balance."))
		return None
	if mode != PRECLOSE_MANUALLY:
		frappe.throw(
			_("Choose how to pre-close: {0} or {1}.").format(_(PRECLOSE_MANUALLY), _(PRECLOSE_IN_PAYROLL)),
			title=_("Invalid Pre-closure"),
		)
	repayment = frappe.get_doc(
		{
			"doctype": REPAYMENT_DOCTYPE,
			"employee_loan": doc.name,
			"posting_date": posting_date or nowdate(),
			"repayment_type": PRE_CLOSURE_PAYMENT,
			"amount": doc.outstanding_balance,
			"reference": reference,
		}
	)
	repayment.insert(ignore_permissions=True)
	repayment.submit()
	return repayment.name


@frappe.whitelist(methods=["POST"])
def cancel_preclosure(loan: str) -> None:
	ensure_hr(_("change pre-closures"))
	doc = _loan_for_action(loan)
	if not doc.preclosure_requested:
		frappe.throw(_("Loan {0} has no pre-closure pending.").format(doc.name), title=_("Nothing to Cancel"))
	doc.db_set({"preclosure_requested": 0, "preclosure_requested_on": None})
	doc.add_comment("Info", _("Pre-closure in payroll withdrawn."))


@frappe.whitelist(methods=["POST"])
def reopen(loan: str, reason: str) -> None:
	"""Reopen a loan closed by mistake: the manual repayment that closed it is cancelled."""
	ensure_role(("HR Manager", "System Manager"), _("reopen loans"))
	if not (reason or "").strip():
		frappe.throw(_("Give the reason for reopening the loan."), title=_("Reason Required"))
	doc = _loan_for_action(loan)
	_require_status(doc, LOAN_CLOSED, _("reopened"))
	repayment = frappe.qb.DocType(REPAYMENT_DOCTYPE)
	closing = (
		frappe.qb.from_(repayment)
		.select(repayment.name, repayment.salary_slip)
		.where((repayment.employee_loan == doc.name) & (repayment.docstatus == 1))
		.orderby(repayment.creation, order=frappe.qb.desc)
		.orderby(repayment.name, order=frappe.qb.desc)
		.limit(1)
		.for_update()
		.run(as_dict=True)
	)
	if closing and closing[0].salary_slip:
		frappe.throw(
			_("Loan {0} was closed by salary slip {1}. Cancel that salary slip to reopen the loan.").format(
				doc.name, closing[0].salary_slip
			),
			title=_("Closed by Payroll"),
		)
	if closing:
		frappe.get_doc(REPAYMENT_DOCTYPE, closing[0].name).cancel()
	doc.db_set("reopen_reason", reason.strip())
	doc.add_comment("Info", _("Loan reopened: {0}").format(reason.strip()))
