"""Loan History: every loan, open and closed, with its dates, how it closed and what was repaid.

With From/To Date, the loans whose life overlaps the period: approved on or before To Date and not
closed before From Date. Repaid figures are the loan's stored totals, which the ledger rebuilds from
the submitted repayments. Principal is the loan's amount with what approved changes added to it (its
top-ups and the EMI holiday interest added to the principal, which the replay stores on the loan), so
Principal Repaid never exceeds it; Rate % is the rate in force (a restructure's). Changes is the number
of the loan's approved changes (EMI holidays, restructures, top-ups; a cancelled or denied one is not
counted), from one grouped subquery joined to the loans."""

import frappe
from frappe import _
from frappe.query_builder import Case, Order
from frappe.query_builder.functions import Coalesce, Count, Date, Sum
from frappe.utils import add_days

from employee_loans.employee_loans.report.active_loans.active_loans import interest_rate, principal_lent
from employee_loans.employee_loans.report.common import (
	APPLICATION,
	LOAN,
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
	restrict_to_scope,
	run_report,
)
from employee_loans.engine.states import (
	CHANGE_APPROVED,
	LOAN_CANCELLED,
	LOAN_CLOSED,
	LOAN_DISBURSED,
	OPEN_LOAN_STATUSES,
)

CHANGE = "Employee Loan Change"


def execute(filters=None):
	filters = get_filters(filters)
	return run_report(get_columns, lambda scope: get_result(filters, scope))


def get_result(filters, scope):
	data = get_data(filters, scope)
	totals = get_totals(filters, scope)
	return data, None, get_chart(totals), get_summary(totals, filters)


def get_columns(scope=None) -> list[dict]:
	return [
		loan_column(),
		*employee_columns(),
		category_column(140),
		{"label": _("Status"), "fieldname": "status", "fieldtype": "Data", "width": 95},
		# an Approved or Cancelled loan lent nothing yet: "Principal", the amount with what was added
		currency_column(_("Principal"), "principal_lent"),
		{"label": _("Rate %"), "fieldname": "interest_rate", "fieldtype": "Percent", "width": 75},
		{"label": _("Months"), "fieldname": "tenure_months", "fieldtype": "Int", "width": 75},
		link_column(_("Application"), "loan_application", APPLICATION, 150),
		{"label": _("Applied On"), "fieldname": "applied_on", "fieldtype": "Date", "width": 105},
		{"label": _("Approved On"), "fieldname": "approved_on", "fieldtype": "Date", "width": 105},
		{"label": _("Disbursed On"), "fieldname": "disbursement_date", "fieldtype": "Date", "width": 105},
		{"label": _("Closed On"), "fieldname": "closure_date", "fieldtype": "Date", "width": 105},
		{"label": _("How It Closed"), "fieldname": "closure_type", "fieldtype": "Data", "width": 190},
		{"label": _("EMIs Paid"), "fieldname": "emis_paid", "fieldtype": "Int", "width": 85},
		{"label": _("Changes"), "fieldname": "changes", "fieldtype": "Int", "width": 80},
		currency_column(_("Principal Repaid"), "principal_repaid"),
		currency_column(_("Interest Paid"), "interest_paid", 120),
		currency_column(_("Total Repaid"), "amount_repaid"),
		currency_column(_("Outstanding Balance"), "outstanding_balance", 150),
		currency_field_column(),
	]


def base_query(filters, scope):
	loan = frappe.qb.DocType(LOAN)
	query = apply_loan_filters(frappe.qb.from_(loan), loan, filters)
	if filters.get("to_date"):
		query = query.where(
			(Coalesce(loan.approved_on, loan.creation) < add_days(filters.to_date, 1))
			| (loan.disbursement_date <= filters.to_date)
		)
	if filters.get("from_date"):
		query = query.where(loan.closure_date.isnull() | (loan.closure_date >= filters.from_date))
	return restrict_to_scope(query, loan, scope), loan


