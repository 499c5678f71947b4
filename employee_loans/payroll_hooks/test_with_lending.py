"""Beside Frappe Lending: one salary slip recovers an employee's Lending loan (repaid from salary) and
their Employee Loan, each exactly once, and cancelling the slip reverses both.

HRMS recovers a Lending loan on the slip's "loans" table (Salary Slip Loan, total_loan_repayment, a
Lending "Loan Repayment" on submit); this app recovers an Employee Loan on the slip's deduction rows
(an Employee Loan Repayment on submit). The two must not see each other's loans. Runs only on a site
with the Lending app installed."""

from decimal import Decimal

import frappe
from frappe.utils import add_months, get_first_day, get_last_day, getdate, nowdate

from employee_loans.payroll_hooks.test_payroll import NET_BEFORE_LOANS, PayrollTestCase, loan_lines, money
from employee_loans.tests.utils import (
	COMPANY,
	IGNORE_TEST_RECORDS,
	apply,
	approve_and_disburse,
	make_slip,
	set_settings,
)

test_ignore = IGNORE_TEST_RECORDS

LENDING_PRODUCT = "EL Staff Vehicle Loan"
LENDING_AMOUNT = 60000
LENDING_PERIODS = 12


def lending_installed() -> bool:
	return "lending" in frappe.get_installed_apps()


def account(name: str, parent: str, root_type: str, account_type: str = "") -> str:
	abbr = frappe.get_cached_value("Company", COMPANY, "abbr")
	if not frappe.db.exists("Account", f"{name} - {abbr}"):
		frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": name,
				"parent_account": f"{parent} - {abbr}",
				"company": COMPANY,
				"root_type": root_type,
				"account_type": account_type,
			}
		).insert(ignore_permissions=True)
	return f"{name} - {abbr}"


def lending_product() -> str:
	"""A term loan product repaid monthly from the repayment start date. Lending books the loan and its
	receivables with the employee as party, so those accounts carry no type or are Receivable."""
	if frappe.db.exists("Loan Product", LENDING_PRODUCT):
		return LENDING_PRODUCT
	loans = "Loans and Advances (Assets)"
	bank = account("EL Lending Bank", "Bank Accounts", "Asset", "Bank")
	frappe.get_doc(
		{
			"doctype": "Loan Product",
			"company": COMPANY,
			"product_code": LENDING_PRODUCT,
			"product_name": LENDING_PRODUCT,
			"is_term_loan": 1,
			"repayment_schedule_type": "Monthly as per repayment start date",
			"maximum_loan_amount": 500000,
			"rate_of_interest": 9,
			"mode_of_payment": "Cash",
			"disbursement_account": bank,
			"payment_account": bank,
			"loan_account": account("EL Lending Loans", loans, "Asset"),
			"interest_receivable_account": account(
				"EL Lending Interest Receivable", loans, "Asset", "Receivable"
			),
			"penalty_receivable_account": account(
				"EL Lending Penalty Receivable", loans, "Asset", "Receivable"
			),
			"interest_income_account": account("EL Lending Interest Income", "Direct Income", "Income"),
			"penalty_income_account": account("EL Lending Penalty Income", "Direct Income", "Income"),
			"min_days_bw_disbursement_first_repayment": 15,
			"min_auto_closure_tolerance_amount": -100,
			"max_auto_closure_tolerance_amount": 100,
		}
	).insert(ignore_permissions=True)
	return LENDING_PRODUCT


