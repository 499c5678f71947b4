"""The desk pages the app adds, and records to open them with, for the desk browser check
(desk_pages_check.py), on a test site (allow_tests on).

	bench --site SITE execute employee_loans.e2e.desk_pages.setup \\
		--kwargs "{'password': 'Desk-Check-1!', 'out': '/tmp/desk-pages.json'}"

Makes (or refreshes) an HR Manager (desk.hr@example.com, not an employee) and the portal's demo employee
(employee_loans.e2e.demo_data: a user with the Employee role only, a loan disbursed three months ago with
its salary slips and repayments), gives the loan a withdrawn EMI holiday request and the employee a
Pending application, so every DocType of the module has a record to open. Then it lists the pages from
the module itself (its workspaces, DocTypes and reports: a DocType or report added later is in the list
without a change here), each with the record to open and whether each user may open it (Frappe's own
permission checks), and the app's whitelisted methods that change something (POST only), which the
check never lets the browser call. The list goes to `out` (JSON) and is returned.

	bench --site SITE execute employee_loans.e2e.desk_pages.cleanup

removes the demo loan with its changes, and the employee's applications that led to no loan (the Pending
one, and those the browser checks applied for and withdrew) again: tests that count every loan record
of the site would otherwise find them.
"""

import importlib
import json
import pkgutil
from urllib.parse import quote

import frappe
from frappe.utils import add_months, get_first_day, nowdate
from frappe.utils.password import update_password

from employee_loans.e2e.demo_data import remove_demo_loan, setup_portal_employee
from employee_loans.sample_data import COMPANY, apply, for_test_sites, make_user

MODULE = "Employee Loans"
HR = "desk.hr@example.com"
EMPLOYEE = "portal.employee@example.com"
REASON = "Desk check: a Pending application"
CHANGE_REASON = "Desk check: a withdrawn EMI holiday request"
LOAN, APPLICATION, CHANGE = "Employee Loan", "Employee Loan Application", "Employee Loan Change"
# Frappe's own methods that write a document: never called by the check either
FRAPPE_WRITES = (
	"frappe.desk.form.save.savedocs",
	"frappe.desk.form.save.cancel",
	"frappe.client.insert",
	"frappe.client.save",
	"frappe.client.submit",
	"frappe.client.cancel",
	"frappe.client.delete",
	"frappe.client.set_value",
	"frappe.desk.reportview.delete_items",
)


@for_test_sites
def setup(
	password: str, hr: str = HR, employee: str = EMPLOYEE, out: str | None = None, base: float = 60000
) -> dict:
	frappe.set_user("Administrator")
	demo = setup_portal_employee(employee, password, base=base, with_loan=True)
	make_user(hr, ["HR Manager", "HR User"])
	update_password(hr, password)
	frappe.defaults.set_user_default("Company", COMPANY, hr)
	change = _withdrawn_change(demo["loan"])
	application = _pending_application(demo["employee"], demo["categories"])
	frappe.db.commit()
	# the records whose forms show the most: the disbursed loan (Actions, Change Loan), the Pending
	# application (Decide for HR, Withdraw for the employee)
	prefer = {LOAN: demo["loan"], APPLICATION: application, CHANGE: change}
	manifest = {
		"users": [{"user": hr, "as": "HR Manager"}, {"user": employee, "as": "Employee"}],
		"pages": pages([hr, employee], prefer=prefer),
		"write_methods": write_methods(),
	}
	if out:
		with open(out, "w") as file:
			json.dump(manifest, file, indent=1, default=str)
	return manifest


@for_test_sites
def cleanup(employee: str = EMPLOYEE) -> dict:
	frappe.set_user("Administrator")
	employee_name = frappe.db.get_value("Employee", {"user_id": employee})
	if not employee_name:
		return {"applications": [], "removed": None}
	# the Pending one, and those the browser checks applied for and withdrew (no loan came of them)
	applications = frappe.get_all(
		APPLICATION, filters={"employee": employee_name, "employee_loan": ("is", "not set")}, pluck="name"
	)
	if applications:
		frappe.db.delete("Employee Loan Eligibility Finding", {"parent": ("in", applications)})
		frappe.db.delete(APPLICATION, {"name": ("in", applications)})
	removed = remove_demo_loan(employee)  # the loan with its changes, slips and repayments; commits
	frappe.db.commit()
	return {"applications": applications, **removed}


def _withdrawn_change(loan: str) -> str:
	existing = frappe.db.get_value(CHANGE, {"employee_loan": loan, "reason": CHANGE_REASON})
	if existing:
		return existing
	from employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change import new_change

	month = str(get_first_day(add_months(nowdate(), 1)))
	change = new_change(
		{
			"change_type": "EMI Holiday",
			"employee_loan": loan,
			"from_date": month,
			"holiday_months": 1,
			"reason": CHANGE_REASON,
		}
	)
	change.insert(ignore_permissions=True)
	change.withdraw()
	return change.name


