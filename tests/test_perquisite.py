"""The concessional-loan perquisite (India, rule 3(7)(i)): hand-worked months and properties."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from employee_loans.engine import FLAT, REDUCING, LoanInputError, build_schedule
from employee_loans.engine.perquisite import (
	EXEMPT_MEDICAL,
	FULLY_RECOVERED,
	NO_BALANCE,
	TAXABLE,
	WITHIN_THRESHOLD,
	BenchmarkRate,
	ExemptionThreshold,
	LoanMonth,
	Movement,
	benchmark_interest,
	check_policy,
	financial_year_bounds,
	financial_year_label,
	financial_year_of,
	month_bounds,
	month_position,
	monthly_perquisites,
	months_of,
)

from .test_messages import assert_well_formed

D = Decimal
# The thresholds as installed: Rs 20,000 up to 31 March 2026, Rs 2,00,000 from 1 April 2026.
THRESHOLDS = [
	ExemptionThreshold(date(2001, 4, 1), D("20000")),
	ExemptionThreshold(date(2026, 4, 1), D("200000")),
]
# Benchmark rates for these examples (not the State Bank of India's real ones).
RATES = [
	BenchmarkRate(2025, "Personal", D("11.00")),
	BenchmarkRate(2026, "Personal", D("9.00")),
	BenchmarkRate(2026, "Vehicle", D("9.50")),
]


def month_end(year: int, month: int) -> date:
	return month_bounds(date(year, month, 1))[1]


def one_loan(balance, recovered="0", purpose="Personal", exempt=False, loan="EL-1") -> LoanMonth:
	return LoanMonth(loan, purpose, D(balance), D(recovered), exempt)


def value_of(loans, on: date, rates=RATES, thresholds=THRESHOLDS):
	return monthly_perquisites(loans, on, rates, thresholds, 2)


def taxable(loans, on: date) -> list[Decimal]:
	return [line.taxable for line in value_of(loans, on)]


# -- the hand-worked examples of the issue ---------------------------------------------------------


def test_an_interest_free_loan_of_five_lakh_month_by_month():
	"""Rs 5,00,000 interest-free, disbursed in March 2026, ten EMIs of Rs 50,000 from April 2026.

	March 2026 (FY 2025-26, 11 %, threshold Rs 20,000): 5,00,000 x 11 / 1200 = 4,583.33.
	April 2026 on (FY 2026-27, 9 %, threshold Rs 2,00,000): 4,50,000 x 9 / 1200 = 3,375.00, then 3,000.00,
	2,625.00, 2,250.00, 1,875.00; from September the balance (2,00,000) is within the threshold."""
	movements = [Movement(end, D("50000"), D("0")) for end in months_of(date(2026, 4, 1), date(2027, 1, 31))]
	figures = []
	for end in months_of(date(2026, 3, 1), date(2026, 11, 30)):
		balance, recovered = month_position("500000", movements, end, 2)
		(line,) = value_of([one_loan(balance, recovered)], end)
		figures.append((end.month, line.balance, line.value, line.taxable, line.reason))
	assert figures == [
		(3, D("500000"), D("4583.33"), D("4583.33"), TAXABLE),
		(4, D("450000"), D("3375.00"), D("3375.00"), TAXABLE),
		(5, D("400000"), D("3000.00"), D("3000.00"), TAXABLE),
		(6, D("350000"), D("2625.00"), D("2625.00"), TAXABLE),
		(7, D("300000"), D("2250.00"), D("2250.00"), TAXABLE),
		(8, D("250000"), D("1875.00"), D("1875.00"), TAXABLE),
		(9, D("200000"), D("0"), D("0"), WITHIN_THRESHOLD),
		(10, D("150000"), D("0"), D("0"), WITHIN_THRESHOLD),
		(11, D("100000"), D("0"), D("0"), WITHIN_THRESHOLD),
	]
	assert sum(taxed for _month, _balance, _value, taxed, _reason in figures[1:]) == D("13125.00")


def test_an_eight_percent_loan_against_a_higher_benchmark():
	"""Rs 3,00,000 at 8 % (reducing balance) over 12 months from April 2026, for a vehicle (benchmark
	9.50 %). April: the EMI 26,096.53 recovers interest 2,000.00 and principal 24,096.53, leaving
	2,75,903.47; at 9.50 % that is 2,184.24 for the month, so 184.24 is the perquisite. May: 2,51,646.30
	gives 1,992.20 less 1,839.36 = 152.84. In August the balance falls within Rs 2,00,000."""
	schedule = build_schedule("300000", "8", 12, REDUCING, date(2026, 4, 1), 2)
	assert (schedule[0].emi, schedule[0].interest, schedule[0].closing_balance) == (
		D("26096.53"),
		D("2000.00"),
		D("275903.47"),
	)
	movements = [
		Movement(month_end(row.due_date.year, row.due_date.month), row.principal, row.interest)
		for row in schedule
	]
	figures = []
	for end in months_of(date(2026, 4, 1), date(2026, 8, 31)):
		balance, recovered = month_position("300000", movements, end, 2)
		(line,) = value_of([one_loan(balance, recovered, "Vehicle")], end)
		figures.append((line.balance, line.benchmark_rate, line.value, line.interest_recovered, line.taxable))
	assert figures[:2] == [
		(D("275903.47"), D("9.50"), D("2184.24"), D("2000.00"), D("184.24")),
		(D("251646.30"), D("9.50"), D("1992.20"), D("1839.36"), D("152.84")),
	]
	assert figures[3][4] == D("89.43")  # July: 2,02,645.73 -> 1,604.28 less 1,514.85
	assert figures[4][4] == 0  # August: 1,78,064.06 is within the threshold


def test_a_loan_repaid_in_the_middle_of_the_year():
	"""Rs 3,00,000 interest-free, Rs 25,000 a month from April 2026, the rest (2,25,000) repaid by hand on
	20 June: April 2,75,000 -> 2,062.50, May 2,50,000 -> 1,875.00, June and after nothing outstanding."""
	movements = [
		Movement(month_end(2026, 4), D("25000"), D("0")),
		Movement(month_end(2026, 5), D("25000"), D("0")),
		Movement(date(2026, 6, 20), D("225000"), D("0")),
		Movement(month_end(2026, 6), D("25000"), D("0")),
	]
	lines = []
	for end in months_of(date(2026, 4, 1), date(2026, 7, 31)):
		balance, recovered = month_position("300000", movements, end, 2)
		(line,) = value_of([one_loan(balance, recovered)], end)
		lines.append((line.taxable, line.reason))
	assert lines == [
		(D("2062.50"), TAXABLE),
		(D("1875.00"), TAXABLE),
		(D("0"), NO_BALANCE),
		(D("0"), NO_BALANCE),
	]


def test_aggregate_just_within_and_just_above_the_threshold():
	april = month_end(2026, 4)
	# two loans adding up to exactly Rs 2,00,000: "not exceeding" the threshold, so neither is valued
	within = value_of([one_loan("120000", loan="EL-1"), one_loan("80000", loan="EL-2")], april)
	assert [(line.taxable, line.reason) for line in within] == [(0, WITHIN_THRESHOLD), (0, WITHIN_THRESHOLD)]
	# one paisa more and both are valued on their whole balances: 900.00 and 600.00
	above = value_of([one_loan("120000", loan="EL-1"), one_loan("80000.01", loan="EL-2")], april)
	assert [(line.taxable, line.reason) for line in above] == [(D("900.00"), TAXABLE), (D("600.00"), TAXABLE)]
	# under the Rs 20,000 threshold (March 2026): 19,999.99 is exempt, 20,000.01 is valued at 11 %
	march = month_end(2026, 3)
	assert taxable([one_loan("19999.99")], march) == [0]
	assert taxable([one_loan("20000.01")], march) == [D("183.33")]
	# the threshold in force on the month's last day decides: Rs 1,50,000 is taxed in March, not in April
	assert taxable([one_loan("150000")], march) == [D("1375.00")]
	assert taxable([one_loan("150000")], april) == [0]


def test_a_medical_loan_is_exempt_and_stays_out_of_the_aggregate():
	april = month_end(2026, 4)
	medical = one_loan("500000", exempt=True, loan="EL-MED")
	lines = value_of([medical, one_loan("150000", loan="EL-2")], april)
	assert [(line.loan, line.taxable, line.reason) for line in lines] == [
		("EL-MED", 0, EXEMPT_MEDICAL),
		("EL-2", 0, WITHIN_THRESHOLD),
	]
	lines = value_of([medical, one_loan("250000", loan="EL-2")], april)
	assert [(line.loan, line.taxable, line.reason) for line in lines] == [
		("EL-MED", 0, EXEMPT_MEDICAL),
		("EL-2", D("1875.00"), TAXABLE),
	]
	# a medical loan alone needs no threshold or rate at all
	assert taxable([medical], april) == [0]
	assert monthly_perquisites([medical], april, [], [], 2)[0].reason == EXEMPT_MEDICAL


def test_interest_recovered_above_the_benchmark_gives_nothing_and_never_reduces_another_loan():
	april = month_end(2026, 4)
	lines = value_of([one_loan("300000", "5000", loan="EL-1"), one_loan("300000", "0", loan="EL-2")], april)
	assert [(line.value, line.taxable, line.reason) for line in lines] == [
		(D("2250.00"), 0, FULLY_RECOVERED),
		(D("2250.00"), D("2250.00"), TAXABLE),
	]


def test_a_skipped_instalment_recovers_no_interest_so_its_month_is_valued_in_full():
	"""An 8 % loan of Rs 3,00,000 whose April instalment was skipped (short net pay): the balance stays
	3,00,000 and nothing was recovered, so the whole 2,375.00 at 9.50 % is the perquisite."""
	balance, recovered = month_position(
		"300000", [Movement(month_end(2026, 4), D("0"), D("0"))], month_end(2026, 4), 2
	)
	assert taxable([one_loan(balance, recovered, "Vehicle")], month_end(2026, 4)) == [D("2375.00")]


# -- month positions and dates ----------------------------------------------------------------------


def test_month_position_counts_principal_up_to_the_last_day_and_interest_of_the_month_only():
	movements = [
		Movement(date(2026, 3, 31), D("1000"), D("100")),
		Movement(date(2026, 4, 10), D("500"), D("20")),  # a manual repayment in April
		Movement(date(2026, 4, 30), D("1000"), D("90")),  # April's payroll recovery
		Movement(date(2026, 5, 31), D("1000"), D("80")),
	]
	assert month_position("10000", movements, date(2026, 4, 30), 2) == (D("7500"), D("110"))
	assert month_position("10000", [], date(2026, 4, 30), 2) == (D("10000"), D("0"))


def test_financial_years_and_months():
	assert financial_year_of(date(2026, 3, 31)) == 2025
	assert financial_year_of(date(2026, 4, 1)) == 2026
	assert financial_year_bounds(2026) == (date(2026, 4, 1), date(2027, 3, 31))
	assert financial_year_label(2026) == "2026-27"
	assert financial_year_label(2099) == "2099-00"
	assert month_bounds(date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))
	assert months_of(date(2026, 11, 15), date(2027, 2, 1)) == [
		date(2026, 11, 30),
		date(2026, 12, 31),
		date(2027, 1, 31),
		date(2027, 2, 28),
	]


# -- refusals, with messages that say what to do ---------------------------------------------------


REFUSALS = {
	"no rate for the year": lambda: taxable([one_loan("500000")], month_end(2027, 4)),
	"no rate for the purpose": lambda: taxable([one_loan("500000", purpose="Housing")], month_end(2026, 4)),
	"two rates": lambda: value_of(
		[one_loan("500000")], month_end(2026, 4), [*RATES, BenchmarkRate(2026, "Personal", D("9.25"))]
	),
	"no threshold yet": lambda: value_of([one_loan("500000")], month_end(2026, 4), RATES, []),
	"two thresholds on one day": lambda: check_policy(
		RATES, [*THRESHOLDS, ExemptionThreshold(date(2026, 4, 1), D("100000"))]
	),
	"negative threshold": lambda: check_policy(RATES, [ExemptionThreshold(date(2026, 4, 1), D("-1"))]),
	"no thresholds at all": lambda: check_policy(RATES, []),
	"rate above 100": lambda: check_policy([BenchmarkRate(2026, "Personal", D("120"))], THRESHOLDS),
	"repaid above the loan": lambda: month_position(
		"1000", [Movement(date(2026, 4, 1), D("1001"), D("0"))], date(2026, 4, 30), 2
	),
	"negative balance": lambda: value_of([one_loan("-1")], month_end(2026, 4)),
	"float balance": lambda: benchmark_interest(1.5, D("9"), 2),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_every_refusal_is_a_marked_template_with_exactly_its_values(case):
	with pytest.raises(LoanInputError) as caught:
		REFUSALS[case]()
	error = caught.value
	assert_well_formed(error.template, error.values, error.labels, str(error))


def test_refusals_say_what_to_add():
	with pytest.raises(
		LoanInputError,
		match=r"no benchmark rate for financial year 2027-28 and loan purpose Personal.*1 April 2027",
	):
		REFUSALS["no rate for the year"]()
	with pytest.raises(LoanInputError, match=r"two benchmark rates .* \(9.00 % and 9.25 %\)"):
		REFUSALS["two rates"]()
	with pytest.raises(LoanInputError, match=r"No exemption threshold .* in force on 2026-04-30"):
		REFUSALS["no threshold yet"]()


def test_the_installed_policy_passes_its_own_check():
	check_policy(RATES, THRESHOLDS)


# -- properties -------------------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=30, places=2, allow_nan=False, allow_infinity=False)
months = st.dates(min_value=date(2024, 4, 1), max_value=date(2030, 3, 31)).map(
	lambda day: month_bounds(day)[1]
)


@given(
	balances=st.lists(st.tuples(money, money, st.booleans()), min_size=1, max_size=4),
	rate=rates,
	threshold=money,
	on=months,
)
def test_never_negative_never_above_the_benchmark_interest(balances, rate, threshold, on):
	year = on.year if on.month >= 4 else on.year - 1
	loans = [
		LoanMonth(f"EL-{index}", "Personal", balance, recovered, exempt)
		for index, (balance, recovered, exempt) in enumerate(balances)
	]
	lines = monthly_perquisites(
		loans,
		on,
		[BenchmarkRate(year, "Personal", rate)],
		[ExemptionThreshold(date(2000, 1, 1), threshold)],
		2,
	)
	assert len(lines) == len(loans)
	aggregate = sum((loan.balance for loan in loans if not loan.exempt), D(0))
	for loan, line in zip(loans, lines, strict=True):
		assert 0 <= line.taxable <= line.value
		assert line.taxable == max(line.value - loan.interest_recovered, 0)
		if loan.exempt or aggregate <= threshold:
			assert line.taxable == 0
		else:
			assert line.value == benchmark_interest(loan.balance, rate, 2)


@given(
	principal=st.integers(min_value=1_000, max_value=5_000_000),
	loan_rate=st.decimals(min_value=1, max_value=20, places=2),
	margin=st.decimals(min_value=0, max_value=5, places=2),
	tenure=st.integers(min_value=2, max_value=60),
	method=st.sampled_from([REDUCING, FLAT]),
)
def test_zero_when_the_loan_rate_is_at_or_above_the_benchmark(principal, loan_rate, margin, tenure, method):
	"""Paid as scheduled, a loan charging at least the benchmark rate never gives a perquisite: each
	month's interest is charged on a balance at least the month-end balance."""
	benchmark = loan_rate - margin
	if benchmark < 0:
		return
	first_due = date(2026, 4, 1)
	schedule = build_schedule(str(principal), str(loan_rate), tenure, method, first_due, 2)
	movements = [Movement(month_bounds(row.due_date)[1], row.principal, row.interest) for row in schedule]
	for row in schedule:
		end = month_bounds(row.due_date)[1]
		balance, recovered = month_position(str(principal), movements, end, 2)
		year = financial_year_of(end)
		(line,) = monthly_perquisites(
			[LoanMonth("EL-1", "Personal", balance, recovered)],
			end,
			[BenchmarkRate(year, "Personal", benchmark)],
			[ExemptionThreshold(date(2000, 1, 1), D(0))],
			2,
		)
		assert line.taxable == 0, (row.number, line)


@given(balance=money, rate=rates, low=money, high=money)
def test_a_higher_threshold_never_raises_the_perquisite(balance, rate, low, high):
	low, high = min(low, high), max(low, high)
	on = date(2026, 4, 30)

	def perquisite(threshold):
		(line,) = monthly_perquisites(
			[LoanMonth("EL-1", "Personal", balance, D(0))],
			on,
			[BenchmarkRate(2026, "Personal", rate)],
			[ExemptionThreshold(date(2026, 4, 1), threshold)],
			2,
		)
		return line.taxable

	assert perquisite(high) <= perquisite(low)
