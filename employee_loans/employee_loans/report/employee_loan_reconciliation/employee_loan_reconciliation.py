"""Employee Loan Reconciliation: the general ledger beside the loan ledger.

Per loan account of the company, as at a date:
- In the Books: the account's balance in the GL (live GL entries posted on or before the date, debit
  less credit);
- Loan Ledger: the principal outstanding on the loans that book to it and were disbursed by the date
  (a loan brought in at go-live: from the day before go-live, with its principal outstanding then):
  their principal, plus the top-ups and the EMI holiday interest added to the principal by the approved
  changes applied by the date (each booked by its own journal entry: debit the loan account), less the
  principal of their submitted repayments posted by the date. A cancelled change is in neither ledger:
  cancelling it cancelled its journal entry;
- Difference (books less ledger), then the rows that explain it, each with its effect on the difference:
  principal recovered on salary slips whose accrual journal is not posted (HRMS stamps each slip with
  its Payroll Entry's accrual journal; a slip submitted outside a Payroll Entry never gets one), slips
  cancelled one by one after their journal booked them, loans and repayments whose journal entry is
  cancelled, dated after the date or missing (loans disbursed before the books existed), loans brought
  in at go-live whose opening entry is cancelled or missing, changes whose journal entry is cancelled or
  dated after the date, and what they leave Unexplained: an entry made by hand on the account, for
  instance. The opening balances of loans brought in as already in the books are the company's own
  opening entry on the account: the section names them (how many, and their total) as a line that
  explains no difference.

Per interest income account, for the period from From Date (by default the start of the fiscal year
of the date) to the date: the credits it received from the loans' own journal entries, from payroll
accrual journals and from Full and Final Statements' journal entries (exit settlements), beside the
interest the loan ledger booked: the interest its repayments recovered plus the interest of EMI
holidays added to the principal by changes applied in the period. That interest is earned when the
holiday is approved (its journal entry credits the interest income account then), not recovered by a
repayment, so the ledger side counts it as booked and the two sides agree; the repayments after it
recover it as principal.

A fixed number of queries whatever the number of loans: the figures are summed in SQL; only the rows
that explain a difference are read one by one.
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Coalesce, Count, Sum
from frappe.utils import add_days, formatdate, getdate, nowdate

from employee_loans.employee_loans.report.common import (
	LOAN,
	REPAYMENT,
	card,
	currency_column,
	currency_field_column,
	currency_for,
	get_filters,
	link_column,
	precision_for,
)
from employee_loans.engine import add_up
from employee_loans.engine.states import (
	CHANGE_APPROVED,
	DESK_REPAYMENT_TYPES,
	FROM_SALARY_SLIP,
	PRE_CLOSURE_PAYMENT,
	TOP_UP,
)
from employee_loans.going_live import ALREADY_IN_BOOKS, OPENING_ENTRY
from employee_loans.permissions import loan_scope
from employee_loans.utils import to_field, to_money

LOAN_SECTION = "Loan Account"
INTEREST_SECTION = "Interest Income"
JOURNAL_ENTRY = "Journal Entry"
SALARY_SLIP = "Salary Slip"
CHANGE = "Employee Loan Change"


def execute(filters=None):
	filters = reconciliation_filters(filters)
	ensure_allowed(filters.company)
	data, summary = get_data(filters)
	return get_columns(), data, None, None, summary


def ensure_allowed(company: str) -> None:
	"""The books of a whole company: only for a user who sees every loan of it. The desk checks the
	report's roles; whoever else calls it is held to the rule of who sees every loan, and to the
	user's User Permissions: the GL cannot be split by loan, so a user permitted only some of the
	company's loans (some departments or employees) is refused rather than shown the company's totals."""
	scope = loan_scope()
	if not scope.every_employee:
		frappe.throw(
			_("Only HR and accounts users can reconcile employee loans with the books."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	if not scope.may_see("Company", company):
		frappe.throw(
			_("Your User Permissions do not include company {0}. Choose a company you may see.").format(
				company
			),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	partial = [_(doctype) for doctype in scope.allowed if doctype != "Company"]
	if partial:
		frappe.throw(
			_(
				"The reconciliation compares all of {0}'s loans with its books, and your User Permissions "
				"({1}) allow you only some of them. Ask a user who sees all of the company's loans."
			).format(company, ", ".join(partial)),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


def reconciliation_filters(filters) -> frappe._dict:
	filters = get_filters(filters)
	if not filters.get("company"):
		frappe.throw(_("Choose the company whose loans to reconcile."), title=_("Company Required"))
	filters.as_at_date = getdate(filters.get("as_at_date") or nowdate())
	filters.from_date = filters.get("from_date") or fiscal_year_start(filters.as_at_date, filters.company)
	if filters.from_date > filters.as_at_date:
		frappe.throw(
			_("Interest From {0} is after the As at date {1}. Choose a date on or before it.").format(
				formatdate(filters.from_date), formatdate(filters.as_at_date)
			),
			title=_("Invalid Period"),
		)
	return filters


def fiscal_year_start(date, company: str):
	from erpnext.accounts.utils import get_fiscal_year

	years = get_fiscal_year(date, company=company, boolean=True)
	if not years:
		frappe.throw(
			_("{0} is in no fiscal year of {1}. Give the Interest From date.").format(
				formatdate(date), company
			),
			title=_("Fiscal Year Missing"),
		)
	return getdate(years[0][1])


def get_columns() -> list[dict]:
	return [
		{"label": _("Reconciliation"), "fieldname": "line", "fieldtype": "Data", "width": 330},
		{"label": _("Section"), "fieldname": "section", "fieldtype": "Data", "width": 120},
		link_column(_("Account"), "account", "Account", 190),
		{"label": _("Posting Date"), "fieldname": "posting_date", "fieldtype": "Date", "width": 105},
		{"label": _("Document Type"), "fieldname": "reference_doctype", "fieldtype": "Data", "width": 150},
		{
			"label": _("Document"),
			"fieldname": "reference_name",
			"fieldtype": "Dynamic Link",
			"options": "reference_doctype",
			"width": 190,
		},
		link_column(_("Journal Entry"), "journal_entry", JOURNAL_ENTRY, 150),
		link_column(_("Loan"), "employee_loan", LOAN, 150),
		link_column(_("Employee"), "employee", "Employee", 120),
		{"label": _("Employee Name"), "fieldname": "employee_name", "fieldtype": "Data", "width": 150},
		currency_column(_("In the Books"), "books", 140),
		currency_column(_("Loan Ledger"), "ledger", 140),
		currency_column(_("Difference"), "difference", 140),
		currency_field_column(),
	]


# -- the figures ------------------------------------------------------------------------------------


def get_data(filters) -> tuple[list[dict], list[dict]]:
	precision, currency = precision_for(filters), currency_for(filters)

	def amount(value) -> Decimal:
		return to_money(value or 0, precision)

	loan_accounts, interest_accounts = accounts(filters)
	books = {row.account: amount(row.balance) for row in gl_balances(filters, loan_accounts)}
	disbursed = {row.loan_account: amount(row.principal) for row in principal_disbursed(filters)}
	principal_repaid, interest_recovered = {}, {}
	for row in recovered(filters):
		principal_repaid[row.loan_account] = add_up(
			[principal_repaid.get(row.loan_account, 0), amount(row.principal)]
		)
		interest_recovered[row.interest_income_account] = add_up(
			[interest_recovered.get(row.interest_income_account, 0), amount(row.interest)]
		)
	principal_added = {}  # by the approved changes in effect at the date: top-ups, holiday interest
	for row in changes_applied(filters):
		principal_added[row.loan_account] = add_up(
			[principal_added.get(row.loan_account, 0), amount(row.top_up), amount(row.interest_added)]
		)
		interest_recovered[row.interest_income_account] = add_up(
			[interest_recovered.get(row.interest_income_account, 0), amount(row.interest_in_period)]
		)
	credits = {row.account: amount(row.credit) for row in interest_credits(filters, interest_accounts)}
	explaining = explaining_rows(filters, amount)
	already_in_books = {row.loan_account: row for row in opening_balances_in_books(filters)}

	if not filters.get("loan_account") and (
		disbursed.get(None) or principal_added.get(None) or principal_repaid.get(None)
	):
		loan_accounts.append(None)  # loans disbursed before the books, whose category has no account
	if interest_recovered.get(None):
		interest_accounts.append(None)

	data, totals = [], {"books": [], "ledger": [], "difference": [], "unexplained": [], "interest": []}
	for account in loan_accounts:
		ledger = add_up(
			[disbursed.get(account, 0), principal_added.get(account, 0), -principal_repaid.get(account, 0)]
		)
		rows, difference, unexplained = section(
			LOAN_SECTION,
			account,
			account or _("Loans without a Loan Account"),
			books.get(account, Decimal(0)),
			ledger,
			[row for row in explaining[LOAN_SECTION] if row.account == account],
			currency,
			note=in_books_note(already_in_books.get(account), amount),
		)
		data += rows
		totals["books"].append(books.get(account, 0))
		totals["ledger"].append(ledger)
		totals["difference"].append(difference)
		totals["unexplained"].append(unexplained)
	for account in interest_accounts:
		rows, difference, _unexplained = section(
			INTEREST_SECTION,
			account,
			_("{0}: interest from {1} to {2}").format(
				account or _("Loans without an Interest Income Account"),
				formatdate(filters.from_date),
				formatdate(filters.as_at_date),
			),
			credits.get(account, Decimal(0)),
			interest_recovered.get(account, Decimal(0)),
			[row for row in explaining[INTEREST_SECTION] if row.account == account],
			currency,
		)
		data += rows
		totals["interest"].append(difference)
	return data, summary(totals, currency)


def section(
	name, account, label, books, ledger, explaining, currency, note=None
) -> tuple[list[dict], Decimal, Decimal]:
	"""The account's row, the rows that explain its difference, what they explain and what is left.
	`note`: a line about the account's balance that explains no difference (its Loan Ledger figure)."""
	difference = add_up([books, -ledger])
	explained = add_up(row.amount for row in explaining)
	unexplained = add_up([difference, -explained])
	common = {"section": _(name), "account": account, "currency": currency}
	rows = [
		{
			**common,
			"line": label,
			"books": to_field(books),
			"ledger": to_field(ledger),
			"difference": to_field(difference),
			"indent": 0,
			"bold": 1,
		}
	]
	if note:
		rows.append({**common, **note, "indent": 1})
	for row in explaining:
		rows.append(
			{
				**common,
				"line": row.line,
				"posting_date": row.posting_date,
				"reference_doctype": row.reference_doctype,
				"reference_name": row.reference_name,
				"journal_entry": row.journal_entry,
				"employee_loan": row.employee_loan,
				"employee": row.employee,
				"employee_name": row.employee_name,
				"difference": to_field(row.amount),
				"indent": 1,
			}
		)
	rows.append({**common, "line": _("Explained"), "difference": to_field(explained), "indent": 1})
	rows.append(
		{**common, "line": _("Unexplained"), "difference": to_field(unexplained), "indent": 1, "bold": 1}
	)
	return rows, difference, unexplained