def _pending_application(employee: str, categories: list[str]) -> str:
	existing = frappe.db.get_value(APPLICATION, {"employee": employee, "reason": REASON, "status": "Pending"})
	return existing or apply(employee, categories[0], 10000, 6, reason=REASON).name


def slug(name: str) -> str:
	"""The desk route of a DocType or workspace name (frappe.router.slug)."""
	return name.lower().replace(" ", "-")


def pages(users: list[str], prefer: dict | None = None) -> list[dict]:
	"""Every page of the module: its public workspaces, each DocType's list and a form of a record of it
	(a Single DocType's form), and each report, with whether each user may open it."""
	prefer = prefer or {}
	found = []
	for workspace in frappe.get_all("Workspace", filters={"module": MODULE, "public": 1}, pluck="name"):
		doc = frappe.get_doc("Workspace", workspace)
		roles = {row.role for row in doc.roles}
		found.append(
			page(
				"workspace",
				workspace,
				f"/app/{slug(workspace)}",
				{user: not roles or bool(roles & set(frappe.get_roles(user))) for user in users},
			)
		)
	doctypes = frappe.get_all(
		"DocType", filters={"module": MODULE, "istable": 0}, fields=["name", "issingle"], order_by="name"
	)
	for doctype in doctypes:
		route = f"/app/{slug(doctype.name)}"
		if doctype.issingle:
			allowed = {user: frappe.has_permission(doctype.name, "read", user=user) for user in users}
			found.append(page("single", doctype.name, route, allowed, doctype=doctype.name))
			continue
		allowed = {user: frappe.has_permission(doctype.name, "read", user=user) for user in users}
		found.append(page("list", doctype.name, route, allowed, doctype=doctype.name))
		name = prefer.get(doctype.name) or _a_record(doctype.name)
		if name:
			allowed = {
				user: frappe.has_permission(doctype.name, "read", doc=name, user=user) for user in users
			}
			found.append(
				page(
					"form",
					f"{doctype.name} {name}",
					f"{route}/{quote(name, safe='')}",
					allowed,
					doctype=doctype.name,
					name=name,
				)
			)
		else:
			allowed = {user: frappe.has_permission(doctype.name, "create", user=user) for user in users}
			found.append(page("new", f"new {doctype.name}", f"{route}/new", allowed, doctype=doctype.name))
	reports = frappe.get_all(
		"Report",
		filters={"module": MODULE, "disabled": 0},
		fields=["name", "report_type", "ref_doctype"],
		order_by="name",
	)
	for report in reports:
		route = (
			f"/app/{slug(report.ref_doctype)}/view/report/{report.name}"
			if report.report_type == "Report Builder"
			else f"/app/query-report/{quote(report.name, safe='')}"
		)
		found.append(page("report", report.name, route, _report_allowed(report, users), report=report.name))
	return found


def page(kind: str, title: str, route: str, allowed: dict, **fields) -> dict:
	return {"kind": kind, "title": title, "route": route, "allowed": allowed, **fields}


def _a_record(doctype: str) -> str | None:
	"""A submitted record if there is one (its form shows the most), else the latest."""
	for filters in ({"docstatus": 1}, {}):
		names = frappe.get_all(doctype, filters=filters, pluck="name", order_by="modified desc", limit=1)
		if names:
			return names[0]
	return None


def _report_allowed(report, users: list[str]) -> dict:
	doc = frappe.get_doc("Report", report.name)
	allowed = {}
	for user in users:
		frappe.set_user(user)
		try:
			allowed[user] = bool(doc.is_permitted()) and frappe.has_permission(report.ref_doctype, "report")
		finally:
			frappe.set_user("Administrator")
	return allowed


def write_methods() -> list[str]:
	"""The app's whitelisted methods that only POST may call (the ones that change something), and
	Frappe's own document writes."""
	import employee_loans

	for module in pkgutil.walk_packages(employee_loans.__path__, "employee_loans."):
		leaf = module.name.rsplit(".", 1)[-1]
		if (
			leaf.startswith("test_")
			or leaf == "__main__"
			or any(f".{part}" in module.name for part in ("e2e", "benchmarks", "tests", "patches"))
		):
			continue
		importlib.import_module(module.name)
	methods = [
		f"{function.__module__}.{function.__name__}"
		for function in frappe.whitelisted
		if function.__module__.startswith("employee_loans.")
		and frappe.allowed_http_methods_for_whitelisted_func.get(function) == ["POST"]
	]
	return sorted(methods) + list(FRAPPE_WRITES)
