"""India: the value of a concessional (or interest-free) loan from the employer as a perquisite.

The rule: Income-tax Rules 1962, rule 3(7)(i) (from 1 April 2026 the Income-tax Rules 2026, rule 15,
Table IV, item 1, in the same terms). The value for a month is the interest at the State Bank of India's
rate as on 1 April of the financial year, for a loan of the same purpose, on the maximum outstanding
monthly balance, less the interest actually recovered from the employee. Nothing is charged on loans
for the medical treatment of the diseases of rule 3A, or when the loans do not exceed a threshold in the
aggregate (Rs 20,000 up to 31 March 2026, Rs 2,00,000 from 1 April 2026: an effective-dated table).

The readings implemented here:

- **Month.** A calendar month. The perquisite is valued month by month, each month on its own figures.
- **Maximum outstanding monthly balance.** The principal outstanding on the last day of the month, after
  every repayment of principal made in that month, the month's payroll deduction included: the rule's
  own explanation defines it as the balance on the last day of each month. A payroll recovery belongs to
  the month of its payroll period (the salary it is deducted from), a manual repayment to the month of
  its posting date. Interest is never part of the balance: the app's loans capitalise none.
- **Benchmark interest.** Balance x rate / 12 / 100 for the month (the Income Tax Department's own
  calculator works per month this way, not per day), rounded half-up to the currency.
- **Interest actually recovered.** The interest part of the repayments that belong to the month. A month
  whose instalment was skipped recovered none: its whole benchmark interest is the perquisite.
- **Never below 0**, loan by loan: interest recovered above the benchmark on one loan does not reduce the
  perquisite on another.
- **Aggregate.** The sum of the month-end balances of all of the employee's loans from the employer that
  are not exempt under rule 3A, tested every month against the threshold in force on the month's last
  day. Within the threshold no loan is valued that month; above it every loan that is not exempt is
  valued on its whole balance (the threshold exempts petty loans; it is not a deduction). Balances, not
  the amounts first lent: the rule measures loans by their outstanding monthly balance, so a loan repaid
  down to the threshold stops being charged from that month. Exempt medical loans stay out of the
  aggregate: a loan that is not valued at all does not make a petty one taxable.
- **Medical treatment (rule 3A).** A loan of a category marked exempt is never valued. The rule charges
  the part reimbursed by medical insurance and not repaid; the app knows nothing of insurance claims, so
  HR should clear the flag (a category of its own) for such a loan.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from .errors import N_, LoanInputError
from .money import WORKING_DIGITS, add_up, monthly_rate, parse_money, parse_rate, round_money, to_decimal
from .periods import add_months

# Why a loan's perquisite for a month is what it is.
TAXABLE = "Taxable"
EXEMPT_MEDICAL = "Exempt: Medical Treatment (Rule 3A)"
WITHIN_THRESHOLD = "Within the Exemption Threshold"
NO_BALANCE = "Nothing Outstanding"
FULLY_RECOVERED = "Interest Recovered Covers It"
REASONS = (TAXABLE, EXEMPT_MEDICAL, WITHIN_THRESHOLD, NO_BALANCE, FULLY_RECOVERED)

FINANCIAL_YEAR_START_MONTH = 4  # 1 April


@dataclass(frozen=True)
class BenchmarkRate:
	"""The State Bank of India's rate as on 1 April of a financial year for loans of one purpose.
	`financial_year` is the year the financial year starts in (2026 for 2026-27)."""

	financial_year: int
	purpose: str
	rate: Decimal


@dataclass(frozen=True)
class ExemptionThreshold:
	"""From `from_date` on, loans whose aggregate does not exceed `amount` are not valued."""

	from_date: date
	amount: Decimal


@dataclass(frozen=True)
class Movement:
	"""One repayment as it bears on the month: the date it belongs to, its principal and its interest."""

	on: date
	principal: Decimal
	interest: Decimal
	# principal lent on that day after the disbursement: a top-up, a holiday's interest added to it
	lent: Decimal = Decimal(0)


@dataclass(frozen=True)
class LoanMonth:
	"""One loan of the employee in one month: its month-end balance and the interest recovered for the
	month (see `month_position`), its purpose (to pick the benchmark rate) and its rule 3A exemption."""

	loan: str
	purpose: str
	balance: Decimal
	interest_recovered: Decimal
	exempt: bool = False


@dataclass(frozen=True)
class Perquisite:
	"""The perquisite of one loan for one month. `value` is the interest at the benchmark rate on the
	balance, `taxable` what is left after the interest recovered (never below 0), `reason` why."""

	loan: str
	balance: Decimal
	benchmark_rate: Decimal | None
	value: Decimal
	interest_recovered: Decimal
	taxable: Decimal
	reason: str


# -- dates -------------------------------------------------------------------------------------------


def financial_year_of(day: date) -> int:
	"""The year the Indian financial year (1 April to 31 March) containing `day` starts in."""
	return day.year if day.month >= FINANCIAL_YEAR_START_MONTH else day.year - 1


def financial_year_bounds(financial_year: int) -> tuple[date, date]:
	"""1 April of `financial_year` and 31 March after it."""
	return date(financial_year, 4, 1), date(financial_year + 1, 3, 31)


def financial_year_label(financial_year: int) -> str:
	"""2026 -> "2026-27", as the Income Tax Department writes it."""
	return f"{financial_year}-{(financial_year + 1) % 100:02d}"


def month_bounds(day: date) -> tuple[date, date]:
	"""The first and the last day of the calendar month of `day`."""
	first = day.replace(day=1)
	return first, date.fromordinal(add_months(first, 1).toordinal() - 1)


def months_of(start: date, end: date) -> list[date]:
	"""The last day of every calendar month from `start`'s month to `end`'s month, in order."""
	months = []
	first = start.replace(day=1)
	while first <= end:
		months.append(month_bounds(first)[1])
		first = add_months(first, 1)
	return months


# -- the policy's tables -----------------------------------------------------------------------------


def benchmark_rate(rates: Iterable[BenchmarkRate], financial_year: int, purpose: str) -> Decimal:
	"""The one benchmark rate for the financial year and purpose; a clear error when there is none or
	there are two."""
	found = [row for row in rates if row.financial_year == financial_year and row.purpose == purpose]
	if not found:
		raise LoanInputError(
			N_(
				"There is no benchmark rate for financial year {year} and loan purpose {purpose}. Add the State "
				"Bank of India's rate as on 1 April {start} for {purpose} loans to Employee Loan Settings."
			),
			{"year": financial_year_label(financial_year), "purpose": purpose, "start": financial_year},
			("purpose",),
		)
	if len({row.rate for row in found}) > 1:
		raise LoanInputError(
			N_(
				"There are two benchmark rates for financial year {year} and loan purpose {purpose} ({first} % "
				"and {second} %). Keep the one the State Bank of India charged on 1 April {start}."
			),
			{
				"year": financial_year_label(financial_year),
				"purpose": purpose,
				"first": found[0].rate,
				"second": next(row.rate for row in found if row.rate != found[0].rate),
				"start": financial_year,
			},
			("purpose",),
		)
	return parse_rate(found[0].rate, N_("Benchmark rate"))


def threshold_on(thresholds: Iterable[ExemptionThreshold], day: date) -> Decimal:
	"""The exemption threshold in force on `day`: the row with the latest start on or before it."""
	in_force = [row for row in thresholds if row.from_date <= day]
	if not in_force:
		raise LoanInputError(
			N_(
				"No exemption threshold for aggregate loans is in force on {date}. Add a row starting on or "
				"before that date to the thresholds in Employee Loan Settings."
			),
			{"date": day.isoformat()},
		)
	latest = max(row.from_date for row in in_force)
	amounts = {
		to_decimal(row.amount, N_("Exemption threshold")) for row in in_force if row.from_date == latest
	}
	if len(amounts) > 1:
		raise LoanInputError(
			N_(
				"Two exemption thresholds start on {date} ({first} and {second}). Keep the one the rules set."
			),
			{"date": latest.isoformat(), "first": min(amounts), "second": max(amounts)},
		)
	amount = amounts.pop()
	if amount < 0:
		raise LoanInputError(
			N_("The exemption threshold starting on {date} is negative ({amount}); correct it."),
			{"date": latest.isoformat(), "amount": amount},
		)
	return amount


def check_policy(rates: Iterable[BenchmarkRate], thresholds: Iterable[ExemptionThreshold]) -> None:
	"""The tables as the settings may store them: every rate between 0 and 100 %, one rate per financial
	year and purpose, at least one threshold, none negative, one per start date."""
	rates, thresholds = list(rates), list(thresholds)
	for row in rates:
		parse_rate(row.rate, N_("Benchmark rate"))
		benchmark_rate(rates, row.financial_year, row.purpose)
	if not thresholds:
		raise LoanInputError(
			N_(
				"Add at least one exemption threshold for aggregate loans (Rs 20,000 up to 31 March 2026, "
				"Rs 2,00,000 from 1 April 2026)."
			)
		)
	for row in thresholds:
		threshold_on(thresholds, row.from_date)


# -- one month ---------------------------------------------------------------------------------------


def benchmark_interest(balance: Decimal, annual_rate: Decimal, precision: int) -> Decimal:
	"""One month's interest on `balance` at `annual_rate` % a year, rounded half-up to the currency."""
	with localcontext() as ctx:
		ctx.prec = WORKING_DIGITS
		return round_money(to_decimal(balance, N_("Balance")) * monthly_rate(annual_rate), precision)


