"""Glue between Frappe's float Currency fields and the engine's Decimals, plus the look-ups every
part of the app shares. No money arithmetic here: that lives in employee_loans.engine."""

from decimal import Decimal

import frappe
from frappe import _
from frappe.model.docstatus import DocStatus
from frappe.model.workflow import get_workflow, get_workflow_name
from frappe.utils import cint, flt, now, now_datetime

from employee_loans.engine import LoanInputError, LoanTerms, ShortPayPolicy, translate

HR_ROLES = ("HR Manager", "HR User", "System Manager")
SETTINGS = "Employee Loan Settings"
DEFAULT_COMPONENT = "Loan EMI"
DEFAULT_INTEREST_COMPONENT = "Loan Interest"


def currency_precision(company: str | None = None) -> int:
	"""Decimal places of the company's currency (its fraction units: 100 -> 2, 1000 -> 3, none -> 0),
	never more than Frappe stores in a Currency field (System Settings), and between 0 and 3."""
	from frappe.model.meta import get_field_precision

	stored = get_field_precision(frappe._dict(fieldtype="Currency"))
	currency = frappe.get_cached_value("Company", company, "default_currency") if company else None
	fraction_units = frappe.get_cached_value("Currency", currency, "fraction_units") if currency else None
	places = len(str(cint(fraction_units))) - 1 if cint(fraction_units) > 1 else stored
	return min(max(places, 0), stored, 3)


def to_money(value, precision: int) -> Decimal:
	"""A Currency field (a float in Python) as the exact Decimal it stands for at `precision`.

	The float is rounded to the field's precision first and then read from its text, so 0.1 + 0.2
	stored as 0.30000000000000004 becomes Decimal("0.30")."""
	return Decimal(f"{flt(value, precision):.{precision}f}")


def to_units(value, precision: int) -> int:
	"""A Currency field (a float in Python, stored rounded to `precision`) as the whole number of the
	currency's smallest unit it stands for; for engine.add_up_units."""
	return round(flt(value) * 10**precision)


def to_field(value: Decimal | None):
	"""A Decimal for a Currency field: Frappe stores floats; the value is already rounded."""
	return None if value is None else float(value)


def engine_message(message) -> str:
	"""The one place an engine message reaches the user: an engine error or eligibility finding in the
	user's language. The English template and the values that are words (`labels`: field and option
	names) are translated, then filled in."""
	return translate(_, message.template, message.values, message.labels)


def slip_note(decision) -> str:
	"""Why a slip deducts less than the EMI, in the user's language ("" when it deducts in full)."""
	return translate(_, decision.note_template, decision.note_values) if decision.note_template else ""


def get_settings():
	return frappe.get_cached_doc(SETTINGS)


def short_pay_policy(precision: int) -> ShortPayPolicy:
	settings = get_settings()
	return ShortPayPolicy(settings.short_pay_policy, to_money(settings.protected_net_pay, precision))


def loan_terms(doc) -> LoanTerms:
	"""The engine's view of a loan's (or an application's) terms; bad input raises a clear error."""
	precision = currency_precision(doc.company)
	try:
		return LoanTerms.parse(
			to_money(doc.loan_amount, precision),
			Decimal(str(flt(doc.annual_interest_rate, 6))),
			cint(doc.tenure_months),
			doc.interest_method or "Reducing Balance",
			precision,
		)
	except LoanInputError as error:
		frappe.throw(engine_message(error), title=_("Check the Loan Terms"))


def is_hr(user: str | None = None) -> bool:
	user = user or frappe.session.user
	if user == "Administrator":
		return True
	return bool(set(frappe.get_roles(user)) & set(HR_ROLES))


def withdraw_draft(doc, status: str) -> None:
	"""End a Pending draft (a loan application, a change request) as `status` and cancelled (docstatus 2),
	recording who withdrew it and when.

	Frappe cancels only submitted documents, and submitting these decides on them, so a withdrawal cannot
	be a submit followed by a cancel: that would pass through the decision and its hooks, and need the
	approver's permission. A draft has nothing to reverse, so it moves straight to docstatus 2, as HRMS
	voids the draft Attendance of a cancelled Leave Application. From then on Frappe itself refuses to
	edit, submit or cancel it."""
	doc.load_doc_before_save()
	doc.status = status
	doc.decided_by = frappe.session.user
	doc.decided_on = now_datetime()
	doc.modified, doc.modified_by = now(), frappe.session.user
	workflow = get_workflow(doc.doctype) if get_workflow_name(doc.doctype) else None
	if workflow:
		cancelled = [state.state for state in workflow.states if cint(state.doc_status) == 2]
		if cancelled:
			doc.set(workflow.workflow_state_field, cancelled[0])
	doc.docstatus = DocStatus.CANCELLED
	doc.set_docstatus()  # child rows follow their document
	doc.db_update()
	doc.update_children()
	doc.save_version()
