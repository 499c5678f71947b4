import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, nowdate

from employee_loans.accounts import (
	cancel_journal_entry,
	default_payment_account,
	post_disbursement,
	validate_loan_account,
	validate_payment_account,
	withdraw_opening,
)
from employee_loans.employee_loans.doctype.employee_loan_category.employee_loan_category import (
	loan_components,
)
from employee_loans.engine.states import (
	LOAN_APPROVED,
	LOAN_CANCELLED,
	LOAN_CLOSED,
	LOAN_DISBURSED,
	PRE_CLOSURE_PAYMENT,
	WRITE_OFF,
)
from employee_loans.ledger import REPAYMENT_DOCTYPE, lock_loan, preclosure_quote, rebuild
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
			self.current_interest_rate = self.annual_interest_rate

	def before_submit(self):
		if not (self.flags.from_disbursement or self.flags.bring_in):
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
		# Disbursement: the schedule is generated from the terms (there are no repayments yet) and the
		# money paid out is booked. A loan brought in at go-live is replayed from its opening; the loans
		# brought in together book their opening balance in one entry (going_live.bring_in).
		rebuild(self, new=True)
		if not self.brought_in:
			self.db_set("disbursement_journal_entry", post_disbursement(self))

	def on_cancel(self):
		# Repayments and changes link to the loan, so Frappe refuses this cancel while any is submitted:
		# a loan brought in by mistake can be cancelled until a slip has deducted it.
		cancel_journal_entry(self.disbursement_journal_entry)
		withdraw_opening(self)
		self.db_set("status", LOAN_CANCELLED)


def set_accounts_and_components(loan) -> None:
	"""The category's accounts and salary components, fixed on the loan when it is disbursed."""
	category = frappe.get_doc("Employee Loan Category", loan.loan_category)
	principal, interest = loan_components(category)
	if not category.loan_account:
		frappe.throw(
			_("Set the Loan Account of category {0} before disbursing its loans.").format(category.name),
			title=_("Loan Account Missing"),
		)
	validate_loan_account(category.loan_account, loan.company)
	if not principal:
		frappe.throw(
			_("Set the Deduction Salary Component in Employee Loan Settings before disbursing loans."),
			title=_("Deduction Component Missing"),
		)
	charges_interest = loan_terms(loan).annual_rate > 0
	if charges_interest and not (interest and category.interest_income_account):
		frappe.throw(
			_(
				"Set the Interest Income Account of category {0} and the Interest Salary Component in Employee "
				"Loan Settings before disbursing loans that charge interest."
			).format(category.name),
			title=_("Interest Accounts Missing"),
		)
	loan.loan_account = category.loan_account
	loan.salary_component = principal
	loan.interest_income_account = category.interest_income_account if charges_interest else None
	loan.interest_component = interest if charges_interest else None


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
	loan: str,
	disbursement_date: str,
	reference: str | None = None,
	repayment_start_date: str | None = None,
	payment_account: str | None = None,
) -> str:
	"""Mark an Approved loan as disbursed: the schedule is generated, the terms are locked and a Journal
	Entry books the payment from `payment_account` (default: the company's bank, else cash account)."""
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
	set_accounts_and_components(doc)
	doc.payment_account = payment_account or default_payment_account(doc.company)
	validate_payment_account(doc.payment_account, doc.company, "Paid From")
	doc.disbursement_date = getdate(disbursement_date)
	doc.disbursement_reference = (reference or "").strip() or None
	if repayment_start_date:
		doc.repayment_start_date = getdate(repayment_start_date)
	doc.status = LOAN_DISBURSED
	doc.flags.from_disbursement = True
	doc.submit()
	doc.reload()  # the schedule and balances the submit stored, for the employee's notification
	doc.run_method("on_loan_disbursed")
	return doc.name


@frappe.whitelist(methods=["POST"])
def preclose(
	loan: str,
	mode: str,
	posting_date: str | None = None,
	reference: str | None = None,
	payment_account: str | None = None,
) -> str | None:
	"""Close a Disbursed loan early: settled manually now (booked into `payment_account`), or the whole
	balance in the next payroll. Either way the amount follows the engine's one pre-closure rule."""
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
			"amount": to_field(preclosure_quote(doc, posting_date or nowdate()).amount),
			"reference": reference,
			"payment_account": payment_account or default_payment_account(doc.company),
		}
	)
	repayment.insert(ignore_permissions=True)
	repayment.submit()
	return repayment.name


@frappe.whitelist()
def get_preclosure_amount(loan: str, posting_date: str | None = None) -> dict:
	"""What a pre-closure on `posting_date` recovers, for the dialog to show before anyone confirms."""
	doc = frappe.get_doc("Employee Loan", loan)
	ensure_permission(doc, "read")
	quote = preclosure_quote(doc, posting_date or nowdate())
	return {
		"principal": to_field(quote.principal),
		"interest": to_field(quote.interest),
		"amount": to_field(quote.amount),
		"instalment": quote.instalment,
	}


@frappe.whitelist(methods=["POST"])
def cancel_preclosure(loan: str) -> None:
	ensure_hr(_("change pre-closures"))
	doc = _loan_for_action(loan)
	if not doc.preclosure_requested:
		frappe.throw(_("Loan {0} has no pre-closure pending.").format(doc.name), title=_("Nothing to Cancel"))
	doc.db_set({"preclosure_requested": 0, "preclosure_requested_on": None})
	doc.add_comment("Info", _("Pre-closure in payroll withdrawn."))


@frappe.whitelist(methods=["POST"])
def write_off(loan: str, reason: str, posting_date: str | None = None) -> str:
	"""Waive what an employee cannot pay (at exit, or any loan, with a reason): a Journal Entry debits
	the write-off account (the category's, else the settings') and credits the loan account; the loan
	closes as Written Off. Cancelling the write-off repayment reopens it."""
	ensure_role(("HR Manager", "System Manager"), _("write off loans"))
	if not (reason or "").strip():
		frappe.throw(_("Give the reason for writing the loan off."), title=_("Reason Required"))
	doc = _loan_for_action(loan)
	_require_status(doc, LOAN_DISBURSED, _("written off"))
	account = frappe.db.get_value("Employee Loan Category", doc.loan_category, "write_off_account")
	repayment = frappe.get_doc(
		{
			"doctype": REPAYMENT_DOCTYPE,
			"employee_loan": doc.name,
			"posting_date": posting_date or nowdate(),
			"repayment_type": WRITE_OFF,
			"write_off_account": account or get_settings().write_off_account,
			"reference": reason.strip(),
		}
	)
	repayment.flags.from_write_off = True
	repayment.insert(ignore_permissions=True)
	repayment.submit()
	doc.db_set({"written_off_by": frappe.session.user, "write_off_reason": reason.strip()})
	doc.add_comment("Info", _("Loan written off: {0}").format(reason.strip()))
	return repayment.name


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
