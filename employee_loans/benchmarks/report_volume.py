"""Report benchmark: the four loan reports on a site with 20,000 loans and 500,000 repayments.

Run it inside a bench, on a test site (allow_tests on; it refuses to run anywhere else). It writes the
volume straight to the tables with employee_loans.sample_data's bulk loader (2,000 employees, 20,000
loans, 500,000 repayments, the salary slips that posted the payroll repayments and their loan deduction
rows), times each report through the desk's own entry point (frappe.desk.query_report.run) several
times, prints a table, and removes everything it wrote. Each row of the table ends with a digest of what
the report returned (rows, columns, message, chart, summary): two runs on the same data, before and
after a change, show the same figures exactly when their digests match.

	bench --site SITE execute employee_loans.benchmarks.report_volume.run
	bench --site SITE execute employee_loans.benchmarks.report_volume.run --kwargs "{'loans': 2000, 'repayments': 50000}"
	bench --site SITE execute employee_loans.benchmarks.report_volume.run --kwargs "{'keep': 1}"   # keep the data
	bench --site SITE execute employee_loans.benchmarks.report_volume.measure   # time again on kept data
	bench --site SITE execute employee_loans.benchmarks.report_volume.cleanup

The reports read through the composite indexes of employee_loans.indexes, which install and migrate
create; the benchmark makes sure they are there before timing.

Everything it writes is named with the prefix ELRV- (or "ELRV ..." for categories and departments), which
is how `cleanup` finds it.
"""

import hashlib
import statistics
import time
from contextlib import contextmanager

import frappe
from frappe import _

from employee_loans.indexes import ensure_indexes
from employee_loans.sample_data import COMPANY, for_test_sites, load_loan_volume, remove_loan_volume

PREFIX = "ELRV"
USER = "elrv-employee@example.com"


def _default_company() -> str:
	if frappe.db.exists("Company", COMPANY):
		return COMPANY
	return (
		frappe.defaults.get_global_default("company") or frappe.get_all("Company", pluck="name", limit=1)[0]
	)


def _link_user(employee: str) -> str:
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
def _counting_queries():
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


def _time_report(report: str, filters: dict, runs: int, user: str = "Administrator") -> dict:
	from frappe.desk.query_report import run

	timings, rows, queries = [], 0, 0
	frappe.set_user(user)
	try:
		for _attempt in range(runs):
			with _counting_queries() as counter:
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
		"digest": _digest(result),
	}


def _digest(result: dict) -> str:
	"""What the user sees of one run, as a short hash (the timing fields left out)."""
	shown = {key: result.get(key) for key in ("result", "columns", "message", "chart", "report_summary")}
	return hashlib.sha256(frappe.as_json(shown).encode()).hexdigest()[:12]


def _cases(categories: list[str], departments: list[str], company: str) -> list[tuple[str, dict, str]]:
	base = {"company": company}
	category, department = categories[0], departments[0]
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


def _print_table(results: list[dict]) -> None:
	print("| report | filters | user | rows | median s | first s | max s | SQL queries per run | digest |")
	print("|---|---|---|---:|---:|---:|---:|---:|---|")
	for row in results:
		print(
			f"| {row['report']} | {row['filters'] or '-'} | {row['user']} | {row['rows']} | "
			f"{row['median']:.3f} | {row['first']:.3f} | {row['max']:.3f} | {row['queries']} | {row['digest']} |"
		)


@for_test_sites
def run(
	loans: int = 20000, repayments: int = 500000, runs: int = 5, keep: int = 0, company: str | None = None
):
	frappe.set_user("Administrator")
	company = company or _default_company()
	print(f"Loading {loans} loans and {repayments} repayments into {company} ...")
	began = time.perf_counter()
	try:
		loaded = load_loan_volume(PREFIX, company, loans, max(1, repayments // loans))
		print(
			f"Loaded in {time.perf_counter() - began:.1f} s: "
			+ ", ".join(f"{key} {value}" for key, value in loaded.items() if isinstance(value, int))
		)
		_link_user(loaded["first_employee"])
		_fresh_connection()
		return _measure(loaded["categories"], loaded["departments"], company, runs)
	finally:
		if not keep:
			cleanup()


def _fresh_connection() -> None:
	"""Time the reports on a new database connection, as the desk does: Frappe connects anew for every
	request. The connection that wrote the bulk load reads more slowly afterwards (measured: a quarter of
	Loan Deduction 0.56 s on it, 0.38 s on a new one, committed either way)."""
	frappe.db.commit()  # nosemgrep: the bulk loader committed; this ends the benchmark's own writes
	frappe.db.close()
	frappe.local.db = None
	frappe.connect()


@for_test_sites
def measure(runs: int = 5, company: str | None = None):
	"""Time the reports again on the data a run kept (`keep`), without loading it anew."""
	frappe.set_user("Administrator")
	company = company or _default_company()
	categories = frappe.get_all(
		"Employee Loan Category", filters={"name": ("like", f"{PREFIX} %")}, pluck="name", order_by="creation"
	)
	departments = frappe.get_all(
		"Department", filters={"name": ("like", f"{PREFIX} %")}, pluck="name", order_by="creation"
	)
	if not categories or not frappe.db.exists("User", USER):
		frappe.throw(
			_(
				"No benchmark data on this site. Run employee_loans.benchmarks.report_volume.run with keep first."
			),
			title=_("Nothing to Measure"),
		)
	return _measure(categories, departments, company, runs)


def _measure(categories: list[str], departments: list[str], company: str, runs: int) -> list[dict]:
	ensure_indexes()
	for table in ("Employee Loan", "Employee Loan Repayment", "Salary Slip", "Salary Detail"):
		frappe.db.sql(f"analyze table `tab{table}`")
	results = [
		_time_report(report, filters, runs, user)
		for report, filters, user in _cases(categories, departments, company)
	]
	_print_table(results)
	slowest = max(results, key=lambda row: row["median"])
	print(f"Slowest median: {slowest['report']} ({slowest['filters']}) {slowest['median']:.3f} s")
	return results


@for_test_sites
def cleanup() -> None:
	"""Remove everything the benchmark wrote (names starting with ELRV)."""
	frappe.set_user("Administrator")
	remove_loan_volume(PREFIX)
	if frappe.db.exists("User", USER):
		frappe.delete_doc("User", USER, force=True, ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: the bulk loader committed what this removes
	print("Benchmark data removed.")
