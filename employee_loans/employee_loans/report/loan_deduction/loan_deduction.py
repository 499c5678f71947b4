"""Loan Deduction: the EMIs recovered through payroll, per payroll period.

One row per submitted Employee Loan Repayment posted by a salary slip (repayment type "Salary
Slip") whose payroll period ends between From Date and To Date. The summary reconciles the total
deducted with the loan deduction rows (Salary Detail.employee_loan set) of the submitted salary slips
of the same period: the two must agree to the smallest currency unit.

Two queries whatever the number of rows: the repayments, read in the report's order through the
payroll-period index (employee_loans.indexes), and the salary slips' loan deductions (each slip's stored
total, or its loan rows when a category or department is chosen). The period totals of
the chart and summary are added up from the repayments already read rather than read again.

A quarter at 20,000 loans is 38,819 rows of 18 values. Read as they are, PyMySQL (pure Python)
spends most of the report's time making those 700,000 values into Python objects one at a time,
though most of them repeat: a salary slip's rows share its period, employee and name; a loan's rows
its department and category. So a row comes as two JSON arrays, the salary slip's fields and the loan
line's few-valued ones, decoded once for each distinct array (see `Decoded`), then the loan, the five
amounts as one comma-separated text and the repayment's name. The rows are read unbuffered, a few
hundred at a time, each batch decoded in C loops while MariaDB finds the next ones."""

import json
from datetime import date
from itertools import chain, groupby, islice, repeat
from operator import add, itemgetter

from pypika.terms import Function

import frappe
from frappe import _
from frappe.query_builder.functions import Concat_ws, Sum
from frappe.utils import formatdate, get_first_day, get_last_day, getdate, nowdate

from employee_loans.employee_loans.report.common import (
	LOAN,
	REPAYMENT,
	apply_loan_filters,
	card,
	category_column,
	currency_column,
	currency_field_column,
	currency_for,
	employee_columns,
	get_filters,
	link_column,
	loan_column,
	money,
	precision_for,
	restrict_to_own,
	restrict_to_scope,
	run_report,
)
from employee_loans.engine import add_up, add_up_units, replace_in_total
from employee_loans.engine.states import DUE, FROM_SALARY_SLIP
from employee_loans.payroll_hooks.salary_slip import SLIP_TOTAL_FIELD
from employee_loans.utils import to_field, to_money

SALARY_SLIP = "Salary Slip"


def execute(filters=None):
	filters = period_filters(filters)
	return run_report(get_columns, lambda scope: get_result(filters, scope))


def get_result(filters, scope):
	data, periods = get_data(filters, scope)
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
		*employee_columns(),
		loan_column(),
		category_column(140),
		link_column(_("Salary Slip"), "salary_slip", SALARY_SLIP, 170),
		{"label": _("Instalment"), "fieldname": "instalment_number", "fieldtype": "Data", "width": 85},
		currency_column(_("EMI Due"), "scheduled_amount", 120),
		currency_column(_("Deducted"), "amount", 120),
		currency_column(_("Short of EMI"), "shortfall", 120),
		currency_column(_("Principal"), "principal_amount", 120),
		currency_column(_("Interest"), "interest_amount", 110),
		{"label": _("Reason"), "fieldname": "reason", "fieldtype": "Data", "width": 170},
		{"label": _("Note"), "fieldname": "note", "fieldtype": "Data", "width": 250},
		link_column(_("Repayment"), "repayment", REPAYMENT, 150),
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
	if scope.every_employee and not filters.get("employee"):
		# Read the periods' repayments through employee_loans_payroll_period, already in the report's
		# order, and look each one's loan up by its key. Left alone, MariaDB starts from the company's
		# loans, reads every repayment of every loan and sorts what is left (for a quarter on a site
		# with 500,000 repayments, 500,000 rows read instead of 38,819). One employee's rows are few
		# either way.
		query = query.modifier("STRAIGHT_JOIN")
	return restrict_to_scope(query, loan, scope, repayment.employee), repayment, loan


