"""Employee Loan Import: an HR Manager brings the loans a company already has in from a spreadsheet.

Download the template, fill it in (CSV or Excel), attach it, Check it (every row checked, nothing
written, every problem listed with its row number), then Bring In. The file is the unit: if any row has
an error nothing is written, and the file comes back with the list of what to change (see README,
"Going live", for why). A file of up to INLINE_ROWS loans is brought in while the person waits; a larger
one in a background job, in one transaction all the same.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime

from employee_loans.engine import add_up
from employee_loans.going_live import (
	ALREADY_IN_BOOKS,
	COLUMNS,
	OPENING_ENTRY,
	WARNING,
	bring_in,
	check,
	default_opening_account,
	ensure_can_bring_in,
	lock_company,
	read_file,
)
from employee_loans.utils import currency_precision, to_field, to_money

IMPORT = "Employee Loan Import"
NOT_CHECKED = "Not Checked"
PROBLEMS_FOUND = "Problems Found"
READY = "Ready"
CHECKING = "Checking"
BRINGING_IN = "Bringing In"
BROUGHT_IN = "Brought In"
FAILED = "Failed"
# A file this size is checked and brought in while the person waits (seconds); a larger one in a job.
INLINE_ROWS = 200
SAVEPOINT = "employee_loan_import"
SETTINGS_FIELDS = (
	"company",
	"go_live_date",
	"opening_balance_booking",
	"temporary_opening_account",
	"import_file",
)


class EmployeeLoanImport(Document):
	def validate(self):
		if self.opening_balance_booking == OPENING_ENTRY and not self.temporary_opening_account:
			self.temporary_opening_account = default_opening_account(self.company)
		if self.opening_balance_booking == ALREADY_IN_BOOKS:
			self.temporary_opening_account = None
		changed = self.is_new() or any(self.has_value_changed(field) for field in SETTINGS_FIELDS)
		if not changed:
			return
		if self.status == BROUGHT_IN or still_running(self):
			frappe.throw(
				_("Import {0} is {1}; its settings and file stay as they were. Start a new import.").format(
					self.name, _(self.status)
				),
				title=_("Cannot Change"),
			)
		self.status = NOT_CHECKED
		self.set("problems", [])
		for field in (
			"rows_in_file",
			"rows_ready",
			"rows_already_in",
			"rows_with_errors",
			"rows_with_warnings",
		):
			self.set(field, 0)

	def on_trash(self):
		if self.status in (BRINGING_IN, BROUGHT_IN):
			frappe.throw(
				_("Import {0} brought loans in; cancel its loans instead of deleting it.").format(self.name),
				title=_("Cannot Delete"),
			)

	def run_check(self, warnings: bool = True):
		"""Read the attached file and check every row; nothing is written to the loans or the books."""
		if not self.import_file:
			frappe.throw(
				_("Attach the file of loans first (Download Template to get one)."), title=_("No File")
			)
		rows, file_problems = read_file(self.import_file)
		return check(
			self.company,
			rows,
			self.go_live_date,
			self.opening_balance_booking,
			self.temporary_opening_account,
			file_problems,
			warnings,
		)

	def store(self, result, status: str, keep_warnings: bool = False) -> None:
		"""The check's counts and problems on the import, in the row order of the file. `keep_warnings`:
		the check did not look for warnings; those Check File found stay."""
		warned = [row.as_dict() for row in self.problems if row.severity == WARNING] if keep_warnings else []
		self.update(result.counts())
		if keep_warnings:
			self.rows_with_warnings = len({row["row_number"] for row in warned})
		self.set("problems", [])
		problems = [problem.as_dict() for problem in result.all_problems] + warned
		for problem in sorted(problems, key=lambda problem: problem["row_number"] or 0):
			self.append("problems", problem)
		self.status = status
		self.flags.ignore_permissions = True
		self.save()


def _import_for(name: str) -> EmployeeLoanImport:
	doc = frappe.get_doc(IMPORT, name)
	doc.check_permission("write")
	ensure_can_bring_in(doc.company)
	return doc


@frappe.whitelist(methods=["POST"])
def check_file(name: str) -> dict:
	"""Check every row of the attached file and list what to change; nothing is brought in. A large
	file is checked in a background job (the form follows it)."""
	doc = _import_for(name)
	if doc.status == BROUGHT_IN or still_running(doc):
		frappe.throw(_("Import {0} is {1}.").format(doc.name, _(doc.status)), title=_("Not Now"))
	if not doc.import_file:
		frappe.throw(_("Attach the file of loans first (Download Template to get one)."), title=_("No File"))
	rows, _problems = read_file(doc.import_file)
	if len(rows) > INLINE_ROWS and not frappe.flags.in_test:
		return queue(doc, CHECKING, check_now)
	return check_now(doc.name)


def check_now(name: str) -> dict:
	"""What Check File does (in a background job for a large file): every row checked, with what the
	eligibility rules would warn of, and the result stored on the import."""
	doc = frappe.get_doc(IMPORT, name)
	try:
		result = doc.run_check()
	except Exception as error:
		fail(name, error)
	doc.store(result, PROBLEMS_FOUND if result.failed else READY)
	return result.counts()


def job_id(name: str) -> str:
	return f"employee_loan_import::{name}"


def still_running(doc) -> bool:
	"""A background job is checking or bringing the file in. One that died (a worker restarted) leaves
	the import free to be checked again: its transaction, and so its loans, went with it."""
	from frappe.utils.background_jobs import is_job_enqueued

	return doc.status in (CHECKING, BRINGING_IN) and is_job_enqueued(job_id(doc.name))


def queue(doc, status: str, job) -> dict:
	doc.db_set({"status": status, "error_message": None})
	frappe.enqueue(
		job,
		queue="long",
		timeout=3600,
		job_id=job_id(doc.name),
		deduplicate=True,
		enqueue_after_commit=True,
		name=doc.name,
	)
	return {"queued": True}


@frappe.whitelist(methods=["POST"])
def start(name: str) -> dict:
	"""Bring the file's loans in: checked again first, all of them or none. A large file goes to a
	background job (the form follows its progress)."""
	doc = _import_for(name)
	if doc.status != READY:
		frappe.throw(
			_("Import {0} is {1}: Check File first; loans are brought in once every row passes.").format(
				doc.name, _(doc.status)
			),
			title=_("Not Ready"),
		)
	if doc.rows_in_file > INLINE_ROWS and not frappe.flags.in_test:
		return queue(doc, BRINGING_IN, bring_in_now)
	return bring_in_now(doc.name)


def bring_in_now(name: str) -> dict:
	"""Check the file again under the company's lock (two imports of one company wait for each other,
	so neither brings in a loan the other is bringing in) and bring every row in, or none."""
	doc = frappe.get_doc(IMPORT, name)
	lock_company(doc.company)
	# what Check File warned of stands: warnings never stop a loan, and they read every employee's salary
	result = doc.run_check(warnings=False)
	if result.failed:
		doc.store(result, PROBLEMS_FOUND, keep_warnings=True)
		return {**result.counts(), "loans": []}
	precision = currency_precision(doc.company)
	frappe.db.savepoint(SAVEPOINT)
	try:
		loans = bring_in(
			result,
			doc.opening_balance_booking,
			doc.temporary_opening_account,
			doc.name,
			progress=lambda done, total: publish(doc.name, done, total),
		)
	except Exception as error:
		# All or nothing: the loans and entries written so far go with the rollback.
		frappe.db.rollback(save_point=SAVEPOINT)
		fail(name, error)
	doc.update(
		{
			"loans_brought_in": len(loans),
			"outstanding_brought_in": to_field(
				add_up(row.plan.opening.outstanding for row in result.ready)
				if loans
				else to_money(0, precision)
			),
			"brought_in_on": now_datetime(),
			"brought_in_by": frappe.session.user,
			"error_message": None,
		}
	)
	doc.store(result, BROUGHT_IN, keep_warnings=True)
	return {**result.counts(), "loans": loans}


def fail(name: str, error: Exception):
	"""The import keeps why it failed (committed, so that a background job's failure is there to read)
	and the person is told that nothing was brought in."""
	frappe.clear_messages()
	message = frappe.utils.strip_html(str(error)) or error.__class__.__name__
	frappe.log_error(title=_("Employee Loan Import {0} failed").format(name))
	frappe.db.set_value(IMPORT, name, {"status": FAILED, "error_message": message})
	if not frappe.flags.in_test:
		frappe.db.commit()
	frappe.throw(_("Nothing was brought in: {0}").format(message), title=_("Import Failed"))


def publish(name: str, done: int, total: int) -> None:
	if done == total or done % 50 == 0:
		frappe.publish_progress(
			done * 100 / total,
			title=_("Bringing in loans"),
			doctype=IMPORT,
			docname=name,
			description=_("{0} of {1} loans").format(done, total),
		)


@frappe.whitelist(methods=["GET"])
def download_template(file_type: str = "CSV") -> None:
	"""The template: the columns' headers (required ones marked *), one loan a row."""
	frappe.has_permission(IMPORT, "read", throw=True)
	header = [_(column.label) + (" *" if column.required else "") for column in COLUMNS]
	if file_type == "Excel":
		from frappe.utils.xlsxutils import build_xlsx_response

		build_xlsx_response([header], "employee_loans_to_bring_in")
	else:
		from frappe.utils.csvutils import build_csv_response

		build_csv_response([header], "employee_loans_to_bring_in")
