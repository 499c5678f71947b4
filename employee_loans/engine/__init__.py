"""The loan engine: pure Python, Decimal money, no frappe.

Everything the app computes about money (EMIs, schedules, re-amortisation, eligibility and payroll
deductions) is computed here, once. Controllers, hooks and reports load data, call these functions
and store the results.
"""

from .deduction import (
	DEDUCT_AVAILABLE,
	SHORT_PAY_POLICIES,
	SKIP,
	Deduction,
	LoanDue,
	PreClosure,
	ShortPayPolicy,
	decide_deduction,
	decide_deductions,
	preclosure_settlement,
)
from .eligibility import BLOCK, WARN, ApplicationFacts, Finding, blocking, evaluate
from .errors import LoanInputError, translate
from .ledger import (
	LoanSummary,
	Recovery,
	ScheduleRow,
	after_instalment_paid,
	replay,
	summarise,
	summary_from_totals,
)
from .money import (
	add_up,
	format_money,
	parse_money,
	parse_months,
	parse_rate,
	replace_in_total,
	round_money,
	to_decimal,
)
from .periods import add_months, first_due_date, months_between
from .reamortise import KEEP_EMI, KEEP_END_DATE, LoanState, outstanding_principal, reamortise
from .schedule import (
	FLAT,
	INTEREST_FREE,
	METHODS,
	REDUCING,
	Instalment,
	LoanTerms,
	build_schedule,
	build_schedule_for_emi,
	schedule_totals,
)

__all__ = [
	"BLOCK",
	"DEDUCT_AVAILABLE",
	"FLAT",
	"INTEREST_FREE",
	"KEEP_EMI",
	"KEEP_END_DATE",
	"METHODS",
	"REDUCING",
	"SHORT_PAY_POLICIES",
	"SKIP",
	"WARN",
	"ApplicationFacts",
	"Deduction",
	"Finding",
	"Instalment",
	"LoanDue",
	"LoanInputError",
	"LoanState",
	"LoanSummary",
	"LoanTerms",
	"PreClosure",
	"Recovery",
	"ScheduleRow",
	"ShortPayPolicy",
	"add_months",
	"add_up",
	"after_instalment_paid",
	"blocking",
	"build_schedule",
	"build_schedule_for_emi",
	"decide_deduction",
	"decide_deductions",
	"evaluate",
	"first_due_date",
	"format_money",
	"months_between",
	"outstanding_principal",
	"parse_money",
	"parse_months",
	"parse_rate",
	"preclosure_settlement",
	"reamortise",
	"replace_in_total",
	"replay",
	"round_money",
	"schedule_totals",
	"summarise",
	"summary_from_totals",
	"to_decimal",
	"translate",
]