def get_data(filters, scope) -> list[dict]:
	query, loan = base_query(filters, scope)
	application = frappe.qb.DocType(APPLICATION)
	# With a company filter every row is in its currency; otherwise each row's company says.
	currency = currency_for(filters) if filters.get("company") else None
	change = frappe.qb.DocType(CHANGE)
	# one pass over the changes, grouped, not a count per loan
	changes = (
		frappe.qb.from_(change)
		.select(change.employee_loan, Count(change.name).as_("changes"))
		.where((change.docstatus == 1) & (change.status == CHANGE_APPROVED))
		.groupby(change.employee_loan)
	).as_("approved_changes")
	rows = (
		query.left_join(application)
		.on(application.name == loan.loan_application)
		.left_join(changes)
		.on(changes.employee_loan == loan.name)
		.select(
			loan.name.as_("employee_loan"),
			loan.employee,
			loan.employee_name,
			loan.department,
			loan.loan_category,
			loan.status,
			principal_lent(loan).as_("principal_lent"),
			interest_rate(loan).as_("interest_rate"),
			loan.tenure_months,
			loan.loan_application,
			application.posting_date.as_("applied_on"),
			Date(loan.approved_on).as_("approved_on"),
			loan.disbursement_date,
			loan.closure_date,
			Case()
			.when(loan.status == LOAN_CANCELLED, _(LOAN_CANCELLED))
			.else_(loan.closure_type)
			.as_("closure_type"),
			loan.emis_paid,
			Coalesce(changes.changes, 0).as_("changes"),
			loan.principal_repaid,
			loan.interest_paid,
			loan.amount_repaid,
			loan.outstanding_balance,
			*([] if currency else [loan.company]),
		)
		.orderby(loan.approved_on, order=Order.desc)
		.orderby(loan.name, order=Order.desc)
		.run(as_dict=True)
	)
	for row in rows:
		row.currency = currency or frappe.get_cached_value("Company", row.pop("company"), "default_currency")
	return rows


def get_totals(filters, scope) -> list[dict]:
	"""Counts and sums per status and way of closing, in SQL."""
	query, loan = base_query(filters, scope)
	return (
		query.select(
			loan.status,
			loan.closure_type,
			Count(loan.name).as_("loans"),
			Sum(principal_lent(loan)).as_("principal"),
			Sum(loan.amount_repaid).as_("repaid"),
			Sum(Case().when(loan.status == LOAN_DISBURSED, loan.outstanding_balance).else_(0)).as_(
				"outstanding"
			),
		)
		.groupby(loan.status, loan.closure_type)
		.run(as_dict=True)
	)


def chart_label(row) -> str:
	if row.status == LOAN_CLOSED:
		return _(row.closure_type) if row.closure_type else _(LOAN_CLOSED)
	return _(row.status)


def get_chart(totals: list[dict]) -> dict | None:
	if not totals:
		return None
	counts: dict[str, int] = {}
	for row in totals:
		counts[chart_label(row)] = counts.get(chart_label(row), 0) + row.loans
	return {
		"data": {
			"labels": list(counts),
			"datasets": [{"name": _("Loans"), "values": list(counts.values())}],
		},
		"type": "donut",
	}


def get_summary(totals: list[dict], filters) -> list[dict]:
	precision, currency = precision_for(filters), currency_for(filters)
	loans = sum(row.loans for row in totals)
	open_loans = sum(row.loans for row in totals if row.status in OPEN_LOAN_STATUSES)
	closed = sum(row.loans for row in totals if row.status == LOAN_CLOSED)
	return [
		card(loans, _("Loans"), "Int"),
		card(open_loans, _("Open"), "Int", indicator="Orange"),
		card(closed, _("Closed"), "Int", indicator="Green"),
		card(
			money(sum((row.principal or 0) for row in totals), precision), _("Principal"), currency=currency
		),
		card(
			money(sum((row.repaid or 0) for row in totals), precision),
			_("Total Repaid"),
			currency=currency,
			indicator="Green",
		),
		card(
			money(sum((row.outstanding or 0) for row in totals), precision),
			_("Outstanding Balance"),
			currency=currency,
			indicator="Orange",
		),
	]
