from frappe.model.document import Document


class EmployeeLoanEligibilityFinding(Document):
	pass
