import functools
import http.server
import threading
from contextlib import contextmanager

import frappe
from frappe.utils import fmt_money, formatdate, getdate

from employee_loans.employee_loans.doctype.employee_loan_change.test_employee_loan_change import (
	CHANGE,
	LOAN,
	ChangeTestCase,
)
from employee_loans.payroll_hooks.test_payroll import FIRST_EMI, SCHEDULE, money
from employee_loans.statements import employee_loan_closure_certificate, employee_loan_statement
from employee_loans.tests.report_data import ONE, TWO, ReportTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user, set_settings

test_ignore = IGNORE_TEST_RECORDS

STATEMENT = "Loan Statement of Account"
CERTIFICATE = "Loan Closure Certificate"


def render(loan, print_format, as_pdf=False):
	return frappe.get_print("Employee Loan", loan, print_format, as_pdf=as_pdf)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
	def log_message(self, *args):
		pass


@contextmanager
def site_assets_served():
	"""wkhtmltopdf fetches the print stylesheet from the site's URL. A test run has no web server, so
	serve the bench's sites folder (its /assets) on a free local port and point the site's URL at it for
	the duration; the PDF goes through the normal print path otherwise."""
	handler = functools.partial(QuietHandler, directory=frappe.local.sites_path)
	server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
	thread = threading.Thread(target=server.serve_forever, daemon=True)
	thread.start()
	previous = frappe.local.conf.get("host_name")
	frappe.local.conf.host_name = f"http://127.0.0.1:{server.server_port}"
	try:
		yield
	finally:
		frappe.local.conf.host_name = previous
		server.shutdown()
		server.server_close()


class TestLoanPrintFormats(ReportTestCase):
	def test_statement_running_balance_from_the_engine(self):
		statement = employee_loan_statement(self.l1)
		self.assertEqual(
			[(str(row.posting_date), row.amount, row.balance, row.source) for row in statement.repayments],
			[
				("2026-02-01", 9045.46, 192287.87, self.slips[("one", "2026-02")]),
				("2026-03-01", 5800, 187769.79, self.slips[("one", "2026-03")]),
				("2026-04-10", 10000, 177769.79, "CHQ-L1"),
			],
		)
		self.assertEqual(len(statement.remaining_schedule), 22)
		self.assertEqual(statement.remaining_schedule[0].instalment_number, 3)
		self.assertTrue(statement.disbursed)

	def test_statement_of_account_shows_terms_repayments_balance_and_schedule(self):
		html = render(self.l1, STATEMENT)
		self.assertIn(STATEMENT, html)
		for text in (
			self.l1,
			"NEFT-L1",  # disbursement reference
			"2,00,000.00",  # principal
			"8,714.35",  # current EMI
			self.slips[("one", "2026-02")],
			self.slips[("one", "2026-03")],
			"CHQ-L1",
			"9,045.46",
			"1,92,287.87",  # balance after the February EMI
			"4,518.08",
			"1,281.92",
			"Partial - Short Net Pay",
			"1,87,769.79",  # after the partial March EMI
			"1,77,769.79",  # after the manual 10,000: the outstanding balance
			"24,845.46",  # total repaid
			"22,230.21",
			"2,615.25",
			# remaining schedule, instalment 3: interest 1,77,769.79 x 8 % / 12 = 1,185.13,
			# principal 8,714.35 - 1,185.13 = 7,529.22, closing 1,70,240.57
			"1,185.13",
			"7,529.22",
			"1,70,240.57",
			"1,91,715.65",  # remaining payable
		):
			self.assertIn(text, html)
		self.assertNotIn("Traceback", html)

	def test_statement_of_a_loan_not_yet_disbursed(self):
		html = render(self.l4, STATEMENT)
		self.assertIn("Not yet disbursed", html)
		self.assertIn("The schedule is generated when the loan is disbursed.", html)

	def test_closure_certificate_for_a_closed_loan(self):
		html = render(self.l3, CERTIFICATE)
		self.assertIn(CERTIFICATE, html)
		self.assertIn("This is to certify that", html)
		self.assertIn(self.l3, html)
		self.assertIn("12,000.00", html)
		self.assertIn(formatdate("2026-04-15"), html)
		self.assertIn("Pre-closed (Settled Manually)", html)
		self.assertNotIn("No closure certificate can be issued", html)

	def test_closure_certificate_refused_for_an_open_loan(self):
		html = render(self.l1, CERTIFICATE)
		self.assertIn("No closure certificate can be issued", html)
		self.assertIn("is Disbursed", html)
		self.assertIn("1,77,769.79", html)
		self.assertNotIn("This is to certify that", html)
		self.assertFalse(employee_loan_closure_certificate(self.l4).can_issue)

	def test_both_render_to_pdf(self):
		for loan, print_format in ((self.l1, STATEMENT), (self.l3, CERTIFICATE)):
			with site_assets_served():
				pdf = render(loan, print_format, as_pdf=True)
			self.assertTrue(pdf.startswith(b"%PDF"), print_format)
			self.assertGreater(len(pdf), 5000)

	def test_an_employee_prints_only_their_own_loan(self):
		with as_user(ONE):
			self.assertIn("1,77,769.79", render(self.l1, STATEMENT))
		with as_user(TWO):
			with self.assertRaises(frappe.PermissionError):
				employee_loan_statement(self.l1)
			with self.assertRaises(frappe.PermissionError):
				render(self.l3, CERTIFICATE)


