frappe.ui.form.on("Employee Loan Settings", {
	load_starter_categories(frm) {
		if (!frm.doc.starter_company) {
			frappe.msgprint(__("Choose the company to load the starter categories for."));
			return;
		}
		frappe.call({
			method: "employee_loans.employee_loans.doctype.employee_loan_settings.employee_loan_settings.load_starter_categories",
			args: { company: frm.doc.starter_company },
			freeze: true,
			callback: ({ message }) => {
				frappe.msgprint(
					message && message.length
						? __("Created: {0}", [message.join(", ")])
						: __("The company already has every starter category.")
				);
			},
		});
	},
});
