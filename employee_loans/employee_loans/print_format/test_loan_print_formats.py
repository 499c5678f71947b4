import functools
import http.server
import threading
from contextlib import contextmanager

import frappe
from frappe.utils import formatdate

from employee_loans.statements import employee_loan_closure_certificate, employee_loan_statement
from employee_loans.tests.report_data import ONE, TWO, ReportTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user

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
