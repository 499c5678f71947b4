"""Payroll Entry: the salary slips its submission left as drafts, why, and one step that brings them up
to date and submits them.

HRMS submits a Payroll Entry's draft slips one by one. A slip that refuses (a `frappe.ValidationError`)
stays a draft with nothing of it written, and HRMS says only that some slips could not be submitted;
once one slip is submitted its Submit Salary Slip button is gone, and pressing it again before that
refuses the same slips again. The refusal of this app: a slip's loan moved after the slip was saved (a
manual repayment, a pre-closure, an approved change, another slip), so its loan lines (or the
perquisite on the loan) no longer say what the loan calls for, and the submission stops rather than
deduct what the slip says. Saving the slip again decides its lines again.

- `draft_slips` (on the form through `onload`, and whitelisted): each draft slip of a submitted entry
  whose loan lines or perquisite its submission would now find changed, per loan, with what the slip
  deducts, what the loan calls for now and what moved it; and, once the entry has submitted slips,
  every other draft it left, with the reason where it is known (negative net pay, which HRMS skips).
  One query finds the slips whose employee has a loan modified after the slip; only those are decided
  again, in memory, by the same code a save runs.
- `update_and_submit_draft_slips` (the form's button): saves each of those slips again, then submits
  the entry's draft slips through HRMS's own `submit_salary_slips_for_employees`, which submits each
  (the loan lines are checked once more under the loans' row locks), makes the accrual journal entry
  for the slips it submitted and reports the rest, exactly as its Submit Salary Slip does.
"""

import frappe
from frappe import _
from frappe.utils import flt, fmt_money, formatdate

from employee_loans.engine.states import CHANGE_APPROVED
from employee_loans.payroll_hooks.perquisite import refresh_perquisite_rows
from employee_loans.payroll_hooks.salary_slip import LOAN_FIELD, refresh_loan_lines

PAYROLL_ENTRY = "Payroll Entry"
SALARY_SLIP = "Salary Slip"
ONLOAD_KEY = "employee_loans_draft_slips"
# HRMS submits in a background job above this many slips; so does this
BACKGROUND_ABOVE = 30


# -- what was left, and why --------------------------------------------------------------------------


def onload(entry, method=None) -> None:
	"""Payroll Entry onload (the desk form): the draft slips its submission left, with why."""
	if entry.docstatus == 1 and entry.salary_slips_created:
		entry.set_onload(ONLOAD_KEY, draft_slips_of(entry))


@frappe.whitelist()
def draft_slips(payroll_entry: str) -> list[dict]:
	"""The draft slips of `payroll_entry` that its submission left or would refuse, with why."""
	entry = frappe.get_doc(PAYROLL_ENTRY, payroll_entry)
	entry.check_permission("read")
	return draft_slips_of(entry)


def draft_slips_of(entry) -> list[dict]:
	"""One row per slip and loan that moved (a slip whose lines are out of date), and one per other
	draft slip once the entry has submitted slips: salary slip, employee, loan, reason, and whether
	saving the slip again brings it up to date (`refresh`)."""
	slips = _drafts(entry)
	if not slips:
		return []
	stale = _slips_with_a_loan_moved_since(list(slips))
	rows = []
	for name, slip in slips.items():
		if not frappe.has_permission(SALARY_SLIP, "read", doc=name):
			continue
		moved = changed_loans(name) if name in stale else []
		for change in moved:
			rows.append(_row(slip, change["loan"], change["reason"], refresh=True))
		if moved or not entry.salary_slips_submitted:
			continue
		if flt(slip.net_pay) < 0:
			reason = _(
				"Net pay is negative ({0}); HRMS does not submit such a slip. Correct the slip."
			).format(fmt_money(slip.net_pay, currency=slip.currency))
		else:
			reason = _("Not submitted; open the slip and submit it to see why.")
		rows.append(_row(slip, None, reason, refresh=False))
	return rows


def _drafts(entry) -> dict:
	"""The entry's draft slips HRMS's Submit Salary Slip would submit (its own selection), by name."""
	names = [row[0] for row in entry.get_sal_slip_list(ss_status=0)]
	if not names:
		return {}
	return {
		row.name: row
		for row in frappe.get_all(
			SALARY_SLIP,
			filters={"name": ("in", names)},
			fields=["name", "employee", "employee_name", "net_pay", "currency", "modified"],
			order_by="employee",
		)
	}


