"""Re-amortisation: the schedule for what remains of a loan after any mix of full, partial and
skipped instalments and prepayments.

The state of a loan is what its submitted repayments say: the principal still outstanding, the EMI
it has been paying, the next due date and the date the current schedule ends. What was not
recovered in a short or skipped month is spread over what remains (keep the end date: the EMI
changes) or added at the end (keep the EMI: the term grows). It is never added to the next month
as arrears, so a skipped month is never doubled.

A month that is skipped accrues no interest: interest is charged per instalment on the balance
outstanding when it is recovered.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .errors import N_, LoanInputError
from .money import check_precision, parse_money, parse_rate, to_decimal
from .periods import months_between
from .schedule import Instalment, build_schedule, build_schedule_for_emi, normalise_method

KEEP_END_DATE = "Keep End Date"
KEEP_EMI = "Keep EMI"
MODES = (KEEP_END_DATE, KEEP_EMI)


def outstanding_principal(principal, principal_repaid: Iterable, precision: int) -> Decimal:
	"""Principal minus the principal of every submitted repayment; refuses to go below zero."""
	total = parse_money(principal, precision, N_("Loan amount"))
	repaid = sum((to_decimal(part, N_("repaid principal")) for part in principal_repaid), Decimal(0))
	if repaid < 0:
		raise LoanInputError(N_("Repaid principal cannot be negative, got {repaid}."), {"repaid": repaid})
	if repaid > total:
		raise LoanInputError(
			N_(
				"Repayments of {repaid} exceed the loan's principal of {principal}; cancel the extra repayment."
			),
			{"repaid": repaid, "principal": total},
		)
	return total - repaid


@dataclass(frozen=True)
class LoanState:
	outstanding: Decimal
	annual_rate: Decimal
	method: str
	current_emi: Decimal
	next_due: date
	end_date: date
	precision: int = 2
	next_number: int = 1


def reamortise(state: LoanState, mode: str = KEEP_END_DATE) -> list[Instalment]:
	"""The new schedule of the remaining instalments, starting at `state.next_due`."""
	precision = check_precision(state.precision)
	if mode not in MODES:
		raise LoanInputError(
			N_("Re-amortisation mode must be one of {keep_end_date}, {keep_emi}, got {mode}."),
			{"keep_end_date": KEEP_END_DATE, "keep_emi": KEEP_EMI, "mode": repr(mode)},
			("keep_end_date", "keep_emi"),
		)
	outstanding = parse_money(state.outstanding, precision, N_("Outstanding balance"), allow_zero=True)
	if outstanding == 0:
		return []
	rate = parse_rate(state.annual_rate, N_("Annual interest rate"))
	method = normalise_method(state.method, rate)
	if mode == KEEP_END_DATE or state.current_emi is None:
		# When the original end has already passed, the remainder falls due in the next month alone.
		months = max(1, months_between(state.next_due, state.end_date) + 1)
		return build_schedule(
			outstanding, rate, months, method, state.next_due, precision, first_number=state.next_number
		)
	emi = parse_money(state.current_emi, precision, N_("EMI"))
	return build_schedule_for_emi(
		outstanding, rate, emi, method, state.next_due, precision, first_number=state.next_number
	)
