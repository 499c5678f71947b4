"""A slip refused during a Payroll Entry because its loan moved after the slip was saved: what the
payroll officer sees on the Payroll Entry, and the one step that brings the slip up to date and submits
it (employee_loans.payroll_hooks.payroll_entry).

Payroll Entry commits what it makes, so these tests commit their records too and remove every row they
made in tearDown. The category books to accounts and salary components of its own ("EL Drafts ..."), so
the journal entries and the reconciliation read for them see nothing of other tests."""

from decimal import Decimal
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import random_string

from employee_loans.payroll_hooks import payroll_entry as payroll_entry_hooks
from employee_loans.payroll_hooks.payroll_entry import ONLOAD_KEY, draft_slips, update_and_submit_draft_slips
from employee_loans.sample_data import (
	apply,
	approve_and_disburse,
	assign_structure,
	background_jobs_inline,
	component_accounts,
	delete_employees,
	make_department,
	make_employee,
	make_user,
	payroll_entry,
	set_settings,
)
from employee_loans.tests.utils import (
	IGNORE_TEST_RECORDS,
	as_user,
	category_with_books_of_its_own,
	reconciled,
)

test_ignore = IGNORE_TEST_RECORDS

LOAN = "Employee Loan"
REPAYMENT = "Employee Loan Repayment"
PAYROLL_OFFICER = "el-drafts-payroll@example.com"  # HR Manager: HRMS's Payroll Entry is theirs
HR_USER = "el-drafts-hr-user@example.com"  # reads and submits slips, cannot touch a Payroll Entry
# Worked out by hand for 1,20,000 at 8 % over 12 months (r = 8 / 12 / 100), the first instalment in
# January: EMI 10,438.61 = 9,638.61 principal + 800.00 interest (1,20,000·r). After a manual repayment of
# 20,000.00 on 10 January the balance is 1,00,000.00 and the end date is kept: 12 instalments of
# 1,00,000·r·(1+r)^12 / ((1+r)^12 - 1) = 8,698.84, January's = 8,032.17 principal + 666.67 interest.
SAVED_PRINCIPAL, SAVED_INTEREST = Decimal("9638.61"), Decimal("800.00")
MANUAL = Decimal("20000.00")
NOW_PRINCIPAL, NOW_INTEREST = Decimal("8032.17"), Decimal("666.67")


def money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def journal_credits(payroll_entry_name: str) -> list[dict]:
	"""Each submitted accrual journal of the Payroll Entry with its net credit per account, oldest
	first."""
	journals = frappe.get_all(
		"Journal Entry Account",
		filters={"reference_type": "Payroll Entry", "reference_name": payroll_entry_name, "docstatus": 1},
		pluck="parent",
		distinct=True,
	)
	credits = []
	for journal in sorted(journals):
		by_account = {}
		for row in frappe.get_all(
			"GL Entry",
			filters={"voucher_no": journal, "is_cancelled": 0},
			fields=["account", "debit", "credit"],
		):
			by_account[row.account] = by_account.get(row.account, 0) + money(row.credit) - money(row.debit)
		credits.append(by_account)
	return credits


