// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

frappe.query_reports["Loan History"] = {
	filters: [
		{
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			default: frappe.defaults.get_user_default("Company"),
		},
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
		{
			fieldname: "loan_category",
			label: __("Category"),
			fieldtype: "Link",
			options: "Employee Loan Category",
			get_query: () => {
				const company = frappe.query_report.get_filter_value("company");
				return { filters: company ? { company } : {} };
			},
		},
		{
			fieldname: "department",
			label: __("Department"),
			fieldtype: "Link",
			options: "Department",
		},
		{
			fieldname: "employee",
			label: __("Employee"),
			fieldtype: "Link",
			options: "Employee",
		},
	],

	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "status" && data) {
			const colours = { Approved: "blue", Disbursed: "orange", Closed: "green", Cancelled: "red" };
			value = `<span class="indicator-pill ${colours[data.status] || "gray"}">${value}</span>`;
		}
		return value;
	},
};
