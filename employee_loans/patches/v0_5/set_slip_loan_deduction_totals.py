"""Salary slips from before the Loan Deductions total: each slip's loan rows added up onto it, so Loan
Deduction's reconciliation reads the same figure for old slips as for new ones."""

from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from employee_loans.custom_fields import CUSTOM_FIELDS
from employee_loans.payroll_hooks.salary_slip import fill_loan_deduction_totals


def execute():
	# patches run before after_migrate adds the field
	create_custom_fields(CUSTOM_FIELDS, ignore_validate=True)
	fill_loan_deduction_totals()
