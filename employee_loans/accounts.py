"""The loans in the general ledger, always through ERPNext's own documents.

- Disbursement: a submitted Journal Entry (Bank or Cash Entry) debits the loan account and credits
  the account the money was paid from.
- Recovery in payroll: the slip's principal and interest lines are ordinary deduction rows whose
  components book to the loan account and the interest income account; HRMS's Payroll Entry accrual
  journal posts them. Nothing here touches HRMS.
- Manual repayment and pre-closure settled by hand: a Journal Entry debits the account the money came
  into and credits the loan account (principal) and interest income (interest).
Cancelling the loan or the repayment cancels its journal entry. Uninstalling leaves them alone: they
are the company's books.
"""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from employee_loans.engine import add_up
from employee_loans.utils import currency_precision, to_field, to_money

JOURNAL_ENTRY = "Journal Entry"


# -- accounts ----------------------------------------------------------------------------------------


def _account(account: str, label: str) -> frappe._dict:
	values = frappe.db.get_value(
		"Account",
		account,
		["name", "company", "is_group", "root_type", "account_type", "disabled"],
		as_dict=True,
	)
	if not values:
		frappe.throw(_("{0} {1} does not exist.").format(_(label), account), title=_("Invalid Account"))
	return values


def _check_common(values, company: str, label: str) -> None:
	if values.company != company:
		frappe.throw(
			_("{0} {1} belongs to company {2}; choose an account of {3}.").format(
				_(label), values.name, values.company, company
			),
			title=_("Wrong Company"),
		)
	if values.is_group:
		frappe.throw(
			_("{0} {1} is a group account; choose a ledger account under it.").format(_(label), values.name),
			title=_("Group Account"),
		)
	if values.disabled:
		frappe.throw(_("{0} {1} is disabled.").format(_(label), values.name), title=_("Disabled Account"))


def validate_loan_account(account: str, company: str, label: str = "Loan Account") -> None:
	"""An asset ledger of the company whose type is neither Receivable nor Payable: HRMS's payroll
	journal credits it without a party, which a receivable account refuses."""
	values = _account(account, label)
	_check_common(values, company, label)
	if values.root_type != "Asset":
		frappe.throw(
			_(
				"{0} {1} is not an asset account; loans to employees are assets (for example under Loans and Advances (Assets))."
			).format(_(label), values.name),
			title=_("Invalid Account"),
		)
	if values.account_type in ("Receivable", "Payable"):
		frappe.throw(
			_(
				"{0} {1} is a {2} account. Payroll books loan recoveries without a party, which a {2} account "
				"refuses: choose an asset account with no account type."
			).format(_(label), values.name, _(values.account_type)),
			title=_("Invalid Account"),
		)


def validate_income_account(account: str, company: str, label: str = "Interest Income Account") -> None:
	values = _account(account, label)
	_check_common(values, company, label)
	if values.root_type != "Income":
		frappe.throw(
			_("{0} {1} is not an income account.").format(_(label), values.name), title=_("Invalid Account")
		)


def validate_expense_account(account: str | None, company: str, label: str) -> None:
	if not account:
		frappe.throw(
			_("Set the {0}: the category's, or the one in Employee Loan Settings.").format(_(label)),
			title=_("Account Required"),
		)
	values = _account(account, label)
	_check_common(values, company, label)
	if values.root_type != "Expense":
		frappe.throw(
			_("{0} {1} is not an expense account.").format(_(label), values.name), title=_("Invalid Account")
		)


def validate_payment_account(account: str | None, company: str, label: str) -> frappe._dict:
	"""A bank or cash ledger of the company."""
	if not account:
		frappe.throw(
			_("Choose the bank or cash account for {0}.").format(_(label)), title=_("Account Required")
		)
	values = _account(account, label)
	_check_common(values, company, label)
	if values.account_type not in ("Bank", "Cash"):
		frappe.throw(
			_("{0} {1} is not a bank or cash account.").format(_(label), values.name),
			title=_("Invalid Account"),
		)
	return values


def default_payment_account(company: str) -> str | None:
	"""The company's default bank account, else its default cash account."""
	return frappe.get_cached_value("Company", company, "default_bank_account") or frappe.get_cached_value(
		"Company", company, "default_cash_account"
	)


