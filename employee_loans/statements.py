"""Figures for the loan print formats (statement of account, closure certificate).

Registered as Jinja methods (hooks: jinja), so the templates only display: every amount is a stored
field, or computed here with the engine. The running balance after each repayment is the engine's
`outstanding_principal` of the loan's principal less the repayments up to that row.
"""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from employee_loans.engine import LoanInputError, outstanding_principal
from employee_loans.engine.states import LOAN_CLOSED, PENDING
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
	return frappe._dict(
		can_issue=settled,
		reason=reason,
		currency=frappe.get_cached_value("Company", doc.company, "default_currency"),
		issue_date=getdate(nowdate()),
	)
