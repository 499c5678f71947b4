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
		expected_emi = {
			loan.name: Decimal(str(loan.emi))
			for loan in frappe.get_all(
				"Employee Loan", filters={"name": ("in", self.loans)}, fields=["name", "emi"]
			)
		}
		for slip in slips:
			lines = frappe.get_all(
				"Salary Detail",
				filters={"parent": slip.name, "parentfield": "deductions", "employee_loan": ("is", "set")},
				fields=["employee_loan", "amount"],
			)
			if slip.employee in loan_of:
				self.assertEqual([line.employee_loan for line in lines], [loan_of[slip.employee]])
				self.assertEqual(Decimal(str(lines[0].amount)), expected_emi[lines[0].employee_loan])
			else:
				self.assertEqual(lines, [])

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
		# the accrual journal was made (the loan component's account included)
		self.assertTrue(
			frappe.db.exists(
				"Journal Entry Account", {"reference_type": "Payroll Entry", "reference_name": entry.name}
			)
		)