def _slips_with_a_loan_moved_since(names: list[str]) -> set[str]:
	"""The slips whose employee has a loan modified after the slip was last saved: every posting,
	cancellation and approved change of a loan stamps it, as does its disbursement. One query."""
	slip = frappe.qb.DocType(SALARY_SLIP)
	loan = frappe.qb.DocType("Employee Loan")
	return set(
		frappe.qb.from_(slip)
		.join(loan)
		.on(loan.employee == slip.employee)
		.select(slip.name)
		.distinct()
		.where(slip.name.isin(names) & (loan.docstatus == 1) & (loan.modified > slip.modified))
		.run(pluck=True)
	)


def changed_loans(slip_name: str) -> list[dict]:
	"""The loans whose lines (or perquisite) on the draft slip differ from what they would be now: the
	slip's loan lines and perquisite rows decided again in memory, by the code a save runs, and
	compared with what the slip has. Nothing is written."""
	slip = frappe.get_doc(SALARY_SLIP, slip_name)
	lines_before, perquisite_before = _loan_lines(slip, "deductions"), _loan_lines(slip, "earnings")
	messages = len(frappe.local.message_log)
	refresh_loan_lines(slip, lock=False, adjust_year_to_date=False)
	refresh_perquisite_rows(slip, strict=False)
	# what a save would have said (a loan it cannot decide), for the reason; not for this request
	problems = [_message_text(message) for message in frappe.local.message_log[messages:]]
	frappe.local.message_log = frappe.local.message_log[:messages]
	lines_after, perquisite_after = _loan_lines(slip, "deductions"), _loan_lines(slip, "earnings")
	changed = []
	for loan in sorted(set(lines_before) | set(lines_after) | set(perquisite_before) | set(perquisite_after)):
		before, after = lines_before.get(loan, {}), lines_after.get(loan, {})
		if before == after and perquisite_before.get(loan) == perquisite_after.get(loan):
			continue
		if before != after:
			reason = _("The slip deducts {0}; the loan now calls for {1}.").format(
				_describe(before, slip.currency), _describe(after, slip.currency)
			)
		else:
			reason = _("The slip's perquisite on the loan is {0}; it is now {1}.").format(
				_describe(perquisite_before.get(loan, {}), slip.currency),
				_describe(perquisite_after.get(loan, {}), slip.currency),
			)
		moved = what_moved(loan, slip.modified)
		if moved:
			reason += " " + _("Since the slip was saved: {0}.").format("; ".join(moved))
		reason += " " + " ".join(problems)
		changed.append({"loan": loan, "reason": reason.strip()})
	return changed


def _loan_lines(slip, table: str) -> dict:
	"""{loan: {component: amount}} of the slip's rows tied to a loan in `table`."""
	lines = {}
	for row in slip.get(table) or []:
		if row.get(LOAN_FIELD):
			lines.setdefault(row.get(LOAN_FIELD), {})[row.salary_component] = flt(row.amount)
	return lines


def _describe(lines: dict, currency: str) -> str:
	if not lines:
		return _("nothing")
	return ", ".join(
		_("{0} {1}").format(_(component), fmt_money(amount, currency=currency))
		for component, amount in lines.items()
	)


def _message_text(message) -> str:
	return str(message.get("message") if isinstance(message, dict) else message)


def what_moved(loan: str, since) -> list[str]:
	"""The loan's repayments posted or cancelled and its changes approved after `since`, oldest first."""
	moved = []
	for row in frappe.get_all(
		"Employee Loan Repayment",
		filters={"employee_loan": loan, "docstatus": ("in", (1, 2)), "modified": (">", since)},
		fields=["name", "repayment_type", "amount", "posting_date", "salary_slip", "docstatus", "company"],
		order_by="modified",
	):
		amount = fmt_money(
			row.amount, currency=frappe.get_cached_value("Company", row.company, "default_currency")
		)
		what = (
			_("salary slip {0} recovered {1}").format(row.salary_slip, amount)
			if row.salary_slip
			else _("repayment {0} ({1}) of {2} on {3}").format(
				row.name, _(row.repayment_type), amount, formatdate(row.posting_date)
			)
		)
		moved.append(_("{0} (cancelled)").format(what) if row.docstatus == 2 else what)
	for row in frappe.get_all(
		"Employee Loan Change",
		filters={
			"employee_loan": loan,
			"docstatus": 1,
			"status": CHANGE_APPROVED,
			"applied_on": (">", since),
		},
		fields=["name", "change_type"],
		order_by="applied_on",
	):
		moved.append(_("{0} {1} approved").format(_(row.change_type), row.name))
	return moved


