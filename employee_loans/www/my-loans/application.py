"""One of the signed-in employee's loan applications, with its findings; Pending ones can be withdrawn."""

from employee_loans.portal import application_context

no_cache = 1


def get_context(context):
	application_context(context)
