import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import formatdate

from employee_loans.accounts import (
	cancel_journal_entry,
	default_payment_account,
	post_repayment,
	post_write_off,
	validate_expense_account,
	validate_payment_account,
)
from employee_loans.engine import LoanInputError, add_up, parse_money
from employee_loans.engine.errors import N_
from employee_loans.engine.states import (
	DESK_REPAYMENT_TYPES,
	EXIT_SETTLEMENT,
	FINAL_SETTLEMENT,
	FROM_SALARY_SLIP,
	LOAN_DISBURSED,
	PRE_CLOSURE,
	PRE_CLOSURE_PAYMENT,
	REASON_MANUAL,
	REASON_WRITTEN_OFF,
	WRITE_OFF,
)
from employee_loans.ledger import locked_loan, post, preclosure_quote, reverse
from employee_loans.utils import currency_precision, engine_message, to_field, to_money


class EmployeeLoanRepayment(Document):
	"""One posting against a loan. Its submit and cancel are the only things that move a disbursed
	loan's schedule and balances (see employee_loans.ledger).

	Salary slips post theirs with `flags.from_payroll`: the slip's submit has decided the figures
	through the engine under the loan's row lock, so the desk's checks on the amount do not apply.
	An exit settlement is posted when a Full and Final Statement's journal entry is submitted
	(`flags.from_settlement`; that entry books it), a write-off by the loan's Write Off action
	(`flags.from_write_off`)."""

	def autoname(self):
		if self.flags.from_payroll and self.salary_slip:
			# one repayment per slip and loan: the database itself refuses a second posting of a line
			self.name = f"{self.salary_slip}/{self.employee_loan}"

	def validate(self):
		# The row lock comes first: the amount is checked against the balance as it is now, not as an
		# earlier read in this transaction saw it.
		loan = locked_loan(self.employee_loan)
		if loan.docstatus != 1 or loan.status != LOAN_DISBURSED:
			frappe.throw(
				_("Loan {0} is {1}; repayments can be posted only against a Disbursed loan.").format(
					self.employee_loan, _(loan.status)
				),
				title=_("Loan Not Disbursed"),
			)
		self.employee, self.employee_name, self.company = loan.employee, loan.employee_name, loan.company
		self._locked_loan = loan  # still current at on_submit: the lock is held until the commit
		if self.repayment_type in DESK_REPAYMENT_TYPES:
			self.validate_desk_repayment(loan)
			if loan.loan_account:
				self.payment_account = self.payment_account or default_payment_account(self.company)
				validate_payment_account(self.payment_account, self.company, "Received Into")
		elif self.repayment_type == EXIT_SETTLEMENT and self.flags.from_settlement:
			self.settle_at_exit(loan)
		elif self.repayment_type == WRITE_OFF and self.flags.from_write_off:
			self.write_off(loan)
		elif not (self.repayment_type == FROM_SALARY_SLIP and self.flags.from_payroll):
			frappe.throw(
				_(
					"{0} repayments are posted by their own action (a salary slip's submit, the Full and Final "
					"Statement's journal entry, the loan's Write Off), not typed in."
				).format(_(self.repayment_type)),
				title=_("Not Allowed"),
			)

	def settle_at_exit(self, loan):
		"""What the statement recovers, principal and interest as its rows ask: what the last slip left,
		with the period's interest by the rule every pre-closure follows, for the month the employee was
		relieved in."""
		relieving_date = frappe.db.get_value("Employee", loan.employee, "relieving_date") or self.posting_date
		quote = preclosure_quote(loan, relieving_date)
		precision = currency_precision(self.company)
		principal = to_money(self.principal_amount, precision)
		interest = to_money(self.interest_amount, precision)
		if (principal, interest) != (quote.principal, quote.interest):
			frappe.throw(
				_(
					"Full and Final Statement {0} recovers {1} of principal and {2} of interest for loan {3}, but the "
					"loan now owes {4} and {5}. Cancel the statement and amend it (its loan rows then ask what the "
					"loan owes), then make its journal entry again."
				).format(
					self.full_and_final_statement,
					principal,
					interest,
					loan.name,
					quote.principal,
					quote.interest,
				),
				title=_("Statement Out of Date"),
			)
		self.amount = to_field(add_up([principal, interest]))
		self.principal_amount = to_field(principal)
		self.interest_amount = to_field(interest)
		self.instalment_number = quote.instalment
		self.reason = FINAL_SETTLEMENT
		self.salary_slip = None

	def write_off(self, loan):
		"""All the outstanding principal is waived; nothing is charged for interest."""
		self.amount = self.principal_amount = loan.outstanding_balance
		self.interest_amount = 0
		self.instalment_number = None
		self.reason = REASON_WRITTEN_OFF
		self.salary_slip = None
		validate_expense_account(self.write_off_account, self.company, "Write-off Account")

	def validate_desk_repayment(self, loan):
		"""A manual payment repays principal ahead of the schedule; a pre-closure repays all of it with
		the current period's interest (the engine's one pre-closure rule, as payroll applies it)."""
		precision = currency_precision(self.company)
		outstanding = to_money(loan.outstanding_balance, precision)
		try:
			amount = parse_money(to_money(self.amount, precision), precision, N_("Amount"))
		except LoanInputError as error:
			frappe.throw(engine_message(error), title=_("Invalid Amount"))
		self.salary_slip = None
		if self.repayment_type == PRE_CLOSURE_PAYMENT:
			quote = preclosure_quote(loan, self.posting_date)
			if amount != quote.amount:
				frappe.throw(
					_(
						"A pre-closure on {0} repays the outstanding balance of {1} plus this period's interest "
						"of {2}: {3} in all."
					).format(formatdate(self.posting_date), quote.principal, quote.interest, quote.amount),
					title=_("Invalid Amount"),
				)
			self.principal_amount = to_field(quote.principal)
			self.interest_amount = to_field(quote.interest)
			self.instalment_number = quote.instalment
			self.reason = PRE_CLOSURE
			return
		if amount > outstanding:
			frappe.throw(
				_("The amount {0} is more than the outstanding balance {1} of loan {2}.").format(
					amount, outstanding, self.employee_loan
				),
				title=_("Amount Too Large"),
			)
		self.principal_amount = to_field(amount)
		self.interest_amount = 0
		self.instalment_number = None
		self.reason = REASON_MANUAL

	def on_submit(self):
		post(self, self._locked_loan)
		# Money received outside payroll, and a write-off, are booked here; payroll's is booked by HRMS's
		# journal and an exit settlement by the Full and Final Statement's.
		if self.repayment_type in DESK_REPAYMENT_TYPES and self._locked_loan.loan_account:
			self.db_set("journal_entry", post_repayment(self, self._locked_loan))
		elif self.repayment_type == WRITE_OFF:
			self.db_set("journal_entry", post_write_off(self, self._locked_loan))

	def before_cancel(self):
		if self.salary_slip and not self.flags.from_payroll:
			frappe.throw(
				_("This repayment was posted by salary slip {0}; cancel the salary slip instead.").format(
					self.salary_slip
				),
				title=_("Cancel the Salary Slip"),
			)
		if self.repayment_type == EXIT_SETTLEMENT and not self.flags.from_settlement:
			frappe.throw(
				_(
					"This exit settlement was posted by journal entry {0}; cancel that journal entry instead."
				).format(self.settlement_journal_entry),
				title=_("Cancel the Journal Entry"),
			)

	def on_cancel(self):
		reverse(self)
		cancel_journal_entry(self.journal_entry)
		if self.repayment_type == WRITE_OFF:
			frappe.db.set_value(
				"Employee Loan", self.employee_loan, {"written_off_by": None, "write_off_reason": None}
			)
