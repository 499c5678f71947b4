"""Install, uninstall and reinstall on a scratch site: what README.md's "Install it into a bench" promises.

`.ci/bench-tests` runs one check after each bench command, from the bench's `sites` folder, as a module
rather than with `bench execute`: Frappe refuses to execute a method of an app the site does not have,
which is the very state `uninstalled` looks at. In the order CI runs them:

	stale-module-map   cache a module map without this app (what install-app must cope with)
	installed          after install-app: documents, custom fields, component, notifications, settings
	admin-choices      save an admin's (non-default) settings without a deduction component
	choices-kept       after bench migrate: the choices stay, the missing component is filled
	uninstalled        after uninstall-app: all of it gone; the component goes only when unused
	payroll-history    a loan with an EMI deducted by a submitted salary slip (needs allow_tests); the
	                   next uninstalled / installed also check the slip's loan line and the backup

	../env/bin/python -m employee_loans.tests.install_check SITE CHECK

Each check prints what it found and exits with status 1 when anything differs from the promise."""

import argparse
import gzip
import json
import os
import sys
from pathlib import Path

import frappe
from frappe.utils import cstr, flt

from employee_loans.custom_fields import CUSTOM_FIELDS
from employee_loans.indexes import INDEXES, index_columns
from employee_loans.install import app_components, notification_records
from employee_loans.utils import DEFAULT_COMPONENT, DEFAULT_INTEREST_COMPONENT, SETTINGS

APP = "employee_loans"
MODULE = "Employee Loans"
MODULE_DIR = Path(__file__).resolve().parent.parent / "employee_loans"
# Kinds of documents the app ships as files in its module and Frappe syncs on install
SYNCED_KINDS = ("doctype", "report", "workspace", "number_card", "print_format")
NUMERIC = ("Check", "Int", "Float", "Currency", "Percent")
STATE_FILE = "install_check_history.json"
# Settings the install fills with the components it creates (no JSON defaults: see install.ensure_settings)
COMPONENT_SETTINGS = {
	"deduction_component": DEFAULT_COMPONENT,
	"interest_component": DEFAULT_INTEREST_COMPONENT,
}


class Mismatch(Exception):
	pass


class Checker:
	def __init__(self, check: str):
		self.check = check
		self.problems: list[str] = []

	def expect(self, ok: bool, what: str) -> None:
		print(f"install check [{self.check}]: {'ok  ' if ok else 'FAIL'} {what}")
		if not ok:
			self.problems.append(what)

	def done(self) -> None:
		if self.problems:
			raise Mismatch(f"{len(self.problems)} of the promises failed: " + "; ".join(self.problems))


def shipped_documents() -> list[tuple[str, str]]:
	"""(doctype, name) of every document file in the app's module, e.g. ("Report", "Active Loans")."""
	documents = []
	for kind in SYNCED_KINDS:
		for path in sorted((MODULE_DIR / kind).glob("*/*.json")):
			if path.stem != path.parent.name:
				continue
			document = json.loads(path.read_text())
			documents.append((document["doctype"], document["name"]))
	return documents


def component_in_use(component: str) -> bool:
	from employee_loans.install import component_in_use as in_use

	return in_use(component)


def state_path() -> str:
	return frappe.get_site_path("private", STATE_FILE)


def installed() -> None:
	"""After install-app (first install or reinstall): everything the README names is there."""
	c = Checker("installed")
	c.expect(APP in frappe.get_installed_apps(), f"{APP} is in the site's installed apps")
	c.expect(
		frappe.db.get_value("Module Def", MODULE, "app_name") == APP, f"Module Def {MODULE} belongs to {APP}"
	)
	for doctype, name in shipped_documents():
		c.expect(bool(frappe.db.exists(doctype, name)), f"{doctype} {name} was synced from the app's files")

	for doctype, fields in CUSTOM_FIELDS.items():
		meta = frappe.get_meta(doctype)
		for field in fields:
			c.expect(
				bool(frappe.db.exists("Custom Field", {"dt": doctype, "fieldname": field["fieldname"]}))
				and meta.has_field(field["fieldname"]),
				f"custom field {doctype}.{field['fieldname']}",
			)

	for doctype, indexes in INDEXES.items():
		for index, columns in indexes.items():
			c.expect(
				index_columns(doctype, index) == columns,
				f"index {index} on {doctype} ({', '.join(columns)})",
			)

	for name, marker in app_components().items():
		c.expect(
			frappe.db.get_value("Salary Component", name, "description") == marker,
			f'salary component "{name}" created by the app',
		)

	can_email = bool(frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}))
	for definition in notification_records():
		notification = frappe.db.get_value(
			"Notification", definition["name"], ["document_type", "channel", "enabled"], as_dict=True
		)
		expected_enabled = 1 if definition["channel"] != "Email" or can_email else 0
		c.expect(
			bool(notification)
			and notification.document_type == definition["document_type"]
			and notification.channel == definition["channel"]
			and notification.enabled == expected_enabled,
			f"notification {definition['name']} ({'enabled' if expected_enabled else 'disabled'})",
		)

	portal_routes = set(frappe.get_all("Portal Menu Item", {"parent": "Portal Settings"}, pluck="route"))
	for item in frappe.get_hooks("standard_portal_menu_items", app_name=APP):
		c.expect(item["route"] in portal_routes, f"portal menu entry {item['title']} ({item['route']})")

	# The settings are stored, with the DocType's defaults where the site had no settings before
	stored = frappe.db.get_singles_dict(SETTINGS, cast=True)
	fields = frappe.get_meta(SETTINGS).fields if frappe.db.exists("DocType", SETTINGS) else []
	for df in fields:
		if df.default is None:
			continue
		value = stored.get(df.fieldname)
		same = flt(value) == flt(df.default) if df.fieldtype in NUMERIC else cstr(value) == df.default
		c.expect(
			df.fieldname in stored and same,
			f"setting {df.fieldname} = {df.default!r} (the DocType's default), stored: {value!r}",
		)
	for fieldname, component in COMPONENT_SETTINGS.items():
		c.expect(
			stored.get(fieldname) == component,
			f"setting {fieldname} = {component!r}, stored: {stored.get(fieldname)!r}",
		)

	history = read_history()
	if history:
		check_history_kept(c, history)
	c.done()


