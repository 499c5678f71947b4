"""Salary Slip events: one deduction line per loan with an instalment due, repayments posted on
submit, reversed on cancel.

Query budget per slip (the app's share; see employee_loans/benchmarks/payroll.py):
- validation: one indexed query for the employee's loans with what is due (on a new slip it runs
  while HRMS loads the structure, so HRMS itself computes the totals and year-to-date with the
  lines; on a later save that changes a line, one more for the component's year-to-date);
- submission: the same loans query, taken with a row lock, then per loan line one Employee Loan
  Repayment inserted as submitted through its own controller, which moves the loan (a handful of
  indexed queries, the same for any number of loans in the company).
Nothing here throws during slip creation (a Payroll Entry would roll back its whole run); problems are
raised as frappe.ValidationError on submit, before anything is written, naming employee and loan.
"""

from collections import OrderedDict
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

import frappe
from frappe import _
from frappe.query_builder.functions import Sum
from frappe.utils import flt, getdate

from employee_loans.engine import (
	Deduction,
	LoanDue,
	LoanInputError,
	add_up,
	decide_deductions,
	replace_in_total,
)
from employee_loans.engine.states import (
	DUE,
	FROM_SALARY_SLIP,
	LOAN_DISBURSED,
	NOTHING_DUE,
	PENDING,
	ROW_EMI_HOLIDAY,
)
from employee_loans.ledger import slip_recoveries_overlapping
from employee_loans.utils import (
	currency_precision,
	engine_message,
	short_pay_policy,
	slip_note,
	to_field,
	to_money,
)

LOAN_FIELD = "employee_loan"
NOTE_FIELD = "loan_deduction_note"
SLIP_NOTE_FIELD = "employee_loan_note"
SLIP_TOTAL_FIELD = "employee_loan_deduction"


class LoanDeductionError(frappe.ValidationError):
	pass


# -- events ----------------------------------------------------------------------------------------


def validate(slip, method=None):
	"""Refresh the loan lines after HRMS has computed the slip (totals, year-to-date included), then
	record what they deduct in all."""
	action = getattr(slip, "_action", None)
	if frappe.flags.employee_loans_skip_loan_lines or action not in ("save", "submit"):
		return
	lending_when_fresh = slip.flags.pop("employee_loan_lines_fresh", None)
	# A new slip: HRMS loaded its structure moments ago in this same validation, our
	# process_salary_structure hook added the lines then, and HRMS has computed every total and
	# year-to-date figure with them since. Only a Lending instalment HRMS added after our lines (its
	# loans table) changes the net pay they were decided on: then they are decided again.
	if action != "save" or lending_when_fresh != flt(slip.get("total_loan_repayment")):
		refresh_loan_lines(slip, lock=action == "submit", adjust_year_to_date=True)
	set_loan_deduction_total(slip)


def fill_loan_deduction_totals(name_like: str | None = None) -> None:
	"""The same totals for slips saved without this hook (before it existed, or written in bulk): their
	loan rows in one query, added up per slip exactly as a save adds them, written in batches.
	`name_like` narrows it to slips named like a pattern."""
	slip = frappe.qb.DocType("Salary Slip")
	detail = frappe.qb.DocType("Salary Detail")
	query = (
		frappe.qb.from_(detail)
		.join(slip)
		.on(slip.name == detail.parent)
		.select(detail.parent, slip.company, detail.amount)
		.where(
			(detail.parenttype == "Salary Slip")
			& (detail.parentfield == "deductions")
			& detail[LOAN_FIELD].isnotnull()
		)
		.orderby(detail.parent)
	)
	if name_like:
		query = query.where(detail.parent.like(name_like))
	totals = {
		name: {
			SLIP_TOTAL_FIELD: to_field(
				loan_deduction_total([amount for _name, _company, amount in rows], company)
			)
		}
		for (name, company), rows in groupby(query.run(), key=itemgetter(0, 1))
	}
	frappe.db.bulk_update("Salary Slip", totals, chunk_size=500, update_modified=False)


