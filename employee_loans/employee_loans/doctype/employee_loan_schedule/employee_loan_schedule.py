from frappe.model.document import Document


class EmployeeLoanSchedule(Document):
	pass
