// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

const IMPORT_METHODS = "employee_loans.employee_loans.doctype.employee_loan_import.employee_loan_import";

frappe.ui.form.on("Employee Loan Import", {
	setup(frm) {
		// HR users may not read Company or Account in ERPNext: the server checks both when it checks the file
		for (const fieldname of ["company", "temporary_opening_account"]) {
			frm.get_docfield(fieldname).ignore_link_validation = 1;
		}
		frm.set_query("temporary_opening_account", () => ({
			filters: { company: frm.doc.company, is_group: 0, account_type: "Temporary" },
		}));
	},

	refresh(frm) {
		const status = frm.doc.status;
		frm.set_intro(intro(frm), status === "Problems Found" || status === "Failed" ? "red" : "blue");
		const busy = status === "Checking" || status === "Bringing In";
		if (status !== "Brought In" && !busy) {
			for (const [label, file_type] of [[__("CSV"), "CSV"], [__("Excel"), "Excel"]]) {
				frm.add_custom_button(label, () => {
					window.open(
						`/api/method/${IMPORT_METHODS}.download_template?file_type=${encodeURIComponent(file_type)}`
					);
				}, __("Download Template"));
			}
		}
		if (frm.is_new()) return;
		if (frm.doc.import_file && ["Not Checked", "Problems Found", "Ready", "Failed"].includes(status)) {
			const button = frm.add_custom_button(__("Check File"), () => frm.trigger("check_file"));
			if (status !== "Ready") button.addClass("btn-primary");
		}
		if (status === "Ready") {
			frm.add_custom_button(
				__("Bring In {0} Loans", [frm.doc.rows_ready]), () => frm.trigger("bring_in")
			).addClass("btn-primary");
		}
		if (status === "Brought In" || frm.doc.loans_brought_in) {
			frm.add_custom_button(__("View Loans"), () =>
				frappe.set_route("List", "Employee Loan", { loan_import: frm.doc.name })
			);
		}
		if (busy) {
			// a background job checks or brings in a large file; look again until it is done
			setTimeout(() => frm.doc.status === status && frm.reload_doc(), 5000);
		}
	},

	check_file(frm) {
		const run = () => frappe.call({
			method: `${IMPORT_METHODS}.check_file`,
			args: { name: frm.doc.name },
			freeze: true,
			freeze_message: __("Checking every row..."),
			callback: () => frm.reload_doc(),
			error: () => frm.reload_doc(),
		});
		frm.is_dirty() ? frm.save().then(run) : run();
	},

	bring_in(frm) {
		const books = frm.doc.opening_balance_booking === "Opening Journal Entry"
			? __("Each loan posts an opening Journal Entry dated {0}, crediting {1}.", [
				frappe.datetime.str_to_user(frappe.datetime.add_days(frm.doc.go_live_date, -1)),
				frm.doc.temporary_opening_account,
			])
			: __("Nothing is posted: the company's books carry the opening balances already.");
		frappe.confirm(
			__("Bring in {0} loans of {1}?", [frm.doc.rows_ready, frm.doc.company]) + "<br><br>" + books,
			() => frappe.call({
				method: `${IMPORT_METHODS}.start`,
				args: { name: frm.doc.name },
				freeze: true,
				freeze_message: __("Bringing the loans in..."),
				callback: () => frm.reload_doc(),
				error: () => frm.reload_doc(),
			})
		);
	},
});

function intro(frm) {
	const doc = frm.doc;
	switch (doc.status) {
		case "Problems Found":
			return __("{0} of {1} rows have errors. Correct them in the file (see Problems and Warnings below, by row), attach it again and Check File. Nothing is brought in until every row passes.", [doc.rows_with_errors, doc.rows_in_file]);
		case "Ready":
			return __("Every row passed: {0} loans are ready to bring in, {1} were brought in before and are skipped. Read the warnings below, then Bring In.", [doc.rows_ready, doc.rows_already_in]);
		case "Checking":
			return __("Every row is being checked. This page updates when it is done.");
		case "Bringing In":
			return __("The loans are being brought in. This page updates when it is done.");
		case "Brought In":
			return __("{0} loans were brought in. View Loans lists them; the Employee Loan Reconciliation shows them in the books.", [doc.loans_brought_in]);
		case "Failed":
			return __("Nothing was brought in: {0}", [frappe.utils.escape_html(doc.error_message || "")]);
		default:
			return __("Download the template, fill in one loan a row, attach the file and Check File. Nothing is written until every row passes.");
	}
}
