"""Helpers of the integration tests (FrappeTestCase, run inside a bench). The factories themselves live
in employee_loans.sample_data, which the benchmarks and the portal's demo data share; they are
re-exported here so the tests keep importing them from one place."""

from contextlib import contextmanager

import frappe
from frappe.utils import add_months, getdate

from employee_loans.sample_data import (  # noqa: F401 (re-exported for the tests)
	BASIC,
	COMPANY,
	PASSWORD,
	PROFESSIONAL_TAX,
	STRUCTURE,
	apply,
	approve_and_disburse,
	assign_structure,
	make_category,
	make_component,
	make_department,
	make_employee,
	make_slip,
	make_structure,
	make_user,
	set_settings,
)

# The tests build their own records. Frappe's test runner would otherwise walk every Link of these
# DocTypes and create the other apps' test records (and fail on apps the site does not have).
IGNORE_TEST_RECORDS = [
	"Account",
	"Company",
	"Department",
	"Employee",
	"Employee Loan",
	"Employee Loan Application",
	"Employee Loan Category",
	"Employee Loan Change",
	"Employee Loan Repayment",
	"Full and Final Statement",
	"Journal Entry",
	"Salary Component",
	"Salary Slip",
	"User",
]


@contextmanager
def as_user(user: str):
	previous = frappe.session.user
	frappe.set_user(user)
	try:
		yield
	finally:
		frappe.set_user(previous)


def count(doctype: str, **filters) -> int:
	return frappe.db.count(doctype, filters)


def months_after(date, months: int):
	return add_months(getdate(date), months)
