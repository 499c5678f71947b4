"""Employee Loan Change: an EMI holiday, a restructure or a top-up of a disbursed loan.

A draft is a request (Pending) and shows the engine's figures before and after. Approving or denying
is the submit: an approved change takes its place in the loan's history (`applied_on`) and the loan is
replayed with it (`ledger.rebuild`); a top-up's disbursement and a holiday's interest added to the
principal are booked by their own Journal Entry. Cancelling an approved change is allowed while no
salary slip has deducted the loan since and no later change was approved; the loan is replayed
without it, which gives back exactly the schedule before it.
"""

from collections import Counter
from decimal import Decimal

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import add_months, cint, flt, get_first_day, get_last_day, getdate, now_datetime

from employee_loans.accounts import (
	cancel_journal_entry,
	default_payment_account,
	post_holiday_interest,
	post_top_up,
	validate_payment_account,
)
from employee_loans.eligibility import assess_top_up, finding_rows
from employee_loans.engine import (
	LoanInputError,
	check_holiday_limits,
	plan_holiday,
	plan_restructure,
	plan_top_up,
	preview,
)
from employee_loans.engine.states import (
	CHANGE_APPROVED,
	CHANGE_CANCELLED,
	CHANGE_DENIED,
	CHANGE_PENDING,
	CHANGE_WITHDRAWN,
	EMI_HOLIDAY,
	FROM_SALARY_SLIP,
	LOAN_DISBURSED,
	RESTRUCTURE,
	TOP_UP,
)
from employee_loans.ledger import (
	CHANGE_DOCTYPE,
	REPAYMENT_DOCTYPE,
	first_due,
	loan_events,
	lock_loan,
	rebuild,
	replayed_rows,
	slip_recoveries_overlapping,
)
from employee_loans.permissions import employees_of_user, ensure_hr, ensure_permission, sees_all_records
from employee_loans.utils import (
	currency_precision,
	engine_message,
	get_settings,
	loan_terms,
	to_field,
	to_money,
	withdraw_draft,
)

FIGURES = ("emi", "instalments", "end_date", "outstanding", "total_interest")