def summary(totals, currency) -> list[dict]:
	"""GL balance, ledger outstanding and difference over the loan accounts shown, what of it is
	unexplained, and the interest sections' difference."""
	books, ledger, difference, unexplained, interest = (
		add_up(totals[key]) for key in ("books", "ledger", "difference", "unexplained", "interest")
	)
	return [
		card(to_field(books), _("GL Balance"), currency=currency),
		card(to_field(ledger), _("Ledger Outstanding"), currency=currency),
		card(to_field(difference), _("Difference"), currency=currency, indicator=_colour(difference)),
		card(to_field(unexplained), _("Unexplained"), currency=currency, indicator=_colour(unexplained)),
		card(to_field(interest), _("Interest Difference"), currency=currency, indicator=_colour(interest)),
	]


def _colour(amount: Decimal) -> str:
	return "Green" if not amount else "Red"


# -- queries (a fixed number of them) ---------------------------------------------------------------


def accounts(filters) -> tuple[list, list]:
	"""The loan accounts and interest income accounts of the company's categories and loans."""
	category = frappe.qb.DocType("Employee Loan Category")
	loan = frappe.qb.DocType(LOAN)
	pairs = (
		frappe.qb.from_(category)
		.select(category.loan_account, category.interest_income_account)
		.where(category.company == filters.company)
		.run()
	)
	pairs += (
		frappe.qb.from_(loan)
		.select(loan.loan_account, loan.interest_income_account)
		.distinct()
		.where((loan.company == filters.company) & (loan.docstatus == 1))
		.run()
	)
	if filters.get("loan_account"):
		loan_accounts = [filters.loan_account]
	else:
		loan_accounts = sorted({account for account, _interest in pairs if account})
	return loan_accounts, sorted({interest for _account, interest in pairs if interest})


