"""Loan Summary: loans by category or by status over a period.

A loan is in the period when it was approved on or before To Date, is not cancelled and was not
closed before From Date. Its status is the one it had at To Date: Approved (not yet disbursed),
Disbursed, or Closed (closed within the period). Per group:

- Brought In and Opening Balance Brought In: the loans brought in at go-live within the period (their
  opening, the day before go-live, in it) and their principal outstanding then. A loan brought in was
  disbursed by the system that kept it before: it is never counted as disbursed by the app;
- Principal Disbursed: principal of the loans disbursed within the period, and the top-ups applied
  within it (an approved top-up is paid out by its own journal entry: cash lent, on the date it was
  applied). The interest of an EMI holiday added to the principal is not in it: no money is paid out,
  it is interest the loan now owes as principal. It is in Outstanding;
- Recovered, Principal Recovered and Interest Earned: submitted repayments posted within the period;
- Outstanding: principal outstanding at To Date, i.e. the loan's stored (ledger-derived) balance plus
  the principal of repayments posted after To Date, less what approved changes applied after To Date
  added to it (top-ups, holiday interest).

One query, grouped in SQL, with one grouped subquery per source (repayments, changes) joined to the
loans; nothing is computed per loan in Python."""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Coalesce, Count, Sum
from frappe.utils import add_days, get_first_day, getdate, nowdate

from employee_loans.employee_loans.report.common import (
	LOAN,
	REPAYMENT,
	apply_loan_filters,
	card,
	category_column,
	currency_column,
	currency_field_column,
	currency_for,
	get_filters,
	money,
	precision_for,
	restrict_to_scope,
	run_report,
)
from employee_loans.engine.states import (
	CHANGE_APPROVED,
	LOAN_APPROVED,
	LOAN_CANCELLED,
	LOAN_CLOSED,
	LOAN_DISBURSED,
)
from employee_loans.indexes import RECOVERIES_INDEX
from employee_loans.utils import to_field, to_money

CHANGE = "Employee Loan Change"
BY_CATEGORY, BY_STATUS = "Category", "Status"
# the status a loan had at To Date (a cancelled loan is in no period)
STATUSES = (LOAN_APPROVED, LOAN_DISBURSED, LOAN_CLOSED)
FIGURES = (
	"principal_disbursed",
	"amount_recovered",
	"principal_recovered",
	"interest_earned",
	"outstanding",
)


def execute(filters=None):
	filters = period_filters(filters)
	group_by = filters.get("group_by") or BY_CATEGORY
	return run_report(
		lambda scope: get_columns(group_by, scope), lambda scope: get_result(filters, scope, group_by)
	)


def get_result(filters, scope, group_by):
	data = get_data(filters, scope, group_by)
	return data, None, get_chart(data, group_by, filters), get_summary(data, filters)


def period_filters(filters) -> frappe._dict:
	filters = get_filters(filters)
	filters.to_date = filters.to_date or getdate(nowdate())
	filters.from_date = filters.from_date or get_first_day(filters.to_date)
	return get_filters(filters)


def get_columns(group_by: str, scope=None) -> list[dict]:
	if group_by == BY_STATUS:
		group = {"label": _("Status at To Date"), "fieldname": "group", "fieldtype": "Data", "width": 170}
	else:
		group = {**category_column(200), "fieldname": "group"}
	return [
		group,
		{"label": _("Loans"), "fieldname": "loans", "fieldtype": "Int", "width": 80},
		{"label": _("Brought In"), "fieldname": "brought_in_loans", "fieldtype": "Int", "width": 90},
		currency_column(_("Opening Balance Brought In"), "opening_brought_in", 150),
		{"label": _("Disbursed in Period"), "fieldname": "disbursed_loans", "fieldtype": "Int", "width": 110},
		currency_column(_("Principal Disbursed"), "principal_disbursed", 150),
		currency_column(_("Recovered"), "amount_recovered", 140),
		currency_column(_("Principal Recovered"), "principal_recovered", 150),
		currency_column(_("Interest Earned"), "interest_earned", 140),
		currency_column(_("Outstanding at To Date"), "outstanding", 160),
		currency_field_column(),
	]


