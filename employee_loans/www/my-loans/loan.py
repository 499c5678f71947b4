"""One of the signed-in employee's loans: terms, balances, schedule and repayments (?name=...)."""

from employee_loans.portal import loan_context

no_cache = 1


def get_context(context):
	loan_context(context)
