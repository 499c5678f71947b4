// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

// Desk helpers shared by the app's scripts. Loaded on every desk page through hooks.py
// (app_include_js = "employee_loans.bundle.js"), built by `bench build --app employee_loans`.

frappe.provide("employee_loans");

/**
 * The filters of a loan report: the company, then the report's own filters (its period, grouping
 * or status), then the loan filters every report shares. The server applies the shared ones in
 * report/common.py (apply_loan_filters), under the same fieldnames.
 */
employee_loans.report_filters = function (own_filters = []) {
	return [
		{
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			default: frappe.defaults.get_user_default("Company"),
		},
		...own_filters,
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
	];
};

/**
 * The indicator colour of a status as the DocType's `states` define it (the only place the colours
 * are set; the list and form indicators read them there too). The DocType's meta must be loaded:
 * a report has its ref_doctype's.
 */
employee_loans.status_colour = function (doctype, status) {
	const states = (frappe.get_meta(doctype) || {}).states || [];
	const state = states.find((row) => row.title === status);
	return state ? frappe.scrub(state.color, "-") : "gray";
};

/** A status as the desk shows it in lists: a coloured pill, its text translated and escaped. */
employee_loans.status_pill = function (doctype, status) {
	if (!status) return "";
	const colour = employee_loans.status_colour(doctype, status);
	return `<span class="indicator-pill ${colour}">${frappe.utils.escape_html(__(status))}</span>`;
};

/**
 * Where money moves (a disbursement, a pre-closure, a repayment, a top-up), the payment account is a
 * bank or cash ledger of the loan's company, searched through the server: ERPNext gives HR roles no
 * permission on Account, so the desk's own search and link check would refuse them
 * (employee_loans/payment_accounts.py). The server checks the account chosen when it books the money.
 */
employee_loans.payment_account_query = function (company) {
	return { query: "employee_loans.payment_accounts.payment_account_query", filters: { company } };
};

/** The same for a form's payment account field: its search and no desk link check. */
employee_loans.setup_payment_account = function (frm, fieldname = "payment_account") {
	frm.set_query(fieldname, () => employee_loans.payment_account_query(frm.doc.company));
	frm.set_df_property(fieldname, "ignore_link_validation", 1);
};

/** The loan company's default bank, else cash, account, from the server (HR cannot read Company). */
employee_loans.default_payment_account = function (loan) {
	return new Promise((resolve) =>
		frappe.call({
			method: "employee_loans.payment_accounts.get_default_payment_account",
			args: { loan },
			type: "GET",
			callback: ({ message }) => resolve(message),
		})
	);
};
