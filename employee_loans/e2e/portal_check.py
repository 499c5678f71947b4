"""Browser check of the employee self-service portal, in headless Chromium.

Checks that a guest is sent to the login page, logs in as a test employee, opens Apply for a Loan,
fills it in, waits for the EMI preview, submits, finds the application in My Loans (also at a phone's
width), opens the first disbursed loan listed (else the first loan, if the employee has one) and its
statement of account (once that print format exists). On a disbursed loan it asks for an EMI holiday:
the first month offered, 1 month, a reason; it waits for the live preview of the new EMI and last EMI,
sends the request, finds the Pending change listed on the reloaded loan page and (unless --keep)
withdraws it with the row's Withdraw button. Then it opens the new application and (unless --keep)
withdraws it again. A full-page screenshot of every page goes to --out. Runnable against any site URL:

	python employee_loans/e2e/portal_check.py --url http://portal.localhost:8001 \\
		--user portal.employee@example.com --password 'Portal-Check-1!'

Needs Selenium (pip install selenium; it is not a dependency of the app) and Debian's chromium and
chromium-driver packages (/usr/bin/chromium, /usr/bin/chromedriver). Exit status 0 when every step
passed, 1 otherwise (with a failure.png of the page it stopped on).
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

CHROMIUM_FLAGS = (
	"--headless=new",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--disable-dev-shm-usage",
)
DESKTOP = (1280, 900)
MOBILE = (390, 844)


class CheckFailed(Exception):
	pass


def add_browser_args(parser):
	"""The options every browser check shares: where Chromium and its driver are, how long to wait."""
	parser.add_argument("--chromium", default="/usr/bin/chromium")
	parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
	parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for each step")


def selenium_missing() -> bool:
	try:
		import selenium  # noqa: F401
	except ImportError:
		print("This check needs Selenium: pip install selenium", file=sys.stderr)
		return True
	return False


def parse_args(argv=None):
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--url", required=True, help="the site's base URL, e.g. http://portal.localhost:8001")
	parser.add_argument("--user", required=True, help="a test employee's login (user linked to an Employee)")
	parser.add_argument("--password", required=True)
	parser.add_argument("--out", default="portal-screenshots", help="folder for the screenshots")
	parser.add_argument("--category", help="loan category (name or label); default: the first one offered")
	parser.add_argument("--amount", default="50000")
	parser.add_argument("--tenure", default="12", help="months")
	parser.add_argument("--reason", default="Browser check of the self-service portal")
	parser.add_argument("--holiday-reason", default="Browser check: an EMI holiday asked for from the portal")
	parser.add_argument(
		"--keep", action="store_true", help="leave the application and the change Pending (default: withdraw)"
	)
	add_browser_args(parser)
	return parser.parse_args(argv)


class PortalCheck:
	# what the browser logs for driver.get_log(): its console
	logging_prefs = {"browser": "ALL"}

	def __init__(self, args):
		from selenium import webdriver
		from selenium.webdriver.chrome.service import Service

		self.args = args
		self.base = args.url.rstrip("/") + "/"
		self.out = Path(args.out)
		self.out.mkdir(parents=True, exist_ok=True)
		self.profile = tempfile.TemporaryDirectory(prefix="portal-check-")
		options = webdriver.ChromeOptions()
		options.binary_location = args.chromium
		for flag in CHROMIUM_FLAGS:
			options.add_argument(flag)
		options.add_argument(f"--user-data-dir={self.profile.name}")
		options.add_argument(f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
		options.set_capability("goog:loggingPrefs", self.logging_prefs)
		self.driver = webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)
		self.driver.set_page_load_timeout(args.timeout * 2)
		self.shots = []

	# -- helpers ------------------------------------------------------------------------------------

	name = "portal-check"

	def log(self, message):
		print(f"[{self.name}] {message}", flush=True)

	def url(self, route):
		return urljoin(self.base, route.lstrip("/"))

	def wait(self, condition, what):
		"""Until `condition` holds; elements replaced by a reload meanwhile are simply looked up again."""
		from selenium.common.exceptions import (
			NoSuchElementException,
			StaleElementReferenceException,
			TimeoutException,
		)
		from selenium.webdriver.support.ui import WebDriverWait

		try:
			return WebDriverWait(
				self.driver,
				self.args.timeout,
				ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
			).until(condition)
		except TimeoutException:
			raise CheckFailed(f"timed out waiting for {what} on {self.driver.current_url}")

	def find(self, css):
		from selenium.webdriver.common.by import By

		return self.driver.find_element(By.CSS_SELECTOR, css)

	def present(self, css):
		from selenium.webdriver.common.by import By

		return bool(self.driver.find_elements(By.CSS_SELECTOR, css))

	def visible_text(self, css):
		return self.find(css).text.strip()

	def screenshot(self, name, size=DESKTOP):
		"""The whole page, not only the window: the window is stretched to the page's height first."""
		driver = self.driver
		driver.set_window_size(*size)
		time.sleep(0.3)
		height = driver.execute_script(
			"return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)"
		)
		driver.set_window_size(size[0], min(max(height + 120, size[1]), 6000))
		time.sleep(0.3)
		path = self.out / f"{name}.png"
		driver.save_screenshot(str(path))
		driver.set_window_size(*size)
		self.shots.append(path)
		self.log(f"screenshot {path}")

	def page_has_no_error(self):
		source = self.driver.page_source
		for marker in ("Traceback (most recent call last)", "Internal Server Error"):
			if marker in source:
				raise CheckFailed(f"{self.driver.current_url} shows an error page ({marker})")

	# -- the steps ----------------------------------------------------------------------------------

	def guest_is_sent_to_login(self):
		from selenium.webdriver.support import expected_conditions as EC

		self.driver.get(self.url("/my-loans"))
		self.wait(EC.url_contains("/login"), "the redirect of a guest to the login page")
		if "redirect-to=%2Fmy-loans" not in self.driver.current_url:
			raise CheckFailed(f"a guest was sent to {self.driver.current_url}, not back to /my-loans")
		self.log("a guest opening /my-loans is sent to the login page")

	def login(self):
		from selenium.webdriver.support import expected_conditions as EC

		self.driver.get(self.url("/login"))
		self.wait(EC.visibility_of_element_located(("css selector", "#login_email")), "the login form")
		self.find("#login_email").send_keys(self.args.user)
		self.find("#login_password").send_keys(self.args.password)
		self.find(".btn-login").click()
		self.wait(
			lambda driver: (driver.get_cookie("user_id") or {}).get("value") not in (None, "Guest"),
			"the login to complete",
		)
		self.log(f"logged in as {self.args.user}")

	def apply(self):
		from selenium.webdriver.support import expected_conditions as EC
		from selenium.webdriver.support.ui import Select

		self.driver.get(self.url("/apply-for-loan"))
		self.page_has_no_error()
		if self.present('[data-loans-portal="not-linked"]'):
			raise CheckFailed(f"{self.args.user} is not linked to an Employee")
		self.wait(EC.presence_of_element_located(("css selector", "#loan-application-form")), "the form")
		self.screenshot("01-apply-for-a-loan")

		category = Select(self.find("#loan_category"))
		if self.args.category:
			values = [option.get_attribute("value") for option in category.options]
			if self.args.category in values:
				category.select_by_value(self.args.category)
			else:
				category.select_by_visible_text(self.args.category)
		self.log(f"category {category.first_selected_option.text}")
		# note the methods the page calls through Frappe's own client
		self.driver.execute_script(
			"window.loans_portal_calls = [];"
			"const call = frappe.call;"
			"frappe.call = function (opts) { window.loans_portal_calls.push(opts.method); return call.apply(this, arguments); };"
		)
		self.find("#loan_amount").send_keys(self.args.amount)
		self.find("#tenure_months").send_keys(self.args.tenure)
		self.wait(
			lambda driver: self.find("#preview-emi").text.strip() not in ("", "—")
			and "d-none" not in self.find("#preview-figures").get_attribute("class"),
			"the EMI preview",
		)
		calls = self.driver.execute_script("return window.loans_portal_calls")
		if "employee_loans.api.preview_application" not in calls:
			raise CheckFailed(f"the preview did not come through frappe.call (calls: {calls})")
		emi = self.visible_text("#preview-emi")
		findings = self.visible_text("#preview-findings")
		self.log(f"EMI preview {emi}; findings: {findings or '-'}")
		self.find("#reason").send_keys(self.args.reason)
		self.screenshot("02-apply-emi-preview")
		submit = self.find("#submit-application")
		if not submit.is_enabled():
			raise CheckFailed(f"the application is blocked: {findings}")
		submit.click()
		self.wait(EC.url_contains("/my-loans?applied="), "the redirect to My Loans")
		self.page_has_no_error()
		return emi

	def my_loans(self):
		from selenium.webdriver.support import expected_conditions as EC

		self.wait(
			EC.presence_of_element_located(("css selector", '[data-loans-portal="applied"]')), "the notice"
		)
		applied = self.driver.current_url.split("applied=", 1)[1].split("&")[0]
		row = f'[data-application="{applied}"]'
		if not self.present(row):
			raise CheckFailed(f"application {applied} is not listed in My Loans")
		status = self.find(f"{row} .loan-status").get_attribute("data-status")
		self.log(f"My Loans lists {applied} as {status}")
		if status != "Pending":
			raise CheckFailed(f"application {applied} is {status}, not Pending")
		self.screenshot("03-my-loans")
		self.screenshot("04-my-loans-mobile", MOBILE)
		loans = [
			{
				"href": card.find_element("css selector", "a.loan-title").get_attribute("href"),
				"status": card.find_element("css selector", ".loan-status").get_attribute("data-status"),
			}
			for card in self.driver.find_elements("css selector", "[data-loan]")
		]
		return applied, loans

	def loan(self, href):
		from selenium.webdriver.support import expected_conditions as EC

		self.driver.get(href)
		self.page_has_no_error()
		self.wait(EC.presence_of_element_located(("css selector", ".page_content .frappe-card")), "the loan")
		rows = self.driver.find_elements("css selector", '[data-loans-portal="schedule"] tbody tr')
		paid = [row for row in rows if "loan-row-paid" in (row.get_attribute("class") or "")]
		self.log(f"loan page {href}: {len(rows)} instalments, {len(paid)} paid")
		self.screenshot("05-loan")
		self.screenshot("06-loan-mobile", MOBILE)
		statement = self.driver.find_elements("css selector", '[data-loans-portal="statement"] a')
		if not statement:
			self.log("no statement of account link (the print format is not on this site)")
			return
		self.driver.get(statement[0].get_attribute("href"))
		self.page_has_no_error()
		self.wait(EC.presence_of_element_located(("css selector", ".print-format")), "the statement")
		self.log("statement of account opens")
		self.screenshot("07-statement-of-account")

	def emi_holiday(self, href):
		"""Ask for a 1-month EMI holiday from the first month offered, as the employee would."""
		from selenium.webdriver.support import expected_conditions as EC
		from selenium.webdriver.support.ui import Select

		self.driver.get(href)
		self.page_has_no_error()
		form = "#emi-holiday-form"
		self.wait(EC.presence_of_element_located(("css selector", form)), "the EMI holiday form")
		if not self.present("#holiday-from-date"):
			self.log(f"no EMI holiday to ask for: {self.visible_text(form + ' p:last-child')}")
			return None
		# note the methods the page calls through Frappe's own client, kept across the reload that follows
		self.driver.execute_script(
			"sessionStorage.setItem('loans_portal_calls', '[]');"
			"const call = frappe.call;"
			"frappe.call = function (opts) {"
			"  const calls = JSON.parse(sessionStorage.getItem('loans_portal_calls'));"
			"  sessionStorage.setItem('loans_portal_calls', JSON.stringify([...calls, opts.method]));"
			"  return call.apply(this, arguments);"
			"};"
		)
		first_month = Select(self.find("#holiday-from-date"))
		first_month.select_by_index(0)
		month = first_month.first_selected_option.text.strip()
		preview = f"{form} [data-preview]"
		# empty the months first, so the preview waited for below is the one of the values typed
		self.find("#holiday-months").clear()
		self.wait(
			lambda driver: self.find(preview).get_attribute("data-state") == "incomplete",
			"the holiday preview to ask for the months",
		)
		self.find("#holiday-months").send_keys("1")
		self.find("#holiday-reason").send_keys(self.args.holiday_reason)
		self.wait(
			lambda driver: self.find(preview).get_attribute("data-state") in ("ready", "refused", "error"),
			"the holiday preview",
		)
		state = self.find(preview).get_attribute("data-state")
		if state == "error":
			raise CheckFailed(f"no EMI holiday preview: {self.visible_text(form + ' [data-error]')}")
		if state == "refused":
			# the loan's rules say no (its holiday months used up, a pre-closure pending): the page
			# shows why, and there is nothing to send
			self.log(f"the EMI holiday is refused, nothing sent: {self.visible_text(form + ' [data-error]')}")
			self.screenshot("08-emi-holiday-refused")
			return None
		emi = self.visible_text(f'{preview} [data-figure="emi"]')
		last_emi = self.visible_text(f'{preview} [data-figure="end_date"]')
		self.log(f"EMI holiday from {month}, 1 month: {emi}; {last_emi}")
		self.screenshot("08-emi-holiday-preview")
		self.find(f"{form} button[type=submit]").click()
		self.wait(EC.url_contains("requested="), "the loan page after the request")
		self.page_has_no_error()
		self.wait(
			EC.presence_of_element_located(("css selector", '[data-loans-portal="change-requested"]')),
			"the notice of the request",
		)
		calls = self.driver.execute_script("return JSON.parse(sessionStorage.getItem('loans_portal_calls'))")
		if not any(call.endswith(".request_change") for call in calls or []):
			raise CheckFailed(f"the request did not go through frappe.call (calls: {calls})")
		requested = parse_qs(urlsplit(self.driver.current_url).query)["requested"][0]
		row = f'[data-change="{requested}"]'
		if not self.present(row):
			raise CheckFailed(f"change {requested} is not listed on the loan page")
		status = self.find(f"{row} .loan-status").get_attribute("data-status")
		self.log(f"the loan page lists {requested} as {status}")
		if status != "Pending":
			raise CheckFailed(f"change {requested} is {status}, not Pending")
		self.screenshot("09-emi-holiday-requested")
		self.screenshot("10-emi-holiday-requested-mobile", MOBILE)
		if not self.args.keep:
			self.withdraw_change(requested)
		return requested

	def withdraw_change(self, requested):
		from selenium.webdriver.support import expected_conditions as EC

		row = f'[data-change="{requested}"]'
		self.find(f'{row} [data-withdraw-change="{requested}"]').click()
		confirm = ".modal.show .modal-footer .btn-primary"  # frappe.confirm's Yes
		self.wait(EC.element_to_be_clickable(("css selector", confirm)), "the confirmation")
		self.screenshot("10a-change-withdraw-confirmation")
		self.find(confirm).click()
		self.wait(
			lambda driver: self.present(f"{row} .loan-status")
			and self.find(f"{row} .loan-status").get_attribute("data-status") == "Withdrawn",
			"the change to be Withdrawn",
		)
		self.page_has_no_error()
		if self.present(f"{row} [data-withdraw-change]"):
			raise CheckFailed(f"change {requested} is Withdrawn but still offers Withdraw")
		self.log(f"withdrew {requested}")
		self.screenshot("10b-change-withdrawn")

	def application(self, name):
		from selenium.webdriver.support import expected_conditions as EC

		self.driver.get(self.url(f"/my-loans/application?name={name}"))
		self.page_has_no_error()
		self.wait(
			EC.presence_of_element_located(("css selector", "#withdraw-application")), "the application"
		)
		self.screenshot("11-application")
		if self.args.keep:
			return
		self.find("#withdraw-application").click()
		# Frappe's confirmation dialog (frappe.confirm): its primary button says Yes
		confirm = ".modal.show .modal-footer .btn-primary"
		self.wait(EC.element_to_be_clickable(("css selector", confirm)), "the confirmation")
		self.screenshot("12-withdraw-confirmation")
		self.find(confirm).click()
		self.wait(
			lambda driver: self.present(".page-header .loan-status")
			and self.find(".page-header .loan-status").get_attribute("data-status") == "Withdrawn",
			"the application to be Withdrawn",
		)
		self.log(f"withdrew {name}")
		self.screenshot("13-application-withdrawn")

	def run(self):
		from selenium.common.exceptions import WebDriverException

		try:
			self.guest_is_sent_to_login()
			self.login()
			self.apply()
			name, loans = self.my_loans()
			disbursed = [loan["href"] for loan in loans if loan["status"] == "Disbursed"]
			if loans:
				self.loan((disbursed or [loans[0]["href"]])[0])
			else:
				self.log("the employee has no loan yet: no loan page to check")
			if disbursed:
				self.emi_holiday(disbursed[0])
			else:
				self.log("the employee has no disbursed loan: no EMI holiday to ask for")
			self.application(name)
			self.log(f"passed; {len(self.shots)} screenshots in {self.out}")
			return 0
		except (CheckFailed, WebDriverException) as failure:
			self.log(f"FAILED: {str(failure).splitlines()[0]}")
			try:
				self.screenshot("failure")
			except WebDriverException:
				pass
			return 1
		finally:
			self.driver.quit()
			self.profile.cleanup()


def main(argv=None):
	args = parse_args(argv)
	if selenium_missing():
		return 2
	return PortalCheck(args).run()


if __name__ == "__main__":
	sys.exit(main())
