from frappe.model.document import Document


class EmployeeLoanBenchmarkRate(Document):
	pass
