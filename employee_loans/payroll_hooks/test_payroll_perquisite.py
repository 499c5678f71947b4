"""The perquisite on concessional loans (India) on real HRMS salary slips: one taxable row per loan
that raises the income tax by exactly the tax on it, and changes nothing else."""

from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from unittest.mock import patch

import frappe

from employee_loans.employee_loans.doctype.employee_loan.employee_loan import preclose
from employee_loans.payroll_hooks.perquisite import (
	DEFAULT_THRESHOLDS,
	PERQUISITE_COMPONENT,
	PerquisiteError,
	validate_settings,
)
from employee_loans.sample_data import component_accounts, ledger_account, payroll_entry
from employee_loans.tests.base import LoanTestCase
from employee_loans.tests.utils import (
	BASIC,
	COMPANY,
	IGNORE_TEST_RECORDS,
	PROFESSIONAL_TAX,
	apply,
	approve_and_disburse,
	assign_structure,
	make_category,
	make_component,
	make_department,
	make_employee,
	make_slip,
	set_settings,
)

test_ignore = IGNORE_TEST_RECORDS

SETTINGS = "Employee Loan Settings"
# Benchmark rates of these tests (not the State Bank of India's real ones): FY 2025-26 and 2026-27.
RATES = (
	("2025-04-01", "Personal", 11),
	("2026-04-01", "Personal", 9),
	("2026-04-01", "Vehicle", 9.5),
)
NET_BEFORE_LOANS = Decimal("99800")  # basic 1,00,000 less professional tax 200


def money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def perquisite_rows(slip):
	return [row for row in slip.earnings if row.employee_loan]


def set_policy(enabled=1, rates=RATES, thresholds=DEFAULT_THRESHOLDS):
	settings = frappe.get_single(SETTINGS)
	settings.perquisite_enabled = enabled
	settings.perquisite_component = PERQUISITE_COMPONENT
	settings.set(
		"perquisite_benchmark_rates", [{"from_date": d, "purpose": p, "rate": r} for d, p, r in rates]
	)
	settings.set(
		"perquisite_thresholds", [{"from_date": d, "amount": a, "rule": r} for d, a, r in thresholds]
	)
	settings.flags.ignore_permissions = True
	settings.save()
	frappe.clear_document_cache(SETTINGS, SETTINGS)


