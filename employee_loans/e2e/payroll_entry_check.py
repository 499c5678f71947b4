"""Browser check of a Payroll Entry whose submission left salary slips as drafts, in headless Chromium.

Logs in as a payroll officer (an HR Manager), opens the Payroll Entry's form and waits for the section
"Salary Slips Left as Drafts" (payroll_entry.js): a table with each slip, its employee, its loan and the
reason. The slip given with --slip must be listed with all four. It checks that the form shows the
button "Update and Submit Draft Slips" and no dialog (a server error shows one), then presses the button,
confirms, and waits for the form to reload without the section, with every slip listed submitted. The
browser console must stay free of errors throughout (the socket.io connection that `bench serve` does
not offer aside). A full-page screenshot of every step goes to --out:

	python employee_loans/e2e/payroll_entry_check.py --url http://h2.localhost:8220 \\
		--user payroll.officer@example.com --password 'Payroll-Check-1!' \\
		--payroll-entry HR-PRUN-2026-00001 --slip 'Sal Slip/HR-EMP-00001/00001'

employee_loans.e2e.demo_data.setup_payroll_draft_slip makes such a Payroll Entry and user on a test site.
--no-submit only opens the form and checks the list and the button. Needs what portal_check.py needs.
Exit status 0 when every step passed, 1 otherwise (with a failure.png).
"""

import argparse
import sys

if __package__:
	from .desk_change_check import DeskChangeCheck, run_check
	from .portal_check import CheckFailed
else:  # run as a script: python employee_loans/e2e/payroll_entry_check.py
	from desk_change_check import DeskChangeCheck, run_check
	from portal_check import CheckFailed

SECTION = ".employee-loans-draft-slips"
BUTTON = "Update and Submit Draft Slips"


def parse_args(argv=None):
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--url", required=True, help="the site's base URL, e.g. http://h2.localhost:8220")
	parser.add_argument("--user", required=True, help="a payroll officer (HR Manager)")
	parser.add_argument("--password", required=True)
	parser.add_argument("--payroll-entry", required=True, help="a submitted Payroll Entry with draft slips")
	parser.add_argument("--slip", help="a draft salary slip the form must list")
	parser.add_argument(
		"--no-submit", action="store_true", help="only open the form (default: press the button too)"
	)
	parser.add_argument("--out", default="payroll-entry-screenshots", help="folder for the screenshots")
	parser.add_argument("--chromium", default="/usr/bin/chromium")
	parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
	parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for each step")
	return parser.parse_args(argv)


class PayrollEntryCheck(DeskChangeCheck):
	name = "payroll-entry-check"

	def dialogs(self):
		"""The texts of the dialogs shown (a server error, a message)."""
		return self.js("return [...document.querySelectorAll('.modal.show')].map((m) => m.innerText.trim())")

	def listed(self):
		"""The section's rows: salary slip, employee (with name), loan and reason, as shown."""
		return self.js(
			"const section = window.cur_frm && cur_frm.page.wrapper.find(arguments[0])[0];"
			"return section ? [...section.querySelectorAll('tbody tr')]"
			".map((tr) => [...tr.cells].map((td) => td.innerText.trim())) : null;",
			SECTION,
		)

	def open_entry(self):
		name = self.args.payroll_entry
		self.driver.get(self.url(f"/app/payroll-entry/{name}"))
		self.wait(lambda driver: self.doc("name") == name, f"the form of Payroll Entry {name}")
		self.wait_for_desk()
		self.log(f"Payroll Entry {name} is {self.doc('status')}")
		rows = self.wait(lambda driver: self.listed(), "the section Salary Slips Left as Drafts")
		for slip, employee, loan, reason in rows:
			self.log(f"  {slip} | {' '.join(employee.split())} | {loan or '-'} | {reason}")
		if self.args.slip:
			mine = [row for row in rows if row[0] == self.args.slip]
			if not mine:
				raise CheckFailed(f"slip {self.args.slip} is not listed")
			if not all(mine[0]):
				raise CheckFailed(
					f"slip {self.args.slip} is listed without its employee, loan or reason: {mine[0]}"
				)
		self.on_form(
			f'.page-actions button[data-label="{self.js("return encodeURIComponent(__(arguments[0]))", BUTTON)}"]',
			f"the button {BUTTON}",
		)
		shown = self.dialogs()
		if shown:
			raise CheckFailed(f"opening the form shows a dialog: {shown[0][:300]}")
		self.screenshot("01-draft-slips")
		self.read_console()
		return rows

	def update_and_submit(self, rows):
		from selenium.webdriver.support import expected_conditions as EC

		label = self.js("return encodeURIComponent(__(arguments[0]))", BUTTON)
		self.on_form(f'.page-actions button[data-label="{label}"]', f"the button {BUTTON}").click()
		dialog = ".modal.show"
		self.wait(EC.element_to_be_clickable(("css selector", f"{dialog} .btn-primary")), "the confirmation")
		self.screenshot("02-confirm")
		self.find(f"{dialog} .btn-primary").click()
		# HRMS's own message once its submission is done, and the form reloaded without the section
		self.wait(
			lambda driver: self.listed() is None
			and not self.js("return Boolean(frappe.dom.freeze_count)")
			and any(
				"Salary Slips submitted" in text or "Could not submit" in text for text in self.dialogs()
			),
			"the slips to be submitted and the form to reload",
		)
		message = next(
			text for text in self.dialogs() if "Salary Slips submitted" in text or "Could not" in text
		)
		self.log(f"HRMS says: {' '.join(message.split())}")
		self.screenshot("03-submitted")
		if "Could not submit" in message:
			raise CheckFailed(f"HRMS left slips unsubmitted: {message}")
		slips = sorted({row[0] for row in rows})
		states = self.driver.execute_async_script(
			"const done = arguments[arguments.length - 1];"
			"frappe.db.get_list('Salary Slip', {filters: {name: ['in', arguments[0]]}, fields: ['name', 'docstatus']})"
			".then((rows) => done(rows), () => done(null));",
			slips,
		)
		if not states or any(state["docstatus"] != 1 for state in states) or len(states) != len(slips):
			raise CheckFailed(f"not every listed slip is submitted: {states}")
		self.log(f"submitted: {', '.join(slips)}")
		self.read_console()

	def steps(self):
		self.login()
		rows = self.open_entry()
		if not self.args.no_submit:
			self.update_and_submit(rows)


def main(argv=None):
	return run_check(PayrollEntryCheck, parse_args(argv))


if __name__ == "__main__":
	sys.exit(main())
