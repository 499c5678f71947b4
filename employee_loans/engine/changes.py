"""Changes to a live loan: an EMI holiday, a restructure, a top-up.

A change is an event in the loan's history, replayed in order with its repayments (`ledger.replay`),
so a loan stays a pure function of its terms, its repayments and its changes: cancelling a change and
replaying gives back exactly the schedule before it.

- EMI holiday: no instalment for `months` months from `first_due`. The interest of those months is
  either waived or added to the principal (`amount`, fixed when the holiday is approved and owed from
  then on, so that the journal entry booking it and the loan always agree). Afterwards the schedule keeps the EMI and runs
  longer (Extend Term), or keeps its end date and raises the EMI (Raise EMI).
- Restructure: from `first_due`, a new remaining term of `months` instalments and optionally a new
  annual rate.
- Top-up: `amount` more principal lent at once; the balance is re-laid from the next pending
  instalment over `months` instalments.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from .errors import N_, LoanInputError
from .money import (
	WORKING_DIGITS,
	check_precision,
	monthly_rate,
	parse_money,
	parse_months,
	parse_rate,
	quantum,
	round_money,
)
from .schedule import FLAT, INTEREST_FREE, normalise_method

EMI_HOLIDAY = "EMI Holiday"
RESTRUCTURE = "Restructure"
TOP_UP = "Top-up"
CHANGE_TYPES = (EMI_HOLIDAY, RESTRUCTURE, TOP_UP)

# How the schedule absorbs a holiday
EXTEND_TERM = "Extend Term"
RAISE_EMI = "Raise EMI"
HOLIDAY_ABSORB_MODES = (EXTEND_TERM, RAISE_EMI)

# The interest of the holiday months
INTEREST_ADDED_TO_PRINCIPAL = "Added to Principal"
INTEREST_WAIVED = "Waived"
HOLIDAY_INTEREST_MODES = (INTEREST_ADDED_TO_PRINCIPAL, INTEREST_WAIVED)


@dataclass(frozen=True)
class LoanChange:
	"""One submitted change. `first_due` is the due date of the first instalment it changes (due dates
	are the first of their month). `months`: the holiday's months, or the new remaining term of a
	restructure or top-up. `amount`: principal the change adds (a top-up's amount, a holiday's interest
	added to the principal). `annual_rate`: a restructure's new rate (None keeps the rate)."""

	kind: str
	first_due: date
	months: int
	amount: Decimal = Decimal(0)
	annual_rate: Decimal | None = None
	absorb: str = EXTEND_TERM
	change: str | None = None

	def __post_init__(self):
		if self.kind not in CHANGE_TYPES:
			raise LoanInputError(
				N_("A loan change must be one of {holiday}, {restructure}, {top_up}, got {kind}."),
				{
					"holiday": EMI_HOLIDAY,
					"restructure": RESTRUCTURE,
					"top_up": TOP_UP,
					"kind": repr(self.kind),
				},
				("holiday", "restructure", "top_up"),
			)
		if self.kind == EMI_HOLIDAY and self.absorb not in HOLIDAY_ABSORB_MODES:
			raise LoanInputError(
				N_("An EMI holiday is absorbed by {extend} or {raise_emi}, got {absorb}."),
				{"extend": EXTEND_TERM, "raise_emi": RAISE_EMI, "absorb": repr(self.absorb)},
				("extend", "raise_emi"),
			)
		parse_months(self.months, N_("Months") if self.kind == EMI_HOLIDAY else N_("Remaining term"))
		if self.first_due.day != 1:
			raise LoanInputError(
				N_("A change applies from the first day of a payroll month, got {date}."),
				{"date": self.first_due},
			)


def rate_in_force(annual_rate, rate_changes, month: date) -> Decimal:
	"""The annual rate a loan charges in `month` (any day of it), as the replay lays the loan out: its own
	rate, or the new rate of the restructure that applies from the latest month up to this one (of two
	from the same month, the one applied later). `rate_changes`: (the payroll month it applies from, its
	new annual rate) in the order they were applied; a restructure that kept the rate is left out."""
	rate = parse_rate(annual_rate, N_("Annual interest rate"))
	first_day = month.replace(day=1)
	latest = None
	for applies_from, new_rate in rate_changes:
		if applies_from <= first_day and (latest is None or applies_from >= latest):
			latest, rate = applies_from, parse_rate(new_rate, N_("New interest rate"))
	return rate


def holiday_interest(balance, annual_rate, method: str, months: int, precision: int = 2) -> Decimal:
	"""The interest of `months` holiday months on `balance`, to be added to the principal."""
	return sum(holiday_interest_by_month(balance, annual_rate, method, months, precision), Decimal(0))


def holiday_interest_by_month(
	balance, annual_rate, method: str, months: int, precision: int = 2
) -> list[Decimal]:
	"""Each holiday month's interest on `balance`. Reducing balance: each month's interest, rounded
	half-up, is added before the next month's is charged (it is principal from then on). Flat: the flat
	monthly charge on the balance, each month. Interest-free: nothing."""
	precision = check_precision(precision)
	balance = parse_money(balance, precision, N_("Outstanding balance"), allow_zero=True)
	rate = parse_rate(annual_rate, N_("Annual interest rate"))
	months = parse_months(months, N_("Months"))
	method = normalise_method(method, rate)
	zero = Decimal(0).quantize(quantum(precision))
	if method == INTEREST_FREE or balance == 0:
		return [zero] * months
	if method == FLAT:
		with localcontext() as ctx:
			ctx.prec = WORKING_DIGITS
			return [round_money(balance * rate / Decimal(1200), precision)] * months
	r = monthly_rate(rate)
	shares = []
	for _month in range(months):
		shares.append(round_money((balance + sum(shares, zero)) * r, precision))
	return shares


def check_holiday_limits(
	months: int,
	months_in_year: dict[int, int],
	months_on_loan: int,
	max_per_loan: int,
	max_per_year: int,
) -> None:
	"""A holiday of `months` (`months_in_year`: how many of them fall in each calendar year) on a loan
	that has had `months_on_loan` holiday months, against the settings' limits (0: no limit)."""
	if max_per_loan and months_on_loan >= max_per_loan:
		raise LoanInputError(
			N_("This loan has had the {limit} EMI holiday months a loan may have; no more can be given."),
			{"limit": max_per_loan},
		)
	if max_per_loan and months_on_loan + months > max_per_loan:
		raise LoanInputError(
			N_(
				"A loan may have at most {limit} EMI holiday months; this loan has had {used}, so at most "
				"{left} more can be given."
			),
			{"limit": max_per_loan, "used": months_on_loan, "left": max(0, max_per_loan - months_on_loan)},
		)
	for year, count in sorted(months_in_year.items()):
		if max_per_year and count > max_per_year:
			raise LoanInputError(
				N_(
					"At most {limit} EMI holiday months are allowed in a year; {year} would have {count}. "
					"Ask for fewer months."
				),
				{"limit": max_per_year, "year": year, "count": count},
			)
