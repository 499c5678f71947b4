"""The loans the report and print-format tests look at, built through the app's real actions:
applications approved and disbursed, salary slips submitted through HRMS (posting the payroll
repayments), a manual repayment and a manual pre-closure.

Figures by hand (currency INR, 2 places):

Employee ONE (department A, net pay 99,800 before loans)
- L1 "Report Personal" 2,00,000 at 8 % over 24 months, disbursed 15 Jan 2026, first EMI Feb 2026:
  EMI 9,045.46.
  Feb slip: EMI 1 in full, 9,045.46 = principal 7,712.13 + interest 1,333.33.
  Mar slip (protected net pay 94,000 leaves 5,800): partial, 5,800.00 = interest 1,281.92
  (1,92,287.87 x 8 % / 12) + principal 4,518.08; EMI due 9,045.46, short by 3,245.46.
  10 Apr 2026 manual repayment 10,000.00 (principal).
  Principal repaid 22,230.21, interest 2,615.25, total 24,845.46, outstanding 1,77,769.79.
  The rest, 1,77,769.79 over the 22 instalments left (Apr 2026 to Jan 2028, end date kept):
  EMI 8,714.35; next EMI 1 Apr 2026.
- L3 "Report Emergency" 12,000 interest free over 12 months, disbursed 20 Jan 2026: EMI 1,000.
  Feb slip 1,000.00; Mar slip skipped (nothing left after L1), EMI due 1,000.00;
  15 Apr 2026 pre-closed (settled manually) with 11,000.00. Closed, total repaid 12,000.00.

Employee TWO (department B, net pay 49,800)
- L2 "Report Emergency" 60,000 interest free over 12 months, disbursed 10 Feb 2026, first EMI Mar:
  Mar slip 5,000.00; Apr slip skipped (protected net pay 49,800), EMI due 5,000.00.
  Outstanding 55,000.00, 10 instalments left: EMI 5,500.00, next EMI 1 May 2026.
- L5 "Report Emergency" 10,000 over 10 months, disbursed 12 Feb 2026 and cancelled.
- L4 "Report Personal" 50,000 over 12 months, approved 2 Apr 2026, not disbursed.

Salary slips are posted on the first day of their month (the repayments' posting date).
"""

import frappe

from employee_loans.employee_loans.doctype.employee_loan.employee_loan import PRECLOSE_MANUALLY, preclose
from employee_loans.tests.base import LoanTestCase
from employee_loans.tests.utils import (
	apply,
	approve_and_disburse,
	assign_structure,
	make_category,
	make_department,
	make_employee,
	make_slip,
	set_settings,
)

LOAN = "Employee Loan"
ONE = "el-report-one@example.com"
TWO = "el-report-two@example.com"
NOBODY = "el-report-nobody@example.com"


def approved(employee, category, amount, months, applied_on, approved_on):
	from employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application import (
		approve,
	)

	loan = approve(apply(employee, category, amount, months, posting_date=applied_on).name)
	frappe.db.set_value(LOAN, loan, "approved_on", approved_on)
	return loan


def disbursed(employee, category, amount, months, applied_on, approved_on, disbursed_on, reference):
	application = apply(employee, category, amount, months, posting_date=applied_on)
	loan = approve_and_disburse(application.name, disbursed_on, reference=reference)
	frappe.db.set_value(LOAN, loan, "approved_on", approved_on)
	return loan


def slip(employee, month, protected_net_pay=0):
	set_settings(short_pay_policy="Deduct Available", protected_net_pay=protected_net_pay)
	return make_slip(employee, month, submit=True).name


def build(case) -> None:
	"""Sets the records on the test class `case` (rolled back with the class)."""
	frappe.set_user("Administrator")
	case.personal_category = make_category(
		"Report Personal", maximum_amount=500000, rate=8, min_months=6, max_months=60
	)
	case.emergency_category = make_category(
		"Report Emergency", maximum_amount=100000, rate=0, method="Interest Free", min_months=1, max_months=12
	)
	case.department_a = make_department("EL Reports A")
	case.department_b = make_department("EL Reports B")
	case.one = make_employee(ONE, department=case.department_a)
	case.two = make_employee(TWO, department=case.department_b)
	assign_structure(case.one, base=100000)
	assign_structure(case.two, base=50000)

	case.l1 = disbursed(
		case.one,
		case.personal_category,
		200000,
		24,
		"2026-01-05",
		"2026-01-06 10:00:00",
		"2026-01-15",
		"NEFT-L1",
	)
	case.l3 = disbursed(
		case.one,
		case.emergency_category,
		12000,
		12,
		"2026-01-10",
		"2026-01-18 10:00:00",
		"2026-01-20",
		"NEFT-L3",
	)
	case.l2 = disbursed(
		case.two,
		case.emergency_category,
		60000,
		12,
		"2026-02-01",
		"2026-02-02 10:00:00",
		"2026-02-10",
		"NEFT-L2",
	)
	case.l5 = disbursed(
		case.two,
		case.emergency_category,
		10000,
		10,
		"2026-02-01",
		"2026-02-03 10:00:00",
		"2026-02-12",
		"NEFT-L5",
	)
	frappe.get_doc(LOAN, case.l5).cancel()

	case.slips = {
		("one", "2026-02"): slip(case.one, "2026-02-01"),
		("one", "2026-03"): slip(case.one, "2026-03-01", protected_net_pay=94000),
		("two", "2026-03"): slip(case.two, "2026-03-01"),
		("two", "2026-04"): slip(case.two, "2026-04-01", protected_net_pay=49800),
	}
	set_settings()

	manual = frappe.get_doc(
		{
			"doctype": "Employee Loan Repayment",
			"employee_loan": case.l1,
			"repayment_type": "Manual",
			"amount": 10000,
			"posting_date": "2026-04-10",
			"reference": "CHQ-L1",
		}
	).insert()
	manual.submit()
	case.manual_repayment = manual.name
	case.preclosure = preclose(case.l3, PRECLOSE_MANUALLY, "2026-04-15", "NEFT-CLOSE-L3")

	case.l4 = approved(case.two, case.personal_category, 50000, 12, "2026-04-01", "2026-04-02 09:00:00")


class ReportTestCase(LoanTestCase):
	"""LoanTestCase with the records above, built once per class and rolled back with it."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		build(cls)

	def rows_by_loan(self, data, loans=None) -> dict:
		loans = loans or {self.l1, self.l2, self.l3, self.l4, self.l5}
		return {row["employee_loan"]: row for row in data if row.get("employee_loan") in loans}

	def summary(self, report_summary) -> dict:
		return {card["label"]: card["value"] for card in report_summary or []}
