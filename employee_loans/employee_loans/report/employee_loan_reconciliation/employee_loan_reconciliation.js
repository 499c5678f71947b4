// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

// The books of a company, not one employee's loans: the filters are the company, the date and the
// account (the loan filters of employee_loans.report_filters would split the ledger but not the GL).
frappe.query_reports["Employee Loan Reconciliation"] = {
	filters: [
		{
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			reqd: 1,
			default: frappe.defaults.get_user_default("Company"),
		},
		{
			fieldname: "as_at_date",
			label: __("As at"),
			fieldtype: "Date",
			reqd: 1,
			default: frappe.datetime.get_today(),
		},
		{
			fieldname: "from_date",
			label: __("Interest From"),
			fieldtype: "Date",
			description: __("Start of the interest period; empty: the start of the fiscal year"),
		},
		{
			fieldname: "loan_account",
			label: __("Loan Account"),
			fieldtype: "Link",
			options: "Account",
			get_query: () => {
				const company = frappe.query_report.get_filter_value("company");
				return { filters: { company, is_group: 0, root_type: "Asset" } };
			},
		},
	],

	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		// an account's totals and what is left unexplained stand out from the rows that explain it
		return data && data.bold ? `<b>${value}</b>` : value;
	},
};
