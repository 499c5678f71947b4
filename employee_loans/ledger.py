"""Posting repayments against a loan and keeping its schedule and balances in step.

Everything here runs inside the submit or cancel of a repayment (or of the salary slip that posts
it), with the loan's row locked. The schedule and the balances are always what the engine's replay of
the submitted repayments gives, so a cancel or an amend can never leave them wrong.
"""

from datetime import date
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from employee_loans.engine import (
	LoanInputError,
	Recovery,
	ScheduleRow,
	after_instalment_paid,
	first_due_date,
	replay,
	summarise,
)
from employee_loans.utils import currency_precision, get_settings, loan_terms, to_field, to_money

SCHEDULE_DOCTYPE = "Employee Loan Schedule"
ROW_FIELDS = {
	"instalment_number": "number",
	"due_date": "due_date",
	"opening_balance": "opening_balance",
	"emi": "emi",
	"interest_amount": "interest",
	"principal_amount": "principal",
	"closing_balance": "closing_balance",
	"status": "status",
	"paid_amount": "paid_amount",
	"paid_principal": "paid_principal",
	"paid_interest": "paid_interest",
	"salary_slip": "salary_slip",
	"repayment": "repayment",
}


class LoanLedgerError(frappe.ValidationError):
	pass


def lock_loan(loan: str):
	"""Row lock on the loan for the rest of the transaction: two slips or two clerks posting against
	the same loan wait for each other instead of both taking the same instalment."""
	return frappe.get_doc("Employee Loan", loan, for_update=True)


def first_due(loan) -> date:
	start = getdate(loan.repayment_start_date) if loan.repayment_start_date else None
	return first_due_date(getdate(loan.disbursement_date), start)


def submitted_recoveries(loan_name: str, precision: int) -> list[Recovery]:
	repayment = frappe.qb.DocType("Employee Loan Repayment")
	rows = (
		frappe.qb.from_(repayment)
		.select(
			repayment.name,
			repayment.amount,
			repayment.principal_amount,
			repayment.interest_amount,
			repayment.instalment_number,
			repayment.repayment_type,
			repayment.reason,
			repayment.salary_slip,
		)
		.where((repayment.employee_loan == loan_name) & (repayment.docstatus == 1))
		.orderby(repayment.creation)
		.orderby(repayment.name)
		.run(as_dict=True)
	)
	return [
		Recovery(
			amount=to_money(row.amount, precision),
			principal=to_money(row.principal_amount, precision),
			interest=to_money(row.interest_amount, precision),
			instalment=row.instalment_number or None,
			closes=row.reason in ("Pre-closure", "Final Settlement"),
			repayment=row.name,
			salary_slip=row.salary_slip,
		)
		for row in rows
	]


def schedule_values(rows: list[ScheduleRow]) -> list[dict]:
	return [{field: getattr(row, attribute) for field, attribute in ROW_FIELDS.items()} for row in rows]


def rebuild(loan, reason_for_closure: str | None = None) -> None:
	"""Replay the loan's submitted repayments and store the schedule, balances and status.

	`loan` must have been loaded with `lock_loan`."""
	precision = currency_precision(loan.company)
	terms = loan_terms(loan)
	recoveries = submitted_recoveries(loan.name, precision)
	mode = get_settings().reamortisation_mode or "Keep End Date"
	try:
		rows = replay(terms, first_due(loan), recoveries, mode)
		summary = summarise(terms, rows, recoveries)
	except LoanInputError as error:
		frappe.throw(
			_("Loan {0} of employee {1}: {2}").format(loan.name, loan.employee, str(error)),
			LoanLedgerError,
			title=_("Loan Repayments Out of Order"),
		)
	_write_rows(loan, rows)
	_write_summary(loan, summary, rows, recoveries)


def _write_rows(loan, rows: list[ScheduleRow]) -> None:
	frappe.db.delete(SCHEDULE_DOCTYPE, {"parent": loan.name, "parenttype": "Employee Loan"})
	now = now_datetime()
	fields = [
		"name", "parent", "parenttype", "parentfield", "idx", "docstatus", "creation", "modified",
		"owner", "modified_by", *ROW_FIELDS,
	]  # fmt: skip
	values = []
	for idx, row in enumerate(schedule_values(rows), start=1):
		values.append(
			[
				frappe.generate_hash(length=12),
				loan.name,
				"Employee Loan",
				"schedule",
				idx,
				loan.docstatus,
				now,
				now,
				frappe.session.user,
				frappe.session.user,
				*(to_field(value) if isinstance(value, Decimal) else value for value in row.values()),
			]
		)
	if values:
		frappe.db.bulk_insert(SCHEDULE_DOCTYPE, fields, values)


