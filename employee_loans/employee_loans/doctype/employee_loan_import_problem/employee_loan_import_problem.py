from frappe.model.document import Document


class EmployeeLoanImportProblem(Document):
	pass
