from frappe import _


def get_data():
	"""Connections on the loan form: its repayments (payroll, manual, pre-closure), its changes (EMI
	holidays, restructures, top-ups) and its application."""
	return {
		"fieldname": "employee_loan",
		"transactions": [
			{"label": _("Repayments"), "items": ["Employee Loan Repayment"]},
			{"label": _("Changes"), "items": ["Employee Loan Change"]},
			{"label": _("Application"), "items": ["Employee Loan Application"]},
		],
	}
