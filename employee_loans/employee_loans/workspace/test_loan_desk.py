"""The desk around the loans: workspace, number cards and the connections panels."""

from freezegun import freeze_time

import frappe
from frappe.desk.doctype.number_card.number_card import get_result
from frappe.desk.notifications import _get_linked_document_counts
from frappe.tests.utils import FrappeTestCase

from employee_loans.tests.http import HttpRequests
from employee_loans.tests.report_data import ONE, TWO, ReportTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user, make_user

test_ignore = IGNORE_TEST_RECORDS

WORKSPACE = "Employee Loans"
DESK_HR = "el-desk-hr@example.com"  # an HR Manager who is not an employee


def card_value(card: str, *extra_filters) -> float:
	doc = frappe.get_doc("Number Card", card)
	filters = frappe.parse_json(doc.filters_json) + list(extra_filters)
	return get_result(doc.as_json(), frappe.as_json(filters))


def counts(doctype, name) -> dict:
	found = _get_linked_document_counts(doctype, name)["count"]
	return {
		row["doctype"]: row["count"] for row in found["external_links_found"] + found["internal_links_found"]
	}


class TestLoanDesk(ReportTestCase):
	def test_workspace_points_at_what_exists(self):
		workspace = frappe.get_doc("Workspace", "Employee Loans")
		self.assertEqual(workspace.module, "Employee Loans")
		reports = [link.link_to for link in workspace.links if link.link_type == "Report"]
		self.assertEqual(
			reports,
			[
				"Active Loans",
				"Loan Summary",
				"Loan Deduction",
				"Loan History",
				"Employee Loan Reconciliation",
				"Loan Perquisite (Form 12BA)",
			],
		)
		for report in reports:
			self.assertEqual(frappe.db.get_value("Report", report, "report_type"), "Script Report")
		for link in workspace.links:
			if link.link_type == "DocType":
				self.assertTrue(frappe.db.exists("DocType", link.link_to), link.link_to)
		self.assertEqual(
			{shortcut.label: shortcut.link_to for shortcut in workspace.shortcuts},
			{
				"Pending Applications": "Employee Loan Application",
				"Active Loans": "Employee Loan",
				"Loan Settings": "Employee Loan Settings",
				"Loan Categories": "Employee Loan Category",
			},
		)
		self.assertEqual(len(workspace.number_cards), 4)
		for card in workspace.number_cards:
			self.assertTrue(frappe.db.exists("Number Card", card.number_card_name))

	def test_number_cards(self):
		mine = ["Employee Loan", "department", "=", self.department_a]
		self.assertEqual(card_value("Active Employee Loans", mine), 1)
		self.assertEqual(card_value("Outstanding Loan Balance", mine), 177769.79)
		self.assertEqual(
			card_value("Pending Loan Applications", ["Employee Loan Application", "employee", "=", self.one]),
			0,
		)
		with freeze_time("2026-03-20"):
			march = card_value(
				"Loan Recoveries (This Month)", ["Employee Loan Repayment", "employee", "=", self.one]
			)
		self.assertEqual(march, 5800)
		with freeze_time("2026-04-20"):
			april = card_value(
				"Loan Recoveries (This Month)", ["Employee Loan Repayment", "employee", "=", self.one]
			)
		self.assertEqual(april, 21000)  # the manual 10,000 and the 11,000 pre-closure

	def test_connections_on_the_loan_and_the_employee(self):
		self.assertEqual(
			counts("Employee Loan", self.l1),
			# the loan's changes (holidays, restructures, top-ups) have their group, empty here
			{"Employee Loan Repayment": 3, "Employee Loan Change": 0, "Employee Loan Application": 1},
		)
		employee = counts("Employee", self.one)
		self.assertEqual(employee["Employee Loan Application"], 2)
		self.assertEqual(employee["Employee Loan"], 2)
		self.assertEqual(employee["Employee Loan Repayment"], 6)
		groups = frappe.get_meta("Employee").get_dashboard_data().transactions
		self.assertIn(
			{
				"label": "Loans",
				"items": ["Employee Loan Application", "Employee Loan", "Employee Loan Repayment"],
			},
			groups,
		)
		with as_user(ONE):
			self.assertEqual(counts("Employee Loan", self.l3)["Employee Loan Repayment"], 3)


