"""Month arithmetic for due periods, without any calendar library."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
	"""The same day `months` later, clamped to the month's last day (31 Jan + 1 -> 28/29 Feb)."""
	index = day.year * 12 + (day.month - 1) + months
	year, month = divmod(index, 12)
	month += 1
	return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_start(day: date) -> date:
	return day.replace(day=1)


def first_due_date(disbursement_date: date, repayment_start: date | None = None) -> date:
	"""The first EMI falls in the first (monthly) payroll period that starts after the disbursement
	date, unless a later repayment start is chosen. Due dates are the first day of their month."""
	earliest = month_start(add_months(disbursement_date, 1))
	if repayment_start is None:
		return earliest
	return max(earliest, month_start(repayment_start))


def months_between(start: date, end: date) -> int:
	"""Whole calendar months from start's month to end's month (same month -> 0)."""
	return (end.year - start.year) * 12 + (end.month - start.month)
