"""The loan ledger: a loan's schedule and balances follow its submitted repayments.

Only two things move a loan after disbursement: a repayment's submit and its cancel
(`Employee Loan Repayment.on_submit` / `on_cancel` call `post` and `reverse`). The schedule and the
balances are always what the engine's replay of the submitted repayments gives, so a cancel or an
amend can never leave them wrong.

Concurrency. Every path takes the loan's row lock (`SELECT ... FOR UPDATE`) before it reads what it
replays, and every read of what is replayed (the loan, its schedule rows, its repayments) is itself a
locking read. That matters because MariaDB runs transactions in REPEATABLE READ: a plain SELECT
returns the snapshot taken at the transaction's first read, which can predate a repayment another
worker committed while this one waited for the lock. Locking reads always see the latest committed
rows, so two postings on one loan are serialised and neither is lost.
"""

from decimal import Decimal

from pypika.terms import Parameter

import frappe
from frappe import _
from frappe.utils import cint, flt, get_last_day, getdate, now_datetime

from employee_loans.engine import (
	LoanChange,
	LoanInputError,
	Opening,
	PreClosure,
	Recovery,
	ScheduleRow,
	add_up,
	after_instalment_paid,
	first_due_date,
	preclosure_settlement,
	replay,
	summarise,
)
from employee_loans.engine.states import (
	CHANGE_APPROVED,
	DUE,
	EMI_HOLIDAY,
	EXTEND_TERM,
	FINAL_SETTLEMENT,
	FROM_SALARY_SLIP,
	LOAN_CLOSED,
	LOAN_DISBURSED,
	PAID,
	PENDING,
	RESTRUCTURE,
	TOP_UP,
	closure_type,
)
from employee_loans.utils import (
	currency_precision,
	engine_message,
	get_settings,
	loan_terms,
	to_field,
	to_money,
)

LOAN_DOCTYPE = "Employee Loan"
# What a replay needs of a loan brought in at go-live (its opening)
OPENING_FIELDS = (
	"brought_in", "go_live_date", "outstanding_at_go_live", "instalments_before_go_live", "old_system_emi",
)  # fmt: skip
SCHEDULE_DOCTYPE = "Employee Loan Schedule"
REPAYMENT_DOCTYPE = "Employee Loan Repayment"
CHANGE_DOCTYPE = "Employee Loan Change"
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
	"loan_change": "loan_change",
}
# What a replay needs of the loan: its terms, dates, state and current balances.
LOAN_FIELDS = (
	"name", "employee", "employee_name", "company", "docstatus", "status", "loan_amount", "annual_interest_rate",
	"tenure_months", "interest_method", "disbursement_date", "repayment_start_date", "outstanding_balance",
	"principal_repaid", "interest_paid", "emis_paid", "total_emis", "remaining_payable", "loan_account",
	"interest_income_account", "top_up_amount", "holiday_interest_added", *OPENING_FIELDS,
)  # fmt: skip


class LoanLedgerError(frappe.ValidationError):
	pass


def lock_loan(loan: str):
	"""The loan's document, read with its row lock held for the rest of the transaction: two slips or
	two clerks posting against the same loan wait for each other instead of both taking the same
	instalment. Take it before reading anything of the loan."""
	return frappe.get_doc(LOAN_DOCTYPE, loan, for_update=True)


def locked_loan(loan: str) -> frappe._dict:
	"""The loan's row (terms, state, balances) under its row lock, without loading its schedule."""
	table = frappe.qb.DocType(LOAN_DOCTYPE)
	rows = (
		frappe.qb.from_(table)
		.select(*(table[field] for field in LOAN_FIELDS))
		.where(table.name == loan)
		.for_update()
		.run(as_dict=True)
	)
	if not rows:
		frappe.throw(_("Loan {0} does not exist.").format(loan), frappe.DoesNotExistError)
	return rows[0]