def gl_balances(filters, loan_accounts: list) -> list[dict]:
	if not loan_accounts:
		return []
	gl = frappe.qb.DocType("GL Entry")
	return (
		frappe.qb.from_(gl)
		.select(gl.account, Sum(gl.debit - gl.credit).as_("balance"))
		.where(
			(gl.company == filters.company)
			& (gl.is_cancelled == 0)
			& (gl.posting_date <= filters.as_at_date)
			& gl.account.isin(loan_accounts)
		)
		.groupby(gl.account)
		.run(as_dict=True)
	)


def principal_disbursed(filters) -> list[dict]:
	"""What the loans lent, less what the old system recovered of the loans brought in at go-live (their
	ledger starts from the outstanding then)."""
	loan = frappe.qb.DocType(LOAN)
	return (
		frappe.qb.from_(loan)
		.select(
			loan.loan_account,
			Sum(loan.loan_amount - Coalesce(loan.principal_recovered_before_go_live, 0)).as_("principal"),
		)
		.where(disbursed_by(loan, filters))
		.groupby(loan.loan_account)
		.run(as_dict=True)
	)


def disbursed_by(loan, filters):
	"""The company's submitted loans disbursed on or before the date, and those brought in at go-live
	whose opening (the day before go-live) is on or before it (a cancelled loan is in neither ledger:
	cancelling it cancelled its journal entry)."""
	return (
		(loan.company == filters.company)
		& (loan.docstatus == 1)
		& (
			((Coalesce(loan.brought_in, 0) == 0) & (loan.disbursement_date <= filters.as_at_date))
			| ((loan.brought_in == 1) & (loan.go_live_date <= add_days(filters.as_at_date, 1)))
		)
	)


