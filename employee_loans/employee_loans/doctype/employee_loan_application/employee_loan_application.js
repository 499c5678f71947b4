// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

const APPLICATION_METHODS =
	"employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application";

frappe.ui.form.on("Employee Loan Application", {
	setup(frm) {
		frm.set_query("loan_category", () => ({
			filters: { company: frm.doc.company, disabled: 0 },
		}));
	},

	refresh(frm) {
		// The status indicator is Frappe's own, from the DocType's states (see the list settings).
		frm.trigger("show_findings");
		const pending = !frm.is_new() && frm.doc.docstatus === 0 && frm.doc.status === "Pending";
		// Under a Workflow its actions decide; Frappe shows them itself.
		if (pending && frm.perm[0].submit && !frappe.workflow.get_state_fieldname(frm.doctype)) {
			// Submitting is deciding: Approve and Deny take the place of the plain Submit button.
			frm.page.clear_primary_action();
			frm.add_custom_button(__("Approve"), () => frm.trigger("approve"), __("Decide"));
			frm.add_custom_button(__("Deny"), () => frm.trigger("deny"), __("Decide"));
		}
		if (pending && frm.doc.employee_user === frappe.session.user) {
			frm.add_custom_button(__("Withdraw"), () => frm.trigger("withdraw"));
		}
		if (frm.doc.employee_loan) {
			frm.add_custom_button(__("View Loan"), () =>
				frappe.set_route("Form", "Employee Loan", frm.doc.employee_loan)
			);
		}
	},

	show_findings(frm) {
		const findings = frm.doc.findings || [];
		frm.dashboard.clear_headline();
		if (!findings.length) return;
		const lines = findings
			.map(
				(f) => `<div class="text-${f.severity === "Block" ? "danger" : "warning"}">
				<b>${frappe.utils.escape_html(f.rule || "")}</b>: ${frappe.utils.escape_html(
					f.message || ""
				)}</div>`
			)
			.join("");
		frm.dashboard.set_headline_alert(
			lines,
			findings.some((f) => f.severity === "Block") ? "red" : "orange"
		);
	},

	loan_category: (frm) => frm.trigger("preview"),
	loan_amount: (frm) => frm.trigger("preview"),
	tenure_months: (frm) => frm.trigger("preview"),
	employee: (frm) => frm.trigger("preview"),

	preview(frm) {
		const { loan_category, loan_amount, tenure_months, employee } = frm.doc;
		if (!(loan_category && loan_amount > 0 && tenure_months > 0 && employee)) return;
		frappe.call({
			method: "employee_loans.api.preview_application",
			args: { loan_category, loan_amount, tenure_months, employee },
			callback: ({ message }) => {
				if (!message) return;
				frm.set_value({
					emi: message.emi,
					total_interest: message.total_interest,
					total_payable: message.total_payable,
					last_emi_date: message.last_emi_date,
				});
				frm.doc.findings = message.findings;
				frm.trigger("show_findings");
			},
			error: () => frm.dashboard.clear_headline(),
		});
	},

	approve(frm) {
		frappe.call({
			method: `${APPLICATION_METHODS}.get_approval_context`,
			args: { application: frm.doc.name },
			callback: ({ message: context }) => {
				const dialog = new frappe.ui.Dialog({
					title: __("Approve {0}", [frm.doc.name]),
					fields: [
						{ fieldtype: "HTML", options: frm.events.approval_summary(frm, context) },
					],
					primary_action_label: __("Approve"),
					primary_action: () => {
						dialog.hide();
						frappe.call({
							method: `${APPLICATION_METHODS}.approve`,
							args: { application: frm.doc.name },
							freeze: true,
							callback: () => frm.reload_doc(),
						});
					},
				});
				if (!context.can_approve) dialog.get_primary_btn().prop("disabled", true);
				dialog.show();
			},
		});
	},

	deny(frm) {
		frappe.prompt(
			{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
			({ reason }) =>
				frappe.call({
					method: `${APPLICATION_METHODS}.deny`,
					args: { application: frm.doc.name, reason },
					freeze: true,
					callback: () => frm.reload_doc(),
				}),
			__("Deny {0}", [frm.doc.name]),
			__("Deny")
		);
	},

	withdraw(frm) {
		frappe.confirm(__("Withdraw this application?"), () =>
			frappe.call({
				method: `${APPLICATION_METHODS}.withdraw`,
				args: { application: frm.doc.name },
				callback: () => frm.reload_doc(),
			})
		);
	},

	// The approve dialog's summary. Every value is escaped where it enters the HTML; money is shown in the
	// currency of the application's own Currency fields (their options: the company's default currency).
	approval_summary(frm, context) {
		const e = (value) => frappe.utils.escape_html(value ?? "");
		const currency = frappe.meta.get_field_currency(
			frappe.meta.get_docfield(frm.doctype, "loan_amount", frm.doc.name),
			frm.doc
		);
		const money = (value) => e(format_currency(value || 0, currency));
		const muted = (text) => `<p class="text-muted">${e(text)}</p>`;

		const findings = (context.findings || []).map((f) => {
			const colour = f.severity === "Block" ? "danger" : "warning";
			return `<li class="text-${colour}"><b>${e(f.rule)}</b>: ${e(f.message)}</li>`;
		});
		const headings = [
			__("Loan"),
			__("Status"),
			__("Category"),
			__("Amount"),
			__("EMI"),
			__("Outstanding"),
		];
		const loans = (context.existing_loans || []).map((loan) => {
			const texts = [loan.name, __(loan.status), loan.loan_category];
			const amounts = [loan.loan_amount, loan.emi, loan.outstanding_balance];
			const cells = texts.map((text) => `<td>${e(text)}</td>`);
			const figures = amounts.map((value) => `<td class="text-right">${money(value)}</td>`);
			return `<tr>${cells.join("")}${figures.join("")}</tr>`;
		});
		const salary = context.net_salary ? money(context.net_salary) : e(__("not found"));
		const source = context.salary_source ? ` (${e(context.salary_source)})` : "";
		const figures = [
			`${e(__("EMI"))}: <b>${money(context.emi)}</b>`,
			`${e(__("Net monthly salary"))}: <b>${salary}</b>${source}`,
			`${e(__("EMIs of existing loans"))}: <b>${money(context.existing_emis)}</b>`,
		];
		const table = `<table class="table table-bordered table-sm">
			<thead><tr>${headings.map((h) => `<th>${e(h)}</th>`).join("")}</tr></thead>
			<tbody>${loans.join("")}</tbody></table>`;
		return `<p>${figures.join(" · ")}</p>
			<h5>${e(__("Findings"))}</h5>
			${findings.length ? `<ul>${findings.join("")}</ul>` : muted(__("No findings: every rule passes."))}
			<h5>${e(__("Existing Loans"))}</h5>
			${loans.length ? table : muted(__("None"))}`;
	},
});