def post(repayment, loan: frappe._dict) -> None:
	"""Move the loan on by one repayment being submitted. `loan` is the loan's row as the repayment's
	validation read it under the row lock, in this same transaction.

	An instalment recovered exactly as scheduled (the common payroll case) marks its row Paid and moves
	the balances on by that instalment, without rewriting the schedule: the result is what the full
	replay gives (the tests check both ways agree). Anything else replays the loan."""
	due = _first_pending_row(loan.name) if repayment.reason == DUE and repayment.instalment_number else None
	precision = currency_precision(loan.company)
	if (
		due
		and due.instalment_number == repayment.instalment_number
		and to_money(due.principal_amount, precision) == to_money(repayment.principal_amount, precision)
		and to_money(due.interest_amount, precision) == to_money(repayment.interest_amount, precision)
	):
		_settle_instalment(loan, due, repayment, precision)
	else:
		rebuild(loan)


def reverse(repayment) -> None:
	"""A repayment was cancelled: replay the loan without it (a loan it had closed is open again)."""
	rebuild(locked_loan(repayment.employee_loan))


def preclosure_quote(loan, posting_date) -> PreClosure:
	"""What pre-closing `loan` on `posting_date` recovers: the engine's rule over the outstanding balance
	and the oldest pending instalment, for the payroll month the date falls in."""
	precision = currency_precision(loan.company)
	row = _first_pending_row(loan.name)
	due = (
		(row.instalment_number, getdate(row.due_date), to_money(row.interest_amount, precision))
		if row
		else None
	)
	try:
		return preclosure_settlement(
			to_money(loan.outstanding_balance, precision),
			getdate(get_last_day(posting_date)),
			due,
			precision,
		)
	except LoanInputError as error:
		frappe.throw(
			_("Loan {0}: {1}").format(loan.name, engine_message(error)),
			LoanLedgerError,
			title=_("Pre-closure"),
		)


def _first_pending_row(loan: str) -> frappe._dict | None:
	"""The oldest pending instalment and the due date and EMI of the one after it (locking read)."""
	row = frappe.qb.DocType(SCHEDULE_DOCTYPE)
	after = frappe.qb.DocType(SCHEDULE_DOCTYPE).as_("after")
	rows = (
		frappe.qb.from_(row)
		.left_join(after)
		.on(
			(after.parent == row.parent)
			& (after.parenttype == LOAN_DOCTYPE)
			& (after.instalment_number == row.instalment_number + 1)
		)
		.select(
			row.name,
			row.instalment_number,
			row.due_date,
			row.principal_amount,
			row.interest_amount,
			after.due_date.as_("next_due_date"),
			after.emi.as_("next_emi"),
		)
		.where((row.parent == loan) & (row.parenttype == LOAN_DOCTYPE) & (row.status == PENDING))
		.orderby(row.instalment_number)
		.limit(1)
		.for_update()
		.run(as_dict=True)
	)
	return rows[0] if rows else None


def _submitted_repayments(loan: str) -> list[frappe._dict]:
	"""The loan's submitted repayments in the order they were posted (locking read)."""
	repayment = frappe.qb.DocType(REPAYMENT_DOCTYPE)
	return (
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
			repayment.posting_date,
			repayment.creation,
		)
		.where((repayment.employee_loan == loan) & (repayment.docstatus == 1))
		.orderby(repayment.creation)
		.orderby(repayment.name)
		.for_update()
		.run(as_dict=True)
	)


def slip_recoveries_overlapping(loan, start, end):
	"""The query (and its table) of the submitted payroll recoveries of `loan` (a name, or a loan's
	column in a subquery) whose payroll period overlaps `start`..`end`: a locking read, so it sees what
	other workers committed while this one waited for the loan's lock (MariaDB reads even a subquery
	from the transaction's snapshot otherwise)."""
	repayment = frappe.qb.DocType(REPAYMENT_DOCTYPE)
	query = (
		frappe.qb.from_(repayment)
		.where(
			(repayment.employee_loan == loan)
			& (repayment.docstatus == 1)
			& (repayment.repayment_type == FROM_SALARY_SLIP)
			& (repayment.payroll_start_date <= end)
			& (repayment.payroll_end_date >= start)
		)
		.limit(1)
		.for_update()
	)
	return query, repayment


