"""Going live: bringing existing loans in from a spreadsheet (Employee Loan Import) and one at a time
from the desk, the checks that refuse a bad row (and with it the file), the warnings, and the brought-in
loan living on like any other: payroll, changes, pre-closure, write-off, cancel, statement, perquisite."""

from decimal import Decimal

import frappe
from frappe.utils import add_days, getdate
from frappe.utils.csvutils import to_csv

from employee_loans.accounts import ensure_loan_accounts
from employee_loans.employee_loans.doctype.employee_loan.employee_loan import preclose, write_off
from employee_loans.employee_loans.doctype.employee_loan.test_employee_loan_books import gl_rows
from employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change import (
	approve as approve_change,
)
from employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change import request_change
from employee_loans.employee_loans.doctype.employee_loan_import.employee_loan_import import (
	BROUGHT_IN,
	PROBLEMS_FOUND,
	READY,
	check_file,
	download_template,
	start,
)
from employee_loans.employee_loans.report.employee_loan_reconciliation.employee_loan_reconciliation import (
	execute as reconciliation,
)
from employee_loans.employee_loans.report.loan_summary.loan_summary import execute as loan_summary
from employee_loans.going_live import (
	ALREADY_IN_BOOKS,
	COLUMNS,
	OPENING_ENTRY,
	bring_in_one,
	default_opening_account,
)
from employee_loans.sample_data import ledger_account
from employee_loans.statements import employee_loan_statement
from employee_loans.tests.base import APPLICANT, HR_MANAGER, HR_USER, LoanTestCase
from employee_loans.tests.utils import (
	COMPANY,
	IGNORE_TEST_RECORDS,
	as_user,
	make_category,
	make_component,
	make_employee,
	make_slip,
)

test_ignore = IGNORE_TEST_RECORDS

LOAN = "Employee Loan"
IMPORT = "Employee Loan Import"
JOURNAL_ENTRY = "Journal Entry"
GO_LIVE = "2026-07-01"
TEMPORARY = "EL Temporary Opening - _TC"


def money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def attach(rows: list[dict], file_name="loans.csv") -> str:
	"""The rows (by column key) as a CSV file under the template's headers, attached as a File."""
	table = [[column.label for column in COLUMNS]]
	table += [[row.get(column.key, "") for column in COLUMNS] for row in rows]
	file = frappe.get_doc(
		{"doctype": "File", "file_name": file_name, "content": to_csv(table), "is_private": 1}
	).insert(ignore_permissions=True)
	return file.file_url


def opening_of(voucher_no: str) -> set[tuple]:
	"""What the voucher's live GL rows say of the opening: Is Opening and their date."""
	rows = frappe.get_all(
		"GL Entry",
		filters={"voucher_no": voucher_no, "is_cancelled": 0},
		fields=["is_opening", "posting_date"],
	)
	return {(row.is_opening, row.posting_date) for row in rows}


