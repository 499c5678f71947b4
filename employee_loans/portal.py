"""What the employee self-service pages show (www/my-loans, www/apply-for-loan).

Every page serves the signed-in user's own employee only. Lists are read with frappe.get_list, which
applies the app's own-records condition (employee_loans.permissions), and a single record is shown only
when it belongs to the user's own employee and frappe.has_permission allows it. Any other name in the
URL, whether it exists or not, gets the same refusal (frappe.PermissionError), so the pages never tell
whether a colleague's loan exists. HR users see only their own loans here too: the desk is theirs.

The pages' scripts and styles are Frappe's colocated page assets (www/<page>.js and .css beside the
template), inlined by Frappe's page renderer. They call the server with frappe.call and find the
translations of their __() strings in frappe._messages, which each page fills from the lists below,
translated through Frappe's translation cache (as Frappe's own web forms do). Status colours are the
DocTypes' own `states`, as in the desk.
"""

from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.utils import cint, flt, fmt_money, format_date, get_first_day, getdate

from employee_loans.api import resolve_employee
from employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application import (
	PENDING as APPLICATION_PENDING,
)
from employee_loans.engine.states import (
	CHANGE_PENDING,
	EMI_HOLIDAY,
	LOAN_APPROVED,
	LOAN_DISBURSED,
	PAID,
	PENDING,
	PRE_CLOSED,
	TOP_UP,
)
from employee_loans.permissions import employees_of_user
from employee_loans.utils import currency_precision, get_settings

MY_LOANS_ROUTE = "/my-loans"
APPLY_ROUTE = "/apply-for-loan"
LOAN_ROUTE = "/my-loans/loan"
APPLICATION_ROUTE = "/my-loans/application"
STATEMENT_PRINT_FORMAT = "Loan Statement of Account"
WITHDRAW_METHOD = (
	"employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application.withdraw"
)

APPLICATION, LOAN, REPAYMENT = "Employee Loan Application", "Employee Loan", "Employee Loan Repayment"
CHANGE = "Employee Loan Change"
CHANGE_METHODS = "employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change"
# how many of the loan's next pending months the holiday form offers as its first month
HOLIDAY_MONTHS_OFFERED = 12

SCHEDULE = "Employee Loan Schedule"
PAID_INSTALMENT = (PAID, PRE_CLOSED)

# The __() strings of the pages' scripts (www/apply-for-loan/index.js, www/my-loans/loan.js and the Withdraw
# buttons' templates/includes/loans_portal_withdraw.js).
# test_portal checks these lists against the scripts with Frappe's own message extractor.
APPLY_SCRIPT_MESSAGES = (
	"Blocked",
	"Warning",
	"You meet every rule for this loan.",
	"This application cannot be submitted as it is. Change the amount, the tenure or the category.",
	"Fill in the amount and the tenure to see your EMI.",
	"Calculating...",
	"Could not calculate the EMI.",
	"Give the reason for the loan.",
	"Submitting...",
)
# templates/includes/loans_portal_withdraw.js: the Withdraw buttons (an application, a change request)
WITHDRAW_SCRIPT_MESSAGES = ("Withdrawing...",)
# www/my-loans/loan.js: the EMI holiday and top-up requests
LOAN_SCRIPT_MESSAGES = (
	"Calculating...",
	"Could not calculate the figures.",
	"Fill in the form to see your new EMI.",
	"Give the reason for the change.",
	"EMI",
	"Last EMI",
	"Outstanding",
	"Interest added to the loan",
	"Blocked",
	"Warning",
	"Sending...",
	*WITHDRAW_SCRIPT_MESSAGES,
)


# -- shared by every page ---------------------------------------------------------------------------


def require_login(route: str) -> None:
	"""Guests go to the login page, and come back to `route` once signed in (302: never cached)."""
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = "/login?" + urlencode({"redirect-to": route})
		raise frappe.Redirect(302)


def prepare(context, title: str, route: str, parents: list[dict] | None = None) -> None:
	require_login(route)
	context.no_cache = 1
	context.show_sidebar = True
	context.title = title
	context.parents = parents or [{"route": "/me", "title": _("My Account")}]
	context.my_loans_route = MY_LOANS_ROUTE
	context.apply_route = APPLY_ROUTE


