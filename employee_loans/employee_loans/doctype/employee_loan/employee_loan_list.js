frappe.listview_settings["Employee Loan"] = {
	add_fields: ["status", "docstatus"],
	has_indicator_for_draft: true,
	get_indicator(doc) {
		const colours = { Approved: "blue", Disbursed: "orange", Closed: "green", Cancelled: "red" };
		return [__(doc.status), colours[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
