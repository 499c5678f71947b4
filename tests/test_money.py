from decimal import Decimal

import pytest

from employee_loans.engine import (
	LoanInputError,
	parse_money,
	parse_months,
	parse_rate,
	round_money,
	to_decimal,
)
from employee_loans.engine.money import check_precision, format_money, quantum


@pytest.mark.parametrize(
	("value", "precision", "expected"),
	[
		("2.345", 2, "2.35"),  # half-up, where banker's rounding would give 2.34
		("2.335", 2, "2.34"),
		("-2.345", 2, "-2.35"),
		("0.5", 0, "1"),
		("1.5", 0, "2"),
		("2.5", 0, "3"),
		("1.0005", 3, "1.001"),
		("7", 1, "7.0"),
	],
)
def test_round_money_is_half_up(value, precision, expected):
	assert round_money(Decimal(value), precision) == Decimal(expected)
	assert str(round_money(Decimal(value), precision)) == expected


@pytest.mark.parametrize("value", [0.1, 1.0, float("nan")])
def test_float_is_refused_with_a_message(value):
	with pytest.raises(LoanInputError, match="float"):
		to_decimal(value, "Loan amount")


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", None, [1], True])
def test_non_numbers_are_refused(value):
	with pytest.raises(LoanInputError):
		to_decimal(value)


def test_accepts_str_int_decimal():
	assert to_decimal("1,00,000.50") == Decimal("100000.50")
	assert to_decimal(5) == Decimal(5)
	assert to_decimal(Decimal("1.25")) == Decimal("1.25")


@pytest.mark.parametrize("value", ["0", "-1", "-0.01", 0])
def test_amount_must_be_positive(value):
	with pytest.raises(LoanInputError, match="greater than zero"):
		parse_money(value, 2)


def test_amount_with_more_decimals_than_currency_is_refused():
	with pytest.raises(LoanInputError, match="decimal places"):
		parse_money("100.005", 2)
	with pytest.raises(LoanInputError, match="decimal places"):
		parse_money("100.5", 0)
	# trailing zeros are not extra precision
	assert parse_money("100.500", 2) == Decimal("100.50")


def test_absurd_amount_is_refused():
	with pytest.raises(LoanInputError, match="larger than any loan"):
		parse_money("10000000000000", 2)


@pytest.mark.parametrize("precision", [-1, 4, 2.0, "2", True])
def test_precision_out_of_range(precision):
	with pytest.raises(LoanInputError, match="precision"):
		check_precision(precision)


@pytest.mark.parametrize("value", ["-0.5", "100.01", "1000"])
def test_rate_bounds(value):
	with pytest.raises(LoanInputError, match="between 0 and 100"):
		parse_rate(value)


def test_rate_limits_are_inclusive():
	assert parse_rate("0") == 0
	assert parse_rate(100) == 100


@pytest.mark.parametrize("value", [0, -3, "12.5", Decimal("2.5"), 601, 1.0, True])
def test_months_must_be_whole_and_in_range(value):
	with pytest.raises(LoanInputError):
		parse_months(value)


def test_months_accepts_integral_strings():
	assert parse_months("24") == 24
	assert parse_months(Decimal("12.0")) == 12


def test_quantum_and_format():
	assert quantum(0) == Decimal(1)
	assert quantum(3) == Decimal("0.001")
	assert format_money(Decimal("9045.456"), 2) == "9,045.46"


def test_add_up_and_replace_in_total_are_exact():
	from employee_loans.engine import add_up, replace_in_total

	assert add_up(["0.10", "0.20", Decimal("0.30")]) == Decimal("0.60")
	assert add_up([]) == 0
	# a year-to-date total of 1,78,922.78 whose 89,561.39 becomes 79,122.78
	assert replace_in_total("178922.78", ["89561.39"], ["79122.78"]) == Decimal("168484.17")
	with pytest.raises(LoanInputError, match="float"):
		add_up([0.1])


def test_add_up_units_is_exact_and_refuses_fractions():
	from employee_loans.engine import add_up_units

	# 0.10 + 0.20 as floats is 0.30000000000000004; in paise it is exactly 30
	assert add_up_units([10, 20], 2) == Decimal("0.30")
	assert add_up_units((1 for _ in range(100000)), 2) == Decimal("1000.00")
	assert add_up_units([], 3) == Decimal("0.000")
	with pytest.raises(LoanInputError):
		add_up_units([10, 0.5], 2)