def uninstalled() -> None:
	"""After uninstall-app: what the app added to other apps is gone, the salary slips' loan lines are not,
	and the "Loan EMI" component stays only while something uses it."""
	c = Checker("uninstalled")
	c.expect(APP not in frappe.get_installed_apps(), f"{APP} is no longer in the site's installed apps")
	c.expect(not frappe.db.exists("Module Def", MODULE), f"Module Def {MODULE} is gone")
	for doctype, name in shipped_documents():
		c.expect(not frappe.db.exists(doctype, name), f"{doctype} {name} is gone")
	c.expect(
		not frappe.db.get_singles_dict(SETTINGS), "no stored Employee Loan Settings are left in tabSingles"
	)

	for doctype, fields in CUSTOM_FIELDS.items():
		frappe.clear_cache(doctype=doctype)
		meta = frappe.get_meta(doctype)
		for field in fields:
			c.expect(
				not frappe.db.exists("Custom Field", {"dt": doctype, "fieldname": field["fieldname"]})
				and not meta.has_field(field["fieldname"]),
				f"custom field {doctype}.{field['fieldname']} is gone",
			)
	for doctype, indexes in INDEXES.items():
		if frappe.db.table_exists(doctype):  # the other apps' tables stay, without this app's indexes
			for index in indexes:
				c.expect(not index_columns(doctype, index), f"index {index} on {doctype} is gone")
	for definition in notification_records():
		c.expect(
			not frappe.db.exists("Notification", definition["name"]),
			f"notification {definition['name']} is gone",
		)

	history = read_history()
	used = {row["component"] for row in history["rows"]} if history else set()
	for name in app_components():
		if name in used:
			c.expect(component_in_use(name), f'"{name}" is used by a salary slip')
			c.expect(
				frappe.db.get_value("Salary Component", name, "type") == "Deduction",
				f'"{name}" is kept because salary slips use it',
			)
		else:
			c.expect(not component_in_use(name), f'nothing uses "{name}"')
			c.expect(
				not frappe.db.exists("Salary Component", name), f'"{name}" is gone because nothing used it'
			)
	if history:
		check_history_kept(c, history)
		check_backup_holds_the_loan(c, history)
	c.done()


def payroll_history() -> None:
	"""A disbursed loan whose first EMI a submitted salary slip deducted: the history an uninstall must not
	touch. Built with the integration tests' own set-up and factories, so it runs on test sites only."""
	from employee_loans.sample_data import (
		apply,
		approve_and_disburse,
		assign_structure,
		make_category,
		make_employee,
		make_slip,
		require_test_site,
		set_settings,
	)
	from employee_loans.tests.setup import before_tests

	require_test_site()
	frappe.set_user("Administrator")
	before_tests()
	set_settings()
	category = make_category("Personal", maximum_amount=500000, rate=8, min_months=6, max_months=60)
	employee = make_employee("el-install-check@example.com")
	assign_structure(employee, base=100000)
	# the payroll tests' loan: applied for in December 2025, disbursed then, first EMI in January 2026
	application = apply(employee, category, amount=120000, months=12, posting_date="2025-12-01")
	loan = approve_and_disburse(application.name, "2025-12-15")
	slip = make_slip(employee, "2026-01-01", submit=True)
	rows = [row for row in slip.deductions if row.get("employee_loan") == loan]
	c = Checker("payroll-history")
	c.expect(
		bool(rows)
		and all(flt(row.amount) > 0 for row in rows)
		and {row.salary_component for row in rows} <= set(app_components()),
		f"salary slip {slip.name} deducts an EMI of loan {loan} on the app's components",
	)
	c.done()
	history = {
		"loan": loan,
		"salary_slip": slip.name,
		"rows": [
			{
				"row": row.name,
				"component": row.salary_component,
				"amount": flt(row.amount),
				"note": row.get("loan_deduction_note"),
			}
			for row in rows
		],
	}
	frappe.db.commit()
	Path(state_path()).write_text(json.dumps(history))
	print(f"install check [payroll-history]: {history}")


