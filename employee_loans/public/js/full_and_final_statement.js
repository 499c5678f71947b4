// Employee Loans on HRMS's Full and Final Statement: a loan can be added by hand. Picking it fills the
// row with the loan's principal (on the loan account) and adds a row for the interest owed (on the
// loan's interest income account), as the statement's own rows for the employee's loans are. (HRMS's
// own query offers only its modules' doctypes.)
const EMPLOYEE_LOAN = "Employee Loan";

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
		if (row.reference_document_type !== EMPLOYEE_LOAN || !row.reference_document) return;
		const loan = row.reference_document;
		frappe
			.call({
				method: "employee_loans.exit_settlement.get_loan_rows",
				args: { loan, statement_relieving_date: frm.doc.relieving_date },
			})
			.then(({ message }) => {
				if (!message || !message.length) return;
				const [principal, ...others] = message;
				frappe.model.set_value(cdt, cdn, principal);
				// the loan's other rows (its interest): the one already there is updated, else one is added
				const rows_of_loan = (frm.doc.receivables || []).filter(
					(other) =>
						other.name !== cdn &&
						other.reference_document_type === EMPLOYEE_LOAN &&
						other.reference_document === loan,
				);
				for (const values of others) {
					const existing = rows_of_loan.find((other) => other.component === values.component);
					if (existing) {
						frappe.model.set_value(existing.doctype, existing.name, values);
					} else {
						frm.add_child("receivables", {
							...values,
							status: "Unsettled",
							reference_document_type: EMPLOYEE_LOAN,
							reference_document: loan,
						});
					}
				}
				frm.refresh_field("receivables");
				frm.trigger("calculate_total_receivable_amt");
			});
	},
});