def approved_changes(loans: list[str], lock: bool) -> list[frappe._dict]:
	"""The approved changes of `loans` in the order they took effect, with each one's loan; read them
	with `loan_change`. `lock`: a locking read, for a replay (or a payroll submission) under the loans'
	row locks, which must see what other workers committed."""
	change = frappe.qb.DocType(CHANGE_DOCTYPE)
	query = (
		frappe.qb.from_(change)
		.select(
			change.name,
			change.employee_loan,
			change.change_type,
			change.from_date,
			change.holiday_months,
			change.holiday_absorb,
			change.interest_added,
			change.top_up_amount,
			change.new_term_months,
			change.change_interest_rate,
			change.new_interest_rate,
			change.applied_on,
		)
		.where(
			change.employee_loan.isin(loans) & (change.docstatus == 1) & (change.status == CHANGE_APPROVED)
		)
		.orderby(change.applied_on)
		.orderby(change.name)
	)
	return (query.for_update() if lock else query).run(as_dict=True)


def loan_change(row, precision: int) -> LoanChange:
	"""The engine's view of a change document (or its row)."""
	if row.change_type == EMI_HOLIDAY:
		months, amount = row.holiday_months, to_money(row.interest_added or 0, precision)
	elif row.change_type == TOP_UP:
		months, amount = row.new_term_months, to_money(row.top_up_amount or 0, precision)
	else:
		months, amount = row.new_term_months, to_money(0, precision)
	# a Percent column reads 0 when blank: only a restructure that says so changes the rate
	changes_rate = row.change_type == RESTRUCTURE and row.change_interest_rate
	return LoanChange(
		kind=row.change_type,
		first_due=getdate(row.from_date),
		months=cint(months),
		amount=amount,
		annual_rate=Decimal(str(flt(row.new_interest_rate, 6))) if changes_rate else None,
		absorb=row.holiday_absorb or EXTEND_TERM,
		change=row.name,
	)


def loan_events(loan, precision: int, without_change: str | None = None) -> tuple[list, list[frappe._dict]]:
	"""The loan's submitted repayments and approved changes in the order they were posted (what the
	engine replays), and the repayments' rows. `without_change`: leave that change out."""
	repayments = _submitted_repayments(loan.name)
	timeline = [(row.creation, row.name, _recovery(row, precision)) for row in repayments]
	timeline += [
		(row.applied_on, row.name, loan_change(row, precision))
		for row in approved_changes([loan.name], lock=True)
		if row.name != without_change
	]
	timeline.sort(key=lambda item: (item[0], item[1]))
	opening = loan_opening(loan, precision)
	return [*([opening] if opening else []), *(event for _when, _name, event in timeline)], repayments


def loan_opening(loan, precision: int) -> Opening | None:
	"""The engine's opening of a loan brought in at go-live (None for a loan the app disbursed)."""
	if not loan.brought_in:
		return None
	return Opening(
		go_live=getdate(loan.go_live_date),
		first_due=first_due(loan),
		outstanding=to_money(loan.outstanding_at_go_live, precision),
		# the old system recovered the first instalments; the app recovers the rest of the tenure
		months=cint(loan.tenure_months) - cint(loan.instalments_before_go_live),
		instalments_recovered=cint(loan.instalments_before_go_live),
		emi=to_money(loan.old_system_emi, precision) if loan.old_system_emi else None,
	)


