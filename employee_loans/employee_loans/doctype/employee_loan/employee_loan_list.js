// The status indicator comes from the DocType's states (employee_loan.json). An Approved loan is
// still a draft (it is submitted on disbursement), so drafts show their status too.
frappe.listview_settings["Employee Loan"] = {
	add_fields: ["status", "docstatus"],
	has_indicator_for_draft: true,

	onload(listview) {
		// Going live: the loans the company had before the app, from a file or one at a time
		if (!frappe.user.has_role(["HR Manager", "System Manager"])) return;
		const group = __("Bring In Existing Loans");
		listview.page.add_inner_button(__("From a File"), () => frappe.new_doc("Employee Loan Import"), group);
		listview.page.add_inner_button(__("One Loan"), () => bring_in_one_loan(), group);
	},
};

function bring_in_one_loan() {
	const method = "employee_loans.going_live.bring_in_one";
	const company_field = (fieldname, label, options, extra = {}) => ({
		fieldname, label, fieldtype: "Link", options, reqd: 1,
		get_query: () => ({ filters: { company: dialog.get_value("company") } }),
		...extra,
	});
	const dialog = new frappe.ui.Dialog({
		title: __("Bring In an Existing Loan"),
		size: "large",
		fields: [
			// HR users may not read Company or Account in ERPNext: the server checks both
			{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", reqd: 1,
				default: frappe.defaults.get_user_default("Company"), ignore_link_validation: 1 },
			company_field("employee", __("Employee"), "Employee", {
				get_query: () => ({ filters: { company: dialog.get_value("company"), status: ["!=", "Left"] } }),
			}),
			company_field("loan_category", __("Loan Category"), "Employee Loan Category"),
			{ fieldname: "old_system_reference", label: __("Old System Reference"), fieldtype: "Data" },
			{ fieldtype: "Column Break" },
			{ fieldname: "loan_amount", label: __("Amount Lent"), fieldtype: "Currency", reqd: 1 },
			// not reqd: the desk counts 0 as missing, and 0 is an interest-free loan's rate
			{ fieldname: "annual_interest_rate", label: __("Annual Interest Rate"), fieldtype: "Percent", default: 0,
				description: __("0 for an interest-free loan") },
			{ fieldname: "interest_method", label: __("Interest Method"), fieldtype: "Select",
				options: ["", "Reducing Balance", "Flat", "Interest Free"], description: __("Empty: the category's") },
			{ fieldname: "tenure_months", label: __("Tenure (Months)"), fieldtype: "Int", reqd: 1 },
			{ fieldname: "disbursement_date", label: __("Original Disbursement Date"), fieldtype: "Date", reqd: 1 },
			{ fieldtype: "Section Break", label: __("At Go-live") },
			{ fieldname: "go_live_date", label: __("Go-live Date"), fieldtype: "Date", reqd: 1 },
			{ fieldname: "outstanding_at_go_live", label: __("Outstanding Principal at Go-live"), fieldtype: "Currency",
				reqd: 1, description: __("Principal still owed, without interest") },
			{ fieldname: "first_payroll_month", label: __("First Payroll Month"), fieldtype: "Date",
				description: __("Any day of the first month the app deducts; empty: the go-live month") },
			{ fieldtype: "Column Break" },
			{ fieldname: "old_system_emi", label: __("EMI in the Old System"), fieldtype: "Currency",
				description: __("Kept from go-live when given; the last instalment absorbs the difference") },
			{ fieldname: "instalments_before_go_live", label: __("Instalments Recovered"), fieldtype: "Int" },
			{ fieldname: "opening_balance_booking", label: __("Opening Balance in the Books"), fieldtype: "Select",
				options: ["Opening Journal Entry", "Already in the Books"], default: "Opening Journal Entry", reqd: 1 },
			company_field("temporary_opening_account", __("Temporary Opening Account"), "Account", {
				reqd: 0,
				depends_on: "eval:doc.opening_balance_booking=='Opening Journal Entry'",
				description: __("Empty: the company's Temporary Opening account"),
				ignore_link_validation: 1,
				get_query: () => ({
					filters: { company: dialog.get_value("company"), is_group: 0, account_type: "Temporary" },
				}),
			}),
			{ fieldtype: "Section Break" },
			{ fieldname: "problems_html", fieldtype: "HTML" },
		],
		primary_action_label: __("Check and Bring In"),
		primary_action(values) {
			const { company, opening_balance_booking, temporary_opening_account, ...loan } = values;
			frappe.call({
				method,
				args: { company, loan, opening_balance_booking, temporary_opening_account, confirm: dialog.confirmed ? 1 : 0 },
				freeze: true,
				callback: ({ message }) => {
					if (message.loan) {
						dialog.hide();
						frappe.show_alert({ message: __("Loan {0} brought in", [message.loan]), indicator: "green" });
						frappe.set_route("Form", "Employee Loan", message.loan);
						return;
					}
					show_problems(dialog, message.problems);
					const only_warnings = message.problems.every((problem) => problem.severity === "Warning");
					dialog.confirmed = only_warnings;
					dialog.set_primary_action(only_warnings ? __("Bring In Anyway") : __("Check and Bring In"), dialog.primary_action);
				},
			});
		},
	});
	// any change after a warning needs checking again
	dialog.$wrapper.on("change", "input, select", () => {
		dialog.confirmed = false;
		dialog.set_primary_action(__("Check and Bring In"), dialog.primary_action);
	});
	dialog.show();
}

function show_problems(dialog, problems) {
	const colours = { Error: "red", Warning: "orange", "Already In": "blue" };
	const rows = problems.map((problem) => `<tr>
		<td><span class="indicator-pill ${colours[problem.severity] || "gray"}">${frappe.utils.escape_html(__(problem.severity))}</span></td>
		<td>${frappe.utils.escape_html(problem.column_label || "")}</td>
		<td>${frappe.utils.escape_html(problem.message)}</td></tr>`);
	dialog.fields_dict.problems_html.$wrapper.html(
		`<table class="table table-sm bring-in-problems"><tbody>${rows.join("")}</tbody></table>`
	);
}
