"""A loan's schedule as a pure function of its terms and its submitted repayments.

Replaying the repayments from the original schedule gives the same rows every time, so cancelling a
repayment (or a salary slip) and replaying gives back exactly the schedule before it: nothing can
drift. Each payroll recovery settles one instalment: the oldest pending one. A month without a slip
leaves its instalment pending for the next slip, one instalment per slip, so nothing is doubled.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from .deduction import DUE, FINAL_SETTLEMENT, PRE_CLOSURE
from .errors import N_, LoanInputError
from .money import parse_money
from .periods import add_months
from .reamortise import KEEP_END_DATE, LoanState, reamortise
from .schedule import Instalment, LoanTerms, build_schedule

PENDING = "Pending"
PAID = "Paid"
PARTLY_PAID = "Partly Paid"
SKIPPED = "Skipped"
PRE_CLOSED = "Pre-closed"
ROW_STATUSES = (PENDING, PAID, PARTLY_PAID, SKIPPED, PRE_CLOSED)


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

	@classmethod
	def from_instalment(cls, row: Instalment) -> "ScheduleRow":
		return cls(
			row.number,
			row.due_date,
			row.opening_balance,
			row.emi,
			row.interest,
			row.principal,
			row.closing_balance,
		)

	@property
	def pending(self) -> bool:
		return self.status == PENDING


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


def _pending_rows(rows: list[Instalment]) -> list[ScheduleRow]:
	return [ScheduleRow.from_instalment(row) for row in rows]


def replay(
	terms: LoanTerms, first_due: date, recoveries: Iterable[Recovery], mode: str = KEEP_END_DATE
) -> list[ScheduleRow]:
	"""Settled rows followed by the pending schedule, after applying `recoveries` in order."""
	precision = terms.precision
	settled: list[ScheduleRow] = []
	pending = _pending_rows(
		build_schedule(terms.principal, terms.annual_rate, terms.months, terms.method, first_due, precision)
	)
	outstanding = terms.principal
	emi = pending[0].emi
	end_date = pending[-1].due_date

	def reschedule(next_due: date, next_number: int) -> list[ScheduleRow]:
		if outstanding == 0:
			return []
		state = LoanState(
			outstanding, terms.annual_rate, terms.method, emi, next_due, end_date, precision, next_number
		)
		return _pending_rows(reamortise(state, mode))

	for recovery in recoveries:
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
				pending = reschedule(pending[0].due_date, pending[0].number)
			continue
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
			pending = reschedule(add_months(row.due_date, 1), row.number + 1)
	return settled + pending


def _settled_status(recovery: Recovery, as_planned: bool, outstanding: Decimal) -> str:
	if recovery.closes and outstanding == 0:
		return PRE_CLOSED
	if recovery.amount == 0:
		return SKIPPED
	paid_in_full = recovery.reason == DUE if recovery.reason else as_planned
	return PAID if paid_in_full else PARTLY_PAID


def summarise(terms: LoanTerms, rows: list[ScheduleRow], recoveries: Iterable[Recovery]) -> LoanSummary:
	"""Balances derived from the repayments themselves; counts and dates from the replayed rows."""
	recoveries = list(recoveries)
	pending = [row for row in rows if row.pending]
	return summary_from_totals(
		principal=terms.principal,
		principal_repaid=sum((r.principal for r in recoveries), Decimal(0)),
		interest_paid=sum((r.interest for r in recoveries), Decimal(0)),
		emis_paid=sum(1 for row in rows if row.status in (PAID, PRE_CLOSED)),
		total_emis=len(rows),
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