def _recovery(row, precision: int) -> Recovery:
	return Recovery(
		amount=to_money(row.amount, precision),
		principal=to_money(row.principal_amount, precision),
		interest=to_money(row.interest_amount, precision),
		instalment=row.instalment_number or None,
		reason=row.reason,
		repayment=row.name,
		salary_slip=row.salary_slip,
	)


def first_due(loan):
	start = getdate(loan.repayment_start_date) if loan.repayment_start_date else None
	return first_due_date(getdate(loan.disbursement_date), start)


def rebuild(loan, new: bool = False) -> None:
	"""Replay the loan's submitted repayments and approved changes; store the schedule, balances and
	status.

	`loan` is the loan's row or document read under its row lock (`locked_loan` or `lock_loan`). `new`:
	the loan is being submitted (disbursed, or brought in at go-live), so it has no repayment, no change
	and no schedule to read or replace yet."""
	precision = currency_precision(loan.company)
	terms = loan_terms(loan)
	if new:
		opening = loan_opening(loan, precision)
		events, repayments = [opening] if opening else [], []
	else:
		events, repayments = loan_events(loan, precision)
	try:
		rows = replay(terms, first_due(loan), events, get_settings().reamortisation_mode)
		summary = summarise(terms, rows, events)
	except LoanInputError as error:
		frappe.throw(
			_("Loan {0} of employee {1}: {2}").format(loan.name, loan.employee, engine_message(error)),
			LoanLedgerError,
			title=_("Loan Repayments Out of Order"),
		)
	_write_rows(loan, rows, new)
	pending = [row for row in rows if row.pending]
	changes = [event for event in events if isinstance(event, LoanChange)]
	_store_summary(
		loan,
		summary,
		pending[0].emi if pending else None,
		repayments[-1] if repayments else None,
		replayed=True,
		added={
			"current_interest_rate": flt(current_rate(rows, terms)),
			"top_up_amount": to_field(add_up(c.amount for c in changes if c.kind == TOP_UP)),
			"holiday_interest_added": to_field(add_up(c.amount for c in changes if c.kind == EMI_HOLIDAY)),
		},
	)


def current_rate(rows: list[ScheduleRow], terms) -> Decimal:
	"""The annual rate in force for the next instalment (a restructure may have changed it)."""
	upcoming = [row for row in rows if row.pending and row.contract]
	if upcoming:
		return upcoming[0].contract.annual_rate
	laid = [row for row in rows if row.contract]  # a closed loan: the rate it ended on
	return laid[-1].contract.annual_rate if laid else terms.annual_rate


def replayed_rows(loan, events: list | None = None) -> list[ScheduleRow]:
	"""The loan's rows as the engine replays them (with their contracts, for planning a change)."""
	precision = currency_precision(loan.company)
	events = loan_events(loan, precision)[0] if events is None else events
	try:
		return replay(loan_terms(loan), first_due(loan), events, get_settings().reamortisation_mode)
	except LoanInputError as error:
		frappe.throw(
			_("Loan {0}: {1}").format(loan.name, engine_message(error)),
			LoanLedgerError,
			title=_("Loan Change"),
		)


def _write_rows(loan, rows: list[ScheduleRow], new: bool = False) -> None:
	if not new:
		frappe.db.delete(SCHEDULE_DOCTYPE, {"parent": loan.name, "parenttype": LOAN_DOCTYPE})
	now = now_datetime()
	fields = [
		"name", "parent", "parenttype", "parentfield", "idx", "docstatus", "creation", "modified",
		"owner", "modified_by", *ROW_FIELDS,
	]  # fmt: skip
	values = []
	for idx, row in enumerate(rows, start=1):
		values.append(
			[
				frappe.generate_hash(length=12),
				loan.name,
				LOAN_DOCTYPE,
				"schedule",
				idx,
				loan.docstatus,
				now,
				now,
				frappe.session.user,
				frappe.session.user,
				*(
					to_field(value) if isinstance(value, Decimal) else value
					for value in (getattr(row, attribute) for attribute in ROW_FIELDS.values())
				),
			]
		)
	if values:
		# One INSERT with a placeholder per value, the values handed to the driver: Frappe's bulk_insert
		# builds the statement with every value in it, a few milliseconds a loan, which every replay and
		# thousands of loans brought in at once would pay.
		placeholders = [Parameter("%s")] * len(fields)
		query = frappe.qb.into(frappe.qb.DocType(SCHEDULE_DOCTYPE)).columns(fields)
		for _row in values:
			query = query.insert(*placeholders)
		frappe.db.sql(query.get_sql(), [value for row in values for value in row])


