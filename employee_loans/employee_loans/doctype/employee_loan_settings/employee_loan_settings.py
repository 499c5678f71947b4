import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, flt

from employee_loans.payroll_hooks.perquisite import validate_settings as validate_perquisite_settings


class EmployeeLoanSettings(Document):
	def validate(self):
		if not 0 <= flt(self.emi_limit_percent) <= 100:
			frappe.throw(_("EMI Limit must be between 0 and 100 percent."), title=_("Invalid EMI Limit"))
		if cint(self.minimum_service_months) < 0 or cint(self.maximum_active_loans) < 0:
			frappe.throw(
				_("Minimum service and maximum active loans cannot be negative."), title=_("Invalid Settings")
			)
		if flt(self.protected_net_pay) < 0:
			frappe.throw(_("Protected Minimum Net Pay cannot be negative."), title=_("Invalid Settings"))
		if self.deduction_component:
			component_type = frappe.db.get_value("Salary Component", self.deduction_component, "type")
			if component_type != "Deduction":
				frappe.throw(
					_("Salary Component {0} is an {1} component; choose a Deduction component.").format(
						self.deduction_component, component_type
					),
					title=_("Invalid Deduction Component"),
				)
		if self.interest_component and self.interest_component == self.deduction_component:
			frappe.throw(
				_("The deduction and the interest salary components must differ: payroll books them apart."),
				title=_("Invalid Interest Component"),
			)
		validate_perquisite_settings(self)

	def on_update(self):
		frappe.clear_document_cache(self.doctype, self.doctype)


@frappe.whitelist(methods=["POST"])
def load_starter_categories(company: str) -> list[str]:
	"""Settings form button: the five starter categories for a company."""
	frappe.get_doc("Employee Loan Settings").check_permission("write")
	frappe.has_permission("Employee Loan Category", "create", throw=True)
	from employee_loans.starter_categories import load_starter_categories as load

	return load(company)
