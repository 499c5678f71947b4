"""The desk around the loans: workspace, number cards and the connections panels."""

from freezegun import freeze_time

import frappe
from frappe.desk.doctype.number_card.number_card import get_result
from frappe.desk.notifications import _get_linked_document_counts

from employee_loans.tests.report_data import ONE, ReportTestCase
from employee_loans.tests.utils import IGNORE_TEST_RECORDS, as_user

test_ignore = IGNORE_TEST_RECORDS


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
