// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

const APPLICATION_METHODS = "employee_loans.employee_loans.doctype.employee_loan_application.employee_loan_application";
const HR_ROLES = ["HR Manager", "HR User", "System Manager"];

frappe.ui.form.on("Employee Loan Application", {
	setup(frm) {
		frm.set_query("loan_category", () => ({
			filters: { company: frm.doc.company, disabled: 0 },
		}));
	},

	refresh(frm) {
		frm.trigger("set_indicator");
		frm.trigger("show_findings");
		if (frm.is_new() || frm.doc.status !== "Pending") {
			frm.set_read_only(!frm.is_new() && frm.doc.status !== "Pending");
		}
		if (!frm.is_new() && frm.doc.status === "Pending") {
			if (frappe.user.has_role(HR_ROLES)) {
				frm.add_custom_button(__("Approve"), () => frm.trigger("approve"), __("Decide"));
				frm.add_custom_button(__("Deny"), () => frm.trigger("deny"), __("Decide"));
			}
			if (frm.doc.employee_user === frappe.session.user) {
				frm.add_custom_button(__("Withdraw"), () => frm.trigger("withdraw"));
			}
		}
		if (frm.doc.employee_loan) {
			frm.add_custom_button(__("View Loan"), () =>
				frappe.set_route("Form", "Employee Loan", frm.doc.employee_loan)
			);
		}
	},

	set_indicator(frm) {
		const colours = { Pending: "orange", Approved: "green", Denied: "red", Withdrawn: "gray" };
		if (!frm.is_new()) {
			frm.page.set_indicator(__(frm.doc.status), colours[frm.doc.status] || "gray");
		}
	},

	show_findings(frm) {
		const findings = frm.doc.findings || [];
		frm.dashboard.clear_headline();
		if (!findings.length) return;
		const lines = findings
			.map((f) => `<div class="text-${f.severity === "Block" ? "danger" : "warning"}">
				<b>${frappe.utils.escape_html(f.rule || "")}</b>: ${frappe.utils.escape_html(f.message || "")}</div>`)
			.join("");
		frm.dashboard.set_headline_alert(lines, findings.some((f) => f.severity === "Block") ? "red" : "orange");
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
				const money = (value) => format_currency(value, frm.doc.currency);
				const loans = (context.existing_loans || [])
					.map((loan) => `<tr><td>${loan.name}</td><td>${__(loan.status)}</td><td>${frappe.utils.escape_html(loan.loan_category)}</td>
						<td class="text-right">${money(loan.loan_amount)}</td><td class="text-right">${money(loan.emi)}</td>
						<td class="text-right">${money(loan.outstanding_balance)}</td></tr>`)
					.join("");
				const findings = (context.findings || [])
					.map((f) => `<li class="text-${f.severity === "Block" ? "danger" : "warning"}"><b>${f.rule}</b>: ${frappe.utils.escape_html(f.message)}</li>`)
					.join("");
				const dialog = new frappe.ui.Dialog({
					title: __("Approve {0}", [frm.doc.name]),
					fields: [
						{
							fieldtype: "HTML",
							options: `
								<p>${__("EMI")}: <b>${money(context.emi)}</b> · ${__("Net monthly salary")}:
								<b>${context.net_salary ? money(context.net_salary) : __("not found")}</b>
								${context.salary_source ? `(${frappe.utils.escape_html(context.salary_source)})` : ""}
								· ${__("EMIs of existing loans")}: <b>${money(context.existing_emis)}</b></p>
								<h5>${__("Findings")}</h5>
								${findings ? `<ul>${findings}</ul>` : `<p class="text-muted">${__("No findings: every rule passes.")}</p>`}
								<h5>${__("Existing Loans")}</h5>
								${loans ? `<table class="table table-bordered table-sm"><thead><tr><th>${__("Loan")}</th><th>${__("Status")}</th>
									<th>${__("Category")}</th><th>${__("Amount")}</th><th>${__("EMI")}</th><th>${__("Outstanding")}</th></tr></thead>
									<tbody>${loans}</tbody></table>` : `<p class="text-muted">${__("None")}</p>`}`,
						},
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
});
