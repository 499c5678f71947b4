"""`before_tests` for a fresh site: HRMS's setup (company, fiscal year, holiday list), plus the
fiscal years the payroll tests' slips fall in."""

import frappe


def before_tests():
	from hrms.tests.test_utils import before_tests as hrms_before_tests

	hrms_before_tests()
	this_year = frappe.utils.getdate().year
	for year in range(min(2025, this_year - 1), max(2027, this_year + 1) + 1):
		if not frappe.db.exists("Fiscal Year", {"year_start_date": f"{year}-01-01"}):
			frappe.get_doc(
				{
					"doctype": "Fiscal Year",
					"year": str(year),
					"year_start_date": f"{year}-01-01",
					"year_end_date": f"{year}-12-31",
				}
			).insert(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: before_tests sets up the site once, as HRMS's does
