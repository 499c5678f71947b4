"""A Payroll Entry of more than 30 employees, through its background jobs, with loans."""

from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from employee_loans.employee_loans.doctype.employee_loan.employee_loan import preclose
from employee_loans.tests.payroll_batch import (
	background_jobs_inline,
	component_accounts,
	make_batch,
	make_department,
	payroll_entry,
	purge,
)
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, make_category, set_settings

test_ignore = IGNORE_TEST_RECORDS

EMPLOYEES, WITH_LOANS = 40, 32


def accrual_credit(payroll_entry: str, account: str) -> Decimal:
	"""What the Payroll Entry's submitted accrual journal credits to `account`, net (HRMS marks the
	journal by referencing the entry on its payroll payable row)."""
	journals = frappe.get_all(
		"Journal Entry Account",
		filters={"reference_type": "Payroll Entry", "reference_name": payroll_entry, "docstatus": 1},
		pluck="parent",
		distinct=True,
	)
	rows = frappe.get_all(
		"Journal Entry Account",
		filters={"parent": ("in", journals or [""]), "account": account},
		fields=["debit", "credit"],
	)
	return sum(Decimal(str(row.credit)) - Decimal(str(row.debit)) for row in rows)


def accrual_credit_sum(rows, field: str) -> Decimal:
	return sum(Decimal(str(row[field])) for row in rows)


def gl_balance(account: str) -> Decimal:
	"""Debit less credit of the account over its live GL rows."""
	rows = frappe.get_all(
		"GL Entry", filters={"account": account, "is_cancelled": 0}, fields=["debit", "credit"]
	)
	return sum(Decimal(str(row.debit)) - Decimal(str(row.credit)) for row in rows)


