"""Decimal money: parsing, validation and half-up rounding to a currency precision.

Floats are refused outright: a float such as 0.1 is already inexact, and silently converting it
would hide the very errors this module exists to prevent.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from .errors import LoanInputError

MIN_PRECISION = 0
MAX_PRECISION = 3
# Anything larger than this is a typing mistake, not a loan.
MAX_AMOUNT = Decimal("1000000000000")
MAX_MONTHS = 600
MAX_RATE = Decimal("100")

# Working precision for intermediate results (powers in the annuity formula).
WORKING_DIGITS = 50

Money = Decimal


def check_precision(precision: int) -> int:
	if isinstance(precision, bool) or not isinstance(precision, int):
		raise LoanInputError(
			f"Currency precision must be a whole number of decimal places, got {precision!r}."
		)
	if not MIN_PRECISION <= precision <= MAX_PRECISION:
		raise LoanInputError(
			f"Currency precision must be between {MIN_PRECISION} and {MAX_PRECISION} decimal places, "
			f"got {precision}."
		)
	return precision


def quantum(precision: int) -> Decimal:
	"""The smallest unit of the currency: 1, 0.1, 0.01 or 0.001."""
	return Decimal(1).scaleb(-check_precision(precision))


def to_decimal(value, name: str = "amount") -> Decimal:
	"""Accept str, int or Decimal; refuse float, bool, NaN and infinities with a clear message."""
	if isinstance(value, bool):
		raise LoanInputError(f"{name} must be a number, got {value!r}.")
	if isinstance(value, float):
		raise LoanInputError(
			f"{name} was given as a float ({value!r}); pass a string, an int or a Decimal so that "
			"no binary rounding error enters the figures."
		)
	if isinstance(value, Decimal):
		result = value
	elif isinstance(value, int):
		result = Decimal(value)
	elif isinstance(value, str):
		text = value.strip().replace(",", "").replace("_", "")
		try:
			result = Decimal(text)
		except InvalidOperation:
			raise LoanInputError(f"{name} must be a number, got {value!r}.")
	else:
		raise LoanInputError(
			f"{name} must be a number given as str, int or Decimal, got {type(value).__name__}."
		)
	if not result.is_finite():
		raise LoanInputError(f"{name} must be a finite number, got {value!r}.")
	return result


def round_money(value: Decimal, precision: int) -> Decimal:
	"""Half-up rounding to the currency precision (0.005 -> 0.01, -0.005 -> -0.01)."""
	with localcontext() as ctx:
		ctx.prec = WORKING_DIGITS
		return to_decimal(value, "value").quantize(quantum(precision), rounding=ROUND_HALF_UP)


def parse_money(value, precision: int, name: str = "amount", allow_zero: bool = False) -> Decimal:
	"""An amount as the user typed it: positive (or zero when allowed), within the currency's
	decimals and below the absurd-size limit. Returned quantized to the precision."""
	amount = to_decimal(value, name)
	if amount < 0 or (amount == 0 and not allow_zero):
		raise LoanInputError(f"{name} must be greater than zero, got {amount}.")
	if amount > MAX_AMOUNT:
		raise LoanInputError(f"{name} of {amount} is larger than any loan this app accepts ({MAX_AMOUNT}).")
	places = -amount.as_tuple().exponent if amount.as_tuple().exponent < 0 else 0
	if places > check_precision(precision):
		# Trailing zeros are harmless ("100.50" in a 2-place currency); real extra digits are not.
		if amount != amount.quantize(quantum(precision)):
			raise LoanInputError(
				f"{name} {amount} has more decimal places than the currency allows ({precision}); "
				f"round it to {precision} places."
			)
	return amount.quantize(quantum(precision))


def parse_rate(value, name: str = "annual rate") -> Decimal:
	rate = to_decimal(value, name)
	if rate < 0 or rate > MAX_RATE:
		raise LoanInputError(f"{name} must be between 0 and {MAX_RATE} percent, got {rate}.")
	return rate


def parse_months(value, name: str = "number of months") -> int:
	if isinstance(value, bool):
		raise LoanInputError(f"{name} must be a whole number of months, got {value!r}.")
	if isinstance(value, int):
		months = value
	elif isinstance(value, str | Decimal):
		number = to_decimal(value, name)
		if number != number.to_integral_value():
			raise LoanInputError(f"{name} must be a whole number of months, got {value}.")
		months = int(number)
	else:
		raise LoanInputError(f"{name} must be a whole number of months, got {value!r}.")
	if months < 1:
		raise LoanInputError(f"{name} must be at least 1, got {months}.")
	if months > MAX_MONTHS:
		raise LoanInputError(f"{name} must be at most {MAX_MONTHS} ({MAX_MONTHS // 12} years), got {months}.")
	return months


def add_up(amounts) -> Decimal:
	"""The exact sum of money figures given as str, int or Decimal."""
	return sum((to_decimal(amount, "amount") for amount in amounts), Decimal(0))


def replace_in_total(total, removed, added) -> Decimal:
	"""A running total (a year-to-date figure) with one part taken out and another put in."""
	return to_decimal(total, "total") - add_up(removed) + add_up(added)


def monthly_rate(annual_rate: Decimal) -> Decimal:
	"""r = annual rate / 12 / 100, kept at working precision (never rounded to money)."""
	with localcontext() as ctx:
		ctx.prec = WORKING_DIGITS
		return annual_rate / Decimal(1200)


def format_money(value: Decimal, precision: int) -> str:
	"""Plain thousands-separated text, e.g. 9,045.46, for CLI tables and messages."""
	return f"{round_money(value, precision):,.{precision}f}"
