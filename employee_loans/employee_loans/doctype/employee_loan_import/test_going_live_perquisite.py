"""India's loan perquisite on a loan brought in at go-live: the months before go-live were the old
payroll's and are not charged by the app; from go-live the balance is the one brought in, and Form 12BA
shows the loan from its first month in the app."""

from decimal import Decimal

from frappe.desk.query_report import run

from employee_loans.going_live import OPENING_ENTRY, bring_in_one, default_opening_account
from employee_loans.payroll_hooks.test_payroll_perquisite import PerquisiteTestCase, perquisite_rows
from employee_loans.tests.utils import COMPANY, IGNORE_TEST_RECORDS, make_slip

test_ignore = IGNORE_TEST_RECORDS

REPORT = "Loan Perquisite (Form 12BA)"


def money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


class TestPerquisiteOfALoanBroughtIn(PerquisiteTestCase):
	def test_months_before_go_live_are_not_charged_and_form_12ba_starts_at_go_live(self):
		# An interest-free staff advance of 5,00,000 over 10 months, disbursed on 15 March 2026; the old
		# payroll recovered April and May (and March's 50,000 at disbursement: 1,50,000 in all). Brought in
		# at go-live on 1 June 2026 with 3,50,000 outstanding, 7 instalments of 50,000 left.
		result = bring_in_one(
			COMPANY,
			{
				"employee": self.applicant,
				"loan_category": self.advance,
				"loan_amount": 500000,
				"annual_interest_rate": 0,
				"tenure_months": 10,
				"disbursement_date": "2026-03-15",
				"go_live_date": "2026-06-01",
				"outstanding_at_go_live": 350000,
				"instalments_before_go_live": 3,
			},
			OPENING_ENTRY,
			default_opening_account(COMPANY),
			confirm=True,
		)
		loan = result["loan"]
		self.assertTrue(loan, result["problems"])
		# May is before go-live: the old payroll's month, not charged by the app
		may = make_slip(self.applicant, "2026-05-01")
		self.assertEqual(perquisite_rows(may), [])
		# June: 3,50,000 less June's 50,000 leaves 3,00,000 on 30 June; 9 % for the month is 2,250.00
		june = make_slip(self.applicant, "2026-06-01")
		(row,) = perquisite_rows(june)
		self.assertEqual((row.employee_loan, money(row.amount)), (loan, Decimal("2250.00")))
		june.submit()
		data = run(REPORT, {"company": COMPANY, "financial_year": "2026-27", "employee": self.applicant})[
			"result"
		]
		months = [entry for entry in data if entry["indent"] == 2]
		self.assertEqual(
			[(entry["label"], entry["balance"], entry["taxable_value"], entry["remark"]) for entry in months],
			[("June 2026", 300000, 2250, None)],
		)
