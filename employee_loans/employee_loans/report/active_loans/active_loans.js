// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

frappe.query_reports["Active Loans"] = {
	filters: [
		{
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			default: frappe.defaults.get_user_default("Company"),
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
		{
			fieldname: "from_date",
			label: __("Disbursed From"),
			fieldtype: "Date",
		},
		{
			fieldname: "to_date",
			label: __("Disbursed To"),
			fieldtype: "Date",
		},
	],
};