def _write_summary(loan, summary, rows: list[ScheduleRow], recoveries: list[Recovery]) -> None:
	pending = [row for row in rows if row.pending]
	last = recoveries[-1].repayment if recoveries else None
	store_summary(loan.name, loan.status, summary, pending[0].emi if pending else None, last, replayed=True)


def store_summary(
	loan_name: str, status: str, summary, next_emi, last_repayment: str | None, replayed: bool
) -> None:
	"""Write the derived balances and move the status: Disbursed -> Closed when nothing is
	outstanding, Closed -> Disbursed when a cancelled repayment leaves something outstanding again.
	`replayed`: the figures come from a full replay (any kind of repayment), not from one instalment
	paid as scheduled."""
	values = {
		"outstanding_balance": to_field(summary.outstanding),
		"principal_repaid": to_field(summary.principal_repaid),
		"interest_paid": to_field(summary.interest_paid),
		"amount_repaid": to_field(summary.amount_repaid),
		"emis_paid": summary.emis_paid,
		"total_emis": summary.total_emis,
		"next_emi_date": summary.next_emi_date,
		"remaining_payable": to_field(summary.remaining_payable),
	}
	if next_emi is not None:
		values["emi"] = to_field(next_emi)
	last = None
	if last_repayment and (replayed or summary.closed):
		last = frappe.db.get_value(
			"Employee Loan Repayment",
			last_repayment,
			["posting_date", "repayment_type", "reason"],
			as_dict=True,
		)
	if replayed:
		# What an employee's last slip could not recover stays on the loan for the exit settlement.
		final = last and last.reason == "Final Settlement"
		values["unrecovered_at_exit"] = to_field(summary.outstanding) if final else 0
	closing = summary.closed and status == "Disbursed"
	if closing:
		values.update(
			status="Closed",
			closure_date=last.posting_date,
			closure_type=closure_type(last.repayment_type, last.reason),
			preclosure_requested=0,
		)
	elif not summary.closed and status == "Closed":
		# The repayment that closed the loan was cancelled: it is open again.
		values.update(status="Disbursed", closure_date=None, closure_type="")
	frappe.db.set_value("Employee Loan", loan_name, values, update_modified=True)
	if closing:
		frappe.get_doc("Employee Loan", loan_name).run_method("on_loan_closed")


def settle_instalment(due, repayment, precision: int) -> None:
	"""The common payroll case, an instalment recovered exactly as scheduled: mark its row Paid and
	move the balances on by that instalment, without rewriting the schedule.

	`due` is the loan's row as read by the slip's submit under the row lock (balances, the instalment,
	the pending row after it). The result is what the replay of the submitted repayments gives (the
	tests check both ways agree); cancelling the repayment replays the loan in full."""
	schedule = frappe.qb.DocType(SCHEDULE_DOCTYPE)
	(
		frappe.qb.update(schedule)
		.set(schedule.status, "Paid")
		.set(schedule.paid_amount, repayment.amount)
		.set(schedule.paid_principal, repayment.principal_amount)
		.set(schedule.paid_interest, repayment.interest_amount)
		.set(schedule.salary_slip, repayment.salary_slip)
		.set(schedule.repayment, repayment.name)
		.where((schedule.name == due.row_name) & (schedule.status == "Pending"))
		.run()
	)
	try:
		summary = after_instalment_paid(
			principal=to_money(due.loan_amount, precision),
			principal_repaid=to_money(due.principal_repaid or 0, precision),
			interest_paid=to_money(due.interest_paid or 0, precision),
			emis_paid=due.emis_paid or 0,
			total_emis=due.total_emis or 0,
			remaining_payable=to_money(due.remaining_payable or 0, precision),
			paid_principal=to_money(repayment.principal_amount, precision),
			paid_interest=to_money(repayment.interest_amount, precision),
			next_emi_date=due.next_due_date,
		)
	except LoanInputError as error:
		frappe.throw(
			_("Loan {0}: {1}").format(due.name, str(error)), LoanLedgerError, title=_("Loan Repayment")
		)
	store_summary(due.name, due.status, summary, due.next_emi, repayment.name, replayed=False)


def closure_type(repayment_type: str, reason: str | None) -> str:
	if repayment_type == "Pre-closure":
		return "Pre-closed (Settled Manually)"
	if reason == "Pre-closure":
		return "Pre-closed (Payroll)"
	return "Repaid"