def in_period(loan, filters):
	"""Approved (or disbursed) by To Date, not cancelled, not closed before From Date; a loan brought in
	at go-live from its opening (the day before go-live) on."""
	day_after = add_days(filters.to_date, 1)
	return (
		(loan.docstatus < 2)
		& ((Coalesce(loan.brought_in, 0) == 0) | (loan.go_live_date <= day_after))
		& (loan.status != LOAN_CANCELLED)
		& (
			(Coalesce(loan.approved_on, loan.creation) < day_after)
			| (loan.disbursement_date <= filters.to_date)
		)
		& (loan.closure_date.isnull() | (loan.closure_date >= filters.from_date))
	)


def status_at_end(loan, filters):
	return (
		Case()
		.when(loan.disbursement_date.isnull() | (loan.disbursement_date > filters.to_date), LOAN_APPROVED)
		.when(loan.closure_date.notnull() & (loan.closure_date <= filters.to_date), LOAN_CLOSED)
		.else_(LOAN_DISBURSED)
	)


def group_term(loan, filters, group_by):
	return status_at_end(loan, filters) if group_by == BY_STATUS else loan.loan_category


def repayments_per_loan(filters):
	"""Each loan's submitted repayments from From Date on, added up per loan: what was recovered
	within the period, and the principal repaid after To Date (which the loan's stored balance has
	already taken off). Joined to the loans on the loan's name, MariaDB computes this for each loan
	in turn from employee_loans_recoveries alone (every column is in that index), instead of reading
	500,000 repayment rows and grouping each one."""
	repayment = frappe.qb.DocType(REPAYMENT)
	posted_in_period = repayment.posting_date <= filters.to_date
	posted_after = repayment.posting_date > filters.to_date
	query = (
		frappe.qb.from_(repayment)
		.select(
			repayment.employee_loan,
			Sum(Case().when(posted_in_period, repayment.amount).else_(0)).as_("amount_recovered"),
			Sum(Case().when(posted_in_period, repayment.principal_amount).else_(0)).as_(
				"principal_recovered"
			),
			Sum(Case().when(posted_in_period, repayment.interest_amount).else_(0)).as_("interest_earned"),
			Sum(Case().when(posted_after, repayment.principal_amount).else_(0)).as_("principal_after"),
		)
		.where((repayment.docstatus == 1) & (repayment.posting_date >= filters.from_date))
		.groupby(repayment.employee_loan)
	)
	if frappe.db.db_type == "mariadb" and frappe.db.has_index(f"tab{REPAYMENT}", RECOVERIES_INDEX):
		# the optimiser otherwise takes the one-column index on the loan and reads every row behind it
		query = query.use_index(RECOVERIES_INDEX)
	return query


def changes_per_loan(filters):
	"""Each loan's approved changes applied from From Date on that added to its principal, added up per
	loan: the top-ups applied within the period (disbursed in it), and the top-ups and holiday interest
	applied after To Date (which the loan's stored balance already includes)."""
	change = frappe.qb.DocType(CHANGE)
	day_after = add_days(filters.to_date, 1)
	applied_after = change.applied_on >= day_after
	return (
		frappe.qb.from_(change)
		.select(
			change.employee_loan,
			Sum(Case().when(change.applied_on < day_after, change.top_up_amount).else_(0)).as_("topped_up"),
			Sum(Case().when(applied_after, change.top_up_amount + change.interest_added).else_(0)).as_(
				"lent_after"
			),
		)
		.where(
			(change.docstatus == 1)
			& (change.status == CHANGE_APPROVED)
			& (change.applied_on >= filters.from_date)
			& ((change.top_up_amount > 0) | (change.interest_added > 0))
		)
		.groupby(change.employee_loan)
	)


