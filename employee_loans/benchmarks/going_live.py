"""Going-live benchmark: bringing in a company's existing loans with Employee Loan Import.

Run it inside a bench, on a test site (allow_tests on: it loads employees in bulk, brings their loans
in, then removes everything, and refuses to run anywhere else):

	bench --site SITE execute employee_loans.benchmarks.going_live.run
	bench --site SITE execute employee_loans.benchmarks.going_live.run --kwargs "{'loans': 500}"
	bench --site SITE execute employee_loans.benchmarks.going_live.run --kwargs "{'emi_limit': 0}"

It loads `loans` employees (one loan each) with a salary structure assignment, writes the file a
person would fill in from the template (CSV, every other loan interest-free, each with its old system
reference), and times what the import does with it, as the person's Check File and the background job
of Bring In run it: the check (every row, nothing written) and the bring-in (the check again under the
company's lock, then one submitted loan, its schedule and its opening Journal Entry per row, in one
transaction). It prints the wall time, the CPU time of the bench process and the SQL queries of each
step, per loan too, and the machine's load (other work on a shared machine slows the wall time).
"""

import os
import time

import frappe
from frappe.utils.csvutils import to_csv

from employee_loans.benchmarks.report_volume import _counting_queries as counting_queries
from employee_loans.employee_loans.doctype.employee_loan_import.employee_loan_import import (
	IMPORT,
	bring_in_now,
	check_now,
)
from employee_loans.going_live import COLUMNS, OPENING_ENTRY, default_opening_account
from employee_loans.sample_data import (
	COMPANY,
	STRUCTURE,
	bulk_insert,
	delete_loans,
	for_test_sites,
	make_category,
	make_structure,
)

PREFIX = "ELGL"
SETTINGS = "Employee Loan Settings"
GO_LIVE = "2026-10-01"


@for_test_sites
def run(loans: int = 5000, emi_limit: float = 50) -> None:
	"""`emi_limit`: Employee Loan Settings' EMI limit (% of net pay) for the run (0: none, so the check
	reads no salaries); the site's own comes back afterwards."""
	frappe.set_user("Administrator")
	site_limit = frappe.db.get_single_value(SETTINGS, "emi_limit_percent")
	frappe.db.set_single_value(SETTINGS, "emi_limit_percent", emi_limit)
	frappe.clear_document_cache(SETTINGS, SETTINGS)
	if frappe.db.exists("Employee", {"name": ("like", f"{PREFIX}-%")}):
		_remove()
	temporary = default_opening_account(COMPANY)  # ERPNext's Temporary Opening
	categories = [
		make_category(f"{PREFIX} Personal", maximum_amount=1000000, rate=8, min_months=6, max_months=60),
		make_category(
			f"{PREFIX} Advance",
			maximum_amount=1000000,
			rate=0,
			method="Interest Free",
			min_months=1,
			max_months=60,
		),
	]
	employees = _load_employees(loans)
	name = _new_import(employees, categories, temporary)
	frappe.db.commit()
	try:
		figures = {}
		for step, action in (("check", lambda: check_now(name)), ("bring in", lambda: bring_in_now(name))):
			with counting_queries() as counter:
				began, cpu = time.perf_counter(), time.process_time()
				result = action()
				seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
			frappe.db.commit()
			figures[step] = (seconds, cpu, counter["queries"])
		brought_in = len(result["loans"])
		print(f"{loans} loans in the file, {brought_in} brought in; EMI limit {emi_limit} %")
		print("| step | seconds | ms per loan | CPU seconds (this process) | queries | queries per loan |")
		print("|---|---|---|---|---|---|")
		for step, (seconds, cpu, queries) in figures.items():
			print(
				f"| {step} | {seconds:.1f} | {1000 * seconds / loans:.1f} | {cpu:.1f} | {queries} "
				f"| {queries / loans:.1f} |"
			)
		total = sum(seconds for seconds, _cpu, _queries in figures.values())
		print(f"| check + bring in | {total:.1f} | {1000 * total / loans:.1f} | | | |")
		print(f"load average after: {os.getloadavg()[0]:.1f} (the machine's cores: {os.cpu_count()})")
	finally:
		_remove(name, categories)
		frappe.db.set_single_value(SETTINGS, "emi_limit_percent", site_limit)
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		frappe.db.commit()  # nosemgrep: the site's own setting back


