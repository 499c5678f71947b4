"""Install, migrate and uninstall: the deduction component, custom fields, settings defaults and the
notifications, all idempotent."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from employee_loans.custom_fields import CUSTOM_FIELDS
from employee_loans.indexes import drop_indexes, ensure_indexes
from employee_loans.payroll_hooks.perquisite import (
	COMPONENT_FLAGS,
	DEFAULT_THRESHOLDS,
	PERQUISITE_ABBR,
	PERQUISITE_COMPONENT,
	PERQUISITE_MARKER,
)
from employee_loans.utils import DEFAULT_COMPONENT, DEFAULT_INTEREST_COMPONENT, SETTINGS

APP = "employee_loans"
COMPONENT_MARKER = "Created by Employee Loans for EMI deductions."
INTEREST_COMPONENT_MARKER = "Created by Employee Loans for the interest of loan instalments."
# The app's salary components: name -> (abbreviation, description marking it as the app's own)
COMPONENTS = {
	DEFAULT_COMPONENT: ("LEMI", COMPONENT_MARKER),
	DEFAULT_INTEREST_COMPONENT: ("LINT", INTEREST_COMPONENT_MARKER),
}

NOTIFICATIONS = [
	{
		"name": "Employee Loan Application Received",
		"document_type": "Employee Loan Application",
		"event": "New",
		"subject": "Loan application {{ doc.name }} from {{ doc.employee_name }}",
		"message": "<p>{{ doc.employee_name }} has applied for a loan of {{ doc.get_formatted('loan_amount') }} "
		"over {{ doc.tenure_months }} months ({{ doc.loan_category }}).</p>"
		"<p>Open {{ frappe.utils.get_link_to_form(doc.doctype, doc.name) }} to review it.</p>",
		"recipients": [{"receiver_by_role": "HR Manager"}, {"receiver_by_role": "HR User"}],
	},
	{
		"name": "Employee Loan Application Approved",
		"document_type": "Employee Loan Application",
		"event": "Method",
		"method": "on_application_approved",
		"subject": "Your loan application {{ doc.name }} is approved",
		"message": "<p>Your application for {{ doc.get_formatted('loan_amount') }} is approved. "
		"The loan is {{ doc.employee_loan }}; HR will tell you when it is disbursed.</p>",
		"recipients": [{"receiver_by_document_field": "employee_user"}],
	},
	{
		"name": "Employee Loan Application Denied",
		"document_type": "Employee Loan Application",
		"event": "Method",
		"method": "on_application_denied",
		"subject": "Your loan application {{ doc.name }} was not approved",
		"message": "<p>Your application for {{ doc.get_formatted('loan_amount') }} was not approved.</p>"
		"<p>Reason: {{ doc.denial_reason }}</p>",
		"recipients": [{"receiver_by_document_field": "employee_user"}],
	},
	{
		"name": "Employee Loan Disbursed",
		"document_type": "Employee Loan",
		"event": "Method",
		"method": "on_loan_disbursed",
		"subject": "Your loan {{ doc.name }} has been disbursed",
		"message": "<p>Loan {{ doc.name }} of {{ doc.get_formatted('loan_amount') }} was disbursed on "
		"{{ frappe.utils.formatdate(doc.disbursement_date) }}. The EMI of {{ doc.get_formatted('emi') }} "
		"is deducted from your salary from {{ frappe.utils.formatdate(doc.next_emi_date) }}.</p>",
		"recipients": [{"receiver_by_document_field": "employee_user"}],
	},
	{
		"name": "Employee Loan Change Requested",
		"document_type": "Employee Loan Change",
		"event": "Method",
		"method": "on_change_requested",
		"subject": "{{ doc.change_type }} requested on loan {{ doc.employee_loan }} by {{ doc.employee_name }}",
		"message": "<p>{{ doc.employee_name }} asks for a {{ doc.change_type }} on loan {{ doc.employee_loan }}: "
		"{{ doc.reason }}</p><p>Open {{ frappe.utils.get_link_to_form(doc.doctype, doc.name) }} to see the figures "
		"before and after, and decide.</p>",
		"recipients": [{"receiver_by_role": "HR Manager"}, {"receiver_by_role": "HR User"}],
	},
	{
		"name": "Employee Loan Change Approved",
		"document_type": "Employee Loan Change",
		"event": "Method",
		"method": "on_change_approved",
		"subject": "Your {{ doc.change_type }} on loan {{ doc.employee_loan }} is approved",
		"message": "<p>{{ doc.change_type }} {{ doc.name }} on loan {{ doc.employee_loan }} is approved. "
		"Your EMI is {{ doc.get_formatted('emi_after') }} and the last instalment is due on "
		"{{ frappe.utils.formatdate(doc.end_date_after) }}.</p>",
		"recipients": [{"receiver_by_document_field": "employee_user"}],
	},
	{
		"name": "Employee Loan Change Denied",
		"document_type": "Employee Loan Change",
		"event": "Method",
		"method": "on_change_denied",
		"subject": "Your {{ doc.change_type }} on loan {{ doc.employee_loan }} was not approved",
		"message": "<p>{{ doc.change_type }} {{ doc.name }} on loan {{ doc.employee_loan }} was not approved.</p>"
		"<p>Reason: {{ doc.decision_reason }}</p>",
		"recipients": [{"receiver_by_document_field": "employee_user"}],
	},
	{
		"name": "Employee Loan Closed",
		"document_type": "Employee Loan",
		"event": "Method",
		"method": "on_loan_closed",
		"subject": "Your loan {{ doc.name }} is closed",
		"message": "<p>Loan {{ doc.name }} is fully repaid and closed. Nothing more will be deducted.</p>",
		"recipients": [{"receiver_by_document_field": "employee_user"}],
	},
]


def after_install():
	sync_what_install_skipped()
	setup()


def after_migrate():
	setup()


def sync_what_install_skipped() -> None:
	"""`install-app` syncs an app's DocTypes, reports and workspace from the module map a bench command
	cached in Redis ("app_modules"). One cached before this app was on the bench survives when nothing
	flushed the cache since (only `bench build` does: `bench get-app --skip-assets`, or a build that
	failed), and the install then syncs none of them: the first use of one fails with "Module import
	failed for Employee Loan Settings". Rebuild the map from apps.txt and sync what was skipped, then
	what depended on it (the portal menu; the settings are stored by ensure_settings); the rest of the
	install (dashboards, customizations) then reads the fresh map."""
	if APP in (frappe.local.app_modules or {}):
		return
	from frappe.model.sync import sync_for

	frappe.cache.delete_value(["app_modules", "installed_app_modules"])
	frappe.setup_module_map()
	sync_for(APP, reset_permissions=True)
	# install-app synced the portal menu before the DocTypes existed, which dropped this app's entries
	frappe.get_doc("Portal Settings").sync_menu()


def setup():
	create_custom_fields(CUSTOM_FIELDS, ignore_validate=True)
	ensure_indexes()  # the composite indexes the reports read through
	ensure_components()
	ensure_settings()
	ensure_perquisite_component()
	ensure_perquisite_policy()
	ensure_notifications()


def ensure_components() -> None:
	"""The "Loan EMI" (principal) and "Loan Interest" deduction components, created if missing and never
	overwritten. Each needs an account per company; a loan category sets it to its loan account and
	interest income account when it is saved."""
	for component, (abbr, marker) in COMPONENTS.items():
		if frappe.db.exists("Salary Component", component):
			continue
		frappe.get_doc(
			{
				"doctype": "Salary Component",
				"salary_component": component,
				"salary_component_abbr": abbr,
				"type": "Deduction",
				"depends_on_payment_days": 0,
				"description": marker,
			}
		).insert(ignore_permissions=True, ignore_if_duplicate=True)


def ensure_settings() -> None:
	"""The policy defaults are the settings DocType's own (its JSON). Frappe stores them when it installs
	the app (installer.init_singles saves every Single that was never saved, validating its links); if it
	skipped them, `get_single` returns them and the save here stores them. The components are no JSON
	defaults, because init_singles runs before setup() creates them: they are filled here, on install
	and on every migrate where one is missing. Other choices the admin made are left alone."""
	stored = frappe.db.get_singles_dict(SETTINGS)
	never_stored = not stored
	if stored:
		# A setting a later version added starts at its default (the JSON's) on the migrate that adds it.
		added = {
			field.fieldname: field.default
			for field in frappe.get_meta(SETTINGS).fields
			if field.default not in (None, "") and stored.get(field.fieldname) in (None, "")
		}
		if added:
			frappe.db.set_single_value(SETTINGS, added)
			frappe.clear_document_cache(SETTINGS, SETTINGS)
	settings = frappe.get_single(SETTINGS)
	if not never_stored and settings.deduction_component and settings.interest_component:
		return
	settings.deduction_component = settings.deduction_component or DEFAULT_COMPONENT
	settings.interest_component = settings.interest_component or DEFAULT_INTEREST_COMPONENT
	settings.flags.ignore_permissions = True
	settings.save()


def ensure_perquisite_component() -> None:
	"""India: the "Loan Perquisite" earning that carries the perquisite on concessional loans on salary
	slips. Taxable, not in the totals, not in the accounts and not prorated, so it raises the income tax
	and nothing else. Created if missing, never overwritten."""
	if frappe.db.exists("Salary Component", PERQUISITE_COMPONENT):
		return
	frappe.get_doc(
		{
			"doctype": "Salary Component",
			"salary_component": PERQUISITE_COMPONENT,
			"salary_component_abbr": PERQUISITE_ABBR,
			"type": "Earning",
			**COMPONENT_FLAGS,
			"description": PERQUISITE_MARKER,
		}
	).insert(ignore_permissions=True, ignore_if_duplicate=True)


def ensure_perquisite_policy() -> None:
	"""The settings' perquisite component when none is chosen, and the exemption thresholds when the table
	is empty (Rs 20,000 up to 31 March 2026, Rs 2,00,000 from 1 April 2026). The policy stays off, and
	rows the admin entered are never touched."""
	settings = frappe.get_single(SETTINGS)
	if settings.get("perquisite_component") and settings.get("perquisite_thresholds"):
		return
	component = settings.get("perquisite_component")
	if not component and frappe.db.exists("Salary Component", PERQUISITE_COMPONENT):
		settings.perquisite_component = PERQUISITE_COMPONENT
	if not settings.get("perquisite_thresholds"):
		for from_date, amount, rule in DEFAULT_THRESHOLDS:
			settings.append("perquisite_thresholds", {"from_date": from_date, "amount": amount, "rule": rule})
	settings.flags.ignore_permissions = True
	settings.save()


def notification_records() -> list[dict]:
	"""Each notification twice: on the desk's bell (works on every site) and by email (needs an
	outgoing email account). An admin can edit or disable either."""
	records = []
	for definition in NOTIFICATIONS:
		records.append({**definition, "channel": "System Notification"})
		records.append({**definition, "name": f"{definition['name']} (Email)", "channel": "Email"})
	return records


def ensure_notifications() -> None:
	"""Plain (not standard) Notification records, so an admin can edit them; never overwritten."""
	# Email needs an outgoing account; without one every notification would show its error to the
	# user. The email records are then created disabled, for the admin to enable with email.
	can_email = bool(frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}))
	for definition in notification_records():
		if frappe.db.exists("Notification", definition["name"]):
			continue
		enabled = 1 if definition["channel"] != "Email" or can_email else 0
		notification = frappe.get_doc(
			{"doctype": "Notification", "enabled": enabled, "message_type": "HTML", **definition}
		)
		notification.insert(ignore_permissions=True)


def before_uninstall():
	"""Remove what this app added to other apps. Its salary components go too, unless salary slips
	already use them (they must keep their history). Journal entries stay: they are the company's books."""
	drop_indexes()
	for doctype, fields in CUSTOM_FIELDS.items():
		for field in fields:
			name = frappe.db.get_value("Custom Field", {"dt": doctype, "fieldname": field["fieldname"]})
			if name:
				frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
	for definition in notification_records():
		frappe.delete_doc_if_exists("Notification", definition["name"], force=True)
	for name, marker in app_components().items():
		component = frappe.db.get_value("Salary Component", {"name": name, "description": marker}, "name")
		if component and not component_in_use(component):
			frappe.delete_doc("Salary Component", component, ignore_permissions=True, force=True)


def app_components() -> dict[str, str]:
	"""Every salary component the install creates, with the description that marks it as the app's."""
	return {
		**{name: marker for name, (_abbr, marker) in COMPONENTS.items()},
		PERQUISITE_COMPONENT: PERQUISITE_MARKER,
	}


def component_in_use(component: str) -> bool:
	"""Used on a salary slip or structure (both keep rows in Salary Detail) or an Additional Salary."""
	return bool(
		frappe.db.exists("Salary Detail", {"salary_component": component})
		or frappe.db.exists("Additional Salary", {"salary_component": component})
	)
