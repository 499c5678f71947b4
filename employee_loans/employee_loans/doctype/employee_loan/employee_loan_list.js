// The status indicator comes from the DocType's states (employee_loan.json). An Approved loan is
// still a draft (it is submitted on disbursement), so drafts show their status too.
frappe.listview_settings["Employee Loan"] = {
	add_fields: ["status", "docstatus"],
	has_indicator_for_draft: true,
};
