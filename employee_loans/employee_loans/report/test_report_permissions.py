"""Who sees which loans, over HTTP with a real login: in the reports, the number cards and the
whitelisted methods as in the list of loans.

A company group on one site: _Test Company and a second company, OTHER. HR users limited by User
Permissions to one company (or one department, or one employee) see only those loans, rows and totals;
the roles that see every loan (HR, finance) see all of them; an employee sees their own; an employee-only
user linked to no Employee sees none. The requests run on their own database connection, so the records
are committed in setUpClass and removed in tearDownClass.

Figures by hand (interest-free loans, so each EMI is the amount over the months):
- A1 (_Test Company, department Perm A): 5,00,000 over 10 months, disbursed 15 Mar 2026; the April and
  May 2026 slips deduct 50,000.00 each, and carry the perquisite on the balance (FY 2026-27).
  Outstanding 4,00,000.00.
- A2 (_Test Company, department Perm B): 60,000 over 12 months, disbursed 15 Mar 2026, nothing repaid;
  and a Pending application for 10,000.
- B1 (OTHER, no department): 1,20,000 over 12 months, disbursed 15 Mar 2026; a manual repayment of
  10,000.00 today. Outstanding 1,10,000.00, over the 12 instalments not recovered yet (no slip ran in
  OTHER; the end date is kept): EMI 9,166.67.
"""

import json
from decimal import Decimal
from urllib.parse import urlencode

import frappe
from frappe.permissions import add_user_permission
from frappe.tests.test_api import make_request
from frappe.tests.utils import FrappeTestCase
from frappe.utils import nowdate

from employee_loans.accounts import ensure_loan_accounts
from employee_loans.payroll_hooks.test_payroll_perquisite import set_policy
from employee_loans.sample_data import delete_employees
from employee_loans.tests.http import HttpRequests
from employee_loans.tests.utils import (
	COMPANY,
	IGNORE_TEST_RECORDS,
	apply,
	approve_and_disburse,
	as_user,
	assign_structure,
	make_category,
	make_department,
	make_employee,
	make_slip,
	make_user,
	set_settings,
)

test_ignore = IGNORE_TEST_RECORDS

OTHER = "_EL Perm Other Co"
LOAN = "Employee Loan"
REPORT_RUN = "frappe.desk.query_report.run"
NUMBER_CARD = "frappe.desk.doctype.number_card.number_card.get_result"

A1, A2, B1 = "el-perm-a1@example.com", "el-perm-a2@example.com", "el-perm-b1@example.com"
HR_ALL = "el-perm-hr@example.com"  # HR Manager and HR User, no User Permission
HR_A = "el-perm-hr-a@example.com"  # HR User, only _Test Company
HR_B = "el-perm-hr-b@example.com"  # HR User, only OTHER
HR_DEPARTMENT = "el-perm-hr-dept@example.com"  # HR User, only department Perm A
HR_EMPLOYEE = "el-perm-hr-employee@example.com"  # HR User, only employee A2
HR_USER = "el-perm-hr-user@example.com"  # HR User, no User Permission
ACCOUNTS_USER = "el-perm-accounts-user@example.com"  # Accounts User who is an employee too
ACCOUNTS_MANAGER = "el-perm-accounts-manager@example.com"
NO_EMPLOYEE = "el-perm-nobody@example.com"  # Employee role, linked to no Employee
HR_USERS = {
	HR_ALL: ["HR Manager", "HR User"],
	HR_A: ["HR User"],
	HR_B: ["HR User"],
	HR_DEPARTMENT: ["HR User"],
	HR_EMPLOYEE: ["HR User"],
	HR_USER: ["HR User"],
	ACCOUNTS_MANAGER: ["Accounts Manager"],
}
LOAN_REPORTS = (
	"Active Loans",
	"Loan Summary",
	"Loan Deduction",
	"Loan History",
	"Loan Perquisite (Form 12BA)",
)


