"""Composite indexes the loan reports read through, created on install and migrate.

A DocType's `search_index` gives one column an index of its own; the reports need indexes over
several columns, in the order their queries filter, group and sort by (see the EXPLAIN notes in each
report module). Frappe's schema sync leaves indexes of more than one column alone, so they survive
every migrate. Each is named after this app, so `drop_indexes` removes exactly these.
"""

import frappe

PAYROLL_PERIOD_INDEX = "employee_loans_payroll_period"
RECOVERIES_INDEX = "employee_loans_recoveries"
SLIP_LOAN_ROWS_INDEX = "employee_loans_slip_loan_rows"
SLIP_PERIOD_INDEX = "employee_loans_slip_period"

# DocType -> {index name: columns, in order}
INDEXES = {
	"Employee Loan Repayment": {
		# Loan Deduction: the payroll periods ending in a range, read in the report's order (period end,
		# employee, loan, then the primary key), so MariaDB neither sorts nor reads other periods.
		PAYROLL_PERIOD_INDEX: ("payroll_end_date", "employee", "employee_loan"),
		# Loan Summary: each loan's submitted repayments from a date, with every amount the report adds
		# up, read from the index alone (no row look-ups).
		RECOVERIES_INDEX: (
			"employee_loan",
			"docstatus",
			"posting_date",
			"amount",
			"principal_amount",
			"interest_amount",
		),
	},
	"Salary Slip": {
		# Loan Deduction's reconciliation: the submitted slips of the payroll periods ending in a range,
		# with their company and Loan Deductions total, read from the index alone (its entries end with
		# the slip's name, for the slips' loan rows when a category or department is chosen). HRMS's
		# index on `end_date` leads to the whole row of every slip, for its docstatus.
		SLIP_PERIOD_INDEX: ("end_date", "docstatus", "company", "employee_loan_deduction"),
	},
	"Salary Detail": {
		# Loan Deduction's reconciliation: a salary slip's loan rows and their amounts, read from the
		# index alone. HRMS's own index on `parent` leads to the whole row of every earning and deduction.
		SLIP_LOAN_ROWS_INDEX: ("parent", "parentfield", "parenttype", "employee_loan", "amount"),
	},
}


def index_columns(doctype: str, index: str) -> tuple[str, ...]:
	"""The columns of one index of a DocType's table, in order; empty when it has no such index."""
	rows = frappe.db.sql(f"SHOW INDEX FROM `tab{doctype}` WHERE Key_name = %s", index, as_dict=True)
	return tuple(row.Column_name for row in sorted(rows, key=lambda row: row.Seq_in_index))


def ensure_indexes() -> None:
	"""Create the indexes that are missing, and rebuild one whose columns changed between versions.
	Idempotent: on a site that has them all, this only reads the table definitions."""
	for doctype, indexes in INDEXES.items():
		table = f"tab{doctype}"
		for index, columns in indexes.items():
			existing = index_columns(doctype, index)
			if existing == columns:
				continue
			if existing:
				frappe.db.sql_ddl(f"ALTER TABLE `{table}` DROP INDEX `{index}`")
			frappe.db.sql_ddl(
				f"ALTER TABLE `{table}` ADD INDEX `{index}` ({', '.join(f'`{column}`' for column in columns)})"
			)


def drop_indexes() -> None:
	"""Remove this app's indexes, before uninstalling: Salary Detail is HRMS's table and keeps its rows
	(and its `employee_loan` column goes with this app's custom field)."""
	for doctype, indexes in INDEXES.items():
		table = f"tab{doctype}"
		if not frappe.db.table_exists(doctype):
			continue
		for index in indexes:
			if index_columns(doctype, index):
				frappe.db.sql_ddl(f"ALTER TABLE `{table}` DROP INDEX `{index}`")