class JsonArray(Function):
	"""MariaDB's JSON_ARRAY(...): the values as one JSON text, NULL as null, any text escaped."""

	def __init__(self, *terms, alias=None):
		super().__init__("JSON_ARRAY", *terms, alias=alias)


class Decoded(dict):
	"""JSON arrays from the query, each decoded by `decode` the first time it is looked up: a dict lookup
	for every row, a JSON document for every distinct array."""

	def __init__(self, decode):
		super().__init__()
		self.decode = decode

	def __missing__(self, key):
		value = self[key] = self.decode(*json.loads(key))
		return value


# A row as the query returns it: two JSON arrays of these fields, ...
SLIP_FIELDS = ("payroll_start_date", "payroll_end_date", "employee", "employee_name", "salary_slip")
LINE_FIELDS = ("department", "loan_category", "reason", "instalment_number", "note", "currency")  # company
AMOUNT_FIELDS = ("scheduled_amount", "amount", "shortfall", "principal_amount", "interest_amount")
# ... then the loan, the amounts as one text ("9045.460000000,9045.460000000,0.000000000,...") and the
# name, decoded in this order
OWN_FIELDS = ("employee_loan", "repayment", *AMOUNT_FIELDS)
# ... and as the report shows it: the same fields in the order of the columns
ROW_FIELDS = (
	"payroll_start_date",
	"payroll_end_date",
	"employee",
	"employee_name",
	"department",
	"employee_loan",
	"loan_category",
	"salary_slip",
	"instalment_number",
	*AMOUNT_FIELDS,
	"reason",
	"note",
	"repayment",
	"currency",
)
_READ = (*SLIP_FIELDS, *LINE_FIELDS, *OWN_FIELDS)
in_column_order = itemgetter(*(_READ.index(field) for field in ROW_FIELDS))
# rows decoded at a time, while MariaDB goes on finding rows (a batch of a few hundred rows keeps
# both busy; larger ones leave MariaDB waiting for the connection to be read)
BATCH = 500


def get_data(filters, scope) -> tuple[list[dict], list[dict]]:
	"""The report's rows, and the totals of each payroll period added up from them."""
	query, repayment, loan = base_query(filters, scope)
	query = (
		query.select(
			JsonArray(*(repayment[field] for field in SLIP_FIELDS)),
			JsonArray(
				loan.department,
				loan.loan_category,
				repayment.reason,
				repayment.instalment_number,
				repayment.note,
				repayment.company,
			),
			repayment.employee_loan,
			Concat_ws(",", *(repayment[field] for field in AMOUNT_FIELDS)),
			repayment.name,
		)
		.orderby(repayment.payroll_end_date)
		.orderby(repayment.employee)
		.orderby(repayment.employee_loan)
		.orderby(repayment.name)
	)
	# Everything that may query the database, before the rows are read: while an unbuffered result is
	# open, the connection can run nothing else.
	precision = precision_for(filters)
	# With a company filter every row is in its currency; otherwise each row's company says.
	currency = currency_for(filters) if filters.get("company") else None
	currencies = (
		{} if currency else dict(frappe.get_all("Company", fields=["name", "default_currency"], as_list=True))
	)

	def slip_fields(start, end, employee, employee_name, salary_slip):
		return as_date(start), as_date(end), employee, employee_name, salary_slip

	def line_fields(department, loan_category, reason, instalment_number, note, company):
		return (
			department,
			loan_category,
			# the reason matters where the EMI was reduced, skipped or raised; DUE is the normal case
			None if reason == DUE else reason,
			str(instalment_number) if instalment_number else None,
			note,
			currency or currencies.get(company),
		)

	slip_values, line_values = Decoded(slip_fields), Decoded(line_fields)
	data, slips, amounts = [], [], []
	with frappe.db.unbuffered_cursor():
		stream = query.run(as_iterator=True, as_list=True)
		while rows := list(islice(stream, BATCH)):
			# C loops over the rows (map, zip): Python runs once per distinct array
			batch_slips = list(map(slip_values.__getitem__, map(itemgetter(0), rows)))
			lines = map(line_values.__getitem__, map(itemgetter(1), rows))
			# every row's amounts, as PyMySQL would read them (float of the same text), five at a time
			numbers = map(float, ",".join(map(itemgetter(3), rows)).split(","))
			batch_amounts = list(zip(*[numbers] * len(AMOUNT_FIELDS), strict=True))
			names = zip(map(itemgetter(2), rows), map(itemgetter(4), rows), strict=True)
			values = map(add, map(add, map(add, batch_slips, lines), names), batch_amounts)
			data += map(frappe._dict, map(zip, repeat(ROW_FIELDS), map(in_column_order, values)))
			slips += batch_slips
			amounts += batch_amounts
	if not data:
		return [], []
	periods = map(itemgetter(0, 1), slips)
	return data, get_period_totals(periods, zip(*amounts, strict=True), precision)


