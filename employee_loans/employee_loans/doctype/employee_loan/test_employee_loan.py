from datetime import date
from decimal import Decimal

import frappe

from employee_loans.employee_loans.doctype.employee_loan.employee_loan import (
	cancel_preclosure,
	disburse,
	preclose,
	reopen,
)
from employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application import approve
from employee_loans.engine import build_schedule
from employee_loans.tests.base import APPLICANT, HR_USER, LoanTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, apply, approve_and_disburse, as_user, count

test_ignore = IGNORE_TEST_RECORDS

LOAN = "Employee Loan"


def repay(loan: str, amount, repayment_type="Manual", posting_date="2026-03-10"):
	doc = frappe.get_doc(
		{
			"doctype": "Employee Loan Repayment",
			"employee_loan": loan,
			"amount": amount,
			"repayment_type": repayment_type,
			"posting_date": posting_date,
			"reference": "CHQ-1",
		}
	).insert()
	doc.submit()
	return doc


class TestEmployeeLoan(LoanTestCase):
	def new_loan(self, amount=200000, months=24, category=None):
		application = apply(
			self.applicant, category or self.personal, amount, months, posting_date="2026-01-05"
		)
		return approve(application.name)

	def test_disbursement_generates_the_engine_schedule_and_locks_terms(self):
		loan_name = self.new_loan()
		disburse(loan_name, "2026-01-15", "NEFT-778")
		loan = frappe.get_doc(LOAN, loan_name)
		self.assertEqual((loan.status, loan.docstatus), ("Disbursed", 1))
		self.assertEqual(loan.disbursement_reference, "NEFT-778")
		self.assertEqual(loan.salary_component, "Loan EMI")
		expected = build_schedule("200000", "8", 24, "Reducing Balance", date(2026, 2, 1), 2)
		self.assertEqual(len(loan.schedule), 24)
		for row, instalment in zip(loan.schedule, expected, strict=True):
			self.assertEqual(frappe.utils.getdate(row.due_date), instalment.due_date)
			self.assertEqual(Decimal(str(row.emi)), instalment.emi)
			self.assertEqual(Decimal(str(row.principal_amount)), instalment.principal)
			self.assertEqual(Decimal(str(row.interest_amount)), instalment.interest)
			self.assertEqual(row.status, "Pending")
		self.assertEqual(loan.outstanding_balance, 200000)
		self.assertEqual(loan.emi, 9045.46)
		self.assertEqual(loan.remaining_payable, 217090.98)
		self.assertEqual((loan.emis_paid, loan.total_emis), (0, 24))
		self.assertEqual(str(loan.next_emi_date), "2026-02-01")
		loan.loan_amount = 100000
		with self.assertRaisesRegex(frappe.ValidationError, "Cannot edit|Not allowed to change"):
			loan.save()
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "loan_amount"), 200000)

	def test_repayment_start_can_be_later(self):
		loan_name = self.new_loan(12000, 12, self.emergency)
		disburse(loan_name, "2026-01-15", repayment_start_date="2026-04-20")
		self.assertEqual(str(frappe.db.get_value(LOAN, loan_name, "next_emi_date")), "2026-04-01")

	def test_disbursing_twice_or_as_an_employee_is_refused(self):
		loan_name = self.new_loan()
		with as_user(APPLICANT), self.assertRaises(frappe.PermissionError):
			disburse(loan_name, "2026-01-15")
		disburse(loan_name, "2026-01-15")
		with self.assertRaisesRegex(frappe.ValidationError, "only a Approved loan can be disbursed"):
			disburse(loan_name, "2026-02-15")
		self.assertEqual(str(frappe.db.get_value(LOAN, loan_name, "disbursement_date")), "2026-01-15")

	def test_submitting_without_disbursement_is_refused(self):
		loan = frappe.get_doc(LOAN, self.new_loan())
		with self.assertRaises(frappe.ValidationError) as raised:
			loan.submit()
		self.assertIn("Mark as Disbursed", str(raised.exception))

	def test_disbursement_before_application_is_refused(self):
		with self.assertRaisesRegex(frappe.ValidationError, "is before the application date"):
			disburse(self.new_loan(), "2025-12-31")

	def test_manual_repayment_moves_the_balance_and_cancel_puts_it_back(self):
		loan_name = approve_and_disburse(
			apply(self.applicant, self.personal, 200000, 24, posting_date="2026-01-05").name, "2026-01-15"
		)
		before = [(row.emi, row.principal_amount) for row in frappe.get_doc(LOAN, loan_name).schedule]
		repayment = repay(loan_name, 50000)
		loan = frappe.get_doc(LOAN, loan_name)
		self.assertEqual(loan.outstanding_balance, 150000)
		self.assertEqual(loan.principal_repaid, 50000)
		self.assertEqual(loan.amount_repaid, 50000)
		self.assertLess(loan.emi, 9045.46)  # same end date, smaller EMI
		self.assertEqual(sum(Decimal(str(r.principal_amount)) for r in loan.schedule), Decimal("150000"))
		repayment.cancel()
		loan.reload()
		self.assertEqual(loan.outstanding_balance, 200000)
		self.assertEqual([(row.emi, row.principal_amount) for row in loan.schedule], before)

	def test_repayment_larger_than_outstanding_is_refused(self):
		loan_name = approve_and_disburse(
			apply(self.applicant, self.emergency, 12000, 12, posting_date="2026-01-05").name
		)
		before = count("Employee Loan Repayment")
		with self.assertRaisesRegex(frappe.ValidationError, "more than the outstanding balance 12000.00"):
			repay(loan_name, 12000.01)
		self.assertEqual(count("Employee Loan Repayment"), before)

	def test_salary_slip_repayments_cannot_be_typed_in(self):
		loan_name = approve_and_disburse(
			apply(self.applicant, self.emergency, 12000, 12, posting_date="2026-01-05").name
		)
		with self.assertRaisesRegex(
			frappe.ValidationError, "Salary Slip repayments are posted by their own action"
		):
			repay(loan_name, 1000, repayment_type="Salary Slip")

	def test_preclose_settled_manually_closes_and_reopen_restores(self):
		loan_name = approve_and_disburse(
			apply(self.applicant, self.personal, 100000, 12, posting_date="2026-01-05").name
		)
		repay(loan_name, 10000)
		preclose(loan_name, "Settled Manually", "2026-04-01", "CHQ-9")
		loan = frappe.get_doc(LOAN, loan_name)
		self.assertEqual(loan.status, "Closed")
		self.assertEqual(loan.closure_type, "Pre-closed (Settled Manually)")
		self.assertEqual(str(loan.closure_date), "2026-04-01")
		self.assertEqual(loan.outstanding_balance, 0)
		self.assertEqual(loan.remaining_payable, 0)
		with as_user(HR_USER), self.assertRaises(frappe.PermissionError):
			reopen(loan_name, "Cheque bounced")
		with self.assertRaisesRegex(frappe.ValidationError, "reason for reopening"):
			reopen(loan_name, " ")
		reopen(loan_name, "Cheque bounced")
		loan.reload()
		self.assertEqual(
			(loan.status, loan.outstanding_balance, loan.reopen_reason),
			("Disbursed", 90000, "Cheque bounced"),
		)
		self.assertFalse(loan.closure_type)

	def test_full_manual_repayment_closes_as_repaid(self):
		loan_name = approve_and_disburse(
			apply(self.applicant, self.emergency, 12000, 12, posting_date="2026-01-05").name
		)
		repayment = repay(loan_name, 12000)
		self.assertEqual(
			frappe.db.get_value(LOAN, loan_name, ["status", "closure_type"]), ("Closed", "Repaid")
		)
		repayment.cancel()
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "status"), "Disbursed")

	def test_preclose_in_payroll_flags_the_loan(self):
		loan_name = approve_and_disburse(
			apply(self.applicant, self.personal, 100000, 12, posting_date="2026-01-05").name
		)
		preclose(loan_name, "Deduct in Next Payroll")
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "preclosure_requested"), 1)
		cancel_preclosure(loan_name)
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "preclosure_requested"), 0)
		with self.assertRaisesRegex(frappe.ValidationError, "Choose how to pre-close"):
			preclose(loan_name, "Forgive Everything")

	def test_actions_refuse_the_wrong_status(self):
		loan_name = self.new_loan()
		with self.assertRaisesRegex(frappe.ValidationError, "only a Disbursed loan can be pre-closed"):
			preclose(loan_name, "Settled Manually")  # not disbursed yet
		with self.assertRaisesRegex(frappe.ValidationError, "only a Closed loan can be reopened"):
			reopen(loan_name, "why")  # not closed

	def test_disbursement_and_closure_notify_the_employee(self):
		loan_name = approve_and_disburse(
			apply(self.applicant, self.emergency, 12000, 12, posting_date="2026-01-05").name
		)
		repay(loan_name, 12000)
		subjects = frappe.get_all(
			"Notification Log", filters={"for_user": APPLICANT, "document_name": loan_name}, pluck="subject"
		)
		self.assertTrue(any("disbursed" in subject for subject in subjects), subjects)
		self.assertTrue(any("closed" in subject for subject in subjects), subjects)

	def test_disbursement_needs_a_deduction_component(self):
		from employee_loans.tests.utils import set_settings

		set_settings(deduction_component=None)
		loan_name = self.new_loan()
		with self.assertRaises(frappe.ValidationError) as raised:
			disburse(loan_name, "2026-01-15")
		self.assertIn("Deduction Salary Component", str(raised.exception))
		self.assertEqual(frappe.db.get_value(LOAN, loan_name, "docstatus"), 0)