def _store_summary(
	loan, summary, next_emi, last_repayment, replayed: bool, added: dict | None = None
) -> None:
	"""Write the derived balances and move the status: Disbursed -> Closed when nothing is
	outstanding, Closed -> Disbursed when a cancelled repayment leaves something outstanding again.
	`last_repayment` is the latest submitted repayment (posting date, type, reason); `replayed`: the
	figures come from a full replay, not from one instalment paid as scheduled."""
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
	if added is not None:
		values.update(added)
	if replayed:
		# What an employee's last slip could not recover stays on the loan for the exit settlement.
		final = last_repayment and last_repayment.reason == FINAL_SETTLEMENT
		values["unrecovered_at_exit"] = to_field(summary.outstanding) if final else 0
	closing = summary.closed and loan.status == LOAN_DISBURSED
	if closing:
		values.update(
			status=LOAN_CLOSED,
			closure_date=last_repayment.posting_date,
			closure_type=closure_type(last_repayment.repayment_type, last_repayment.reason),
			preclosure_requested=0,
		)
	elif not summary.closed and loan.status == LOAN_CLOSED:
		# The repayment that closed the loan was cancelled: it is open again.
		values.update(status=LOAN_DISBURSED, closure_date=None, closure_type="")
	frappe.db.set_value(LOAN_DOCTYPE, loan.name, values, update_modified=True)
	if closing:
		frappe.get_doc(LOAN_DOCTYPE, loan.name).run_method("on_loan_closed")


def _settle_instalment(loan, due, repayment, precision: int) -> None:
	"""The instalment `due` (the loan's oldest pending row, read under the lock) is recovered exactly as
	scheduled: mark its row Paid and move the balances on by it."""
	schedule = frappe.qb.DocType(SCHEDULE_DOCTYPE)
	(
		frappe.qb.update(schedule)
		.set(schedule.status, PAID)
		.set(schedule.paid_amount, repayment.amount)
		.set(schedule.paid_principal, repayment.principal_amount)
		.set(schedule.paid_interest, repayment.interest_amount)
		.set(schedule.salary_slip, repayment.salary_slip)
		.set(schedule.repayment, repayment.name)
		.where(schedule.name == due.name)
		.run()
	)
	try:
		summary = after_instalment_paid(
			# what was lent: the loan, its top-ups and the holiday interest added to it
			principal=add_up(
				to_money(value or 0, precision)
				for value in (loan.loan_amount, loan.top_up_amount, loan.holiday_interest_added)
			),
			principal_repaid=to_money(loan.principal_repaid or 0, precision),
			interest_paid=to_money(loan.interest_paid or 0, precision),
			emis_paid=loan.emis_paid or 0,
			total_emis=loan.total_emis or 0,
			remaining_payable=to_money(loan.remaining_payable or 0, precision),
			paid_principal=to_money(repayment.principal_amount, precision),
			paid_interest=to_money(repayment.interest_amount, precision),
			next_emi_date=due.next_due_date,
		)
	except LoanInputError as error:
		frappe.throw(
			_("Loan {0}: {1}").format(loan.name, engine_message(error)),
			LoanLedgerError,
			title=_("Loan Repayment"),
		)
	_store_summary(loan, summary, due.next_emi, repayment, replayed=False)
