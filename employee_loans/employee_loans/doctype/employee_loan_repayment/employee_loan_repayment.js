const LOAN_METHODS = "employee_loans.employee_loans.doctype.employee_loan.employee_loan";

frappe.ui.form.on("Employee Loan Repayment", {
	setup(frm) {
		frm.set_query("employee_loan", () => ({ filters: { status: "Disbursed", docstatus: 1 } }));
		frm.set_df_property("repayment_type", "options", ["Manual", "Pre-closure"]);
	},
	onload: (frm) => employee_loans.setup_payment_account(frm),
	refresh(frm) {
		if (frm.doc.salary_slip) frm.set_df_property("repayment_type", "options", ["Salary Slip"]);
	},
	employee_loan: (frm) => frm.trigger("fill_from_loan"),
	repayment_type: (frm) => frm.trigger("fill_from_loan"),
	posting_date: (frm) => frm.trigger("fill_from_loan"),

	fill_from_loan(frm) {
		if (!frm.doc.employee_loan || frm.doc.docstatus !== 0) return;
		frappe.db.get_value("Employee Loan", frm.doc.employee_loan, "company").then(({ message }) => {
			if (!message) return;
			frm.set_value("company", message.company);
			if (!frm.doc.payment_account) {
				employee_loans.default_payment_account(frm.doc.employee_loan).then((account) => {
					if (account && !frm.doc.payment_account) frm.set_value("payment_account", account);
				});
			}
		});
		// a pre-closure recovers what the engine's rule says: show it rather than let it be typed
		if (frm.doc.repayment_type === "Pre-closure") {
			frappe.call({
				method: `${LOAN_METHODS}.get_preclosure_amount`,
				args: { loan: frm.doc.employee_loan, posting_date: frm.doc.posting_date },
				type: "GET",
				callback: ({ message }) => message && frm.set_value("amount", message.amount),
			});
		}
	},
});
