"""Leaving employees: their loans are settled through HRMS's Full and Final Statement.

- While a statement is a draft, it carries one receivable row per open loan of the employee (component
  "Employee Loan", the loan as reference, the loan account, the amount still owed by the engine's
  pre-closure rule for the month of relieving), kept in step with the loans on every save: a last
  salary slip submitted since updates the amount; a loan closed since drops out, except one pre-closed
  by hand, whose row stays, reads Settled and asks for nothing more (its own entry booked the money).
- When the statement's journal entry is submitted, each loan row it recovers becomes an Exit
  Settlement repayment that closes the loan, with no GL of its own (the statement's entry credits the
  loan account). Cancelling that entry cancels them: the loans are open again, exactly as before.
- An employee set to Left with open loans and no statement gets a warning naming the loans.
HRMS submits a statement only when every row is Settled; on an open loan's row that means "recovered by
this statement's journal entry". Money recovered another way (a cheque) goes through the loan's own
pre-closure, which books it; the row then reads Settled for 0.
"""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from employee_loans.engine.states import (
	CLOSED_PRECLOSED_MANUALLY,
	EXIT_SETTLEMENT,
	LOAN_CLOSED,
	LOAN_DISBURSED,
)
from employee_loans.ledger import locked_loan, preclosure_quote
from employee_loans.utils import to_field

STATEMENT = "Full and Final Statement"
LOAN = "Employee Loan"
LOAN_COMPONENT = "Employee Loan"


def loan_rows(statement) -> list:
	return [row for row in statement.get("receivables") or [] if row.reference_document_type == LOAN]


def owed_on_exit(loan_name: str, relieving_date) -> tuple[str, float]:
	"""The loan account and what the loan still owes at exit (what the last slip did not recover, with
	the relieving month's interest when that month's instalment was not recovered)."""
	loan = locked_loan(loan_name)
	return loan.loan_account, to_field(preclosure_quote(loan, relieving_date or nowdate()).amount)


def sync_loan_rows(statement, method=None) -> None:
	"""Full and Final Statement validate (after HRMS's own): the loan rows follow the loans."""
	if statement.docstatus != 0 or not statement.employee:
		return
	loans = {
		row.name: row
		for row in frappe.get_all(
			LOAN,
			filters={"employee": statement.employee, "docstatus": 1},
			fields=["name", "status", "closure_type", "outstanding_balance"],
		)
	}
	rows = {row.reference_document: row for row in loan_rows(statement)}
	for name, loan in loans.items():
		if loan.status != LOAN_DISBURSED:
			continue
		account, amount = owed_on_exit(name, statement.relieving_date)
		row = rows.get(name) or statement.append(
			"receivables",
			{"component": LOAN_COMPONENT, "reference_document_type": LOAN, "reference_document": name},
		)
		# (Settled on an open loan's row means: recovered by this statement's journal entry, which HRMS
		# makes after the statement is submitted with every row settled.)
		row.update({"status": row.status or "Unsettled", "account": account, "amount": amount})
	for name, row in rows.items():
		loan = loans.get(name)
		if loan and loan.status == LOAN_DISBURSED:
			continue
		if loan and loan.status == LOAN_CLOSED and loan.closure_type == CLOSED_PRECLOSED_MANUALLY:
			# recovered outside the statement (by cheque, say): the row reads settled and asks for nothing
			row.update({"status": "Settled", "amount": 0, "remark": _("Settled by the loan's pre-closure")})
			continue
		statement.remove(row)
	statement.set_totals()


def settle_loans(entry, method=None) -> None:
	"""Journal Entry on_submit: the statement's entry recovers its loan rows."""
	for statement in _statements(entry):
		relieving_date = statement.relieving_date
		for row in loan_rows(statement):
			if not row.amount:
				continue
			repayment = frappe.get_doc(
				{
					"doctype": "Employee Loan Repayment",
					"employee_loan": row.reference_document,
					"posting_date": getdate(entry.posting_date),
					"repayment_type": EXIT_SETTLEMENT,
					"amount": row.amount,
					"full_and_final_statement": statement.name,
					"settlement_journal_entry": entry.name,
					"reference": entry.cheque_no or entry.name,
					"note": _("Settled at exit (relieved on {0})").format(relieving_date),
				}
			)
			repayment.flags.from_settlement = True
			repayment.insert(ignore_permissions=True)
			repayment.submit()


def unsettle_loans(entry, method=None) -> None:
	"""Journal Entry on_cancel: the loans the entry settled are open again, exactly as before."""
	for name in frappe.get_all(
		"Employee Loan Repayment",
		filters={"settlement_journal_entry": entry.name, "docstatus": 1},
		pluck="name",
		order_by="creation desc, name desc",
	):
		repayment = frappe.get_doc("Employee Loan Repayment", name)
		repayment.flags.from_settlement = True
		repayment.cancel()


def _statements(entry) -> list:
	names = {
		row.reference_name
		for row in entry.get("accounts") or []
		if row.reference_type == STATEMENT and row.reference_name
	}
	return [frappe.get_doc(STATEMENT, name) for name in sorted(names)]


def warn_on_relieving(employee, method=None) -> None:
	"""Employee validate: relieving someone with open loans and no statement gets a clear warning."""
	if employee.status != "Left":
		return
	open_loans = frappe.get_all(
		LOAN, filters={"employee": employee.name, "docstatus": 1, "status": LOAN_DISBURSED}, pluck="name"
	)
	if not open_loans or frappe.db.exists(STATEMENT, {"employee": employee.name, "docstatus": ("<", 2)}):
		return
	frappe.msgprint(
		_(
			"{0} leaves with open loans: {1}. Create a Full and Final Statement to recover them (or write "
			"them off)."
		).format(employee.employee_name or employee.name, ", ".join(open_loans)),
		title=_("Open Employee Loans"),
		indicator="orange",
	)


@frappe.whitelist()
def get_loan_row(loan: str, statement_relieving_date: str | None = None) -> dict:
	"""The statement form's manual row: account and amount for a loan picked by hand."""
	doc = frappe.get_doc(LOAN, loan)
	doc.check_permission("read")
	account, amount = owed_on_exit(loan, statement_relieving_date)
	return {"account": account, "amount": amount, "component": LOAN_COMPONENT}
