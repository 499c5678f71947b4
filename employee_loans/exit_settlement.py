"""Leaving employees: their loans are settled through HRMS's Full and Final Statement.

- While a statement is a draft, it carries the receivable rows of each open loan of the employee, for
  what the loan still owes by the engine's pre-closure rule for the month of relieving: the principal
  on the loan's account (component "Employee Loan") and, when that month's interest is owed, the
  interest on the loan's interest income account (component "Employee Loan Interest"), each with the
  loan as reference. HRMS's journal entry credits each row's whole amount to its one account, so one row
  per account is what books the principal to the loan and the interest to interest income. The rows
  are kept in step with the loans on every save: a last salary slip submitted since updates them (the
  interest row goes when the slip recovered that interest); a loan closed since drops out, except one
  pre-closed by hand, whose row stays, reads Settled and asks for nothing more (its own entry booked
  the money).
- When the statement's journal entry is submitted, each loan it recovers gets an Exit Settlement
  repayment that closes the loan, with the principal and interest its rows ask and no GL of its own
  (the statement's entry credits the two accounts). The entry must credit the loan and interest
  accounts exactly what the statement's rows ask. Cancelling that entry cancels the repayments: the
  loans are open again, exactly as before.
- An employee set to Left with open loans and no statement gets a warning naming the loans.
HRMS submits a statement only when every row is Settled; on an open loan's row that means "recovered by
this statement's journal entry". Money recovered another way (a cheque) goes through the loan's own
pre-closure, which books it; the row then reads Settled for 0.
"""

import frappe
from frappe import _
from frappe.utils import flt, getdate, nowdate

from employee_loans.engine import PreClosure, add_up
from employee_loans.engine.states import (
	CLOSED_PRECLOSED_MANUALLY,
	EXIT_SETTLEMENT,
	LOAN_CLOSED,
	LOAN_DISBURSED,
)
from employee_loans.ledger import locked_loan, preclosure_quote
from employee_loans.utils import currency_precision, to_field, to_money

STATEMENT = "Full and Final Statement"
LOAN = "Employee Loan"
# the statement's components (a free-text field of HRMS's rows): what each of a loan's rows recovers
LOAN_COMPONENT = "Employee Loan"
INTEREST_COMPONENT = "Employee Loan Interest"
LOAN_COMPONENTS = (LOAN_COMPONENT, INTEREST_COMPONENT)


def loan_rows(statement) -> list:
	return [row for row in statement.get("receivables") or [] if row.reference_document_type == LOAN]


def owed_on_exit(loan_name: str, relieving_date) -> tuple[frappe._dict, PreClosure]:
	"""The loan (its accounts) and what it still owes at exit: what the last slip did not recover, with
	the relieving month's interest when that month's instalment was not recovered."""
	loan = locked_loan(loan_name)
	return loan, preclosure_quote(loan, relieving_date or nowdate())


def exit_rows(loan, quote: PreClosure) -> list[dict]:
	"""The statement's rows for one loan: the principal on the loan account and, when interest is owed,
	the interest on the loan's interest income account."""
	rows = [
		{
			"component": LOAN_COMPONENT,
			"account": loan.loan_account,
			"amount": to_field(quote.principal),
			"remark": _("Loan {0}: outstanding principal").format(loan.name),
		}
	]
	if quote.interest:
		if not loan.interest_income_account:
			frappe.throw(
				_(
					"Loan {0} owes {1} of interest at exit but has no Interest Income Account. Set it on the loan's "
					"category, then save the statement again."
				).format(loan.name, quote.interest),
				title=_("Interest Income Account Missing"),
			)
		rows.append(
			{
				"component": INTEREST_COMPONENT,
				"account": loan.interest_income_account,
				"amount": to_field(quote.interest),
				"remark": _("Loan {0}: interest of instalment {1}").format(loan.name, quote.instalment),
			}
		)
	return rows


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
	rows_of = {}
	for row in loan_rows(statement):
		rows_of.setdefault(row.reference_document, []).append(row)
	kept = {}  # loan -> its rows, in the order they are to be shown
	for name, loan in loans.items():
		if loan.status != LOAN_DISBURSED:
			continue
		record, quote = owed_on_exit(name, statement.relieving_date)
		kept[name] = []
		for row, values in _pair(rows_of.get(name, []), exit_rows(record, quote)):
			row = row or statement.append(
				"receivables", {"reference_document_type": LOAN, "reference_document": name}
			)
			# (Settled on an open loan's row means: recovered by this statement's journal entry, which HRMS
			# makes after the statement is submitted with every row settled.)
			row.update(
				{
					"status": row.status or "Unsettled",
					"component": values["component"],
					"account": values["account"],
					"amount": values["amount"],
					"remark": values["remark"],
				}
			)
			kept[name].append(row)
	for name, rows in rows_of.items():
		loan = loans.get(name)
		if name in kept:
			continue
		if loan and loan.status == LOAN_CLOSED and loan.closure_type == CLOSED_PRECLOSED_MANUALLY:
			# recovered outside the statement (by cheque, say): one row reads settled and asks for nothing
			row = next((row for row in rows if row.component == LOAN_COMPONENT), rows[0])
			row.update({"status": "Settled", "amount": 0, "remark": _("Settled by the loan's pre-closure")})
			kept[name] = [row]
	_keep_only(statement, kept)
	statement.set_totals()