def component_account(component: str, company: str) -> str | None:
	return frappe.db.get_value(
		"Salary Component Account", {"parent": component, "company": company}, "account"
	)


def ensure_component_account(component: str, company: str, account: str, category: str) -> None:
	"""HRMS's payroll journal books a deduction to its component's account for the company: the loan
	component must book to the loan account (the interest component to interest income). Set it when
	the component has none for the company; refuse a different one."""
	current = component_account(component, company)
	if current == account:
		return
	if current:
		frappe.throw(
			_(
				"Salary Component {0} books to {1} for company {2}, but category {3} needs {4}. Give the "
				"category its own salary component, or choose {1}."
			).format(component, current, company, category, account),
			title=_("Salary Component Account"),
		)
	doc = frappe.get_doc("Salary Component", component)
	doc.append("accounts", {"company": company, "account": account})
	doc.flags.ignore_permissions = True
	doc.save()


# -- journal entries ---------------------------------------------------------------------------------


def _journal_entry(company: str, posting_date, payment, reference: str, remark: str, rows: list[dict]):
	cost_center = frappe.get_cached_value("Company", company, "cost_center")
	entry = frappe.get_doc(
		{
			"doctype": JOURNAL_ENTRY,
			"voucher_type": "Cash Entry" if payment.account_type == "Cash" else "Bank Entry",
			"company": company,
			"posting_date": getdate(posting_date),
			"cheque_no": reference,
			"cheque_date": getdate(posting_date),
			"user_remark": remark,
			"accounts": [{"cost_center": cost_center, **row} for row in rows],
		}
	)
	return entry


def _submit(entry) -> str:
	# HR disburses and records repayments; the entry is the app's posting of that action, not a
	# voucher an accounts user types, so it is submitted whatever the user's accounting rights.
	entry.flags.ignore_permissions = True
	entry.insert()
	entry.submit()
	return entry.name


def post_disbursement(loan) -> str:
	"""Debit the loan account, credit the account paid from, for the loan's principal."""
	payment = validate_payment_account(loan.payment_account, loan.company, "Paid From")
	amount = to_field(to_money(loan.loan_amount, currency_precision(loan.company)))
	entry = _journal_entry(
		loan.company,
		loan.disbursement_date,
		payment,
		loan.disbursement_reference or loan.name,
		_("Disbursement of employee loan {0} to {1} ({2})").format(
			loan.name, loan.employee_name, loan.employee
		),
		[
			{"account": loan.loan_account, "debit_in_account_currency": amount},
			{"account": payment.name, "credit_in_account_currency": amount},
		],
	)
	entry.employee_loan = loan.name
	return _submit(entry)


def post_opening(
	company: str,
	posting_date,
	opening_account: str,
	loans: list,
	reference: str,
	amended_from: str | None = None,
) -> str:
	"""The opening entry of loans brought in at go-live together (a file's, or one loan from the desk),
	dated the day before go-live: a debit on each loan account for the principal outstanding at go-live
	of its loans, a credit on the company's temporary opening account for them all. One entry for a whole
	file, not one per loan: five thousand entries would take many minutes and fill the ledger with
	lines that say nothing more; each loan links to its entry (Opening Journal Entry)."""
	values = _account(opening_account, "Temporary Opening Account")
	_check_common(values, company, "Temporary Opening Account")
	precision = currency_precision(company)
	by_account: dict[str, list] = {}
	for loan in loans:
		by_account.setdefault(loan.loan_account, []).append(to_money(loan.outstanding_at_go_live, precision))
	total = add_up(amount for amounts in by_account.values() for amount in amounts)
	cost_center = frappe.get_cached_value("Company", company, "cost_center")
	rows = [
		{
			"account": account,
			"debit_in_account_currency": to_field(add_up(amounts)),
			"cost_center": cost_center,
		}
		for account, amounts in sorted(by_account.items())
	]
	rows.append(
		{
			"account": opening_account,
			"credit_in_account_currency": to_field(total),
			"cost_center": cost_center,
		}
	)
	if len(loans) == 1:
		remark = _("Opening balance at go-live of employee loan {0} of {1} ({2})").format(
			loans[0].name, loans[0].employee_name, loans[0].employee
		)
	else:
		remark = _("Opening balances at go-live of {0} employee loans ({1})").format(len(loans), reference)
	entry = frappe.get_doc(
		{
			"doctype": JOURNAL_ENTRY,
			"voucher_type": "Opening Entry",
			"is_opening": "Yes",
			"company": company,
			"posting_date": getdate(posting_date),
			"cheque_no": reference,
			"cheque_date": getdate(posting_date),
			"user_remark": remark,
			"accounts": rows,
			"amended_from": amended_from,
		}
	)
	if len(loans) == 1:
		entry.employee_loan = loans[0].name
	return _submit(entry)