def recovered(filters) -> list[dict]:
	"""Principal repaid by the date and interest recovered in the period, per loan and interest
	account, from the submitted repayments."""
	loan = frappe.qb.DocType(LOAN)
	repayment = frappe.qb.DocType(REPAYMENT)
	in_period = repayment.posting_date >= filters.from_date
	return (
		frappe.qb.from_(repayment)
		.join(loan)
		.on(loan.name == repayment.employee_loan)
		.select(
			loan.loan_account,
			loan.interest_income_account,
			Sum(repayment.principal_amount).as_("principal"),
			Sum(Case().when(in_period, repayment.interest_amount).else_(0)).as_("interest"),
		)
		.where(
			disbursed_by(loan, filters)
			& (repayment.docstatus == 1)
			& (repayment.posting_date <= filters.as_at_date)
		)
		.groupby(loan.loan_account, loan.interest_income_account)
		.run(as_dict=True)
	)


def changes_applied(filters) -> list[dict]:
	"""Top-ups and EMI holiday interest added to the principal by the approved changes applied by the
	date, per loan and interest account (the holiday interest also as applied in the period)."""
	loan = frappe.qb.DocType(LOAN)
	change = frappe.qb.DocType(CHANGE)
	applied_from = getdate(filters.from_date)
	return (
		frappe.qb.from_(change)
		.join(loan)
		.on(loan.name == change.employee_loan)
		.select(
			loan.loan_account,
			loan.interest_income_account,
			Sum(change.top_up_amount).as_("top_up"),
			Sum(change.interest_added).as_("interest_added"),
			Sum(Case().when(change.applied_on >= applied_from, change.interest_added).else_(0)).as_(
				"interest_in_period"
			),
		)
		.where(disbursed_by(loan, filters) & applied_by(change, filters))
		.groupby(loan.loan_account, loan.interest_income_account)
		.run(as_dict=True)
	)


