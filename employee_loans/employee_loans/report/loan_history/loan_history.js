// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

// employee_loans.report_filters and status_pill: public/js/employee_loans.bundle.js
frappe.query_reports["Loan History"] = {
	filters: employee_loans.report_filters([
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			description: __("Loans not closed before this date"),
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			description: __("Loans approved on or before this date"),
		},
		{
			fieldname: "status",
			label: __("Status"),
			fieldtype: "Select",
			options: ["", "Approved", "Disbursed", "Closed", "Cancelled"],
		},
	]),

	formatter(value, row, column, data, default_formatter) {
		if (column.fieldname === "status" && data && data.status) {
			// the colour of the Employee Loan's states, as in its list and form
			return employee_loans.status_pill("Employee Loan", data.status);
		}
		return default_formatter(value, row, column, data);
	},
};