def month_position(
	principal, movements: Iterable[Movement], month_end: date, precision: int
) -> tuple[Decimal, Decimal]:
	"""The loan's balance on `month_end` (the principal lent, top-ups included, less every principal
	repayment on or before that day) and the interest recovered by the repayments that belong to that
	month."""
	month_start = month_end.replace(day=1)
	movements = list(movements)
	lent = parse_money(principal, precision, N_("Loan amount")) + add_up(
		parse_money(row.lent, precision, N_("Amount lent"), allow_zero=True)
		for row in movements
		if row.on <= month_end
	)
	repaid = add_up(
		parse_money(row.principal, precision, N_("Repaid principal"), allow_zero=True)
		for row in movements
		if row.on <= month_end
	)
	interest = add_up(
		parse_money(row.interest, precision, N_("Repaid interest"), allow_zero=True)
		for row in movements
		if month_start <= row.on <= month_end
	)
	if repaid > lent:
		raise LoanInputError(
			N_(
				"Repayments of {repaid} of principal up to {date} exceed the loan of {principal}; cancel the "
				"extra repayment."
			),
			{"repaid": repaid, "date": month_end.isoformat(), "principal": lent},
		)
	return lent - repaid, interest


def monthly_perquisites(
	loans: Iterable[LoanMonth],
	month_end: date,
	rates: Iterable[BenchmarkRate],
	thresholds: Iterable[ExemptionThreshold],
	precision: int,
) -> list[Perquisite]:
	"""The perquisite of each of the employee's loans for the month ending `month_end`, in the order
	given. `loans` must be all of the employee's loans from the employer (the threshold is on their
	aggregate); a loan with nothing outstanding contributes nothing."""
	loans, rates = list(loans), list(rates)
	for loan in loans:
		for figure, name in (
			(loan.balance, N_("Balance")),
			(loan.interest_recovered, N_("Interest recovered")),
		):
			if to_decimal(figure, name) < 0:
				raise LoanInputError(
					N_("{name} of loan {loan} cannot be negative, got {value}."),
					{"name": name, "loan": loan.loan, "value": figure},
					("name",),
				)
	aggregate = add_up(loan.balance for loan in loans if not loan.exempt)
	# the threshold is looked up only when some loan could be valued
	valued = any(not loan.exempt and loan.balance > 0 for loan in loans)
	within = aggregate <= threshold_on(thresholds, month_end) if valued else True
	financial_year = financial_year_of(month_end)
	results = []
	for loan in loans:
		zero = Decimal(0)
		if loan.exempt:
			results.append(
				Perquisite(loan.loan, loan.balance, None, zero, loan.interest_recovered, zero, EXEMPT_MEDICAL)
			)
			continue
		if loan.balance == 0:
			results.append(Perquisite(loan.loan, zero, None, zero, loan.interest_recovered, zero, NO_BALANCE))
			continue
		if within:
			results.append(
				Perquisite(
					loan.loan, loan.balance, None, zero, loan.interest_recovered, zero, WITHIN_THRESHOLD
				)
			)
			continue
		rate = benchmark_rate(rates, financial_year, loan.purpose)
		value = benchmark_interest(loan.balance, rate, precision)
		taxable = max(value - loan.interest_recovered, zero)
		results.append(
			Perquisite(
				loan.loan,
				loan.balance,
				rate,
				value,
				loan.interest_recovered,
				taxable,
				TAXABLE if taxable > 0 else FULLY_RECOVERED,
			)
		)
	return results
