"""Report benchmark: the four loan reports on a site with 20,000 loans and 500,000 repayments.

Run it inside a bench, on a test site. It writes the volume straight to the tables (bulk inserts: 2,000
employees, 20,000 loans, 500,000 repayments, the salary slips that posted the payroll repayments and
their loan deduction rows), times each report through the desk's own entry point
(frappe.desk.query_report.run) several times, prints a table, and removes everything it wrote:

	bench --site SITE execute employee_loans.benchmarks.report_volume.run
	bench --site SITE execute employee_loans.benchmarks.report_volume.run --kwargs "{'loans': 2000, 'repayments': 50000}"
	bench --site SITE execute employee_loans.benchmarks.report_volume.run --kwargs "{'keep': 1}"   # keep the data
	bench --site SITE execute employee_loans.benchmarks.report_volume.cleanup

Everything it writes is named with the prefix ELRV- (or "ELRV ..." for categories and departments), which
is how `cleanup` finds it.
"""

import statistics
import time
from contextlib import contextmanager
from datetime import date, timedelta

import frappe
from frappe.utils import add_months, get_last_day, getdate, now_datetime

PREFIX = "ELRV"
USER = "elrv-employee@example.com"
CATEGORIES = (("ELRV Personal", 8), ("ELRV Emergency", 0), ("ELRV Housing", 7), ("ELRV Vehicle", 9))
DEPARTMENTS = ("ELRV Operations", "ELRV Finance", "ELRV Sales", "ELRV Support")
TENURES = (25, 36, 48, 60)  # every loan has 25 repayments posted: the 25-month ones are closed
FIRST_MONTH = date(2022, 1, 1)
CHUNK = 20000
SYSTEM_FIELDS = ["creation", "modified", "owner", "modified_by", "docstatus"]


# -- loading ---------------------------------------------------------------------------------------


def bulk(doctype: str, fields: list[str], rows: list[tuple]) -> None:
	for start in range(0, len(rows), CHUNK):
		frappe.db.bulk_insert(doctype, fields, rows[start : start + CHUNK])
	frappe.db.commit()


def default_company() -> str:
	if frappe.db.exists("Company", "_Test Company"):
		return "_Test Company"
	return (
		frappe.defaults.get_global_default("company") or frappe.get_all("Company", pluck="name", limit=1)[0]
	)


def make_categories(company: str) -> list[str]:
	abbr = frappe.get_cached_value("Company", company, "abbr")
	names = []
	for category, rate in CATEGORIES:
		name = f"{category} - {abbr}"
		if not frappe.db.exists("Employee Loan Category", name):
			frappe.get_doc(
				{
					"doctype": "Employee Loan Category",
					"category_name": category,
					"company": company,
					"maximum_amount": 1000000,
					"annual_interest_rate": rate,
					"interest_method": "Reducing Balance" if rate else "Interest Free",
					"minimum_tenure_months": 1,
					"maximum_tenure_months": 60,
				}
			).insert(ignore_permissions=True)
		names.append(name)
	return names


def make_departments(company: str) -> list[str]:
	abbr = frappe.get_cached_value("Company", company, "abbr")
	names = []
	for department in DEPARTMENTS:
		name = f"{department} - {abbr}"
		if not frappe.db.exists("Department", name):
			frappe.get_doc(
				{
					"doctype": "Department",
					"department_name": department,
					"company": company,
					"parent_department": "All Departments",
				}
			).insert(ignore_permissions=True)
		names.append(name)
	return names