def as_date(value: str | None) -> date | None:
	return date.fromisoformat(value) if value else None


# the period totals: (total's name, the repayment row's amount it adds up)
PERIOD_SUMS = (
	("scheduled", "scheduled_amount"),
	("deducted", "amount"),
	("shortfall", "shortfall"),
	("principal", "principal_amount"),
	("interest", "interest_amount"),
)


def get_period_totals(periods, amounts, precision: int) -> list[dict]:
	"""Count and sums per payroll period, from columns of the report's rows: each row's (period start,
	period end) and its amounts (AMOUNT_FIELDS, a column each). The engine adds them up exactly: each
	stored amount counts as whole smallest units (paise), so no second query and no Decimal per row."""
	scale = float(10**precision)
	# employee_loans.utils.to_units for a whole column (the amounts are never NULL), without a Python
	# call per value
	units = dict(
		zip(AMOUNT_FIELDS, (list(map(round, map(scale.__mul__, column))) for column in amounts), strict=True)
	)
	# The rows come by period end: a period is one run of rows, or a few (two periods ending on the same
	# day, the employees' rows interleaved).
	runs: dict[tuple, list[slice]] = {}
	first = 0
	for period, run in groupby(periods):
		last = first + len(list(run))
		runs.setdefault(period, []).append(slice(first, last))
		first = last
	totals = [
		frappe._dict(
			payroll_start_date=start,
			payroll_end_date=end,
			deductions=sum(part.stop - part.start for part in parts),
			**{
				total: to_field(
					add_up_units(chain.from_iterable(units[field][part] for part in parts), precision)
				)
				for total, field in PERIOD_SUMS
			},
		)
		for (start, end), parts in runs.items()
	]
	totals.sort(key=itemgetter("payroll_end_date", "payroll_start_date"))
	return totals


def get_salary_slip_total(filters, scope) -> float:
	"""What the submitted salary slips of the same periods and filters deducted for loans. Filtered by
	company or employee only, that is each slip's Loan Deductions (the total of its loan rows, stored
	when the slip is saved): one value per slip. A category or department is the loan's, so then the
	slips' loan rows are added up with their loans; so too when the user's User Permissions allow only
	some loans."""
	slip = frappe.qb.DocType(SALARY_SLIP)
	query = frappe.qb.from_(slip).where(
		(slip.docstatus == 1) & (slip.end_date >= filters.from_date) & (slip.end_date <= filters.to_date)
	)
	if filters.get("loan_category") or filters.get("department") or scope.allowed:
		detail = frappe.qb.DocType("Salary Detail")
		loan = frappe.qb.DocType(LOAN)
		query = (
			query.join(detail)
			.on((detail.parent == slip.name) & (detail.parenttype == SALARY_SLIP))
			.join(loan)
			.on(loan.name == detail.employee_loan)
			.where(detail.parentfield == "deductions")
			.select(Sum(detail.amount).as_("amount"))
		)
		query = apply_loan_filters(query, loan, filters, skip=("status",))
		query = restrict_to_scope(query, loan, scope, slip.employee)
	else:
		query = query.select(Sum(slip[SLIP_TOTAL_FIELD]).as_("amount"))
		for key in ("company", "employee"):
			if filters.get(key):
				query = query.where(slip[key] == filters.get(key))
		query = restrict_to_own(query, slip.employee, scope)
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