def get_data(filters, scope, group_by) -> list[dict]:
	"""One query: the loans in the period, grouped, each with its repayments added up beforehand."""
	loan = frappe.qb.DocType(LOAN)
	group = group_term(loan, filters, group_by)
	disbursed_in_period = (
		(Coalesce(loan.brought_in, 0) == 0)
		& (loan.disbursement_date >= filters.from_date)
		& (loan.disbursement_date <= filters.to_date)
	)
	# the opening of a loan brought in is the day before go-live
	brought_in_period = (
		(loan.brought_in == 1)
		& (loan.go_live_date > filters.from_date)
		& (loan.go_live_date <= add_days(filters.to_date, 1))
	)
	disbursed_by_end = loan.disbursement_date <= filters.to_date
	repaid = repayments_per_loan(filters)
	changed = changes_per_loan(filters)

	def recovered(field):
		# only loans disbursed by To Date have recovered anything within the period or owe at its end
		return Sum(Case().when(disbursed_by_end, repaid[field]).else_(0)).as_(field)

	query = (
		frappe.qb.from_(loan)
		.left_join(repaid)
		.on(repaid.employee_loan == loan.name)
		.left_join(changed)
		.on(changed.employee_loan == loan.name)
		.where(in_period(loan, filters))
	)
	query = restrict_to_scope(apply_loan_filters(query, loan, filters, skip=("status",)), loan, scope)
	rows = (
		query.select(
			group.as_("group"),
			Count(loan.name).as_("loans"),
			Sum(Case().when(brought_in_period, 1).else_(0)).as_("brought_in_loans"),
			Sum(Case().when(brought_in_period, loan.outstanding_at_go_live).else_(0)).as_(
				"opening_brought_in"
			),
			Sum(Case().when(disbursed_in_period, 1).else_(0)).as_("disbursed_loans"),
			# the loans disbursed in the period and the top-ups applied in it
			Sum(
				Case().when(disbursed_in_period, loan.loan_amount).else_(0) + Coalesce(changed.topped_up, 0)
			).as_("principal_disbursed"),
			Sum(Case().when(disbursed_by_end, loan.outstanding_balance).else_(0)).as_("outstanding_now"),
			recovered("amount_recovered"),
			recovered("principal_recovered"),
			recovered("interest_earned"),
			recovered("principal_after"),
			Sum(Case().when(disbursed_by_end, changed.lent_after).else_(0)).as_("lent_after"),
		)
		.groupby(group)
		.run(as_dict=True)
	)

	precision, currency = precision_for(filters), currency_for(filters)
	data = []
	for row in rows:
		data.append(
			frappe._dict(
				group=row.group,
				loans=row.loans,
				brought_in_loans=int(row.brought_in_loans or 0),
				opening_brought_in=money(row.opening_brought_in, precision),
				disbursed_loans=int(row.disbursed_loans or 0),
				principal_disbursed=money(row.principal_disbursed, precision),
				amount_recovered=money(row.amount_recovered, precision),
				principal_recovered=money(row.principal_recovered, precision),
				interest_earned=money(row.interest_earned, precision),
				# stored balance today, plus what was repaid after To Date, less what was lent after it:
				# the balance at To Date
				outstanding=to_field(
					to_money(row.outstanding_now or 0, precision)
					+ to_money(row.principal_after or 0, precision)
					- to_money(row.lent_after or 0, precision)
				),
				currency=currency,
			)
		)
	order = {status: index for index, status in enumerate(STATUSES)}
	if group_by == BY_STATUS:
		data.sort(key=lambda row: order.get(row.group, len(order)))
	else:
		data.sort(key=lambda row: row.group or "")
	return data


def get_chart(data: list[dict], group_by: str, filters) -> dict | None:
	if not data:
		return None
	return {
		"data": {
			"labels": [_(row.group) if group_by == BY_STATUS else row.group for row in data],
			"datasets": [
				{"name": _("Principal Disbursed"), "values": [row.principal_disbursed for row in data]},
				{"name": _("Recovered"), "values": [row.amount_recovered for row in data]},
				{"name": _("Outstanding at To Date"), "values": [row.outstanding for row in data]},
			],
		},
		"type": "bar",
		"fieldtype": "Currency",
		"colors": ["#5e64ff", "#29CD42", "#F68B1F"],
	}


def get_summary(data: list[dict], filters) -> list[dict]:
	precision, currency = precision_for(filters), currency_for(filters)

	def total(field):
		return money(sum(row[field] for row in data), precision)

	return [
		card(sum(row.loans for row in data), _("Loans"), "Int"),
		card(total("principal_disbursed"), _("Principal Disbursed"), currency=currency),
		card(total("amount_recovered"), _("Recovered"), currency=currency, indicator="Green"),
		card(total("interest_earned"), _("Interest Earned"), currency=currency, indicator="Green"),
		card(total("outstanding"), _("Outstanding at To Date"), currency=currency, indicator="Orange"),
	]