def _pair(rows: list, wanted: list[dict]) -> list[tuple]:
	"""Each wanted row with the loan's row that already carries it: the one of the same component, else
	a row added by hand under another component (None: a row to add)."""
	rows = list(rows)
	pairs = []
	for values in wanted:
		row = next((row for row in rows if row.component == values["component"]), None)
		if row is not None:
			rows.remove(row)
		pairs.append([row, values])
	for pair in pairs:
		if pair[0] is None:
			spare = next((row for row in rows if row.component not in LOAN_COMPONENTS), None)
			if spare is not None:
				rows.remove(spare)
				pair[0] = spare
	return [tuple(pair) for pair in pairs]


def _keep_only(statement, kept: dict) -> None:
	"""The receivables with each loan's rows together (where its first row was, new loans at the end),
	and no other row of a loan."""
	ordered, placed = [], set()
	for row in statement.get("receivables") or []:
		if row.reference_document_type != LOAN:
			ordered.append(row)
		elif row.reference_document in kept and row.reference_document not in placed:
			placed.add(row.reference_document)
			ordered += kept[row.reference_document]
	for idx, row in enumerate(ordered, start=1):
		row.idx = idx
	statement.set("receivables", ordered)


def settle_loans(entry, method=None) -> None:
	"""Journal Entry on_submit: the statement's entry recovers its loans, principal and interest as its
	rows ask."""
	for statement in _statements(entry):
		precision = currency_precision(statement.company)
		owed = {}  # loan -> (principal, interest), in the order of the rows
		for row in loan_rows(statement):
			principal, interest = owed.get(row.reference_document, ([], []))
			(interest if row.component == INTEREST_COMPONENT else principal).append(
				to_money(row.amount, precision)
			)
			owed[row.reference_document] = (principal, interest)
		if not any(flt(row.amount) for row in loan_rows(statement)):
			continue
		check_entry_books_statement(entry, statement, precision)
		for loan, (principal, interest) in owed.items():
			principal, interest = add_up(principal), add_up(interest)
			if not (principal or interest):
				continue
			repayment = frappe.get_doc(
				{
					"doctype": "Employee Loan Repayment",
					"employee_loan": loan,
					"posting_date": getdate(entry.posting_date),
					"repayment_type": EXIT_SETTLEMENT,
					"amount": to_field(add_up([principal, interest])),
					"principal_amount": to_field(principal),
					"interest_amount": to_field(interest),
					"full_and_final_statement": statement.name,
					"settlement_journal_entry": entry.name,
					"reference": entry.cheque_no or entry.name,
					"note": _("Settled at exit (relieved on {0})").format(statement.relieving_date),
				}
			)
			repayment.flags.from_settlement = True
			repayment.insert(ignore_permissions=True)
			repayment.submit()


def check_entry_books_statement(entry, statement, precision: int) -> None:
	"""The entry must credit each account of the statement's loan rows with what the statement's rows on
	that account ask (HRMS's Create Journal Entry does: one credit per receivable, one debit per payable
	not paid by a salary slip), or the books would drift from the loans."""
	accounts = {row.account for row in loan_rows(statement) if flt(row.amount)}
	asked = {account: [] for account in accounts}
	for row in statement.get("receivables") or []:
		if row.account in asked and flt(row.amount) > 0:
			asked[row.account].append(to_money(row.amount, precision))
	for row in statement.get("payables") or []:
		if row.account in asked and flt(row.amount) > 0 and not row.paid_via_salary_slip:
			asked[row.account].append(-to_money(row.amount, precision))
	credited = {account: [] for account in accounts}
	for row in entry.get("accounts") or []:
		if row.account in credited:
			credited[row.account] += [to_money(row.credit, precision), -to_money(row.debit, precision)]
	for account in sorted(accounts):
		asks, credits = add_up(asked[account]), add_up(credited[account])
		if asks != credits:
			frappe.throw(
				_(
					"Journal Entry {0} credits {1} with {2}, but Full and Final Statement {3} asks {4} on it for the "
					"loans it settles. Make the entry with the statement's Create Journal Entry and keep its loan "
					"and interest rows as they are."
				).format(entry.name, account, credits, statement.name, asks),
				title=_("Journal Entry Does Not Match the Statement"),
			)


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
def get_loan_rows(loan: str, statement_relieving_date: str | None = None) -> list[dict]:
	"""The statement form's rows for a loan picked by hand: the principal row and, when interest is owed,
	the interest row, each with its component, account and amount."""
	doc = frappe.get_doc(LOAN, loan)
	doc.check_permission("read")
	record, quote = owed_on_exit(loan, statement_relieving_date)
	return exit_rows(record, quote)