class TestStatementWithChanges(ChangeTestCase):
	def test_statement_lists_the_changes_in_order_with_their_effect_and_marks_holiday_months(self):
		set_settings(holiday_interest="Added to Principal", holiday_absorb="Raise EMI")
		loan_name = self.disbursed_loan()  # 1,20,000 at 8 % over 12 months from January 2026
		january = self.slip("2026-01-01")
		# a top-up, then a holiday (the engine refuses a top-up while a holiday is still to come)
		top_up = self.request(loan_name, "Top-up", top_up_amount=20000, reason="Roof repairs")
		self.approve(top_up)
		holiday = self.request(loan_name, from_date="2026-02-01", holiday_months=1)
		self.approve(holiday)
		holiday, top_up = frappe.get_doc(CHANGE, holiday), frappe.get_doc(CHANGE, top_up)
		interest = money(holiday.interest_added)
		self.assertGreater(interest, 0)

		statement = employee_loan_statement(loan_name)
		self.assertEqual(
			[
				(row.kind, row.get("change_type") or row.repayment_type, row.balance)
				for row in statement.entries
			],
			[
				("Repayment", "Salary Slip", float(SCHEDULE[0].closing_balance)),
				("Change", "Top-up", float(SCHEDULE[0].closing_balance + 20000)),
				("Change", "EMI Holiday", float(SCHEDULE[0].closing_balance + 20000 + interest)),
			],
		)
		self.assertEqual(statement.entries[0].source, january.name)
		loan = frappe.get_doc(LOAN, loan_name)
		self.assertEqual(money(statement.entries[-1].balance), money(loan.outstanding_balance))
		self.assertEqual(
			[getdate(row.posting_date) for row in statement.changes],
			[getdate(top_up.applied_on), getdate(holiday.applied_on)],
		)

		def amount(value) -> str:
			return fmt_money(value, precision=2, currency=statement.currency)

		self.assertEqual(
			statement.entries[1].effect,
			f"{amount(20000)} disbursed, EMI {amount(FIRST_EMI)} → {amount(top_up.emi_after)}, "
			"last instalment Dec 2026",
		)
		self.assertEqual(money(statement.entries[1].added), 20000)
		self.assertEqual(
			statement.entries[2].effect,
			f"no EMI in Feb 2026, interest {amount(interest)} added to the principal, "
			f"EMI {amount(top_up.emi_after)} → {amount(holiday.emi_after)}, last instalment Dec 2026",
		)
		self.assertEqual(money(statement.entries[2].added), interest)

		# February is a holiday month: shown as such among the instalments to come
		first = statement.remaining_schedule[0]
		self.assertEqual((first.is_holiday, getdate(first.due_date)), (True, getdate("2026-02-01")))
		self.assertFalse(any(row.is_holiday for row in statement.remaining_schedule[1:]))

		html = render(loan_name, STATEMENT)
		for text in (
			"Disbursement, Repayments and Changes",
			holiday.name,
			top_up.name,
			statement.entries[1].effect,
			statement.entries[2].effect,
			"EMI Holiday",
			fmt_money(
				SCHEDULE[0].closing_balance + interest + 20000, precision=2, currency=statement.currency
			),
		):
			self.assertIn(text, html)
		self.assertNotIn("Traceback", html)

		# cancelled (the later first), the changes leave the statement
		holiday.cancel()
		top_up.cancel()
		statement = employee_loan_statement(loan_name)
		self.assertEqual([row.kind for row in statement.entries], ["Repayment"])
		self.assertFalse(any(row.is_holiday for row in statement.remaining_schedule))
