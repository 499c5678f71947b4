"""Many employees with loans, a Payroll Entry over them, and a clean-up: shared by the Payroll Entry
test and the payroll benchmark. Payroll Entry's own jobs commit, so everything made here is removed
again with `purge`."""

from contextlib import contextmanager
from unittest.mock import patch

import frappe
from frappe.utils import random_string

from employee_loans.tests.utils import (
	BASIC,
	COMPANY,
	PROFESSIONAL_TAX,
	apply,
	approve_and_disburse,
	assign_structure,
	make_employee,
	make_structure,
)

ENQUEUE_ONLY_ARGUMENTS = ("queue", "timeout", "event", "is_async", "job_name", "now", "enqueue_after_commit", "at_front", "job_id", "deduplicate", "on_success", "on_failure")  # fmt: skip


@contextmanager
def background_jobs_inline():
	"""Run what Payroll Entry enqueues (its >30-employee path) at once, in this process, exactly as a
	worker would run the job function."""

	def run_now(method, **kwargs):
		method = frappe.get_attr(method) if isinstance(method, str) else method
		return method(**{key: value for key, value in kwargs.items() if key not in ENQUEUE_ONLY_ARGUMENTS})

	with patch.object(frappe, "enqueue", run_now):
		yield


def ledger_account(name: str, parent: str) -> str:
	abbr = frappe.get_cached_value("Company", COMPANY, "abbr")
	account = f"{name} - {abbr}"
	if not frappe.db.exists("Account", account):
		frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": name,
				"parent_account": f"{parent} - {abbr}",
				"company": COMPANY,
			}
		).insert(ignore_permissions=True)
	return account


def component_accounts() -> None:
	"""Payroll Entry's accrual journal needs an account per component for the company. The loan
	component's account is a liability, not a receivable: the journal has no employee party."""
	make_structure()
	salary = ledger_account("Salary", "Indirect Expenses")
	deductions = ledger_account("Salary Deductions", "Current Liabilities")
	for component in (BASIC, PROFESSIONAL_TAX, "Loan EMI"):
		doc = frappe.get_doc("Salary Component", component)
		account = salary if doc.type == "Earning" else deductions
		doc.set("accounts", [row for row in doc.accounts if row.company != COMPANY])
		doc.append("accounts", {"company": COMPANY, "account": account})
		doc.save(ignore_permissions=True)


def make_department(name: str) -> str:
	abbr = frappe.get_cached_value("Company", COMPANY, "abbr")
	full_name = f"{name} - {abbr}"
	if not frappe.db.exists("Department", full_name):
		frappe.get_doc(
			{
				"doctype": "Department",
				"department_name": name,
				"company": COMPANY,
				"parent_department": "All Departments",
			}
		).insert(ignore_permissions=True)
	return full_name


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


def payroll_entry(department: str, start_date: str, end_date: str):
	company = frappe.get_cached_doc("Company", COMPANY)
	entry = frappe.new_doc("Payroll Entry")
	entry.update(
		{
			"company": COMPANY,
			"posting_date": end_date,
			"start_date": start_date,
			"end_date": end_date,
			"payroll_frequency": "Monthly",
			"department": department,
			"currency": company.default_currency,
			"exchange_rate": 1,
			"payroll_payable_account": company.default_payroll_payable_account,
			"cost_center": company.cost_center,
			"payment_account": frappe.db.get_value(
				"Account", {"account_type": "Cash", "company": COMPANY, "is_group": 0}
			),
		}
	)
	entry.fill_employee_details()
	entry.insert(ignore_permissions=True)
	return entry


def purge(employees: list[str], payroll_entries: list[str]) -> None:
	"""Remove everything a committed payroll run over `employees` left behind."""
	if not employees:
		return
	slips = frappe.get_all("Salary Slip", filters={"employee": ("in", employees)}, pluck="name")
	journals = frappe.get_all(
		"Journal Entry Account",
		filters={"reference_type": "Payroll Entry", "reference_name": ("in", payroll_entries or [""])},
		pluck="parent",
		distinct=True,
	)
	for journal in journals:
		frappe.db.delete("GL Entry", {"voucher_no": journal})
		frappe.db.delete("Payment Ledger Entry", {"voucher_no": journal})
		frappe.db.delete("Journal Entry Account", {"parent": journal})
		frappe.db.delete("Journal Entry", {"name": journal})
	if slips:
		frappe.db.delete("Salary Detail", {"parent": ("in", slips)})
		frappe.db.delete("Salary Slip", {"name": ("in", slips)})
	loans = frappe.get_all("Employee Loan", filters={"employee": ("in", employees)}, pluck="name")
	if loans:
		frappe.db.delete("Employee Loan Repayment", {"employee_loan": ("in", loans)})
		frappe.db.delete("Employee Loan Schedule", {"parent": ("in", loans)})
		frappe.db.delete("Employee Loan", {"name": ("in", loans)})
	applications = frappe.get_all(
		"Employee Loan Application", filters={"employee": ("in", employees)}, pluck="name"
	)
	if applications:
		frappe.db.delete("Employee Loan Eligibility Finding", {"parent": ("in", applications)})
		frappe.db.delete("Employee Loan Application", {"name": ("in", applications)})
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