def money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def other_company() -> str:
	"""A second company of the group (kept between runs: a company cannot be deleted once it has
	accounts)."""
	if not frappe.db.exists("Company", OTHER):
		frappe.get_doc(
			{
				"doctype": "Company",
				"company_name": OTHER,
				"abbr": "_ELP",
				"default_currency": "INR",
				"country": "India",
			}
		).insert(ignore_permissions=True)
	ensure_loan_accounts(OTHER)
	return OTHER


class TestWhoSeesWhichLoans(HttpRequests, FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		set_settings()
		set_policy()  # the perquisite on interest-free loans, for Form 12BA's rows
		other_company()
		cls.department_a = make_department("EL Perm A")
		cls.department_b = make_department("EL Perm B")
		cls.category_a = make_category(
			"Perm Advance", maximum_amount=500000, rate=0, method="Interest Free", min_months=1, max_months=24
		)
		cls.category_b = make_category(
			"Perm Advance",
			company=OTHER,
			maximum_amount=500000,
			rate=0,
			method="Interest Free",
			min_months=1,
			max_months=24,
		)
		cls.a1 = make_employee(A1, department=cls.department_a)
		cls.a2 = make_employee(A2, department=cls.department_b)
		cls.b1 = make_employee(B1, company=OTHER)
		# an Accounts User who is an employee too, without the User Permission on their own record that
		# ERPNext adds by default (which would hide every other employee's loans, in the list as well)
		cls.accountant = make_employee(
			ACCOUNTS_USER, roles=("Accounts User", "Employee"), create_user_permission=0
		)
		assign_structure(cls.a1, base=100000)
		assign_structure(cls.a2, base=60000)
		cls.loan_a1 = cls.disbursed(cls.a1, cls.category_a, 500000, 10)
		cls.loan_a2 = cls.disbursed(cls.a2, cls.category_a, 60000, 12)
		cls.loan_b1 = cls.disbursed(cls.b1, cls.category_b, 120000, 12)
		for month in ("2026-04-01", "2026-05-01"):
			make_slip(cls.a1, month, submit=True)
		repayment = frappe.get_doc(
			{
				"doctype": "Employee Loan Repayment",
				"employee_loan": cls.loan_b1,
				"repayment_type": "Manual",
				"amount": 10000,
				"posting_date": nowdate(),
				"payment_account": frappe.get_cached_value("Company", OTHER, "default_cash_account"),
			}
		).insert()
		repayment.submit()
		cls.pending_a2 = apply(cls.a2, cls.category_a, 10000, 6).name
		for user, roles in HR_USERS.items():
			make_user(user, roles)
		# ERPNext takes the Employee role from a user saved without an Employee record: the case arises
		# when HR unlinks the record of a user who has the role
		cls.unlinked = make_employee(NO_EMPLOYEE)
		frappe.db.set_value("Employee", cls.unlinked, "user_id", None)
		frappe.db.delete("User Permission", {"user": ("in", list(HR_USERS))})
		for user, doctype, name in (
			(HR_A, "Company", COMPANY),
			(HR_B, "Company", OTHER),
			(HR_DEPARTMENT, "Department", cls.department_a),
			(HR_EMPLOYEE, "Employee", cls.a2),
		):
			add_user_permission(doctype, name, user, ignore_permissions=True)
		frappe.db.commit()  # the HTTP requests run on their own database connection
		cls.mine = {cls.loan_a1, cls.loan_a2, cls.loan_b1}

	@classmethod
	def disbursed(cls, employee, category, amount, months) -> str:
		application = apply(employee, category, amount, months, posting_date="2026-03-01")
		return approve_and_disburse(application.name, "2026-03-15")

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.delete("User Permission", {"user": ("in", list(HR_USERS))})
		delete_employees([cls.a1, cls.a2, cls.b1, cls.accountant, cls.unlinked])  # commits
		frappe.delete_doc("User", NO_EMPLOYEE, force=True, ignore_permissions=True)
		for category in (cls.category_a, cls.category_b):
			frappe.delete_doc("Employee Loan Category", category, force=True, ignore_permissions=True)
		set_settings()
		frappe.db.commit()
		super().tearDownClass()

	# -- requests -----------------------------------------------------------------------------------

	def report(self, client, report: str, status: int = 200, **filters) -> dict:
		response = self.get(client, REPORT_RUN, report_name=report, filters=filters)
		self.assertEqual(response.status_code, status, f"{report}: {response.text[:500]}")
		return response.json.get("message") if status == 200 else response.json

	def listed(self, client) -> set[str]:
		"""The loans the list shows the user (of this test's loans)."""
		response = make_request(client.get, (f"/api/resource/{LOAN}?{urlencode({'limit_page_length': 0})}",))
		self.assertEqual(response.status_code, 200, response.text[:500])
		return {row["name"] for row in response.json["data"]} & self.mine

	def loans_in(self, result: dict) -> set[str]:
		return {row.get("employee_loan") for row in result["result"] if isinstance(row, dict)} & self.mine

	@staticmethod
	def cards(result: dict) -> dict:
		return {card["label"]: card["value"] for card in result.get("report_summary") or []}

	def card_value(self, client, card: str, company: str) -> float:
		doc = frappe.get_doc("Number Card", card)
		filters = [*frappe.parse_json(doc.filters_json), [doc.document_type, "company", "=", company]]
		response = self.get(client, NUMBER_CARD, doc=doc.as_json(), filters=filters)
		self.assertEqual(response.status_code, 200, response.text[:500])
		return response.json["message"]

	# -- one company's HR ---------------------------------------------------------------------------

	def test_active_loans_and_loan_history_show_only_the_permitted_companys_loans(self):
		hr_b, hr_a, hr = self.login(HR_B), self.login(HR_A), self.login(HR_ALL)
		for report in ("Active Loans", "Loan History"):
			self.assertEqual(self.loans_in(self.report(hr, report)), self.mine, report)
			only_b = self.report(hr_b, report)
			self.assertEqual(self.loans_in(only_b), {self.loan_b1}, report)
			# every row is OTHER's: the only loan of that company is B1
			self.assertEqual({row["employee_loan"] for row in only_b["result"]}, {self.loan_b1}, report)
			self.assertEqual(self.loans_in(self.report(hr_a, report)), {self.loan_a1, self.loan_a2}, report)
			# asking for the other company by name gives nothing of it
			asked = self.report(hr_b, report, company=COMPANY)
			self.assertEqual(asked["result"], [], report)
		cards = self.cards(self.report(hr_b, "Active Loans"))
		self.assertEqual(
			(cards["Active Loans"], money(cards["Principal Lent"]), money(cards["Outstanding Balance"])),
			(1, Decimal("120000.00"), Decimal("110000.00")),
		)
		self.assertEqual(money(cards["Monthly EMIs"]), Decimal("9166.67"))
		cards = self.cards(self.report(hr_b, "Active Loans", company=COMPANY))
		self.assertEqual((cards["Active Loans"], money(cards["Outstanding Balance"])), (0, 0))
		cards = self.cards(self.report(hr_b, "Loan History"))
		self.assertEqual((cards["Loans"], money(cards["Total Repaid"])), (1, Decimal("10000.00")))

	def test_loan_summary_adds_up_only_the_permitted_companys_loans(self):
		hr_b, hr = self.login(HR_B), self.login(HR_ALL)
		period = {"from_date": "2026-01-01", "to_date": "2026-12-31"}
		everyone = self.report(hr, "Loan Summary", company=COMPANY, **period)
		self.assertTrue(everyone["result"])
		self.assertEqual(self.report(hr_b, "Loan Summary", company=COMPANY, **period)["result"], [])
		# the report's rows, without the total row the desk adds
		rows = [row for row in self.report(hr_b, "Loan Summary", **period)["result"] if isinstance(row, dict)]
		self.assertEqual([row["group"] for row in rows], [self.category_b])
		(row,) = rows
		self.assertEqual(
			(
				row["loans"],
				money(row["principal_disbursed"]),
				money(row["amount_recovered"]),
				money(row["outstanding"]),
			),
			(1, Decimal("120000.00"), Decimal("10000.00"), Decimal("110000.00")),
		)

	def test_loan_deduction_shows_no_deduction_nor_slip_total_of_another_company(self):
		hr_b, hr_a = self.login(HR_B), self.login(HR_A)
		period = {"from_date": "2026-04-01", "to_date": "2026-05-31"}
		seen = self.report(hr_a, "Loan Deduction", company=COMPANY, **period)
		mine = [row for row in seen["result"] if row.get("employee_loan") == self.loan_a1]
		self.assertEqual([money(row["amount"]) for row in mine], [Decimal("50000.00")] * 2)
		for filters in ({"company": COMPANY}, {}):
			result = self.report(hr_b, "Loan Deduction", **filters, **period)
			self.assertEqual(result["result"], [], filters)
			cards = self.cards(result)
			# the salary slips' loan deductions were the other company's too before
			self.assertEqual(
				(
					cards["Deductions"],
					money(cards["Deducted"]),
					money(cards["Loan Deductions on Salary Slips"]),
				),
				(0, 0, 0),
				filters,
			)

	def test_form_12ba_shows_no_perquisite_of_another_company(self):
		hr_b, hr_a = self.login(HR_B), self.login(HR_A)
		year = {"financial_year": "2026-27"}
		seen = self.report(hr_a, "Loan Perquisite (Form 12BA)", company=COMPANY, **year)
		self.assertIn(self.loan_a1, self.loans_in(seen))
		for filters in ({"company": COMPANY}, {}):
			result = self.report(hr_b, "Loan Perquisite (Form 12BA)", **filters, **year)
			self.assertEqual(result["result"], [], filters)
			cards = self.cards(result)
			self.assertEqual((cards["Employees"], money(cards["Taxable Value 2026-27"])), (0, 0), filters)

	def test_the_reconciliation_refuses_another_companys_books(self):
		hr_b = self.login(HR_B)
		refused = self.report(
			hr_b, "Employee Loan Reconciliation", status=403, company=COMPANY, as_at_date="2026-12-31"
		)
		self.assertIn("do not include company", json.dumps(refused))
		result = self.report(hr_b, "Employee Loan Reconciliation", company=OTHER, as_at_date="2026-12-31")
		cards = self.cards(result)
		self.assertEqual(
			(money(cards["GL Balance"]), money(cards["Ledger Outstanding"]), money(cards["Difference"])),
			(Decimal("110000.00"), Decimal("110000.00"), 0),
		)
		# limited to some of a company's loans: its books are not theirs to see
		refused = self.report(
			self.login(HR_DEPARTMENT),
			"Employee Loan Reconciliation",
			status=403,
			company=COMPANY,
			as_at_date="2026-12-31",
		)
		self.assertIn("allow you only some of them", json.dumps(refused))

	def test_number_cards_count_only_the_permitted_companys_loans(self):
		hr_b, hr = self.login(HR_B), self.login(HR_ALL)
		self.assertGreaterEqual(self.card_value(hr, "Active Employee Loans", COMPANY), 2)
		self.assertGreaterEqual(self.card_value(hr, "Pending Loan Applications", COMPANY), 1)
		for card in (
			"Active Employee Loans",
			"Outstanding Loan Balance",
			"Pending Loan Applications",
			"Loan Recoveries (This Month)",
		):
			self.assertEqual(self.card_value(hr_b, card, COMPANY), 0, card)
		self.assertEqual(self.card_value(hr_b, "Active Employee Loans", OTHER), 1)
		self.assertEqual(self.card_value(hr_b, "Outstanding Loan Balance", OTHER), 110000)
		self.assertEqual(self.card_value(hr_b, "Loan Recoveries (This Month)", OTHER), 10000)

	def test_a_department_or_an_employee_the_user_may_not_see_gives_no_rows(self):
		by_department, by_employee = self.login(HR_DEPARTMENT), self.login(HR_EMPLOYEE)
		# B1's loan has no department: it passes a User Permission on Department, in the list as in the
		# reports (System Settings' Apply Strict User Permissions is off)
		for report in ("Active Loans", "Loan History"):
			self.assertEqual(
				self.loans_in(self.report(by_department, report)), {self.loan_a1, self.loan_b1}, report
			)
			self.assertEqual(self.loans_in(self.report(by_employee, report)), {self.loan_a2}, report)
			self.assertEqual(self.report(by_employee, report, employee=self.a1)["result"], [], report)
		# the totals are those of the rows shown: A1's 4,00,000.00 (and any loan of the site without a
		# department), never A2's
		result = self.report(by_department, "Active Loans", company=COMPANY)
		self.assertNotIn(self.loan_a2, {row["employee_loan"] for row in result["result"]})
		self.assertIn(self.loan_a1, {row["employee_loan"] for row in result["result"]})
		self.assertEqual(
			money(self.cards(result)["Outstanding Balance"]),
			sum(money(row["outstanding_balance"]) for row in result["result"]),
		)
		period = {"from_date": "2026-04-01", "to_date": "2026-05-31", "company": COMPANY}
		result = self.report(by_employee, "Loan Deduction", **period)
		self.assertEqual(
			(result["result"], money(self.cards(result)["Loan Deductions on Salary Slips"])), ([], 0)
		)
		# the lists agree
		self.assertEqual(self.listed(by_department), {self.loan_a1, self.loan_b1})
		self.assertEqual(self.listed(by_employee), {self.loan_a2})

	def test_whitelisted_methods_refuse_another_companys_loans_and_employees(self):
		hr_b = self.login(HR_B)
		response = self.get(
			hr_b,
			"employee_loans.employee_loans.doctype.employee_loan.employee_loan.get_preclosure_amount",
			loan=self.loan_a1,
		)
		self.assertEqual(response.status_code, 403, response.text[:300])
		response = self.get(
			hr_b,
			"employee_loans.api.preview_application",
			loan_category=self.category_a,
			loan_amount=10000,
			tenure_months=6,
			employee=self.a1,
		)
		self.assertEqual(response.status_code, 403, response.text[:300])
		self.assertIn("not permitted to see employee", response.text)
		# their own company's are theirs
		response = self.get(
			hr_b,
			"employee_loans.employee_loans.doctype.employee_loan.employee_loan.get_preclosure_amount",
			loan=self.loan_b1,
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertEqual(response.json["message"]["principal"], 110000)

	def test_the_payment_accounts_offered_are_of_a_permitted_company(self):
		from employee_loans.payment_accounts import payment_account_query

		with as_user(HR_B):
			offered = payment_account_query("Account", "", "name", 0, 20, {"company": OTHER})
			self.assertIn(
				frappe.get_cached_value("Company", OTHER, "default_cash_account"), [row[0] for row in offered]
			)
			with self.assertRaisesRegex(frappe.PermissionError, "not permitted to choose the accounts"):
				payment_account_query("Account", "", "name", 0, 20, {"company": COMPANY})

	# -- the roles: one rule for the list and the reports --------------------------------------------

	def test_each_role_sees_the_same_loans_in_the_list_and_the_reports(self):
		expected = {
			HR_ALL: self.mine,  # HR Manager
			HR_USER: self.mine,
			ACCOUNTS_MANAGER: self.mine,  # finance reconciles the whole portfolio
			ACCOUNTS_USER: self.mine,  # ... also when they are an employee themselves
			A1: {self.loan_a1},  # an employee: their own
			NO_EMPLOYEE: set(),
		}
		for user, loans in expected.items():
			client = self.login(user)
			self.assertEqual(self.listed(client), loans, user)
			for report in ("Active Loans", "Loan History"):
				result = self.report(client, report)
				self.assertEqual(self.loans_in(result), loans, (user, report))
				if user == NO_EMPLOYEE:
					self.assertIn("No employee record is linked to your user", result["message"])

	def test_the_reconciliation_is_for_hr_and_finance(self):
		for user in (HR_ALL, HR_USER, ACCOUNTS_MANAGER, ACCOUNTS_USER):
			result = self.report(
				self.login(user), "Employee Loan Reconciliation", company=OTHER, as_at_date="2026-12-31"
			)
			self.assertEqual(money(self.cards(result)["Ledger Outstanding"]), Decimal("110000.00"), user)
		for user in (A1, NO_EMPLOYEE):
			self.report(
				self.login(user),
				"Employee Loan Reconciliation",
				status=403,
				company=OTHER,
				as_at_date="2026-12-31",
			)
