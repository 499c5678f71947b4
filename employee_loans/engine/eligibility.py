"""The six eligibility rules of an application, as pure functions over plain inputs.

Each rule returns a list of findings (empty when the rule passes). A finding carries the rule, its
severity (block or warn), the figures it used, and a sentence a person can act on. The sentence is
kept as a template plus values (and the labels among them), as an engine error's message is (see
`errors`), so the app can translate it before filling it in.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .errors import N_, LoanInputError, fill
from .money import format_money, to_decimal
from .periods import months_between

BLOCK = "Block"
WARN = "Warn"

AMOUNT = "Amount Limit"
TENURE = "Tenure Limit"
EMPLOYMENT = "Active Employment"
SERVICE = "Minimum Service"
ACTIVE_LOANS = "Active Loan Limit"
EMI_RATIO = "EMI to Net Salary"


@dataclass(frozen=True)
class Finding:
	rule: str
	severity: str
	template: str
	values: dict = field(default_factory=dict)
	labels: tuple[str, ...] = ()

	@property
	def message(self) -> str:
		return fill(self.template, self.values)

	@property
	def blocks(self) -> bool:
		return self.severity == BLOCK

	def as_dict(self) -> dict:
		return {
			"rule": self.rule,
			"severity": self.severity,
			"message": self.message,
			"figures": {key: str(value) for key, value in self.values.items()},
		}


def check_amount(amount: Decimal, category_maximum: Decimal, precision: int = 2) -> list[Finding]:
	if category_maximum and amount > category_maximum:
		return [
			Finding(
				AMOUNT,
				BLOCK,
				N_(
					"The amount {amount} is above this category's maximum of {maximum}. "
					"Apply for {maximum} or less, or choose another category."
				),
				{
					"amount": format_money(amount, precision),
					"maximum": format_money(category_maximum, precision),
				},
			)
		]
	return []


def check_top_up_amount(
	owed_after: Decimal, top_up: Decimal, category_maximum: Decimal, precision: int = 2
) -> list[Finding]:
	"""A top-up: what would be owed after it (the outstanding and the top-up) within the category's
	maximum, saying how much can be topped up."""
	if category_maximum and owed_after > category_maximum:
		room = max(Decimal(0), category_maximum - (owed_after - top_up))
		return [
			Finding(
				AMOUNT,
				BLOCK,
				N_(
					"With this top-up the loan would owe {owed}, above this category's maximum of {maximum}. "
					"Ask for a top-up of at most {room}."
				),
				{
					"owed": format_money(owed_after, precision),
					"maximum": format_money(category_maximum, precision),
					"room": format_money(room, precision),
				},
			)
		]
	return []


def check_tenure(months: int, minimum: int | None, maximum: int | None) -> list[Finding]:
	minimum = minimum or 1
	if maximum and not minimum <= months <= maximum:
		return [
			Finding(
				TENURE,
				BLOCK,
				N_(
					"A tenure of {months} months is outside this category's bounds ({minimum} to {maximum} months). "
					"Choose a tenure within the bounds."
				),
				{"months": months, "minimum": minimum, "maximum": maximum},
			)
		]
	if months < minimum:
		return [
			Finding(
				TENURE,
				BLOCK,
				N_(
					"A tenure of {months} months is outside this category's bounds (at least {minimum} months). "
					"Choose a tenure within the bounds."
				),
				{"months": months, "minimum": minimum},
			)
		]
	return []


def check_employment(
	status: str | None, relieving_date: date | None, last_emi_date: date | None
) -> list[Finding]:
	findings = []
	if status != "Active":
		findings.append(
			Finding(
				EMPLOYMENT,
				BLOCK,
				N_("The employee's status is {status}; only Active employees can take a loan."),
				# The status is an Employee option ("Left"), or "not set": words to translate.
				{"status": status or N_("not set")},
				("status",),
			)
		)
	if relieving_date and (last_emi_date is None or relieving_date < last_emi_date):
		findings.append(
			Finding(
				EMPLOYMENT,
				BLOCK,
				N_(
					"The employee is relieved on {relieving_date}, before the last EMI on {last_emi_date}. "
					"Shorten the tenure so the loan is repaid before the relieving date."
				),
				{"relieving_date": relieving_date, "last_emi_date": last_emi_date or "-"},
			)
		)
	return findings


def check_service(date_of_joining: date | None, on_date: date, minimum_months: int | None) -> list[Finding]:
	if not minimum_months:
		return []
	if date_of_joining is None:
		return [
			Finding(
				SERVICE,
				BLOCK,
				N_(
					"The employee has no date of joining; set it on the Employee record so service can be checked."
				),
				{},
			)
		]
	served = months_between(date_of_joining, on_date) - (1 if on_date.day < date_of_joining.day else 0)
	served = max(served, 0)
	if served < minimum_months:
		return [
			Finding(
				SERVICE,
				BLOCK,
				N_(
					"The employee has {served} completed months of service; at least {minimum} are needed. "
					"Apply again once the minimum service is reached."
				),
				{"served": served, "minimum": minimum_months},
			)
		]
	return []


def check_active_loans(active_loans: int, maximum_active: int | None) -> list[Finding]:
	if maximum_active and active_loans >= maximum_active:
		return [
			Finding(
				ACTIVE_LOANS,
				BLOCK,
				N_(
					"The employee already has {active} approved or disbursed loans; the limit is {maximum}. "
					"Close an existing loan before applying for another."
				),
				{"active": active_loans, "maximum": maximum_active},
			)
		]
	return []


def check_emi_ratio(
	new_emi: Decimal,
	existing_emis: Decimal,
	net_salary: Decimal | None,
	limit_percent: Decimal | None,
	severity: str = WARN,
	precision: int = 2,
) -> list[Finding]:
	if not limit_percent:
		return []
	if severity not in (BLOCK, WARN):
		raise LoanInputError(
			N_("Severity must be {block} or {warn}, got {severity}."),
			{"block": BLOCK, "warn": WARN, "severity": repr(severity)},
			("block", "warn"),
		)
	total = new_emi + existing_emis
	if not net_salary or net_salary <= 0:
		return [
			Finding(
				EMI_RATIO,
				severity,
				N_(
					"No net salary was found (no submitted salary slip and no active salary structure "
					"assignment), so the EMI of {emi} cannot be checked against the {limit} % limit. "
					"Assign a salary structure first."
				),
				{"emi": format_money(new_emi, precision), "limit": limit_percent},
			)
		]
	allowed = net_salary * to_decimal(limit_percent, N_("EMI limit")) / 100
	if total > allowed:
		share = (total * 100 / net_salary).quantize(Decimal("0.01"))
		return [
			Finding(
				EMI_RATIO,
				severity,
				N_(
					"EMIs of {total} a month (this loan {emi} plus existing {existing}) would be {share} % of "
					"the net salary of {net}, above the {limit} % limit ({allowed}). "
					"Lower the amount or lengthen the tenure."
				),
				{
					"total": format_money(total, precision),
					"emi": format_money(new_emi, precision),
					"existing": format_money(existing_emis, precision),
					"share": share,
					"net": format_money(net_salary, precision),
					"limit": limit_percent,
					"allowed": format_money(allowed, precision),
				},
			)
		]
	return []


@dataclass(frozen=True)
class ApplicationFacts:
	"""Everything the rules need, gathered by the app from Employee, Category, Settings, loans and
	salary. Money figures are Decimals already at the currency precision."""

	amount: Decimal
	months: int
	new_emi: Decimal
	last_emi_date: date | None
	on_date: date
	category_maximum: Decimal
	category_min_months: int | None
	category_max_months: int | None
	employee_status: str | None
	date_of_joining: date | None
	relieving_date: date | None
	minimum_service_months: int | None
	active_loans: int
	maximum_active_loans: int | None
	existing_emis: Decimal
	net_salary: Decimal | None
	emi_limit_percent: Decimal | None
	emi_limit_severity: str = WARN
	precision: int = 2


def evaluate(facts: ApplicationFacts) -> list[Finding]:
	"""All six rules, in the order a person reads them."""
	return [
		*check_amount(facts.amount, facts.category_maximum, facts.precision),
		*check_tenure(facts.months, facts.category_min_months, facts.category_max_months),
		*check_employment(facts.employee_status, facts.relieving_date, facts.last_emi_date),
		*check_service(facts.date_of_joining, facts.on_date, facts.minimum_service_months),
		*check_active_loans(facts.active_loans, facts.maximum_active_loans),
		*check_emi_ratio(
			facts.new_emi,
			facts.existing_emis,
			facts.net_salary,
			facts.emi_limit_percent,
			facts.emi_limit_severity,
			facts.precision,
		),
	]


def blocking(findings: list[Finding]) -> list[Finding]:
	return [finding for finding in findings if finding.blocks]
