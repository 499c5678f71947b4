// Employee Loans on HRMS's Payroll Entry: the salary slips its submission left as drafts, each with its
// employee, loan and why, and one button that saves again the slips whose loan moved and submits the
// draft slips through HRMS's own submission (employee_loans.payroll_hooks.payroll_entry).
frappe.ui.form.on("Payroll Entry", {
	refresh(frm) {
		const rows = (frm.doc.__onload || {}).employee_loans_draft_slips || [];
		if (frm.doc.docstatus !== 1 || !rows.length) return;
		// in the form's headline, above the tabs (the dashboard sits in the Connections tab)
		frm.dashboard.set_headline(draft_slips_table(rows), "orange");
		if (frm.doc.status === "Queued" || !frm.has_perm("write")) return;
		frm.add_custom_button(__("Update and Submit Draft Slips"), () => update_and_submit(frm)).addClass(
			"btn-primary",
		);
	},
});

function draft_slips_table(rows) {
	const escape = frappe.utils.escape_html;
	const link = (doctype, name) =>
		name ? `<a href="${frappe.utils.get_form_link(doctype, name)}">${escape(name)}</a>` : "";
	const body = rows
		.map(
			(row) => `<tr data-salary-slip="${escape(row.salary_slip)}">
				<td>${link("Salary Slip", row.salary_slip)}</td>
				<td>${link("Employee", row.employee)}<div class="text-muted">${escape(row.employee_name || "")}</div></td>
				<td>${link("Employee Loan", row.employee_loan)}</td>
				<td>${escape(row.reason)}</td>
			</tr>`,
		)
		.join("");
	const slips = new Set(rows.map((row) => row.salary_slip)).size;
	const intro = __(
		"{0} salary slip(s) of this Payroll Entry are drafts. Where a loan moved since a slip was saved, its submission stops so as not to deduct what the slip says; Update and Submit Draft Slips saves those slips again and submits the drafts. Do it before Make Bank Entry: HRMS's bank entry pays only the slips submitted when it is made.",
		[slips],
	);
	return `<div class="employee-loans-draft-slips">
		<div class="bold">${__("Salary Slips Left as Drafts")}</div>
		<p class="small">${intro}</p>
		<table class="table table-bordered table-sm bg-white" style="margin-bottom: 0">
			<thead><tr>
				<th>${__("Salary Slip")}</th><th>${__("Employee")}</th><th>${__("Employee Loan")}</th><th>${__("Reason")}</th>
			</tr></thead>
			<tbody>${body}</tbody>
		</table>
	</div>`;
}

function update_and_submit(frm) {
	frappe.confirm(
		__(
			"Save again the draft slips whose loan moved, then submit the draft salary slips and create the accrual Journal Entry for them?",
		),
		() =>
			frappe
				.call({
					method: "employee_loans.payroll_hooks.payroll_entry.update_and_submit_draft_slips",
					args: { payroll_entry: frm.doc.name },
					freeze: true,
					freeze_message: __("Updating and submitting salary slips..."),
				})
				.then(() => frm.reload_doc()),
	);
}
