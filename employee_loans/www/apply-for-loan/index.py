"""Apply for a loan: the EMI and the eligibility findings update as the employee types."""

from employee_loans.portal import apply_context

no_cache = 1


def get_context(context):
	apply_context(context)