def set_loan_deduction_total(slip) -> None:
	"""The slip's loan rows added up, stored on the slip: Loan Deduction reconciles the repayments with
	it, one value per slip instead of every loan row of the period."""
	amounts = [row.amount for row in slip.get("deductions") or [] if row.get(LOAN_FIELD)]
	slip.set(SLIP_TOTAL_FIELD, to_field(loan_deduction_total(amounts, slip.company)))


def loan_deduction_total(amounts, company: str) -> Decimal:
	"""A slip's loan rows' amounts added up by the engine, exactly, in the company's currency."""
	precision = currency_precision(company)
	return add_up(to_money(amount or 0, precision) for amount in amounts)


def process_salary_structure(slip, method=None, *args, **kwargs):
	"""The structure's "Preview Salary Slip" (and make_salary_slip) shows the loan lines too."""
	if frappe.flags.employee_loans_skip_loan_lines:
		return
	refresh_loan_lines(slip, lock=False, adjust_year_to_date=False)
	# what Lending's loans table deducted when the lines were decided (0 without Lending)
	slip.flags.employee_loan_lines_fresh = flt(slip.get("total_loan_repayment"))


def on_submit(slip, method=None):
	"""Post one repayment per loan line, as decided (under the row lock) by the submit's validation."""
	plan = slip.flags.get("employee_loan_plan")
	if frappe.flags.employee_loans_skip_loan_lines:
		return
	if plan is None:
		# validate always runs before on_submit; a slip submitted some other way is refused
		frappe.throw(
			_("Salary Slip {0}: loan lines were not checked before submission; save it again.").format(
				slip.name
			),
			LoanDeductionError,
		)
	for loan_name, (decision, due) in plan.items():
		post_repayment(slip, loan_name, decision, due)


def on_cancel(slip, method=None):
	"""Cancel the slip's repayments (latest first); each cancel replays its loan's schedule, so a loan
	the slip had closed is open again."""
	repayments = frappe.get_all(
		"Employee Loan Repayment",
		filters={"salary_slip": slip.name, "docstatus": 1},
		pluck="name",
		order_by="creation desc, name desc",
	)
	for name in repayments:
		repayment = frappe.get_doc("Employee Loan Repayment", name)
		repayment.flags.from_payroll = True
		repayment.cancel()


def on_trash(slip, method=None):
	"""A cancelled slip being deleted (by hand, or when a Payroll Entry is cancelled: HRMS deletes its
	slips) takes its cancelled repayments with it; a submitted repayment never exists for a deletable
	slip, since cancelling the slip cancelled them."""
	for name in frappe.get_all(
		"Employee Loan Repayment", filters={"salary_slip": slip.name, "docstatus": 2}, pluck="name"
	):
		frappe.delete_doc("Employee Loan Repayment", name, ignore_permissions=True, force=True)


# -- lines -----------------------------------------------------------------------------------------


def loans_due(slip, lock: bool) -> "OrderedDict[str, frappe._dict]":
	"""The employee's Disbursed loans, each with its oldest pending instalment due by the slip's end
	date (if any): one indexed query (Employee Loan.employee, Employee Loan Schedule.parent)."""
	loan = frappe.qb.DocType("Employee Loan")
	row = frappe.qb.DocType("Employee Loan Schedule")
	holiday = frappe.qb.DocType("Employee Loan Schedule").as_("holiday")
	query = (
		frappe.qb.from_(loan)
		.left_join(row)
		.on(
			(row.parent == loan.name)
			& (row.parenttype == "Employee Loan")
			& (row.status == PENDING)
			& (row.due_date <= slip.end_date)
		)
		# an EMI holiday month in the slip's period: no line for the loan
		.left_join(holiday)
		.on(
			(holiday.parent == loan.name)
			& (holiday.parenttype == "Employee Loan")
			& (holiday.status == ROW_EMI_HOLIDAY)
			& (holiday.due_date >= slip.start_date)
			& (holiday.due_date <= slip.end_date)
		)
		.select(
			loan.name,
			loan.company,
			loan.outstanding_balance,
			loan.preclosure_requested,
			loan.salary_component,
			loan.interest_component,
			row.name.as_("row_name"),
			row.instalment_number,
			row.due_date,
			row.emi,
			row.interest_amount,
			row.principal_amount,
			holiday.loan_change.as_("holiday_change"),
		)
		.where(
			(loan.employee == slip.employee)
			& (loan.docstatus == 1)
			& (loan.status == LOAN_DISBURSED)
			& (loan.disbursement_date <= slip.end_date)
		)
		.orderby(loan.disbursement_date)
		.orderby(loan.name)
		.orderby(row.instalment_number)
	)
	if lock:
		# Read with the row lock (a locking read sees what other workers committed, whatever this
		# transaction read before), with a submitted slip of an overlapping period that already
		# recovered the loan (two workers, or a second slip for the same period).
		already, repayment = slip_recoveries_overlapping(loan.name, slip.start_date, slip.end_date)
		already = already.select(repayment.salary_slip).where(repayment.salary_slip != (slip.name or ""))
		query = query.select(already.as_("deducted_by")).for_update()
	loans: OrderedDict[str, frappe._dict] = OrderedDict()
	for record in query.run(as_dict=True):
		loans.setdefault(record.name, record)  # the oldest pending instalment comes first
	return loans


