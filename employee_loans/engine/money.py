"""Decimal money: parsing, validation and half-up rounding to a currency precision.

Floats are refused outright: a float such as 0.1 is already inexact, and silently converting it
would hide the very errors this module exists to prevent.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from .errors import N_, LoanInputError

# The field a message is about ("Loan amount", "Tenure") is passed in as `name`: a label to translate.
NAME = ("name",)
# What a value is called when the caller does not say.
AMOUNT = N_("amount")
RATE = N_("annual rate")
MONTHS = N_("number of months")

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
			N_("Currency precision must be a whole number of decimal places, got {precision}."),
			{"precision": repr(precision)},
		)
	if not MIN_PRECISION <= precision <= MAX_PRECISION:
		raise LoanInputError(
			N_("Currency precision must be between {minimum} and {maximum} decimal places, got {precision}."),
			{"minimum": MIN_PRECISION, "maximum": MAX_PRECISION, "precision": precision},
		)
	return precision


def quantum(precision: int) -> Decimal:
	"""The smallest unit of the currency: 1, 0.1, 0.01 or 0.001."""
	return Decimal(1).scaleb(-check_precision(precision))


def to_decimal(value, name: str = AMOUNT) -> Decimal:
	"""Accept str, int or Decimal; refuse float, bool, NaN and infinities with a clear message."""
	if isinstance(value, bool):
		raise LoanInputError(
			N_("{name} must be a number, got {value}."), {"name": name, "value": repr(value)}, NAME
		)
	if isinstance(value, float):
		raise LoanInputError(
			N_(
				"{name} was given as a float ({value}); pass a string, an int or a Decimal so that "
				"no binary rounding error enters the figures."
			),
			{"name": name, "value": repr(value)},
			NAME,
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
			raise LoanInputError(
				N_("{name} must be a number, got {value}."), {"name": name, "value": repr(value)}, NAME
			)
	else:
		raise LoanInputError(
			N_("{name} must be a number given as str, int or Decimal, got {type}."),
			{"name": name, "type": type(value).__name__},
			NAME,
		)
	if not result.is_finite():
		raise LoanInputError(
			N_("{name} must be a finite number, got {value}."), {"name": name, "value": repr(value)}, NAME
		)
	return result


def round_money(value: Decimal, precision: int) -> Decimal:
	"""Half-up rounding to the currency precision (0.005 -> 0.01, -0.005 -> -0.01)."""
	with localcontext() as ctx:
		ctx.prec = WORKING_DIGITS
		return to_decimal(value, N_("value")).quantize(quantum(precision), rounding=ROUND_HALF_UP)


def parse_money(value, precision: int, name: str = AMOUNT, allow_zero: bool = False) -> Decimal:
	"""An amount as the user typed it: positive (or zero when allowed), within the currency's
	decimals and below the absurd-size limit. Returned quantized to the precision."""
	amount = to_decimal(value, name)
	if amount < 0 or (amount == 0 and not allow_zero):
		raise LoanInputError(
			N_("{name} must be greater than zero, got {amount}."), {"name": name, "amount": amount}, NAME
		)
	if amount > MAX_AMOUNT:
		raise LoanInputError(
			N_("{name} of {amount} is larger than any loan this app accepts ({maximum})."),
			{"name": name, "amount": amount, "maximum": MAX_AMOUNT},
			NAME,
		)
	places = -amount.as_tuple().exponent if amount.as_tuple().exponent < 0 else 0
	if places > check_precision(precision):
		# Trailing zeros are harmless ("100.50" in a 2-place currency); real extra digits are not.
		if amount != amount.quantize(quantum(precision)):
			raise LoanInputError(
				N_(
					"{name} {amount} has more decimal places than the currency allows ({precision}); "
					"round it to {precision} places."
				),
				{"name": name, "amount": amount, "precision": precision},
				NAME,
			)
	return amount.quantize(quantum(precision))


def parse_rate(value, name: str = RATE) -> Decimal:
	rate = to_decimal(value, name)
	if rate < 0 or rate > MAX_RATE:
		raise LoanInputError(
			N_("{name} must be between 0 and {maximum} percent, got {rate}."),
			{"name": name, "maximum": MAX_RATE, "rate": rate},
			NAME,
		)
	return rate


def parse_months(value, name: str = MONTHS) -> int:
	if isinstance(value, bool):
		raise LoanInputError(
			N_("{name} must be a whole number of months, got {value}."),
			{"name": name, "value": repr(value)},
			NAME,
		)
	if isinstance(value, int):
		months = value
	elif isinstance(value, str | Decimal):
		number = to_decimal(value, name)
		if number != number.to_integral_value():
			raise LoanInputError(
				N_("{name} must be a whole number of months, got {value}."),
				{"name": name, "value": value},
				NAME,
			)
		months = int(number)
	else:
		raise LoanInputError(
			N_("{name} must be a whole number of months, got {value}."),
			{"name": name, "value": repr(value)},
			NAME,
		)
	if months < 1:
		raise LoanInputError(
			N_("{name} must be at least 1, got {months}."), {"name": name, "months": months}, NAME
		)
	if months > MAX_MONTHS:
		raise LoanInputError(
			N_("{name} must be at most {maximum} ({years} years), got {months}."),
			{"name": name, "maximum": MAX_MONTHS, "years": MAX_MONTHS // 12, "months": months},
			NAME,
		)
	return months


def add_up(amounts) -> Decimal:
	"""The exact sum of money figures given as str, int or Decimal."""
	return sum((to_decimal(amount, N_("amount")) for amount in amounts), Decimal(0))


def add_up_units(units, precision: int) -> Decimal:
	"""Amounts given as whole numbers of the currency's smallest unit (paise), added exactly: the fast
	way to total many stored figures (a report's tens of thousands of rows) without a Decimal each."""
	total = sum(units, 0)
	if not isinstance(total, int) or isinstance(total, bool):
		raise LoanInputError(N_("Amounts to add up in smallest units must be whole numbers."))
	return Decimal(total).scaleb(-check_precision(precision))


def replace_in_total(total, removed, added) -> Decimal:
	"""A running total (a year-to-date figure) with one part taken out and another put in."""
	return to_decimal(total, N_("total")) - add_up(removed) + add_up(added)


def monthly_rate(annual_rate: Decimal) -> Decimal:
	"""r = annual rate / 12 / 100, kept at working precision (never rounded to money)."""
	with localcontext() as ctx:
		ctx.prec = WORKING_DIGITS
		return annual_rate / Decimal(1200)


def format_money(value: Decimal, precision: int) -> str:
	"""Plain thousands-separated text, e.g. 9,045.46, for CLI tables and messages."""
	return f"{round_money(value, precision):,.{precision}f}"
