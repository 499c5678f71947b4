"""Browser check of going live: an HR Manager brings existing loans in from a file, in headless Chromium.

Logs in as an HR Manager, opens the Employee Loan list, chooses Bring In Existing Loans > From a File,
fills in the go-live date, attaches a CSV file through the desk's uploader and saves; Check File on a
file with one row of an unknown employee must list that row's problem and leave the import at Problems
Found. It clears the attachment, attaches the corrected file, checks it again (Ready), brings the loans
in (Brought In), opens View Loans, finds the file's loans there and opens one: brought in, its schedule
starting with the opening line Before Go-live. The browser console must stay free of errors throughout
(the socket.io polling that `bench serve` does not answer aside). The files and a full-page screenshot
of every step go to --out:

	python employee_loans/e2e/going_live_check.py --url http://going-live.localhost:8001 \\
		--user going.live.hr@example.com --password 'Going-Live-1!' --employees HR-EMP-00011,HR-EMP-00012

The employees must be Active, of the company (--company, default _Test Company), with no salary slip
submitted for the go-live month (the first of this month); the company needs the categories --categories
names (the starter ones) and a Temporary Opening account. Each run brings in two new loans (their old
system references carry the run's time), on that site for good. Needs what portal_check.py needs. Exit
status 0 when every step passed, 1 otherwise (with a failure.png).
"""

import argparse
import csv
import sys
import time
from datetime import date
from pathlib import Path

if __package__:
	from .desk_change_check import DeskChangeCheck, run_check
	from .portal_check import CheckFailed
else:  # run as a script: python employee_loans/e2e/going_live_check.py
	from desk_change_check import DeskChangeCheck, run_check
	from portal_check import CheckFailed

HEADER = (
	"Employee", "Loan Category", "Amount Lent", "Annual Interest Rate", "Tenure (Months)",
	"Original Disbursement Date", "Outstanding Principal at Go-live", "Old System Reference",
)  # fmt: skip


def parse_args(argv=None):
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument(
		"--url", required=True, help="the site's base URL, e.g. http://going-live.localhost:8001"
	)
	parser.add_argument("--user", required=True, help="an HR Manager")
	parser.add_argument("--password", required=True)
	parser.add_argument("--employees", required=True, help="two Employee IDs, comma-separated")
	parser.add_argument("--company", default="_Test Company")
	parser.add_argument(
		"--categories",
		default="Personal - _TC,Emergency - _TC",
		help="an interest-bearing and an interest-free one",
	)
	parser.add_argument(
		"--out", default="going-live-screenshots", help="folder for the files and screenshots"
	)
	parser.add_argument("--chromium", default="/usr/bin/chromium")
	parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
	parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for each step")
	return parser.parse_args(argv)


