// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

const LOAN_METHODS = "employee_loans.employee_loans.doctype.employee_loan.employee_loan";
const LOAN_HR_ROLES = ["HR Manager", "HR User", "System Manager"];

// A money field in its own currency (the loan company's), not the site default.
function field_money(frm, fieldname, value) {
	const currency = frappe.meta.get_field_currency(frm.get_docfield(fieldname), frm.doc);
	return format_currency(value === undefined ? frm.doc[fieldname] : value, currency);
}

// A bank or cash ledger of the loan's company, defaulting to the company's bank, else cash, account
// (employee_loans.payment_account_query: HR users may not read the chart of accounts).
function payment_account_field(frm, label, description) {
	return {
		fieldname: "payment_account", fieldtype: "Link", options: "Account", label, reqd: 1, description,
		get_query: () => employee_loans.payment_account_query(frm.doc.company),
		ignore_link_validation: 1,
	};
}

function set_default_payment_account(frm, dialog) {
	employee_loans.default_payment_account(frm.doc.name).then((account) => {
		if (account && !dialog.get_value("payment_account")) dialog.set_value("payment_account", account);
	});
}

frappe.ui.form.on("Employee Loan", {
	setup(frm) {
		frm.set_query("loan_category", () => ({ filters: { company: frm.doc.company, disabled: 0 } }));
	},

	refresh(frm) {
		// the status indicator comes from the DocType's states (see employee_loan_list.js for drafts)
		if (!frappe.user.has_role(LOAN_HR_ROLES) || frm.is_new()) return;
		if (frm.doc.status === "Approved" && frm.doc.docstatus === 0) {
			frm.add_custom_button(__("Mark as Disbursed"), () => frm.trigger("disburse")).addClass("btn-primary");
		}
		if (frm.doc.status === "Disbursed") {
			frm.add_custom_button(__("Pre-close"), () => frm.trigger("preclose"), __("Actions"));
			if (frm.doc.preclosure_requested) {
				frm.add_custom_button(__("Withdraw Pre-closure"), () => frm.trigger("cancel_preclosure"), __("Actions"));
			}
			frm.add_custom_button(__("Record Manual Repayment"), () =>
				frappe.new_doc("Employee Loan Repayment", { employee_loan: frm.doc.name, repayment_type: "Manual" })
			, __("Actions"));
			if (frappe.model.can_create("Employee Loan Change")) {
				// each change is an Employee Loan Change, decided with Approve or Deny there
				for (const [label, change_type] of [
					[__("EMI Holiday"), "EMI Holiday"],
					[__("Restructure"), "Restructure"],
					[__("Top-up"), "Top-up"],
				]) {
					frm.add_custom_button(label, () =>
						frappe.new_doc("Employee Loan Change", { employee_loan: frm.doc.name, change_type })
					, __("Change Loan"));
				}
			}
		}
		if (frm.doc.status === "Closed" && frappe.user.has_role(["HR Manager", "System Manager"])) {
			frm.add_custom_button(__("Reopen"), () => frm.trigger("reopen"), __("Actions"));
		}
	},

	disburse(frm) {
		const dialog = new frappe.ui.Dialog({
			title: __("Mark {0} as Disbursed", [frm.doc.name]),
			fields: [
				{ fieldname: "disbursement_date", fieldtype: "Date", label: __("Disbursement Date"), reqd: 1, default: frappe.datetime.get_today() },
				{ fieldname: "reference", fieldtype: "Data", label: __("Reference"), description: __("Cheque number or transfer ID") },
				{ fieldname: "repayment_start_date", fieldtype: "Date", label: __("Repayment Starts (optional)"),
					description: __("Leave empty to start in the first payroll month after disbursement") },
				payment_account_field(frm, __("Paid From"), __("The bank or cash account the loan is paid from")),
			],
			primary_action_label: __("Disburse"),
			primary_action: (values) => {
				dialog.hide();
				frappe.call({
					method: `${LOAN_METHODS}.disburse`,
					args: { loan: frm.doc.name, ...values },
					freeze: true,
					callback: () => frm.reload_doc(),
				});
			},
		});
		dialog.show();
		set_default_payment_account(frm, dialog);
	},

	preclose(frm) {
		// What the pre-closure recovers on the chosen date, shown before anyone confirms: the outstanding
		// principal plus this period's interest when its instalment has not been recovered yet.
		const show_amount = () => {
			const posting_date = dialog.get_value("posting_date") || frappe.datetime.get_today();
			frappe.call({
				method: `${LOAN_METHODS}.get_preclosure_amount`,
				args: { loan: frm.doc.name, posting_date },
				type: "GET",
				callback: ({ message }) => {
					const lines = [
						[__("Outstanding principal"), message.principal],
						[__("Interest for this period"), message.interest],
						[__("To be recovered"), message.amount],
					];
					dialog.fields_dict.amount_html.$wrapper.html(
						`<table class="table table-sm">${lines
							.map(([label, value]) => `<tr><td>${frappe.utils.escape_html(label)}</td>
								<td class="text-right">${field_money(frm, "outstanding_balance", value)}</td></tr>`)
							.join("")}</table>`
					);
				},
			});
		};
		const dialog = new frappe.ui.Dialog({
			title: __("Pre-close {0}", [frm.doc.name]),
			fields: [
				{
					fieldname: "mode", fieldtype: "Select", label: __("How"), reqd: 1,
					options: ["Settled Manually", "Deduct in Next Payroll"], default: "Settled Manually",
				},
				{ fieldname: "posting_date", fieldtype: "Date", label: __("Date"), default: frappe.datetime.get_today(),
					change: show_amount },
				{ fieldname: "amount_html", fieldtype: "HTML" },
				{ fieldname: "reference", fieldtype: "Data", label: __("Reference"), depends_on: "eval:doc.mode=='Settled Manually'" },
				{
					...payment_account_field(frm, __("Received Into"), __("The bank or cash account the money came into")),
					depends_on: "eval:doc.mode=='Settled Manually'",
					mandatory_depends_on: "eval:doc.mode=='Settled Manually'",
					reqd: 0,
				},
			],
			primary_action_label: __("Pre-close"),
			primary_action: (values) => {
				dialog.hide();
				frappe.call({
					method: `${LOAN_METHODS}.preclose`,
					args: { loan: frm.doc.name, ...values },
					freeze: true,
					callback: () => frm.reload_doc(),
				});
			},
		});
		dialog.show();
		show_amount();
		set_default_payment_account(frm, dialog);
	},

	cancel_preclosure(frm) {
		frappe.call({ method: `${LOAN_METHODS}.cancel_preclosure`, args: { loan: frm.doc.name }, callback: () => frm.reload_doc() });
	},

	reopen(frm) {
		frappe.prompt(
			{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
			({ reason }) =>
				frappe.call({
					method: `${LOAN_METHODS}.reopen`,
					args: { loan: frm.doc.name, reason },
					freeze: true,
					callback: () => frm.reload_doc(),
				}),
			__("Reopen {0}", [frm.doc.name]),
			__("Reopen")
		);
	},
});