def applied_by(change, filters):
	"""Approved changes in effect on the date (applied on it or before); a cancelled one is in neither
	ledger: cancelling it cancelled its journal entry."""
	return (
		(change.docstatus == 1)
		& (change.status == CHANGE_APPROVED)
		& (change.applied_on < add_days(filters.as_at_date, 1))
	)


def interest_credits(filters, interest_accounts: list) -> list[dict]:
	"""Credits less debits on the interest income accounts in the period from the loans' own journal
	entries, from payroll accrual journals and from the journal entries of Full and Final Statements
	(which settle loans at exit)."""
	if not interest_accounts:
		return []
	gl = frappe.qb.DocType("GL Entry")
	journal = frappe.qb.DocType(JOURNAL_ENTRY)
	journal_row = frappe.qb.DocType("Journal Entry Account")
	# HRMS marks a payroll accrual journal, and a statement's journal entry, by a row referencing it
	payroll_and_exit_journals = (
		frappe.qb.from_(journal_row)
		.select(journal_row.parent)
		.distinct()
		.where(journal_row.reference_type.isin(["Payroll Entry", "Full and Final Statement"]))
	)
	return (
		frappe.qb.from_(gl)
		.join(journal)
		.on(journal.name == gl.voucher_no)
		.select(gl.account, Sum(gl.credit - gl.debit).as_("credit"))
		.where(
			(gl.company == filters.company)
			& (gl.is_cancelled == 0)
			& (gl.voucher_type == JOURNAL_ENTRY)
			& (gl.posting_date >= filters.from_date)
			& (gl.posting_date <= filters.as_at_date)
			& gl.account.isin(interest_accounts)
			& ((Coalesce(journal.employee_loan, "") != "") | gl.voucher_no.isin(payroll_and_exit_journals))
		)
		.groupby(gl.account)
		.run(as_dict=True)
	)


# -- what explains a difference -----------------------------------------------------------------