class GoingLiveTestCase(LoanTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.loan_account, cls.interest_account = ensure_loan_accounts(COMPANY)
		cls.temporary = default_opening_account(COMPANY)  # ERPNext's Temporary Opening

	def rows(self) -> list[dict]:
		"""Two loans in flight at go-live on 1 July 2026:
		- the applicant's: 1,20,000 at 8 % over 24 months, disbursed 15 December 2025 (instalments January
		  2026 to December 2027); 75,000 outstanding, 18 months left (July 2026 to December 2027);
		- the colleague's: 60,000 interest-free over 12 months, disbursed 10 January 2026 (February 2026 to
		  January 2027); 35,000 outstanding, 7 months left: 5,000 a month."""
		return [
			{
				"employee": self.applicant,
				"loan_category": self.personal,
				"loan_amount": "120000",
				"annual_interest_rate": "8",
				"tenure_months": "24",
				"disbursement_date": "2025-12-15",
				"outstanding_at_go_live": "75000",
				"old_system_reference": "OLD-A",
			},
			{
				"employee": self.colleague,
				"loan_category": "Emergency",  # the category's name without the company's abbreviation
				"loan_amount": "60,000.00",
				"annual_interest_rate": "0",
				"tenure_months": "12",
				"disbursement_date": "2026-01-10",
				"outstanding_at_go_live": "35000",
				"old_system_reference": "OLD-B",
			},
		]

	def new_import(self, rows, booking=OPENING_ENTRY, **fields) -> str:
		doc = frappe.get_doc(
			{
				"doctype": IMPORT,
				"company": COMPANY,
				"go_live_date": GO_LIVE,
				"opening_balance_booking": booking,
				"import_file": attach(rows),
				**fields,
			}
		).insert()
		return doc.name

	def bring_in(self, rows, booking=OPENING_ENTRY) -> list[str]:
		name = self.new_import(rows, booking)
		check_file(name)
		self.assertEqual(frappe.db.get_value(IMPORT, name, "status"), READY, self.problems(name))
		return start(name)["loans"]

	def problems(self, name: str) -> list[tuple]:
		return [
			(row.row_number, row.column_label, row.severity, row.message)
			for row in frappe.get_doc(IMPORT, name).problems
		]

	def loan_of(self, reference: str):
		return frappe.get_doc(LOAN, {"old_system_reference": reference, "docstatus": 1})


class TestBringingInAFile(GoingLiveTestCase):
	def test_a_file_becomes_disbursed_loans_with_an_opening_line_and_an_opening_entry(self):
		loans = self.bring_in(self.rows())
		self.assertEqual(len(loans), 2)
		applicant = self.loan_of("OLD-A")
		self.assertEqual((applicant.status, applicant.brought_in, applicant.docstatus), ("Disbursed", 1, 1))
		self.assertEqual(
			(
				money(applicant.loan_amount),
				money(applicant.outstanding_balance),
				money(applicant.principal_repaid),
			),
			(Decimal("120000.00"), Decimal("75000.00"), Decimal("45000.00")),
		)
		self.assertEqual(money(applicant.principal_recovered_before_go_live), Decimal("45000.00"))
		self.assertEqual((applicant.emis_paid, applicant.total_emis), (6, 24))
		self.assertEqual(getdate(applicant.next_emi_date), getdate("2026-07-01"))
		self.assertEqual(applicant.loan_account, self.loan_account)
		self.assertIsNone(applicant.disbursement_journal_entry)
		opening, *instalments = applicant.schedule
		self.assertEqual(
			(opening.status, opening.instalment_number, getdate(opening.due_date)),
			("Before Go-live", 6, getdate("2026-06-30")),
		)
		self.assertEqual(
			(money(opening.opening_balance), money(opening.principal_amount), money(opening.closing_balance)),
			(Decimal("120000.00"), Decimal("45000.00"), Decimal("75000.00")),
		)
		self.assertEqual([row.instalment_number for row in instalments], list(range(7, 25)))
		self.assertEqual(getdate(instalments[-1].due_date), getdate("2027-12-01"))
		self.assertEqual(sum(money(row.principal_amount) for row in instalments), Decimal("75000.00"))
		self.assertEqual(money(instalments[-1].closing_balance), 0)
		# the first instalment: interest 75,000 x 8 % / 12 = 500.00
		self.assertEqual(money(instalments[0].interest_amount), Decimal("500.00"))
		# one opening entry for the file: dated the day before go-live, Is Opening, the loan account
		# (75,000 + 35,000) against the temporary opening account
		self.assertEqual(
			gl_rows(applicant.opening_journal_entry),
			sorted([(self.temporary, 0, Decimal("110000.00")), (self.loan_account, Decimal("110000.00"), 0)]),
		)
		self.assertEqual(opening_of(applicant.opening_journal_entry), {("Yes", getdate("2026-06-30"))})
		entry = frappe.get_doc(JOURNAL_ENTRY, applicant.opening_journal_entry)
		self.assertEqual((entry.voucher_type, entry.cheque_no), ("Opening Entry", applicant.loan_import))

		colleague = self.loan_of("OLD-B")
		self.assertEqual(colleague.opening_journal_entry, applicant.opening_journal_entry)
		self.assertEqual(colleague.loan_category, self.emergency)
		self.assertEqual(colleague.interest_method, "Interest Free")
		self.assertEqual(
			[(row.instalment_number, money(row.emi)) for row in colleague.schedule[1:]],
			[(number, Decimal("5000.00")) for number in range(6, 13)],
		)
		imported = frappe.get_doc(IMPORT, applicant.loan_import)
		self.assertEqual((imported.status, imported.loans_brought_in), (BROUGHT_IN, 2))
		self.assertEqual(money(imported.outstanding_brought_in), Decimal("110000.00"))

	def test_bringing_the_same_file_in_again_writes_nothing_new(self):
		self.bring_in(self.rows())
		loans, entries = frappe.db.count(LOAN), frappe.db.count(JOURNAL_ENTRY)
		name = self.new_import(self.rows())
		self.assertEqual(check_file(name)["rows_already_in"], 2)
		self.assertEqual(frappe.db.get_value(IMPORT, name, "status"), READY)
		self.assertEqual(
			[(row, severity) for row, _column, severity, _message in self.problems(name)],
			[(2, "Already In"), (3, "Already In")],
		)
		self.assertEqual(start(name)["loans"], [])
		self.assertEqual((frappe.db.count(LOAN), frappe.db.count(JOURNAL_ENTRY)), (loans, entries))
		# a file with one more loan brings in only that one
		rows = self.rows()
		rows.append({**rows[1], "old_system_reference": "OLD-C", "disbursement_date": "2026-02-10"})
		self.assertEqual(len(self.bring_in(rows)), 1)
		self.assertEqual(frappe.db.count(LOAN), loans + 1)

	def test_already_in_the_books_posts_nothing(self):
		entries = frappe.db.count(JOURNAL_ENTRY)
		self.bring_in(self.rows(), booking=ALREADY_IN_BOOKS)
		loan = self.loan_of("OLD-A")
		self.assertEqual(loan.opening_balance_booking, ALREADY_IN_BOOKS)
		self.assertIsNone(loan.opening_journal_entry)
		self.assertEqual(frappe.db.count(JOURNAL_ENTRY), entries)

	def test_a_large_file_is_checked_and_brought_in_by_background_jobs(self):
		from unittest.mock import patch

		from employee_loans.employee_loans.doctype.employee_loan_import import employee_loan_import
		from employee_loans.sample_data import background_jobs_inline

		name = self.new_import(self.rows())
		statuses = []
		real_queue = employee_loan_import.queue

		def queue(doc, status, job):
			statuses.append(status)
			return real_queue(doc, status, job)

		in_test = frappe.flags.in_test
		frappe.flags.in_test = False  # the size rule applies outside tests only
		try:
			with (
				patch.object(employee_loan_import, "INLINE_ROWS", 1),
				patch.object(employee_loan_import, "queue", queue),
				background_jobs_inline(),
			):
				self.assertEqual(check_file(name), {"queued": True})
				self.assertEqual(frappe.db.get_value(IMPORT, name, "status"), READY)
				self.assertEqual(start(name), {"queued": True})
		finally:
			frappe.flags.in_test = in_test
		self.assertEqual(statuses, ["Checking", "Bringing In"])
		self.assertEqual(frappe.db.get_value(IMPORT, name, ["status", "loans_brought_in"]), (BROUGHT_IN, 2))

	def test_the_template_has_every_column(self):
		download_template("CSV")
		header = frappe.response["result"].splitlines()[0]
		self.assertTrue(header.startswith('"Employee *","Loan Category *","Amount Lent *"'))
		self.assertIn('"Old System Reference"', header)

	def test_an_excel_file_is_read_as_well(self):
		from frappe.utils.xlsxutils import make_xlsx

		rows = self.rows()[:1]
		table = [[column.label for column in COLUMNS]]
		table += [
			[
				getdate(row[column.key]) if column.key == "disbursement_date" else row.get(column.key, "")
				for column in COLUMNS
			]
			for row in rows
		]
		table[1][2] = 120000.0  # Excel's numbers are floats
		content = make_xlsx(table, "Loans").getvalue()
		url = (
			frappe.get_doc(
				{"doctype": "File", "file_name": "loans.xlsx", "content": content, "is_private": 1}
			)
			.insert(ignore_permissions=True)
			.file_url
		)
		name = (
			frappe.get_doc(
				{"doctype": IMPORT, "company": COMPANY, "go_live_date": GO_LIVE, "import_file": url}
			)
			.insert()
			.name
		)
		check_file(name)
		self.assertEqual(frappe.db.get_value(IMPORT, name, "status"), READY, self.problems(name))
		self.assertEqual(len(start(name)["loans"]), 1)


class TestBadRows(GoingLiveTestCase):
	def assert_refused(self, rows, expected: list[tuple], setup=None) -> None:
		"""The file is refused: each problem at its row (and column), and nothing written."""
		loans, entries = frappe.db.count(LOAN), frappe.db.count(JOURNAL_ENTRY)
		name = self.new_import(rows)
		check_file(name)
		self.assertEqual(frappe.db.get_value(IMPORT, name, "status"), PROBLEMS_FOUND)
		errors = [
			(row, column, message)
			for row, column, severity, message in self.problems(name)
			if severity == "Error"
		]
		for row, column, words in expected:
			self.assertTrue(
				any(row == found[0] and column == found[1] and words in found[2] for found in errors),
				f"row {row} {column}: {words!r} not in {errors}",
			)
		self.assertEqual(len(errors), len(expected), errors)
		self.assertRaises(frappe.ValidationError, start, name)
		self.assertEqual((frappe.db.count(LOAN), frappe.db.count(JOURNAL_ENTRY)), (loans, entries))

	def test_each_bad_row_is_named_with_what_to_change_and_the_file_writes_nothing(self):
		left = make_employee(
			"el-golive-left@example.com", status="Left", relieving_date="2026-05-31", roles=()
		)
		good, free = self.rows()
		rows = [
			good,  # row 2: fine, but the file is refused with the others
			{**free, "employee": "HR-EMP-NOBODY"},  # row 3
			{**free, "loan_category": "Gold", "old_system_reference": "R4"},  # row 4
			{**free, "employee": left, "old_system_reference": "R5"},  # row 5
			{**free, "outstanding_at_go_live": "60000.01", "old_system_reference": "R6"},  # row 6
			{**free, "outstanding_at_go_live": "0", "old_system_reference": "R7"},  # row 7
			{**good, "old_system_reference": "OLD-A"},  # row 8: row 2 again
			{**free, "disbursement_date": "2026-13-01", "old_system_reference": "R9"},  # row 9
			{**free, "go_live_date": "2026-01-05", "old_system_reference": "R10"},  # row 10
		]
		self.assert_refused(
			rows,
			[
				(3, "Employee", "There is no employee HR-EMP-NOBODY"),
				(4, "Loan Category", "has no loan category Gold"),
				(5, "Employee", "has left on 2026-05-31"),
				(6, "Outstanding Principal at Go-live", "is more than the 60000.00 lent"),
				(7, "Outstanding Principal at Go-live", "must be greater than zero"),
				(8, "Old System Reference", "Row 8 is the same loan as row 2"),
				(9, "Original Disbursement Date", "is not a date"),
				(10, "Go-live Date", "is not after the original disbursement date"),
			],
		)

	def test_a_go_live_month_whose_slip_is_submitted_is_refused(self):
		slip = make_slip(self.colleague, GO_LIVE, submit=True)
		rows = self.rows()
		self.assert_refused(rows, [(3, "First Payroll Month", f"Salary slip {slip.name}")])
		# from the next month on, it comes in
		rows[1]["first_payroll_month"] = "2026-08"
		self.bring_in(rows)
		self.assertEqual(getdate(self.loan_of("OLD-B").next_emi_date), getdate("2026-08-01"))

	def test_the_same_loan_with_other_figures_is_refused(self):
		self.bring_in(self.rows())
		rows = self.rows()
		rows[0]["outstanding_at_go_live"] = "74000"
		loan = self.loan_of("OLD-A").name
		self.assert_refused(rows, [(2, None, f"Loan {loan} was brought in already")])

	def test_a_missing_column_and_an_unknown_one_are_named(self):
		name = (
			frappe.get_doc(
				{
					"doctype": IMPORT,
					"company": COMPANY,
					"go_live_date": GO_LIVE,
					"import_file": frappe.get_doc(
						{
							"doctype": "File",
							"file_name": "bad.csv",
							"content": to_csv(
								[
									["Employee", "Loan Category", "Colour"],
									[self.applicant, self.personal, "red"],
								]
							),
							"is_private": 1,
						}
					)
					.insert(ignore_permissions=True)
					.file_url,
				}
			)
			.insert()
			.name
		)
		check_file(name)
		messages = [message for _row, _column, _severity, message in self.problems(name)]
		self.assertTrue(
			any("Column 'Colour' is not one of the template's" in message for message in messages)
		)
		self.assertTrue(any("The file has no column Amount Lent" in message for message in messages))

	def test_user_permissions_limit_whose_loans_an_hr_manager_brings_in(self):
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": HR_MANAGER,
				"allow": "Employee",
				"for_value": self.applicant,
			}
		).insert(ignore_permissions=True)
		name = self.new_import(self.rows())
		with as_user(HR_MANAGER):
			check_file(name)
		self.assertEqual(frappe.db.get_value(IMPORT, name, "status"), PROBLEMS_FOUND)
		errors = [
			(row, message) for row, _column, severity, message in self.problems(name) if severity == "Error"
		]
		self.assertEqual(len(errors), 1, errors)
		self.assertEqual(errors[0][0], 3)  # the colleague's loan, not the applicant's
		self.assertIn("You are not permitted to create loans of employee", errors[0][1])

	def test_only_an_hr_manager_brings_loans_in(self):
		name = self.new_import(self.rows())
		with as_user(HR_USER):
			self.assertRaises(frappe.PermissionError, check_file, name)
			self.assertRaises(
				frappe.PermissionError, bring_in_one, COMPANY, self.rows()[0] | {"go_live_date": GO_LIVE}
			)
		with as_user(HR_MANAGER):
			check_file(name)


