"""Salary Slip events for the perquisite on concessional loans (India, Income-tax Rules rule 3(7)(i)).

What a slip gets. With the policy on in Employee Loan Settings, every monthly salary slip of an employee
of a company whose country is India carries one earning row per loan whose perquisite for the slip's
month is above 0 (`employee_loans.engine.perquisite` computes it; its docstring says which readings of
the rule it implements). The row is on the perquisite component (taxable, not included in totals, not in
the accounts, not prorated) and is tied to its loan (Salary Detail.employee_loan) with the computation in
its note. HRMS counts it in the taxable earnings (`get_taxable_earnings`, and `get_salary_slip_details`
for the months already paid), so it raises the income tax; it adds nothing to gross or net pay, and the
Payroll Entry's journal skips it. Every other slip, a company outside India and a site with the policy
off see no change at all.

Projected, not counted once. The row's `additional_amount` is 0, so HRMS treats it as recurring income
and projects this month's value over the rest of the payroll period, as it does the salary itself: a
concessional loan gives a perquisite every month it is outstanding. Each later month HRMS takes the
months already paid from their slips and projects the current one again, so the year's tax comes out
on what was actually charged, spread evenly instead of piling up at the end of the year. (Counted once,
`additional_amount` = amount, each month's tax would cover only the months so far, and the shortfall
would fall on the last months of the year.) As a loan is repaid the perquisite falls, so the projection
runs a little ahead and the later months correct it.

When. The loan lines (payroll_hooks/salary_slip.py) are added in `process_salary_structure`; this
module's handler runs after theirs, reads the slip's principal and interest for each loan and adds the
rows, so HRMS's own `calculate_net_pay` in `validate` taxes them. A later save refreshes the rows and,
when they change, has HRMS compute the slip again; submission checks them once more and stops with a
message if anything moved since the slip was saved. As with the loan lines, nothing here throws while a
slip is created (a Payroll Entry would roll back its run): a missing benchmark rate leaves the rows out
with an alert and stops the submission with a message that says what to add.

Query budget per slip: none when the policy is off, the company is not in India or the slip is not
monthly (settings and company are cached); otherwise one indexed query for the employee's loans and,
when there are any, one for their repayments.
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce
from frappe.utils import add_days, flt, fmt_money, formatdate, getdate

from employee_loans.engine import (
	BenchmarkRate,
	ExemptionThreshold,
	LoanInputError,
	LoanMonth,
	Movement,
	check_policy,
	financial_year_of,
	month_position,
	monthly_perquisites,
)
from employee_loans.engine.perquisite import month_bounds
from employee_loans.engine.states import FROM_SALARY_SLIP, LOAN_CLOSED, LOAN_DISBURSED
from employee_loans.ledger import approved_changes, loan_change
from employee_loans.utils import currency_precision, engine_message, get_settings, to_field, to_money

LOAN_FIELD = "employee_loan"
NOTE_FIELD = "loan_deduction_note"
COUNTRY = "India"
MONTHLY = "Monthly"
DEFAULT_PURPOSE = "Personal"
FRESH_FLAG = "employee_loan_perquisite_fresh"

# The component install creates, and the threshold rows it stores when the table is empty.
PERQUISITE_COMPONENT = "Loan Perquisite"
PERQUISITE_ABBR = "LPERQ"
PERQUISITE_MARKER = "Created by Employee Loans for the perquisite on concessional loans (India)."
# What the component must be for the row to raise the tax and nothing else.
COMPONENT_FLAGS = {
	"is_tax_applicable": 1,
	"do_not_include_in_total": 1,
	"do_not_include_in_accounts": 1,
	"depends_on_payment_days": 0,
}
DEFAULT_THRESHOLDS = (
	("2001-04-01", 20000, "Income-tax Rules 1962, rule 3(7)(i): up to 31 March 2026"),
	("2026-04-01", 200000, "Income-tax Rules 2026, rule 15, Table IV, item 1: from 1 April 2026"),
)


class PerquisiteError(frappe.ValidationError):
	pass


# -- events ----------------------------------------------------------------------------------------


def process_salary_structure(slip, method=None, *args, **kwargs):
	"""After the loan lines: the perquisite rows, before HRMS computes the new slip's tax in validate."""
	if frappe.flags.employee_loans_skip_loan_lines:
		return
	changed = refresh_perquisite_rows(slip, strict=False)
	slip.flags[FRESH_FLAG] = True
	if changed and kwargs.get("for_preview"):
		# The structure's preview is never validated: have HRMS tax it with the rows here.
		slip.calculate_net_pay()


