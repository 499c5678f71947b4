// Colours come from the DocType's states: a Pending draft and a Withdrawn (cancelled) application show
// their status there instead of Frappe's generic Draft and Cancelled.
frappe.listview_settings["Employee Loan Application"] = {
	has_indicator_for_draft: true,
	has_indicator_for_cancelled: true,
};
