"""Browser check of every desk page the app adds, in headless Chromium, as HR and as an employee.

The pages come from the list `employee_loans.e2e.desk_pages.setup` writes on a test site: the module's
workspaces, each DocType's list and a form of a record of it, its Single DocTypes (the settings) and its
reports, each with whether each user may open it; a page added to the module later is in that list
without a change here. For each user of the list (an HR Manager, an employee) the check logs in and opens
every page, reports with their default filters. On every form it then opens each of the form's own
buttons, and each item of its button groups (the loan's Actions and Change Loan among them): a dialog is
looked at and closed without pressing its primary action; a button that opens another page is followed.
The browser is never let call a method that changes something (the list's write_methods): the check
changes nothing on the site.

A page passes when it opens (the workspace, list, form or report is shown) for a user who may open it,
or shows Frappe's clean refusal ("Not Permitted", "not found") for one who may not. It fails on any HTTP
response of 500 or more or a server error dialog (a traceback, "Server Error"); where its user may open
it, also on any error in the browser console (the socket.io polling `bench serve` does not answer
aside), any request the server refused on the way (the page asked for more than its user may read) and
any dialog that says "not permitted"; where they may not, on anything but the refusal (Frappe's own
console noise about the refused request aside, not an error of the app's scripts):

	python employee_loans/e2e/desk_pages_check.py --url http://portal.localhost:8001 \\
		--pages /tmp/desk-pages.json --password 'Desk-Check-1!' --out desk-pages-screenshots

Needs what portal_check.py needs. Prints one line per page and user, writes them to results.json in
--out with a screenshot of every page and dialog; exit status 0 when every page passed, 1 otherwise.
"""

import argparse
import json
import sys
import time

if __package__:
	from .desk_change_check import IGNORED_CONSOLE, DeskChangeCheck
	from .portal_check import CheckFailed, add_browser_args, selenium_missing
else:  # run as a script: python employee_loans/e2e/desk_pages_check.py
	from desk_change_check import IGNORED_CONSOLE, DeskChangeCheck
	from portal_check import CheckFailed, add_browser_args, selenium_missing

# the browser's own console line for a refused request: the page says why (a 5xx fails through the
# network log instead)
REFUSED_REQUEST = "the server responded with a status of 4"
# what a clean refusal says (Frappe's not-permitted and not-found pages and dialogs), in English
REFUSALS = (
	"Not Permitted",
	"not permitted",
	"Insufficient Permission",
	"No permission",
	"don't have access",
	"do not have permission",
	"Not Found",
	"not found",
)
# request.js echoes the traceback of every error response to the console
SERVER_TRACEBACK = "Traceback (most recent call last)"
SERVER_ERRORS = ("Server Error", "Traceback (most recent call last)", "pymysql.err", "Internal Server Error")

# Installed in every desk page: the calls that would change something never leave the browser.
GUARD = """
if (!window.desk_check_blocked) {
	window.desk_check_blocked = [];
	const writes = new Set(arguments[0]);
	const call = frappe.call;
	frappe.call = function (opts) {
		const method = typeof opts === "string" ? opts : opts && opts.method;
		if (writes.has(method)) {
			window.desk_check_blocked.push(method);
			return new Promise(() => {});  // never answered: nothing was sent
		}
		return call.apply(this, arguments);
	};
}
"""

# What the desk shows now: the route, the visible dialogs and the text of the page in front.
STATE = """
const visible = (el) => Boolean(el && el.getClientRects().length);
const dialogs = [...document.querySelectorAll(".modal.show")].filter(visible).map((modal) => ({
	title: (modal.querySelector(".modal-title") || {}).innerText || "",
	text: (modal.querySelector(".modal-body") || modal).innerText.slice(0, 2000),
}));
const page = [...document.querySelectorAll("#body .page-container")].find(visible);
return {
	route: window.frappe && frappe.get_route ? frappe.get_route() : [],
	dialogs,
	page_text: page ? page.innerText.slice(0, 3000) : document.body.innerText.slice(0, 3000),
	list: window.cur_list ? cur_list.doctype : null,
	form: window.cur_frm && cur_frm.page && visible(cur_frm.page.wrapper[0])
		? [cur_frm.doctype, cur_frm.docname, cur_frm.is_new() ? 1 : 0] : null,
	report: window.frappe && frappe.query_report ? frappe.query_report.report_name : null,
	blocked: window.desk_check_blocked || [],
};
"""

