from decimal import Decimal

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, flt

from employee_loans.engine import REDUCING, LoanInputError, parse_money, parse_months, parse_rate
from employee_loans.engine.errors import N_
from employee_loans.engine.schedule import normalise_method
from employee_loans.utils import currency_precision, engine_message, to_money


class EmployeeLoanCategory(Document):
	def autoname(self):
		# Category names repeat across companies ("Personal" in each), so the company's abbreviation
		# makes them unique, as ERPNext does for cost centres and warehouses.
		abbr = frappe.get_cached_value("Company", self.company, "abbr")
		self.name = f"{self.category_name.strip()} - {abbr}"

	def validate(self):
		self.validate_terms()

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
