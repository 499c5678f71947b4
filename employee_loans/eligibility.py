"""Loads the real HR data an application is judged on and runs the engine's rules over it."""

from decimal import Decimal

import frappe
from frappe import _
from frappe.query_builder.functions import Sum
from frappe.utils import cint, flt, getdate, nowdate

from employee_loans.engine import (
	BLOCK,
	WARN,
	ApplicationFacts,
	LoanInputError,
	add_up,
	blocking,
	build_schedule,
	evaluate,
	first_due_date,
	schedule_totals,
)
from employee_loans.engine.eligibility import AMOUNT, check_top_up_amount
from employee_loans.engine.states import OPEN_LOAN_STATUSES
from employee_loans.utils import currency_precision, engine_message, get_settings, loan_terms, to_money


def net_monthly_salary(employee: str, precision: int) -> tuple[Decimal | None, str | None]:
	"""Net pay before loan EMIs, from the latest submitted salary slip, or else from a preview of the
	active Salary Structure Assignment. Returns (amount, where it came from)."""
	slip = frappe.qb.DocType("Salary Slip")
	detail = frappe.qb.DocType("Salary Detail")
	latest = (
		frappe.qb.from_(slip)
		.select(slip.name, slip.net_pay)
		.where((slip.employee == employee) & (slip.docstatus == 1))
		.orderby(slip.end_date, order=frappe.qb.desc)
		.limit(1)
		.run(as_dict=True)
	)
	if latest:
		# The slip's net pay is after this app's loan lines; add them back so existing EMIs are not
		# counted twice (they are added separately by the rule).
		loan_lines = (
			frappe.qb.from_(detail)
			.select(Sum(detail.amount))
			.where(
				(detail.parent == latest[0].name)
				& (detail.parenttype == "Salary Slip")
				& (detail.parentfield == "deductions")
				& detail.employee_loan.isnotnull()
				& (detail.employee_loan != "")
			)
			.run()
		)
		net = add_up([to_money(latest[0].net_pay, precision), to_money(loan_lines[0][0] or 0, precision)])
		return net, _("Salary Slip {0}").format(latest[0].name)

	assignment = frappe.qb.DocType("Salary Structure Assignment")
	active = (
		frappe.qb.from_(assignment)
		.select(assignment.name, assignment.salary_structure, assignment.base)
		.where(
			(assignment.employee == employee)
			& (assignment.docstatus == 1)
			& (assignment.from_date <= nowdate())
		)
		.orderby(assignment.from_date, order=frappe.qb.desc)
		.limit(1)
		.run(as_dict=True)
	)
	if not active:
		return None, None
	from hrms.payroll.doctype.salary_structure.salary_structure import make_salary_slip

	try:
		frappe.flags.employee_loans_skip_loan_lines = True
		preview = make_salary_slip(
			active[0].salary_structure, employee=employee, for_preview=1, ignore_permissions=True
		)
	except frappe.ValidationError:
		# A structure that cannot be previewed today (formula on data not yet there): use its base.
		return to_money(active[0].base or 0, precision), _("Salary Structure Assignment {0} (base)").format(
			active[0].name
		)
	finally:
		frappe.flags.employee_loans_skip_loan_lines = False
	return to_money(preview.net_pay, precision), _("Salary Structure Assignment {0}").format(active[0].name)


def existing_loans(employee: str, exclude_loan: str | None = None) -> list[dict]:
	"""The employee's Approved and Disbursed loans: what counts towards the limit and the EMI ratio."""
	loan = frappe.qb.DocType("Employee Loan")
	query = (
		frappe.qb.from_(loan)
		.select(
			loan.name,
			loan.status,
			loan.loan_category,
			loan.loan_amount,
			loan.emi,
			loan.outstanding_balance,
			loan.next_emi_date,
		)
		.where((loan.employee == employee) & (loan.status.isin(OPEN_LOAN_STATUSES)) & (loan.docstatus < 2))
		.orderby(loan.creation)
	)
	if exclude_loan:
		query = query.where(loan.name != exclude_loan)
	return query.run(as_dict=True)