def withdraw_opening(loan) -> None:
	"""A loan brought in by mistake is cancelled: its opening entry is cancelled. When the entry opened
	other loans too (they were brought in together), a new entry, amended from it, opens those again."""
	name = frappe.db.get_value("Employee Loan", loan.name, "opening_journal_entry", for_update=True)
	if not name or frappe.db.get_value(JOURNAL_ENTRY, name, "docstatus", for_update=True) != 1:
		return
	table = frappe.qb.DocType("Employee Loan")
	others = (
		frappe.qb.from_(table)
		.select(
			table.name, table.employee, table.employee_name, table.loan_account, table.outstanding_at_go_live
		)
		.where((table.opening_journal_entry == name) & (table.docstatus == 1) & (table.name != loan.name))
		.for_update()
		.run(as_dict=True)
	)
	entry = frappe.get_doc(JOURNAL_ENTRY, name)
	opening_account = next(row.account for row in entry.accounts if row.credit_in_account_currency)
	entry.flags.ignore_permissions = True
	entry.flags.ignore_links = True  # the other loans it opened are linked to its replacement below
	entry.cancel()
	if others:
		replacement = post_opening(
			entry.company, entry.posting_date, opening_account, others, entry.cheque_no, amended_from=name
		)
		frappe.qb.update(table).set(table.opening_journal_entry, replacement).where(
			table.name.isin([other.name for other in others])
		).run()


def post_top_up(change, loan) -> str:
	"""A top-up is a disbursement: debit the loan account, credit the account paid from."""
	payment = validate_payment_account(change.payment_account, loan.company, "Paid From")
	amount = to_field(to_money(change.top_up_amount, currency_precision(loan.company)))
	entry = _journal_entry(
		loan.company,
		getdate(change.decided_on or nowdate()),
		payment,
		change.name,
		_("Top-up {0} of employee loan {1} to {2} ({3})").format(
			change.name, loan.name, loan.employee_name, loan.employee
		),
		[
			{"account": loan.loan_account, "debit_in_account_currency": amount},
			{"account": payment.name, "credit_in_account_currency": amount},
		],
	)
	entry.employee_loan = loan.name
	entry.employee_loan_change = change.name
	return _submit(entry)


def post_holiday_interest(change, loan) -> str:
	"""The interest of an EMI holiday's months, added to the principal when the holiday is approved:
	debit the loan account, credit the loan's interest income account."""
	if not loan.interest_income_account:
		frappe.throw(
			_(
				"Loan {0} has no Interest Income Account; set the category's before adding holiday interest."
			).format(loan.name),
			title=_("Interest Account Missing"),
		)
	amount = to_field(to_money(change.interest_added, currency_precision(loan.company)))
	cost_center = frappe.get_cached_value("Company", loan.company, "cost_center")
	entry = frappe.get_doc(
		{
			"doctype": JOURNAL_ENTRY,
			"voucher_type": "Journal Entry",
			"company": loan.company,
			"posting_date": getdate(change.decided_on or nowdate()),
			"user_remark": _("Interest of EMI holiday {0} added to employee loan {1} ({2})").format(
				change.name, loan.name, loan.employee_name
			),
			"accounts": [
				{
					"account": loan.loan_account,
					"debit_in_account_currency": amount,
					"cost_center": cost_center,
				},
				{
					"account": loan.interest_income_account,
					"credit_in_account_currency": amount,
					"cost_center": cost_center,
				},
			],
		}
	)
	entry.employee_loan = loan.name
	entry.employee_loan_change = change.name
	return _submit(entry)


