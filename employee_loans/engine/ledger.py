"""A loan's schedule as a pure function of its terms and its submitted repayments.

Replaying the repayments from the original schedule gives the same rows every time, so cancelling a
repayment (or a salary slip) and replaying gives back exactly the schedule before it: nothing can
drift. Each payroll recovery settles one instalment: the oldest pending one. A month without a slip
leaves its instalment pending for the next slip, one instalment per slip, so nothing is doubled.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from .changes import EMI_HOLIDAY as EMI_HOLIDAY_CHANGE
from .changes import EXTEND_TERM, TOP_UP, LoanChange
from .deduction import DUE, FINAL_SETTLEMENT, PRE_CLOSURE
from .errors import N_, LoanInputError
from .money import parse_money
from .opening import BEFORE_GO_LIVE, Opening, opening_schedule, recovered_before_go_live
from .periods import add_months
from .reamortise import KEEP_EMI, KEEP_END_DATE, LoanState, reamortise
from .schedule import Instalment, LoanTerms, build_schedule

PENDING = "Pending"
PAID = "Paid"
PARTLY_PAID = "Partly Paid"
SKIPPED = "Skipped"
PRE_CLOSED = "Pre-closed"
EMI_HOLIDAY = "EMI Holiday"
ROW_STATUSES = (PENDING, PAID, PARTLY_PAID, SKIPPED, PRE_CLOSED, EMI_HOLIDAY, BEFORE_GO_LIVE)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Recovery:
	"""One submitted repayment. `instalment` is the number of the instalment a payroll recovery
	settles; None for a manual payment (a prepayment of principal). `reason` is the deduction's
	reason as decided when it was made (Due, Partial, Skipped, Pre-closure, Final Settlement): the
	row's state says what happened then, not what a later replay would have planned."""

	amount: Decimal
	principal: Decimal
	interest: Decimal
	instalment: int | None = None
	reason: str | None = None
	repayment: str | None = None
	salary_slip: str | None = None

	@property
	def closes(self) -> bool:
		"""A pre-closure or final settlement: the whole balance was asked for."""
		return self.reason in (PRE_CLOSURE, FINAL_SETTLEMENT)


@dataclass(frozen=True)
class Contract:
	"""What the schedule is laid to from a row on: the annual rate, the EMI kept when the term follows
	(Keep EMI) and the end date kept when the EMI follows (Keep End Date). A change sets a new one."""

	annual_rate: Decimal
	emi: Decimal | None
	end_date: date | None


@dataclass(frozen=True)
class ScheduleRow:
	number: int
	due_date: date
	opening_balance: Decimal
	emi: Decimal
	interest: Decimal
	principal: Decimal
	closing_balance: Decimal
	status: str = PENDING
	paid_amount: Decimal = Decimal(0)
	paid_principal: Decimal = Decimal(0)
	paid_interest: Decimal = Decimal(0)
	repayment: str | None = None
	salary_slip: str | None = None
	loan_change: str | None = None
	# the contract the row was laid under (holiday rows: the one in force before the holiday)
	contract: Contract | None = field(default=None, compare=False, repr=False)

	@classmethod
	def from_instalment(
		cls, row: Instalment, contract: Contract | None = None, loan_change: str | None = None
	) -> "ScheduleRow":
		return cls(
			row.number,
			row.due_date,
			row.opening_balance,
			row.emi,
			row.interest,
			row.principal,
			row.closing_balance,
			loan_change=loan_change,
			contract=contract,
		)

	@property
	def pending(self) -> bool:
		return self.status == PENDING

	@property
	def holiday(self) -> bool:
		return self.status == EMI_HOLIDAY

	@property
	def before_go_live(self) -> bool:
		"""The opening line of a loan brought in: what the old system recovered, not an instalment."""
		return self.status == BEFORE_GO_LIVE


@dataclass(frozen=True)
class LoanSummary:
	principal_repaid: Decimal
	interest_paid: Decimal
	amount_repaid: Decimal
	outstanding: Decimal
	emis_paid: int
	total_emis: int
	next_emi_date: date | None
	remaining_payable: Decimal

	@property
	def closed(self) -> bool:
		return self.outstanding == 0


def principal_added(events: Iterable) -> Decimal:
	"""Principal the loan's changes added to what was disbursed (top-ups, holiday interest)."""
	return sum((event.amount for event in events if isinstance(event, LoanChange)), Decimal(0))


