// A Pending draft and a Cancelled change show their status (the DocType's states), not "Draft".
frappe.listview_settings["Employee Loan Change"] = {
	add_fields: ["status", "docstatus"],
	has_indicator_for_draft: true,
	has_indicator_for_cancelled: true,
};