def validate(slip, method=None):
	"""Refresh the rows on a later save (HRMS computes the slip again when they change); check them at
	submission, where nothing may have moved since the slip was saved."""
	action = getattr(slip, "_action", None)
	if frappe.flags.employee_loans_skip_loan_lines or action not in ("save", "submit"):
		return
	if action == "save" and slip.flags.pop(FRESH_FLAG, False):
		# A new slip: the rows were added while HRMS loaded the structure moments ago, after the loan
		# lines, and HRMS has computed its tax, totals and year-to-date figures with them since.
		return
	if refresh_perquisite_rows(slip, strict=action == "submit"):
		recompute(slip)


# -- rows ------------------------------------------------------------------------------------------


def applies(slip) -> bool:
	"""The policy is on, the company is in India and the slip covers a month."""
	if not get_settings().get("perquisite_enabled"):
		return False
	if not (slip.employee and slip.company and slip.end_date) or slip.payroll_frequency != MONTHLY:
		return False
	return frappe.get_cached_value("Company", slip.company, "country") == COUNTRY


def refresh_perquisite_rows(slip, strict: bool) -> bool:
	"""Bring the slip's perquisite rows up to date; True when they changed. `strict` (submission): any
	change, or a policy that cannot be applied, stops the submission with a message instead."""
	existing = [row for row in slip.get("earnings") or [] if row.get(LOAN_FIELD)]
	if not applies(slip):
		wanted = []
	else:
		try:
			wanted = perquisite_rows(slip, lock=strict)
		except frappe.ValidationError as error:
			if strict:
				raise
			# Creating a slip must not fail (a Payroll Entry would roll back its run): it goes without the
			# rows, and the same error stops its submission.
			frappe.clear_last_message()
			frappe.msgprint(
				_("Perquisite on loans left out of this salary slip: {0}").format(error),
				indicator="orange",
				alert=True,
			)
			wanted = []
	if same_rows(existing, wanted):
		return False
	if strict:
		before = {row.get(LOAN_FIELD): flt(row.amount) for row in existing}
		after = {values[LOAN_FIELD]: values["amount"] for values in wanted}
		changed = sorted(
			loan for loan in set(before) | set(after) if before.get(loan) != after.get(loan)
		) or sorted(set(before) | set(after))
		frappe.throw(
			_(
				"Salary Slip {0} of employee {1}: the perquisite on loan {2} has changed since the slip was saved "
				"(a repayment, the loan or the perquisite settings have changed). Save the slip again to refresh "
				"it."
			).format(slip.name, slip.employee, ", ".join(changed)),
			PerquisiteError,
			title=_("Perquisite Changed"),
		)
	for row in existing:
		slip.remove(row)
	for values in wanted:
		slip.append("earnings", values)
	return True


def same_rows(existing, wanted: list[dict]) -> bool:
	if len(existing) != len(wanted):
		return False
	by_loan = {values[LOAN_FIELD]: values for values in wanted}
	for row in existing:
		values = by_loan.get(row.get(LOAN_FIELD))
		if (
			not values
			or row.salary_component != values["salary_component"]
			or flt(row.amount) != values["amount"]
		):
			return False
	for row in existing:
		row.set(NOTE_FIELD, by_loan[row.get(LOAN_FIELD)][NOTE_FIELD])
	return True


def perquisite_rows(slip, lock: bool = False) -> list[dict]:
	"""One row per loan with a perquisite above 0 for the slip's month, in the order of disbursement."""
	month_end = month_bounds(getdate(slip.end_date))[1]
	loans = employee_loans(slip.employee, month_end)
	if not loans:
		return []
	precision = currency_precision(slip.company)
	settings = get_settings()
	component = settings.get("perquisite_component")
	if not component:
		frappe.throw(
			_(
				'Set the Perquisite Earning Component in Employee Loan Settings (the "Loan Perquisite" '
				"earning created on install)."
			),
			PerquisiteError,
			title=_("Perquisite on Loans"),
		)
	movements = loan_movements([loan.name for loan in loans], slip.name, precision, lock)
	lines = slip_lines(slip, loans, precision)
	months = []
	try:
		for loan in loans:
			moves = movements.get(loan.name, [])
			if loan.name in lines:
				moves = [*moves, Movement(getdate(slip.end_date), *lines[loan.name])]
			balance, recovered = month_position(
				to_money(loan.loan_amount, precision), moves, month_end, precision
			)
			months.append(
				LoanMonth(
					loan.name,
					loan.loan_purpose or DEFAULT_PURPOSE,
					balance,
					recovered,
					bool(loan.exempt_medical_rule_3a),
				)
			)
		results = monthly_perquisites(
			months, month_end, benchmark_rates(settings), thresholds(settings, precision), precision
		)
	except LoanInputError as error:
		frappe.throw(
			_("Salary Slip {0} of employee {1}: {2}").format(
				slip.name or _("(new)"), slip.employee, engine_message(error)
			),
			PerquisiteError,
			title=_("Perquisite on Loans"),
		)
	abbr = frappe.get_cached_value("Salary Component", component, "salary_component_abbr")
	return [row(component, abbr, result, month_end, slip.company) for result in results if result.taxable > 0]