def relieved_before(slip) -> bool:
	return bool(slip.relieving_date and getdate(slip.relieving_date) < getdate(slip.start_date))


def leaves_in_period(slip) -> bool:
	relieving = slip.relieving_date
	return bool(relieving and getdate(slip.start_date) <= getdate(relieving) <= getdate(slip.end_date))


def plan_deductions(slip, loans, net_before: Decimal, precision: int) -> "OrderedDict[str, tuple]":
	"""The engine's decision for each loan, in the order the loans were disbursed."""
	final_settlement = leaves_in_period(slip)
	dues = []
	for record in loans.values():
		if record.holiday_change and not (record.preclosure_requested or final_settlement):
			continue  # an EMI holiday month: the slip's loan note says so
		if not (record.row_name or record.preclosure_requested or final_settlement):
			continue
		dues.append(
			(
				record,
				LoanDue(
					loan=record.name,
					outstanding=to_money(record.outstanding_balance, precision),
					emi=to_money(record.emi or 0, precision),
					interest=to_money(record.interest_amount or 0, precision),
					principal=to_money(record.principal_amount or 0, precision),
					pre_closure=bool(record.preclosure_requested),
					final_settlement=final_settlement,
				),
			)
		)
	try:
		decisions = decide_deductions(
			[due for _record, due in dues], net_before, short_pay_policy(precision), precision
		)
	except LoanInputError as error:
		frappe.throw(
			_("Employee {0}: {1}").format(slip.employee, engine_message(error)),
			LoanDeductionError,
			title=_("Loan Deduction"),
		)
	plan = OrderedDict()
	for (record, _due), decision in zip(dues, decisions, strict=True):
		if decision.reason == NOTHING_DUE:
			continue
		if record.get("deducted_by"):
			frappe.throw(
				_(
					"Loan {0} of employee {1} has already been recovered for this period by salary slip {2}; "
					"it cannot be deducted twice. Remove the overlapping slip or cancel the other one first."
				).format(record.name, slip.employee, record.deducted_by),
				LoanDeductionError,
				title=_("Loan Already Deducted"),
			)
		plan[record.name] = (decision, record)
	return plan