def assess(application) -> dict:
	"""Everything the form, the approver and the portal show for an application: EMI and totals,
	salary, existing loans and the findings of the six rules."""
	precision = currency_precision(application.company)
	category = frappe.db.get_value(
		"Employee Loan Category",
		application.loan_category,
		[
			"maximum_amount",
			"minimum_tenure_months",
			"maximum_tenure_months",
			"annual_interest_rate",
			"interest_method",
		],
		as_dict=True,
	)
	# An application's rate and method are the category's, whatever a form may have fetched.
	application.annual_interest_rate = category.annual_interest_rate
	application.interest_method = category.interest_method
	terms = loan_terms(application)
	posting_date = getdate(application.posting_date or nowdate())
	try:
		rows = build_schedule(
			terms.principal,
			terms.annual_rate,
			terms.months,
			terms.method,
			first_due_date(posting_date),
			precision,
		)
	except LoanInputError as error:
		frappe.throw(engine_message(error), title=_("Check the Loan Terms"))
	totals = schedule_totals(rows)
	hr = hr_facts(
		application.employee,
		application.company,
		category,
		exclude_loan=application.get("employee_loan"),
		amount=terms.principal,
		months=terms.months,
		new_emi=rows[0].emi,
		last_emi_date=rows[-1].due_date,
		on_date=posting_date,
	)
	try:
		findings = evaluate(hr.facts)
	except LoanInputError as error:
		frappe.throw(engine_message(error), title=_("Check the Application"))
	return {
		"emi": rows[0].emi,
		"total_interest": totals["total_interest"],
		"total_payable": totals["total_payable"],
		"last_emi_date": rows[-1].due_date,
		"net_salary": hr.net_salary,
		"salary_source": hr.salary_source,
		"existing_emis": hr.facts.existing_emis,
		"existing_loans": hr.loans,
		"findings": findings,
		"blocking": blocking(findings),
	}


def finding_rows(findings) -> list[dict]:
	"""Findings as the forms, the portal and the API show them, in the user's language."""
	return [
		{"rule": _(finding.rule), "severity": finding.severity, "message": engine_message(finding)}
		for finding in findings
	]


def hr_facts(
	employee_name: str,
	company: str,
	category,
	exclude_loan: str | None,
	minimum_tenure: bool = True,
	**terms,
) -> frappe._dict:
	"""The facts the rules judge, from the real HR data: the employee, their other open loans and
	net salary, the settings and the category's limits (`category`: its row), with `terms` (amount,
	months, new_emi, last_emi_date, on_date) of the loan being judged."""
	precision = currency_precision(company)
	settings = get_settings()
	employee = frappe.db.get_value(
		"Employee", employee_name, ["status", "date_of_joining", "relieving_date"], as_dict=True
	)
	loans = existing_loans(employee_name, exclude_loan=exclude_loan)
	net_salary, salary_source = net_monthly_salary(employee_name, precision)
	facts = ApplicationFacts(
		**terms,
		category_maximum=to_money(category.maximum_amount, precision),
		category_min_months=cint(category.minimum_tenure_months) if minimum_tenure else None,
		category_max_months=cint(category.maximum_tenure_months),
		employee_status=employee.status,
		date_of_joining=getdate(employee.date_of_joining) if employee.date_of_joining else None,
		relieving_date=getdate(employee.relieving_date) if employee.relieving_date else None,
		minimum_service_months=cint(settings.minimum_service_months),
		active_loans=len(loans),
		maximum_active_loans=cint(settings.maximum_active_loans),
		existing_emis=add_up(to_money(loan.emi or 0, precision) for loan in loans),
		net_salary=net_salary,
		emi_limit_percent=Decimal(str(flt(settings.emi_limit_percent, 2))),
		emi_limit_severity=BLOCK if settings.emi_limit_action == "Block" else WARN,
		precision=precision,
	)
	return frappe._dict(facts=facts, loans=loans, net_salary=net_salary, salary_source=salary_source)


def assess_top_up(loan, change, after) -> dict:
	"""A top-up judged by the rules for a new loan: what will be owed (the outstanding and the top-up)
	within the category's maximum, the remaining term within its tenure limits, employment to the new
	last instalment, and the EMI ratio with this loan's EMI counted once (its EMI after the top-up, the
	other loans' EMIs beside it). The loan itself is not another active loan."""
	precision = currency_precision(loan.company)
	category = frappe.db.get_value(
		"Employee Loan Category",
		loan.loan_category,
		["maximum_amount", "minimum_tenure_months", "maximum_tenure_months"],
		as_dict=True,
	)
	hr = hr_facts(
		loan.employee,
		loan.company,
		category,
		exclude_loan=loan.name,
		# what is left of a loan may be shorter than a new loan's minimum tenure
		minimum_tenure=False,
		amount=after.outstanding,
		months=change.months,
		new_emi=after.emi or to_money(0, precision),
		last_emi_date=after.end_date,
		on_date=getdate(nowdate()),
	)
	try:
		# the amount rule as a top-up reads it: what will be owed, and how much can be topped up
		findings = [
			*check_top_up_amount(after.outstanding, change.amount, hr.facts.category_maximum, precision),
			*(finding for finding in evaluate(hr.facts) if finding.rule != AMOUNT),
		]
	except LoanInputError as error:
		frappe.throw(engine_message(error), title=_("Check the Top-up"))
	return {
		"net_salary": hr.net_salary,
		"salary_source": hr.salary_source,
		"existing_emis": hr.facts.existing_emis,
		"findings": findings,
		"blocking": blocking(findings),
	}