class TestPayrollEntryWithLoans(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		set_settings(maximum_active_loans=0)
		component_accounts()
		cls.categories = [
			make_category("Batch Personal", maximum_amount=500000, rate=8, min_months=6, max_months=60),
			make_category(
				"Batch Emergency",
				maximum_amount=100000,
				rate=0,
				method="Interest Free",
				min_months=1,
				max_months=12,
			),
		]
		cls.department = make_department("EL Payroll Batch")
		cls.employees, cls.loans = make_batch(EMPLOYEES, WITH_LOANS, cls.categories, cls.department)
		cls.entries = []
		frappe.db.commit()  # the payroll jobs commit and roll back on their own

	@classmethod
	def tearDownClass(cls):
		purge(cls.employees, cls.entries)
		super().tearDownClass()

	def test_background_payroll_deducts_each_emi_once_and_one_bad_loan_stays_apart(self):
		entry = payroll_entry(self.department, "2026-01-01", "2026-01-31")
		self.entries.append(entry.name)
		frappe.db.commit()
		with background_jobs_inline():
			entry.submit()
		entry.reload()
		slips = frappe.get_all(
			"Salary Slip", filters={"payroll_entry": entry.name}, fields=["name", "employee", "docstatus"]
		)
		self.assertEqual(len(slips), EMPLOYEES, entry.error_message)
		loan_of = dict(
			frappe.get_all(
				"Employee Loan",
				filters={"name": ("in", self.loans)},
				fields=["employee", "name"],
				as_list=True,
			)
		)
		loans = {
			loan.name: loan
			for loan in frappe.get_all(
				"Employee Loan",
				filters={"name": ("in", self.loans)},
				fields=["name", "emi", "interest_component", "loan_account", "interest_income_account"],
			)
		}
		expected_emi = {name: Decimal(str(loan.emi)) for name, loan in loans.items()}
		first_row = {
			row.parent: row
			for row in frappe.get_all(
				"Employee Loan Schedule",
				filters={"parent": ("in", self.loans), "instalment_number": 1},
				fields=["parent", "principal_amount", "interest_amount"],
			)
		}
		for slip in slips:
			lines = frappe.get_all(
				"Salary Detail",
				filters={"parent": slip.name, "parentfield": "deductions", "employee_loan": ("is", "set")},
				fields=["employee_loan", "salary_component", "amount"],
				order_by="idx",
			)
			if slip.employee not in loan_of:
				self.assertEqual(lines, [])
				continue
			loan = loans[loan_of[slip.employee]]
			row = first_row[loan.name]
			expected = [("Loan EMI", Decimal(str(row.principal_amount)))]
			if loan.interest_component:
				expected.append(("Loan Interest", Decimal(str(row.interest_amount))))
			self.assertEqual({line.employee_loan for line in lines}, {loan.name})
			self.assertEqual([(line.salary_component, Decimal(str(line.amount))) for line in lines], expected)
			self.assertEqual(sum(amount for _component, amount in expected), expected_emi[loan.name])

		# between creation and submission one loan is settled at the desk: its slip must not deduct
		troubled_employee = self.employees[0]
		troubled_loan = loan_of[troubled_employee]
		preclose(troubled_loan, "Settled Manually")
		frappe.db.commit()
		with background_jobs_inline():
			entry.submit_salary_slips()
		entry.reload()

		states = dict(
			frappe.get_all(
				"Salary Slip",
				filters={"payroll_entry": entry.name},
				fields=["employee", "docstatus"],
				as_list=True,
			)
		)
		self.assertEqual(states[troubled_employee], 0, "the slip of the changed loan stays a draft")
		self.assertEqual(sum(1 for state in states.values() if state == 1), EMPLOYEES - 1)
		self.assertEqual(entry.status, "Submitted", entry.error_message)
		for employee, loan in loan_of.items():
			if employee == troubled_employee:
				self.assertEqual(
					frappe.db.count(
						"Employee Loan Repayment", {"employee_loan": loan, "repayment_type": "Salary Slip"}
					),
					0,
				)
				continue
			repayments = frappe.get_all(
				"Employee Loan Repayment",
				filters={"employee_loan": loan, "docstatus": 1},
				fields=["amount", "instalment_number"],
			)
			self.assertEqual(
				[(Decimal(str(r.amount)), r.instalment_number) for r in repayments], [(expected_emi[loan], 1)]
			)
			self.assertEqual(frappe.db.get_value("Employee Loan", loan, "emis_paid"), 1)
		# HRMS's accrual journal credits the loan account with exactly the principal and interest income
		# with exactly the interest that the slips' repayments recorded
		recovered = frappe.get_all(
			"Employee Loan Repayment",
			filters={"salary_slip": ("in", [slip.name for slip in slips]), "docstatus": 1},
			fields=["principal_amount", "interest_amount"],
		)
		loan_account = next(iter(loans.values())).loan_account
		interest_account = next(
			loan.interest_income_account for loan in loans.values() if loan.interest_component
		)
		self.assertEqual(
			accrual_credit(entry.name, loan_account), sum(Decimal(str(r.principal_amount)) for r in recovered)
		)
		self.assertEqual(
			accrual_credit(entry.name, interest_account),
			sum(Decimal(str(r.interest_amount)) for r in recovered),
		)
		self.assertGreater(accrual_credit(entry.name, interest_account), 0)

		# cancelling the payroll entry cancels its slips and journal: every loan and GL row is back
		before = gl_balance(loan_account), gl_balance(interest_account)
		entry.reload()
		entry.cancel()
		# (the journal's credits are reversed: both accounts move back by exactly what was recovered)
		self.assertEqual(
			(gl_balance(loan_account) - before[0], gl_balance(interest_account) - before[1]),
			(
				accrual_credit_sum(recovered, "principal_amount"),
				accrual_credit_sum(recovered, "interest_amount"),
			),
		)
		for employee, loan in loan_of.items():
			if employee != troubled_employee:
				self.assertEqual(frappe.db.get_value("Employee Loan", loan, "emis_paid"), 0)