ADMIN_CHOICES = {
	"enable_applications": 0,
	"emi_limit_percent": 40,
	"emi_limit_action": "Block",
	"minimum_service_months": 6,
	"maximum_active_loans": 2,
	"short_pay_policy": "Deduct Available",
	"protected_net_pay": 5000,
	"reamortisation_mode": "Keep EMI",
}


def admin_choices() -> None:
	"""An admin's settings, none of them a default, and no deduction component: for `choices-kept` after
	`bench migrate`."""
	settings = frappe.get_single(SETTINGS)
	settings.update({**ADMIN_CHOICES, "deduction_component": None})
	settings.save()
	frappe.db.commit()
	print(f"install check [admin-choices]: saved {ADMIN_CHOICES} without a deduction component")


def choices_kept() -> None:
	"""After `bench migrate`: the admin's choices are as they were; only the missing component is back."""
	c = Checker("choices-kept")
	stored = frappe.db.get_singles_dict(SETTINGS, cast=True)
	for fieldname, value in ADMIN_CHOICES.items():
		c.expect(
			flt(stored.get(fieldname)) == flt(value)
			if isinstance(value, int)
			else stored.get(fieldname) == value,
			f"setting {fieldname} is still {value!r}, stored: {stored.get(fieldname)!r}",
		)
	c.expect(
		stored.get("deduction_component") == DEFAULT_COMPONENT,
		f"the missing deduction component is filled with {DEFAULT_COMPONENT!r}: {stored.get('deduction_component')!r}",
	)
	c.done()


def stale_module_map() -> None:
	"""Cache the module map a bench command caches before this app is on the bench, as it survives
	`bench get-app --skip-assets` (only `bench build` flushes the cache): the next install-app must still
	sync the app's DocTypes."""
	stale = {app: modules for app, modules in frappe.local.app_modules.items() if app != APP}
	frappe.cache.set_value("app_modules", stale)
	c = Checker("stale-module-map")
	c.expect(
		APP not in (frappe.cache.get_value("app_modules") or {}), f"the site's cached module map lacks {APP}"
	)
	c.done()


def read_history() -> dict | None:
	path = Path(state_path())
	return json.loads(path.read_text()) if path.exists() else None


def check_history_kept(c: Checker, history: dict) -> None:
	"""The slip is still submitted, and its loan lines keep component, amount and, in the columns the
	custom fields added (the database keeps them when the fields go), the loan and the note."""
	c.expect(
		frappe.db.get_value("Salary Slip", history["salary_slip"], "docstatus") == 1,
		f"salary slip {history['salary_slip']} is still submitted",
	)
	SalaryDetail = frappe.qb.DocType("Salary Detail")
	for line in history["rows"]:
		rows = (
			frappe.qb.from_(SalaryDetail)
			.select(
				SalaryDetail.salary_component,
				SalaryDetail.amount,
				SalaryDetail.employee_loan,
				SalaryDetail.loan_deduction_note,
			)
			.where(SalaryDetail.name == line["row"])
			.where(SalaryDetail.parent == history["salary_slip"])
			.run(as_dict=True)
		)
		row = rows[0] if rows else None
		c.expect(
			bool(row)
			and row.salary_component == line["component"]
			and flt(row.amount) == flt(line["amount"])
			and row.employee_loan == history["loan"]
			and (row.loan_deduction_note or None) == (line["note"] or None),
			f"its line {line['component']} {line['amount']} for loan {history['loan']} is kept: {row}",
		)


def check_backup_holds_the_loan(c: Checker, history: dict) -> None:
	"""uninstall-app backs the database up first (unless --no-backup): the loans are in that backup."""
	backups = sorted(
		Path(frappe.get_site_path("private", "backups")).glob("*-database.sql.gz"), key=os.path.getmtime
	)
	found = False
	if backups:
		with gzip.open(backups[-1], "rt", errors="replace") as dump:
			in_loans = False
			for line in dump:
				if line.startswith("INSERT INTO `tabEmployee Loan`"):
					in_loans = True
				elif line.startswith("INSERT INTO"):
					in_loans = False
				if in_loans and f"'{history['loan']}'" in line:
					found = True
					break
	c.expect(found, f"the backup taken by uninstall-app holds loan {history['loan']}")


CHECKS = {
	"stale-module-map": stale_module_map,
	"installed": installed,
	"admin-choices": admin_choices,
	"choices-kept": choices_kept,
	"uninstalled": uninstalled,
	"payroll-history": payroll_history,
}


def main(argv: list[str] | None = None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
	parser.add_argument("site")
	parser.add_argument("check", choices=sorted(CHECKS))
	args = parser.parse_args(argv)
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	try:
		CHECKS[args.check]()
		frappe.db.commit()
	except Mismatch as mismatch:
		print(f"install check [{args.check}]: {mismatch}", file=sys.stderr)
		return 1
	finally:
		frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())