def explaining_rows(filters, amount) -> dict[str, list]:
	"""Each recovery, disbursement or repayment that one ledger has and the GL does not (yet), or the
	other way round, with its effect on books less ledger: a recovery not credited raises the loan
	account's balance above the outstanding (+ principal) and leaves interest income short
	(- interest); a disbursement not debited leaves the balance short (- principal); a recovery
	credited but cancelled in the loan ledger does the opposite of one not credited."""
	rows = {LOAN_SECTION: [], INTEREST_SECTION: []}

	def add(section, account, value, **fields):
		if value:
			rows[section].append(frappe._dict(account=account, amount=value, **fields))

	for row in unbooked_slip_recoveries(filters):
		if row.payroll_entry:
			line = _("Salary slip of Payroll Entry {0}: its accrual journal is not posted").format(
				row.payroll_entry
			)
			if row.journal_entry:
				line = _("Salary slip of Payroll Entry {0}: {1}").format(
					row.payroll_entry, journal_problem(row, filters)
				)
		else:
			line = _("Salary slip submitted outside a Payroll Entry: payroll never books it")
		fields = document(row, SALARY_SLIP, row.salary_slip, line)
		add(LOAN_SECTION, row.loan_account, amount(row.principal_amount), **fields)
		if row.posting_date >= filters.from_date:
			add(INTEREST_SECTION, row.interest_income_account, -amount(row.interest_amount), **fields)

	for row in cancelled_booked_slips(filters):
		line = _("Salary slip cancelled after Journal Entry {0} booked it").format(row.journal_entry)
		fields = document(row, SALARY_SLIP, row.salary_slip, line)
		add(LOAN_SECTION, row.loan_account, -amount(row.principal_amount), **fields)
		if row.posting_date >= filters.from_date:
			add(INTEREST_SECTION, row.interest_income_account, amount(row.interest_amount), **fields)

	for row in unbooked_disbursements(filters):
		if row.journal_entry:
			line = _("Disbursement: {0}").format(journal_problem(row, filters))
		else:
			line = _("Disbursed without a journal entry (before the books)")
		fields = document(row, LOAN, row.employee_loan, line)
		add(LOAN_SECTION, row.loan_account, -amount(row.loan_amount), **fields)

	for row in unbooked_openings(filters):
		if row.journal_entry:
			line = _("Opening balance brought in at go-live: {0}").format(journal_problem(row, filters))
		else:
			line = _("Opening balance brought in at go-live without its opening entry")
		fields = document(row, LOAN, row.employee_loan, line)
		add(LOAN_SECTION, row.loan_account, -amount(row.outstanding_at_go_live), **fields)

	for row in unbooked_changes(filters):
		kind = _("Top-up") if row.change_type == TOP_UP else _("EMI holiday interest added")
		if row.journal_entry:
			line = _("{0}: {1}").format(kind, journal_problem(row, filters))
		else:
			line = _("{0} without a journal entry").format(kind)
		fields = document(row, CHANGE, row.change, line)
		add(
			LOAN_SECTION,
			row.loan_account,
			-add_up([amount(row.top_up_amount), amount(row.interest_added)]),
			**fields,
		)
		if row.posting_date >= filters.from_date:
			add(INTEREST_SECTION, row.interest_income_account, -amount(row.interest_added), **fields)

	for row in unbooked_desk_repayments(filters):
		kind = (
			_("Settled pre-closure") if row.repayment_type == PRE_CLOSURE_PAYMENT else _("Manual repayment")
		)
		if row.journal_entry:
			line = _("{0}: {1}").format(kind, journal_problem(row, filters))
		else:
			line = _("{0} posted without a journal entry").format(kind)
		fields = document(row, REPAYMENT, row.repayment, line)
		add(LOAN_SECTION, row.loan_account, amount(row.principal_amount), **fields)
		if row.posting_date >= filters.from_date:
			add(INTEREST_SECTION, row.interest_income_account, -amount(row.interest_amount), **fields)
	return rows


def document(row, doctype: str, name: str, line: str) -> dict:
	return {
		"line": line,
		"posting_date": row.posting_date,
		"reference_doctype": doctype,
		"reference_name": name,
		"journal_entry": row.journal_entry,
		"employee_loan": row.employee_loan,
		"employee": row.employee,
		"employee_name": row.employee_name,
	}


def journal_problem(row, filters) -> str:
	"""Why the journal entry `row.journal_entry` is not in the books at the date."""
	if row.journal_docstatus == 2:
		return _("Journal Entry {0} is cancelled").format(row.journal_entry)
	if row.journal_docstatus == 1:
		return _("Journal Entry {0} is dated {1}, after {2}").format(
			row.journal_entry, formatdate(row.journal_date), formatdate(filters.as_at_date)
		)
	if row.journal_docstatus is None:
		return _("Journal Entry {0} no longer exists").format(row.journal_entry)
	return _("Journal Entry {0} is not submitted").format(row.journal_entry)


def not_booked(journal, filters):
	"""The journal entry is missing, not submitted or dated after the date."""
	return journal.name.isnull() | (journal.docstatus != 1) | (journal.posting_date > filters.as_at_date)


