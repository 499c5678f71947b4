"""Loans from before loan changes: the rate in force is the loan's own (no restructure existed)."""

import frappe
from frappe.query_builder.functions import Coalesce


def execute():
	loan = frappe.qb.DocType("Employee Loan")
	(
		frappe.qb.update(loan)
		.set(loan.current_interest_rate, loan.annual_interest_rate)
		.where(Coalesce(loan.current_interest_rate, 0) == 0)
		.run()
	)