def row(component: str, abbr: str, result, month_end, company: str) -> dict:
	currency = frappe.get_cached_value("Company", company, "default_currency")

	def money(value: Decimal) -> str:
		return fmt_money(to_field(value), currency=currency)

	note = _(
		"Perquisite (Income-tax Rules, rule 3(7)(i)): {0} % a year on {1}, the balance on {2}, is {3} for the "
		"month, less interest recovered {4}."
	).format(
		result.benchmark_rate,
		money(result.balance),
		formatdate(month_end),
		money(result.value),
		money(result.interest_recovered),
	)
	return {
		"salary_component": component,
		"abbr": abbr,
		"amount": to_field(result.taxable),
		"default_amount": to_field(result.taxable),
		# 0: recurring income, projected over the payroll period (see the module's docstring)
		"additional_amount": 0,
		"is_flexible_benefit": 0,
		**COMPONENT_FLAGS,
		LOAN_FIELD: result.loan,
		NOTE_FIELD: note,
	}


def employee_loans(employee: str, month_end) -> list[frappe._dict]:
	"""Every loan of the employee outstanding at some time in the month (the threshold is on all of
	them), with the purpose and exemption of its category: one indexed query. A loan brought in at
	go-live counts from the month it was brought in: the months before were the old payroll's."""
	loan = frappe.qb.DocType("Employee Loan")
	category = frappe.qb.DocType("Employee Loan Category")
	return (
		frappe.qb.from_(loan)
		.left_join(category)
		.on(category.name == loan.loan_category)
		.select(
			loan.name,
			loan.loan_amount,
			loan.annual_interest_rate,
			loan.interest_component,
			loan.loan_category,
			category.loan_purpose,
			category.exempt_medical_rule_3a,
		)
		.where(
			(loan.employee == employee)
			& (loan.docstatus == 1)
			& loan.status.isin([LOAN_DISBURSED, LOAN_CLOSED])
			& (loan.disbursement_date <= month_end)
			& ((loan.brought_in == 0) | (loan.go_live_date <= month_end))
			& (loan.closure_date.isnull() | (loan.closure_date > month_end) | (loan.status == LOAN_DISBURSED))
		)
		.orderby(loan.disbursement_date)
		.orderby(loan.name)
		.run(as_dict=True)
	)


def loan_movements(loans: list[str], slip_name: str | None, precision: int, lock: bool = False) -> dict:
	"""The loans' submitted repayments (other than slip `slip_name`'s own) as the engine's movements: a payroll
	recovery belongs to its payroll period's end date, a manual repayment to its posting date."""
	repayment = frappe.qb.DocType("Employee Loan Repayment")
	query = (
		frappe.qb.from_(repayment)
		.select(
			repayment.employee_loan,
			repayment.repayment_type,
			repayment.posting_date,
			repayment.payroll_end_date,
			repayment.principal_amount,
			repayment.interest_amount,
		)
		.where(repayment.employee_loan.isin(loans) & (repayment.docstatus == 1))
	)
	if slip_name:
		query = query.where(Coalesce(repayment.salary_slip, "") != slip_name)
	if lock:
		# at submission, read what other workers committed (the loans themselves are locked already)
		query = query.for_update()
	movements: dict[str, list[Movement]] = {}
	# a loan brought in at go-live: what the old system recovered, on the day before go-live
	for record in brought_in_openings(loans):
		movements.setdefault(record.name, []).append(
			Movement(
				add_days(getdate(record.go_live_date), -1),
				to_money(record.principal_recovered_before_go_live, precision),
				to_money(0, precision),
			)
		)
	for record in query.run(as_dict=True):
		movements.setdefault(record.employee_loan, []).append(movement(record, precision))
	# what approved changes lent on top (top-ups, holiday interest added to the principal), as the
	# replay reads them
	zero = to_money(0, precision)
	for record in approved_changes(loans, lock):
		lent = loan_change(record, precision).amount
		if lent:
			movements.setdefault(record.employee_loan, []).append(
				Movement(getdate(record.applied_on), zero, zero, lent)
			)
	return movements


