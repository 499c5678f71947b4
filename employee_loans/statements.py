"""Figures for the loan print formats (statement of account, closure certificate).

Registered as Jinja methods (hooks: jinja), so the templates only display: every amount is a stored
field, or computed here with the engine. The running balance after each repayment is the engine's
`outstanding_principal` of the loan's principal less the repayments up to that row.
"""

import frappe
from frappe import _
from frappe.utils import fmt_money, formatdate, getdate, nowdate

from employee_loans.engine import LoanInputError, outstanding_principal
from employee_loans.engine.states import CLOSED_EXIT_SETTLEMENT, CLOSED_WRITTEN_OFF, LOAN_CLOSED, PENDING
from employee_loans.utils import currency_precision, engine_message, to_field, to_money

REPAYMENT_FIELDS = [
	"name",
	"posting_date",
	"repayment_type",
	"reason",
	"instalment_number",
	"salary_slip",
	"payroll_start_date",
	"payroll_end_date",
	"reference",
	"note",
	"amount",
	"principal_amount",
	"interest_amount",
	"scheduled_amount",
]


def _loan(loan):
	doc = frappe.get_doc("Employee Loan", loan) if isinstance(loan, str) else loan
	if not frappe.has_permission("Employee Loan", "read", doc=doc):
		frappe.throw(
			_("You are not permitted to print loan {0}.").format(doc.name),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	return doc


def employee_loan_statement(loan) -> dict:
	"""Every submitted repayment in date order with the principal outstanding after it, and the
	instalments still pending."""
	doc = _loan(loan)
	precision = currency_precision(doc.company)
	currency = frappe.get_cached_value("Company", doc.company, "default_currency")
	repayments = frappe.get_all(
		"Employee Loan Repayment",
		filters={"employee_loan": doc.name, "docstatus": 1},
		fields=REPAYMENT_FIELDS,
		order_by="posting_date asc, creation asc, name asc",
	)
	principal = to_money(doc.loan_amount, precision)
	repaid = []
	for row in repayments:
		repaid.append(to_money(row.principal_amount, precision))
		try:
			balance = outstanding_principal(principal, repaid, precision)
		except LoanInputError as error:
			frappe.throw(engine_message(error), title=_("Loan Statement"))
		row.balance = to_field(balance)
		row.source = row.salary_slip or row.reference or ""
	pending = [row for row in doc.get("schedule") or [] if row.status == PENDING]
	return frappe._dict(
		currency=currency,
		precision=precision,
		disbursed=doc.docstatus == 1 and bool(doc.disbursement_date),
		repayments=repayments,
		remaining_schedule=pending,
		statement_date=getdate(nowdate()),
	)


def employee_loan_closure_certificate(loan) -> dict:
	"""Whether a no-dues letter can be issued for the loan, and if not, why."""
	doc = _loan(loan)
	precision = currency_precision(doc.company)
	closed = doc.status == LOAN_CLOSED and doc.docstatus == 1
	settled = closed and to_money(doc.outstanding_balance, precision) == 0
	if settled:
		reason = ""
	elif doc.status == LOAN_CLOSED:
		reason = _(
			"Loan {0} is marked Closed but shows an outstanding balance; check its repayments."
		).format(doc.name)
	else:
		reason = _(
			"Loan {0} is {1}. A closure certificate can be issued only when the loan is Closed."
		).format(doc.name, _(doc.status))
	currency = frappe.get_cached_value("Company", doc.company, "default_currency")
	return frappe._dict(
		can_issue=settled,
		reason=reason,
		currency=currency,
		issue_date=getdate(nowdate()),
		certificate_text=_certificate_text(doc, currency) if settled else "",
	)


def _certificate_text(doc, currency: str) -> str:
	"""What the letter certifies, by how the loan closed: repaid, settled at exit, or written off."""
	employee = _("{0} (Employee ID {1}{2})").format(
		frappe.bold(doc.employee_name), doc.employee, f", {doc.department}" if doc.department else ""
	)
	loan = _("the loan {0} of {1} granted by {2} under the category {3} and disbursed on {4}").format(
		frappe.bold(doc.name),
		frappe.bold(fmt_money(doc.loan_amount, currency=currency)),
		doc.company,
		doc.loan_category,
		formatdate(doc.disbursement_date),
	)
	if doc.closure_type == CLOSED_WRITTEN_OFF:
		return _(
			"This is to certify that nothing is due from {0} on {1}: the balance left on it was written off by "
			"{2} on {3}."
		).format(employee, loan, doc.company, formatdate(doc.closure_date))
	if doc.closure_type == CLOSED_EXIT_SETTLEMENT:
		return _(
			"This is to certify that {0} has settled in full {1}; the balance was recovered at the exit through "
			"the Full and Final Statement."
		).format(employee, loan)
	return _("This is to certify that {0} has repaid in full {1}.").format(employee, loan)
