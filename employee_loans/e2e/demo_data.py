"""A test employee for the portal's browser check (portal_check.py), on a development or test site.

	bench --site SITE execute employee_loans.e2e.demo_data.setup_portal_employee \\
		--kwargs "{'email': 'portal.employee@example.com', 'password': 'Portal-Check-1!'}"

Creates (or refreshes) a user with the Employee role only, linked to an Active Employee of
_Test Company with a submitted Salary Structure Assignment, and loads the starter loan categories of
that company. With `'with_loan': 1` it also gives the employee a loan disbursed three months ago with
its first EMIs deducted by submitted salary slips (so My Loans shows a schedule with paid rows), and
makes room for one more loan under the active-loan limit. It uses employee_loans.sample_data, so it
runs only on a site with allow_tests on (never on a production site).

	bench --site SITE execute employee_loans.e2e.demo_data.remove_demo_loan \
		--kwargs "{'email': 'portal.employee@example.com'}"

removes that demo loan again, with its salary slips and repayments, so that tests which count every
loan record of the site find none of it.

`setup_payroll_draft_slip` and `remove_payroll_draft_slip` do the same for the Payroll Entry browser
check (payroll_entry_check.py): a Payroll Entry whose submission left a slip as a draft;
`setup_going_live` and `remove_going_live_loans` for the going-live check (going_live_check.py): an HR
Manager and salaried employees whose existing loans it brings in.
"""

import frappe
from frappe import _
from frappe.utils import add_months, get_first_day, get_last_day, getdate, nowdate
from frappe.utils.password import update_password

from employee_loans.sample_data import (
	COMPANY,
	apply,
	approve_and_disburse,
	assign_structure,
	delete_loans,
	for_test_sites,
	make_employee,
	make_slip,
)
from employee_loans.starter_categories import load_starter_categories

DEMO_REASON = "Demo loan for the portal check"


@for_test_sites
def setup_portal_employee(
	email: str = "portal.employee@example.com",
	password: str | None = None,
	base: float = 60000,
	with_loan: bool = False,
) -> dict:
	if not frappe.db.exists("Company", COMPANY):
		frappe.throw(
			_("{0} does not exist yet: run the app's tests on this site once first.").format(COMPANY),
			title=_("Test Company Missing"),
		)
	frappe.set_user("Administrator")
	employee = make_employee(email, company=COMPANY)
	if not frappe.db.exists("Salary Structure Assignment", {"employee": employee, "docstatus": 1}):
		assign_structure(employee, base=base, company=COMPANY)
	if password:
		update_password(email, password)
	load_starter_categories(COMPANY)
	loan = _demo_loan(employee) if with_loan else None
	frappe.db.commit()
	return {
		"loan": loan,
		"user": email,
		"employee": employee,
		"categories": frappe.get_all(
			"Employee Loan Category", filters={"company": COMPANY, "disabled": 0}, pluck="name"
		),
		"applications_open": bool(
			frappe.db.get_single_value("Employee Loan Settings", "enable_applications")
		),
	}


def _demo_loan(employee: str) -> str:
	"""A Personal loan disbursed three months ago, with a submitted salary slip for each month since."""
	existing = frappe.db.get_value(
		"Employee Loan Application",
		{"employee": employee, "reason": DEMO_REASON, "employee_loan": ("is", "set")},
		"employee_loan",
	)
	if existing:
		return existing
	settings = frappe.get_single("Employee Loan Settings")
	active = frappe.db.count(
		"Employee Loan", {"employee": employee, "status": ("in", ["Approved", "Disbursed"])}
	)
	if settings.maximum_active_loans and settings.maximum_active_loans < active + 2:
		settings.maximum_active_loans = active + 2  # the browser check must still be able to apply
		settings.save()
	start = get_first_day(add_months(nowdate(), -3))
	application = apply(
		employee,
		f"Personal - {frappe.get_cached_value('Company', COMPANY, 'abbr')}",
		90000,
		12,
		posting_date=start,
		reason=DEMO_REASON,
	)
	loan = approve_and_disburse(application.name, start.replace(day=10))
	month = get_first_day(add_months(start, 1))
	while month <= getdate(nowdate()) and not frappe.db.exists(
		"Salary Slip", {"employee": employee, "start_date": month, "docstatus": 1}
	):
		make_slip(employee, month, submit=True)
		month = get_first_day(add_months(month, 1))
	return loan