def months_before(day: date, months: int) -> date:
	index = day.year * 12 + day.month - 1 - months
	return date(index // 12, index % 12 + 1, 15)


class GoingLiveCheck(DeskChangeCheck):
	name = "going-live-check"

	def __init__(self, args):
		super().__init__(args)
		self.go_live = date.today().replace(day=1)
		self.run_id = time.strftime("%Y%m%d%H%M%S")

	# -- the files a person fills in ---------------------------------------------------------------

	def write_file(self, name: str, rows: list[list]) -> Path:
		path = (self.out / name).resolve()
		with path.open("w", newline="") as file:
			writer = csv.writer(file)
			writer.writerow(HEADER)
			writer.writerows(rows)
		return path

	def rows(self) -> list[list]:
		"""An 8 % loan of 1,20,000 over 24 months disbursed six months ago with 90,000 left, and an
		interest-free one of 60,000 over 12 months disbursed four months ago with 40,000 left."""
		first, second = self.args.employees.split(",")[:2]
		personal, emergency = self.args.categories.split(",")[:2]
		return [
			[
				first,
				personal,
				"120000",
				"8",
				"24",
				months_before(self.go_live, 6),
				"90000",
				f"GL-{self.run_id}-1",
			],
			[
				second,
				emergency,
				"60000",
				"0",
				"12",
				months_before(self.go_live, 4),
				"40000",
				f"GL-{self.run_id}-2",
			],
		]

	# -- helpers --------------------------------------------------------------------------------------

	def list_group_item(self, group, label):
		"""Click `label` in the list view's button group `group`."""
		group_css, item_css = self.js(
			'const g = `.inner-group-button[data-label="${encodeURIComponent(__(arguments[0]))}"]`;'
			'return [g, `${g} .dropdown-item[data-label="${encodeURIComponent(__(arguments[1]))}"]`];',
			group,
			label,
		)
		page = "window.cur_list ? [...cur_list.page.wrapper[0].querySelectorAll(arguments[0])] : []"

		def shown(css):
			return lambda driver: next(
				(element for element in self.js(f"return {page}", css) if element.is_displayed()), False
			)

		self.wait(shown(f"{group_css} button"), f"the {group} button").click()
		self.wait(shown(item_css), f"{group} > {label}").click()

	def button(self, label):
		"""A button of the form's toolbar, by its label."""
		return self.wait(
			lambda driver: next(
				(
					element
					for element in self.js(
						"return window.cur_frm ? [...cur_frm.page.wrapper[0].querySelectorAll("
						"'.page-actions button, .page-actions .btn')] : []"
					)
					if element.is_displayed()
					and element.text.strip() == self.js("return __(arguments[0])", label)
				),
				False,
			),
			f"the {label} button",
		)

	def attach(self, path: Path):
		"""Attach a file to Loans to Bring In as a person does: Attach, the file from the device, Upload."""
		from selenium.webdriver.common.by import By

		field = "[data-fieldname='import_file']"
		self.wait(lambda driver: not self.present(".modal.show"), "no dialog in the way")
		self.on_form(f"{field} .btn-attach", "the Attach button").click()
		dialog = ".modal.show"
		chooser = self.wait(
			lambda driver: driver.find_elements(By.CSS_SELECTOR, f"{dialog} input[type='file']"),
			"the uploader",
		)[0]
		chooser.send_keys(str(path))
		self.wait(lambda driver: path.name in self.find(dialog).text, f"{path.name} in the uploader")
		self.screenshot(f"{path.stem}-uploader")
		self.find(f"{dialog} .btn-modal-primary").click()
		self.wait(lambda driver: (self.doc("import_file") or "").endswith(path.name), f"{path.name} attached")
		self.wait_for_desk()

	def save(self):
		self.js("cur_frm.save()")
		self.wait(
			lambda driver: not str(self.doc("name") or "new-").startswith("new-")
			and not self.js("return cur_frm.is_dirty()"),
			"the import to be saved",
		)
		self.wait_for_desk()

	def status_becomes(self, status):
		self.wait(lambda driver: self.doc("status") == status, f"the import to be {status}")
		self.wait_for_desk()

	def dismiss_alerts(self):
		"""Close the desk's alerts (Saved, ...) that cover the form's right-hand side, as a person would."""
		self.js("document.querySelectorAll('#alert-container .desk-alert .close').forEach((x) => x.click())")
		self.wait(
			lambda driver: not self.js(
				"return document.querySelectorAll('#alert-container .desk-alert').length"
			),
			"the alerts to close",
		)

	def problems(self):
		return self.js(
			"return (cur_frm.doc.problems || []).map((row) => [row.row_number, row.severity, row.message])"
		)

	# -- the steps ----------------------------------------------------------------------------------

	def new_import(self):
		self.driver.get(self.url("/app/employee-loan"))
		self.wait(
			lambda driver: self.js("return Boolean(window.cur_list && cur_list.doctype === 'Employee Loan')"),
			"the loan list",
		)
		self.wait_for_desk()
		self.screenshot("01-loan-list")
		self.list_group_item("Bring In Existing Loans", "From a File")
		self.wait(lambda driver: self.doc("doctype") == "Employee Loan Import", "a new Employee Loan Import")
		self.wait_for_desk()
		if not self.doc("company"):
			self.fill("company", self.args.company)
			self.wait(lambda driver: self.doc("company") == self.args.company, "the company")
		self.fill(
			"go_live_date", self.js("return frappe.datetime.str_to_user(arguments[0])", str(self.go_live))
		)
		self.wait(lambda driver: self.doc("go_live_date") == str(self.go_live), f"go-live {self.go_live}")
		self.log(f"new import of {self.args.company}, go-live {self.go_live}")
		self.read_console()

	def refused_file(self):
		rows = self.rows()
		bad = self.write_file(
			f"loans-{self.run_id}-with-a-bad-row.csv",
			[*rows, ["HR-EMP-NOBODY", *rows[1][1:7], f"GL-{self.run_id}-3"]],
		)
		self.attach(bad)
		self.save()
		self.log(f"saved {self.doc('name')} with {bad.name}")
		self.screenshot("02-saved")
		self.button("Check File").click()
		self.status_becomes("Problems Found")
		errors = [row for row in self.problems() if row[1] == "Error"]
		self.log(f"Check File: {errors}")
		if not any(row[0] == 4 and "HR-EMP-NOBODY" in row[2] for row in errors):
			raise CheckFailed(f"row 4's unknown employee is not listed: {self.problems()}")
		if self.button("Check File") and any(
			element.is_displayed() and "Bring In" in element.text
			for element in self.js(
				"return [...cur_frm.page.wrapper[0].querySelectorAll('.page-actions button')]"
			)
		):
			raise CheckFailed("Bring In is offered for a file with an error")
		self.screenshot("03-problems-found")
		self.read_console()

	def corrected_file(self):
		good = self.write_file(f"loans-{self.run_id}.csv", self.rows())
		self.dismiss_alerts()
		from selenium.webdriver.support import expected_conditions as EC

		self.on_form("[data-fieldname='import_file'] [data-action='clear_attachment']", "Clear").click()
		self.wait(
			EC.element_to_be_clickable(("css selector", ".modal.show .btn-primary")), "delete the attachment?"
		)
		self.find(".modal.show .btn-primary").click()  # Yes
		self.wait(lambda driver: not self.doc("import_file"), "the attachment to be cleared")
		self.wait(lambda driver: not self.present(".modal.show"), "the confirmation to close")
		self.wait_for_desk()
		self.attach(good)
		self.save()
		self.status_becomes("Not Checked")
		self.button("Check File").click()
		self.status_becomes("Ready")
		self.log(f"Check File: ready; warnings: {[row for row in self.problems() if row[1] == 'Warning']}")
		self.screenshot("04-ready")
		self.read_console()

	def bring_in(self):
		from selenium.webdriver.support import expected_conditions as EC

		self.button("Bring In {0} Loans".replace("{0}", "2")).click()
		self.wait(
			EC.element_to_be_clickable(("css selector", ".modal.show .btn-primary")), "the confirmation"
		)
		self.screenshot("05-confirm")
		self.find(".modal.show .btn-primary").click()
		self.status_becomes("Brought In")
		self.log(f"{self.doc('name')}: {self.doc('loans_brought_in')} loans brought in")
		if self.doc("loans_brought_in") != 2:
			raise CheckFailed(f"{self.doc('loans_brought_in')} loans brought in, not 2")
		self.screenshot("06-brought-in")
		self.read_console()

	def find_loans(self):
		name = self.doc("name")
		self.button("View Loans").click()
		self.wait(
			lambda driver: self.js(
				"return Boolean(window.cur_list && cur_list.doctype === 'Employee Loan' && cur_list.data)"
			)
			and len(self.js("return cur_list.data")) == 2
			and self.js(
				"return cur_list.filters.some((f) => f[1] === 'loan_import' && f[3] === arguments[0])", name
			),
			f"the two loans of {name} in the list",
		)
		self.wait_for_desk()
		loans = self.js("return cur_list.data.map((row) => row.name)")
		self.log(f"the list shows {loans}")
		self.screenshot("07-loans")
		self.driver.get(self.url(f"/app/employee-loan/{loans[0]}"))
		self.wait(lambda driver: self.doc("name") == loans[0], f"the form of {loans[0]}")
		self.wait_for_desk()
		brought_in, status = self.doc("brought_in"), self.doc("status")
		first_row = self.js("return (cur_frm.doc.schedule || [])[0].status")
		self.log(f"{loans[0]}: {status}, brought in {brought_in}, first schedule row {first_row}")
		if (brought_in, status, first_row) != (1, "Disbursed", "Before Go-live"):
			raise CheckFailed(f"{loans[0]} is not a disbursed loan brought in with its opening line")
		self.screenshot("08-loan")
		self.read_console()

	def one_loan(self):
		"""Bring In Existing Loans > One Loan on the loan list: the dialog checks the loan (with a warning
		for an EMI above the limit it asks again) and opens the loan it brought in."""
		from selenium.webdriver.support import expected_conditions as EC

		self.driver.get(self.url("/app/employee-loan"))
		self.wait(
			lambda driver: self.js("return Boolean(window.cur_list && cur_list.doctype === 'Employee Loan')"),
			"the loan list",
		)
		self.wait_for_desk()
		self.list_group_item("Bring In Existing Loans", "One Loan")
		self.wait(EC.element_to_be_clickable(("css selector", ".modal.show .btn-primary")), "the dialog")
		first = self.args.employees.split(",")[0]
		emergency = self.args.categories.split(",")[1]
		self.js(
			"cur_dialog.set_values(arguments[0])",
			{
				"company": self.args.company,
				"employee": first,
				"loan_category": emergency,
				"loan_amount": 24000,
				"annual_interest_rate": 0,
				"tenure_months": 12,
				"disbursement_date": str(months_before(self.go_live, 3)),
				"go_live_date": str(self.go_live),
				"outstanding_at_go_live": 18000,
				"old_system_reference": f"GL-{self.run_id}-4",
			},
		)
		self.wait_for_desk()
		self.screenshot("09-one-loan")
		for _attempt in range(2):  # Check and Bring In, then Bring In Anyway after warnings
			if self.doc("doctype") == "Employee Loan":
				break
			button = self.find(".modal.show .btn-primary")
			self.js("arguments[0].scrollIntoView({block: 'center'})", button)
			button.click()
			self.wait(
				lambda driver: self.doc("doctype") == "Employee Loan"
				or self.js("return Boolean(window.cur_dialog && cur_dialog.confirmed)"),
				"the loan, or its warnings",
			)
			self.wait_for_desk()
		if (
			self.doc("doctype") != "Employee Loan"
			or self.doc("old_system_reference") != f"GL-{self.run_id}-4"
		):
			raise CheckFailed("the dialog did not bring the loan in")
		self.log(f"one loan brought in from the dialog: {self.doc('name')}, {self.doc('status')}")
		self.screenshot("10-one-loan-brought-in")
		self.read_console()

	def steps(self):
		self.login()
		self.new_import()
		self.refused_file()
		self.corrected_file()
		self.bring_in()
		self.find_loans()
		self.one_loan()


def main(argv=None):
	return run_check(GoingLiveCheck, parse_args(argv))


if __name__ == "__main__":
	sys.exit(main())
