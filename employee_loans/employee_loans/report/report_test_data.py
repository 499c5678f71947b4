"""Moved to employee_loans/tests/report_data.py (test helpers stay out of shipped modules).

Kept only until the report and print-format tests import from the new place; then delete this file
(tests/test_shipped_modules.py fails while it exists)."""

from employee_loans.tests.report_data import NOBODY, ONE, TWO, ReportTestCase, build  # noqa: F401
