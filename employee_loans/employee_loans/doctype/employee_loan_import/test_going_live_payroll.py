"""Going live mid-term, through real Payroll Entries: two loans brought in at go-live on 1 October 2026
(one with its opening Journal Entry, one already in the company's books) are deducted by October's
Payroll Entry with the principal and interest of their schedule from go-live, close at exactly 0 in
December, and the Employee Loan Reconciliation is 0.00 before go-live, at it and after every run.

Payroll Entry's own functions commit, so the months are built once for the class, committed, and
removed again in tearDownClass. The loans book to an account and salary components of their own
("EL GoLive ..."), so the report filtered by that account sees nothing of other tests."""

from datetime import date
from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_last_day, random_string
from frappe.utils.csvutils import to_csv

from employee_loans.employee_loans.doctype.employee_loan_import.employee_loan_import import check_file, start
from employee_loans.employee_loans.report.employee_loan_reconciliation.employee_loan_reconciliation import (
	execute,
)
from employee_loans.going_live import ALREADY_IN_BOOKS, COLUMNS, OPENING_ENTRY, default_opening_account
from employee_loans.sample_data import (
	background_jobs_inline,
	component_accounts,
	delete_employees,
	payroll_entry,
)
from employee_loans.tests.utils import (
	COMPANY,
	IGNORE_TEST_RECORDS,
	assign_structure,
	category_with_books_of_its_own,
	make_category,
	make_department,
	make_employee,
	set_settings,
)

test_ignore = IGNORE_TEST_RECORDS

LOAN = "Employee Loan"
IMPORT = "Employee Loan Import"
JOURNAL_ENTRY = "Journal Entry"
GO_LIVE = "2026-10-01"


def money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