def _slip_recoveries(filters, docstatus: int, booked_only: bool):
	"""Salary-slip repayments in `docstatus`, with their loan's accounts and the slip's accrual journal
	(any journal, or only one that is there, when `booked_only`): the query both kinds of row share."""
	loan = frappe.qb.DocType(LOAN)
	repayment = frappe.qb.DocType(REPAYMENT)
	slip = frappe.qb.DocType(SALARY_SLIP)
	journal = frappe.qb.DocType(JOURNAL_ENTRY)
	query = (
		frappe.qb.from_(repayment)
		.join(loan)
		.on(loan.name == repayment.employee_loan)
		.join(slip)
		.on(slip.name == repayment.salary_slip)
	)
	query = (query.join(journal) if booked_only else query.left_join(journal)).on(
		journal.name == slip.journal_entry
	)
	query = query.select(
		repayment.salary_slip,
		repayment.posting_date,
		repayment.principal_amount,
		repayment.interest_amount,
		repayment.employee_loan,
		repayment.employee,
		repayment.employee_name,
		loan.loan_account,
		loan.interest_income_account,
		slip.payroll_entry,
		slip.journal_entry,
		journal.docstatus.as_("journal_docstatus"),
		journal.posting_date.as_("journal_date"),
	).where(
		disbursed_by(loan, filters)
		& (repayment.docstatus == docstatus)
		& (repayment.repayment_type == FROM_SALARY_SLIP)
		& (repayment.posting_date <= filters.as_at_date)
	)
	return query.orderby(repayment.posting_date).orderby(repayment.name), slip, journal


def unbooked_slip_recoveries(filters) -> list[dict]:
	"""Repayments posted by salary slips whose accrual journal is not in the books at the date: the
	slip's Payroll Entry has not posted it (HRMS stamps each slip it books with its journal), or the
	slip was submitted outside a Payroll Entry."""
	query, _slip, journal = _slip_recoveries(filters, docstatus=1, booked_only=False)
	return query.where(not_booked(journal, filters)).run(as_dict=True)


def cancelled_booked_slips(filters) -> list[dict]:
	"""Repayments of salary slips cancelled one by one after their Payroll Entry's accrual journal
	booked them: the journal stays (it books the whole run), the loan ledger takes the recovery back."""
	query, slip, journal = _slip_recoveries(filters, docstatus=2, booked_only=True)
	return query.where(
		(slip.docstatus == 2) & (journal.docstatus == 1) & (journal.posting_date <= filters.as_at_date)
	).run(as_dict=True)


def _loans_and_their_entry(entry_field: str):
	"""Loans with the journal entry that booked them (`entry_field`: the disbursement's or the
	opening's) and that entry's state: the query the unbooked disbursements and openings share."""
	loan = frappe.qb.DocType(LOAN)
	journal = frappe.qb.DocType(JOURNAL_ENTRY)
	query = (
		frappe.qb.from_(loan)
		.left_join(journal)
		.on(journal.name == loan[entry_field])
		.select(
			loan.name.as_("employee_loan"),
			loan.employee,
			loan.employee_name,
			loan.loan_account,
			loan[entry_field].as_("journal_entry"),
			journal.docstatus.as_("journal_docstatus"),
			journal.posting_date.as_("journal_date"),
		)
	)
	return query, loan, journal


def unbooked_disbursements(filters) -> list[dict]:
	"""Loans disbursed by the date whose disbursement journal entry is not in the books at the date
	(cancelled by hand, dated later, or never posted: loans disbursed before the books)."""
	query, loan, journal = _loans_and_their_entry("disbursement_journal_entry")
	return (
		query.select(loan.loan_amount, loan.disbursement_date.as_("posting_date"))
		.where(
			disbursed_by(loan, filters) & (Coalesce(loan.brought_in, 0) == 0) & not_booked(journal, filters)
		)
		.orderby(loan.disbursement_date)
		.orderby(loan.name)
		.run(as_dict=True)
	)


def unbooked_openings(filters) -> list[dict]:
	"""Loans brought in at go-live with an opening entry that is not in the books at the date (cancelled
	by hand, or never posted)."""
	query, loan, journal = _loans_and_their_entry("opening_journal_entry")
	rows = (
		query.select(loan.outstanding_at_go_live, loan.go_live_date)
		.where(
			disbursed_by(loan, filters)
			& (loan.brought_in == 1)
			& (loan.opening_balance_booking == OPENING_ENTRY)
			& not_booked(journal, filters)
		)
		.orderby(loan.go_live_date)
		.orderby(loan.name)
		.run(as_dict=True)
	)
	for row in rows:
		row.posting_date = add_days(row.go_live_date, -1)  # the opening's date
	return rows


