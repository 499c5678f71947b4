from datetime import date
from decimal import Decimal

import pytest

from employee_loans.engine import LoanDue, LoanInputError, ShortPayPolicy, decide_deduction, decide_deductions
from employee_loans.engine.deduction import (
	DEDUCT_AVAILABLE,
	DUE,
	FINAL_SETTLEMENT,
	NOTHING_DUE,
	PARTIAL,
	PRE_CLOSURE,
	SKIP,
	SKIPPED,
)

# row 1 of 2,00,000 at 8 % over 24 months
DUE_ROW = LoanDue("EL-0001", Decimal("200000"), Decimal("9045.46"), Decimal("1333.33"), Decimal("7712.13"))
SKIP_POLICY = ShortPayPolicy(SKIP)
PARTIAL_POLICY = ShortPayPolicy(DEDUCT_AVAILABLE)


def test_full_emi_when_net_pay_covers_it():
	decision = decide_deduction(DUE_ROW, Decimal("50000"), SKIP_POLICY)
	assert (decision.amount, decision.principal, decision.interest) == (
		Decimal("9045.46"),
		Decimal("7712.13"),
		Decimal("1333.33"),
	)
	assert decision.reason == DUE and decision.shortfall == 0


def test_exactly_enough_net_pay_deducts_in_full():
	assert decide_deduction(DUE_ROW, Decimal("9045.46"), SKIP_POLICY).reason == DUE


def test_short_pay_skip_deducts_nothing_and_says_why():
	decision = decide_deduction(DUE_ROW, Decimal("9045.45"), SKIP_POLICY)
	assert decision.amount == 0 and decision.reason == SKIPPED
	assert decision.shortfall == Decimal("9045.46")
	assert "9045.45" in decision.note and "re-scheduled" in decision.note


def test_short_pay_deduct_available_takes_interest_first():
	decision = decide_deduction(DUE_ROW, Decimal("5000"), PARTIAL_POLICY)
	assert decision.amount == Decimal("5000.00")
	assert decision.interest == Decimal("1333.33")
	assert decision.principal == Decimal("3666.67")
	assert decision.reason == PARTIAL
	assert decision.shortfall == Decimal("4045.46")


def test_partial_below_interest_is_all_interest():
	decision = decide_deduction(DUE_ROW, Decimal("1000"), PARTIAL_POLICY)
	assert (decision.amount, decision.interest, decision.principal) == (
		Decimal("1000.00"),
		Decimal("1000.00"),
		Decimal("0.00"),
	)


def test_protected_net_pay_is_left_to_the_employee():
	policy = ShortPayPolicy(DEDUCT_AVAILABLE, Decimal("10000"))
	decision = decide_deduction(DUE_ROW, Decimal("15000"), policy)
	assert decision.amount == Decimal("5000.00") and decision.reason == PARTIAL
	assert decide_deduction(DUE_ROW, Decimal("19045.46"), policy).reason == DUE
	assert decide_deduction(DUE_ROW, Decimal("9000"), policy).reason == SKIPPED


def test_negative_or_zero_net_pay_skips():
	for net in (Decimal("0"), Decimal("-100")):
		decision = decide_deduction(DUE_ROW, net, PARTIAL_POLICY)
		assert decision.amount == 0 and decision.reason == SKIPPED


def test_pre_closure_deducts_outstanding_plus_the_period_interest():
	due = LoanDue(
		"EL-1",
		Decimal("120000.50"),
		Decimal("9045.46"),
		Decimal("800.00"),
		Decimal("8245.46"),
		pre_closure=True,
	)
	decision = decide_deduction(due, Decimal("500000"), SKIP_POLICY)
	assert decision.reason == PRE_CLOSURE
	assert decision.principal == Decimal("120000.50")
	assert decision.amount == Decimal("120800.50")


def test_pre_closure_without_instalment_in_period_has_no_interest():
	due = LoanDue("EL-1", Decimal("5000"), pre_closure=True)
	decision = decide_deduction(due, Decimal("50000"), SKIP_POLICY)
	assert (decision.amount, decision.interest) == (Decimal("5000.00"), Decimal("0.00"))


def test_pre_closure_is_subject_to_short_pay_policy():
	due = LoanDue("EL-1", Decimal("100000"), pre_closure=True)
	assert decide_deduction(due, Decimal("30000"), SKIP_POLICY).reason == SKIPPED
	partial = decide_deduction(due, Decimal("30000"), PARTIAL_POLICY)
	assert partial.amount == Decimal("30000.00") and partial.reason == PRE_CLOSURE


