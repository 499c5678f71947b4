"""What to deduct for a loan in one payroll period.

Inputs are plain figures: what is due this period, the outstanding principal, any pending
pre-closure, whether the employee leaves in this period, and the net pay available before the
loan. The policy (skip the month or deduct what is available; a protected minimum of net pay) comes
from the settings. Nothing here looks at other months: arrears are never added to a due amount.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .errors import N_, LoanInputError, fill
from .money import check_precision, parse_money, quantum, round_money, to_decimal

SKIP = "Skip Month"
DEDUCT_AVAILABLE = "Deduct Available"
SHORT_PAY_POLICIES = (SKIP, DEDUCT_AVAILABLE)

# Reasons, as stored on the slip row and the repayment.
DUE = "Due"
PARTIAL = "Partial - Short Net Pay"
SKIPPED = "Skipped - Short Net Pay"
PRE_CLOSURE = "Pre-closure"
FINAL_SETTLEMENT = "Final Settlement"
NOTHING_DUE = "Nothing Due"
REASONS = (DUE, PARTIAL, SKIPPED, PRE_CLOSURE, FINAL_SETTLEMENT, NOTHING_DUE)


@dataclass(frozen=True)
class ShortPayPolicy:
	mode: str = SKIP
	protected_net_pay: Decimal = Decimal(0)

	def __post_init__(self):
		if self.mode not in SHORT_PAY_POLICIES:
			raise LoanInputError(
				N_("Short net pay policy must be one of {skip}, {deduct_available}, got {mode}."),
				{"skip": SKIP, "deduct_available": DEDUCT_AVAILABLE, "mode": repr(self.mode)},
				("skip", "deduct_available"),
			)
		if to_decimal(self.protected_net_pay, N_("Protected net pay")) < 0:
			raise LoanInputError(N_("Protected net pay cannot be negative."))


@dataclass(frozen=True)
class LoanDue:
	"""One loan's position for one period. `emi`, `interest` and `principal` are the scheduled
	instalment due in the period (zeros when nothing is due)."""

	loan: str
	outstanding: Decimal
	emi: Decimal = Decimal(0)
	interest: Decimal = Decimal(0)
	principal: Decimal = Decimal(0)
	pre_closure: bool = False
	final_settlement: bool = False


@dataclass(frozen=True)
class Deduction:
	"""What to deduct for one loan. When the deduction is short, `note_template` and `note_values`
	say why for the slip, shaped like an engine error's message (see `errors`): the app translates
	the template, then fills it in. `note` is that sentence in English."""

	loan: str
	amount: Decimal
	principal: Decimal
	interest: Decimal
	reason: str
	wanted: Decimal
	shortfall: Decimal
	available: Decimal
	note_template: str = ""
	note_values: dict = field(default_factory=dict, hash=False)

	@property
	def deducts(self) -> bool:
		return self.amount > 0

	@property
	def note(self) -> str:
		return fill(self.note_template, self.note_values)


def decide_deduction(
	due: LoanDue, net_pay_available, policy: ShortPayPolicy, precision: int = 2
) -> Deduction:
	"""The amount to deduct for one loan, split into principal and interest, with its reason."""
	precision = check_precision(precision)
	zero = Decimal(0).quantize(quantum(precision))
	outstanding = parse_money(due.outstanding, precision, N_("Outstanding balance"), allow_zero=True)
	emi = parse_money(due.emi, precision, N_("EMI"), allow_zero=True)
	interest_due = parse_money(due.interest, precision, N_("Interest"), allow_zero=True)
	principal_due = parse_money(due.principal, precision, N_("Principal"), allow_zero=True)
	available = round_money(to_decimal(net_pay_available, N_("Net pay")), precision)
	protected = round_money(to_decimal(policy.protected_net_pay, N_("Protected net pay")), precision)

	if outstanding == 0:
		return Deduction(due.loan, zero, zero, zero, NOTHING_DUE, zero, zero, available)

	if due.pre_closure or due.final_settlement:
		# The period's interest with all the principal: the same rule as a pre-closure by hand
		# (preclosure_settlement); the slip's instalment, when one is due, is the period's.
		reason = PRE_CLOSURE if due.pre_closure else FINAL_SETTLEMENT
		wanted_principal = outstanding
	elif emi > 0:
		reason = DUE
		# Never more principal than is left (a prepayment may have overtaken the schedule).
		wanted_principal = min(principal_due, outstanding)
		if emi != interest_due + principal_due:
			raise LoanInputError(
				N_(
					"Loan {loan}: the instalment's EMI {emi} is not its principal {principal} plus "
					"interest {interest}; regenerate the schedule."
				),
				{"loan": due.loan, "emi": emi, "principal": principal_due, "interest": interest_due},
			)
	else:
		return Deduction(due.loan, zero, zero, zero, NOTHING_DUE, zero, zero, available)

	wanted = wanted_principal + interest_due
	capacity = max(zero, available - protected)
	if capacity >= wanted:
		return Deduction(due.loan, wanted, wanted_principal, interest_due, reason, wanted, zero, available)

	# Short net pay. Leaving employees settle what they can: there is no later month to skip to.
	if (policy.mode == SKIP and not due.final_settlement) or capacity == 0:
		return Deduction(
			due.loan,
			zero,
			zero,
			zero,
			SKIPPED,
			wanted,
			wanted,
			available,
			note_template=N_(
				"Net pay available {available} (protected minimum {protected}) cannot cover {wanted}; "
				"nothing deducted this month, the instalment is re-scheduled."
			),
			note_values={"available": available, "protected": protected, "wanted": wanted},
		)

	amount = capacity
	interest = min(amount, interest_due)
	principal = amount - interest
	shortfall = wanted - amount
	reason = PARTIAL if reason == DUE else reason
	return Deduction(
		due.loan,
		amount,
		principal,
		interest,
		reason,
		wanted,
		shortfall,
		available,
		note_template=N_(
			"Net pay available {available} (protected minimum {protected}) covers {amount} of {wanted}; "
			"the shortfall of {shortfall} stays on the loan for the exit settlement."
		)
		if due.final_settlement
		else N_(
			"Net pay available {available} (protected minimum {protected}) covers {amount} of {wanted}; "
			"the shortfall of {shortfall} is re-scheduled."
		),
		note_values={
			"available": available,
			"protected": protected,
			"amount": amount,
			"wanted": wanted,
			"shortfall": shortfall,
		},
	)


def decide_deductions(
	dues: list[LoanDue], net_pay_before_loans, policy: ShortPayPolicy, precision: int = 2
) -> list[Deduction]:
	"""Several loans of one employee in one slip, in the given order (oldest loan first): each
	deduction reduces the net pay left for the next."""
	available = round_money(to_decimal(net_pay_before_loans, N_("Net pay")), precision)
	decisions = []
	for due in dues:
		decision = decide_deduction(due, available, policy, precision)
		available -= decision.amount
		decisions.append(decision)
	return decisions


@dataclass(frozen=True)
class PreClosure:
	"""What closing a loan early recovers: all the outstanding principal, plus the interest of the
	current period's instalment when that instalment has not been recovered yet (`instalment` is its
	number; None when no instalment is due in the period)."""

	principal: Decimal
	interest: Decimal
	instalment: int | None

	@property
	def amount(self) -> Decimal:
		return self.principal + self.interest


def preclosure_settlement(
	outstanding, period_end: date, due_instalment: tuple[int, date, Decimal] | None, precision: int = 2
) -> PreClosure:
	"""One rule for a pre-closure, settled by hand or deducted in payroll.

	`due_instalment` is the loan's oldest pending instalment (number, due date, interest) or None. The
	period is the payroll month a manual pre-closure is posted in, or the slip's period: when that
	instalment falls due by the period's end its interest is charged, as the slip would have charged it;
	otherwise (already recovered, or not due yet) only the principal is owed."""
	precision = check_precision(precision)
	principal = parse_money(outstanding, precision, N_("Outstanding balance"), allow_zero=True)
	zero = Decimal(0).quantize(quantum(precision))
	if principal == 0 or due_instalment is None:
		return PreClosure(principal, zero, None)
	number, due_date, interest = due_instalment
	if due_date > period_end:
		return PreClosure(principal, zero, None)
	return PreClosure(principal, parse_money(interest, precision, N_("Interest"), allow_zero=True), number)
