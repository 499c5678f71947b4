"""Loan Deduction: the EMIs recovered through payroll, per payroll period.

One row per submitted Employee Loan Repayment posted by a salary slip (repayment type "Salary
Slip") whose payroll period ends between From Date and To Date. The summary reconciles the total
deducted with the loan deduction rows (Salary Detail.employee_loan set) of the submitted salary slips
of the same period: the two must agree to the smallest currency unit.

Two queries whatever the number of rows: the repayments, read in the report's order through the
payroll-period index (employee_loans.indexes), and the salary slips' loan rows. The period totals of
the chart and summary are added up from the repayments already read rather than read again."""

from operator import itemgetter

import frappe
from frappe import _
from frappe.query_builder.functions import Sum
from frappe.utils import formatdate, get_first_day, get_last_day, getdate, nowdate

from employee_loans.employee_loans.report.common import (
	LOAN,
	REPAYMENT,
	apply_loan_filters,
	card,
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
from employee_loans.engine import add_up, add_up_units, replace_in_total
from employee_loans.engine.states import DUE, FROM_SALARY_SLIP
from employee_loans.utils import to_field, to_money, to_units

SALARY_SLIP = "Salary Slip"


def execute(filters=None):
	filters = period_filters(filters)
	return run_report(get_columns, lambda scope: get_result(filters, scope))


def get_result(filters, scope):
	data = get_data(filters, scope)
	periods = get_period_totals(data, precision_for(filters))
	slip_total = get_salary_slip_total(filters, scope)
	return data, None, get_chart(periods, filters), get_summary(periods, slip_total, filters)


def period_filters(filters) -> frappe._dict:
	filters = get_filters(filters)
	today = getdate(nowdate())
	filters.from_date = filters.from_date or get_first_day(filters.to_date or today)
	filters.to_date = filters.to_date or get_last_day(filters.from_date)
	return get_filters(filters)


def get_columns(scope=None) -> list[dict]:
	return [
		{"label": _("Period Start"), "fieldname": "payroll_start_date", "fieldtype": "Date", "width": 105},
		{"label": _("Period End"), "fieldname": "payroll_end_date", "fieldtype": "Date", "width": 105},
		*employee_columns(scope),
		loan_column(),
		{
			"label": _("Category"),
			"fieldname": "loan_category",
			"fieldtype": "Link",
			"options": "Employee Loan Category",
			"width": 140,
		},
		{
			"label": _("Salary Slip"),
			"fieldname": "salary_slip",
			"fieldtype": "Link",
			"options": SALARY_SLIP,
			"width": 170,
		},
		{"label": _("Instalment"), "fieldname": "instalment_number", "fieldtype": "Data", "width": 85},
		currency_column(_("EMI Due"), "scheduled_amount", 120),
		currency_column(_("Deducted"), "amount", 120),
		currency_column(_("Short of EMI"), "shortfall", 120),
		currency_column(_("Principal"), "principal_amount", 120),
		currency_column(_("Interest"), "interest_amount", 110),
		{"label": _("Reason"), "fieldname": "reason", "fieldtype": "Data", "width": 170},
		{"label": _("Note"), "fieldname": "note", "fieldtype": "Data", "width": 250},
		{
			"label": _("Repayment"),
			"fieldname": "repayment",
			"fieldtype": "Link",
			"options": REPAYMENT,
			"width": 150,
		},
		currency_field_column(),
	]


def base_query(filters, scope):
	repayment = frappe.qb.DocType(REPAYMENT)
	loan = frappe.qb.DocType(LOAN)
	query = (
		frappe.qb.from_(repayment)
		.join(loan)
		.on(loan.name == repayment.employee_loan)
		.where(
			(repayment.docstatus == 1)
			& (repayment.repayment_type == FROM_SALARY_SLIP)
			& (repayment.payroll_end_date >= filters.from_date)
			& (repayment.payroll_end_date <= filters.to_date)
		)
	)
	query = apply_loan_filters(query, loan, filters, skip=("status",))
	if scope is None and not filters.get("employee"):
		# Read the periods' repayments through employee_loans_payroll_period, already in the report's
		# order, and look each one's loan up by its key. Left alone, MariaDB starts from the company's
		# loans, reads every repayment of every loan and sorts what is left (for a quarter on a site
		# with 500,000 repayments, 500,000 rows read instead of 38,819). One employee's rows are few
		# either way.
		query = query.modifier("STRAIGHT_JOIN")
	return restrict_to_scope(query, repayment.employee, scope), repayment, loan


def get_data(filters, scope) -> list[dict]:
	query, repayment, loan = base_query(filters, scope)
	# With a company filter every row is in its currency; otherwise each row's company says.
	currency = currency_for(filters) if filters.get("company") else None
	rows = (
		query.select(
			repayment.payroll_start_date,
			repayment.payroll_end_date,
			repayment.employee,
			repayment.employee_name,
			loan.department,
			repayment.employee_loan,
			loan.loan_category,
			repayment.salary_slip,
			repayment.instalment_number,
			repayment.scheduled_amount,
			repayment.amount,
			repayment.shortfall,
			repayment.principal_amount,
			repayment.interest_amount,
			repayment.reason,
			repayment.note,
			repayment.name.as_("repayment"),
			*([] if currency else [repayment.company]),
		)
		.orderby(repayment.payroll_end_date)
		.orderby(repayment.employee)
		.orderby(repayment.employee_loan)
		.orderby(repayment.name)
		.run(as_dict=True)
	)
	for row in rows:
		# the reason matters where the EMI was reduced, skipped or raised; DUE is the normal case
		if row["reason"] == DUE:
			row["reason"] = None
		row["instalment_number"] = str(row["instalment_number"]) if row["instalment_number"] else None
		row["currency"] = currency or frappe.get_cached_value(
			"Company", row.pop("company"), "default_currency"
		)
	return rows


# the period totals: (total's name, the repayment row's amount it adds up)
PERIOD_SUMS = (
	("scheduled", "scheduled_amount"),
	("deducted", "amount"),
	("shortfall", "shortfall"),
	("principal", "principal_amount"),
	("interest", "interest_amount"),
)


def get_period_totals(rows: list[dict], precision: int) -> list[dict]:
	"""Count and sums per payroll period, added up from the report's rows by the engine, exactly: each
	stored amount counts as whole smallest units (paise), so no second query and no Decimal per row."""
	period = itemgetter("payroll_start_date", "payroll_end_date")
	amounts = itemgetter(*(field for _total, field in PERIOD_SUMS))
	periods: dict[tuple, list[tuple]] = {}
	for row in rows:
		periods.setdefault(period(row), []).append(amounts(row))
	totals = [
		frappe._dict(
			payroll_start_date=start,
			payroll_end_date=end,
			deductions=len(group),
			# one column of amounts at a time (the amount fields are never NULL)
			**{
				total: to_field(add_up_units((to_units(value, precision) for value in column), precision))
				for (total, _field), column in zip(PERIOD_SUMS, zip(*group, strict=True), strict=True)
			},
		)
		for (start, end), group in periods.items()
	]
	totals.sort(key=itemgetter("payroll_end_date", "payroll_start_date"))
	return totals


def get_salary_slip_total(filters, scope) -> float:
	"""The loan deduction rows of the submitted salary slips of the same periods and filters."""
	slip = frappe.qb.DocType(SALARY_SLIP)
	detail = frappe.qb.DocType("Salary Detail")
	loan = frappe.qb.DocType(LOAN)
	query = (
		frappe.qb.from_(slip)
		.join(detail)
		.on((detail.parent == slip.name) & (detail.parenttype == SALARY_SLIP))
		.join(loan)
		.on(loan.name == detail.employee_loan)
		.where(
			(slip.docstatus == 1)
			& (slip.end_date >= filters.from_date)
			& (slip.end_date <= filters.to_date)
			& (detail.parentfield == "deductions")
		)
		.select(Sum(detail.amount).as_("amount"))
	)
	query = apply_loan_filters(query, loan, filters, skip=("status",))
	query = restrict_to_scope(query, slip.employee, scope)
	result = query.run(as_dict=True)
	return result[0].amount or 0 if result else 0


def period_label(row) -> str:
	start, end = getdate(row.payroll_start_date), getdate(row.payroll_end_date)
	if start and start.day == 1 and start.year == end.year and start.month == end.month:
		return formatdate(end, "MMM yyyy")
	return f"{formatdate(start)} - {formatdate(end)}"


def get_chart(periods: list[dict], filters) -> dict | None:
	if not periods:
		return None
	precision = precision_for(filters)
	return {
		"data": {
			"labels": [period_label(row) for row in periods],
			"datasets": [
				{"name": _("EMI Due"), "values": [money(row.scheduled, precision) for row in periods]},
				{"name": _("Deducted"), "values": [money(row.deducted, precision) for row in periods]},
			],
		},
		"type": "bar",
		"fieldtype": "Currency",
		"colors": ["#5e64ff", "#29CD42"],
	}


def get_summary(periods: list[dict], slip_total, filters) -> list[dict]:
	precision, currency = precision_for(filters), currency_for(filters)

	def total(field):
		return to_field(add_up(to_money(row[field] or 0, precision) for row in periods))

	deducted = total("deducted")
	on_slips = money(slip_total, precision)
	difference = to_field(
		replace_in_total(to_money(deducted, precision), [to_money(on_slips, precision)], [])
	)
	return [
		card(sum(row.deductions for row in periods), _("Deductions"), "Int"),
		card(total("scheduled"), _("EMIs Due"), currency=currency),
		card(deducted, _("Deducted"), currency=currency, indicator="Green"),
		card(total("shortfall"), _("Short of EMI"), currency=currency, indicator="Orange"),
		card(total("principal"), _("Principal Recovered"), currency=currency),
		card(total("interest"), _("Interest Recovered"), currency=currency),
		card(on_slips, _("Loan Deductions on Salary Slips"), currency=currency),
		card(
			difference,
			_("Difference"),
			currency=currency,
			indicator="Green" if difference == 0 else "Red",
		),
	]
