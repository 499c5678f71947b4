"""Sample records for test sites: the factories the integration tests, the benchmarks and the portal's
demo data build their records with, the bulk loader that gives a site a big company's volume, and the
clean-up of what they made.

Most of this writes or deletes records outside their documents' normal life (bulk inserts, deletes
straight from the tables, users with a known password), so every public function here refuses to run on
a site without `allow_tests` in its site config: sample data never lands on a production site by
mistake. The integration tests (employee_loans/tests) import from here; nothing here imports them.
"""

from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from functools import wraps

import frappe
from frappe import _
from frappe.utils import add_months, get_first_day, get_last_day, getdate, now_datetime, random_string

from employee_loans.accounts import ensure_loan_accounts
from employee_loans.payroll_hooks.salary_slip import fill_loan_deduction_totals

COMPANY = "_Test Company"
BASIC = "EL Basic Salary"
PROFESSIONAL_TAX = "EL Professional Tax"
LOAN_COMPONENT = "Loan EMI"
INTEREST_COMPONENT = "Loan Interest"
STRUCTURE = "EL Test Structure"
PASSWORD = "Loans-Test-1!"

# -- the guard -------------------------------------------------------------------------------------


def require_test_site() -> None:
	"""Refuse unless the site is a test site (`allow_tests` in its site config)."""
	if not frappe.conf.allow_tests:
		frappe.throw(
			_(
				"Sample data and benchmarks create and delete records in bulk, so they only run on a test "
				"site. Run this on a test site with allow_tests turned on "
				"(bench --site SITE set-config allow_tests true), never on a live site."
			),
			title=_("Not a Test Site"),
		)


def for_test_sites(function: Callable) -> Callable:
	"""`function`, refused on a site without allow_tests (see require_test_site)."""

	@wraps(function)
	def guarded(*args, **kwargs):
		require_test_site()
		return function(*args, **kwargs)

	return guarded


# -- users, employees, settings and categories ---------------------------------------------------


@for_test_sites
def make_user(email: str, roles: list[str]) -> str:
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"new_password": PASSWORD,
				"send_welcome_email": 0,
				"roles": [{"role": role} for role in roles],
			}
		).insert(ignore_permissions=True)
	else:
		user = frappe.get_doc("User", email)
		user.add_roles(*roles)
	return email


@for_test_sites
def make_employee(
	email: str,
	company: str = COMPANY,
	roles: tuple = ("Employee",),
	date_of_joining="2020-01-01",
	**fields,
) -> str:
	"""An Active employee linked to a user with the given roles (no user when `roles` is empty)."""
	if roles:
		make_user(email, list(roles))
	existing = frappe.db.get_value("Employee", {"user_id": email}) if roles else None
	if existing:
		frappe.db.set_value("Employee", existing, {"status": "Active", "relieving_date": None, **fields})
		return existing
	employee = frappe.get_doc(
		{
			"doctype": "Employee",
			"first_name": email.split("@")[0],
			"company": company,
			"user_id": email if roles else None,
			"date_of_birth": "1990-05-08",
			"date_of_joining": date_of_joining,
			"gender": "Female",
			"status": "Active",
			**fields,
		}
	)
	employee.insert(ignore_permissions=True)
	return employee.name


@for_test_sites
def make_department(name: str, company: str = COMPANY) -> str:
	abbr = frappe.get_cached_value("Company", company, "abbr")
	full_name = f"{name} - {abbr}"
	if not frappe.db.exists("Department", full_name):
		frappe.get_doc(
			{
				"doctype": "Department",
				"department_name": name,
				"company": company,
				"parent_department": "All Departments",
			}
		).insert(ignore_permissions=True)
	return full_name