def replay(
	terms: LoanTerms,
	first_due: date,
	events: Iterable[Opening | Recovery | LoanChange],
	mode: str = KEEP_END_DATE,
) -> list[ScheduleRow]:
	"""Settled rows followed by the rows still to come, after applying `events` (submitted repayments
	and changes) in the order they were submitted. A loan brought in at go-live has its `Opening` first:
	the replay starts from it (the opening line, then the schedule from go-live), not from the original
	schedule."""
	precision = terms.precision
	events = list(events)
	opening = _opening(events)
	if opening:
		events = events[1:]
		laid = opening_schedule(terms, opening)
		settled = [_opening_row(terms, opening)]
		outstanding = opening.outstanding
	else:
		laid = build_schedule(
			terms.principal, terms.annual_rate, terms.months, terms.method, first_due, precision
		)
		settled = []
		outstanding = terms.principal
	contract = Contract(terms.annual_rate, laid[0].emi, laid[-1].due_date)
	pending = [ScheduleRow.from_instalment(row, contract) for row in laid]
	changes: list[LoanChange] = []

	def ahead_of(due: date) -> list[LoanChange]:
		return [change for change in changes if change.kind != TOP_UP and change.first_due >= due]

	def relay(
		owed: Decimal, number: int, due: date, contract: Contract, first_mode: str, mark: str | None = None
	) -> list[ScheduleRow]:
		"""The rows from `due` on, for all that is `owed`, with the holidays and restructures ahead."""
		return _lay_out(owed, number, due, contract, ahead_of(due), terms.method, precision, first_mode, mark)

	for event in events:
		if isinstance(event, LoanChange):
			added = parse_money(event.amount, precision, N_("Amount added to the principal"), allow_zero=True)
			if event.kind == TOP_UP:
				if not pending or outstanding == 0:
					raise LoanInputError(
						N_("Change {change}: the loan is repaid; only an open loan can be topped up."),
						{"change": event.change or ""},
					)
				head = pending[0]
				outstanding += added
				changes.append(event)
				pending = relay(
					outstanding,
					head.number,
					head.due_date,
					Contract(head.contract.annual_rate, None, add_months(head.due_date, event.months - 1)),
					KEEP_END_DATE,
					event.change,
				)
				continue
			index = _changed_row(pending, event)
			outstanding += added
			changes.append(event)
			row = pending[index]
			# A holiday's interest is owed from the day it is approved (its journal entry books it then):
			# the rows before it show the higher balance, their instalments unchanged. From the change's
			# month on, the rows are laid out anew.
			before = [
				replace(
					earlier,
					opening_balance=earlier.opening_balance + added,
					closing_balance=earlier.closing_balance + added,
				)
				for earlier in pending[:index]
			]
			pending = before + relay(
				row.opening_balance + added, row.number, row.due_date, row.contract, mode
			)
			continue
		recovery = event
		amount = parse_money(recovery.amount, precision, N_("Repayment amount"), allow_zero=True)
		principal = parse_money(recovery.principal, precision, N_("Repaid principal"), allow_zero=True)
		interest = parse_money(recovery.interest, precision, N_("Repaid interest"), allow_zero=True)
		if principal + interest != amount:
			raise LoanInputError(
				N_(
					"Repayment {repayment} of {amount} is not its principal {principal} plus interest {interest}."
				),
				{
					"repayment": recovery.repayment or "",
					"amount": amount,
					"principal": principal,
					"interest": interest,
				},
			)
		if principal > outstanding:
			raise LoanInputError(
				N_(
					"Repayment {repayment} repays {principal} of principal but only "
					"{outstanding} is outstanding; cancel it or correct the amount."
				),
				{"repayment": recovery.repayment or "", "principal": principal, "outstanding": outstanding},
			)
		outstanding -= principal
		if recovery.instalment is None:
			# A manual payment: principal paid ahead of the schedule, which is re-laid from its next row.
			if pending:
				head = pending[0]
				pending = relay(outstanding, head.number, head.due_date, head.contract, mode)
			continue
		# Holiday months before the instalment being recovered are behind the loan now.
		while pending and pending[0].holiday:
			settled.append(pending.pop(0))
		if not pending or pending[0].number != recovery.instalment:
			expected = pending[0].number if pending else N_("none")
			raise LoanInputError(
				N_(
					"Repayment {repayment} settles instalment {instalment}, but the next "
					"pending instalment is {expected}. Cancel the later repayments first."
				),
				{
					"repayment": recovery.repayment or "",
					"instalment": recovery.instalment,
					"expected": expected,
				},
				# "none" when nothing is pending: a word to translate (a number translates to itself).
				("expected",),
			)
		row = pending.pop(0)
		as_planned = principal == row.principal and interest == row.interest
		status = _settled_status(recovery, as_planned, outstanding)
		if status == PAID:
			# Paid in full as scheduled when it was deducted: the row shows that instalment, even if a
			# later change to earlier history (a cancelled prepayment) would plan it differently now.
			row = replace(row, emi=amount, principal=principal, interest=interest)
		settled.append(
			replace(
				row,
				status=status,
				paid_amount=amount,
				paid_principal=principal,
				paid_interest=interest,
				repayment=recovery.repayment,
				salary_slip=recovery.salary_slip,
				closing_balance=outstanding,
			)
		)
		if outstanding == 0:
			pending = []
		elif not as_planned:
			if pending:
				head = pending[0]
				pending = relay(outstanding, head.number, head.due_date, head.contract, mode)
			else:
				pending = relay(outstanding, row.number + 1, add_months(row.due_date, 1), row.contract, mode)
	return settled + pending


