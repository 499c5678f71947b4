"""My Loans: every application and loan of the signed-in employee."""

from employee_loans.portal import my_loans_context

no_cache = 1


def get_context(context):
	my_loans_context(context)
