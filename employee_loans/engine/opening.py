"""A loan brought in at go-live: what the app takes over from the system that kept the loan before.

A company installs the app with loans in flight, each part-repaid. Such a loan keeps its own terms (the
amount lent, the rate, the method, the tenure, the date it was disbursed) and gets one event at the head
of its history, the `Opening`: the principal still outstanding at go-live, the first payroll month the
app recovers and how many instalments are left. The ledger's replay starts from it instead of from the
original schedule, so everything that follows (payroll, repayments, holidays, restructures, top-ups,
pre-closure, exit settlement, write-off) works on the loan as on any other:

- one settled row, the opening line: the amount lent, the principal the old system recovered before
  go-live and the principal outstanding at go-live. No interest: what the old system charged is its own;
- then the schedule from the first payroll month the app recovers, for exactly the outstanding, closing
  at 0: the instalments left on the loan's own rate and method, or, when the old system's EMI is kept,
  that EMI every month with the last instalment absorbing the difference.

How many instalments are left: the tenure less the instalments recovered, when the old system says how
many it recovered; otherwise the months from the first payroll month to the loan's original last
instalment (the payroll month after disbursement plus the tenure).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .eligibility import WARN, Finding
from .errors import N_, LoanInputError
from .money import format_money, monthly_rate, parse_money, parse_months, quantum, round_money
from .periods import add_months, first_due_date, month_start, months_between
from .schedule import FLAT, INTEREST_FREE, Instalment, LoanTerms, build_schedule

# The status of the opening line among the loan's schedule rows
BEFORE_GO_LIVE = "Before Go-live"

# What a note on a loan being brought in is about (shown as warnings, never refusals)
GO_LIVE_TERM = "Term Left at Go-live"
KEPT_EMI = "EMI Kept from the Old System"


@dataclass(frozen=True)
class Opening:
	"""The head of a brought-in loan's history. `go_live`: the day the app takes the loan over (the books'
	opening is the day before); `first_due`: the first day of the first payroll month the app recovers;
	`outstanding`: the principal outstanding at go-live; `months`: the instalments left from `first_due`;
	`instalments_recovered`: how many the old system recovered (the app numbers its own from the next);
	`emi`: the old system's EMI, kept (None: the app lays the instalments out on the loan's terms)."""

	go_live: date
	first_due: date
	outstanding: Decimal
	months: int
	instalments_recovered: int = 0
	emi: Decimal | None = None

	def __post_init__(self):
		if self.first_due.day != 1:
			raise LoanInputError(
				N_("The first payroll month the app recovers starts on its first day, got {date}."),
				{"date": self.first_due},
			)
		parse_months(self.months, N_("Instalments left"))
		_whole(self.instalments_recovered)

	@property
	def as_at(self) -> date:
		"""The day the loan's opening balance stands at: the day before go-live (the opening entry's date)."""
		return self.go_live - timedelta(days=1)


@dataclass(frozen=True)
class OpeningPlan:
	"""A loan to be brought in, as the engine reads it: its opening, the principal recovered before
	go-live, the schedule from go-live, and what a person should look at (`notes`, warnings)."""

	opening: Opening
	principal_recovered: Decimal
	rows: list[Instalment]
	notes: list[Finding]

	@property
	def emi(self) -> Decimal:
		return self.rows[0].emi

	@property
	def last_due(self) -> date:
		return self.rows[-1].due_date


def recovered_before_go_live(terms: LoanTerms, outstanding: Decimal) -> Decimal:
	"""The principal the old system recovered: the amount lent less the outstanding at go-live."""
	if outstanding > terms.principal:
		raise LoanInputError(
			N_(
				"The outstanding principal at go-live of {outstanding} is more than the {lent} lent. Give the "
				"principal still owed, without interest."
			),
			{"outstanding": outstanding, "lent": terms.principal},
		)
	return terms.principal - outstanding


def original_last_due(disbursed_on: date, tenure: int) -> date:
	"""The loan's last instalment on its original terms: the payroll month after disbursement, plus the
	tenure."""
	return add_months(first_due_date(disbursed_on), tenure - 1)


def plan_opening(
	terms: LoanTerms,
	disbursed_on: date,
	go_live: date,
	outstanding,
	first_month: date | None = None,
	instalments_recovered: int | None = None,
	emi=None,
) -> OpeningPlan:
	"""Check what the old system says of a loan against its terms and lay out what the app recovers.

	`terms`: the loan as it was granted (amount lent, rate, tenure, method). `first_month`: any day of the
	first payroll month the app recovers (default: the go-live month). `instalments_recovered`: how many
	the old system recovered, if known. `emi`: the old system's EMI, to keep."""
	precision = terms.precision
	outstanding = parse_money(outstanding, precision, N_("Outstanding principal at go-live"))
	recovered = recovered_before_go_live(terms, outstanding)
	if go_live <= disbursed_on:
		raise LoanInputError(
			N_(
				"The go-live date {go_live} is not after the original disbursement date {disbursed}. A loan "
				"disbursed on or after go-live is a new loan: apply for it in the app."
			),
			{"go_live": go_live, "disbursed": disbursed_on},
		)
	first_due = month_start(first_month or go_live)
	if first_due < month_start(go_live):
		raise LoanInputError(
			N_(
				"The first payroll month the app recovers ({month}) is before the go-live month ({go_live}). "
				"Choose the go-live month or a later one."
			),
			{"month": _month(first_due), "go_live": _month(go_live)},
		)
	if first_due < first_due_date(disbursed_on):
		raise LoanInputError(
			N_(
				"The first payroll month the app recovers ({month}) is the month the loan was disbursed in; a "
				"loan is first recovered in the payroll month after it. Choose {next} or later."
			),
			{"month": _month(first_due), "next": _month(first_due_date(disbursed_on))},
		)
	original_end = original_last_due(disbursed_on, terms.months)
	months_to_end = months_between(first_due, original_end) + 1
	if instalments_recovered is None:
		if months_to_end < 1:
			raise LoanInputError(
				N_(
					"The loan's original term ended in {end}, before the first payroll month {month}, but "
					"{outstanding} is still outstanding. Give the instalments recovered so far: the app "
					"recovers the rest of the {tenure} instalments."
				),
				{
					"end": _month(original_end),
					"month": _month(first_due),
					"outstanding": outstanding,
					"tenure": terms.months,
				},
			)
		months, recovered_count = months_to_end, max(terms.months - months_to_end, 0)
	else:
		recovered_count = _whole(instalments_recovered)
		if recovered_count >= terms.months:
			raise LoanInputError(
				N_(
					"{recovered} instalments were recovered of a tenure of {tenure}, but {outstanding} is "
					"still outstanding. Give the tenure with the months still to go, or fewer instalments "
					"recovered."
				),
				{"recovered": recovered_count, "tenure": terms.months, "outstanding": outstanding},
			)
		months = terms.months - recovered_count
	kept = None if emi in (None, "") else parse_money(emi, precision, N_("EMI in the old system"))
	opening = Opening(go_live, first_due, outstanding, months, recovered_count, kept)
	rows = opening_schedule(terms, opening)
	notes = []
	if instalments_recovered is not None and months != months_to_end:
		notes.append(
			Finding(
				GO_LIVE_TERM,
				WARN,
				N_(
					"The {months} instalments left end in {end}; on its original terms the loan ended in "
					"{original_end}. Check the tenure and the instalments recovered."
				),
				{"months": months, "end": _month(rows[-1].due_date), "original_end": _month(original_end)},
			)
		)
	if kept is not None and (len(rows) < months or abs(rows[-1].emi - kept) * 2 > kept):
		notes.append(
			Finding(
				KEPT_EMI,
				WARN,
				N_(
					"Keeping the old system's EMI of {emi}, the last instalment, in {month}, is {last} "
					"({count} instalments instead of {months}). Check the EMI and the outstanding principal."
				),
				{
					"emi": format_money(kept, precision),
					"month": _month(rows[-1].due_date),
					"last": format_money(rows[-1].emi, precision),
					"count": len(rows),
					"months": months,
				},
			)
		)
	return OpeningPlan(opening, recovered, rows, notes)


