// Employee Loans on HRMS's Full and Final Statement: a loan row can be added by hand, with its account
// and what the loan still owes filled in. (HRMS's own query offers only its modules' doctypes.)
frappe.ui.form.on("Full and Final Statement", {
	refresh(frm) {
		frm.set_query("reference_document_type", "receivables", () => ({
			filters: { istable: 0, issingle: 0, module: ["in", ["HR", "Payroll", "Loan Management", "Employee Loans"]] },
		}));
	},
});

frappe.ui.form.on("Full and Final Outstanding Statement", {
	reference_document(frm, cdt, cdn) {
		const row = locals[cdt][cdn];
		if (row.reference_document_type !== "Employee Loan" || !row.reference_document) return;
		frappe.call({
			method: "employee_loans.exit_settlement.get_loan_row",
			args: { loan: row.reference_document, statement_relieving_date: frm.doc.relieving_date },
			callback: ({ message }) => {
				if (!message) return;
				frappe.model.set_value(cdt, cdn, {
					component: message.component,
					account: message.account,
					amount: message.amount,
				});
			},
		});
	},
});
