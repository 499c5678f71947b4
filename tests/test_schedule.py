from datetime import date
from decimal import Decimal

import numpy_financial as npf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from employee_loans.engine import (
	FLAT,
	INTEREST_FREE,
	REDUCING,
	LoanInputError,
	LoanTerms,
	build_schedule,
	round_money,
	schedule_totals,
)
from employee_loans.engine.money import monthly_rate, quantum

START = date(2027, 1, 1)


def test_design_page_example_to_the_paisa():
	rows = build_schedule("200000", "8", 24, REDUCING, START, 2)
	assert rows[0].emi == Decimal("9045.46")
	assert rows[0].interest == Decimal("1333.33")
	assert rows[0].principal == Decimal("7712.13")
	assert rows[0].closing_balance == Decimal("192287.87")
	assert len(rows) == 24
	assert rows[-1].closing_balance == 0
	assert sum(row.principal for row in rows) == Decimal("200000")
	# the last row pays exactly what remains plus its interest
	assert rows[-1].principal == rows[-1].opening_balance == Decimal("8985.50")
	assert rows[-1].emi == Decimal("9045.40")
	assert schedule_totals(rows)["total_interest"] == Decimal("17090.98")


def test_due_dates_follow_months_from_first_due():
	rows = build_schedule("12000", "0", 3, INTEREST_FREE, date(2027, 11, 1), 2)
	assert [row.due_date for row in rows] == [date(2027, 11, 1), date(2027, 12, 1), date(2028, 1, 1)]
	assert [row.number for row in rows] == [1, 2, 3]


def test_interest_free_splits_evenly_and_last_row_takes_the_remainder():
	rows = build_schedule("100000", "0", 3, "interest-free", START, 2)
	assert [row.emi for row in rows] == [Decimal("33333.33"), Decimal("33333.33"), Decimal("33333.34")]
	assert all(row.interest == 0 for row in rows)
	assert sum(row.principal for row in rows) == Decimal("100000")


def test_zero_rate_with_reducing_method_is_interest_free():
	assert build_schedule("1200", 0, 12, REDUCING, START, 2)[0].emi == Decimal("100.00")


def test_interest_free_method_with_a_rate_is_refused():
	with pytest.raises(LoanInputError, match="rate of 0"):
		build_schedule("1200", 5, 12, INTEREST_FREE, START, 2)


def test_flat_interest_is_spread_evenly():
	# 1,00,000 at 10 % flat for 12 months: total interest 10,000.00, EMI 9,166.67
	rows = build_schedule("100000", "10", 12, FLAT, START, 2)
	totals = schedule_totals(rows)
	assert totals["total_interest"] == Decimal("10000.00")
	assert totals["total_principal"] == Decimal("100000")
	assert rows[0].emi == Decimal("9166.67")
	assert rows[0].interest == Decimal("833.33")
	assert rows[0].principal == Decimal("8333.34")
	assert rows[-1].closing_balance == 0


def test_zero_precision_currency():
	rows = build_schedule("200000", "8", 24, REDUCING, START, 0)
	assert rows[0].emi == Decimal("9045")
	assert rows[0].interest == Decimal("1333")
	assert rows[-1].closing_balance == 0
	assert sum(row.principal for row in rows) == Decimal("200000")


def test_three_decimal_currency():
	rows = build_schedule("1000.125", "12", 6, REDUCING, START, 3)
	assert rows[0].interest == Decimal("10.001")
	assert sum(row.principal for row in rows) == Decimal("1000.125")


def test_unknown_method_is_refused():
	with pytest.raises(LoanInputError, match="Interest method"):
		build_schedule("1000", "5", 12, "Balloon", START, 2)


def test_tiny_loan_over_long_term_is_refused():
	with pytest.raises(LoanInputError, match="too small"):
		build_schedule("1", "0", 360, REDUCING, START, 2)
	# 1,000 in a currency without decimals over 251 months: an EMI of 4 would repay it in 250
	with pytest.raises(LoanInputError, match="too small"):
		build_schedule("1000", "0", 251, INTEREST_FREE, START, 0)


def test_realistic_loans_are_never_refused_as_too_small():
	# employee loans: 10,000 and up, rates to 24 %, up to 30 years
	for months in (1, 12, 60, 120, 240, 360):
		for method, rate in ((REDUCING, "24"), (REDUCING, "8"), (FLAT, "12"), (INTEREST_FREE, "0")):
			for amount in ("10000", "250000", "9999999.99"):
				rows = build_schedule(amount, rate, months, method, START, 2)
				assert len(rows) == months
				assert sum(row.principal for row in rows) == Decimal(amount)