def portal_employee(context) -> frappe._dict | None:
	"""The signed-in user's Employee with its company's currency, or None (and `context.no_employee`)
	when the user is not linked to an Employee: the page then explains what to do."""
	if not employees_of_user():
		context.no_employee = True
		return None
	name = resolve_employee(None)
	employee = frappe.db.get_value(
		"Employee", name, ["name", "employee_name", "company", "status"], as_dict=True
	)
	employee.currency = frappe.get_cached_value("Company", employee.company, "default_currency")
	employee.precision = currency_precision(employee.company)
	context.employee = employee
	context.no_employee = False
	return employee


def money(value, employee) -> str:
	return fmt_money(flt(value, employee.precision), precision=employee.precision, currency=employee.currency)


def date(value) -> str:
	return format_date(value) if value else ""


def percent(value) -> str:
	"""8 for 8.0, 7.5 for 7.5: a rate as people write it."""
	return f"{flt(value):g}"


def status_colours(doctype: str) -> dict[str, str]:
	"""The indicator colour of each status, from the DocType's `states` (with their Customize Form
	changes): the colours the desk's form and list show. A status without a state is gray."""
	return {
		state.title: (state.color or "Gray").lower().replace(" ", "-")
		for state in frappe.get_meta(doctype).get("states") or []
	}


def colour(colours: dict[str, str], status: str | None) -> str:
	return colours.get(status or "", "gray")


def translated_messages(messages: tuple[str, ...]) -> str:
	"""The translations of a page script's messages as JSON for frappe._messages, from Frappe's
	translation cache; safe inside a <script> element."""
	return frappe.as_json({message: _(message) for message in messages}, indent=None).replace("</", "<\\/")


def refuse(message: str) -> None:
	frappe.throw(message, frappe.PermissionError, title=_("Not Permitted"))


def own_record(doctype: str, name: str | None):
	"""The record, if it is the signed-in user's own and they may read it; else a refusal that is the
	same for a colleague's record and for a name that does not exist."""
	not_yours = (
		_("This loan is not one of yours.") if doctype == LOAN else _("This application is not one of yours.")
	)
	if not name or not isinstance(name, str) or not frappe.db.exists(doctype, name):
		refuse(not_yours)
	doc = frappe.get_doc(doctype, name)
	if doc.employee not in employees_of_user() or not frappe.has_permission(doctype, "read", doc=doc):
		refuse(not_yours)
	return doc


# -- My Loans ---------------------------------------------------------------------------------------


def my_loans_context(context) -> None:
	prepare(context, _("My Loans"), MY_LOANS_ROUTE)
	employee = portal_employee(context)
	context.loans, context.applications = [], []
	if not employee:
		return
	own = {"employee": ("in", employees_of_user())}
	loans = frappe.get_list(
		LOAN,
		filters=own,
		fields=[
			"name",
			"status",
			"loan_category",
			"loan_amount",
			"tenure_months",
			"emi",
			"outstanding_balance",
			"next_emi_date",
			"emis_paid",
			"total_emis",
			"disbursement_date",
			"closure_date",
			"loan_application",
		],
		order_by="creation desc",
	)
	loan_colours, application_colours = status_colours(LOAN), status_colours(APPLICATION)
	for loan in loans:
		loan.update(
			indicator=colour(loan_colours, loan.status),
			route=f"{LOAN_ROUTE}?{urlencode({'name': loan.name})}",
			amount_display=money(loan.loan_amount, employee),
			emi_display=money(loan.emi, employee),
			outstanding_display=money(
				loan.loan_amount if loan.status == LOAN_APPROVED else loan.outstanding_balance, employee
			),
			next_emi_display=date(loan.next_emi_date) if loan.status == LOAN_DISBURSED else "",
		)
	applications = frappe.get_list(
		APPLICATION,
		filters=own,
		fields=[
			"name",
			"status",
			"posting_date",
			"loan_category",
			"loan_amount",
			"tenure_months",
			"emi",
			"employee_loan",
		],
		order_by="creation desc",
	)
	for application in applications:
		application.update(
			indicator=colour(application_colours, application.status),
			route=f"{APPLICATION_ROUTE}?{urlencode({'name': application.name})}",
			loan_route=f"{LOAN_ROUTE}?{urlencode({'name': application.employee_loan})}"
			if application.employee_loan
			else "",
			amount_display=money(application.loan_amount, employee),
			emi_display=money(application.emi, employee),
			posting_date_display=date(application.posting_date),
		)
	names = category_names({row.loan_category for row in [*loans, *applications]})
	for row in [*loans, *applications]:
		row.category_name = names.get(row.loan_category, row.loan_category)
	context.loans, context.applications = loans, applications
	context.can_apply = bool(cint(get_settings().enable_applications))
	applied = frappe.form_dict.get("applied")
	context.applied = applied if any(a.name == applied for a in applications) else None


