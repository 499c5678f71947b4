frappe.listview_settings["Employee Loan Application"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colours = { Pending: "orange", Approved: "green", Denied: "red", Withdrawn: "gray" };
		return [__(doc.status), colours[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
