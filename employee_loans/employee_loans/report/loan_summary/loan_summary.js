// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

// employee_loans.report_filters: public/js/employee_loans.bundle.js
frappe.query_reports["Loan Summary"] = {
	filters: employee_loans.report_filters([
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			reqd: 1,
			default: frappe.datetime.year_start(),
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			reqd: 1,
			default: frappe.datetime.get_today(),
		},
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: [
				{ value: "Category", label: __("Category") },
				{ value: "Status", label: __("Status") },
			],
			default: "Category",
		},
	]),
};