@for_test_sites
def remove_demo_loan(email: str = "portal.employee@example.com") -> dict:
	"""Delete the demo loan of `email`'s employee with its application, salary slips and repayments."""
	employee = frappe.db.get_value("Employee", {"user_id": email})
	loan = frappe.db.get_value(
		"Employee Loan Application", {"employee": employee, "reason": DEMO_REASON}, "employee_loan"
	)
	if not employee or not loan:
		return {"removed": None}
	removed = delete_loans([loan])
	frappe.db.commit()
	return {
		"removed": loan,
		"application": ", ".join(removed["applications"]),
		"salary_slips": removed["salary_slips"],
	}


PAYROLL_CHECK_DEPARTMENT = "EL Payroll Check"
PAYROLL_CHECK_CATEGORY = "Payroll Check Personal"


@for_test_sites
def setup_payroll_draft_slip(email: str = "payroll.officer@example.com", password: str | None = None) -> dict:
	"""A Payroll Entry whose submission left a slip as a draft, for payroll_entry_check.py:

		bench --site SITE execute employee_loans.e2e.demo_data.setup_payroll_draft_slip \\
			--kwargs "{'email': 'payroll.officer@example.com', 'password': 'Payroll-Check-1!'}"

	Two new employees of a department of their own, each with a loan disbursed last month; this month's
	Payroll Entry creates their slips, then a manual repayment of 20,000 is posted on the second loan and
	HRMS's Submit Salary Slip submits the first slip and refuses the second (its loan moved). The user is
	an HR Manager (who runs Payroll Entries in HRMS). `remove_payroll_draft_slip` removes it all again."""
	from employee_loans.sample_data import (
		background_jobs_inline,
		component_accounts,
		make_category,
		make_department,
		make_user,
		payroll_entry,
	)

	if not frappe.db.exists("Company", COMPANY):
		frappe.throw(
			_("{0} does not exist yet: run the app's tests on this site once first.").format(COMPANY),
			title=_("Test Company Missing"),
		)
	frappe.set_user("Administrator")
	make_user(email, ["HR Manager", "HR User", "Employee"])
	if password:
		update_password(email, password)
	component_accounts()
	abbr = frappe.get_cached_value("Company", COMPANY, "abbr")
	category = f"{PAYROLL_CHECK_CATEGORY} - {abbr}"
	if not frappe.db.exists("Employee Loan Category", category):
		category = make_category(
			PAYROLL_CHECK_CATEGORY, maximum_amount=500000, rate=8, min_months=6, max_months=60
		)
	department = make_department(PAYROLL_CHECK_DEPARTMENT)
	# a department of this run's employees only (earlier runs' employees have left it)
	frappe.db.set_value("Employee", {"department": department, "status": "Active"}, "status", "Inactive")
	month = get_first_day(nowdate())
	run = frappe.generate_hash(length=6).lower()
	employees, loans = [], []
	for name in ("on-time", "repaid"):
		employee = make_employee(
			f"el-payroll-check-{run}-{name}@example.com", roles=(), department=department
		)
		assign_structure(employee, base=100000, company=COMPANY)
		application = apply(employee, category, 120000, 12, posting_date=add_months(month, -1))
		employees.append(employee)
		loans.append(approve_and_disburse(application.name, add_months(month, -1)))
	entry = payroll_entry(department, str(month), str(get_last_day(month)))
	with background_jobs_inline():
		entry.submit()
	repayment = frappe.get_doc(
		{
			"doctype": "Employee Loan Repayment",
			"employee_loan": loans[1],
			"repayment_type": "Manual",
			"posting_date": nowdate(),
			"amount": 20000,
		}
	).insert()
	repayment.submit()
	frappe.db.commit()
	entry.reload()
	with background_jobs_inline():
		entry.submit_salary_slips()
	frappe.clear_messages()
	refused = frappe.db.get_value(
		"Salary Slip", {"payroll_entry": entry.name, "employee": employees[1], "docstatus": 0}
	)
	frappe.db.commit()
	return {
		"payroll_entry": entry.name,
		"refused_slip": refused,
		"employees": employees,
		"loans": loans,
		"user": email,
	}


