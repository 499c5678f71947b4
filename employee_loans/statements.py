"""Figures for the loan print formats (statement of account, closure certificate).

Registered as Jinja methods (hooks: jinja), so the templates only display: every amount is a stored
field, or computed here with the engine. The running balance after each entry is the engine's
`outstanding_principal` of the loan's principal (with the top-ups and holiday interest of the approved
changes up to that entry) less the repayments up to that entry; a loan brought in at go-live starts
with one line for what the old system recovered before go-live.
"""

import frappe
from frappe import _
from frappe.utils import add_days, add_months, flt, fmt_money, formatdate, getdate, nowdate

from employee_loans.engine import LoanInputError, add_up, outstanding_principal
from employee_loans.engine.states import (
	CHANGE_APPROVED,
	CLOSED_EXIT_SETTLEMENT,
	CLOSED_WRITTEN_OFF,
	EMI_HOLIDAY,
	LOAN_CLOSED,
	PENDING,
	RESTRUCTURE,
	ROW_EMI_HOLIDAY,
	TOP_UP,
)
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


CHANGE_FIELDS = [
	"name",
	"change_type",
	"from_date",
	"holiday_months",
	"interest_added",
	"top_up_amount",
	"new_term_months",
	"new_interest_rate",
	"emi_before",
	"emi_after",
	"end_date_before",
	"end_date_after",
	"applied_on",
	"reason",
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
	"""Every submitted repayment and approved change in the order they took effect (`entries`), with
	the principal outstanding after each, and the instalments still to come, holiday months marked."""
	doc = _loan(loan)
	precision = currency_precision(doc.company)
	currency = frappe.get_cached_value("Company", doc.company, "default_currency")
	repayments = frappe.get_all(
		"Employee Loan Repayment",
		filters={"employee_loan": doc.name, "docstatus": 1},
		fields=[*REPAYMENT_FIELDS, "creation"],
		order_by="posting_date asc, creation asc, name asc",
	)
	changes = frappe.get_all(
		"Employee Loan Change",
		filters={"employee_loan": doc.name, "docstatus": 1, "status": CHANGE_APPROVED},
		fields=CHANGE_FIELDS,
		order_by="applied_on asc, name asc",
	)
	for row in repayments:
		row.kind = "Repayment"
		row.source = row.salary_slip or row.reference or ""
	for row in changes:
		row.kind = "Change"
		row.posting_date = getdate(row.applied_on)
		row.added = to_field(
			add_up(to_money(value or 0, precision) for value in (row.top_up_amount, row.interest_added))
		)
		row.effect = change_effect(row, currency, precision)
	# a change and a repayment on one day: the one that took effect first comes first
	entries = sorted(
		[*repayments, *changes], key=lambda row: (getdate(row.posting_date), row.applied_on or row.creation)
	)
	opening = opening_entry(doc)
	if opening:
		entries.insert(0, opening)
	principal, repaid = to_money(doc.loan_amount, precision), []
	for row in entries:
		if row.kind == "Change":
			principal = add_up([principal, to_money(row.added, precision)])
		else:
			repaid.append(to_money(row.principal_amount, precision))
		try:
			balance = outstanding_principal(principal, repaid, precision)
		except LoanInputError as error:
			frappe.throw(engine_message(error), title=_("Loan Statement"))
		row.balance = to_field(balance)
	return frappe._dict(
		currency=currency,
		precision=precision,
		disbursed=doc.docstatus == 1 and bool(doc.disbursement_date),
		repayments=repayments,
		changes=changes,
		opening=opening,
		entries=entries,
		remaining_schedule=remaining_schedule(doc),
		statement_date=getdate(nowdate()),
	)


def opening_entry(doc) -> frappe._dict | None:
	"""A loan brought in at go-live: its history before go-live as one line, the principal the old
	system recovered (the loan's opening line), dated the day before go-live."""
	if not doc.get("brought_in"):
		return None
	return frappe._dict(
		kind="Opening",
		posting_date=add_days(getdate(doc.go_live_date), -1),
		go_live_date=getdate(doc.go_live_date),
		instalments=doc.instalments_before_go_live,
		source=doc.old_system_reference or "",
		amount=doc.principal_recovered_before_go_live,
		principal_amount=doc.principal_recovered_before_go_live,
	)


def remaining_schedule(doc) -> list:
	"""The pending instalments, and the holiday months among and just before them: the rows after the
	last one paid, deducted or otherwise done."""
	rows = list(doc.get("schedule") or [])
	done = [index for index, row in enumerate(rows) if row.status not in (PENDING, ROW_EMI_HOLIDAY)]
	remaining = rows[done[-1] + 1 :] if done else rows
	for row in remaining:
		row.is_holiday = row.status == ROW_EMI_HOLIDAY
	return [row for row in remaining if row.status in (PENDING, ROW_EMI_HOLIDAY)]


def change_effect(change, currency: str, precision: int) -> str:
	"""What an approved change did, in a line: the months of a holiday, the EMI before and after, the
	last instalment (and the new rate of a restructure)."""

	def money(value) -> str:
		return fmt_money(value or 0, precision=precision, currency=currency)

	def month(value) -> str:
		return formatdate(value, "MMM yyyy") if value else ""

	parts = []
	if change.change_type == EMI_HOLIDAY:
		months = [
			month(add_months(change.from_date, offset)) for offset in range(int(change.holiday_months or 0))
		]
		parts.append(_("no EMI in {0}").format(", ".join(months)))
	if flt(change.emi_before, precision) != flt(change.emi_after, precision):
		parts.append(_("EMI {0} → {1}").format(money(change.emi_before), money(change.emi_after)))
	else:
		parts.append(_("EMI {0} kept").format(money(change.emi_after)))
	if getdate(change.end_date_before) != getdate(change.end_date_after):
		parts.append(
			_("last instalment {0} (was {1})").format(
				month(change.end_date_after), month(change.end_date_before)
			)
		)
	else:
		parts.append(_("last instalment {0}").format(month(change.end_date_after)))
	if change.change_type == RESTRUCTURE and change.new_interest_rate not in (None, ""):
		parts.append(_("rate {0}% a year").format(flt(change.new_interest_rate, 2)))
	if change.change_type == TOP_UP:
		parts.insert(0, _("{0} disbursed").format(money(change.top_up_amount)))
	elif flt(change.interest_added):
		parts.insert(1, _("interest {0} added to the principal").format(money(change.interest_added)))
	return ", ".join(parts)


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