def load(loans: int, repayments: int, company: str) -> dict:
	"""Employees, loans, salary slips with their loan deduction rows, and repayments, in bulk."""
	if frappe.db.exists("Employee Loan", {"name": ("like", f"{PREFIX}-%")}):
		frappe.throw(f"Benchmark data is already loaded; run {__name__}.cleanup first.")
	per_loan = max(1, repayments // loans)
	employees = max(1, loans // 10)
	categories = make_categories(company)
	departments = make_departments(company)
	currency = frappe.get_cached_value("Company", company, "default_currency")
	now = now_datetime()
	system = (now, now, "Administrator", "Administrator")

	employee_rows = []
	for index in range(employees):
		name = f"{PREFIX}-E-{index:05d}"
		employee_rows.append(
			(name, *system, 0, f"Bench Employee {index}", f"Bench {index}", company, "Active",
			 departments[index % len(departments)], "Female", "1990-01-01", "2019-01-01")
		)  # fmt: skip
	bulk(
		"Employee",
		["name", *SYSTEM_FIELDS, "employee_name", "first_name", "company", "status", "department", "gender",
		 "date_of_birth", "date_of_joining"],
		employee_rows,
	)  # fmt: skip

	loan_rows, repayment_rows = [], []
	slips: dict[tuple[str, date], str] = {}
	detail_rows = []
	for index in range(loans):
		employee_index = index % employees
		employee = employee_rows[employee_index]
		category_index = index % len(categories)
		rate = CATEGORIES[category_index][1]
		tenure = TENURES[(index // 7) % len(TENURES)]
		principal_emi = 1000 * (1 + index % 10)
		amount = principal_emi * tenure
		disbursed = add_months(FIRST_MONTH, (employee_index * 7 + index * 3) % 34) + timedelta(days=9)
		first_due = add_months(getdate(disbursed).replace(day=1), 1)
		name = f"{PREFIX}-L-{index:06d}"
		outstanding = amount
		interest_total = 0
		posted = 0
		for number in range(1, per_loan + 1):
			due = add_months(first_due, number - 1)
			end = get_last_day(due)
			interest = round(outstanding * rate / 1200, 2)
			manual = number % 10 == 0
			principal = min(principal_emi, outstanding)
			paid = round(principal + interest, 2)
			outstanding = round(outstanding - principal, 2)
			interest_total = round(interest_total + interest, 2)
			posted += 1
			repayment = f"{PREFIX}-R-{index:06d}-{number:02d}"
			slip = None
			if not manual:
				key = (employee[0], due)
				slip = slips.get(key)
				if slip is None:
					slip = slips[key] = f"{PREFIX}-S-{employee_index:05d}-{due:%Y%m}"
				detail_rows.append(
					(f"{PREFIX}-D-{index:06d}-{number:02d}", *system, 1, slip, "Salary Slip", "deductions",
					 number, "Loan EMI", "LEMI", paid, paid, name)
				)  # fmt: skip
			repayment_rows.append(
				(repayment, *system, 1, name, employee[0], employee[6], company, end,
				 "Manual" if manual else "Salary Slip", "Manual" if manual else "Due",
				 0 if manual else number, None if manual else due, paid, principal, interest,
				 0 if manual else paid, slip, None if manual else due, None if manual else end)
			)  # fmt: skip
		closed = outstanding == 0
		last_end = get_last_day(add_months(first_due, per_loan - 1))
		loan_rows.append(
			(name, *system, 1, employee[0], employee[6], employee[10], company,
			 "Closed" if closed else "Disbursed", categories[category_index],
			 "Reducing Balance" if rate else "Interest Free", rate, amount, tenure, principal_emi, "Loan EMI",
			 disbursed, f"NEFT-{index}", "Administrator", f"{disbursed - timedelta(days=5)} 10:00:00",
			 outstanding, amount - outstanding, interest_total, amount - outstanding + interest_total, posted,
			 tenure, None if closed else add_months(first_due, per_loan), outstanding,
			 last_end if closed else None, "Repaid" if closed else "")
		)  # fmt: skip
	bulk(
		"Employee Loan",
		["name", *SYSTEM_FIELDS, "employee", "employee_name", "department", "company", "status",
		 "loan_category", "interest_method", "annual_interest_rate", "loan_amount", "tenure_months", "emi",
		 "salary_component", "disbursement_date", "disbursement_reference", "approved_by", "approved_on",
		 "outstanding_balance", "principal_repaid", "interest_paid", "amount_repaid", "emis_paid",
		 "total_emis", "next_emi_date", "remaining_payable", "closure_date", "closure_type"],
		loan_rows,
	)  # fmt: skip
	bulk(
		"Employee Loan Repayment",
		["name", *SYSTEM_FIELDS, "employee_loan", "employee", "employee_name", "company", "posting_date",
		 "repayment_type", "reason", "instalment_number", "due_date", "amount", "principal_amount",
		 "interest_amount", "scheduled_amount", "salary_slip", "payroll_start_date", "payroll_end_date"],
		repayment_rows,
	)  # fmt: skip
	slip_rows = [
		(slip, *system, 1, employee, company, "Submitted", "Monthly", currency, start, get_last_day(start),
		 get_last_day(start))
		for (employee, start), slip in slips.items()
	]  # fmt: skip
	bulk(
		"Salary Slip",
		["name", *SYSTEM_FIELDS, "employee", "company", "status", "payroll_frequency", "currency",
		 "start_date", "end_date", "posting_date"],
		slip_rows,
	)  # fmt: skip
	bulk(
		"Salary Detail",
		["name", *SYSTEM_FIELDS, "parent", "parenttype", "parentfield", "idx", "salary_component", "abbr",
		 "amount", "default_amount", "employee_loan"],
		detail_rows,
	)  # fmt: skip
	return {
		"employees": len(employee_rows),
		"loans": len(loan_rows),
		"repayments": len(repayment_rows),
		"salary_slips": len(slip_rows),
		"slip_loan_rows": len(detail_rows),
		"categories": categories,
		"departments": departments,
		"first_employee": employee_rows[0][0],
	}


def link_user(employee: str) -> str:
	"""An Employee-role user linked to one of the bench employees, for the employee-only view."""
	if not frappe.db.exists("User", USER):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": USER,
				"first_name": "Bench Employee",
				"send_welcome_email": 0,
			}
		).insert(ignore_permissions=True)
	frappe.db.set_value("Employee", employee, "user_id", USER)
	# ERPNext gives the Employee role only to users linked to an Employee
	frappe.get_doc("User", USER).add_roles("Employee")
	frappe.db.commit()
	return USER


# -- timing ----------------------------------------------------------------------------------------


@contextmanager
def counting_queries():
	counter = {"queries": 0}
	original = frappe.db.sql

	def counted(*args, **kwargs):
		counter["queries"] += 1
		return original(*args, **kwargs)

	frappe.db.sql = counted
	try:
		yield counter
	finally:
		frappe.db.sql = original


def time_report(report: str, filters: dict, runs: int, user: str = "Administrator") -> dict:
	from frappe.desk.query_report import run

	timings, rows, queries = [], 0, 0
	frappe.set_user(user)
	try:
		for _attempt in range(runs):
			with counting_queries() as counter:
				began = time.perf_counter()
				result = run(report, filters)
				timings.append(time.perf_counter() - began)
			rows, queries = len(result["result"]), counter["queries"]
	finally:
		frappe.set_user("Administrator")
	return {
		"report": report,
		"filters": ", ".join(f"{key}={value}" for key, value in filters.items() if key != "company"),
		"user": "employee" if user != "Administrator" else "HR",
		"rows": rows,
		"first": timings[0],
		"median": statistics.median(timings),
		"max": max(timings),
		"queries": queries,
	}


def cases(loaded: dict, company: str) -> list[tuple[str, dict, str]]:
	base = {"company": company}
	category, department = loaded["categories"][0], loaded["departments"][0]
	hr, employee = "Administrator", USER
	return [
		("Active Loans", {**base}, hr),
		("Active Loans", {**base, "loan_category": category}, hr),
		("Active Loans", {**base, "department": department}, hr),
		("Active Loans", {}, employee),
		("Loan Summary", {**base, "from_date": "2024-01-01", "to_date": "2024-12-31", "group_by": "Category"}, hr),
		("Loan Summary", {**base, "from_date": "2024-01-01", "to_date": "2024-12-31", "group_by": "Status"}, hr),
		("Loan Summary", {**base, "from_date": "2024-06-01", "to_date": "2024-06-30", "group_by": "Category"}, hr),
		("Loan Summary", {"from_date": "2024-01-01", "to_date": "2024-12-31", "group_by": "Category"}, employee),
		("Loan Deduction", {**base, "from_date": "2024-06-01", "to_date": "2024-06-30"}, hr),
		("Loan Deduction", {**base, "from_date": "2024-06-01", "to_date": "2024-06-30", "department": department}, hr),
		("Loan Deduction", {**base, "from_date": "2024-01-01", "to_date": "2024-03-31"}, hr),
		("Loan Deduction", {"from_date": "2024-01-01", "to_date": "2024-12-31"}, employee),
		("Loan History", {**base}, hr),
		("Loan History", {**base, "from_date": "2024-01-01", "to_date": "2024-12-31"}, hr),
		("Loan History", {**base, "status": "Closed", "loan_category": category}, hr),
		("Loan History", {}, employee),
	]  # fmt: skip


def print_table(results: list[dict]) -> None:
	print("| report | filters | user | rows | median s | first s | max s | SQL queries per run |")
	print("|---|---|---|---:|---:|---:|---:|---:|")
	for row in results:
		print(
			f"| {row['report']} | {row['filters'] or '-'} | {row['user']} | {row['rows']} | "
			f"{row['median']:.3f} | {row['first']:.3f} | {row['max']:.3f} | {row['queries']} |"
		)


def run(
	loans: int = 20000, repayments: int = 500000, runs: int = 5, keep: int = 0, company: str | None = None
):
	frappe.set_user("Administrator")
	company = company or default_company()
	print(f"Loading {loans} loans and {repayments} repayments into {company} ...")
	began = time.perf_counter()
	try:
		loaded = load(loans, repayments, company)
		print(
			f"Loaded in {time.perf_counter() - began:.1f} s: "
			+ ", ".join(f"{key} {value}" for key, value in loaded.items() if isinstance(value, int))
		)
		link_user(loaded["first_employee"])
		for table in ("Employee Loan", "Employee Loan Repayment", "Salary Slip", "Salary Detail"):
			frappe.db.sql(f"analyze table `tab{table}`")
		results = [
			time_report(report, filters, runs, user) for report, filters, user in cases(loaded, company)
		]
		print_table(results)
		slowest = max(results, key=lambda row: row["median"])
		print(f"Slowest median: {slowest['report']} ({slowest['filters']}) {slowest['median']:.3f} s")
		return results
	finally:
		if not keep:
			cleanup()


def cleanup() -> None:
	"""Remove everything the benchmark wrote (names starting with ELRV)."""
	frappe.set_user("Administrator")
	like = ("like", f"{PREFIX}-%")
	for doctype in ("Salary Detail", "Salary Slip", "Employee Loan Repayment", "Employee Loan Schedule"):
		frappe.db.delete(doctype, {"name": like})
	frappe.db.delete("Employee Loan", {"name": like})
	frappe.db.delete("Employee", {"name": like})
	for doctype in ("Employee Loan Category", "Department"):
		for name in frappe.get_all(doctype, filters={"name": ("like", f"{PREFIX} %")}, pluck="name"):
			frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
	if frappe.db.exists("User", USER):
		frappe.delete_doc("User", USER, force=True, ignore_permissions=True)
	frappe.db.commit()
	print("Benchmark data removed.")
