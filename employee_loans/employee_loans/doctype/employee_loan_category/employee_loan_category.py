import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, flt

from employee_loans.engine import INTEREST_FREE


class EmployeeLoanCategory(Document):
	def autoname(self):
		# Category names repeat across companies ("Personal" in each), so the company's abbreviation
		# makes them unique, as ERPNext does for cost centres and warehouses.
		abbr = frappe.get_cached_value("Company", self.company, "abbr")
		self.name = f"{self.category_name.strip()} - {abbr}"

	def validate(self):
		if flt(self.maximum_amount) <= 0:
			frappe.throw(_("Maximum Amount must be greater than zero."), title=_("Invalid Maximum Amount"))
		if not 0 <= flt(self.annual_interest_rate) <= 100:
			frappe.throw(
				_("Annual Interest Rate must be between 0 and 100 percent."), title=_("Invalid Interest Rate")
			)
		if flt(self.annual_interest_rate) == 0:
			self.interest_method = INTEREST_FREE
		elif self.interest_method == INTEREST_FREE:
			frappe.throw(
				_(
					"An interest-free category must have a rate of 0. Set the rate to 0 or choose another method."
				),
				title=_("Invalid Interest Method"),
			)
		minimum, maximum = cint(self.minimum_tenure_months), cint(self.maximum_tenure_months)
		if minimum < 1 or maximum < minimum or maximum > 600:
			frappe.throw(
				_(
					"Tenure must be from at least 1 month up to 600 months, with the minimum not above the maximum."
				),
				title=_("Invalid Tenure"),
			)