class TestWarnings(GoingLiveTestCase):
	def test_what_would_stop_a_new_loan_is_a_warning_and_the_loan_comes_in(self):
		good, free = self.rows()
		rows = [
			# an EMI of about 1,02,000 a month on a net salary of 99,800 (the limit is 50 %)
			{**good, "outstanding_at_go_live": "100000", "instalments_before_go_live": "23"},
			# 72 months on a category of at most 60, at 10 % on a category of 8 %
			{
				**free,
				"loan_category": self.personal,
				"tenure_months": "72",
				"annual_interest_rate": "10",
				"instalments_before_go_live": "6",
			},
		]
		name = self.new_import(rows)
		check_file(name)
		self.assertEqual(frappe.db.get_value(IMPORT, name, "status"), READY)
		warnings = [
			(row, message) for row, _column, severity, message in self.problems(name) if severity == "Warning"
		]
		self.assertTrue(any(row == 2 and "above the 50" in message for row, message in warnings), warnings)
		self.assertTrue(
			any(row == 3 and "outside this category's bounds" in message for row, message in warnings),
			warnings,
		)
		self.assertTrue(
			any(row == 3 and "is not its category's 8" in message for row, message in warnings), warnings
		)
		self.assertTrue(
			all(
				"(This would stop a new loan.)" in message for row, message in warnings if "bounds" in message
			)
		)
		self.assertEqual(len(start(name)["loans"]), 2)

	def test_one_loan_from_the_desk_asks_before_bringing_in_with_warnings(self):
		values = {
			**self.rows()[0],
			"outstanding_at_go_live": "100000",
			"instalments_before_go_live": 23,
			"go_live_date": GO_LIVE,
		}
		# HRMS restricts a user linked to an Employee to that employee (a User Permission); an HR Manager
		# who brings everyone's loans in has it removed
		frappe.db.delete("User Permission", {"user": HR_MANAGER})
		frappe.clear_cache(user=HR_MANAGER)
		with as_user(HR_MANAGER):
			first = bring_in_one(COMPANY, values, OPENING_ENTRY, self.temporary)
			self.assertIsNone(first["loan"])
			self.assertTrue(any(problem["severity"] == "Warning" for problem in first["problems"]), first)
			second = bring_in_one(COMPANY, values, OPENING_ENTRY, self.temporary, confirm=True)
		loan = frappe.get_doc(LOAN, second["loan"])
		self.assertEqual((loan.brought_in, money(loan.outstanding_balance)), (1, Decimal("100000.00")))
		self.assertEqual(len(loan.schedule), 2)  # the opening line and the last instalment
		self.assertTrue(loan.opening_journal_entry)
		with as_user(HR_MANAGER):
			again = bring_in_one(COMPANY, values, OPENING_ENTRY, self.temporary, confirm=True)
		self.assertIsNone(again["loan"])
		self.assertEqual([problem["severity"] for problem in again["problems"]], ["Already In"])