@for_test_sites
def remove_payroll_draft_slip(payroll_entry: str) -> dict:
	"""Delete what `setup_payroll_draft_slip` made for `payroll_entry`: its employees with their slips,
	loans, repayments and journal entries, and the Payroll Entry itself."""
	from employee_loans.sample_data import delete_employees

	employees = frappe.get_all("Payroll Employee Detail", filters={"parent": payroll_entry}, pluck="employee")
	delete_employees(employees, [payroll_entry])
	return {"payroll_entry": payroll_entry, "employees": employees}


@for_test_sites
def setup_going_live(
	email: str = "going.live.hr@example.com", password: str | None = None, employees: int = 2
) -> dict:
	"""An HR Manager and `employees` employees of _Test Company with a salary structure and no salary
	slip, for the going-live browser check (going_live_check.py) to bring their existing loans in.

		bench --site SITE execute employee_loans.e2e.demo_data.setup_going_live \\
			--kwargs "{'password': 'Going-Live-1!'}"
	"""
	if not frappe.db.exists("Company", COMPANY):
		frappe.throw(
			_("{0} does not exist yet: run the app's tests on this site once first.").format(COMPANY),
			title=_("Test Company Missing"),
		)
	frappe.set_user("Administrator")
	# An HR Manager who is an employee (the Employee role is what lets HRMS users read the company), with
	# Create User Permission unticked: HRMS would otherwise restrict them to their own Employee record.
	make_employee(
		email, company=COMPANY, roles=("HR Manager", "HR User", "Employee"), create_user_permission=0
	)
	frappe.db.delete("User Permission", {"user": email, "allow": "Employee"})
	if password:
		update_password(email, password)
	names = []
	for index in range(employees):
		# without a user, an employee is found again by its first name
		employee = frappe.db.get_value(
			"Employee", {"first_name": f"going.live.{index}", "company": COMPANY, "status": "Active"}
		) or make_employee(f"going.live.{index}@example.com", company=COMPANY, roles=())
		if not frappe.db.exists("Salary Structure Assignment", {"employee": employee, "docstatus": 1}):
			assign_structure(employee, base=60000, company=COMPANY)
		names.append(employee)
	load_starter_categories(COMPANY)
	frappe.db.commit()
	abbr = frappe.get_cached_value("Company", COMPANY, "abbr")
	return {
		"user": email,
		"company": COMPANY,
		"employees": names,
		"categories": [f"Personal - {abbr}", f"Emergency - {abbr}"],
	}


@for_test_sites
def remove_going_live_loans(employees: int = 2) -> dict:
	"""Delete the loans the going-live check brought in for setup_going_live's employees, with their
	opening entries and imports, so that tests which count every loan record of the site find none.

		bench --site SITE execute employee_loans.e2e.demo_data.remove_going_live_loans
	"""
	names = frappe.get_all(
		"Employee",
		filters={
			"first_name": ("in", [f"going.live.{index}" for index in range(employees)]),
			"company": COMPANY,
		},
		pluck="name",
	)
	loans = frappe.get_all("Employee Loan", filters={"employee": ("in", names or [""])}, pluck="name")
	imports = sorted(
		set(frappe.get_all("Employee Loan", filters={"name": ("in", loans or [""])}, pluck="loan_import"))
		- {None}
	)
	delete_loans(loans)
	for name in imports:
		frappe.db.delete("Employee Loan Import Problem", {"parent": name})
		frappe.db.delete("Employee Loan Import", {"name": name})
	frappe.db.commit()
	return {"loans": loans, "imports": imports}