class EmployeeLoanChange(Document):
	def validate(self):
		# Approving replays the loan: its row lock first, before anything of it is read.
		loan = (
			lock_loan(self.employee_loan)
			if self._action == "submit"
			else frappe.get_doc("Employee Loan", self.employee_loan)
		)
		self.set_from_loan(loan)
		if self.docstatus == 0:
			self.status = CHANGE_PENDING
		if self._action == "submit" and self.status not in (CHANGE_APPROVED, CHANGE_DENIED):
			frappe.throw(
				_("Approve or deny change {0} with its buttons; submitting it alone decides nothing.").format(
					self.name
				),
				title=_("Decide the Change"),
			)
		if self.status == CHANGE_DENIED:
			return
		self.check_rules(loan)
		self.set_figures(loan)

	def set_from_loan(self, loan) -> None:
		if loan.docstatus != 1 or loan.status != LOAN_DISBURSED:
			frappe.throw(
				_("Loan {0} is {1}; only a disbursed loan that is not closed can be changed.").format(
					loan.name, _(loan.status)
				),
				title=_("Loan Not Open"),
			)
		self.employee = loan.employee
		self.employee_name = loan.employee_name
		self.company = loan.company
		self.employee_user = loan.employee_user
		if not self.requested_by:
			self.requested_by = frappe.session.user
			self.requested_on = now_datetime()
		if self.change_type == EMI_HOLIDAY and (self.is_new() or not self.holiday_interest):
			# the settings when the holiday is asked for
			settings = get_settings()
			self.holiday_interest = settings.holiday_interest
			self.holiday_absorb = settings.holiday_absorb
		if self.change_type != EMI_HOLIDAY:
			self.holiday_months = 0
			self.holiday_interest = None
			self.holiday_absorb = None
			self.interest_added = 0
		if self.change_type != TOP_UP:
			self.top_up_amount = 0
		if self.change_type != RESTRUCTURE or not self.change_interest_rate:
			# a Percent field reads 0 when blank: only a ticked box changes the rate
			self.change_interest_rate = 0
			self.new_interest_rate = 0

	def check_rules(self, loan) -> None:
		if not (self.reason or "").strip():
			frappe.throw(_("Give the reason for the change."), title=_("Reason Required"))
		if loan.preclosure_requested:
			frappe.throw(
				_(
					"Loan {0} has a pre-closure pending in the next payroll. Withdraw the pre-closure first, "
					"or let it close the loan."
				).format(loan.name),
				title=_("Pre-closure Pending"),
			)
		if self.change_type == EMI_HOLIDAY:
			self.check_holiday(loan)
		elif (
			self.change_type == RESTRUCTURE
			and self.change_interest_rate
			and flt(self.new_interest_rate)
			and not flt(loan.annual_interest_rate)
		):
			frappe.throw(
				_(
					"Loan {0} is interest-free; it cannot be given a rate by a restructure. Keep the rate "
					"blank, or close it and disburse a new loan."
				).format(loan.name),
				title=_("Interest-free Loan"),
			)

	def check_holiday(self, loan) -> None:
		months = cint(self.holiday_months)
		if months < 1:
			frappe.throw(_("Give the number of holiday months (at least 1)."), title=_("Holiday Months"))
		start = getdate(get_first_day(self.from_date))
		last_day = getdate(get_last_day(add_months(start, months - 1)))
		relieving = frappe.db.get_value("Employee", loan.employee, "relieving_date")
		if relieving and getdate(relieving) <= last_day:
			frappe.throw(
				_(
					"Employee {0} leaves on {1}; an EMI holiday cannot reach the exit month: the loan is "
					"settled then."
				).format(loan.employee, frappe.format(relieving, "Date")),
				title=_("Employee Leaving"),
			)
		query, repayment = slip_recoveries_overlapping(loan.name, start, last_day)
		deducted = query.select(repayment.name).run(pluck=True)
		deducted = deducted[0] if deducted else None
		if deducted:
			frappe.throw(
				_(
					"Loan {0} has already been deducted for a month of this holiday (repayment {1}). Choose "
					"months that no salary slip has deducted yet."
				).format(loan.name, deducted),
				title=_("Month Already Deducted"),
			)
		settings = get_settings()
		change = frappe.qb.DocType(CHANGE_DOCTYPE)
		other = (
			frappe.qb.from_(change)
			.select(change.from_date, change.holiday_months)
			.where(
				(change.employee_loan == loan.name)
				& (change.change_type == EMI_HOLIDAY)
				& (change.docstatus == 1)
				& (change.status == CHANGE_APPROVED)
				& (change.name != (self.name or ""))
			)
			.for_update()
			.run(as_dict=True)
		)
		in_year = Counter()
		for holiday in [*other, frappe._dict(from_date=start, holiday_months=months)]:
			for offset in range(cint(holiday.holiday_months)):
				in_year[getdate(add_months(holiday.from_date, offset)).year] += 1
		try:
			check_holiday_limits(
				months,
				{year: count for year, count in in_year.items()},
				sum(cint(holiday.holiday_months) for holiday in other),
				cint(settings.max_holiday_months_per_loan),
				cint(settings.max_holiday_months_per_year),
			)
		except LoanInputError as error:
			frappe.throw(engine_message(error), title=_("EMI Holiday Limit"))

	def plan(self, loan, rows):
		"""The engine's change from this document and the loan's replayed rows."""
		precision = currency_precision(loan.company)
		terms = loan_terms(loan)
		if self.change_type == EMI_HOLIDAY:
			return plan_holiday(
				terms,
				rows,
				getdate(get_first_day(self.from_date)),
				cint(self.holiday_months),
				self.holiday_absorb,
				self.holiday_interest,
				self.name,
			)
		if self.change_type == RESTRUCTURE:
			return plan_restructure(
				terms,
				rows,
				getdate(get_first_day(self.from_date)),
				cint(self.new_term_months),
				Decimal(str(flt(self.new_interest_rate, 6))) if self.change_interest_rate else None,
				self.name,
			)
		return plan_top_up(
			terms,
			rows,
			to_money(self.top_up_amount or 0, precision),
			cint(self.new_term_months) or None,
			self.name,
		)

	def set_figures(self, loan) -> None:
		"""The figures before and after, from the engine (the holiday's interest is fixed here)."""
		precision = currency_precision(loan.company)
		events, _repayments = loan_events(loan, precision, without_change=self.name)
		rows = replayed_rows(loan, events)
		try:
			change = self.plan(loan, rows)
			before, after = preview(
				loan_terms(loan),
				first_due(loan),
				events,
				change,
				get_settings().reamortisation_mode,
				before=rows,
			)
		except LoanInputError as error:
			frappe.throw(
				_("Loan {0}: {1}").format(loan.name, engine_message(error)), title=_("Change Not Possible")
			)
		self.from_date = change.first_due
		if self.change_type == EMI_HOLIDAY:
			self.interest_added = to_field(change.amount)
		if self.change_type == TOP_UP:
			self.new_term_months = change.months
			self.check_top_up(loan, change, after)
		for suffix, figures in (("before", before), ("after", after)):
			self.set(f"emi_{suffix}", to_field(figures.emi) if figures.emi is not None else 0)
			self.set(f"instalments_{suffix}", figures.instalments_left)
			self.set(f"end_date_{suffix}", figures.end_date)
			self.set(f"outstanding_{suffix}", to_field(figures.outstanding))
			self.set(f"total_interest_{suffix}", to_field(figures.total_interest))

	def check_top_up(self, loan, change, after) -> None:
		"""The same rules as a new loan: the category's maximum over what will be owed, the EMI ratio
		with this loan's EMI counted once (its new EMI), employment to the new last instalment."""
		result = assess_top_up(loan, change, after)
		self.flags.eligibility = finding_rows(result["findings"])
		if result["blocking"]:
			frappe.throw(
				"<br>".join(row["message"] for row in self.flags.eligibility if row["severity"] == "Block"),
				title=_("Top-up Not Allowed"),
			)

	def before_submit(self):
		self.decided_by = frappe.session.user
		self.decided_on = now_datetime()
		if self.status == CHANGE_APPROVED:
			self.applied_on = now_datetime()

	def on_submit(self):
		if self.status != CHANGE_APPROVED:
			self.run_method("on_change_denied")
			return
		loan = lock_loan(self.employee_loan)
		if self.change_type == TOP_UP:
			self.payment_account = self.payment_account or default_payment_account(loan.company)
			validate_payment_account(self.payment_account, loan.company, "Paid From")
			self.db_set("payment_account", self.payment_account)
			self.db_set("journal_entry", post_top_up(self, loan))
		elif self.change_type == EMI_HOLIDAY and flt(self.interest_added):
			self.db_set("journal_entry", post_holiday_interest(self, loan))
		rebuild(loan)
		frappe.get_doc("Employee Loan", loan.name).add_comment(
			"Info", _("{0} {1} applied: {2}").format(_(self.change_type), self.name, self.reason)
		)
		self.run_method("on_change_approved")

	def before_cancel(self):
		loan = lock_loan(self.employee_loan)
		if self.status != CHANGE_APPROVED:
			return
		slip = frappe.qb.DocType(REPAYMENT_DOCTYPE)
		deducted = (
			frappe.qb.from_(slip)
			.select(slip.salary_slip)
			.where(
				(slip.employee_loan == loan.name)
				& (slip.docstatus == 1)
				& (slip.repayment_type == FROM_SALARY_SLIP)
				& (slip.creation > self.applied_on)
			)
			.limit(1)
			.for_update()
			.run()
		)
		if deducted:
			frappe.throw(
				_(
					"Salary slip {0} has deducted loan {1} since this change was applied; the change can no "
					"longer be cancelled. Cancel that slip first, or make a new change."
				).format(deducted[0][0], loan.name),
				title=_("Deducted Since"),
			)
		change = frappe.qb.DocType(CHANGE_DOCTYPE)
		later = (
			frappe.qb.from_(change)
			.select(change.name)
			.where(
				(change.employee_loan == loan.name)
				& (change.docstatus == 1)
				& (change.status == CHANGE_APPROVED)
				& (change.applied_on > self.applied_on)
			)
			.limit(1)
			.for_update()
			.run()
		)
		if later:
			frappe.throw(
				_("Change {0} was applied to loan {1} after this one; cancel it first.").format(
					later[0][0], loan.name
				),
				title=_("Later Change"),
			)

	def on_cancel(self):
		was_applied = self.status == CHANGE_APPROVED
		self.db_set("status", CHANGE_CANCELLED)
		if not was_applied:
			return
		cancel_journal_entry(self.journal_entry)
		rebuild(lock_loan(self.employee_loan))
		frappe.get_doc("Employee Loan", self.employee_loan).add_comment(
			"Info",
			_("{0} {1} cancelled; the schedule is as before it.").format(_(self.change_type), self.name),
		)

	def withdraw(self):
		"""End a Pending request as Withdrawn and cancelled (docstatus 2), as a withdrawn loan application
		ends (utils.withdraw_draft). The loan has nothing to undo: only an approved change is replayed."""
		withdraw_draft(self, CHANGE_WITHDRAWN)
		self.run_method("on_change_withdrawn")  # for doc_events, as on_cancel is
		self.clear_cache()
		self.notify_update()