def test_single_month_loan():
	rows = build_schedule("5000", "12", 1, REDUCING, START, 2)
	assert len(rows) == 1
	assert rows[0].interest == Decimal("50.00")
	assert rows[0].emi == Decimal("5050.00")


def test_terms_emi_matches_schedule_first_row():
	assert (
		LoanTerms.parse("300000", "7", 36, REDUCING, 2).emi()
		== build_schedule("300000", "7", 36, REDUCING, START)[0].emi
	)


# -- property-based tests over wide random terms ---------------------------------------------------

precisions = st.integers(min_value=0, max_value=3)


@st.composite
def reducing_terms(draw):
	precision = draw(precisions)
	units = draw(st.integers(min_value=1000, max_value=10**10))  # in the smallest currency unit
	months = draw(st.integers(min_value=1, max_value=480))
	rate = Decimal(draw(st.integers(min_value=1, max_value=3600))) / 100  # 0.01 % .. 36 %
	amount = Decimal(units).scaleb(-precision)
	return amount, rate, months, precision


@given(reducing_terms())
def test_reducing_emi_agrees_with_numpy_financial_pmt(terms):
	amount, rate, months, precision = terms
	emi = LoanTerms.parse(amount, rate, months, REDUCING, precision).emi()
	oracle = -npf.pmt(float(rate) / 1200, months, float(amount))
	assert abs(float(emi) - oracle) <= float(quantum(precision)) + 1e-9 * oracle


def _check_invariants(rows, amount, precision, rate=None):
	unit = quantum(precision)
	assert rows, "a schedule has at least one row"
	assert sum(row.principal for row in rows) == amount
	assert rows[-1].closing_balance == 0
	previous = amount
	for row in rows:
		assert row.opening_balance == previous
		assert row.closing_balance >= 0
		assert row.principal >= 0
		assert row.interest >= 0
		assert row.emi == row.principal + row.interest
		assert row.closing_balance == row.opening_balance - row.principal
		for value in (row.emi, row.interest, row.principal, row.closing_balance):
			assert value == value.quantize(unit)
		if rate is not None:
			assert row.interest == round_money(row.opening_balance * monthly_rate(rate), precision)
		previous = row.closing_balance


def _refusal_is_only_for_tiny_loans(amount, rate, months, precision):
	"""Terms are refused only when the EMI is so small, in the currency's smallest units, that the
	rounding of n rows can move the balance by a whole instalment."""
	exact_emi = -npf.pmt(float(rate) / 1200, months, float(amount)) if rate else float(amount) / months
	emi_in_units = exact_emi / float(quantum(precision))
	growth = (1 + float(rate) / 1200) ** months
	assert emi_in_units < months * growth


@given(reducing_terms())
def test_reducing_schedule_invariants(terms):
	amount, rate, months, precision = terms
	try:
		rows = build_schedule(amount, rate, months, REDUCING, START, precision)
	except LoanInputError as error:
		assert "too small" in str(error)
		_refusal_is_only_for_tiny_loans(amount, rate, months, precision)
		return
	_check_invariants(rows, amount, precision, rate)
	assert len(rows) == months
	# every row but the last pays the EMI
	emi = rows[0].emi
	assert emi == LoanTerms.parse(amount, rate, months, REDUCING, precision).emi()
	assert all(row.emi == emi for row in rows[:-1])


@given(
	precisions,
	st.integers(min_value=1000, max_value=10**10),
	st.integers(min_value=1, max_value=480),
	st.integers(min_value=0, max_value=3600),
)
def test_flat_and_interest_free_invariants(precision, units, months, rate_hundredths):
	amount = Decimal(units).scaleb(-precision)
	rate = Decimal(rate_hundredths) / 100
	method = FLAT if rate else INTEREST_FREE
	try:
		rows = build_schedule(amount, rate, months, method, START, precision)
	except LoanInputError as error:
		assert "too small" in str(error)
		assert amount / months < months * quantum(precision)
		return
	_check_invariants(rows, amount, precision)
	assert len(rows) == months
	if rate == 0:
		assert all(row.interest == 0 for row in rows)
	else:
		expected = round_money(amount * rate * months / 1200, precision)
		assert sum(row.interest for row in rows) == expected