def opening_schedule(terms: LoanTerms, opening: Opening) -> list[Instalment]:
	"""The instalments from go-live for the outstanding principal, on the loan's rate and method: laid out
	over the months left, or at the old system's EMI with the last instalment paying what remains."""
	first_number = opening.instalments_recovered + 1
	if opening.emi is None:
		return build_schedule(
			opening.outstanding,
			terms.annual_rate,
			opening.months,
			terms.method,
			opening.first_due,
			terms.precision,
			first_number,
		)
	return _keeping_emi(terms, opening, first_number)


def _keeping_emi(terms: LoanTerms, opening: Opening, first_number: int) -> list[Instalment]:
	"""Rows of the kept EMI; the last (the months' last, or the one that repays the rest early) pays what
	remains plus its interest. Interest per month: reducing balance on the balance; flat on the balance at
	go-live, the same each month (as the app re-lays a flat loan); none for an interest-free loan."""
	precision = terms.precision
	emi = opening.emi
	balance = opening.outstanding
	zero = Decimal(0).quantize(quantum(precision))
	flat_interest = round_money(balance * monthly_rate(terms.annual_rate), precision)
	rows: list[Instalment] = []
	for index in range(opening.months):
		if terms.method == INTEREST_FREE:
			interest = zero
		elif terms.method == FLAT:
			interest = flat_interest
		else:
			interest = round_money(balance * monthly_rate(terms.annual_rate), precision)
		last = index == opening.months - 1 or emi - interest >= balance
		if not last and emi <= interest:
			raise LoanInputError(
				N_(
					"The old system's EMI of {emi} does not cover the monthly interest of {interest} on the "
					"outstanding principal. Leave the EMI out to lay the instalments out anew, or check it."
				),
				{"emi": emi, "interest": interest},
			)
		principal = balance if last else emi - interest
		rows.append(
			Instalment(
				number=first_number + index,
				due_date=add_months(opening.first_due, index),
				opening_balance=balance,
				emi=principal + interest,
				interest=interest,
				principal=principal,
				closing_balance=balance - principal,
			)
		)
		balance -= principal
		if last:
			break
	return rows


def _whole(value) -> int:
	if isinstance(value, bool) or not isinstance(value, int) or value < 0:
		raise LoanInputError(
			N_("Instalments recovered must be a whole number of 0 or more, got {value}."),
			{"value": repr(value)},
		)
	return value


def _month(day: date) -> str:
	"""A payroll month as people write it in a file: 2026-04."""
	return f"{day.year:04d}-{day.month:02d}"