def opening_balances_in_books(filters) -> list[dict]:
	"""Per loan account, the loans brought in at go-live whose opening balance the company's own books
	carry (the app posted nothing): how many, and their principal outstanding at go-live."""
	loan = frappe.qb.DocType(LOAN)
	return (
		frappe.qb.from_(loan)
		.select(
			loan.loan_account, Count(loan.name).as_("loans"), Sum(loan.outstanding_at_go_live).as_("opening")
		)
		.where(
			disbursed_by(loan, filters)
			& (loan.brought_in == 1)
			& (loan.opening_balance_booking == ALREADY_IN_BOOKS)
		)
		.groupby(loan.loan_account)
		.run(as_dict=True)
	)


def in_books_note(row, amount) -> dict | None:
	"""The line naming the opening balances the company's own books carry (in the Loan Ledger column)."""
	if not row:
		return None
	return {
		"line": _("{0} loans brought in at go-live, their opening balances already in the books").format(
			row.loans
		),
		"ledger": to_field(amount(row.opening)),
	}


def _booked_by_journal(source):
	"""A document that books its own journal entry (`source`: a loan change or a desk repayment), with
	its loan's accounts and that entry's state: the query the unbooked rows of both kinds share."""
	loan = frappe.qb.DocType(LOAN)
	journal = frappe.qb.DocType(JOURNAL_ENTRY)
	query = (
		frappe.qb.from_(source)
		.join(loan)
		.on(loan.name == source.employee_loan)
		.left_join(journal)
		.on(journal.name == source.journal_entry)
		.select(
			source.employee_loan,
			source.employee,
			source.employee_name,
			source.journal_entry,
			loan.loan_account,
			loan.interest_income_account,
			journal.docstatus.as_("journal_docstatus"),
			journal.posting_date.as_("journal_date"),
		)
	)
	return query, loan, journal


def unbooked_changes(filters) -> list[dict]:
	"""Top-ups and holiday interest applied by the date whose journal entry is not in the books at the
	date (cancelled by hand, dated later, or never posted)."""
	change = frappe.qb.DocType(CHANGE)
	query, loan, journal = _booked_by_journal(change)
	rows = (
		query.select(
			change.name.as_("change"),
			change.change_type,
			change.applied_on,
			change.top_up_amount,
			change.interest_added,
		)
		.where(
			disbursed_by(loan, filters)
			& applied_by(change, filters)
			& ((Coalesce(change.top_up_amount, 0) != 0) | (Coalesce(change.interest_added, 0) != 0))
			& not_booked(journal, filters)
		)
		.orderby(change.applied_on)
		.orderby(change.name)
		.run(as_dict=True)
	)
	for row in rows:
		row.posting_date = getdate(row.applied_on)
	return rows


def unbooked_desk_repayments(filters) -> list[dict]:
	"""Manual repayments and settled pre-closures posted by the date whose journal entry is not in the
	books at the date (cancelled by hand, dated later, or never posted: before the books)."""
	repayment = frappe.qb.DocType(REPAYMENT)
	query, loan, journal = _booked_by_journal(repayment)
	return (
		query.select(
			repayment.name.as_("repayment"),
			repayment.repayment_type,
			repayment.posting_date,
			repayment.principal_amount,
			repayment.interest_amount,
		)
		.where(
			disbursed_by(loan, filters)
			& (repayment.docstatus == 1)
			& repayment.repayment_type.isin(DESK_REPAYMENT_TYPES)
			& (repayment.posting_date <= filters.as_at_date)
			& not_booked(journal, filters)
		)
		.orderby(repayment.posting_date)
		.orderby(repayment.name)
		.run(as_dict=True)
	)
