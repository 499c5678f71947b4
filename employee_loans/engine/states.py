"""The names of statuses, repayment types and reasons, shared by the engine and the app.

They are stored in the database and shown (translated) to users; the glue, the reports and the
controllers refer to these constants, never to the strings themselves.
"""

from .changes import (
	CHANGE_TYPES,
	EMI_HOLIDAY,
	EXTEND_TERM,
	HOLIDAY_ABSORB_MODES,
	HOLIDAY_INTEREST_MODES,
	INTEREST_ADDED_TO_PRINCIPAL,
	INTEREST_WAIVED,
	RAISE_EMI,
	RESTRUCTURE,
	TOP_UP,
)
from .deduction import DUE, FINAL_SETTLEMENT, NOTHING_DUE, PARTIAL, PRE_CLOSURE, REASONS, SKIPPED
from .ledger import EMI_HOLIDAY as ROW_EMI_HOLIDAY
from .ledger import PAID, PARTLY_PAID, PENDING, PRE_CLOSED, ROW_STATUSES
from .ledger import SKIPPED as ROW_SKIPPED
from .opening import BEFORE_GO_LIVE as ROW_BEFORE_GO_LIVE

# Employee Loan Application.status: a draft is Pending; deciding is the submit; withdrawing cancels
APPLICATION_PENDING = "Pending"
APPLICATION_APPROVED = "Approved"
APPLICATION_DENIED = "Denied"
APPLICATION_WITHDRAWN = "Withdrawn"
APPLICATION_STATUSES = (APPLICATION_PENDING, APPLICATION_APPROVED, APPLICATION_DENIED, APPLICATION_WITHDRAWN)

# Employee Loan.status
LOAN_APPROVED = "Approved"
LOAN_DISBURSED = "Disbursed"
LOAN_CLOSED = "Closed"
LOAN_CANCELLED = "Cancelled"
LOAN_STATUSES = (LOAN_APPROVED, LOAN_DISBURSED, LOAN_CLOSED, LOAN_CANCELLED)
OPEN_LOAN_STATUSES = (LOAN_APPROVED, LOAN_DISBURSED)

# Employee Loan.closure_type
CLOSED_REPAID = "Repaid"
CLOSED_PRECLOSED_MANUALLY = "Pre-closed (Settled Manually)"
CLOSED_PRECLOSED_IN_PAYROLL = "Pre-closed (Payroll)"
CLOSED_EXIT_SETTLEMENT = "Exit Settlement"
CLOSED_WRITTEN_OFF = "Written Off"

# Employee Loan Repayment.repayment_type
FROM_SALARY_SLIP = "Salary Slip"
MANUAL = "Manual"
PRE_CLOSURE_PAYMENT = "Pre-closure"
DESK_REPAYMENT_TYPES = (MANUAL, PRE_CLOSURE_PAYMENT)
# at an employee's exit: recovered through the Full and Final Statement's journal entry, or waived
EXIT_SETTLEMENT = "Exit Settlement"
WRITE_OFF = "Write-off"
REPAYMENT_TYPES = (FROM_SALARY_SLIP, *DESK_REPAYMENT_TYPES, EXIT_SETTLEMENT, WRITE_OFF)

# Employee Loan Repayment.reason: what a deduction decided (never "Nothing Due": no repayment is
# posted then), or a manual payment
REASON_MANUAL = "Manual"
REASON_WRITTEN_OFF = "Written Off"
REPAYMENT_REASONS = (
	*(reason for reason in REASONS if reason != NOTHING_DUE),
	REASON_MANUAL,
	REASON_WRITTEN_OFF,
)
CLOSURE_TYPES = (
	CLOSED_REPAID,
	CLOSED_PRECLOSED_MANUALLY,
	CLOSED_PRECLOSED_IN_PAYROLL,
	CLOSED_EXIT_SETTLEMENT,
	CLOSED_WRITTEN_OFF,
)

# Employee Loan Change.status: a draft is Pending; approving or denying is the submit
CHANGE_PENDING = "Pending"
CHANGE_APPROVED = "Approved"
CHANGE_DENIED = "Denied"
CHANGE_CANCELLED = "Cancelled"
CHANGE_WITHDRAWN = "Withdrawn"  # by the employee, while Pending
CHANGE_STATUSES = (CHANGE_PENDING, CHANGE_APPROVED, CHANGE_DENIED, CHANGE_CANCELLED, CHANGE_WITHDRAWN)


def closure_type(repayment_type: str, reason: str | None) -> str:
	"""How a loan closed, from the repayment that brought its balance to 0."""
	if repayment_type == PRE_CLOSURE_PAYMENT:
		return CLOSED_PRECLOSED_MANUALLY
	if repayment_type == EXIT_SETTLEMENT:
		return CLOSED_EXIT_SETTLEMENT
	if repayment_type == WRITE_OFF:
		return CLOSED_WRITTEN_OFF
	if reason == PRE_CLOSURE:
		return CLOSED_PRECLOSED_IN_PAYROLL
	return CLOSED_REPAID


__all__ = [
	"APPLICATION_APPROVED",
	"APPLICATION_DENIED",
	"APPLICATION_PENDING",
	"APPLICATION_STATUSES",
	"APPLICATION_WITHDRAWN",
	"CHANGE_APPROVED",
	"CHANGE_CANCELLED",
	"CHANGE_DENIED",
	"CHANGE_PENDING",
	"CHANGE_STATUSES",
	"CHANGE_TYPES",
	"CHANGE_WITHDRAWN",
	"CLOSED_EXIT_SETTLEMENT",
	"CLOSED_PRECLOSED_IN_PAYROLL",
	"CLOSED_PRECLOSED_MANUALLY",
	"CLOSED_REPAID",
	"CLOSED_WRITTEN_OFF",
	"CLOSURE_TYPES",
	"DESK_REPAYMENT_TYPES",
	"DUE",
	"EMI_HOLIDAY",
	"EXIT_SETTLEMENT",
	"EXTEND_TERM",
	"FINAL_SETTLEMENT",
	"FROM_SALARY_SLIP",
	"HOLIDAY_ABSORB_MODES",
	"HOLIDAY_INTEREST_MODES",
	"INTEREST_ADDED_TO_PRINCIPAL",
	"INTEREST_WAIVED",
	"LOAN_APPROVED",
	"LOAN_CANCELLED",
	"LOAN_CLOSED",
	"LOAN_DISBURSED",
	"LOAN_STATUSES",
	"MANUAL",
	"NOTHING_DUE",
	"OPEN_LOAN_STATUSES",
	"PAID",
	"PARTIAL",
	"PARTLY_PAID",
	"PENDING",
	"PRE_CLOSED",
	"PRE_CLOSURE",
	"PRE_CLOSURE_PAYMENT",
	"RAISE_EMI",
	"REASON_MANUAL",
	"REASON_WRITTEN_OFF",
	"REPAYMENT_REASONS",
	"REPAYMENT_TYPES",
	"RESTRUCTURE",
	"ROW_BEFORE_GO_LIVE",
	"ROW_EMI_HOLIDAY",
	"ROW_SKIPPED",
	"ROW_STATUSES",
	"SKIPPED",
	"TOP_UP",
	"WRITE_OFF",
	"closure_type",
]