def _load_employees(count: int) -> list[str]:
	"""`count` Active employees with a salary structure assignment, in bulk."""
	make_structure(COMPANY)
	names = [f"{PREFIX}-E-{index:05d}" for index in range(count)]
	bulk_insert(
		"Employee",
		["name", "employee_name", "first_name", "company", "status", "gender", "date_of_birth", "date_of_joining"],
		((name, f"Going Live {index}", f"Going Live {index}", COMPANY, "Active", "Female", "1990-01-01", "2019-01-01")
		 for index, name in enumerate(names)),
		docstatus=0,
	)  # fmt: skip
	currency = frappe.get_cached_value("Company", COMPANY, "default_currency")
	bulk_insert(
		"Salary Structure Assignment",
		["name", "employee", "employee_name", "salary_structure", "company", "currency", "from_date", "base"],
		((f"{PREFIX}-A-{index:05d}", name, f"Going Live {index}", STRUCTURE, COMPANY, currency, "2020-01-01", 60000)
		 for index, name in enumerate(names)),
	)  # fmt: skip
	return names


def _new_import(employees: list[str], categories: list[str], temporary: str) -> str:
	"""The file a person fills in: loans disbursed in 2025 over 24 to 48 months, part-repaid."""
	table = [[column.label for column in COLUMNS]]
	for index, employee in enumerate(employees):
		interest_free = index % 2
		tenure = 24 + 12 * (index % 3)
		amount = 12000 * (1 + index % 10)
		table.append(
			[
				{
					"employee": employee,
					"loan_category": categories[interest_free],
					"loan_amount": amount,
					"annual_interest_rate": 0 if interest_free else 8,
					"tenure_months": tenure,
					"disbursement_date": f"2025-{1 + index % 12:02d}-15",
					"outstanding_at_go_live": amount // 2,
					"old_system_reference": f"{PREFIX}-OLD-{index:05d}",
				}.get(column.key, "")
				for column in COLUMNS
			]
		)
	url = (
		frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "going_live_benchmark.csv",
				"content": to_csv(table),
				"is_private": 1,
			}
		)
		.insert(ignore_permissions=True)
		.file_url
	)
	return (
		frappe.get_doc(
			{
				"doctype": IMPORT,
				"company": COMPANY,
				"go_live_date": GO_LIVE,
				"opening_balance_booking": OPENING_ENTRY,
				"temporary_opening_account": temporary,
				"import_file": url,
			}
		)
		.insert()
		.name
	)


def _remove(name: str | None = None, categories: list[str] | None = None) -> None:
	"""Everything the benchmark made (also what an interrupted run left)."""
	employees = frappe.get_all("Employee", filters={"name": ("like", f"{PREFIX}-%")}, pluck="name")
	delete_loans(
		frappe.get_all("Employee Loan", filters={"employee": ("in", employees or [""])}, pluck="name")
	)
	frappe.db.delete("Salary Structure Assignment", {"name": ("like", f"{PREFIX}-%")})
	frappe.db.delete("Employee", {"name": ("like", f"{PREFIX}-%")})
	for doc in frappe.get_all(IMPORT, filters={"name": name or ""}, pluck="name"):
		frappe.db.delete("Employee Loan Import Problem", {"parent": doc})
		frappe.db.delete(IMPORT, {"name": doc})
	for file in frappe.get_all("File", filters={"file_name": "going_live_benchmark.csv"}, pluck="name"):
		frappe.delete_doc("File", file, force=True, ignore_permissions=True)
	for category in categories or frappe.get_all(
		"Employee Loan Category", filters={"name": ("like", f"{PREFIX} %")}, pluck="name"
	):
		frappe.delete_doc("Employee Loan Category", category, force=True, ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: the benchmark committed what this removes
