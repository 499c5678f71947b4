from frappe.model.document import Document


class EmployeeLoanPerquisiteThreshold(Document):
	pass