class TestBesideLending(PayrollTestCase):
	"""Dates follow today: Lending accrues a backdated term loan up to today when it is submitted, so
	both loans start last month and the slip is this month's, the month of both first instalments."""

	@classmethod
	def setUpClass(cls):
		cls.lending = lending_installed()
		if cls.lending:  # without Lending every test is skipped, so nothing needs setting up
			super().setUpClass()
		cls.month = get_first_day(getdate(nowdate()))
		cls.last_month = add_months(cls.month, -1)

	def setUp(self):
		if not self.lending:
			self.skipTest("Frappe Lending is not installed on this site: nothing to coexist with")
		super().setUp()

	# -- a Lending loan (its product and accounts are the test's own, on _Test Company) -------------

	def lending_loan(self) -> str:
		product = lending_product()
		loan = frappe.get_doc(
			{
				"doctype": "Loan",
				"applicant_type": "Employee",
				"applicant": self.applicant,
				"company": COMPANY,
				"loan_product": product,
				"loan_amount": LENDING_AMOUNT,
				"repayment_method": "Repay Over Number of Periods",
				"repayment_periods": LENDING_PERIODS,
				"repayment_start_date": get_last_day(self.month),
				"posting_date": self.last_month,
				"repay_from_salary": 1,
			}
		).insert()
		loan.submit()
		frappe.get_doc(
			{
				"doctype": "Loan Disbursement",
				"against_loan": loan.name,
				"company": COMPANY,
				"disbursement_date": self.last_month,
				"disbursed_amount": LENDING_AMOUNT,
				"cost_center": frappe.get_cached_value("Company", COMPANY, "cost_center"),
			}
		).insert().submit()
		return loan.name

	def lending_first_instalment(self, loan: str) -> frappe._dict:
		schedule = frappe.db.get_value("Loan Repayment Schedule", {"loan": loan, "docstatus": 1}, "name")
		return frappe.get_all(
			"Repayment Schedule",
			filters={"parent": schedule, "parenttype": "Loan Repayment Schedule"},
			fields=["payment_date", "principal_amount", "interest_amount", "total_payment"],
			order_by="payment_date",
			limit=1,
		)[0]

	def employee_loan(self) -> str:
		application = apply(self.applicant, self.personal, 120000, 12, posting_date=str(self.last_month))
		return approve_and_disburse(application.name, str(self.last_month.replace(day=15)))

	def lending_repayments(self, loan: str, docstatus: int) -> list[dict]:
		return frappe.get_all(
			"Loan Repayment",
			filters={"against_loan": loan, "docstatus": docstatus},
			fields=["name", "amount_paid", "principal_amount_paid", "total_interest_paid"],
		)

	# -- the test ----------------------------------------------------------------------------------

	def test_one_slip_recovers_both_loans_once_and_cancelling_reverses_both(self):
		lending_loan = self.lending_loan()
		employee_loan = self.employee_loan()
		instalment = self.lending_first_instalment(lending_loan)
		self.assertEqual(getdate(instalment.payment_date), get_last_day(self.month))
		self.assertGreater(instalment.total_payment, 0)
		our_emi = frappe.get_doc("Employee Loan", employee_loan).schedule[0]

		slip = make_slip(self.applicant, self.month)

		# Lending's loan on the slip's loans table only, with its instalment for the month
		self.assertEqual([row.loan for row in slip.loans], [lending_loan])
		lending_row = slip.loans[0]
		self.assertEqual(money(lending_row.total_payment), money(instalment.total_payment))
		self.assertEqual(money(slip.total_loan_repayment), money(instalment.total_payment))
		# ours on the deduction rows only: principal on "Loan EMI", interest on "Loan Interest"
		lines = loan_lines(slip)
		self.assertEqual([line.employee_loan for line in lines], [employee_loan])
		self.assertEqual(
			[(row.salary_component, money(row.amount)) for row in lines[0].rows],
			[
				("Loan EMI", money(our_emi.principal_amount)),
				("Loan Interest", money(our_emi.interest_amount)),
			],
		)
		self.assertFalse(
			[row for row in slip.deductions if row.employee_loan and row.employee_loan != employee_loan]
		)
		# net pay: salary less professional tax, less both instalments, once each
		expected_net = NET_BEFORE_LOANS - money(our_emi.emi) - money(instalment.total_payment)
		self.assertEqual(money(slip.net_pay), expected_net)
		self.assertEqual(
			money(slip.net_pay),
			money(slip.gross_pay) - money(slip.total_deduction) - money(slip.total_loan_repayment),
		)

		slip.submit()
		slip.reload()
		self.assertEqual(money(slip.net_pay), expected_net)
		# the slip's Loan Deductions (what Loan Deduction reconciles with) is our EMI, not Lending's
		self.assertEqual(money(slip.employee_loan_deduction), money(our_emi.emi))

		# one Employee Loan Repayment for our loan, tied to the slip; none for Lending's loan
		ours = frappe.get_all(
			"Employee Loan Repayment",
			filters={"salary_slip": slip.name, "docstatus": 1},
			fields=["employee_loan", "amount", "principal_amount", "interest_amount"],
		)
		self.assertEqual(len(ours), 1)
		self.assertEqual(ours[0].employee_loan, employee_loan)
		self.assertEqual(money(ours[0].amount), money(our_emi.emi))
		loan = frappe.get_doc("Employee Loan", employee_loan)
		self.assertEqual(money(loan.outstanding_balance), Decimal("120000") - money(our_emi.principal_amount))
		self.assertEqual(loan.emis_paid, 1)

		# one Lending Loan Repayment for Lending's loan, for its instalment, linked from the slip
		theirs = self.lending_repayments(lending_loan, docstatus=1)
		self.assertEqual(len(theirs), 1)
		self.assertEqual(money(theirs[0].amount_paid), money(instalment.total_payment))
		self.assertEqual(slip.loans[0].loan_repayment_entry, theirs[0].name)
		self.assertEqual(
			money(frappe.db.get_value("Loan", lending_loan, "total_amount_paid")),
			money(instalment.total_payment),
		)

		slip.cancel()

		# both reversed: our repayment cancelled and the loan back where it was, Lending's too
		self.assertFalse(
			frappe.get_all("Employee Loan Repayment", filters={"salary_slip": slip.name, "docstatus": 1})
		)
		loan = frappe.get_doc("Employee Loan", employee_loan)
		self.assertEqual(money(loan.outstanding_balance), Decimal("120000"))
		self.assertEqual(loan.emis_paid, 0)
		self.assertEqual(loan.status, "Disbursed")
		self.assertFalse(self.lending_repayments(lending_loan, docstatus=1))
		self.assertEqual(len(self.lending_repayments(lending_loan, docstatus=2)), 1)
		self.assertEqual(money(frappe.db.get_value("Loan", lending_loan, "total_amount_paid")), 0)

	def test_a_protected_net_pay_counts_the_lending_instalment_first(self):
		"""Net pay that cannot cover both: HRMS takes Lending's instalment in the slip's totals, and this
		app's policy works on what is left, so the protected minimum still holds."""
		set_settings(short_pay_policy="Deduct Available", protected_net_pay=90000)
		lending_loan = self.lending_loan()
		self.employee_loan()
		lending_emi = money(self.lending_first_instalment(lending_loan).total_payment)
		available = NET_BEFORE_LOANS - lending_emi - Decimal("90000")

		slip = make_slip(self.applicant, self.month)

		self.assertEqual(money(slip.total_loan_repayment), lending_emi)
		self.assertEqual(money(loan_lines(slip)[0].amount), available)
		self.assertIn(str(available), loan_lines(slip)[0].loan_deduction_note)
		self.assertEqual(money(slip.net_pay), Decimal("90000.00"))
		slip.submit()
		self.assertEqual(
			money(frappe.db.get_value("Employee Loan Repayment", {"salary_slip": slip.name}, "amount")),
			available,
		)
