// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

const LOAN_METHODS = "employee_loans.employee_loans.doctype.employee_loan.employee_loan";
const LOAN_HR_ROLES = ["HR Manager", "HR User", "System Manager"];

// A money field in its own currency (the loan company's), not the site default.
function field_money(frm, fieldname) {
	const currency = frappe.meta.get_field_currency(frm.get_docfield(fieldname), frm.doc);
	return format_currency(frm.doc[fieldname], currency);
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
		}
		if (frm.doc.status === "Closed" && frappe.user.has_role("HR Manager")) {
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
	},

	preclose(frm) {
		const dialog = new frappe.ui.Dialog({
			title: __("Pre-close {0}", [frm.doc.name]),
			fields: [
				{
					fieldname: "mode", fieldtype: "Select", label: __("How"), reqd: 1,
					options: ["Settled Manually", "Deduct in Next Payroll"], default: "Settled Manually",
					description: __("Outstanding balance: {0}", [field_money(frm, "outstanding_balance")]),
				},
				{ fieldname: "posting_date", fieldtype: "Date", label: __("Date"), default: frappe.datetime.get_today() },
				{ fieldname: "reference", fieldtype: "Data", label: __("Reference"), depends_on: "eval:doc.mode=='Settled Manually'" },
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
