"""Two HR Managers bringing the same loan in at the same moment, each on its own database connection:
one brings it in, the other finds it Already In. Nothing is duplicated.

The records the workers race on must be committed (another connection cannot see uncommitted rows), so
the class builds its own employee and category, commits them, and deletes every row it made."""

import threading

import frappe
from frappe.tests.utils import FrappeTestCase

from employee_loans.employee_loans.doctype.employee_loan_repayment.test_employee_loan_repayment import (
	Worker,
	remove_loans_and_slips,
)
from employee_loans.going_live import OPENING_ENTRY, bring_in_one, default_opening_account
from employee_loans.tests.utils import (
	COMPANY,
	IGNORE_TEST_RECORDS,
	assign_structure,
	make_category,
	make_employee,
)

test_ignore = IGNORE_TEST_RECORDS

RACER = "el-golive-race@example.com"


def bring_in_after(start, results: list, **loan):
	"""An HR Manager's request: reads the employee's loans first (the list it opened), waits for the
	other, then brings the loan in."""
	frappe.get_all("Employee Loan", filters={"employee": loan["employee"]}, pluck="name")
	start.wait(30)
	results.append(bring_in_one(COMPANY, loan, OPENING_ENTRY, default_opening_account(COMPANY), confirm=True))


class TestBringingInAtTheSameMoment(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.category = make_category(
			"GoLive Race", maximum_amount=500000, rate=0, method="Interest Free", min_months=1, max_months=60
		)
		cls.employee = make_employee(RACER)
		assign_structure(cls.employee, base=100000)
		frappe.db.commit()  # nosemgrep: the other connections must see the fixtures
		cls.site, cls.sites_path = frappe.local.site, frappe.local.sites_path

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		remove_loans_and_slips(cls.employee)
		frappe.db.delete("Salary Structure Assignment", {"employee": cls.employee})
		frappe.db.delete("Employee Loan Category", {"name": cls.category})
		frappe.db.commit()  # nosemgrep: the fixtures were committed; so is their removal
		super().tearDownClass()

	def test_the_same_loan_brought_in_twice_at_once_is_brought_in_once(self):
		for attempt in range(3):
			loan = {
				"employee": self.employee,
				"loan_category": self.category,
				"loan_amount": 60000,
				"annual_interest_rate": 0,
				"tenure_months": 12,
				"disbursement_date": "2026-01-10",
				"go_live_date": "2026-07-01",
				"outstanding_at_go_live": 35000,
				"old_system_reference": f"RACE-{attempt}",
			}
			start, results = threading.Barrier(2), []
			workers = [
				Worker(self.site, self.sites_path, bring_in_after, start, results, **loan)
				for _worker in range(2)
			]
			for worker in workers:
				worker.start()
			for worker in workers:
				worker.join(120)
				self.assertFalse(worker.is_alive(), "a worker hung")
				self.assertIsNone(worker.error, repr(worker.error))
			frappe.db.rollback()  # a new transaction: see what the workers committed
			loans = frappe.get_all(
				"Employee Loan",
				filters={"old_system_reference": f"RACE-{attempt}", "docstatus": 1},
				pluck="name",
			)
			self.assertEqual(len(loans), 1, results)
			self.assertEqual(sorted(bool(result["loan"]) for result in results), [False, True])
			refused = next(result for result in results if not result["loan"])
			self.assertEqual([problem["severity"] for problem in refused["problems"]], ["Already In"])
			entries = frappe.get_all("Journal Entry", filters={"employee_loan": loans[0], "docstatus": 1})
			self.assertEqual(len(entries), 1)