def _opening(events: list) -> Opening | None:
	"""The loan's opening, which can only head its history."""
	if any(isinstance(event, Opening) for event in events[1:]):
		raise LoanInputError(
			N_("A loan brought in at go-live has one opening, before any repayment or change.")
		)
	return events[0] if events and isinstance(events[0], Opening) else None


def _opening_row(terms: LoanTerms, opening: Opening) -> ScheduleRow:
	"""The opening line: from the amount lent to the outstanding at go-live, by what the old system
	recovered (its instalments: the row's number)."""
	recovered = recovered_before_go_live(terms, opening.outstanding)
	return ScheduleRow(
		opening.instalments_recovered,
		opening.as_at,
		terms.principal,
		ZERO,
		ZERO,
		recovered,
		opening.outstanding,
		status=BEFORE_GO_LIVE,
		paid_amount=recovered,
		paid_principal=recovered,
	)


def _changed_row(pending: list[ScheduleRow], change: LoanChange) -> int:
	"""The index of the pending instalment a holiday or restructure starts at; every month it covers
	must still be to deduct (not deducted, not already a holiday, within the schedule)."""
	index = next((i for i, row in enumerate(pending) if row.due_date == change.first_due), None)
	months = change.months if change.kind == EMI_HOLIDAY_CHANGE else 1
	covered = pending[index : index + months] if index is not None else []
	if len(covered) < months or any(not row.pending for row in covered):
		raise LoanInputError(
			N_(
				"Change {change} applies from {month}, but the loan has no instalment left to deduct "
				"for every month it covers (already deducted, already a holiday, or after the last "
				"instalment). Choose later months, or fewer."
			),
			{"change": change.change or "", "month": change.first_due},
		)
	return index


def _lay_out(
	balance: Decimal,
	number: int,
	due: date,
	contract: Contract,
	ahead: list[LoanChange],
	method: str,
	precision: int,
	mode: str,
	mark: str | None = None,
) -> list[ScheduleRow]:
	"""The rows from `due` on for `balance` under `contract` (re-amortised per `mode`), with each change
	in `ahead` applied at its month. `mark`: the change that laid these rows, named on the first one."""
	rows: list[ScheduleRow] = []
	ahead = sorted(ahead, key=lambda change: change.first_due)  # stable: submitted order within a month
	while balance > 0:
		if ahead and ahead[0].first_due <= due:
			change = ahead.pop(0)
			if change.kind == EMI_HOLIDAY_CHANGE:
				for _month in range(change.months):
					rows.append(
						ScheduleRow(
							number,
							due,
							balance,
							ZERO,
							ZERO,
							ZERO,
							balance,
							status=EMI_HOLIDAY,
							loan_change=change.change,
							contract=contract,
						)  # fmt: skip
					)
					number += 1
					due = add_months(due, 1)
				end = contract.end_date
				if change.absorb == EXTEND_TERM or end is None or end < due:
					# The EMI paid before the holiday runs on for longer. (A holiday that raises the EMI
					# but now reaches past the loan's end, after a prepayment or a shorter term, does too.)
					end = add_months(end, change.months) if end else None
					contract, mode = Contract(contract.annual_rate, contract.emi, end), KEEP_EMI
				else:
					contract, mode = Contract(contract.annual_rate, None, end), KEEP_END_DATE
			else:
				rate = contract.annual_rate if change.annual_rate is None else change.annual_rate
				contract = Contract(rate, None, add_months(due, change.months - 1))
				mode = KEEP_END_DATE
			mark = change.change
			continue
		segment = reamortise(_state(balance, contract, method, due, precision, number), mode)
		# The contract keeps what the mode holds (the end date, or the EMI) and follows the rest, so a
		# later holiday keeps the EMI or the end date the employee actually has.
		contract = Contract(
			contract.annual_rate,
			contract.emi if mode == KEEP_EMI and contract.emi is not None else segment[0].emi,
			contract.end_date
			if mode == KEEP_END_DATE and contract.end_date is not None
			else segment[-1].due_date,
		)
		limit = ahead[0].first_due if ahead else None
		taken = [row for row in segment if limit is None or row.due_date < limit]
		for row in taken:
			rows.append(ScheduleRow.from_instalment(row, contract, mark))
			mark = None
		if len(taken) == len(segment):
			break
		balance = taken[-1].closing_balance
		number = taken[-1].number + 1
		due = add_months(taken[-1].due_date, 1)
	return rows