def _load_for_decision(name: str) -> EmployeeLoanChange:
	change = frappe.get_doc(CHANGE_DOCTYPE, name)
	ensure_permission(change, "submit")
	if change.docstatus != 0:
		frappe.throw(
			_("Change {0} is already {1}.").format(change.name, _(change.status)), title=_("Already Decided")
		)
	if change.employee in employees_of_user():
		frappe.throw(
			_("You cannot decide on a change to your own loan; another HR user must."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	return change


@frappe.whitelist(methods=["POST"])
def approve(change: str, note: str | None = None) -> str:
	"""Approve a Pending change: the rules and figures are checked again and the loan is replayed."""
	ensure_hr(_("approve loan changes"))
	doc = _load_for_decision(change)
	doc.status = CHANGE_APPROVED
	doc.decision_reason = (note or "").strip() or None
	doc.submit()
	return doc.name


@frappe.whitelist(methods=["POST"])
def deny(change: str, reason: str) -> None:
	ensure_hr(_("deny loan changes"))
	if not (reason or "").strip():
		frappe.throw(_("Give the reason for denying the change."), title=_("Reason Required"))
	doc = _load_for_decision(change)
	doc.status = CHANGE_DENIED
	doc.decision_reason = reason.strip()
	doc.submit()


@frappe.whitelist(methods=["POST"])
def withdraw(change: str) -> None:
	"""The employee takes back a Pending request for their loan. The row lock orders it with a decision
	being taken at the same moment: whichever comes second finds the change no longer Pending."""
	doc = frappe.get_doc(CHANGE_DOCTYPE, change, for_update=True)
	ensure_permission(doc, "read")
	if doc.employee not in employees_of_user():
		frappe.throw(
			_("Only the employee whose loan it is can withdraw a change request; HR denies one instead."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	if doc.docstatus != 0:
		frappe.throw(
			_("Change {0} is already {1}.").format(doc.name, _(doc.status)), title=_("Already Decided")
		)
	doc.withdraw()


def new_change(values: dict) -> EmployeeLoanChange:
	"""A change document from a request (the form's preview, the portal)."""
	doc = frappe.new_doc(CHANGE_DOCTYPE)
	doc.update({key: values.get(key) for key in REQUEST_FIELDS if values.get(key) not in (None, "")})
	if values.get("new_interest_rate") not in (None, "") and values.get("change_interest_rate") is None:
		doc.change_interest_rate = 1  # a rate given is a rate to change to
	return doc


REQUEST_FIELDS = (
	"change_type",
	"employee_loan",
	"from_date",
	"reason",
	"holiday_months",
	"top_up_amount",
	"new_term_months",
	"change_interest_rate",
	"new_interest_rate",
	"payment_account",
)


def figures_of(doc) -> dict:
	return {
		"from_date": doc.from_date,
		"interest_added": doc.interest_added,
		"new_term_months": doc.new_term_months,
		"holiday_interest": doc.holiday_interest,
		"holiday_absorb": doc.holiday_absorb,
		**{
			f"{name}_{suffix}": doc.get(f"{name}_{suffix}")
			for name in FIGURES
			for suffix in ("before", "after")
		},
		"eligibility": doc.flags.eligibility or [],
	}


@frappe.whitelist()
def get_preview(values: str | dict) -> dict:
	"""The figures before and after a change not yet saved, for the form and the portal to show."""
	values = frappe.parse_json(values)
	loan = frappe.get_doc("Employee Loan", values.get("employee_loan"))
	ensure_permission(loan, "read")
	check_may_request(values.get("change_type"), loan)
	doc = new_change(values)
	doc.reason = doc.reason or "-"
	doc.set_from_loan(loan)
	doc.check_rules(loan)
	doc.set_figures(loan)
	return figures_of(doc)


def may_create_for_anyone() -> bool:
	return sees_all_records() and frappe.has_permission(CHANGE_DOCTYPE, "create")


def check_may_request(change_type: str, loan) -> None:
	"""Employees ask for holidays and top-ups of their own loans; only HR restructures."""
	if may_create_for_anyone():
		return
	if loan.employee not in employees_of_user():
		frappe.throw(_("You can only ask for changes to your own loans."), frappe.PermissionError)
	if change_type not in (EMI_HOLIDAY, TOP_UP):
		frappe.throw(
			_("Only HR can restructure a loan; ask HR if your circumstances have changed."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


@frappe.whitelist(methods=["POST"])
def request_change(values: str | dict) -> str:
	"""An employee's request (portal) or HR's on their behalf: a Pending change, with its figures."""
	values = frappe.parse_json(values)
	loan = frappe.get_doc("Employee Loan", values.get("employee_loan"))
	ensure_permission(loan, "read")
	check_may_request(values.get("change_type"), loan)
	if not may_create_for_anyone():
		# the account a top-up is paid from is HR's choice when approving
		values.pop("payment_account", None)
	doc = new_change(values)
	doc.insert(ignore_permissions=True)
	doc.run_method("on_change_requested")
	return doc.name
