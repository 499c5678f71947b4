// Copyright (c) 2026, Employee Loans Developers and contributors
// For license information, please see license.txt

// employee_loans.report_filters: public/js/employee_loans.bundle.js
(() => {
	// Indian financial years (1 April to 31 March) as "2026-27": the current one first, then the six before it
	const today = frappe.datetime.get_today();
	const month = parseInt(today.slice(5, 7), 10);
	const current = parseInt(today.slice(0, 4), 10) - (month < 4 ? 1 : 0);
	const label = (year) => `${year}-${String((year + 1) % 100).padStart(2, "0")}`;
	const years = [];
	for (let year = current + 1; year >= current - 6; year--) years.push(label(year));

	frappe.query_reports["Loan Perquisite (Form 12BA)"] = {
		filters: employee_loans.report_filters([
			{
				fieldname: "financial_year",
				label: __("Financial Year"),
				fieldtype: "Select",
				options: years,
				default: label(current),
				reqd: 1,
			},
		]),
		tree: true,
		initial_depth: 1,

		formatter(value, row, column, data, default_formatter) {
			value = default_formatter(value, row, column, data);
			if (data && data.indent < 2 && column.fieldname === "label") {
				value = `<b>${value}</b>`;
			}
			return value;
		},
	};
})();