def brought_in_openings(loans: list[str]) -> list[frappe._dict]:
	"""The loans among `loans` brought in at go-live, with their go-live date and the principal
	recovered before it: one query."""
	loan = frappe.qb.DocType("Employee Loan")
	return (
		frappe.qb.from_(loan)
		.select(loan.name, loan.go_live_date, loan.principal_recovered_before_go_live)
		.where(loan.name.isin(loans) & (loan.brought_in == 1))
		.run(as_dict=True)
	)


def movement(record, precision: int) -> Movement:
	on = (
		record.payroll_end_date
		if record.repayment_type == FROM_SALARY_SLIP and record.payroll_end_date
		else record.posting_date
	)
	return Movement(
		getdate(on), to_money(record.principal_amount, precision), to_money(record.interest_amount, precision)
	)


def slip_lines(slip, loans, precision: int) -> dict[str, tuple[Decimal, Decimal]]:
	"""This slip's own loan lines, per loan: (principal, interest). The interest is the row on the loan's
	interest component; an interest-free loan has one row, all principal."""
	interest_component = {loan.name: loan.interest_component for loan in loans}
	lines: dict[str, list[Decimal]] = {}
	for line in slip.get("deductions") or []:
		loan = line.get(LOAN_FIELD)
		if loan not in interest_component:
			continue
		amounts = lines.setdefault(loan, [Decimal(0), Decimal(0)])
		part = 1 if interest_component[loan] and line.salary_component == interest_component[loan] else 0
		amounts[part] += to_money(line.amount, precision)
	return {loan: (principal, interest) for loan, (principal, interest) in lines.items()}


def benchmark_rates(settings) -> list[BenchmarkRate]:
	return [
		BenchmarkRate(financial_year_of(getdate(rate.from_date)), rate.purpose, percent(rate.rate))
		for rate in settings.get("perquisite_benchmark_rates") or []
		if rate.from_date and rate.purpose
	]


def percent(value) -> Decimal:
	"""A Percent field as the rate typed: 9 -> 9.00, 8.125 stays 8.125."""
	rate = Decimal(str(flt(value, 6)))
	hundredths = rate.quantize(Decimal("0.01"))
	return hundredths if rate == hundredths else rate


def thresholds(settings, precision: int) -> list[ExemptionThreshold]:
	return [
		ExemptionThreshold(getdate(row.from_date), to_money(row.amount, precision))
		for row in settings.get("perquisite_thresholds") or []
		if row.from_date
	]


def recompute(slip) -> None:
	"""The slip's totals, tax and year-to-date figures exactly as HRMS computes them, now with the rows."""
	slip.calculate_net_pay()
	slip.compute_year_to_date()
	slip.compute_month_to_date()
	slip.compute_component_wise_year_to_date()


# -- settings --------------------------------------------------------------------------------------


def validate_settings(settings) -> None:
	"""For Employee Loan Settings.validate: with the policy on, a component that raises the tax and
	nothing else, and tables the engine accepts (one rate per financial year and purpose, thresholds)."""
	if not settings.get("perquisite_enabled"):
		return
	component = settings.get("perquisite_component")
	if not component:
		frappe.throw(
			_('Choose the Perquisite Earning Component ("{0}" is created on install).').format(
				PERQUISITE_COMPONENT
			),
			title=_("Perquisite on Loans"),
		)
	values = (
		frappe.db.get_value("Salary Component", component, ["type", *COMPONENT_FLAGS], as_dict=True) or {}
	)
	wrong = [field for field, wanted in COMPONENT_FLAGS.items() if int(values.get(field) or 0) != wanted]
	if values.get("type") != "Earning" or wrong:
		frappe.throw(
			_(
				"Salary Component {0} must be an Earning that is tax applicable, not included in the total, not "
				"included in accounting entries and does not depend on payment days; the perquisite would "
				"otherwise be paid or booked."
			).format(component),
			title=_("Perquisite on Loans"),
		)
	precision = currency_precision()
	try:
		check_policy(benchmark_rates(settings), thresholds(settings, precision))
	except LoanInputError as error:
		frappe.throw(engine_message(error), title=_("Perquisite on Loans"))
