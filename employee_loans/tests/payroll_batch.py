"""Many employees with loans, a Payroll Entry over them, and a clean-up, for the Payroll Entry test.
The functions live in employee_loans.sample_data (the payroll benchmark uses them too). Payroll Entry's
own jobs commit, so everything made with them is removed again with `purge`."""

from employee_loans.sample_data import (  # noqa: F401 (re-exported for the tests)
	background_jobs_inline,
	component_accounts,
	make_batch,
	make_department,
	payroll_entry,
)
from employee_loans.sample_data import delete_employees as purge  # noqa: F401
