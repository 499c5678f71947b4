// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

// employee_loans.report_filters: public/js/employee_loans.bundle.js
frappe.query_reports["Loan Deduction"] = {
	filters: employee_loans.report_filters([
		{
			fieldname: "from_date",
			label: __("Payroll Period From"),
			fieldtype: "Date",
			reqd: 1,
			default: frappe.datetime.month_start(),
		},
		{
			fieldname: "to_date",
			label: __("Payroll Period To"),
			fieldtype: "Date",
			reqd: 1,
			default: frappe.datetime.month_end(),
		},
	]),

	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "shortfall" && data && data.shortfall > 0) {
			value = `<span class="text-danger">${value}</span>`;
		}
		return value;
	},
};