def post_repayment(repayment, loan) -> str:
	"""Debit the account the money came into, credit the loan account with the principal and
	interest income with the interest."""
	payment = validate_payment_account(repayment.payment_account, loan.company, "Received Into")
	precision = currency_precision(loan.company)
	principal = to_money(repayment.principal_amount, precision)
	interest = to_money(repayment.interest_amount, precision)
	rows = [
		{"account": payment.name, "debit_in_account_currency": to_field(add_up([principal, interest]))},
		{"account": loan.loan_account, "credit_in_account_currency": to_field(principal)},
	]
	if interest:
		rows.append(
			{"account": loan.interest_income_account, "credit_in_account_currency": to_field(interest)}
		)
	entry = _journal_entry(
		loan.company,
		repayment.posting_date,
		payment,
		repayment.reference or repayment.name,
		_("{0} of employee loan {1} by {2} ({3})").format(
			_(repayment.repayment_type), loan.name, loan.employee_name, loan.employee
		),
		rows,
	)
	entry.employee_loan = loan.name
	entry.employee_loan_repayment = repayment.name
	return _submit(entry)


def post_write_off(repayment, loan) -> str:
	"""Debit the write-off expense account, credit the loan account, for the principal waived."""
	amount = to_field(to_money(repayment.principal_amount, currency_precision(loan.company)))
	entry = frappe.get_doc(
		{
			"doctype": JOURNAL_ENTRY,
			"voucher_type": "Write Off Entry",
			"company": loan.company,
			"posting_date": getdate(repayment.posting_date),
			"user_remark": _("Write-off of employee loan {0} of {1} ({2}): {3}").format(
				loan.name, loan.employee_name, loan.employee, repayment.reference or ""
			),
			"accounts": [
				{
					"account": repayment.write_off_account,
					"debit_in_account_currency": amount,
					"cost_center": frappe.get_cached_value("Company", loan.company, "cost_center"),
				},
				{"account": loan.loan_account, "credit_in_account_currency": amount},
			],
		}
	)
	entry.employee_loan = loan.name
	entry.employee_loan_repayment = repayment.name
	return _submit(entry)


def cancel_journal_entry(name: str | None) -> None:
	"""Cancel the entry a loan or repayment posted (left alone when it was cancelled by hand already)."""
	if not name or frappe.db.get_value(JOURNAL_ENTRY, name, "docstatus") != 1:
		return
	entry = frappe.get_doc(JOURNAL_ENTRY, name)
	entry.flags.ignore_permissions = True
	entry.cancel()


# -- the starter accounts ------------------------------------------------------------------------------

LOAN_ACCOUNT_NAME = "Employee Loans"
INTEREST_ACCOUNT_NAME = "Interest on Employee Loans"


def ensure_loan_accounts(company: str) -> tuple[str, str]:
	"""The company's "Employee Loans" asset ledger (under Loans and Advances (Assets), else Current
	Assets) and "Interest on Employee Loans" income ledger (under Indirect Income, else Income), created
	when missing. Used when HR loads the starter categories, which need accounts to be saved."""
	loan_account = _ensure_ledger(
		company, LOAN_ACCOUNT_NAME, "Asset", ("Loans and Advances (Assets)", "Current Assets")
	)
	interest_account = _ensure_ledger(company, INTEREST_ACCOUNT_NAME, "Income", ("Indirect Income", "Income"))
	return loan_account, interest_account


def _ensure_ledger(company: str, account_name: str, root_type: str, parents: tuple[str, ...]) -> str:
	existing = frappe.db.get_value(
		"Account", {"company": company, "account_name": account_name, "is_group": 0}, "name"
	)
	if existing:
		return existing
	parent = None
	for parent_name in parents:
		parent = frappe.db.get_value(
			"Account",
			{"company": company, "account_name": parent_name, "is_group": 1, "root_type": root_type},
			"name",
		)
		if parent:
			break
	if not parent:
		frappe.throw(
			_(
				"Company {0} has no {1} group account to hold {2}; create the account and set it on the category."
			).format(company, _(" or ").join(_(name) for name in parents), _(account_name)),
			title=_("Account Missing"),
		)
	account = frappe.get_doc(
		{
			"doctype": "Account",
			"account_name": account_name,
			"company": company,
			"parent_account": parent,
			"is_group": 0,
			"root_type": root_type,
		}
	)
	account.flags.ignore_permissions = True
	account.insert()
	return account.name