class TestLoanDialogs(ReportTestCase):
	"""Where money moves, the desk offers the loan company's bank and cash accounts to HR users, who may
	read neither Company nor Account (employee_loans/payment_accounts.py)."""

	def test_hr_gets_the_default_and_the_bank_and_cash_accounts_without_reading_them(self):
		from employee_loans.accounts import default_payment_account
		from employee_loans.payment_accounts import get_default_payment_account, payment_account_query

		expected = default_payment_account("_Test Company")
		self.assertTrue(expected)
		make_user(DESK_HR, ["HR Manager", "HR User"])  # without the Employee role, which reads Company
		with as_user(DESK_HR):
			self.assertFalse(frappe.has_permission("Company", "read"))
			self.assertFalse(frappe.has_permission("Account", "select"))
			self.assertEqual(get_default_payment_account(self.l1), expected)
			offered = payment_account_query("Account", "", "name", 0, 50, {"company": "_Test Company"})
		self.assertIn(expected, [name for name, _type in offered])
		accounts = frappe.get_all(
			"Account",
			filters={"name": ("in", [name for name, _type in offered])},
			fields=["company", "account_type", "is_group"],
		)
		self.assertEqual(len(accounts), len(offered))
		self.assertEqual({(row.company, row.is_group) for row in accounts}, {("_Test Company", 0)})
		self.assertLessEqual({row.account_type for row in accounts}, {"Bank", "Cash"})

	def test_an_employee_gets_neither(self):
		from employee_loans.payment_accounts import get_default_payment_account, payment_account_query

		with as_user(TWO):  # another employee's loan; an employee moves no money
			with self.assertRaisesRegex(frappe.PermissionError, "not permitted to read Employee Loan"):
				get_default_payment_account(self.l1)
			with self.assertRaisesRegex(frappe.PermissionError, "not permitted to choose the accounts"):
				payment_account_query("Account", "", "name", 0, 20, {"company": "_Test Company"})


class TestWorkspaceOverHttp(HttpRequests, FrappeTestCase):
	"""Opening the workspace as the desk does, over HTTP with a real login: the page, then the count of
	each shortcut and the value of each number card, each a request of its own."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_user(DESK_HR, ["HR Manager", "HR User"])
		frappe.db.commit()  # the HTTP requests run on their own database connection

	def test_an_hr_manager_opens_the_workspace_without_a_server_error(self):
		client = self.login(DESK_HR)
		page = {"name": WORKSPACE, "title": WORKSPACE, "public": 1}
		response = self.get(client, "frappe.desk.desktop.get_desktop_page", page=page)
		self.assertEqual(response.status_code, 200, response.text[:500])
		page_data = response.json["message"]
		shortcuts = page_data["shortcuts"]["items"]
		self.assertIn("Employee Loan Settings", [item["link_to"] for item in shortcuts])
		counted = []
		for item in shortcuts:
			# shortcut_widget.js counts every DocType shortcut but one that opens a new document; a
			# Single DocType has no table to count (frappe's get_count fails on it with a server error)
			if item["type"] != "DocType" or item.get("doc_view") == "New":
				continue
			filters = frappe.parse_json(item.get("stats_filter") or "[]")
			response = self.get(
				client, "frappe.desk.reportview.get_count", doctype=item["link_to"], filters=filters
			)
			self.assertEqual(response.status_code, 200, f"{item['label']}: {response.text[:500]}")
			counted.append(item["link_to"])
		self.assertEqual(
			sorted(counted), ["Employee Loan", "Employee Loan Application", "Employee Loan Category"]
		)
		for card in page_data["number_cards"]["items"]:
			doc = frappe.get_doc("Number Card", card["number_card_name"])
			response = self.get(
				client,
				"frappe.desk.doctype.number_card.number_card.get_result",
				doc=doc.as_json(),
				filters=frappe.parse_json(doc.filters_json),
			)
			self.assertEqual(response.status_code, 200, f"{doc.name}: {response.text[:500]}")

	def test_the_settings_shortcut_still_opens_the_settings(self):
		"""The shortcut's view is New only so the desk does not count it: a Single DocType's route is its
		form whatever the view (frappe.utils.generate_route)."""
		workspace = frappe.get_doc("Workspace", WORKSPACE)
		(settings,) = [item for item in workspace.shortcuts if item.link_to == "Employee Loan Settings"]
		self.assertEqual((settings.type, settings.doc_view), ("DocType", "New"))
		self.assertTrue(frappe.get_meta(settings.link_to).issingle)