def test_final_settlement_takes_what_is_available_even_under_skip_policy():
	due = LoanDue(
		"EL-1",
		Decimal("100000"),
		Decimal("9045.46"),
		Decimal("666.67"),
		Decimal("8378.79"),
		final_settlement=True,
	)
	decision = decide_deduction(due, Decimal("40000"), SKIP_POLICY)
	assert decision.amount == Decimal("40000.00")
	assert decision.reason == FINAL_SETTLEMENT
	assert decision.shortfall == Decimal("60666.67")
	assert "stays on the loan for the exit settlement" in decision.note


def test_nothing_due():
	assert (
		decide_deduction(LoanDue("EL-1", Decimal("5000")), Decimal("9000"), SKIP_POLICY).reason == NOTHING_DUE
	)
	assert decide_deduction(LoanDue("EL-1", Decimal("0")), Decimal("9000"), SKIP_POLICY).amount == 0


def test_principal_never_exceeds_outstanding():
	due = LoanDue("EL-1", Decimal("100.00"), Decimal("9045.46"), Decimal("1333.33"), Decimal("7712.13"))
	decision = decide_deduction(due, Decimal("50000"), SKIP_POLICY)
	assert decision.principal == Decimal("100.00")
	assert decision.amount == Decimal("1433.33")


def test_inconsistent_instalment_is_refused():
	due = LoanDue("EL-1", Decimal("1000"), Decimal("500"), Decimal("10"), Decimal("400"))
	with pytest.raises(LoanInputError, match="EL-1"):
		decide_deduction(due, Decimal("5000"), SKIP_POLICY)


def test_float_net_pay_is_refused():
	with pytest.raises(LoanInputError, match="float"):
		decide_deduction(DUE_ROW, 50000.0, SKIP_POLICY)


def test_bad_policy_is_refused():
	with pytest.raises(LoanInputError):
		ShortPayPolicy("Double Next Month")
	with pytest.raises(LoanInputError):
		ShortPayPolicy(SKIP, Decimal("-1"))


def test_several_loans_share_the_net_pay_in_order():
	second = LoanDue("EL-0002", Decimal("12000"), Decimal("1000.00"), Decimal("0.00"), Decimal("1000.00"))
	decisions = decide_deductions([DUE_ROW, second], Decimal("9545.46"), PARTIAL_POLICY)
	assert [decision.amount for decision in decisions] == [Decimal("9045.46"), Decimal("500.00")]
	assert decisions[1].reason == PARTIAL
	decisions = decide_deductions([DUE_ROW, second], Decimal("9545.46"), SKIP_POLICY)
	assert [decision.reason for decision in decisions] == [DUE, SKIPPED]


# -- pre-closure: one rule by hand and in payroll ----------------------------------------------------


def _preclosure_terms():
	from employee_loans.engine import REDUCING, build_schedule

	return build_schedule("120000", "10", 12, REDUCING, date(2027, 1, 1), 2)


def test_preclosure_by_hand_charges_the_period_interest_like_payroll():
	from employee_loans.engine import preclosure_settlement

	rows = _preclosure_terms()
	outstanding = rows[0].closing_balance  # instalment 1 recovered in January
	second = rows[1]
	by_hand = preclosure_settlement(
		outstanding, date(2027, 2, 28), (second.number, second.due_date, second.interest)
	)
	in_payroll = decide_deduction(
		LoanDue("L", outstanding, second.emi, second.interest, second.principal, pre_closure=True),
		Decimal("1000000"),
		ShortPayPolicy(),
	)
	assert by_hand.amount == in_payroll.amount == outstanding + second.interest
	assert (by_hand.principal, by_hand.interest) == (in_payroll.principal, in_payroll.interest)
	assert by_hand.instalment == 2
	# 1,10,450.09 at 10 % a year: one month's interest is 920.42
	assert (outstanding, second.interest) == (Decimal("110450.09"), Decimal("920.42"))


def test_preclosure_owes_no_interest_when_the_period_instalment_is_recovered_or_not_due():
	from employee_loans.engine import preclosure_settlement

	rows = _preclosure_terms()
	second = rows[1]
	# closed later in January, after January's slip took instalment 1: February's is not due yet
	january = preclosure_settlement(
		rows[0].closing_balance, date(2027, 1, 31), (second.number, second.due_date, second.interest)
	)
	assert (january.amount, january.interest, january.instalment) == (rows[0].closing_balance, 0, None)
	# closed before the first instalment falls due
	december = preclosure_settlement(
		Decimal("120000"), date(2026, 12, 31), (1, rows[0].due_date, rows[0].interest)
	)
	assert (december.amount, december.instalment) == (Decimal("120000"), None)
	assert preclosure_settlement(Decimal(0), date(2027, 5, 31), None).amount == 0