@for_test_sites
def make_category(
	name: str = "Personal",
	company: str = COMPANY,
	maximum_amount=500000,
	rate=8,
	method="Reducing Balance",
	min_months=6,
	max_months=60,
	**fields,
) -> str:
	"""The category `name` of `company`, made afresh with these terms."""
	abbr = frappe.get_cached_value("Company", company, "abbr")
	full_name = f"{name} - {abbr}"
	if frappe.db.exists("Employee Loan Category", full_name):
		frappe.delete_doc("Employee Loan Category", full_name, force=True, ignore_permissions=True)
	loan_account, interest_account = ensure_loan_accounts(company)
	fields = {
		"loan_account": loan_account,
		"interest_income_account": interest_account if rate else None,
		**fields,
	}
	return (
		frappe.get_doc(
			{
				"doctype": "Employee Loan Category",
				"category_name": name,
				"company": company,
				"maximum_amount": maximum_amount,
				"annual_interest_rate": rate,
				"interest_method": method,
				"minimum_tenure_months": min_months,
				"maximum_tenure_months": max_months,
				**fields,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


@for_test_sites
def set_settings(**values) -> None:
	"""Employee Loan Settings as the tests expect them, with `values` on top."""
	settings = frappe.get_single("Employee Loan Settings")
	defaults = {
		"enable_applications": 1,
		"emi_limit_percent": 50,
		"emi_limit_action": "Warn",
		"minimum_service_months": 0,
		"maximum_active_loans": 3,
		"deduction_component": LOAN_COMPONENT,
		"short_pay_policy": "Skip Month",
		"protected_net_pay": 0,
		"reamortisation_mode": "Keep End Date",
		"max_holiday_months_per_loan": 3,
		"max_holiday_months_per_year": 2,
		"holiday_interest": "Added to Principal",
		"holiday_absorb": "Extend Term",
	}
	settings.update({**defaults, **values})
	settings.flags.ignore_permissions = True
	settings.save()
	frappe.clear_document_cache("Employee Loan Settings", "Employee Loan Settings")


# -- salary ----------------------------------------------------------------------------------------


@for_test_sites
def make_component(name: str, abbr: str, component_type: str) -> str:
	if not frappe.db.exists("Salary Component", name):
		frappe.get_doc(
			{
				"doctype": "Salary Component",
				"salary_component": name,
				"salary_component_abbr": abbr,
				"type": component_type,
				"depends_on_payment_days": 0,
			}
		).insert(ignore_permissions=True)
	return name


@for_test_sites
def make_structure(company: str = COMPANY, professional_tax=200) -> str:
	"""A monthly structure: basic = base, a fixed professional tax; no proration, no income tax."""
	make_component(BASIC, "ELB", "Earning")
	make_component(PROFESSIONAL_TAX, "ELPT", "Deduction")
	if frappe.db.exists("Salary Structure", {"name": STRUCTURE, "docstatus": 1}):
		return STRUCTURE
	structure = frappe.get_doc(
		{
			"doctype": "Salary Structure",
			"name": STRUCTURE,
			"company": company,
			"payroll_frequency": "Monthly",
			"currency": frappe.get_cached_value("Company", company, "default_currency"),
			"earnings": [
				{
					"salary_component": BASIC,
					"abbr": "ELB",
					"amount_based_on_formula": 1,
					"formula": "base",
					"depends_on_payment_days": 0,
				}
			],
			"deductions": [
				{
					"salary_component": PROFESSIONAL_TAX,
					"abbr": "ELPT",
					"amount": professional_tax,
					"depends_on_payment_days": 0,
				}
			],
		}
	)
	structure.insert(ignore_permissions=True)
	structure.submit()
	return structure.name


@for_test_sites
def assign_structure(employee: str, base, from_date="2020-01-01", company: str = COMPANY):
	"""The employee's only Salary Structure Assignment: the structure above with this base. The structure
	has no income tax component, so the assignment needs no tax slab or payroll period."""
	make_structure(company)
	frappe.db.delete("Salary Structure Assignment", {"employee": employee})
	assignment = frappe.get_doc(
		{
			"doctype": "Salary Structure Assignment",
			"employee": employee,
			"salary_structure": STRUCTURE,
			"company": company,
			"currency": frappe.get_cached_value("Company", company, "default_currency"),
			"from_date": from_date,
			"base": base,
		}
	)
	assignment.insert(ignore_permissions=True)
	assignment.submit()
	return assignment


@for_test_sites
def make_slip(employee: str, posting_date, submit: bool = False):
	"""A monthly salary slip for the month of `posting_date`, built the way the desk builds one."""
	start = get_first_day(getdate(posting_date))
	slip = frappe.get_doc(
		{
			"doctype": "Salary Slip",
			"employee": employee,
			"posting_date": start,
			"start_date": start,
			"payroll_frequency": "Monthly",
		}
	)
	slip.insert(ignore_permissions=True)
	if submit:
		slip.submit()
	return slip


# -- loans through the app's own actions -----------------------------------------------------------


@for_test_sites
def apply(employee: str, category: str, amount=200000, months=24, **fields):
	return frappe.get_doc(
		{
			"doctype": "Employee Loan Application",
			"employee": employee,
			"loan_category": category,
			"loan_amount": amount,
			"tenure_months": months,
			"reason": "Family needs",
			**fields,
		}
	).insert()


@for_test_sites
def approve_and_disburse(application: str, disbursement_date="2026-01-15", **kwargs) -> str:
	from employee_loans.employee_loans.doctype.employee_loan.employee_loan import disburse
	from employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application import (
		approve,
	)

	loan = approve(application)
	disburse(loan, disbursement_date, **kwargs)
	return loan


# -- payroll runs ----------------------------------------------------------------------------------


@for_test_sites
def ledger_account(name: str, parent: str, company: str = COMPANY) -> str:
	abbr = frappe.get_cached_value("Company", company, "abbr")
	account = f"{name} - {abbr}"
	if not frappe.db.exists("Account", account):
		frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": name,
				"parent_account": f"{parent} - {abbr}",
				"company": company,
			}
		).insert(ignore_permissions=True)
	return account


@for_test_sites
def component_accounts(company: str = COMPANY) -> None:
	"""Payroll Entry's accrual journal needs an account per component for the company: salary to an
	expense, the professional tax to a liability, the loan's principal to the loan account and its
	interest to interest income (what saving a loan category sets)."""
	make_structure(company)
	salary = ledger_account("Salary", "Indirect Expenses", company)
	deductions = ledger_account("Salary Deductions", "Current Liabilities", company)
	loan_account, interest_account = ensure_loan_accounts(company)
	accounts = {
		BASIC: salary,
		PROFESSIONAL_TAX: deductions,
		LOAN_COMPONENT: loan_account,
		INTEREST_COMPONENT: interest_account,
	}
	for component, account in accounts.items():
		doc = frappe.get_doc("Salary Component", component)
		doc.set("accounts", [row for row in doc.accounts if row.company != company])
		doc.append("accounts", {"company": company, "account": account})
		doc.save(ignore_permissions=True)


ENQUEUE_ONLY_ARGUMENTS = ("queue", "timeout", "event", "is_async", "job_name", "now", "enqueue_after_commit", "at_front", "job_id", "deduplicate", "on_success", "on_failure")  # fmt: skip


@for_test_sites
@contextmanager
def background_jobs_inline():
	"""Run what Payroll Entry enqueues (its >30-employee path) at once, in this process, exactly as a
	worker would run the job function."""

	def run_now(method, **kwargs):
		method = frappe.get_attr(method) if isinstance(method, str) else method
		return method(**{key: value for key, value in kwargs.items() if key not in ENQUEUE_ONLY_ARGUMENTS})

	enqueue = frappe.enqueue
	frappe.enqueue = run_now
	try:
		yield
	finally:
		frappe.enqueue = enqueue


@for_test_sites
def make_batch(
	count: int, with_loans: int, categories: list[str], department: str, base=50000
) -> tuple[list, list]:
	"""`count` salaried employees of one department; the first `with_loans` get a disbursed loan."""
	run = random_string(6).lower()
	employees, loans = [], []
	for index in range(count):
		# payroll needs no user accounts (and Frappe throttles creating many in an hour)
		employee = make_employee(f"el-batch-{run}-{index}@example.com", roles=(), department=department)
		assign_structure(employee, base=base)
		employees.append(employee)
		if index < with_loans:
			category = categories[index % len(categories)]
			application = apply(employee, category, 12000 + 1000 * (index % 7), 12, posting_date="2025-12-01")
			loans.append(approve_and_disburse(application.name, "2025-12-15"))
	return employees, loans


@for_test_sites
def payroll_entry(department: str, start_date: str, end_date: str, company: str = COMPANY):
	"""A saved Payroll Entry for the department's employees in the period."""
	company_doc = frappe.get_cached_doc("Company", company)
	entry = frappe.new_doc("Payroll Entry")
	entry.update(
		{
			"company": company,
			"posting_date": end_date,
			"start_date": start_date,
			"end_date": end_date,
			"payroll_frequency": "Monthly",
			"department": department,
			"currency": company_doc.default_currency,
			"exchange_rate": 1,
			"payroll_payable_account": company_doc.default_payroll_payable_account,
			"cost_center": company_doc.cost_center,
			"payment_account": frappe.db.get_value(
				"Account", {"account_type": "Cash", "company": company, "is_group": 0}
			),
		}
	)
	entry.fill_employee_details()
	entry.insert(ignore_permissions=True)
	return entry


# -- removing what was made ------------------------------------------------------------------------
# Straight from the tables: submitted loans, repayments and slips cannot be deleted otherwise.


def _delete_salary_slips(slips: list[str]) -> None:
	if slips:
		frappe.db.delete("Salary Detail", {"parent": ("in", slips), "parenttype": "Salary Slip"})
		frappe.db.delete("Salary Slip", {"name": ("in", slips)})


def _delete_journal_entries(journals: list[str]) -> None:
	for journal in journals:
		frappe.db.delete("GL Entry", {"voucher_no": journal})
		frappe.db.delete("Payment Ledger Entry", {"voucher_no": journal})
		frappe.db.delete("Journal Entry Account", {"parent": journal})
		frappe.db.delete("Journal Entry", {"name": journal})


def _delete_applications(applications: list[str]) -> None:
	if applications:
		frappe.db.delete("Employee Loan Eligibility Finding", {"parent": ("in", applications)})
		frappe.db.delete("Employee Loan Application", {"name": ("in", applications)})


@for_test_sites
def delete_loans(loans: list[str]) -> dict:
	"""The loans with their schedules, repayments, changes and applications, the journal entries that
	booked them, and the salary slips that deducted them. Does not commit."""
	if not loans:
		return {"loans": [], "salary_slips": [], "applications": []}
	slips = sorted(
		set(
			frappe.get_all(
				"Salary Detail",
				filters={"employee_loan": ("in", loans), "parenttype": "Salary Slip"},
				pluck="parent",
			)
		)
	)
	applications = frappe.get_all(
		"Employee Loan",
		filters={"name": ("in", loans), "loan_application": ("is", "set")},
		pluck="loan_application",
	)
	_delete_salary_slips(slips)
	_delete_journal_entries(
		frappe.get_all("Journal Entry", filters={"employee_loan": ("in", loans)}, pluck="name")
	)
	# the opening entries of loans brought in together name no single loan
	_delete_journal_entries(
		frappe.get_all(
			"Employee Loan",
			filters={"name": ("in", loans), "opening_journal_entry": ("is", "set")},
			pluck="opening_journal_entry",
			distinct=True,
		)
	)
	frappe.db.delete("Employee Loan Repayment", {"employee_loan": ("in", loans)})
	frappe.db.delete("Employee Loan Change", {"employee_loan": ("in", loans)})
	frappe.db.delete("Employee Loan Schedule", {"parent": ("in", loans)})
	frappe.db.delete("Employee Loan", {"name": ("in", loans)})
	_delete_applications(applications)
	return {"loans": list(loans), "salary_slips": slips, "applications": applications}


@for_test_sites
def delete_employees(employees: list[str], payroll_entries: list[str] | None = None) -> None:
	"""The employees and everything made for them: salary slips, the payroll entries' journals, loans,
	applications, salary structure assignments and their users. Commits: Payroll Entry's jobs have
	committed what this removes."""
	if not employees:
		return
	payroll_entries = payroll_entries or []
	journals = frappe.get_all(
		"Journal Entry Account",
		filters={"reference_type": "Payroll Entry", "reference_name": ("in", payroll_entries or [""])},
		pluck="parent",
		distinct=True,
	)
	statements = frappe.get_all(
		"Full and Final Statement", filters={"employee": ("in", employees)}, pluck="name"
	)
	journals += frappe.get_all(
		"Journal Entry Account",
		filters={"reference_type": "Full and Final Statement", "reference_name": ("in", statements or [""])},
		pluck="parent",
		distinct=True,
	)
	_delete_journal_entries(journals)
	for statement in statements:
		for table in ("Full and Final Outstanding Statement", "Full and Final Asset"):
			frappe.db.delete(table, {"parent": statement})
		frappe.db.delete("Full and Final Statement", {"name": statement})
	_delete_salary_slips(frappe.get_all("Salary Slip", filters={"employee": ("in", employees)}, pluck="name"))
	delete_loans(frappe.get_all("Employee Loan", filters={"employee": ("in", employees)}, pluck="name"))
	_delete_applications(
		frappe.get_all("Employee Loan Application", filters={"employee": ("in", employees)}, pluck="name")
	)
	for entry in payroll_entries:
		frappe.db.delete("Payroll Employee Detail", {"parent": entry})
		frappe.db.delete("Payroll Entry", {"name": entry})
	frappe.db.delete("Salary Structure Assignment", {"employee": ("in", employees)})
	users = frappe.get_all("Employee", filters={"name": ("in", employees)}, pluck="user_id")
	frappe.db.delete("Employee", {"name": ("in", employees)})
	for user in users:
		if user:
			frappe.delete_doc("User", user, force=True, ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: the payroll jobs committed what this removes


# -- volume in bulk --------------------------------------------------------------------------------

SYSTEM_FIELDS = ("creation", "modified", "owner", "modified_by", "docstatus")
VOLUME_CATEGORIES = (("Personal", 8), ("Emergency", 0), ("Housing", 7), ("Vehicle", 9))
VOLUME_DEPARTMENTS = ("Operations", "Finance", "Sales", "Support")
VOLUME_TENURES = (25, 36, 48, 60)
VOLUME_FIRST_MONTH = date(2022, 1, 1)
CHUNK = 20000


@for_test_sites
def bulk_insert(doctype: str, fields: Sequence[str], rows: Iterable[tuple], docstatus: int = 1) -> None:
	"""Rows straight into the table, `CHUNK` at a time, stamped as made now by Administrator; then
	commit. No controller, validation or hook runs: for volume on test sites only."""
	now = now_datetime()
	stamp = (now, now, "Administrator", "Administrator", docstatus)
	frappe.db.bulk_insert(
		doctype, [*SYSTEM_FIELDS, *fields], ((*stamp, *row) for row in rows), chunk_size=CHUNK
	)
	frappe.db.commit()  # nosemgrep: hundreds of thousands of rows; each table is loaded in one go


@for_test_sites
def load_loan_volume(
	prefix: str, company: str, loans: int, repayments_per_loan: int, schedules: bool = False
) -> dict:
	"""Employees (one per ten loans, in four departments), loans in four categories, their repayments
	(every tenth a manual one, the others posted by a submitted salary slip with its loan deduction
	row) and, with `schedules`, every loan's schedule; in bulk. Every record is named after `prefix`
	("PREFIX-L-000001", "PREFIX Personal"), which is how remove_loan_volume finds it. Loans whose
	repayments reach the tenure are Closed, the others Disbursed."""
	if frappe.db.exists("Employee Loan", {"name": ("like", f"{prefix}-%")}):
		frappe.throw(
			_(
				"Sample loans named {0}-... are already on this site. Remove them first: the benchmark's "
				"cleanup, or employee_loans.sample_data.remove_loan_volume."
			).format(prefix),
			title=_("Sample Data Already Loaded"),
		)
	employees = max(1, loans // 10)
	categories = [
		(make_category(f"{prefix} {name}", company, 1000000, rate, "Reducing Balance" if rate else "Interest Free", 1, 60), rate)
		for name, rate in VOLUME_CATEGORIES
	]  # fmt: skip
	departments = [make_department(f"{prefix} {name}", company) for name in VOLUME_DEPARTMENTS]
	currency = frappe.get_cached_value("Company", company, "default_currency")

	employee_rows = [
		(f"{prefix}-E-{index:05d}", f"Sample Employee {index}", f"Sample {index}", company, "Active",
		 departments[index % len(departments)], "Female", "1990-01-01", "2019-01-01")
		for index in range(employees)
	]  # fmt: skip
	bulk_insert(
		"Employee",
		["name", "employee_name", "first_name", "company", "status", "department", "gender", "date_of_birth",
		 "date_of_joining"],
		employee_rows,
		docstatus=0,
	)  # fmt: skip

	loan_rows, repayment_rows, schedule_rows, detail_rows = [], [], [], []
	slips: dict[tuple[str, date], str] = {}
	for index in range(loans):
		employee_index = index % employees
		employee, employee_name, *_rest = employee_rows[employee_index]
		department = employee_rows[employee_index][5]
		category, rate = categories[index % len(categories)]
		tenure = VOLUME_TENURES[(index // 7) % len(VOLUME_TENURES)]
		posted = min(repayments_per_loan, tenure)
		principal_emi = 1000 * (1 + index % 10)
		amount = principal_emi * tenure
		disbursed = add_months(VOLUME_FIRST_MONTH, (employee_index * 7 + index * 3) % 34) + timedelta(days=9)
		first_due = add_months(getdate(disbursed).replace(day=1), 1)
		loan = f"{prefix}-L-{index:06d}"
		outstanding, interest_total = amount, 0
		for number in range(1, (tenure if schedules else posted) + 1):
			due = add_months(first_due, number - 1)
			interest = round(outstanding * rate / 1200, 2)
			principal = min(principal_emi, outstanding)
			emi = round(principal + interest, 2)
			opening, outstanding = outstanding, round(outstanding - principal, 2)
			paid = number <= posted
			repayment = slip = None
			if paid:
				interest_total = round(interest_total + interest, 2)
				repayment = f"{prefix}-R-{index:06d}-{number:02d}"
				manual = number % 10 == 0
				if not manual:
					slip = slips.setdefault((employee, due), f"{prefix}-S-{employee_index:05d}-{due:%Y%m}")
					detail_rows.append(
						(f"{prefix}-D-{index:06d}-{number:02d}", slip, "Salary Slip", "deductions", number,
						 LOAN_COMPONENT, "LEMI", emi, emi, loan)
					)  # fmt: skip
				repayment_rows.append(
					(repayment, loan, employee, employee_name, company, get_last_day(due),
					 "Manual" if manual else "Salary Slip", "Manual" if manual else "Due",
					 0 if manual else number, None if manual else due, emi, principal, interest,
					 0 if manual else emi, slip, None if manual else due, None if manual else get_last_day(due))
				)  # fmt: skip
			if schedules:
				schedule_rows.append(
					(f"{prefix}-P-{index:06d}-{number:02d}", loan, "Employee Loan", "schedule", number, number,
					 due, opening, emi, interest, principal, outstanding, "Paid" if paid else "Pending",
					 emi if paid else 0, principal if paid else 0, interest if paid else 0, slip, repayment)
				)  # fmt: skip
		repaid = principal_emi * posted
		closed = repaid >= amount
		loan_rows.append(
			(loan, employee, employee_name, department, company, "Closed" if closed else "Disbursed", category,
			 "Reducing Balance" if rate else "Interest Free", rate, amount, tenure, principal_emi, LOAN_COMPONENT,
			 disbursed, f"NEFT-{index}", "Administrator", f"{disbursed - timedelta(days=5)} 10:00:00",
			 amount - repaid, repaid, interest_total, repaid + interest_total, posted, tenure,
			 None if closed else add_months(first_due, posted), amount - repaid,
			 get_last_day(add_months(first_due, posted - 1)) if closed else None, "Repaid" if closed else "")
		)  # fmt: skip
	bulk_insert(
		"Employee Loan",
		["name", "employee", "employee_name", "department", "company", "status", "loan_category",
		 "interest_method", "annual_interest_rate", "loan_amount", "tenure_months", "emi", "salary_component",
		 "disbursement_date", "disbursement_reference", "approved_by", "approved_on", "outstanding_balance",
		 "principal_repaid", "interest_paid", "amount_repaid", "emis_paid", "total_emis", "next_emi_date",
		 "remaining_payable", "closure_date", "closure_type"],
		loan_rows,
	)  # fmt: skip
	loan = frappe.qb.DocType("Employee Loan")
	frappe.qb.update(loan).set(loan.current_interest_rate, loan.annual_interest_rate).where(
		loan.name.like(f"{prefix}%")
	).run()
	bulk_insert(
		"Employee Loan Schedule",
		["name", "parent", "parenttype", "parentfield", "idx", "instalment_number", "due_date",
		 "opening_balance", "emi", "interest_amount", "principal_amount", "closing_balance", "status",
		 "paid_amount", "paid_principal", "paid_interest", "salary_slip", "repayment"],
		schedule_rows,
	)  # fmt: skip
	bulk_insert(
		"Employee Loan Repayment",
		["name", "employee_loan", "employee", "employee_name", "company", "posting_date", "repayment_type",
		 "reason", "instalment_number", "due_date", "amount", "principal_amount", "interest_amount",
		 "scheduled_amount", "salary_slip", "payroll_start_date", "payroll_end_date"],
		repayment_rows,
	)  # fmt: skip
	bulk_insert(
		"Salary Slip",
		["name", "employee", "company", "status", "payroll_frequency", "currency", "start_date", "end_date",
		 "posting_date"],
		(
			(slip, employee, company, "Submitted", "Monthly", currency, start, get_last_day(start),
			 get_last_day(start))
			for (employee, start), slip in slips.items()
		),
	)  # fmt: skip
	bulk_insert(
		"Salary Detail",
		["name", "parent", "parenttype", "parentfield", "idx", "salary_component", "abbr", "amount",
		 "default_amount", "employee_loan"],
		detail_rows,
	)  # fmt: skip
	# what the slip hook stores on every slip it saves
	fill_loan_deduction_totals(f"{prefix}-S-%")
	return {
		"employees": len(employee_rows),
		"loans": len(loan_rows),
		"repayments": len(repayment_rows),
		"schedule_rows": len(schedule_rows),
		"salary_slips": len(slips),
		"slip_loan_rows": len(detail_rows),
		"categories": [name for name, _rate in categories],
		"departments": departments,
		"first_employee": employee_rows[0][0],
	}


@for_test_sites
def remove_loan_volume(prefix: str) -> None:
	"""Everything load_loan_volume wrote for `prefix`; commits."""
	like = ("like", f"{prefix}-%")
	for doctype in (
		"Salary Detail",
		"Salary Slip",
		"Employee Loan Repayment",
		"Employee Loan Schedule",
		"Employee Loan",
		"Employee",
	):
		frappe.db.delete(doctype, {"name": like})
	for doctype in ("Employee Loan Category", "Department"):
		for name in frappe.get_all(doctype, filters={"name": ("like", f"{prefix} %")}, pluck="name"):
			frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: the bulk loader committed what this removes
