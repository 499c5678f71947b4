"""Deciding on a loan application became submitting it. Existing applications move accordingly: Pending
stays a draft, Approved and Denied become submitted, Withdrawn becomes cancelled. Only `docstatus`
changes, on the applications and their findings; every other field, `modified` included, is kept."""

import frappe

APPLICATION = "Employee Loan Application"
FINDING = "Employee Loan Eligibility Finding"
DOCSTATUS_OF_STATUS = {"Approved": 1, "Denied": 1, "Withdrawn": 2}


def execute():
	application = frappe.qb.DocType(APPLICATION)
	finding = frappe.qb.DocType(FINDING)
	for status, docstatus in DOCSTATUS_OF_STATUS.items():
		# only drafts move, so running the patch again changes nothing
		to_move = (application.status == status) & (application.docstatus == 0)
		names = frappe.qb.from_(application).select(application.name).where(to_move).run(pluck=True)
		if not names:
			continue
		frappe.qb.update(finding).set(finding.docstatus, docstatus).where(
			(finding.parenttype == APPLICATION) & finding.parent.isin(names)
		).run()
		frappe.qb.update(application).set(application.docstatus, docstatus).where(
			to_move & application.name.isin(names)
		).run()