class PerquisiteTestCase(LoanTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.advance = make_category(
			"Staff Advance",
			maximum_amount=500000,
			rate=0,
			method="Interest Free",
			min_months=1,
			max_months=24,
		)
		cls.medical = make_category(
			"Medical Advance",
			maximum_amount=500000,
			rate=0,
			method="Interest Free",
			min_months=1,
			max_months=24,
			exempt_medical_rule_3a=1,
		)
		cls.vehicle = make_category(
			"Vehicle Loan", maximum_amount=500000, rate=8, min_months=6, max_months=60, loan_purpose="Vehicle"
		)

	def setUp(self):
		super().setUp()
		set_policy()

	def loan(self, category, amount, months, employee=None, disbursed="2026-03-15"):
		application = apply(employee or self.applicant, category, amount, months, posting_date="2026-03-01")
		return approve_and_disburse(application.name, disbursed)


class TestPerquisiteOnSlips(PerquisiteTestCase):
	def test_an_interest_free_loan_gives_one_taxable_row_that_is_neither_paid_nor_booked(self):
		loan = self.loan(self.advance, 500000, 10)
		# March 2026, the month of disbursement: nothing repaid yet, FY 2025-26 at 11 % over Rs 20,000
		march = make_slip(self.applicant, "2026-03-01")
		(row,) = perquisite_rows(march)
		self.assertEqual((row.employee_loan, money(row.amount)), (loan, Decimal("4583.33")))
		march.submit()
		# April: the first EMI of 50,000 leaves 4,50,000 on 30 April; 9 % for the month is 3,375.00
		slip = make_slip(self.applicant, "2026-04-01")
		(row,) = perquisite_rows(slip)
		self.assertEqual(row.salary_component, PERQUISITE_COMPONENT)
		self.assertEqual(money(row.amount), Decimal("3375.00"))
		self.assertEqual(
			(row.is_tax_applicable, row.do_not_include_in_total, row.do_not_include_in_accounts),
			(1, 1, 1),
		)
		self.assertEqual((row.depends_on_payment_days, money(row.additional_amount)), (0, 0))
		self.assertIn("9.00 % a year on", row.loan_deduction_note)
		self.assertIn("4,50,000.00", row.loan_deduction_note)
		# nothing paid: gross is the salary, net is the salary less the deductions
		self.assertEqual(money(slip.gross_pay), Decimal("100000"))
		self.assertEqual(money(slip.net_pay), NET_BEFORE_LOANS - Decimal("50000"))
		slip.submit()
		slip.reload()
		(row,) = perquisite_rows(slip)
		self.assertEqual(money(row.amount), Decimal("3375.00"))
		self.assertEqual(money(row.year_to_date), Decimal("7958.33"))  # March and April

	def test_policy_off_or_a_company_outside_india_sees_no_change(self):
		self.loan(self.advance, 500000, 10)
		set_policy(enabled=0)
		off = make_slip(self.applicant, "2026-04-01")
		self.assertEqual(perquisite_rows(off), [])
		self.assertEqual([row.salary_component for row in off.earnings], [BASIC])
		off.delete()
		set_policy(enabled=1)
		frappe.db.set_value("Company", COMPANY, "country", "United Arab Emirates")
		frappe.clear_document_cache("Company", COMPANY)
		try:
			abroad = make_slip(self.applicant, "2026-04-01")
			self.assertEqual([row.salary_component for row in abroad.earnings], [BASIC])
			self.assertEqual(money(abroad.net_pay), NET_BEFORE_LOANS - Decimal("50000"))
		finally:
			frappe.db.set_value("Company", COMPANY, "country", "India")
			frappe.clear_document_cache("Company", COMPANY)

	def test_medical_loans_and_loans_within_the_threshold_carry_nothing(self):
		self.loan(self.medical, 500000, 10)
		alone = make_slip(self.applicant, "2026-04-01")
		self.assertEqual(perquisite_rows(alone), [])
		alone.delete()
		# a Rs 1,50,000 loan beside it: the medical loan stays out of the aggregate, so in March 2026
		# (threshold Rs 20,000) the small loan is taxed at 11 %, and in April its 1,40,000 is within Rs 2,00,000
		small = self.loan(self.advance, 150000, 15)
		march = make_slip(self.applicant, "2026-03-01")
		self.assertEqual(
			[(row.employee_loan, money(row.amount)) for row in perquisite_rows(march)],
			[(small, Decimal("1375.00"))],
		)
		march.submit()
		self.assertEqual(perquisite_rows(make_slip(self.applicant, "2026-04-01")), [])

	def test_a_skipped_instalment_is_valued_in_full_a_partial_one_on_what_it_left(self):
		loan = self.loan(self.vehicle, 300000, 12)
		# 4,800 of net pay for the loans: the EMI of 26,096.53 is skipped, nothing recovered in April,
		# so 9.50 % on the whole 3,00,000 (2,375.00) is the perquisite
		set_settings(short_pay_policy="Skip Month", protected_net_pay=95000)
		skipped = make_slip(self.applicant, "2026-04-01")
		self.assertEqual(sum(money(row.amount) for row in skipped.deductions if row.employee_loan), 0)
		self.assertEqual([money(row.amount) for row in perquisite_rows(skipped)], [Decimal("2375.00")])
		skipped.delete()
		# deduct what is available: interest 2,000.00 first, then 2,800.00 of principal; 2,97,200 left
		# gives 2,352.83 at 9.50 %, less the 2,000.00 recovered
		set_settings(short_pay_policy="Deduct Available", protected_net_pay=95000)
		partial = make_slip(self.applicant, "2026-04-01")
		self.assertEqual(
			sorted(money(row.amount) for row in partial.deductions if row.employee_loan),
			[Decimal("2000.00"), Decimal("2800.00")],
		)
		(row,) = perquisite_rows(partial)
		self.assertEqual((row.employee_loan, money(row.amount)), (loan, Decimal("352.83")))
		partial.submit()

	def test_a_preclosure_in_payroll_leaves_nothing_outstanding_so_no_row(self):
		# a salary that covers the whole balance in one slip
		employee = make_employee("el-perq-high-earner@example.com", roles=())
		assign_structure(employee, base=500000)
		loan = self.loan(self.advance, 500000, 10, employee=employee)
		self.assertEqual(len(perquisite_rows(make_slip(employee, "2026-04-01", submit=True))), 1)
		preclose(loan, "Deduct in Next Payroll")
		slip = make_slip(employee, "2026-05-01")
		self.assertEqual(
			sum(money(row.amount) for row in slip.deductions if row.employee_loan), Decimal("450000")
		)
		self.assertEqual(perquisite_rows(slip), [])
		slip.submit()
		self.assertEqual(frappe.db.get_value("Employee Loan", loan, "status"), "Closed")
		# the next month the closed loan is gone from the slip altogether
		self.assertEqual(perquisite_rows(make_slip(employee, "2026-06-01")), [])

	def test_the_last_slip_of_a_leaving_employee_values_what_stays_unrecovered(self):
		self.loan(self.advance, 500000, 10)
		make_slip(self.applicant, "2026-04-01", submit=True)
		frappe.db.set_value("Employee", self.applicant, "relieving_date", "2026-05-31")
		slip = make_slip(self.applicant, "2026-05-01")
		recovered = sum(money(row.amount) for row in slip.deductions if row.employee_loan)
		self.assertEqual(recovered, NET_BEFORE_LOANS)  # all the net pay there is
		left = Decimal("450000") - recovered
		(row,) = perquisite_rows(slip)
		self.assertEqual(money(row.amount), (left * 9 / 1200).quantize(Decimal("0.01"), ROUND_HALF_UP))
		slip.submit()

	def test_cancel_and_amend_give_the_same_row_again(self):
		self.loan(self.advance, 500000, 10)
		slip = make_slip(self.applicant, "2026-04-01", submit=True)
		slip.cancel()
		amended = frappe.copy_doc(slip)
		amended.update({"amended_from": slip.name, "docstatus": 0})
		amended.insert()
		(row,) = perquisite_rows(amended)
		self.assertEqual(money(row.amount), Decimal("3375.00"))
		amended.submit()
		self.assertEqual(money(frappe.get_doc("Salary Slip", amended.name).net_pay), NET_BEFORE_LOANS - 50000)

	def test_a_change_after_saving_stops_the_submission_until_the_slip_is_saved_again(self):
		self.loan(self.advance, 500000, 10)
		slip = make_slip(self.applicant, "2026-04-01")
		set_policy(rates=(("2026-04-01", "Personal", "9.60"),))
		with self.assertRaisesRegex(
			PerquisiteError, "perquisite on loan .* has changed since the slip was saved"
		):
			slip.submit()
		slip.reload()
		slip.save()
		(row,) = perquisite_rows(slip)
		self.assertEqual(money(row.amount), Decimal("3600.00"))  # 4,50,000 at 9.60 %
		slip.submit()

	def test_without_a_benchmark_rate_the_slip_is_saved_without_the_row_and_not_submitted(self):
		self.loan(self.advance, 500000, 10)
		set_policy(rates=(("2026-04-01", "Vehicle", 9.5),))
		slip = make_slip(self.applicant, "2026-04-01")
		self.assertEqual(perquisite_rows(slip), [])
		with self.assertRaisesRegex(
			PerquisiteError, r"no benchmark rate for financial year 2026-27 and loan purpose Personal"
		):
			slip.submit()

	def test_the_structure_preview_is_taxed_with_the_row(self):
		from hrms.payroll.doctype.salary_structure.salary_structure import make_salary_slip

		from employee_loans.tests.utils import STRUCTURE

		self.loan(self.advance, 500000, 10)
		preview = make_salary_slip(
			STRUCTURE, employee=self.applicant, posting_date="2026-04-01", for_preview=1
		)
		self.assertEqual(len(perquisite_rows(preview)), 1)

	def test_the_settings_check_refuses_a_component_that_would_be_paid(self):
		settings = frappe.get_single(SETTINGS)
		settings.perquisite_component = BASIC
		with self.assertRaisesRegex(
			frappe.ValidationError, "must be an Earning that is tax applicable, not included"
		):
			validate_settings(settings)
		settings.perquisite_component = PERQUISITE_COMPONENT
		settings.append(
			"perquisite_benchmark_rates", {"from_date": "2026-04-01", "purpose": "Personal", "rate": 8}
		)
		with self.assertRaisesRegex(frappe.ValidationError, r"two benchmark rates .* \(9.00 % and 8.00 %\)"):
			validate_settings(settings)


# -- income tax against a real slab ----------------------------------------------------------------

TAX_COMPONENT = "EL Perquisite Income Tax"
TAX_STRUCTURE = "EL Perquisite Tax Structure"
TAX_SLAB = "EL Perquisite Tax Slab"
SLAB_FROM, SLAB_RATE, CESS = Decimal(300000), Decimal(10), Decimal(4)
PERIOD = ("2026-04-01", "2027-03-31")


def annual_tax(taxable: Decimal) -> Decimal:
	"""The slab, computed here: 10 % of what exceeds Rs 3,00,000 (counted from 3,00,000 itself, as the slab
	table reads "from 3,00,000"), plus 4 % cess on the tax."""
	if taxable < SLAB_FROM:
		return Decimal(0)
	tax = (taxable - SLAB_FROM + 1) * SLAB_RATE / 100
	return tax + tax * CESS / 100


def month_tax(paid_so_far: Decimal, earned_so_far: Decimal, this_month: Decimal, months_left: int) -> Decimal:
	"""This month's tax when the month's taxable earnings are projected over the months left, the year's
	tax less what is paid already spread evenly over them."""
	year = earned_so_far + this_month * months_left
	return ((annual_tax(year) - paid_so_far) / months_left).quantize(Decimal("0.01"), ROUND_HALF_UP)


def tax_row(slip) -> Decimal:
	return sum(
		(money(row.amount) for row in slip.deductions if row.salary_component == TAX_COMPONENT), Decimal(0)
	)


@contextmanager
def no_commits():
	"""Payroll Entry commits between its steps; keep everything inside the test's transaction."""
	with patch.object(frappe.db, "commit"):
		yield


class TestPerquisiteIncomeTax(PerquisiteTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_component(TAX_COMPONENT, "ELPIT", "Deduction")
		frappe.db.set_value(
			"Salary Component",
			TAX_COMPONENT,
			{"variable_based_on_taxable_salary": 1, "is_income_tax_component": 1},
		)
		cls.period = cls.payroll_period()
		cls.slab = cls.tax_slab()
		cls.structure = cls.tax_structure()
		cls.department = make_department("EL Perquisite Tax")
		cls.with_loan = make_employee(
			"el-perq-with-loan@example.com", roles=(), department=cls.department, date_of_joining="2020-01-01"
		)
		cls.twin = make_employee(
			"el-perq-twin@example.com", roles=(), department=cls.department, date_of_joining="2020-01-01"
		)
		for employee in (cls.with_loan, cls.twin):
			cls.assign(employee)
		cls.clear_payroll_caches()

	@classmethod
	def tearDownClass(cls):
		cls.clear_payroll_caches()
		super().tearDownClass()

	@staticmethod
	def clear_payroll_caches():
		"""HRMS caches payroll periods and tax components in Redis: what this class made (and rolls back)
		must not outlive it for the other tests' slips."""
		from hrms.payroll.doctype.payroll_period.payroll_period import get_payroll_period
		from hrms.payroll.doctype.salary_slip.salary_slip import (
			SALARY_COMPONENT_VALUES,
			TAX_COMPONENTS_BY_COMPANY,
		)

		get_payroll_period.clear_cache()
		frappe.cache().delete_value([TAX_COMPONENTS_BY_COMPANY, SALARY_COMPONENT_VALUES])
		frappe.clear_document_cache("Salary Component", TAX_COMPONENT)

	@staticmethod
	def payroll_period() -> str:
		existing = frappe.db.get_value(
			"Payroll Period", {"company": COMPANY, "start_date": PERIOD[0], "end_date": PERIOD[1]}
		)
		if existing:
			return existing
		return (
			frappe.get_doc(
				{
					"doctype": "Payroll Period",
					"name": "EL Perquisite 2026-27",
					"company": COMPANY,
					"start_date": PERIOD[0],
					"end_date": PERIOD[1],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	@staticmethod
	def tax_slab() -> str:
		slab = frappe.get_doc(
			{
				"doctype": "Income Tax Slab",
				"name": TAX_SLAB,
				"effective_from": "2026-03-01",
				"company": COMPANY,
				"currency": "INR",
				"slabs": [
					{"from_amount": int(SLAB_FROM), "to_amount": 0, "percent_deduction": int(SLAB_RATE)}
				],
				"other_taxes_and_charges": [{"description": "Cess", "percent": int(CESS)}],
			}
		)
		slab.insert(ignore_permissions=True)
		slab.submit()
		return slab.name

	@staticmethod
	def tax_structure() -> str:
		structure = frappe.get_doc(
			{
				"doctype": "Salary Structure",
				"name": TAX_STRUCTURE,
				"company": COMPANY,
				"payroll_frequency": "Monthly",
				"currency": "INR",
				"earnings": [
					{
						"salary_component": BASIC,
						"abbr": "ELB",
						"amount_based_on_formula": 1,
						"formula": "base",
						"depends_on_payment_days": 0,
					}
				],
				"deductions": [
					{
						"salary_component": PROFESSIONAL_TAX,
						"abbr": "ELPT",
						"amount": 200,
						"depends_on_payment_days": 0,
					},
					{
						"salary_component": TAX_COMPONENT,
						"abbr": "ELPIT",
						"variable_based_on_taxable_salary": 1,
						"depends_on_payment_days": 0,
					},
				],
			}
		)
		structure.insert(ignore_permissions=True)
		structure.submit()
		return structure.name

	@classmethod
	def assign(cls, employee: str):
		frappe.db.delete("Salary Structure Assignment", {"employee": employee})
		assignment = frappe.get_doc(
			{
				"doctype": "Salary Structure Assignment",
				"employee": employee,
				"salary_structure": cls.structure,
				"company": COMPANY,
				"currency": "INR",
				"from_date": "2026-01-01",
				"base": 100000,
				"income_tax_slab": cls.slab,
			}
		)
		assignment.insert(ignore_permissions=True)
		assignment.submit()

	def test_the_row_raises_the_tax_by_exactly_the_tax_on_the_perquisite(self):
		self.loan(self.advance, 500000, 10, employee=self.with_loan)
		april, twin = make_slip(self.with_loan, "2026-04-01"), make_slip(self.twin, "2026-04-01")
		perquisite = sum(money(row.amount) for row in perquisite_rows(april))
		self.assertEqual(perquisite, Decimal("3375.00"))
		salary = Decimal("100000")
		# projected: this month's taxable earnings over the 12 months of the payroll period
		self.assertEqual(money(april.annual_taxable_amount), 12 * (salary + perquisite))
		self.assertEqual(money(twin.annual_taxable_amount), 12 * salary)
		expected, expected_twin = month_tax(0, 0, salary + perquisite, 12), month_tax(0, 0, salary, 12)
		self.assertEqual((tax_row(april), tax_row(twin)), (expected, expected_twin))
		self.assertEqual(expected - expected_twin, Decimal("351.00"))  # 3,375 x 10 % x 1.04
		# gross is the same; net differs by the EMI and the tax on the perquisite only
		self.assertEqual(money(april.gross_pay), money(twin.gross_pay))
		self.assertEqual(money(twin.net_pay) - money(april.net_pay), Decimal("50000") + Decimal("351.00"))
		april.submit()
		twin.submit()
		# May: April's earnings come from its slip (the perquisite row included), May's are projected
		may, twin_may = make_slip(self.with_loan, "2026-05-01"), make_slip(self.twin, "2026-05-01")
		self.assertEqual([money(row.amount) for row in perquisite_rows(may)], [Decimal("3000.00")])
		self.assertEqual(tax_row(may), month_tax(expected, salary + perquisite, salary + Decimal("3000"), 11))
		self.assertEqual(tax_row(twin_may), month_tax(expected_twin, salary, salary, 11))

	def test_the_payroll_journal_books_no_perquisite(self):
		self.loan(self.advance, 500000, 10, employee=self.with_loan)
		component_accounts()
		deductions = ledger_account("Salary Deductions", "Current Liabilities")
		tax = frappe.get_doc("Salary Component", TAX_COMPONENT)
		tax.append("accounts", {"company": COMPANY, "account": deductions})
		tax.save(ignore_permissions=True)
		# the perquisite component has no account: the journal would fail if it booked the row
		self.assertFalse(frappe.db.exists("Salary Component Account", {"parent": PERQUISITE_COMPONENT}))
		entry = payroll_entry(self.department, "2026-04-01", "2026-04-30")
		with no_commits():
			entry.submit()
			entry.submit_salary_slips()
		entry.reload()
		self.assertFalse(entry.error_message)
		slips = frappe.get_all(
			"Salary Slip", filters={"payroll_entry": entry.name, "docstatus": 1}, fields=["name", "gross_pay"]
		)
		self.assertEqual(len(slips), 2)
		rows = frappe.get_all(
			"Salary Detail",
			filters={
				"parent": ("in", [slip.name for slip in slips]),
				"salary_component": PERQUISITE_COMPONENT,
			},
			pluck="amount",
		)
		self.assertEqual([money(amount) for amount in rows], [Decimal("3375.00")])
		journals = frappe.get_all(
			"Journal Entry Account",
			filters={"reference_type": "Payroll Entry", "reference_name": entry.name, "docstatus": 1},
			pluck="parent",
			distinct=True,
		)
		self.assertEqual(len(journals), 1)
		lines = frappe.get_all(
			"Journal Entry Account", filters={"parent": journals[0]}, fields=["account", "debit", "credit"]
		)
		salary_account = ledger_account("Salary", "Indirect Expenses")
		# the salary expense is the two salaries, not a rupee of perquisite
		self.assertEqual(
			sum(money(line.debit) for line in lines if line.account == salary_account), Decimal("200000")
		)
		self.assertEqual(
			sum(money(line.debit) for line in lines), sum(money(slip.gross_pay) for slip in slips)
		)
		self.assertNotIn(
			Decimal("3375.00"), [money(line.debit) for line in lines] + [money(line.credit) for line in lines]
		)
