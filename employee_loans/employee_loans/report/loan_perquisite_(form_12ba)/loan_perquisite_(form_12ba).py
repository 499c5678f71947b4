"""Loan Perquisite (Form 12BA): the perquisite on concessional loans that payroll charged, per employee,
financial year and loan, month by month.

The taxable value is what the submitted salary slips of the financial year carry (their perquisite rows,
Salary Detail.employee_loan on an earning): what was taxed, so the year's total is the figure for Form
12BA and Form 16. Beside it, the month's figures from the rule: the loan's balance on the month's last
day and the interest recovered for the month (from the loan's submitted repayments, and what its approved
changes lent from the day they were applied: top-ups, EMI holiday interest added to the principal), the
benchmark rate of the settings and the interest at that rate, computed by the engine from the same
movements payroll reads (`payroll_hooks.perquisite.loan_movements`), so the report and the slips agree.
When a repayment, a change or the benchmark rate changed after the slip, the month says what the rule
gives now.

Rows form a tree: the employee (totals), each loan (its rates and totals), each month."""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import flt, formatdate, getdate

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
	link_column,
	loan_column,
	precision_for,
	restrict_to_scope,
	run_report,
)
from employee_loans.engine import LoanInputError, add_up, financial_year_of, month_position, rate_in_force
from employee_loans.engine.perquisite import (
	benchmark_interest,
	benchmark_rate,
	financial_year_bounds,
	financial_year_label,
	month_bounds,
)
from employee_loans.ledger import approved_changes, loan_change
from employee_loans.payroll_hooks.perquisite import (
	DEFAULT_PURPOSE,
	LOAN_FIELD,
	benchmark_rates,
	loan_movements,
)
from employee_loans.utils import get_settings, to_field, to_money

SALARY_SLIP = "Salary Slip"
TOTALS = ("value", "interest_recovered", "taxable_value")


def execute(filters=None):
	filters = get_filters(filters)
	return run_report(get_columns, lambda scope: get_result(filters, scope))


def financial_year(filters) -> int:
	"""The filter's "2026-27" as the year it starts in; the current financial year when none is given."""
	value = (filters.get("financial_year") or "").strip()
	if not value:
		return financial_year_of(getdate())
	start, _dash, end = value.partition("-")
	if not (start.isdigit() and len(start) == 4 and end.isdigit() and int(end) == (int(start) + 1) % 100):
		frappe.throw(
			_("Financial Year {0} is not a year like {1}. Choose one from the list.").format(
				value, financial_year_label(financial_year_of(getdate()))
			),
			title=_("Invalid Financial Year"),
		)
	return int(start)


def get_columns(scope=None) -> list[dict]:
	return [
		{"label": _("Employee / Loan / Month"), "fieldname": "label", "fieldtype": "Data", "width": 230},
		*employee_columns(),
		loan_column(),
		category_column(140),
		{"label": _("Loan Purpose"), "fieldname": "loan_purpose", "fieldtype": "Data", "width": 110},
		link_column(_("Salary Slip"), "salary_slip", SALARY_SLIP, 170),
		{"label": _("Loan Rate %"), "fieldname": "loan_rate", "fieldtype": "Percent", "width": 95},
		{"label": _("Benchmark Rate %"), "fieldname": "benchmark_rate", "fieldtype": "Percent", "width": 120},
		currency_column(_("Balance on the Month's Last Day"), "balance", 170),
		currency_column(_("Interest at the Benchmark Rate"), "value", 170),
		currency_column(_("Interest Recovered"), "interest_recovered", 140),
		currency_column(_("Taxable Value"), "taxable_value", 130),
		{"label": _("Remark"), "fieldname": "remark", "fieldtype": "Data", "width": 300},
		currency_field_column(),
	]


def get_result(filters, scope):
	year = financial_year(filters)
	precision, currency = precision_for(filters), currency_for(filters)
	rows = slip_rows(filters, scope, *financial_year_bounds(year))
	data = tree(rows, year, precision, currency)
	taxable = add_up(to_money(row.amount, precision) for row in rows)
	summary = [
		card(len({row.employee for row in rows}), _("Employees"), "Int"),
		card(len({row.employee_loan for row in rows}), _("Loans"), "Int"),
		card(to_field(taxable), _("Taxable Value {0}").format(financial_year_label(year)), currency=currency),
	]
	message = (
		None
		if rows
		else _("No salary slip of financial year {0} carries a perquisite on a loan.").format(
			financial_year_label(year)
		)
	)
	return data, message, None, summary