def _row(slip, loan: str | None, reason: str, refresh: bool) -> dict:
	return {
		"salary_slip": slip.name,
		"employee": slip.employee,
		"employee_name": slip.employee_name,
		"employee_loan": loan,
		"reason": reason,
		"refresh": refresh,
	}


# -- one step: bring them up to date and submit them --------------------------------------------------


@frappe.whitelist(methods=["POST"])
def update_and_submit_draft_slips(payroll_entry: str) -> dict:
	"""Save again each draft slip of `payroll_entry` whose loan moved (its loan lines are decided again),
	then submit the entry's draft slips through HRMS's own submission, which makes the accrual journal
	entry for those it submits. Needs what HRMS's Submit Salary Slip needs (write on the Payroll Entry)
	and write and submit on the slips."""
	entry = frappe.get_doc(PAYROLL_ENTRY, payroll_entry)
	entry.check_permission("write")
	if entry.docstatus != 1 or not entry.salary_slips_created:
		frappe.throw(
			_("Payroll Entry {0} has no salary slips yet: submit it to create them.").format(entry.name),
			title=_("No Salary Slips"),
		)
	if entry.status == "Queued":
		frappe.throw(
			_(
				"HRMS is still creating or submitting the slips of Payroll Entry {0}; wait for it to finish."
			).format(entry.name),
			title=_("Payroll Entry Busy"),
		)
	slips = entry.get_sal_slip_list(ss_status=0)
	if not slips:
		frappe.throw(
			_("Payroll Entry {0} has no draft salary slip left to submit.").format(entry.name),
			title=_("Nothing to Submit"),
		)
	for name, _structure in slips:
		for permission in ("write", "submit"):
			frappe.has_permission(SALARY_SLIP, permission, doc=name, throw=True)
	to_save = sorted({row["salary_slip"] for row in draft_slips_of(entry) if row["refresh"]})
	if len(slips) > BACKGROUND_ABOVE:
		frappe.enqueue(
			save_and_submit,
			queue="long",
			timeout=3000,
			job_id=f"employee_loans::draft_slips::{entry.name}",
			deduplicate=True,
			payroll_entry=entry.name,
			to_save=to_save,
		)
		frappe.msgprint(
			_(
				"The draft salary slips are being brought up to date and submitted; this form reloads when done."
			),
			alert=True,
			indicator="blue",
		)
		return {"queued": True, "saved": to_save}
	submitted = save_and_submit(entry.name, to_save, publish_progress=False)
	if submitted and entry.has_bank_entries()["has_bank_entries"]:
		frappe.msgprint(
			_(
				"Payroll Entry {0}'s bank entry was made before these slips were submitted and does not pay "
				"them: pay their net pay with a payment of its own."
			).format(entry.name),
			title=_("Bank Entry Already Made"),
			indicator="orange",
		)
	return {"queued": False, "saved": to_save, "submitted": submitted}


def save_and_submit(payroll_entry: str, to_save: list[str], publish_progress: bool = True) -> list[str]:
	"""Save `to_save` again (each in a savepoint: a slip whose save fails is left as it was, and HRMS's
	submission refuses it again with its reason), then HRMS's own submission of the entry's drafts."""
	from hrms.payroll.doctype.payroll_entry.payroll_entry import submit_salary_slips_for_employees

	entry = frappe.get_doc(PAYROLL_ENTRY, payroll_entry)
	for name in to_save:
		frappe.db.savepoint("employee_loans_draft_slip")
		try:
			slip = frappe.get_doc(SALARY_SLIP, name)
			if slip.docstatus == 0:
				slip.save()
		except frappe.ValidationError:
			frappe.db.rollback(save_point="employee_loans_draft_slip")
	slips = entry.get_sal_slip_list(ss_status=0)
	submit_salary_slips_for_employees(entry, slips, publish_progress=publish_progress)
	names = [name for name, _structure in slips]
	return frappe.get_all(SALARY_SLIP, filters={"name": ("in", names or [""]), "docstatus": 1}, pluck="name")