# The form's own buttons: [group label or null, item label], as shown (translated).
FORM_BUTTONS = """
if (!window.cur_frm) return [];
const toolbar = cur_frm.page.inner_toolbar[0];
const found = [];
for (const button of toolbar.querySelectorAll(":scope > button[data-label]")) {
	found.push([null, decodeURIComponent(button.dataset.label)]);
}
for (const group of toolbar.querySelectorAll(".inner-group-button[data-label]")) {
	for (const item of group.querySelectorAll(".dropdown-item[data-label]")) {
		found.push([decodeURIComponent(group.dataset.label), decodeURIComponent(item.dataset.label)]);
	}
}
return found;
"""


def parse_args(argv=None):
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--url", required=True, help="the site's base URL, e.g. http://portal.localhost:8001")
	parser.add_argument(
		"--pages", required=True, help="the JSON file employee_loans.e2e.desk_pages.setup wrote"
	)
	parser.add_argument("--password", required=True, help="the password setup gave both users")
	parser.add_argument("--out", default="desk-pages-screenshots", help="folder for screenshots and results")
	parser.add_argument("--only", help="open only the pages whose title contains this text")
	add_browser_args(parser)
	return parser.parse_args(argv)


class DeskPagesCheck(DeskChangeCheck):
	name = "desk-pages-check"
	logging_prefs = {"browser": "ALL", "performance": "ALL"}

	def __init__(self, args, user, role, write_methods, pages):
		self.role = role
		self.write_methods = write_methods
		self.app_scripts = app_scripts(pages)
		super().__init__(argparse.Namespace(**{**vars(args), "user": user}))
		self.name = f"desk-pages-check {role}"
		self.results = []
		self.shot_number = 0

	# -- what the browser saw ---------------------------------------------------------------------

	def drain(self):
		"""What went wrong since the last call: (server errors, console errors, refused requests).

		Server errors are HTTP responses of 500 or more. Console errors leave out the browser's note of
		a refused (4xx) request and Frappe's echo of the server's traceback for it (request.js logs every
		error response's traceback; a 5xx one is a server error already). Refused requests are the 4xx
		responses (status and path): a page's clean refusal, or a page that asked for more than its user
		may read."""
		server, console, refused = [], [], []
		for entry in self.driver.get_log("browser"):
			message = entry.get("message", "")
			if entry.get("level") != "SEVERE" or any(ignored in message for ignored in IGNORED_CONSOLE):
				continue
			if REFUSED_REQUEST in message or SERVER_TRACEBACK in message:
				continue
			console.append(f"console: {message[:400]}")
		for entry in self.driver.get_log("performance"):
			event = json.loads(entry["message"])["message"]
			if event.get("method") != "Network.responseReceived":
				continue
			response = event["params"]["response"]
			status, url = response.get("status", 0), response.get("url", "")
			if status >= 500:
				server.append(f"HTTP {status}: {url[:300]}")
			elif status >= 400 and "/socket.io/" not in url:
				refused.append(f"{status} {url.split('?')[0].rsplit('/', 1)[-1][:120]}")
		return server, console, refused

	def state(self):
		return self.js(STATE)

	def settle(self):
		"""The desk has loaded, no request is under way, and it stays so for a moment (a page often
		asks for more once the first answer is in)."""
		for _round in range(2):
			self.wait(
				lambda driver: self.js(
					"return document.readyState === 'complete' && Boolean(window.frappe && frappe.boot"
					" && frappe.request && !frappe.request.ajax_count"
					" && !(frappe.dom && frappe.dom.freeze_count))"
				),
				"the desk to settle",
			)
			time.sleep(0.7)

	def guard(self):
		self.js(GUARD, self.write_methods)

	def shot(self, title):
		self.shot_number += 1
		slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:60]
		self.screenshot(f"{self.role.lower().replace(' ', '-')}-{self.shot_number:02d}-{slug}")

	def close_dialogs(self):
		self.js(
			"for (const modal of document.querySelectorAll('.modal.show')) {"
			"  const close = modal.querySelector('.btn-modal-close, [data-dismiss=modal]');"
			"  if (close) close.click(); else $(modal).modal('hide');"
			"}"
		)
		self.wait(lambda driver: not self.state()["dialogs"], "the dialogs to close")

	# -- one page ---------------------------------------------------------------------------------

	def shown(self, page, state):
		"""Whether `page` is what the desk shows."""
		kind = page["kind"]
		if kind == "workspace":
			return state["route"][:1] == ["Workspaces"] and bool(
				self.js(
					"return [...document.querySelectorAll('.layout-main-section .widget')]"
					".some((w) => w.offsetParent !== null)"
				)
			)
		if kind == "list":
			return state["route"][:1] == ["List"] and state["list"] == page["doctype"]
		if kind == "single":
			return state["form"] is not None and state["form"][:2] == [page["doctype"], page["doctype"]]
		if kind == "form":
			return state["form"] is not None and state["form"][:2] == [page["doctype"], page["name"]]
		if kind == "new":
			return state["form"] is not None and state["form"][0] == page["doctype"] and state["form"][2]
		if kind == "report":
			return state["route"][:1] == ["query-report"] and state["report"] == page["report"]
		raise CheckFailed(f"unknown kind of page {kind}")

	@staticmethod
	def screen_says(state, words):
		texts = [state["page_text"]] + [f"{d['title']}\n{d['text']}" for d in state["dialogs"]]
		return next((word for text in texts for word in words if word in text), None)

	def judge(self, allowed, outcome, state, server, console, refused):
		"""The problems of what a page (or a button) showed: any server error; for a user who may open
		it, any console error, a refusal and any request refused on the way (the page asked for more
		than its user may read); for one who may not, anything but Frappe's clean refusal (its own
		console noise about the refused request is part of that refusal)."""
		problems = list(server)
		if state:
			server_error = self.screen_says({**state, "page_text": ""}, SERVER_ERRORS)
			if server_error:
				problems.append(f"a server error dialog ({server_error})")
		if allowed:
			problems += console
		else:
			# Frappe's own reaction to the refused request (query_report.js leaves its promise unhandled)
			# is part of the refusal; an error of the app's scripts is not
			problems += [line for line in console if any(marker in line for marker in self.app_scripts)]
		if allowed:
			if refused:
				problems.append(f"requests refused: {', '.join(refused)}")
			if state and outcome != "refused":
				message = self.screen_says({**state, "page_text": ""}, REFUSALS)
				if message:
					problems.append(f"a dialog says {message}: {state['dialogs'][0]['text'][:200]!r}")
		return problems

	def open_page(self, page):
		allowed = page["allowed"][self.args.user]
		state, failure = None, []
		try:
			self.driver.get(self.url(page["route"]))
			self.guard()
			self.settle()
			self.guard()
			state = self.state()
		except CheckFailed as error:
			failure = [str(error)]
		server, console, refused = self.drain()
		outcome = "did not load"
		if state:
			if self.shown(page, state) and not self.screen_says({**state, "page_text": ""}, REFUSALS):
				outcome = "opened"
			elif self.screen_says(state, REFUSALS):
				outcome = "refused"
			else:
				outcome = "neither shown nor refused"
			self.shot(f"{page['kind']}-{page['title']}")
		problems = failure + self.judge(allowed, outcome, state, server, console, refused)
		expected = "opened" if allowed else "refused"
		if outcome != expected:
			problems.append(f"{outcome}, expected {expected}")
		self.record(page, outcome, problems, refused)
		if outcome == "opened" and page["kind"] in ("form", "single", "new"):
			self.open_buttons(page)

	def open_buttons(self, page):
		"""Each of the form's buttons and button groups' items, from a freshly opened form."""
		buttons = self.js(FORM_BUTTONS)
		for group, label in buttons:
			what = f"{group} > {label}" if group else label
			state, failure = None, []
			outcome = "did not open"
			try:
				self.driver.get(self.url(page["route"]))
				self.guard()
				self.settle()
				self.drain()
				if group:
					self.group_item_shown(group, label)
				else:
					self.on_form(f'button[data-label="{self.encoded(label)}"]', f"the {label} button").click()
				self.settle()
				state = self.state()
				if state["dialogs"]:
					outcome = f"dialog \"{state['dialogs'][-1]['title'].strip()}\""
				elif state["form"] and state["form"][:2] != [
					page["doctype"],
					page.get("name", page["doctype"]),
				]:
					outcome = f"opened {state['form'][0]} {'(new)' if state['form'][2] else state['form'][1]}"
				elif state["route"][:1] != ["Form"]:
					outcome = f"opened {'/'.join(map(str, state['route']))}"
				else:
					outcome = "nothing shown"
				if state["blocked"]:
					outcome += f"; not sent: {', '.join(state['blocked'])}"
				self.shot(f"{page['title']}-{what}")
			except CheckFailed as error:
				failure = [str(error)]
			server, console, refused = self.drain()
			problems = failure + self.judge(True, outcome, state, server, console, refused)
			if not outcome.startswith(("dialog", "opened")):
				problems.append(f"{outcome}: the button showed no dialog and opened no page")
			if state and state["dialogs"]:
				self.close_dialogs()
			self.record(
				{**page, "kind": "button", "title": f"{page['title']}: {what}"}, outcome, problems, refused
			)

	def encoded(self, label):
		return self.js("return encodeURIComponent(arguments[0])", label)

	def group_item_shown(self, group, label):
		"""Click `label` in the group `group`, both as the form shows them (already translated)."""
		group_css = f'.inner-group-button[data-label="{self.encoded(group)}"]'
		self.on_form(f"{group_css} button", f"the {group} button").click()
		self.on_form(
			f'{group_css} .dropdown-item[data-label="{self.encoded(label)}"]', f"{group} > {label}"
		).click()

	def record(self, page, outcome, problems, refused=()):
		passed = not problems
		self.results.append(
			{
				"user": self.args.user,
				"as": self.role,
				"kind": page["kind"],
				"page": page["title"],
				"route": page.get("route"),
				"outcome": outcome,
				"passed": passed,
				"problems": problems,
				"refused_requests": list(refused),
			}
		)
		mark = "ok  " if passed else "FAIL"
		self.log(
			f"{mark} {page['kind']:9} {page['title']}: {outcome}"
			+ (f" -- {'; '.join(problems)}" if problems else "")
		)

	def run_pages(self, pages):
		from selenium.common.exceptions import WebDriverException

		try:
			self.login()
			self.drain()
			for page in pages:
				try:
					self.open_page(page)
				except WebDriverException as failure:
					self.record(page, "browser error", [str(failure).splitlines()[0]])
		finally:
			self.driver.quit()
			self.profile.cleanup()
		return self.results