def refresh_loan_lines(slip, lock: bool, adjust_year_to_date: bool) -> None:
	existing = [row for row in slip.get("deductions") or [] if row.get(LOAN_FIELD)]
	if not slip.employee or not slip.end_date:
		return
	try:
		# nothing is ever deducted after the employee's relieving date: the exit is settled on the
		# Full and Final Statement
		loans = OrderedDict() if relieved_before(slip) else loans_due(slip, lock)
		if not loans and not existing:
			slip.flags.employee_loan_plan = OrderedDict()
			return
		precision = currency_precision(slip.company)
		# net pay as it would be without this app's lines: they are counted in it already
		net_before = replace_in_total(
			to_money(slip.net_pay or 0, precision),
			[],
			[to_money(row.amount, precision) for row in existing if not row.do_not_include_in_total],
		)
		plan = plan_deductions(slip, loans, net_before, precision)
		set_loan_note(slip, loans, plan)
	except frappe.ValidationError as error:
		if lock:
			raise
		# Creating a slip must never fail for a loan (a Payroll Entry would roll back its run): the
		# slip goes without loan lines and the same error stops its submission, naming the loan.
		frappe.clear_last_message()
		frappe.msgprint(
			_("Loan lines left out of this salary slip: {0}").format(error), indicator="orange", alert=True
		)
		for row in existing:
			slip.remove(row)
		_recompute_totals(slip, existing, [], adjust_year_to_date)
		return
	wanted = {
		(line[LOAN_FIELD], line["salary_component"]): line
		for decision, record in plan.values()
		for line in _lines(decision, record)
	}
	if lock:
		_check_unchanged(slip, existing, wanted)
	if _same_lines(existing, wanted):
		slip.flags.employee_loan_plan = plan
		return
	for row in existing:
		slip.remove(row)
	added = [slip.append("deductions", values) for values in wanted.values()]
	_recompute_totals(slip, existing, added, adjust_year_to_date)
	slip.flags.employee_loan_plan = plan


def set_loan_note(slip, loans, plan) -> None:
	"""The slip's loan note: each loan on an EMI holiday this month, and the change that gave it."""
	notes = [
		_("Loan {0}: EMI holiday this month ({1}); no instalment is deducted.").format(
			record.name, record.holiday_change
		)
		for record in loans.values()
		if record.holiday_change and record.name not in plan
	]
	slip.set(SLIP_NOTE_FIELD, "\n".join(notes) or None)


def _lines(decision: Deduction, record) -> list[dict]:
	"""The slip's lines for one loan: the principal on the loan's deduction component and, for a loan
	that charges interest, the interest on its interest component, so that HRMS's payroll journal
	credits the loan account and the interest income account each with exactly its part."""
	# The slip says why a deduction differs from the EMI due, for the payroll officer.
	note = (
		None
		if decision.reason == DUE
		else " ".join(filter(None, (_(decision.reason) + ":", slip_note(decision))))
	)
	if not record.interest_component:
		return [_line(record.salary_component, decision.amount, decision.loan, note)]
	return [
		_line(record.salary_component, decision.principal, decision.loan, note),
		_line(record.interest_component, decision.interest, decision.loan, None),
	]


def _line(component: str, amount: Decimal, loan: str, note: str | None) -> dict:
	return {
		"salary_component": component,
		"abbr": frappe.get_cached_value("Salary Component", component, "salary_component_abbr"),
		"amount": to_field(amount),
		"default_amount": to_field(amount),
		"depends_on_payment_days": 0,
		"do_not_include_in_total": 0,
		LOAN_FIELD: loan,
		NOTE_FIELD: note,
	}


def _same_lines(existing, wanted: dict) -> bool:
	if len(existing) != len(wanted):
		return False
	for row in existing:
		values = wanted.get((row.get(LOAN_FIELD), row.salary_component))
		if not values or flt(row.amount) != values["amount"]:
			return False
		row.set(NOTE_FIELD, values[NOTE_FIELD])
	return True


def _check_unchanged(slip, existing, wanted: dict) -> None:
	"""At submit the lines are decided again under the row lock. If a loan moved since the slip was
	saved (another slip took the instalment, a repayment was posted), stop before anything is
	written and say which loan."""
	if _same_lines(existing, wanted):
		return
	changed = {(row.get(LOAN_FIELD), row.salary_component) for row in existing} ^ set(wanted) or set(wanted)
	loans = sorted({loan for loan, _component in changed})
	frappe.throw(
		_(
			"Salary Slip {0} of employee {1}: the deduction for loan {2} has changed since the slip was saved "
			"(another salary slip or repayment has been posted against it). Save the slip again to refresh "
			"its loan lines."
		).format(slip.name, slip.employee, ", ".join(loans)),
		LoanDeductionError,
		title=_("Loan Deduction Changed"),
	)