class TestABroughtInLoanLivesOn(GoingLiveTestCase):
	def test_payroll_deducts_it_from_the_first_payroll_month_and_not_before(self):
		self.bring_in(self.rows())
		loan = self.loan_of("OLD-B")
		june = make_slip(self.colleague, "2026-06-01")
		self.assertFalse([row for row in june.deductions if row.employee_loan])
		july = make_slip(self.colleague, GO_LIVE, submit=True)
		(line,) = [row for row in july.deductions if row.employee_loan == loan.name]
		self.assertEqual(money(line.amount), Decimal("5000.00"))
		loan.reload()
		self.assertEqual((money(loan.outstanding_balance), loan.emis_paid), (Decimal("30000.00"), 6))
		# a slip deducted it: it can no longer be cancelled as brought in by mistake
		self.assertRaises(frappe.LinkExistsError, loan.cancel)

	def test_cancelling_a_loan_brought_in_by_mistake_cancels_its_opening_entry(self):
		self.bring_in(self.rows())
		loan, other = self.loan_of("OLD-A"), self.loan_of("OLD-B")
		shared = loan.opening_journal_entry
		loan.cancel()
		self.assertEqual(frappe.db.get_value(JOURNAL_ENTRY, shared, "docstatus"), 2)
		self.assertEqual(gl_rows(shared), [])
		# the entry opened the other loan of the file too: a new one, amended from it, opens that one
		other.reload()
		replacement = frappe.get_doc(JOURNAL_ENTRY, other.opening_journal_entry)
		self.assertEqual((replacement.amended_from, replacement.docstatus), (shared, 1))
		self.assertEqual(
			gl_rows(replacement.name),
			sorted([(self.temporary, 0, Decimal("35000.00")), (self.loan_account, Decimal("35000.00"), 0)]),
		)
		self.assertEqual(opening_of(replacement.name), {("Yes", getdate("2026-06-30"))})
		other.cancel()
		self.assertEqual(frappe.db.get_value(JOURNAL_ENTRY, replacement.name, "docstatus"), 2)
		# and it can be brought in again, corrected
		rows = self.rows()
		rows[0]["outstanding_at_go_live"] = "74000"
		self.bring_in(rows)
		self.assertEqual(money(self.loan_of("OLD-A").outstanding_balance), Decimal("74000.00"))

	def test_the_employee_sees_it_in_the_portal_with_its_opening_line(self):
		from employee_loans.www.test_portal import page_context, render, state_colour

		self.bring_in(self.rows())
		loan = self.loan_of("OLD-A").name
		had_request, request = hasattr(frappe.local, "request"), getattr(frappe.local, "request", None)
		try:
			with as_user(APPLICANT):
				context = page_context("/my-loans/loan", name=loan)
				status, html, _location = render("/my-loans/loan", name=loan)
		finally:
			# the pages' requests are not the test's: later tests (a print view) look at frappe.local.request
			frappe.local.form_dict = frappe._dict()
			if had_request:
				frappe.local.request = request
			else:
				del frappe.local.request
		self.assertEqual(status, 200)
		opening = context.schedule[0]
		self.assertEqual((opening.status, opening.instalment_number), ("Before Go-live", 6))
		self.assertEqual(opening.indicator, state_colour("Employee Loan Schedule", "Before Go-live"))
		self.assertEqual([row.status for row in context.schedule[1:]], ["Pending"] * 18)
		self.assertIn("6 of 24", html)  # EMIs paid, the old system's included

	def test_the_statement_shows_the_opening_line(self):
		self.bring_in(self.rows())
		loan = self.loan_of("OLD-A")
		statement = employee_loan_statement(loan.name)
		opening = statement.entries[0]
		self.assertEqual(
			(opening.kind, opening.posting_date, opening.instalments), ("Opening", getdate("2026-06-30"), 6)
		)
		self.assertEqual(
			(money(opening.principal_amount), money(opening.balance)),
			(Decimal("45000.00"), Decimal("75000.00")),
		)
		html = frappe.get_print(LOAN, loan.name, "Loan Statement of Account")
		self.assertIn("Recovered before go-live", html)
		self.assertIn("EMIs 1 to 6", html)

	def test_changes_pre_closure_and_write_off_work_on_it(self):
		self.bring_in(self.rows())
		loan = self.loan_of("OLD-A")
		holiday = request_change(
			{
				"employee_loan": loan.name,
				"change_type": "EMI Holiday",
				"from_date": "2026-08-01",
				"holiday_months": 1,
				"reason": "Moving house",
			}
		)
		with as_user(HR_USER):
			approve_change(holiday)
		loan.reload()
		self.assertEqual(loan.schedule[0].status, "Before Go-live")
		self.assertEqual([row.status for row in loan.schedule[1:3]], ["Pending", "EMI Holiday"])
		# the holiday's interest is added to the principal: outstanding above 75,000
		self.assertGreater(money(loan.outstanding_balance), Decimal("75000.00"))
		quote = preclose(loan.name, "Settled Manually", posting_date="2026-07-20", reference="CHQ-9")
		loan.reload()
		self.assertEqual((loan.status, money(loan.outstanding_balance)), ("Closed", 0))
		self.assertTrue(quote)
		other = self.loan_of("OLD-B")
		frappe.db.set_value("Employee Loan Settings", None, "write_off_account", None)
		write_off_account = frappe.db.get_value(
			"Account", {"company": COMPANY, "root_type": "Expense", "is_group": 0}
		)
		frappe.db.set_value("Employee Loan Category", self.emergency, "write_off_account", write_off_account)
		write_off(other.name, "Left for abroad", posting_date="2026-07-20")
		other.reload()
		self.assertEqual((other.status, other.closure_type), ("Closed", "Written Off"))

	def test_loan_summary_counts_it_as_brought_in_not_disbursed(self):
		self.bring_in(self.rows())
		_columns, data, *_rest = loan_summary(
			{"company": COMPANY, "from_date": "2026-06-01", "to_date": "2026-07-31", "group_by": "Category"}
		)
		row = next(row for row in data if row.group == self.personal)
		self.assertEqual((row.brought_in_loans, money(row.opening_brought_in)), (1, Decimal("75000.00")))
		self.assertEqual((row.disbursed_loans, money(row.principal_disbursed)), (0, 0))
		self.assertEqual(money(row.outstanding), Decimal("75000.00"))
		# a period before go-live does not have the loan at all
		_columns, before, *_rest = loan_summary(
			{"company": COMPANY, "from_date": "2025-12-01", "to_date": "2026-05-31", "group_by": "Category"}
		)
		self.assertFalse([row for row in before if row.group == self.personal and row.loans])

	def test_the_opening_date_is_the_day_before_go_live(self):
		self.bring_in(self.rows())
		loan = self.loan_of("OLD-A")
		self.assertEqual(
			frappe.db.get_value(JOURNAL_ENTRY, loan.opening_journal_entry, "posting_date"),
			add_days(getdate(GO_LIVE), -1),
		)

	def test_an_opening_entry_cancelled_by_hand_is_explained_by_its_loans(self):
		account = ledger_account("EL Import Test Loans", "Loans and Advances (Assets)")
		category = make_category(
			"Import Advance",
			rate=0,
			method="Interest Free",
			min_months=1,
			max_months=24,
			loan_account=account,
			salary_component=make_component("EL Import EMI", "ELIE", "Deduction"),
		)
		common = {"loan_category": category, "annual_interest_rate": "0", "tenure_months": "12"}
		self.bring_in(
			[
				{**common, "employee": self.applicant, "loan_amount": "24000", "disbursement_date": "2026-01-10",
				 "outstanding_at_go_live": "14000", "old_system_reference": "REC-1"},
				{**common, "employee": self.colleague, "loan_amount": "12000", "disbursement_date": "2026-01-10",
				 "outstanding_at_go_live": "7000", "old_system_reference": "REC-2"},
			]
		)  # fmt: skip

		def reconcile():
			_columns, data, _message, _chart, summary = reconciliation(
				{"company": COMPANY, "as_at_date": "2026-06-30", "loan_account": account}
			)
			rows = [row for row in data if row.get("account") == account]
			return rows, {card["label"]: money(card["value"]) for card in summary}

		rows, cards = reconcile()
		self.assertEqual(
			(money(rows[0]["books"]), money(rows[0]["ledger"])), (Decimal("21000.00"), Decimal("21000.00"))
		)
		self.assertEqual((cards["Difference"], cards["Unexplained"]), (0, 0))
		entry = frappe.get_doc(JOURNAL_ENTRY, self.loan_of("REC-1").opening_journal_entry)
		entry.flags.ignore_links = True  # by hand, from a console: the loans still link to it
		entry.cancel()
		rows, cards = reconcile()
		self.assertEqual((cards["Difference"], cards["Unexplained"]), (Decimal("-21000.00"), 0))
		explaining = [
			(row["reference_name"], money(row["difference"])) for row in rows if row.get("reference_name")
		]
		self.assertEqual(
			sorted(explaining),
			sorted(
				[
					(self.loan_of("REC-1").name, Decimal("-14000.00")),
					(self.loan_of("REC-2").name, Decimal("-7000.00")),
				]
			),
		)
		self.assertIn(
			f"Opening balance brought in at go-live: Journal Entry {entry.name} is cancelled",
			[row["line"] for row in rows],
		)
