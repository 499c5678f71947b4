"""The one exception type the engine raises for bad input."""


class LoanInputError(ValueError):
	"""Raised for any input the engine refuses: a float amount, a negative principal, a rate above
	100 %, a fractional number of months, more decimals than the currency has, absurd sizes.

	The message says what was wrong and what to do; callers show it as it is.
	"""
