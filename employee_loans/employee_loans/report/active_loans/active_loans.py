"""Active Loans: every Disbursed loan with its terms, progress and outstanding balance.

The balances shown are the loan's stored figures, which the ledger rebuilds from the submitted
repayments and approved changes on every posting; the totals are summed in SQL. Principal Lent is what
the loan lent in all (`principal_lent`: the amount disbursed, its top-ups and the EMI holiday interest
added to it), so Principal Repaid never exceeds it; Rate % is the rate in force (a restructure's)."""

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce, Count, Sum

from employee_loans.employee_loans.report.common import (
	LOAN,
	apply_loan_filters,
	card,
	category_column,
	currency_column,
	currency_field_column,
	currency_for,
	employee_columns,
	get_filters,
	loan_column,
	money,
	precision_for,
	restrict_to_scope,
	run_report,
)
from employee_loans.engine.states import LOAN_DISBURSED


def execute(filters=None):
	filters = get_filters(filters)
	return run_report(get_columns, lambda scope: get_result(filters, scope))


def get_result(filters, scope):
	data = get_data(filters, scope)
	totals = get_totals(filters, scope)
	return data, None, get_chart(totals, filters), get_summary(totals, filters)


def get_columns(scope=None) -> list[dict]:
	return [
		loan_column(),
		*employee_columns(),
		category_column(),
		{"label": _("Disbursed On"), "fieldname": "disbursement_date", "fieldtype": "Date", "width": 110},
		currency_column(_("Principal Lent"), "principal_lent"),
		{"label": _("Rate %"), "fieldname": "interest_rate", "fieldtype": "Percent", "width": 80},
		currency_column(_("EMI"), "emi", 110),
		{"label": _("EMIs Paid"), "fieldname": "emis_paid", "fieldtype": "Int", "width": 90},
		{"label": _("Total EMIs"), "fieldname": "total_emis", "fieldtype": "Int", "width": 90},
		currency_column(_("Principal Repaid"), "principal_repaid"),
		currency_column(_("Outstanding Balance"), "outstanding_balance", 150),
		{"label": _("Next EMI Date"), "fieldname": "next_emi_date", "fieldtype": "Date", "width": 110},
		{
			"label": _("Pre-closure Requested"),
			"fieldname": "preclosure_requested",
			"fieldtype": "Check",
			"width": 90,
		},
		{"label": _("Employee Left On"), "fieldname": "left_on", "fieldtype": "Date", "width": 120},
		currency_field_column(),
	]


def principal_lent(loan):
	"""What the loan lent: the amount disbursed, its top-ups and the EMI holiday interest added to the
	principal (both stored on the loan by the ledger's replay)."""
	return loan.loan_amount + loan.top_up_amount + loan.holiday_interest_added


def interest_rate(loan):
	"""The annual rate in force: a restructure's, else the loan's own."""
	return Coalesce(loan.current_interest_rate, loan.annual_interest_rate)


def base_query(filters, scope):
	loan = frappe.qb.DocType(LOAN)
	query = frappe.qb.from_(loan).where((loan.docstatus == 1) & (loan.status == LOAN_DISBURSED))
	query = apply_loan_filters(query, loan, filters, skip=("status",))
	if filters.get("from_date"):
		query = query.where(loan.disbursement_date >= filters.from_date)
	if filters.get("to_date"):
		query = query.where(loan.disbursement_date <= filters.to_date)
	return restrict_to_scope(query, loan, scope), loan


def get_data(filters, scope) -> list[dict]:
	query, loan = base_query(filters, scope)
	# With a company filter every row is in its currency; otherwise each row's company says.
	currency = currency_for(filters) if filters.get("company") else None
	# Employees who have left with the loan still open stand out: their exit settlement is due.
	employee = frappe.qb.DocType("Employee")
	rows = (
		query.left_join(employee)
		.on((employee.name == loan.employee) & (employee.status == "Left"))
		.select(
			employee.relieving_date.as_("left_on"),
			loan.name.as_("employee_loan"),
			loan.employee,
			loan.employee_name,
			loan.department,
			loan.loan_category,
			loan.disbursement_date,
			principal_lent(loan).as_("principal_lent"),
			interest_rate(loan).as_("interest_rate"),
			loan.emi,
			loan.emis_paid,
			loan.total_emis,
			loan.principal_repaid,
			loan.outstanding_balance,
			loan.next_emi_date,
			loan.preclosure_requested,
			*([] if currency else [loan.company]),
		)
		.orderby(loan.next_emi_date)
		.orderby(loan.name)
		.run(as_dict=True)
	)
	for row in rows:
		row.currency = currency or frappe.get_cached_value("Company", row.pop("company"), "default_currency")
	return rows


def get_totals(filters, scope) -> list[dict]:
	"""Count, principal, outstanding and monthly EMI per category, summed in SQL."""
	query, loan = base_query(filters, scope)
	return (
		query.select(
			loan.loan_category,
			Count(loan.name).as_("loans"),
			Sum(principal_lent(loan)).as_("principal"),
			Sum(loan.outstanding_balance).as_("outstanding"),
			Sum(loan.emi).as_("emi"),
		)
		.groupby(loan.loan_category)
		.orderby(loan.loan_category)
		.run(as_dict=True)
	)


def get_chart(totals: list[dict], filters) -> dict | None:
	if not totals:
		return None
	precision = precision_for(filters)
	return {
		"data": {
			"labels": [row.loan_category for row in totals],
			"datasets": [
				{
					"name": _("Outstanding Balance"),
					"values": [money(row.outstanding, precision) for row in totals],
				}
			],
		},
		"type": "bar",
		"fieldtype": "Currency",
		"colors": ["#F68B1F"],
	}


def get_summary(totals: list[dict], filters) -> list[dict]:
	precision, currency = precision_for(filters), currency_for(filters)
	loans = sum(row.loans for row in totals)
	# Decimal-exact sums from SQL, added per category here (a handful of rows) and rounded once
	principal = money(sum((row.principal or 0) for row in totals), precision)
	outstanding = money(sum((row.outstanding or 0) for row in totals), precision)
	emi = money(sum((row.emi or 0) for row in totals), precision)
	return [
		card(loans, _("Active Loans"), "Int"),
		card(principal, _("Principal Lent"), currency=currency),
		card(outstanding, _("Outstanding Balance"), currency=currency, indicator="Orange"),
		card(emi, _("Monthly EMIs"), currency=currency, indicator="Green"),
	]