def category_names(categories: set[str]) -> dict[str, str]:
	"""Category names without the company abbreviation ("Personal" for "Personal - TC")."""
	if not categories:
		return {}
	rows = frappe.get_all(
		"Employee Loan Category",
		filters={"name": ("in", list(categories))},
		fields=["name", "category_name"],
	)
	return {row.name: row.category_name for row in rows}


# -- one loan ---------------------------------------------------------------------------------------


def loan_context(context) -> None:
	name = frappe.form_dict.get("name")
	route = f"{LOAN_ROUTE}?{urlencode({'name': name or ''})}"
	prepare(context, _("Loan"), route, [{"route": MY_LOANS_ROUTE, "title": _("My Loans")}])
	employee = portal_employee(context)
	if not employee:
		return
	loan = own_record(LOAN, name)
	context.title = _("Loan {0}").format(loan.name)
	context.loan = loan
	context.category_name = category_names({loan.loan_category}).get(loan.loan_category, loan.loan_category)
	context.status_color = colour(status_colours(LOAN), loan.status)
	context.money = lambda value: money(value, employee)
	context.date = date
	context.percent = percent
	instalment_colours = status_colours(SCHEDULE)
	context.schedule = [
		frappe._dict(
			row.as_dict(),
			paid=row.status in PAID_INSTALMENT,
			indicator=colour(instalment_colours, row.status),
		)
		for row in loan.schedule
	]
	context.repayments = frappe.get_list(
		REPAYMENT,
		filters={"employee_loan": loan.name, "docstatus": 1},
		fields=[
			"name",
			"posting_date",
			"repayment_type",
			"reason",
			"instalment_number",
			"amount",
			"principal_amount",
			"interest_amount",
			"salary_slip",
			"reference",
		],
		order_by="posting_date asc, creation asc",
	)
	context.application_route = (
		f"{APPLICATION_ROUTE}?{urlencode({'name': loan.loan_application})}" if loan.loan_application else ""
	)
	context.statement = statement_links(loan.name)
	context.changes = loan_changes(loan.name)
	context.withdraw_change_method = f"{CHANGE_METHODS}.withdraw"
	# the page's scripts: the request forms, and the Withdraw buttons of Pending requests
	context.translated_messages = translated_messages(LOAN_SCRIPT_MESSAGES)
	context.change_types = {"holiday": EMI_HOLIDAY, "top_up": TOP_UP}
	requested = frappe.form_dict.get("requested")
	context.requested = requested if any(change.name == requested for change in context.changes) else None
	context.can_request_change = loan.docstatus == 1 and loan.status == LOAN_DISBURSED
	if context.can_request_change:
		context.holiday_first_months = [
			{
				"value": str(getdate(get_first_day(row.due_date))),
				"label": format_date(row.due_date, "MMMM yyyy"),
			}
			for row in loan.schedule
			if row.status == PENDING
		][:HOLIDAY_MONTHS_OFFERED]
		context.max_holiday_months = cint(get_settings().max_holiday_months_per_loan)
		context.change_methods = {
			"preview": f"{CHANGE_METHODS}.get_preview",
			"request": f"{CHANGE_METHODS}.request_change",
		}
		context.currency = currency_format(employee)