def slip_rows(filters, scope, start, end) -> list[frappe._dict]:
	"""The perquisite rows of the submitted salary slips whose period ends in the financial year, with
	their loan: one query."""
	slip = frappe.qb.DocType(SALARY_SLIP)
	detail = frappe.qb.DocType("Salary Detail")
	loan = frappe.qb.DocType(LOAN)
	category = frappe.qb.DocType("Employee Loan Category")
	query = (
		frappe.qb.from_(detail)
		.join(slip)
		.on((detail.parent == slip.name) & (detail.parenttype == SALARY_SLIP))
		.join(loan)
		.on(loan.name == detail[LOAN_FIELD])
		.left_join(category)
		.on(category.name == loan.loan_category)
		.select(
			slip.name.as_("salary_slip"),
			slip.employee,
			slip.employee_name,
			slip.department,
			slip.end_date,
			detail.amount,
			loan.name.as_("employee_loan"),
			loan.loan_category,
			loan.loan_amount,
			loan.annual_interest_rate,
			category.loan_purpose,
		)
		.where(
			(slip.docstatus == 1)
			& (slip.end_date >= start)
			& (slip.end_date <= end)
			& (detail.parentfield == "earnings")
		)
		.orderby(slip.employee)
		.orderby(loan.disbursement_date)
		.orderby(loan.name)
		.orderby(slip.end_date)
	)
	query = apply_loan_filters(query, loan, filters)
	query = restrict_to_scope(query, loan, scope, slip.employee)
	return query.run(as_dict=True)


def tree(rows: list[frappe._dict], year: int, precision: int, currency: str | None) -> list[dict]:
	if not rows:
		return []
	loans = sorted({row.employee_loan for row in rows})
	movements = loan_movements(loans, None, precision)
	restructures = rate_changes(loans, precision)
	rates = benchmark_rates(get_settings())
	data: list[dict] = []
	employee_row = loan_row = None
	for row in rows:
		if employee_row is None or employee_row["employee"] != row.employee:
			employee_row = {
				"label": f"{row.employee}: {row.employee_name}",
				"employee": row.employee,
				"employee_name": row.employee_name,
				"department": row.department,
				"indent": 0,
				"currency": currency,
				**{field: Decimal(0) for field in TOTALS},
			}
			data.append(employee_row)
			loan_row = None
		purpose = row.loan_purpose or DEFAULT_PURPOSE
		try:
			rate = benchmark_rate(rates, year, purpose)
		except LoanInputError:
			rate = None  # the month's remark says so
		if loan_row is None or loan_row["employee_loan"] != row.employee_loan:
			loan_row = {
				"label": row.employee_loan,
				"employee": row.employee,
				"employee_loan": row.employee_loan,
				"loan_category": row.loan_category,
				"loan_purpose": _(purpose),
				"benchmark_rate": to_field(rate),
				"indent": 1,
				"currency": currency,
				**{field: Decimal(0) for field in TOTALS},
			}
			data.append(loan_row)
		# the loan's rate in the slip's month (a restructure may have changed it); the loan's row shows
		# the rate of its last month in the year
		loan_rate = to_field(
			rate_in_force(
				str(flt(row.annual_interest_rate, 6)),
				restructures.get(row.employee_loan, []),
				getdate(row.end_date),
			)
		)
		loan_row["loan_rate"] = loan_rate
		month = month_row(row, movements.get(row.employee_loan, []), rate, precision)
		month["loan_rate"] = loan_rate
		month["currency"] = currency
		data.append(month)
		exact = {field: month.pop(f"_{field}") for field in TOTALS}
		for parent in (employee_row, loan_row):
			for field in TOTALS:
				parent[field] += exact[field]
	for entry in data:
		for field in TOTALS:
			if isinstance(entry.get(field), Decimal):
				entry[field] = to_field(entry[field])
	return data


def rate_changes(loans: list[str], precision: int) -> dict[str, list[tuple]]:
	"""Each loan's approved restructures that changed its rate, as the engine's rate_in_force takes them:
	(the payroll month it applies from, the new rate), in the order they were applied. One query."""
	changes: dict[str, list[tuple]] = {}
	for row in approved_changes(loans, lock=False):
		change = loan_change(row, precision)
		if change.annual_rate is not None:
			changes.setdefault(row.employee_loan, []).append((change.first_due, change.annual_rate))
	return changes


def month_row(row, movements, rate: Decimal | None, precision: int) -> dict:
	"""One slip's month for one loan: the rule's figures beside the taxable value the slip carries.
	`movements` are payroll's own (repayments, and what approved changes lent), so the balance is the one
	the slip was valued on."""
	month_end = month_bounds(getdate(row.end_date))[1]
	balance, recovered = month_position(to_money(row.loan_amount, precision), movements, month_end, precision)
	taxable = to_money(row.amount, precision)
	value = benchmark_interest(balance, rate, precision) if rate is not None else None
	remark = None
	if rate is None:
		remark = _("No benchmark rate in Employee Loan Settings for this financial year and loan purpose.")
	elif max(value - recovered, Decimal(0)) != taxable:
		remark = _(
			"A repayment, a loan change or the benchmark rate changed after the salary slip: the rule now "
			"gives {0}."
		).format(frappe.format(to_field(max(value - recovered, Decimal(0))), {"fieldtype": "Currency"}))
	return {
		"label": formatdate(month_end, "MMMM yyyy"),
		"employee": row.employee,
		"employee_loan": row.employee_loan,
		"salary_slip": row.salary_slip,
		"benchmark_rate": to_field(rate),
		"balance": to_field(balance),
		"value": to_field(value),
		"interest_recovered": to_field(recovered),
		"taxable_value": to_field(taxable),
		"remark": remark,
		"indent": 2,
		"_value": value or Decimal(0),
		"_interest_recovered": recovered,
		"_taxable_value": taxable,
	}
