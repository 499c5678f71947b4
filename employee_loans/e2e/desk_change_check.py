"""Browser check of an EMI holiday decided in the desk, in headless Chromium.

Logs in as an HR user, opens the loan's form, chooses Change Loan > EMI Holiday (employee_loan.js), sets
the first payroll month (--from-date, else the loan's first pending instalment) and the holiday months,
waits for the figures before and after in the form's headline (employee_loan_change.js, the engine's
preview), gives the reason, saves, then Decide > Approve with a note, and checks that the change is
Approved. The browser console must stay free of errors throughout (the socket.io connection that
`bench serve` does not offer aside). A full-page screenshot of every step goes to --out:

	python employee_loans/e2e/desk_change_check.py --url http://portal.localhost:8001 \\
		--user hr.check@example.com --password 'Hr-Check-1!' --loan EL-2026-00001

The loan must be disbursed, of another employee than the HR user (nobody decides their own loan's
changes), with holiday months left under Employee Loan Settings' limits: approving changes the loan
on that site for good (an Approved change is undone only by cancelling it). Needs what
portal_check.py needs. Exit status 0 when every step passed, 1 otherwise (with a failure.png).
"""

import argparse
import json
import sys

if __package__:
	from .portal_check import CheckFailed, PortalCheck, selenium_missing
else:  # run as a script: python employee_loans/e2e/desk_change_check.py
	from portal_check import CheckFailed, PortalCheck, selenium_missing

# the desk keeps polling for socket.io, which `bench serve` does not serve: not an error of the forms
IGNORED_CONSOLE = ("/socket.io/", "Error connecting to socket.io")


def parse_args(argv=None):
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--url", required=True, help="the site's base URL, e.g. http://portal.localhost:8001")
	parser.add_argument("--user", required=True, help="an HR user (HR Manager or HR User)")
	parser.add_argument("--password", required=True)
	parser.add_argument("--loan", required=True, help="a disbursed Employee Loan of another employee")
	parser.add_argument("--from-date", help="first holiday month, YYYY-MM-01; default: the next pending EMI")
	parser.add_argument("--months", default="1", help="holiday months")
	parser.add_argument("--reason", default="Browser check: an EMI holiday approved in the desk")
	parser.add_argument("--out", default="desk-screenshots", help="folder for the screenshots")
	parser.add_argument("--chromium", default="/usr/bin/chromium")
	parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
	parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for each step")
	return parser.parse_args(argv)


