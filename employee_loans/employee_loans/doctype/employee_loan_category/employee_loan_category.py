from decimal import Decimal

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, flt

from employee_loans.accounts import ensure_component_account, validate_income_account, validate_loan_account
from employee_loans.engine import REDUCING, LoanInputError, parse_money, parse_months, parse_rate
from employee_loans.engine.errors import N_
from employee_loans.engine.schedule import normalise_method
from employee_loans.utils import currency_precision, engine_message, get_settings, to_money


def loan_components(category) -> tuple[str | None, str | None]:
	"""The salary components that recover the principal and the interest of the category's loans:
	the category's own, else the settings'."""
	settings = get_settings()
	return (
		category.salary_component or settings.deduction_component,
		category.interest_component or settings.interest_component,
	)


class EmployeeLoanCategory(Document):
	def autoname(self):
		# Category names repeat across companies ("Personal" in each), so the company's abbreviation
		# makes them unique, as ERPNext does for cost centres and warehouses.
		abbr = frappe.get_cached_value("Company", self.company, "abbr")
		self.name = f"{self.category_name.strip()} - {abbr}"

	def validate(self):
		self.validate_terms()
		self.validate_accounts()

	def on_update(self):
		# HRMS's payroll journal books each deduction to its component's account for the company.
		principal, interest = loan_components(self)
		ensure_component_account(principal, self.company, self.loan_account, self.name)
		if self.charges_interest and self.interest_income_account:
			ensure_component_account(interest, self.company, self.interest_income_account, self.name)

	@property
	def charges_interest(self) -> bool:
		return flt(self.annual_interest_rate) > 0

	def validate_accounts(self):
		"""The loan account for every category, the interest income account when it charges interest:
		disbursements and recoveries are booked to them."""
		if not self.loan_account:
			frappe.throw(
				_(
					"Set the Loan Account of category {0}: an asset account of {1} with no account type."
				).format(self.category_name, self.company),
				title=_("Loan Account Required"),
			)
		validate_loan_account(self.loan_account, self.company)
		if self.charges_interest and not self.interest_income_account:
			frappe.throw(
				_("Set the Interest Income Account of category {0}: it charges interest.").format(
					self.category_name
				),
				title=_("Interest Income Account Required"),
			)
		if self.interest_income_account:
			validate_income_account(self.interest_income_account, self.company)
		principal, interest = loan_components(self)
		if self.charges_interest and principal == interest:
			frappe.throw(
				_(
					"The principal and the interest of category {0} need two different salary components."
				).format(self.category_name),
				title=_("Salary Components"),
			)

	def validate_terms(self):
		"""The engine's limits and method rules, the ones every application and loan of the category
		is held to: a positive amount in the currency's decimals, a rate of 0 to 100 %, whole months
		from 1 to the engine's maximum, and a 0 % rate that is always interest-free."""
		precision = currency_precision(self.company)
		try:
			parse_money(to_money(self.maximum_amount, precision), precision, N_("Maximum Amount"))
			rate = parse_rate(Decimal(str(flt(self.annual_interest_rate, 6))), N_("Annual Interest Rate"))
			minimum = parse_months(cint(self.minimum_tenure_months), N_("Minimum Tenure (Months)"))
			maximum = parse_months(cint(self.maximum_tenure_months), N_("Maximum Tenure (Months)"))
			self.interest_method = normalise_method(self.interest_method or REDUCING, rate)
		except LoanInputError as error:
			frappe.throw(engine_message(error), title=_("Check the Category's Terms"))
		if minimum > maximum:
			frappe.throw(
				_(
					"Minimum Tenure (Months) {0} is above Maximum Tenure (Months) {1}. Lower the minimum or raise the maximum."
				).format(minimum, maximum),
				title=_("Check the Category's Terms"),
			)
