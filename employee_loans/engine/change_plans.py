"""Planning a change to a live loan, and its figures before and after, from the loan's replayed rows.

What a holiday fixes when it is approved (the interest it adds to the principal, the EMI or the end date
it keeps) is computed here from the schedule as it stands, so that replaying the loan later, whatever
happens meanwhile, books exactly what was shown and approved.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .changes import (
	EMI_HOLIDAY,
	EXTEND_TERM,
	HOLIDAY_INTEREST_MODES,
	INTEREST_ADDED_TO_PRINCIPAL,
	RAISE_EMI,
	RESTRUCTURE,
	TOP_UP,
	LoanChange,
	holiday_interest,
)
from .errors import N_, LoanInputError
from .ledger import EMI_HOLIDAY as HOLIDAY_ROW
from .ledger import PENDING, Recovery, ScheduleRow, replay
from .money import parse_money, parse_months, parse_rate
from .periods import months_between
from .reamortise import KEEP_END_DATE
from .schedule import LoanTerms


@dataclass(frozen=True)
class LoanFigures:
	"""A loan's figures as a person compares them before and after a change. `emi`: the instalment due
	in the change's first month, or the first one after it (None when nothing is left to pay)."""

	emi: Decimal | None
	instalments_left: int
	end_date: date | None
	outstanding: Decimal
	total_interest: Decimal


def upcoming_rows(rows: list[ScheduleRow]) -> list[ScheduleRow]:
	"""The rows still ahead: everything after the last instalment recovered (holiday months included)."""
	last_settled = max(
		(i for i, row in enumerate(rows) if not (row.pending or row.status == HOLIDAY_ROW)), default=-1
	)
	return rows[last_settled + 1 :]


def loan_figures(rows: list[ScheduleRow], events: Iterable, from_due: date) -> LoanFigures:
	events = list(events)
	pending = [row for row in rows if row.pending]
	after = [row for row in pending if row.due_date >= from_due]
	interest_paid = sum((event.interest for event in events if isinstance(event, Recovery)), Decimal(0))
	interest_added = sum(
		(event.amount for event in events if isinstance(event, LoanChange) and event.kind == EMI_HOLIDAY),
		Decimal(0),
	)
	return LoanFigures(
		emi=after[0].emi if after else None,
		instalments_left=len(pending),
		end_date=pending[-1].due_date if pending else None,
		outstanding=sum((row.principal for row in pending), Decimal(0)),
		total_interest=interest_paid + interest_added + sum((row.interest for row in pending), Decimal(0)),
	)


def preview(
	terms: LoanTerms,
	first_due: date,
	events: list,
	change: LoanChange,
	mode: str = KEEP_END_DATE,
	before: list[ScheduleRow] | None = None,
) -> tuple[LoanFigures, LoanFigures]:
	"""The loan's figures without and with `change` applied after `events`. `before`: the rows of
	`events` when the caller has replayed them already."""
	before = replay(terms, first_due, events, mode) if before is None else before
	after_events = [*events, change]
	after = replay(terms, first_due, after_events, mode)
	return (
		loan_figures(before, events, change.first_due),
		loan_figures(after, after_events, change.first_due),
	)


def _pending_row_at(rows: list[ScheduleRow], first_due: date) -> ScheduleRow:
	for row in upcoming_rows(rows):
		if row.due_date == first_due and row.pending:
			return row
	raise LoanInputError(
		N_(
			"No instalment of this loan is left to deduct in {month} (already deducted, an EMI holiday, or "
			"after the last instalment). Choose a later month."
		),
		{"month": first_due},
	)


def plan_holiday(
	terms: LoanTerms,
	rows: list[ScheduleRow],
	first_due: date,
	months,
	absorb: str,
	interest_mode: str,
	change: str | None = None,
) -> LoanChange:
	"""An EMI holiday from `first_due` for `months`, on the loan whose replayed rows are `rows`: the
	interest it adds to the principal is fixed now, on the balance the schedule has for that month."""
	months = parse_months(months, N_("Months"))
	if interest_mode not in HOLIDAY_INTEREST_MODES:
		raise LoanInputError(
			N_("Interest during an EMI holiday is {added} or {waived}, got {mode}."),
			{
				"added": HOLIDAY_INTEREST_MODES[0],
				"waived": HOLIDAY_INTEREST_MODES[1],
				"mode": repr(interest_mode),
			},
			("added", "waived"),
		)
	row = _pending_row_at(rows, first_due)
	last_due = upcoming_rows(rows)[-1].due_date
	if absorb == RAISE_EMI and months_between(first_due, last_due) < months:
		raise LoanInputError(
			N_(
				"The EMI holiday reaches past the loan's last instalment ({end}), so there is no term left to "
				"raise the EMI over. Choose {extend}, or fewer months."
			),
			{"end": last_due, "extend": EXTEND_TERM},
			("extend",),
		)
	rate = row.contract.annual_rate if row.contract else terms.annual_rate
	added = (
		holiday_interest(row.opening_balance, rate, terms.method, months, terms.precision)
		if interest_mode == INTEREST_ADDED_TO_PRINCIPAL
		else Decimal(0)
	)
	return LoanChange(EMI_HOLIDAY, first_due, months, amount=added, absorb=absorb, change=change)


def plan_restructure(
	terms: LoanTerms,
	rows: list[ScheduleRow],
	first_due: date,
	months,
	annual_rate=None,
	change: str | None = None,
) -> LoanChange:
	"""From `first_due`, `months` instalments (and `annual_rate` when given)."""
	_pending_row_at(rows, first_due)
	months = parse_months(months, N_("Remaining term"))
	rate = None if annual_rate in (None, "") else parse_rate(annual_rate, N_("New annual interest rate"))
	return LoanChange(RESTRUCTURE, first_due, months, annual_rate=rate, change=change)


def plan_top_up(
	terms: LoanTerms, rows: list[ScheduleRow], amount, months=None, change: str | None = None
) -> LoanChange:
	"""`amount` more lent, re-laid from the next instalment over `months` months (default: to the
	current end date)."""
	amount = parse_money(amount, terms.precision, N_("Top-up amount"))
	upcoming = upcoming_rows(rows)
	pending = [row for row in upcoming if row.status == PENDING]
	if not upcoming or not pending:
		raise LoanInputError(N_("The loan is repaid; only an open loan can be topped up."))
	holidays = [row for row in upcoming if row.status == HOLIDAY_ROW]
	if holidays:
		# The holiday was approved on the loan as it stood; a new term laid over it would be extended
		# by it again. One change at a time.
		raise LoanInputError(
			N_(
				"The loan has an EMI holiday still to come ({month}); top it up after the holiday, or cancel "
				"the holiday first."
			),
			{"month": holidays[0].due_date},
		)
	head = upcoming[0].due_date
	if months in (None, "", 0):
		# keep the end date: the months from the next instalment to the last (holidays included)
		months = months_between(head, upcoming[-1].due_date) + 1
	return LoanChange(TOP_UP, head, parse_months(months, N_("Remaining term")), amount=amount, change=change)
