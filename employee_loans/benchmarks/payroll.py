"""Payroll benchmark: what the app adds to a Payroll Entry run, per salary slip.

Run it inside a bench, on a test site (allow_tests on: it creates and then removes employees, loans
and slips, partly in bulk, and refuses to run anywhere else):

	bench --site SITE execute employee_loans.benchmarks.payroll.run
	bench --site SITE execute employee_loans.benchmarks.payroll.run --kwargs "{'slips': 100}"

It runs Payroll Entry (through its background job functions, as a worker would) for a department of
employees with loans and one of employees without, first with 100 loans in the company, then with
2,000, and prints per slip: the SQL queries the app's hooks issue on validation and on submission, all
queries, and the wall time, with and without loans.
"""

import time
from contextlib import contextmanager
from statistics import median

import frappe
from frappe.utils import add_months, get_last_day, getdate

from employee_loans.payroll_hooks import salary_slip as hooks
from employee_loans.sample_data import (
	COMPANY,
	STRUCTURE,
	background_jobs_inline,
	component_accounts,
	delete_employees,
	for_test_sites,
	load_loan_volume,
	make_batch,
	make_category,
	make_department,
	payroll_entry,
	remove_loan_volume,
	set_settings,
)

# other employees' loans, loaded in bulk: they only make the loan tables as large as a big company's
VOLUME_PREFIX = "ELPB"


class QueryCounter:
	def __init__(self):
		self.total = 0
		self.in_hook = None
		self.hook_counts: dict[str, int] = {}

	@contextmanager
	def counting(self):
		original = frappe.db.sql

		def counted(*args, **kwargs):
			self.total += 1
			if self.in_hook:
				self.hook_counts[self.in_hook] = self.hook_counts.get(self.in_hook, 0) + 1
			return original(*args, **kwargs)

		wrapped = {
			name: getattr(hooks, name) for name in ("validate", "on_submit", "process_salary_structure")
		}

		def wrap(name, function):
			def inner(*args, **kwargs):
				self.in_hook = name
				try:
					return function(*args, **kwargs)
				finally:
					self.in_hook = None

			return inner

		frappe.db.sql = counted
		for name, function in wrapped.items():
			setattr(hooks, name, wrap(name, function))
		try:
			yield self
		finally:
			frappe.db.sql = original
			for name, function in wrapped.items():
				setattr(hooks, name, function)


def _other_loans(total: int) -> None:
	"""Loans of other employees in bulk, so that the company has `total` submitted loans."""
	remove_loan_volume(VOLUME_PREFIX)
	existing = frappe.db.count("Employee Loan", {"company": COMPANY, "docstatus": 1})
	if total > existing:
		load_loan_volume(VOLUME_PREFIX, COMPANY, total - existing, repayments_per_loan=1, schedules=True)


def _payroll_run(department: str, month: str) -> dict:
	"""Create and submit the slips of one department through Payroll Entry; time and count each phase."""
	start, end = getdate(month), get_last_day(month)
	entry = payroll_entry(department, str(start), str(end))
	frappe.db.commit()
	figures = {"entry": entry.name}
	for phase, action in (("create", entry.submit), ("submit", entry.submit_salary_slips)):
		counter = QueryCounter()
		with background_jobs_inline(), counter.counting():
			began = time.perf_counter()
			action()
			figures[f"{phase}_seconds"] = time.perf_counter() - began
		figures[f"{phase}_queries"] = counter.total
		figures[f"{phase}_hook_queries"] = dict(counter.hook_counts)
		entry.reload()
	figures["slips"] = frappe.db.count("Salary Slip", {"payroll_entry": entry.name, "docstatus": 1})
	figures["error"] = entry.error_message
	return figures


def _warm_up_loan_lines(employee: str) -> None:
	from hrms.payroll.doctype.salary_structure.salary_structure import make_salary_slip

	from employee_loans.utils import get_settings

	make_salary_slip(STRUCTURE, employee=employee, for_preview=1)
	get_settings()
	for doctype in ("Employee Loan", "Employee Loan Repayment", "Employee Loan Schedule"):
		frappe.get_meta(doctype)


@for_test_sites
def run(slips: int = 50, rounds: int = 3) -> None:
	frappe.set_user("Administrator")
	set_settings(maximum_active_loans=0, emi_limit_percent=0)
	component_accounts()
	category = make_category("Bench Personal", maximum_amount=500000, rate=8, min_months=6, max_months=60)
	with_loans_department = make_department("EL Bench With Loans")
	without_department = make_department("EL Bench Without Loans")
	print(f"Setting up {slips} employees with loans and {slips} without ...")
	with_loans, loans = make_batch(slips, slips, [category], with_loans_department)
	without_loans, _none = make_batch(slips, 0, [category], without_department)
	frappe.db.commit()
	entries = []
	results = []
	try:
		# Warm the caches (metadata, settings, components, each employee's cached record) of both
		# departments alike before measuring: December has no instalment due yet.
		for department in (without_department, with_loans_department):
			entries.append(_payroll_run(department, "2025-12-01")["entry"])
		_warm_up_loan_lines(with_loans[0])
		month = 0
		for total_loans in (100, 2000):
			_other_loans(total_loans)
			# alternate the two departments, month after month, so load on the machine hits both alike
			for _round in range(rounds):
				for label, department in (
					("without loans", without_department),
					("with loans", with_loans_department),
				):
					figures = _payroll_run(department, str(add_months("2026-01-01", month)))
					entries.append(figures["entry"])
					figures.update(label=label, loans_in_company=total_loans)
					results.append(figures)
				month += 1
		_print_table(results, slips)
	finally:
		remove_loan_volume(VOLUME_PREFIX)
		delete_employees(with_loans + without_loans, entries)
		frappe.delete_doc("Employee Loan Category", category, force=True, ignore_permissions=True)
		frappe.db.commit()


def _print_table(results: list[dict], slips: int) -> None:
	"""One line per loan volume and kind of employee: medians over the rounds."""
	print(
		"| loans in company | employees | slips/run | runs | app queries/slip: validation "
		"| app queries/slip: submission | all queries/slip: create + submit | ms/slip: create + submit (median) |"
	)
	print("|" + "---|" * 8)
	groups: dict[tuple, list[dict]] = {}
	for row in results:
		groups.setdefault((row["loans_in_company"], row["label"]), []).append(row)
	for (loans, label), rows in groups.items():
		count = rows[0]["slips"] or 1
		validation = median(sum(r["create_hook_queries"].values()) / (r["slips"] or 1) for r in rows)
		submission = median(sum(r["submit_hook_queries"].values()) / (r["slips"] or 1) for r in rows)
		create_q = median(r["create_queries"] / (r["slips"] or 1) for r in rows)
		submit_q = median(r["submit_queries"] / (r["slips"] or 1) for r in rows)
		create_ms = median(1000 * r["create_seconds"] / (r["slips"] or 1) for r in rows)
		submit_ms = median(1000 * r["submit_seconds"] / (r["slips"] or 1) for r in rows)
		print(
			f"| {loans} | {label} | {count} | {len(rows)} | {validation:.2f} | {submission:.2f} "
			f"| {create_q:.1f} + {submit_q:.1f} | {create_ms:.1f} + {submit_ms:.1f} |"
		)
		print(
			"  rounds, ms/slip create + submit: "
			+ ", ".join(
				f"{1000 * r['create_seconds'] / (r['slips'] or 1):.1f} + {1000 * r['submit_seconds'] / (r['slips'] or 1):.1f}"
				for r in rows
			)
		)
		for row in rows:
			if row["error"]:
				print(f"  error: {row['error'][:300]}")
