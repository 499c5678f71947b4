// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

const CHANGE_METHODS = "employee_loans.employee_loans.doctype.employee_loan_change.employee_loan_change";
const CHANGE_HR_ROLES = ["HR Manager", "HR User", "System Manager"];
const CHANGE_FIGURES = [
	["emi", __("EMI"), "money"],
	["instalments", __("Instalments Left"), "int"],
	["end_date", __("Last EMI"), "date"],
	["outstanding", __("Outstanding"), "money"],
	["total_interest", __("Total Interest"), "money"],
];

// What the preview needs before the engine can compute anything, per change type.
function change_values_ready(doc) {
	if (!(doc.change_type && doc.employee_loan)) return false;
	if (doc.change_type === "EMI Holiday") return Boolean(doc.from_date && doc.holiday_months > 0);
	if (doc.change_type === "Restructure") return Boolean(doc.from_date && doc.new_term_months > 0);
	return doc.top_up_amount > 0;
}

frappe.ui.form.on("Employee Loan Change", {
	setup(frm) {
		frm.set_query("employee_loan", () => ({ filters: { docstatus: 1, status: "Disbursed" } }));
	},

	onload: (frm) => employee_loans.setup_payment_account(frm),

	refresh(frm) {
		// the status indicator comes from the DocType's states
		frm.trigger("show_figures");
		// opened from the loan's Change Loan buttons: the loan is set without its change event
		if (frm.is_new() && frm.doc.employee_loan && !frm.doc.company) frm.trigger("employee_loan");
		const pending = !frm.is_new() && frm.doc.docstatus === 0 && frm.doc.status === "Pending";
		if (pending && !frm.is_dirty()) {
			// Approve and Deny decide a change; the plain Submit would only be refused by the server.
			frm.page.clear_primary_action();
		}
		if (pending && frm.perm[0].submit && frappe.user.has_role(CHANGE_HR_ROLES)) {
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

	employee_loan(frm) {
		if (!frm.doc.employee_loan) return;
		// the loan's company gives the currency of the preview's figures
		frappe.db
			.get_value("Employee Loan", frm.doc.employee_loan, ["company", "employee", "employee_name"])
			.then(({ message }) => {
				if (message) frm.set_value(message);
				frm.trigger("preview");
			});
	},

	from_date(frm) {
		// a change applies from a payroll month: always its first day
		if (!frm.doc.from_date) return frm.trigger("preview");
		const first = moment(frm.doc.from_date).startOf("month").format("YYYY-MM-DD");
		if (first !== frm.doc.from_date) frm.set_value("from_date", first);
		else frm.trigger("preview");
	},

	change_type: (frm) => frm.trigger("preview"),
	holiday_months: (frm) => frm.trigger("preview"),
	top_up_amount: (frm) => frm.trigger("preview"),
	new_term_months: (frm) => frm.trigger("preview"),
	new_interest_rate: (frm) => frm.trigger("preview"),
	change_interest_rate: (frm) => frm.trigger("preview"),

	preview(frm) {
		if (frm.doc.docstatus !== 0) return;
		// every call, answered or not, makes the answers to earlier ones stale
		const sequence = (frm.__preview_sequence = (frm.__preview_sequence || 0) + 1);
		if (!change_values_ready(frm.doc)) {
			frm.dashboard.clear_headline();
			return;
		}
		const values = {};
		for (const key of [
			"change_type", "employee_loan", "from_date", "holiday_months", "top_up_amount",
			"new_term_months", "change_interest_rate", "new_interest_rate",
		]) {
			if (frm.doc[key] !== undefined && frm.doc[key] !== null && frm.doc[key] !== "") values[key] = frm.doc[key];
		}
		frappe.call({
			method: `${CHANGE_METHODS}.get_preview`,
			args: { values },
			type: "GET",
			silent: true, // a refusal is shown in the form's headline, not a dialog at every keystroke
			callback: ({ message }) => {
				if (sequence === frm.__preview_sequence && message) frm.events.render_figures(frm, message);
			},
			error: (r) => {
				if (sequence !== frm.__preview_sequence) return;
				let messages = [];
				try {
					messages = JSON.parse((r && r._server_messages) || "[]").map((m) => JSON.parse(m).message);
				} catch (e) {
					messages = [];
				}
				const text = messages.length ? messages.join("\n") : __("The figures could not be calculated.");
				// the server's messages may hold <br> and links: shown as plain text
				const plain = $("<div>").html(text.replace(/<br\s*\/?>/gi, "\n")).text();
				// the headline adds a block at each call: the previous figures or refusal go first
				frm.dashboard.clear_headline();
				frm.dashboard.set_headline_alert(
					`<div style="white-space: pre-line">${frappe.utils.escape_html(plain)}</div>`,
					"red"
				);
			},
		});
	},

	show_figures(frm) {
		// a saved change shows its stored figures (fixed when it was saved or decided)
		frm.dashboard.clear_headline();
		if (frm.is_new() || !frm.doc.outstanding_before) return;
		const figures = {};
		for (const [name] of CHANGE_FIGURES) {
			figures[`${name}_before`] = frm.doc[`${name}_before`];
			figures[`${name}_after`] = frm.doc[`${name}_after`];
		}
		figures.interest_added = frm.doc.interest_added;
		figures.from_date = frm.doc.from_date;
		frm.events.render_figures(frm, figures);
	},

	// The figures before and after as a table in the form's headline; every value escaped, money in the
	// currency of the change's Currency fields (their options: the company's default currency).
	render_figures(frm, figures) {
		const e = (value) => frappe.utils.escape_html(value ?? "");
		const currency = frappe.meta.get_field_currency(frm.get_docfield("emi_before"), frm.doc);
		const shown = (value, kind) => {
			if (value === null || value === undefined || value === "") return "—";
			if (kind === "money") return e(format_currency(value, currency));
			if (kind === "date") return e(frappe.datetime.str_to_user(value));
			return e(String(value));
		};
		const rows = CHANGE_FIGURES.map(([name, label, kind]) => {
			const before = figures[`${name}_before`];
			const after = figures[`${name}_after`];
			const changed = String(before) !== String(after) ? " font-weight-bold" : "";
			return `<tr><td>${e(label)}</td><td class="text-right">${shown(before, kind)}</td>
				<td class="text-right${changed}">${shown(after, kind)}</td></tr>`;
		});
		const notes = [];
		if (figures.from_date) notes.push(`${e(__("From"))}: ${shown(figures.from_date, "date")}`);
		if (Number(figures.interest_added)) {
			notes.push(`${e(__("Interest added to the principal"))}: ${shown(figures.interest_added, "money")}`);
		}
		const findings = (figures.eligibility || []).map(
			(f) => `<div class="text-${f.severity === "Block" ? "danger" : "warning"}">
				<b>${e(f.rule)}</b>: ${e(f.message)}</div>`
		);
		frm.dashboard.clear_headline(); // the headline adds a block at each call
		frm.dashboard.set_headline_alert(
			`<table class="table table-sm mb-1" data-change-preview="1">
				<thead><tr><th></th><th class="text-right">${e(__("Before"))}</th>
					<th class="text-right">${e(__("After"))}</th></tr></thead>
				<tbody>${rows.join("")}</tbody></table>
			${notes.length ? `<div class="text-muted small">${notes.join(" · ")}</div>` : ""}
			${findings.join("")}`,
			"blue"
		);
	},

	approve(frm) {
		frappe.prompt(
			{ fieldname: "note", fieldtype: "Small Text", label: __("Note (optional)") },
			({ note }) =>
				frappe.call({
					method: `${CHANGE_METHODS}.approve`,
					args: { change: frm.doc.name, note },
					freeze: true,
					callback: () => frm.reload_doc(),
				}),
			__("Approve {0}", [frm.doc.name]),
			__("Approve")
		);
	},

	withdraw(frm) {
		frappe.confirm(__("Withdraw this request? HR will no longer review it."), () =>
			frappe.call({
				method: `${CHANGE_METHODS}.withdraw`,
				args: { change: frm.doc.name },
				callback: () => frm.reload_doc(),
			})
		);
	},

	deny(frm) {
		frappe.prompt(
			{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
			({ reason }) =>
				frappe.call({
					method: `${CHANGE_METHODS}.deny`,
					args: { change: frm.doc.name, reason },
					freeze: true,
					callback: () => frm.reload_doc(),
				}),
			__("Deny {0}", [frm.doc.name]),
			__("Deny")
		);
	},
});