class DeskChangeCheck(PortalCheck):
	name = "desk-change-check"

	def __init__(self, args):
		super().__init__(args)
		self.console_errors = []

	# -- helpers ------------------------------------------------------------------------------------

	def js(self, script, *args):
		return self.driver.execute_script(script, *args)

	def doc(self, fieldname):
		"""A field of the form's document (cur_frm), or None while no form is shown."""
		return self.js("return window.cur_frm ? cur_frm.doc[arguments[0]] : null", fieldname)

	def read_console(self):
		"""The browser console's errors since the last read (the driver hands each entry out once)."""
		for entry in self.driver.get_log("browser"):
			message = entry.get("message", "")
			if entry.get("level") == "SEVERE" and not any(ignored in message for ignored in IGNORED_CONSOLE):
				self.console_errors.append(message)
				self.log(f"console error: {message[:500]}")

	def wait_for_desk(self):
		"""The desk has loaded and no request or freeze is under way."""
		self.wait(
			lambda driver: self.js(
				"return Boolean(window.frappe && frappe.boot && frappe.boot.user"
				" && !frappe.request.ajax_count && !(frappe.dom && frappe.dom.freeze_count))"
			),
			"the desk to settle",
		)

	def on_form(self, css, what):
		"""An element of the current form's page, once shown and enabled (the desk keeps the pages of
		earlier routes in the document, hidden, so a plain CSS selector may find theirs)."""
		return self.wait(
			lambda driver: next(
				(
					element
					for element in self.js(
						"return window.cur_frm ? [...cur_frm.page.wrapper[0].querySelectorAll(arguments[0])] : []",
						css,
					)
					if element.is_displayed() and element.is_enabled()
				),
				False,
			),
			what,
		)

	def headline(self, css):
		"""The elements matching `css` in the form's headline (frm.dashboard.set_headline_alert)."""
		return self.js(
			"return window.cur_frm ? [...cur_frm.layout.message[0].querySelectorAll(arguments[0])] : []", css
		)

	def group_item(self, group, label):
		"""Click `label` in the form's button group `group` (labels as the scripts give them to __())."""
		group_css, item_css = self.js(
			'const g = `.inner-group-button[data-label="${encodeURIComponent(__(arguments[0]))}"]`;'
			'return [g, `${g} .dropdown-item[data-label="${encodeURIComponent(__(arguments[1]))}"]`];',
			group,
			label,
		)
		self.on_form(f"{group_css} button", f"the {group} button").click()
		self.on_form(item_css, f"{group} > {label}").click()

	def fill(self, fieldname, text):
		"""Type into a field of the form as a user would, then leave it."""
		from selenium.webdriver.common.keys import Keys

		field = self.wait(
			lambda driver: self.js(
				"const field = window.cur_frm && cur_frm.fields_dict[arguments[0]];"
				"return field && field.$input && field.$input.is(':visible') ? field.$input[0] : false;",
				fieldname,
			),
			f"the field {fieldname}",
		)
		field.send_keys(Keys.CONTROL, "a")  # typed over, as a user would: no empty value in between
		field.send_keys(text)
		field.send_keys(Keys.ESCAPE)  # closes a date picker
		self.js("arguments[0].blur()", field)

	# -- the steps ----------------------------------------------------------------------------------

	def open_loan(self):
		loan = self.args.loan
		self.driver.get(self.url(f"/app/employee-loan/{loan}"))
		self.wait(lambda driver: self.doc("name") == loan, f"the form of loan {loan}")
		self.wait_for_desk()
		status = self.doc("status")
		self.log(f"loan {loan} is {status}")
		if status != "Disbursed":
			raise CheckFailed(f"loan {loan} is {status}; only a disbursed loan can be changed")
		self.screenshot("01-loan")
		self.read_console()

	def new_holiday(self):
		loan = self.args.loan
		self.group_item("Change Loan", "EMI Holiday")
		self.wait(
			lambda driver: self.doc("doctype") == "Employee Loan Change"
			and self.doc("employee_loan") == loan
			and self.doc("change_type") == "EMI Holiday"
			and bool(self.doc("company")),
			"a new EMI holiday of the loan (with the loan's company and employee)",
		)
		self.wait_for_desk()
		self.log(f"new EMI holiday for {self.doc('employee_name')} ({self.doc('employee')})")
		self.screenshot("02-new-change")
		self.read_console()

	def first_pending_month(self):
		"""The first month of the loan's first instalment still pending (from the loan, as the HR user)."""
		month = self.driver.execute_async_script(
			"const done = arguments[arguments.length - 1];"
			"frappe.db.get_doc('Employee Loan', arguments[0]).then((loan) => {"
			"  const row = (loan.schedule || []).find((row) => row.status === 'Pending');"
			"  done(row ? moment(row.due_date).startOf('month').format('YYYY-MM-DD') : null);"
			"}, () => done(null));",
			self.args.loan,
		)
		if not month:
			raise CheckFailed(f"loan {self.args.loan} has no pending instalment for a holiday")
		return month

	def figures_shown(self, what, unlike=None):
		"""The rows (label, before, after) of the figures in the form's headline, once they differ from
		`unlike` (the figures of the values before the last edit)."""
		# the form's headline (frm.dashboard.set_headline_alert): the figures, or the refusal in red
		self.wait(
			lambda driver: self.headline(".form-message.red")
			or (self.headline("[data-change-preview]") and self.figure_rows() != unlike),
			what,
		)
		if self.headline(".form-message.red"):
			raise CheckFailed(f"no figures: {self.js('return cur_frm.layout.message.text().trim()')}")
		tables = len(self.headline("[data-change-preview]"))
		if tables != 1:
			raise CheckFailed(f"the headline shows {tables} tables of figures, not one")
		rows = self.figure_rows()
		missing = [label for label, before, after in rows if "—" in (before, after)]
		if len(rows) != 5 or missing:
			raise CheckFailed(f"the figures are not complete: {json.dumps(rows, ensure_ascii=False)}")
		return rows

	def figure_rows(self):
		return self.js(
			"return [...cur_frm.layout.message[0].querySelectorAll('[data-change-preview] tbody tr')]"
			".map((tr) => [...tr.cells].map((td) => td.innerText.trim()))"
		)

	def figures(self):
		from_date = self.args.from_date or self.first_pending_month()
		later = self.js("return moment(arguments[0]).add(1, 'months').format('YYYY-MM-DD')", from_date)
		months = int(self.args.months)
		self.fill("holiday_months", str(months))
		self.wait(lambda driver: self.doc("holiday_months") == months, f"{months} holiday months")
		# a month later first, then the month asked for: the figures follow the edit, and replace the
		# earlier ones
		shown = None
		for month in (later, from_date):
			self.fill("from_date", self.js("return frappe.datetime.str_to_user(arguments[0])", month))
			self.wait(
				lambda driver, month=month: self.doc("from_date") == month, f"From Payroll Month {month}"
			)
			shown = self.figures_shown(f"the figures of a holiday from {month}", unlike=shown)
		rows = shown
		self.log(f"EMI holiday from {from_date}, {months} month(s):")
		for label, before, after in rows:
			self.log(f"  {label}: {before} -> {after}")
		self.fill("reason", self.args.reason)
		self.screenshot("03-figures")
		self.read_console()

	def save(self):
		self.on_form(".page-actions .primary-action", "the Save button").click()
		self.wait(
			lambda driver: not str(self.doc("name") or "new-").startswith("new-")
			and not self.js("return cur_frm.is_dirty()"),
			"the change to be saved",
		)
		self.wait_for_desk()
		name, status = self.doc("name"), self.doc("status")
		indicator = self.on_form(".page-head .indicator-pill", "the status").text.strip()
		self.log(f"saved {name} as {status} (the form says {indicator})")
		if status != "Pending":
			raise CheckFailed(f"change {name} was saved as {status}, not Pending")
		self.screenshot("04-saved")
		self.read_console()
		return name

	def approve(self, name):
		from selenium.webdriver.support import expected_conditions as EC

		self.group_item("Decide", "Approve")
		dialog = ".modal.show"
		self.wait(
			EC.element_to_be_clickable(("css selector", f"{dialog} .btn-primary")), "the Approve dialog"
		)
		self.find(f'{dialog} .frappe-control[data-fieldname="note"] textarea').send_keys(
			"Approved by the browser check"
		)
		self.screenshot("05-approve-dialog")
		self.find(f"{dialog} .btn-primary").click()
		self.wait(
			lambda driver: self.doc("name") == name
			and self.doc("docstatus") == 1
			and self.doc("status") in ("Approved", "Denied", "Cancelled"),
			f"change {name} to be decided",
		)
		self.wait_for_desk()
		status = self.doc("status")
		indicator = self.on_form(".page-head .indicator-pill", "the status").text.strip()
		self.log(f"{name} is {status} (the form says {indicator})")
		if status != "Approved":
			raise CheckFailed(f"change {name} is {status}, not Approved")
		if indicator != self.js("return __('Approved')"):
			raise CheckFailed(f"change {name} is Approved, but the form says {indicator}")
		self.screenshot("06-approved")
		self.read_console()

	def steps(self):
		self.login()
		self.open_loan()
		self.new_holiday()
		self.figures()
		self.approve(self.save())

	def run(self):
		"""The steps, then no error in the console; 0 when all passed, 1 (with a failure.png) otherwise."""
		from selenium.common.exceptions import WebDriverException

		try:
			self.steps()
			if self.console_errors:
				raise CheckFailed(f"{len(self.console_errors)} errors in the browser console")
			self.log(f"passed; {len(self.shots)} screenshots in {self.out}")
			return 0
		except (CheckFailed, WebDriverException) as failure:
			self.log(f"FAILED: {str(failure).splitlines()[0]}")
			try:
				self.read_console()
				self.screenshot("failure")
			except WebDriverException:
				pass
			return 1
		finally:
			self.driver.quit()
			self.profile.cleanup()


def run_check(check_class, args) -> int:
	"""Run a desk check (this one, or another built on it) with its parsed arguments."""
	if selenium_missing():
		return 2
	return check_class(args).run()


def main(argv=None):
	return run_check(DeskChangeCheck, parse_args(argv))


if __name__ == "__main__":
	sys.exit(main())