class TestGoingLiveThroughPayroll(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.employees, cls.entries, cls.categories, cls.imports, cls.journals = [], [], [], [], []
		try:
			cls.build()
		except Exception:
			cls.remove()
			raise

	@classmethod
	def tearDownClass(cls):
		cls.remove()
		super().tearDownClass()

	@classmethod
	def build(cls):
		set_settings(maximum_active_loans=0)
		component_accounts()
		cls.personal, cls.loan_account, cls.interest_account = category_with_books_of_its_own(
			"GoLive Personal", "EL GoLive", "ELG"
		)
		cls.temporary = default_opening_account(COMPANY)  # ERPNext's Temporary Opening
		books = {"loan_account": cls.loan_account, "salary_component": "EL GoLive EMI"}
		cls.advance = make_category(
			"GoLive Advance",
			maximum_amount=100000,
			rate=0,
			method="Interest Free",
			min_months=1,
			max_months=12,
			**books,
		)
		cls.categories += [cls.personal, cls.advance]
		run = random_string(6).lower()
		cls.department = make_department("EL GoLive Payroll")
		cls.first, cls.second = (
			cls.employee(f"el-golive-{run}-{index}@example.com", cls.department) for index in range(2)
		)
		# The company's own opening entry carries the second loan's balance (3,000.00) on the account.
		entry = frappe.get_doc(
			{
				"doctype": JOURNAL_ENTRY,
				"voucher_type": "Opening Entry",
				"company": COMPANY,
				"posting_date": "2026-09-30",
				"accounts": [
					{"account": cls.loan_account, "debit_in_account_currency": 3000},
					{"account": cls.temporary, "credit_in_account_currency": 3000},
				],
			}
		).insert(ignore_permissions=True)
		entry.submit()
		cls.journals.append(entry.name)
		# Both loans were disbursed on 10 December 2025 over 12 months (January to December 2026); at
		# go-live three instalments are left, October to December.
		# - 36,000 at 8 % (reducing): 9,000.00 outstanding, posted as an opening Journal Entry;
		# - 12,000 interest-free: 3,000.00 outstanding, already in the books.
		cls.bring_in(
			{
				"employee": cls.first,
				"loan_category": cls.personal,
				"loan_amount": "36000",
				"annual_interest_rate": "8",
				"tenure_months": "12",
				"disbursement_date": "2025-12-10",
				"outstanding_at_go_live": "9000",
				"old_system_reference": f"GL-{run}-1",
			},
			OPENING_ENTRY,
		)
		cls.bring_in(
			{
				"employee": cls.second,
				"loan_category": cls.advance,
				"loan_amount": "12000",
				"annual_interest_rate": "0",
				"tenure_months": "12",
				"disbursement_date": "2025-12-10",
				"outstanding_at_go_live": "3000",
				"old_system_reference": f"GL-{run}-2",
			},
			ALREADY_IN_BOOKS,
		)
		cls.interest_loan = frappe.db.get_value(LOAN, {"employee": cls.first, "docstatus": 1})
		cls.free_loan = frappe.db.get_value(LOAN, {"employee": cls.second, "docstatus": 1})
		frappe.db.commit()  # the payroll functions commit and roll back on their own
		cls.reconciled = {
			"2026-09-29": cls.reconcile("2026-09-29"),
			"2026-09-30": cls.reconcile("2026-09-30"),
		}
		cls.slips = {}
		for month in (10, 11, 12):
			start_date = date(2026, month, 1)
			entry = payroll_entry(cls.department, str(start_date), str(get_last_day(start_date)))
			cls.entries.append(entry.name)
			frappe.db.commit()
			with background_jobs_inline():
				entry.submit()
				entry.reload()
				entry.submit_salary_slips()
			entry.reload()
			slips = frappe.get_all(
				"Salary Slip",
				filters={"payroll_entry": entry.name},
				fields=["name", "docstatus", "journal_entry"],
			)
			assert [slip.docstatus for slip in slips] == [1, 1], (start_date, entry.error_message)
			assert all(slip.journal_entry for slip in slips), (start_date, entry.error_message)
			cls.slips[month] = [slip.name for slip in slips]
			cls.reconciled[str(get_last_day(start_date))] = cls.reconcile(str(get_last_day(start_date)))

	@classmethod
	def employee(cls, email: str, department: str) -> str:
		employee = make_employee(email, roles=(), department=department, date_of_joining="2020-01-01")
		assign_structure(employee, base=50000)
		cls.employees.append(employee)
		return employee

	@classmethod
	def bring_in(cls, row: dict, booking: str) -> None:
		table = [[column.label for column in COLUMNS], [row.get(column.key, "") for column in COLUMNS]]
		url = (
			frappe.get_doc(
				{"doctype": "File", "file_name": "golive.csv", "content": to_csv(table), "is_private": 1}
			)
			.insert(ignore_permissions=True)
			.file_url
		)
		name = (
			frappe.get_doc(
				{
					"doctype": IMPORT,
					"company": COMPANY,
					"go_live_date": GO_LIVE,
					"opening_balance_booking": booking,
					"temporary_opening_account": cls.temporary if booking == OPENING_ENTRY else None,
					"import_file": url,
				}
			)
			.insert()
			.name
		)
		cls.imports.append(name)
		check_file(name)
		assert len(start(name)["loans"]) == 1, frappe.get_doc(IMPORT, name).problems

	@classmethod
	def reconcile(cls, as_at: str) -> dict:
		_columns, data, _message, _chart, summary = execute(
			{
				"company": COMPANY,
				"as_at_date": as_at,
				"from_date": "2026-09-01",
				"loan_account": cls.loan_account,
			}
		)
		rows = [row for row in data if row.get("account") == cls.loan_account]
		return {
			"cards": {card["label"]: money(card["value"]) for card in summary},
			"head": rows[0],
			"lines": [row["line"] for row in rows[1:]],
		}

	@classmethod
	def remove(cls):
		loans = frappe.get_all(LOAN, filters={"employee": ("in", cls.employees or [""])}, pluck="name")
		journals = frappe.get_all(
			JOURNAL_ENTRY, filters={"employee_loan": ("in", loans or [""])}, pluck="name"
		)
		for journal in [*journals, *cls.journals]:
			for doctype in ("GL Entry", "Payment Ledger Entry"):
				frappe.db.delete(doctype, {"voucher_no": journal})
			frappe.db.delete("Journal Entry Account", {"parent": journal})
			frappe.db.delete(JOURNAL_ENTRY, {"name": journal})
		delete_employees(cls.employees, cls.entries)
		for name in cls.imports:
			frappe.db.delete("Employee Loan Import Problem", {"parent": name})
			frappe.db.delete(IMPORT, {"name": name})
		for category in cls.categories:
			frappe.delete_doc("Employee Loan Category", category, force=True, ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: the payroll functions committed what this removes

	def lines(self, slip: str, loan: str) -> dict:
		rows = frappe.get_all(
			"Salary Detail",
			filters={"parent": slip, "parenttype": "Salary Slip", "employee_loan": loan},
			fields=["salary_component", "amount"],
		)
		return {row.salary_component: money(row.amount) for row in rows}

	def test_octobers_payroll_entry_deducts_the_schedule_from_go_live(self):
		# 9,000.00 at 8 % over 3 months: EMI = 9,000 x (1/150) x (151/150)^3 / ((151/150)^3 - 1) = 3,040.09;
		# October's interest 9,000 / 150 = 60.00 and principal 2,980.09
		first, second = self.slips[10]
		by_employee = {frappe.db.get_value("Salary Slip", slip, "employee"): slip for slip in (first, second)}
		self.assertEqual(
			self.lines(by_employee[self.first], self.interest_loan),
			{"EL GoLive EMI": Decimal("2980.09"), "EL GoLive Interest": Decimal("60.00")},
		)
		self.assertEqual(
			self.lines(by_employee[self.second], self.free_loan), {"EL GoLive EMI": Decimal("1000.00")}
		)
		repayment = frappe.get_doc(
			"Employee Loan Repayment", f"{by_employee[self.first]}/{self.interest_loan}"
		)
		self.assertEqual(repayment.instalment_number, 10)

	def test_both_loans_close_at_exactly_zero(self):
		for loan, interest in ((self.interest_loan, Decimal("120.26")), (self.free_loan, Decimal("0.00"))):
			doc = frappe.get_doc(LOAN, loan)
			self.assertEqual(
				(doc.status, doc.closure_type, money(doc.outstanding_balance)), ("Closed", "Repaid", 0)
			)
			self.assertEqual((doc.emis_paid, doc.total_emis), (12, 12))
			self.assertEqual(money(doc.principal_repaid), money(doc.loan_amount))
			self.assertEqual(money(doc.interest_paid), interest)  # 60.00 + 40.13 + 20.13
			self.assertEqual(money(doc.schedule[-1].closing_balance), 0)

	def test_the_reconciliation_is_zero_before_at_and_after_go_live(self):
		for as_at, reconciled in self.reconciled.items():
			cards = reconciled["cards"]
			self.assertEqual(
				(cards["Difference"], cards["Unexplained"], cards["Interest Difference"]),
				(0, 0, 0),
				(as_at, reconciled),
			)
		before, at = self.reconciled["2026-09-29"], self.reconciled["2026-09-30"]
		self.assertEqual((money(before["head"]["books"]), money(before["head"]["ledger"])), (0, 0))
		self.assertEqual(
			(money(at["head"]["books"]), money(at["head"]["ledger"])),
			(Decimal("12000.00"), Decimal("12000.00")),
		)
		self.assertIn(
			"1 loans brought in at go-live, their opening balances already in the books", at["lines"]
		)
		october = self.reconciled["2026-10-31"]
		self.assertEqual(
			money(october["head"]["ledger"]), Decimal("12000.00") - Decimal("2980.09") - Decimal("1000.00")
		)
		self.assertEqual(money(self.reconciled["2026-12-31"]["head"]["books"]), 0)
