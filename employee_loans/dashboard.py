"""Connections added to other apps' forms (hooks: override_doctype_dashboards)."""

from frappe import _


def employee_dashboard(data):
	"""The Employee form's connections panel shows the employee's loan applications and loans."""
	data = data or {}
	data.setdefault("transactions", [])
	data["transactions"].append(
		{
			"label": _("Loans"),
			"items": ["Employee Loan Application", "Employee Loan", "Employee Loan Repayment"],
		}
	)
	data.setdefault("fieldname", "employee")
	return data