def _state(balance, contract: Contract, method: str, due: date, precision: int, number: int) -> LoanState:
	return LoanState(
		balance,
		contract.annual_rate,
		method,
		contract.emi,
		due,
		contract.end_date if contract.end_date is not None else due,
		precision,
		number,
	)


def _settled_status(recovery: Recovery, as_planned: bool, outstanding: Decimal) -> str:
	if recovery.closes and outstanding == 0:
		return PRE_CLOSED
	if recovery.amount == 0:
		return SKIPPED
	paid_in_full = recovery.reason == DUE if recovery.reason else as_planned
	return PAID if paid_in_full else PARTLY_PAID


def summarise(
	terms: LoanTerms, rows: list[ScheduleRow], events: Iterable[Recovery | LoanChange]
) -> LoanSummary:
	"""Balances derived from the repayments and changes themselves; counts and dates from the replayed
	rows (holiday months are not instalments). A loan brought in counts what the old system recovered
	(principal and instalments) as repaid; its interest is the old system's, not counted."""
	events = list(events)
	recoveries = [event for event in events if isinstance(event, Recovery)]
	pending = [row for row in rows if row.pending]
	opening = _opening(events)
	before = opening.instalments_recovered if opening else 0
	return summary_from_totals(
		principal=terms.principal + principal_added(events),
		principal_repaid=sum(
			(r.principal for r in recoveries),
			recovered_before_go_live(terms, opening.outstanding) if opening else ZERO,
		),
		interest_paid=sum((r.interest for r in recoveries), Decimal(0)),
		emis_paid=before + sum(1 for row in rows if row.status in (PAID, PRE_CLOSED)),
		total_emis=before + sum(1 for row in rows if not (row.holiday or row.before_go_live)),
		next_emi_date=pending[0].due_date if pending else None,
		pending_interest=sum((row.interest for row in pending), Decimal(0)),
	)


def summary_from_totals(
	principal: Decimal,
	principal_repaid: Decimal,
	interest_paid: Decimal,
	emis_paid: int,
	total_emis: int,
	next_emi_date: date | None,
	pending_interest: Decimal,
) -> LoanSummary:
	"""The loan's balances from the totals of its submitted repayments and its pending rows."""
	outstanding = principal - principal_repaid
	if outstanding < 0:
		raise LoanInputError(
			N_("Repayments of {repaid} exceed the principal of {principal}; cancel the extra repayment."),
			{"repaid": principal_repaid, "principal": principal},
		)
	return LoanSummary(
		principal_repaid=principal_repaid,
		interest_paid=interest_paid,
		amount_repaid=principal_repaid + interest_paid,
		outstanding=outstanding,
		emis_paid=emis_paid,
		total_emis=total_emis,
		next_emi_date=next_emi_date if outstanding else None,
		remaining_payable=outstanding + pending_interest if outstanding else Decimal(0),
	)


def after_instalment_paid(
	principal: Decimal,
	principal_repaid: Decimal,
	interest_paid: Decimal,
	emis_paid: int,
	total_emis: int,
	remaining_payable: Decimal,
	paid_principal: Decimal,
	paid_interest: Decimal,
	next_emi_date: date | None,
) -> LoanSummary:
	"""The balances after one more instalment paid exactly as scheduled, from the balances before it.

	This is what `summarise` gives after replaying that repayment: the instalment's row turns Paid, the
	rows after it are unchanged, so the interest still scheduled drops by the instalment's interest."""
	pending_interest = remaining_payable - (principal - principal_repaid) - paid_interest
	return summary_from_totals(
		principal=principal,
		principal_repaid=principal_repaid + paid_principal,
		interest_paid=interest_paid + paid_interest,
		emis_paid=emis_paid + 1,
		total_emis=total_emis,
		next_emi_date=next_emi_date,
		pending_interest=pending_interest,
	)
