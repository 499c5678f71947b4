import frappe
from frappe import _
from frappe.model.document import Document

from employee_loans.engine import LoanInputError, parse_money
from employee_loans.ledger import lock_loan, rebuild
from employee_loans.utils import currency_precision, to_field, to_money

DESK_TYPES = ("Manual", "Pre-closure")


class EmployeeLoanRepayment(Document):
	def validate(self):
		loan = frappe.db.get_value(
			"Employee Loan",
			self.employee_loan,
			["status", "docstatus", "employee", "employee_name", "company", "outstanding_balance"],
			as_dict=True,
		)
		if not loan or loan.docstatus != 1 or loan.status != "Disbursed":
			frappe.throw(
				_("Loan {0} is {1}; repayments can be posted only against a Disbursed loan.").format(
					self.employee_loan, _(loan.status) if loan else _("missing")
				),
				title=_("Loan Not Disbursed"),
			)
		self.employee, self.employee_name, self.company = loan.employee, loan.employee_name, loan.company
		if self.repayment_type in DESK_TYPES:
			self.validate_desk_repayment(loan)
		elif not self.flags.from_payroll:
			frappe.throw(
				_("Salary slip repayments are posted by submitting the salary slip."), title=_("Not Allowed")
			)

	def validate_desk_repayment(self, loan):
		"""A manual payment repays principal ahead of the schedule; a pre-closure repays all of it."""
		precision = currency_precision(self.company)
		outstanding = to_money(loan.outstanding_balance, precision)
		try:
			amount = parse_money(to_money(self.amount, precision), precision, _("Amount"))
		except LoanInputError as error:
			frappe.throw(str(error), title=_("Invalid Amount"))
		if amount > outstanding:
			frappe.throw(
				_("The amount {0} is more than the outstanding balance {1} of loan {2}.").format(
					amount, outstanding, self.employee_loan
				),
				title=_("Amount Too Large"),
			)
		if self.repayment_type == "Pre-closure" and amount != outstanding:
			frappe.throw(
				_("A pre-closure repays the whole outstanding balance of {0}.").format(outstanding),
				title=_("Invalid Amount"),
			)
		self.principal_amount = to_field(amount)
		self.interest_amount = 0
		self.instalment_number = None
		self.reason = "Pre-closure" if self.repayment_type == "Pre-closure" else "Manual"
		self.salary_slip = None

	def on_submit(self):
		rebuild(lock_loan(self.employee_loan))

	def before_cancel(self):
		if self.salary_slip and not self.flags.from_payroll:
			frappe.throw(
				_("This repayment was posted by salary slip {0}; cancel the salary slip instead.").format(
					self.salary_slip
				),
				title=_("Cancel the Salary Slip"),
			)

	def on_cancel(self):
		rebuild(lock_loan(self.employee_loan))