def loan_changes(loan: str) -> list[frappe._dict]:
	"""The loan's holidays, restructures and top-ups, newest first: the signed-in employee's own only
	(get_list applies the own-records condition; the employee filter says so again)."""
	changes = frappe.get_list(
		CHANGE,
		filters={"employee_loan": loan, "employee": ("in", employees_of_user())},
		fields=[
			"name",
			"change_type",
			"status",
			"from_date",
			"holiday_months",
			"top_up_amount",
			"new_term_months",
			"emi_after",
			"end_date_after",
			"outstanding_after",
			"reason",
			"decision_reason",
		],
		order_by="creation desc",
	)
	colours = status_colours(CHANGE)
	for change in changes:
		change.indicator = colour(colours, change.status)
		# a request HR has not decided on yet can be taken back (employee_loan_change.withdraw)
		change.can_withdraw = change.status == CHANGE_PENDING
		change.from_month = format_date(change.from_date, "MMMM yyyy") if change.from_date else ""
	return changes


def statement_links(loan: str) -> dict | None:
	"""The statement of account (print format "Loan Statement of Account"), as a page and as a PDF,
	once that print format exists on the site."""
	if not frappe.db.exists("Print Format", STATEMENT_PRINT_FORMAT):
		return None
	query = urlencode({"doctype": LOAN, "name": loan, "format": STATEMENT_PRINT_FORMAT})
	return {
		"view": f"/printview?{query}",
		"pdf": f"/api/method/frappe.utils.print_format.download_pdf?{query}",
	}


# -- one application --------------------------------------------------------------------------------


def application_context(context) -> None:
	name = frappe.form_dict.get("name")
	route = f"{APPLICATION_ROUTE}?{urlencode({'name': name or ''})}"
	prepare(context, _("Loan Application"), route, [{"route": MY_LOANS_ROUTE, "title": _("My Loans")}])
	employee = portal_employee(context)
	if not employee:
		return
	application = own_record(APPLICATION, name)
	context.title = _("Loan Application {0}").format(application.name)
	context.application = application
	context.category_name = category_names({application.loan_category}).get(
		application.loan_category, application.loan_category
	)
	context.status_color = colour(status_colours(APPLICATION), application.status)
	context.money = lambda value: money(value, employee)
	context.date = date
	context.percent = percent
	context.can_withdraw = application.status == APPLICATION_PENDING and frappe.has_permission(
		APPLICATION, "write", doc=application
	)
	context.withdraw_method = WITHDRAW_METHOD
	context.loan_route = (
		f"{LOAN_ROUTE}?{urlencode({'name': application.employee_loan})}" if application.employee_loan else ""
	)
	context.translated_messages = translated_messages(WITHDRAW_SCRIPT_MESSAGES)


# -- Apply for a loan -------------------------------------------------------------------------------


def apply_context(context) -> None:
	prepare(context, _("Apply for a Loan"), APPLY_ROUTE, [{"route": MY_LOANS_ROUTE, "title": _("My Loans")}])
	employee = portal_employee(context)
	context.categories = []
	if not employee:
		return
	context.applications_open = bool(cint(get_settings().enable_applications))
	categories = frappe.get_list(
		"Employee Loan Category",
		filters={"company": employee.company, "disabled": 0},
		fields=[
			"name",
			"category_name",
			"maximum_amount",
			"annual_interest_rate",
			"interest_method",
			"minimum_tenure_months",
			"maximum_tenure_months",
			"description",
		],
		order_by="category_name asc",
	)
	for category in categories:
		category.info = category_info(category, employee)
	context.categories = categories
	chosen = frappe.form_dict.get("category")
	context.chosen_category = chosen if any(c.name == chosen for c in categories) else None
	context.currency = currency_format(employee)
	context.translated_messages = translated_messages(APPLY_SCRIPT_MESSAGES)


def currency_format(employee) -> dict:
	"""How a page script formats the employee's money (its company's currency)."""
	return {
		"code": employee.currency,
		"symbol": frappe.get_cached_value("Currency", employee.currency, "symbol") or employee.currency,
		"precision": employee.precision,
		"number_format": frappe.get_cached_value("Currency", employee.currency, "number_format")
		or frappe.db.get_default("number_format")
		or "#,###.##",
	}


def category_info(category, employee) -> str:
	if category.interest_method == "Interest Free" or not flt(category.annual_interest_rate):
		rate = _("Interest free")
	else:
		rate = _("{0} % a year, {1}").format(
			percent(category.annual_interest_rate), _(category.interest_method)
		)
	return _("Up to {0} · {1} to {2} months · {3}").format(
		money(category.maximum_amount, employee),
		cint(category.minimum_tenure_months),
		cint(category.maximum_tenure_months),
		rate,
	)
