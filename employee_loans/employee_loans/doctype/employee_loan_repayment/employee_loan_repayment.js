frappe.ui.form.on("Employee Loan Repayment", {
	setup(frm) {
		frm.set_query("employee_loan", () => ({ filters: { status: "Disbursed", docstatus: 1 } }));
		frm.set_df_property("repayment_type", "options", ["Manual", "Pre-closure"]);
	},
	refresh(frm) {
		if (frm.doc.salary_slip) frm.set_df_property("repayment_type", "options", ["Salary Slip"]);
	},
});