def scrub(name):
	return name.lower().replace(" ", "_").replace("-", "_")


def app_scripts(pages):
	"""How the console names the app's scripts: its bundle's path, and the sourceURL Frappe gives the
	form and list scripts of its DocTypes and the scripts of its reports."""
	markers = {"/assets/employee_loans/"}
	for page in pages:
		if page.get("doctype"):
			markers.add(f"{scrub(page['doctype'])}__")
		if page.get("report"):
			markers.add(f"{scrub(page['report'])}.js")
	return sorted(markers)


def main(argv=None):
	args = parse_args(argv)
	if selenium_missing():
		return 2
	with open(args.pages) as file:
		manifest = json.load(file)
	pages = [page for page in manifest["pages"] if not args.only or args.only in page["title"]]
	results = []
	for user in manifest["users"]:
		check = DeskPagesCheck(args, user["user"], user["as"], manifest["write_methods"], manifest["pages"])
		results += check.run_pages(pages)
	failed = [result for result in results if not result["passed"]]
	with open(f"{args.out}/results.json", "w") as file:
		json.dump(results, file, indent=1)
	print(
		f"[desk-pages-check] {len(results)} pages and buttons opened as "
		f"{', '.join(user['as'] for user in manifest['users'])}: "
		f"{len(results) - len(failed)} passed, {len(failed)} failed",
		flush=True,
	)
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main())