def _recompute_totals(slip, removed, added, adjust_year_to_date: bool) -> None:
	"""Totals, net pay, rounding, words and year/month-to-date exactly as HRMS computes them, without
	re-running its queries: HRMS already added the previous slips' sums to this slip's figures."""
	precision = currency_precision(slip.company)

	def money(value) -> Decimal:
		return to_money(value or 0, precision)

	old_net = money(slip.net_pay)
	slip.set_precision_for_component_amounts()
	slip.set_net_pay()
	if not adjust_year_to_date:
		return
	new_net = money(slip.net_pay)
	slip.year_to_date = to_field(replace_in_total(money(slip.year_to_date), [old_net], [new_net]))
	slip.month_to_date = to_field(replace_in_total(money(slip.month_to_date), [old_net], [new_net]))
	if not added:
		return
	kept = {(row.get(LOAN_FIELD), row.salary_component): row for row in removed}
	needs_query = [row for row in added if (row.get(LOAN_FIELD), row.salary_component) not in kept]
	previous = (
		_previous_component_totals(slip, {row.salary_component for row in needs_query}) if needs_query else {}
	)
	for row in added:
		old = kept.get((row.get(LOAN_FIELD), row.salary_component))
		if old is not None:
			year_to_date = replace_in_total(money(old.year_to_date), [money(old.amount)], [money(row.amount)])
		else:
			year_to_date = add_up([money(previous.get(row.salary_component)), money(row.amount)])
		row.year_to_date = to_field(year_to_date)


def _previous_component_totals(slip, components: set) -> dict:
	"""Sum of each component on the employee's other submitted slips in the year-to-date period (the
	query HRMS runs per component, once for all loan components)."""
	start, end = slip.get_year_to_date_period()
	detail = frappe.qb.DocType("Salary Detail")
	salary_slip = frappe.qb.DocType("Salary Slip")
	rows = (
		frappe.qb.from_(detail)
		.inner_join(salary_slip)
		.on(detail.parent == salary_slip.name)
		.select(detail.salary_component, Sum(detail.amount))
		.where(
			(salary_slip.employee == slip.employee)
			& (detail.salary_component.isin(list(components)))
			& (salary_slip.start_date >= start)
			& (salary_slip.end_date < end)
			& (salary_slip.name != (slip.name or ""))
			& (salary_slip.docstatus == 1)
		)
		.groupby(detail.salary_component)
		.run()
	)
	return dict(rows)


# -- posting ---------------------------------------------------------------------------------------


def post_repayment(slip, loan_name: str, decision: Deduction, due) -> None:
	"""One Employee Loan Repayment for one loan line, inserted as submitted: its own validation and
	submit (row lock, schedule and balances) run as for any repayment. Its name is the slip's and the
	loan's, so the database itself refuses a second posting of the same line."""
	repayment = frappe.get_doc(
		{
			"doctype": "Employee Loan Repayment",
			"employee_loan": loan_name,
			"posting_date": slip.posting_date,
			"repayment_type": FROM_SALARY_SLIP,
			"reason": decision.reason,
			"instalment_number": due.instalment_number,
			"due_date": due.due_date,
			"amount": to_field(decision.amount),
			"principal_amount": to_field(decision.principal),
			"interest_amount": to_field(decision.interest),
			"scheduled_amount": to_field(decision.wanted),
			"shortfall": to_field(decision.shortfall),
			"salary_slip": slip.name,
			"payroll_start_date": slip.start_date,
			"payroll_end_date": slip.end_date,
			"note": slip_note(decision) or None,
			"docstatus": 1,
		}
	)
	repayment.flags.from_payroll = True
	# Its links need no look-ups: the loan was just read under its row lock (the repayment's validation
	# reads it again and copies employee and company from it) and the slip is the one being submitted.
	repayment.flags.ignore_links = True
	# The payroll officer submitting the slip need not have rights on loan repayments: the slip's
	# submission is the authority for its own loan lines.
	repayment.insert(ignore_permissions=True)