class TestDraftSlipsOfAPayrollEntry(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		component_accounts()
		set_settings(maximum_active_loans=0)
		cls.category, cls.loan_account, cls.interest_account = category_with_books_of_its_own(
			"Drafts Personal", "EL Drafts", "ELD"
		)
		cls.department = make_department("EL Drafts")
		make_user(PAYROLL_OFFICER, ["HR Manager", "Employee"])
		make_user(HR_USER, ["HR User", "Employee"])
		frappe.db.commit()  # nosemgrep: Payroll Entry commits; the fixtures must be there for it

	def setUp(self):
		frappe.set_user("Administrator")
		run = random_string(6).lower()
		self.employees, self.loans, self.entries = [], [], []
		for name in ("on-time", "repaid"):
			employee = make_employee(
				f"el-drafts-{run}-{name}@example.com", roles=(), department=self.department
			)
			assign_structure(employee, base=100000)
			application = apply(employee, self.category, 120000, 12, posting_date="2025-12-01")
			self.employees.append(employee)
			self.loans.append(approve_and_disburse(application.name, "2025-12-15"))
		frappe.db.commit()  # nosemgrep

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		delete_employees(self.employees, self.entries)
		frappe.db.commit()  # nosemgrep

	def slip_of(self, entry, employee: str) -> frappe._dict:
		return frappe.get_all(
			"Salary Slip",
			filters={"payroll_entry": entry.name, "employee": employee},
			fields=["name", "docstatus", "journal_entry"],
		)[0]

	def loan_lines(self, slip: str) -> dict:
		return {
			row.salary_component: money(row.amount)
			for row in frappe.get_all(
				"Salary Detail",
				filters={"parent": slip, "parentfield": "deductions", "employee_loan": ("is", "set")},
				fields=["salary_component", "amount"],
			)
		}

	def reconcile(self) -> dict:
		return reconciled(self, self.loan_account, self.interest_account, "2026-01-31", "2026-01-01")

	def manual_repayment(self, loan: str):
		"""HR records a manual repayment of 20,000 on 10 January, between creating the slips and
		submitting them."""
		repayment = frappe.get_doc(
			{
				"doctype": REPAYMENT,
				"employee_loan": loan,
				"repayment_type": "Manual",
				"posting_date": "2026-01-10",
				"amount": MANUAL,
				"payment_account": "Cash - _TC",
			}
		).insert()
		repayment.submit()
		frappe.db.commit()  # nosemgrep
		return repayment

	def assert_books_agree(self):
		"""The loan account and interest income agree with the loans: 0.00 on both, nothing unexplained."""
		outstanding = Decimal("240000.00") - SAVED_PRINCIPAL - MANUAL - NOW_PRINCIPAL
		interest = SAVED_INTEREST + NOW_INTEREST
		self.assertEqual(
			self.reconcile(),
			{
				self.loan_account: (outstanding, outstanding, 0, 0),
				self.interest_account: (interest, interest, 0, 0),
			},
		)

	def test_a_slip_refused_because_its_loan_moved_is_listed_and_submitted_in_one_step(self):
		on_time, repaid = self.employees
		on_time_loan, repaid_loan = self.loans
		entry = payroll_entry(self.department, "2026-01-01", "2026-01-31")
		self.entries.append(entry.name)
		with background_jobs_inline():
			entry.submit()  # creates the draft slips
		frappe.db.commit()  # nosemgrep
		entry.reload()
		refused = self.slip_of(entry, repaid).name
		self.assertEqual(
			self.loan_lines(refused), {"EL Drafts EMI": SAVED_PRINCIPAL, "EL Drafts Interest": SAVED_INTEREST}
		)
		# nothing has moved yet: nothing to list
		self.assertEqual(draft_slips(entry.name), [])

		# between creating the slips and submitting them, HR records a manual repayment on one loan
		manual = self.manual_repayment(repaid_loan)

		# HRMS's Submit Salary Slip: the other slip goes through, this one is refused and nothing of it is
		# written; the accrual journal books the submitted slip alone
		frappe.clear_messages()
		with background_jobs_inline():
			entry.submit_salary_slips()
		entry.reload()
		self.assertIn("Could not submit some Salary Slips", str(frappe.get_message_log()))
		self.assertEqual(self.slip_of(entry, on_time).docstatus, 1)
		self.assertEqual(
			(self.slip_of(entry, repaid).docstatus, self.slip_of(entry, repaid).journal_entry), (0, None)
		)
		self.assertFalse(frappe.db.exists(REPAYMENT, {"salary_slip": refused}))
		self.assertEqual(
			[
				(money(row.principal_amount), money(row.interest_amount))
				for row in frappe.get_all(
					REPAYMENT,
					filters={"employee_loan": repaid_loan, "docstatus": 1},
					fields=["principal_amount", "interest_amount"],
				)
			],
			[(MANUAL, 0)],
		)
		first_journal = journal_credits(entry.name)
		self.assertEqual(len(first_journal), 1)
		self.assertEqual(
			(first_journal[0][self.loan_account], first_journal[0][self.interest_account]),
			(SAVED_PRINCIPAL, SAVED_INTEREST),  # the on-time slip's line only
		)
		# and pressing it again refuses the same slip again
		with background_jobs_inline():
			entry.submit_salary_slips()
		self.assertEqual(self.slip_of(entry, repaid).docstatus, 0)

		# the payroll officer sees which slip was left, whose, for which loan and why, on the form too
		with as_user(PAYROLL_OFFICER):
			listed = draft_slips(entry.name)
			form = frappe.get_doc("Payroll Entry", entry.name)
			form.run_method("onload")
			self.assertEqual(form.get_onload().get(ONLOAD_KEY), listed)
		self.assertEqual(
			[(row["salary_slip"], row["employee"], row["employee_loan"], row["refresh"]) for row in listed],
			[(refused, repaid, repaid_loan, True)],
		)
		reason = listed[0]["reason"]
		for words in (
			"The slip deducts EL Drafts EMI ₹ 9,638.61, EL Drafts Interest ₹ 800.00",
			"the loan now calls for EL Drafts EMI ₹ 8,032.17, EL Drafts Interest ₹ 666.67",
			f"Since the slip was saved: repayment {manual.name} (Manual) of ₹ 20,000.00 on 10-01-2026",
		):
			self.assertIn(words, reason)

		# one who may not run payroll cannot press the button; nothing changes
		with as_user(HR_USER), self.assertRaises(frappe.PermissionError):
			update_and_submit_draft_slips(entry.name)
		self.assertEqual(self.slip_of(entry, repaid).docstatus, 0)

		# one step: the slip is saved again (its lines decided again) and submitted by HRMS's submission
		with as_user(PAYROLL_OFFICER):
			result = update_and_submit_draft_slips(entry.name)
		frappe.db.commit()  # nosemgrep
		self.assertEqual((result["saved"], result["submitted"]), ([refused], [refused]))
		slip = self.slip_of(entry, repaid)
		self.assertEqual(slip.docstatus, 1)
		self.assertEqual(
			self.loan_lines(refused), {"EL Drafts EMI": NOW_PRINCIPAL, "EL Drafts Interest": NOW_INTEREST}
		)
		repayment = frappe.get_all(
			REPAYMENT,
			filters={"salary_slip": refused, "docstatus": 1},
			fields=["employee_loan", "amount", "principal_amount", "interest_amount", "instalment_number"],
		)
		self.assertEqual(
			[
				(r.employee_loan, money(r.principal_amount), money(r.interest_amount), r.instalment_number)
				for r in repayment
			],
			[(repaid_loan, NOW_PRINCIPAL, NOW_INTEREST, 1)],
		)
		loan = frappe.get_doc(LOAN, repaid_loan)
		self.assertEqual(
			(money(loan.outstanding_balance), money(loan.interest_paid), loan.emis_paid),
			(Decimal("120000.00") - MANUAL - NOW_PRINCIPAL, NOW_INTEREST, 1),
		)
		self.assertEqual(
			money(frappe.db.get_value(LOAN, on_time_loan, "outstanding_balance")),
			Decimal("120000.00") - SAVED_PRINCIPAL,
		)

		# a second accrual journal, HRMS's own, books this slip alone, and the slip points to it
		journals = journal_credits(entry.name)
		self.assertEqual(len(journals), 2)
		self.assertEqual(
			(journals[1][self.loan_account], journals[1][self.interest_account]),
			(NOW_PRINCIPAL, NOW_INTEREST),
		)
		self.assertTrue(slip.journal_entry)
		self.assertEqual(
			frappe.db.get_value("Journal Entry", slip.journal_entry, ["docstatus", "posting_date"]),
			(1, frappe.utils.getdate("2026-01-31")),
		)
		self.assertEqual(draft_slips(entry.name), [])
		entry.reload()
		self.assertEqual((entry.status, entry.salary_slips_submitted), ("Submitted", 1))

		# the books agree with the loans: 0.00 on the loan account and on interest
		self.assert_books_agree()

	def test_nothing_to_submit_is_said_and_a_draft_payroll_entry_lists_nothing(self):
		entry = payroll_entry(self.department, "2026-01-01", "2026-01-31")
		self.entries.append(entry.name)
		frappe.db.commit()  # nosemgrep
		self.assertEqual(draft_slips(entry.name), [])
		with self.assertRaisesRegex(frappe.ValidationError, "has no salary slips yet"):
			update_and_submit_draft_slips(entry.name)
		with background_jobs_inline():
			entry.submit()
			entry.reload()
			entry.submit_salary_slips()
		frappe.db.commit()  # nosemgrep
		entry.reload()
		self.assertEqual(draft_slips(entry.name), [])
		with self.assertRaisesRegex(frappe.ValidationError, "no draft salary slip left"):
			update_and_submit_draft_slips(entry.name)

	def test_in_the_background_the_moved_slip_goes_through_and_one_hrms_skips_stays_listed(self):
		on_time, repaid = self.employees
		repaid_loan = self.loans[1]
		# a third employee without a loan, whose slip HRMS will skip (negative net pay)
		negative = make_employee(
			f"el-drafts-{random_string(6).lower()}-negative@example.com", roles=(), department=self.department
		)
		assign_structure(negative, base=100000)
		self.employees.append(negative)
		entry = payroll_entry(self.department, "2026-01-01", "2026-01-31")
		self.entries.append(entry.name)
		with background_jobs_inline():
			entry.submit()
		entry.reload()
		skipped = self.slip_of(entry, negative).name
		frappe.db.set_value("Salary Slip", skipped, "net_pay", -1, update_modified=False)
		self.manual_repayment(repaid_loan)
		with background_jobs_inline():
			entry.submit_salary_slips()
		entry.reload()
		refused = self.slip_of(entry, repaid).name
		self.assertEqual(
			[self.slip_of(entry, employee).docstatus for employee in (on_time, repaid, negative)], [1, 0, 0]
		)

		listed = {row["salary_slip"]: row for row in draft_slips(entry.name)}
		self.assertEqual(sorted(listed), sorted([refused, skipped]))
		self.assertEqual((listed[refused]["employee_loan"], listed[refused]["refresh"]), (repaid_loan, True))
		self.assertEqual((listed[skipped]["employee"], listed[skipped]["employee_loan"]), (negative, None))
		self.assertFalse(listed[skipped]["refresh"])
		self.assertIn("Net pay is negative (₹ -1.00)", listed[skipped]["reason"])

		# more slips than HRMS submits at once: the step runs as a background job (here, in this process)
		with patch.object(payroll_entry_hooks, "BACKGROUND_ABOVE", 0), background_jobs_inline():
			with as_user(PAYROLL_OFFICER):
				result = update_and_submit_draft_slips(entry.name)
		frappe.db.commit()  # nosemgrep
		self.assertEqual((result["queued"], result["saved"]), (True, [refused]))
		self.assertEqual(
			(self.slip_of(entry, repaid).docstatus, self.slip_of(entry, negative).docstatus), (1, 0)
		)
		self.assertEqual(
			self.loan_lines(refused), {"EL Drafts EMI": NOW_PRINCIPAL, "EL Drafts Interest": NOW_INTEREST}
		)
		journals = journal_credits(entry.name)
		self.assertEqual(
			[(journal[self.loan_account], journal[self.interest_account]) for journal in journals],
			[(SAVED_PRINCIPAL, SAVED_INTEREST), (NOW_PRINCIPAL, NOW_INTEREST)],
		)
		# what HRMS skipped stays listed, with its reason
		self.assertEqual([row["salary_slip"] for row in draft_slips(entry.name)], [skipped])
		self.assert_books_agree()
