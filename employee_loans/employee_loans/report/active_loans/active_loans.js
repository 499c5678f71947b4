// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

// employee_loans.report_filters: public/js/employee_loans.bundle.js
frappe.query_reports["Active Loans"] = {
	filters: employee_loans.report_filters([
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
	]),
};
