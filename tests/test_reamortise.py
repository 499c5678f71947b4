from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from employee_loans.engine import (
	FLAT,
	KEEP_EMI,
	KEEP_END_DATE,
	REDUCING,
	LoanDue,
	LoanInputError,
	LoanState,
	ShortPayPolicy,
	build_schedule,
	decide_deduction,
	outstanding_principal,
	reamortise,
)
from employee_loans.engine.deduction import DEDUCT_AVAILABLE, SKIP

START = date(2027, 1, 1)


def _state(rows, paid_principal, next_index, emi=None, precision=2):
	return LoanState(
		outstanding=outstanding_principal(Decimal("200000"), paid_principal, precision),
		annual_rate=Decimal("8"),
		method=REDUCING,
		current_emi=emi if emi is not None else rows[0].emi,
		next_due=rows[next_index].due_date,
		end_date=rows[-1].due_date,
		precision=precision,
		next_number=next_index + 1,
	)


def test_nothing_changed_reproduces_the_rest_of_the_schedule():
	rows = build_schedule("200000", "8", 24, REDUCING, START)
	paid = [row.principal for row in rows[:6]]
	new = reamortise(_state(rows, paid, 6), KEEP_END_DATE)
	assert len(new) == 18
	assert new[0].opening_balance == rows[6].opening_balance
	# same terms, same balance: the EMI is the annuity on what is left, within a paisa of the original
	assert abs(new[0].emi - rows[0].emi) <= Decimal("0.01")
	assert new[-1].due_date == rows[-1].due_date
	assert new[0].number == 7


def test_skipped_month_keep_end_date_spreads_it_without_doubling():
	rows = build_schedule("200000", "8", 24, REDUCING, START)
	paid = [row.principal for row in rows[:3]]  # months 1-3 paid, month 4 skipped
	state = LoanState(
		outstanding=outstanding_principal("200000", paid, 2),
		annual_rate=Decimal("8"),
		method=REDUCING,
		current_emi=rows[0].emi,
		next_due=rows[4].due_date,
		end_date=rows[-1].due_date,
		next_number=5,
	)
	new = reamortise(state, KEEP_END_DATE)
	assert len(new) == 20
	assert new[-1].due_date == rows[-1].due_date
	assert new[0].opening_balance == rows[3].opening_balance
	# the EMI rises a little, nowhere near two EMIs
	assert rows[0].emi < new[0].emi < rows[0].emi * Decimal("1.1")
	assert sum(row.principal for row in new) == state.outstanding
	assert new[-1].closing_balance == 0


def test_skipped_month_keep_emi_grows_the_term_by_one():
	rows = build_schedule("200000", "8", 24, REDUCING, START)
	paid = [row.principal for row in rows[:3]]
	state = _state(rows, paid, 4)
	new = reamortise(state, KEEP_EMI)
	assert new[0].emi == rows[0].emi
	assert len(new) == 21  # instalments 5..25: the skipped month moved to the end
	assert new[-1].due_date == date(2029, 1, 1)
	assert new[-1].closing_balance == 0
	assert sum(row.principal for row in new) == state.outstanding


def test_partial_payment_then_reamortise():
	rows = build_schedule("200000", "8", 24, REDUCING, START)
	# month 1 paid in full, month 2 only 5,000 of 9,045.46
	first = rows[0]
	due = LoanDue("L1", first.closing_balance, rows[1].emi, rows[1].interest, rows[1].principal)
	decision = decide_deduction(due, Decimal("5000"), ShortPayPolicy(DEDUCT_AVAILABLE), 2)
	assert decision.amount == Decimal("5000.00")
	assert decision.interest == rows[1].interest
	paid = [first.principal, decision.principal]
	state = _state(rows, paid, 2)
	new = reamortise(state, KEEP_END_DATE)
	assert len(new) == 22
	assert new[0].opening_balance == Decimal("200000") - first.principal - decision.principal
	assert sum(row.principal for row in new) + sum(paid) == Decimal("200000")


def test_prepayment_lowers_emi_when_keeping_end_date():
	rows = build_schedule("200000", "8", 24, REDUCING, START)
	paid = [row.principal for row in rows[:6]] + [Decimal("50000")]
	new = reamortise(_state(rows, paid, 6), KEEP_END_DATE)
	assert new[0].emi < rows[0].emi
	assert new[-1].due_date == rows[-1].due_date


def test_prepayment_shortens_term_when_keeping_emi():
	rows = build_schedule("200000", "8", 24, REDUCING, START)
	paid = [row.principal for row in rows[:6]] + [Decimal("50000")]
	new = reamortise(_state(rows, paid, 6), KEEP_EMI)
	assert len(new) < 18
	assert new[0].emi == rows[0].emi


def test_end_date_already_passed_falls_due_next_month():
	rows = build_schedule("12000", "0", 12, REDUCING, START)
	paid = [row.principal for row in rows[:11]]  # month 12 skipped
	state = LoanState(
		outstanding=outstanding_principal("12000", paid, 2),
		annual_rate=Decimal("0"),
		method=REDUCING,
		current_emi=rows[0].emi,
		next_due=date(2028, 1, 1),
		end_date=rows[-1].due_date,
	)
	new = reamortise(state, KEEP_END_DATE)
	assert [(row.due_date, row.emi) for row in new] == [(date(2028, 1, 1), Decimal("1000.00"))]


def test_fully_repaid_has_no_remaining_schedule():
	rows = build_schedule("12000", "0", 12, REDUCING, START)
	state = _state(rows, [], 0)
	state = LoanState(Decimal(0), Decimal(0), REDUCING, rows[0].emi, START, rows[-1].due_date)
	assert reamortise(state) == []


def test_overpaid_principal_is_refused():
	with pytest.raises(LoanInputError, match="exceed"):
		outstanding_principal("1000", ["600", "500"], 2)


def test_unknown_mode_is_refused():
	rows = build_schedule("12000", "0", 12, REDUCING, START)
	with pytest.raises(LoanInputError, match="mode"):
		reamortise(_state(rows, [], 0), "Double Next Month")


def test_flat_reamortisation_closes():
	rows = build_schedule("100000", "10", 12, FLAT, START)
	state = LoanState(
		outstanding=Decimal("100000") - rows[0].principal,
		annual_rate=Decimal("10"),
		method=FLAT,
		current_emi=rows[0].emi,
		next_due=rows[2].due_date,
		end_date=rows[-1].due_date,
	)
	for mode in (KEEP_END_DATE, KEEP_EMI):
		new = reamortise(state, mode)
		assert sum(row.principal for row in new) == state.outstanding
		assert new[-1].closing_balance == 0


@given(
	st.integers(min_value=1_000_000, max_value=10**9),
	st.integers(min_value=0, max_value=2400),
	st.integers(min_value=6, max_value=120),
	st.lists(st.sampled_from(["full", "partial", "skip", "prepay"]), min_size=1, max_size=30),
	st.sampled_from([KEEP_END_DATE, KEEP_EMI]),
	st.sampled_from([SKIP, DEDUCT_AVAILABLE]),
)
def test_any_history_recovers_exactly_the_principal_and_never_doubles(
	units, rate_hundredths, months, history, mode, policy_mode
):
	"""Play a random history of months through the deduction decision and re-amortisation: the
	principal recovered always adds up to the loan, the balance never goes negative, and no month's
	deduction exceeds that month's scheduled EMI (unless it is a prepayment)."""
	amount = Decimal(units).scaleb(-2)
	rate = Decimal(rate_hundredths) / 100
	rows = build_schedule(amount, rate, months, REDUCING, START)
	policy = ShortPayPolicy(policy_mode)
	outstanding = amount
	recovered = Decimal(0)
	emi = rows[0].emi
	for event in history:
		if not rows:
			break
		row = rows[0]
		due = LoanDue("L", outstanding, row.emi, row.interest, row.principal)
		if event == "prepay":
			extra = (outstanding / 3).quantize(Decimal("0.01"))
			if extra <= 0:
				continue
			outstanding -= extra
			recovered += extra
		else:
			net = {"full": row.emi * 3, "partial": row.emi / 2, "skip": Decimal(0)}[event]
			decision = decide_deduction(due, net.quantize(Decimal("0.01")), policy, 2)
			assert decision.amount <= row.emi  # never doubled
			assert decision.principal + decision.interest == decision.amount
			outstanding -= decision.principal
			recovered += decision.principal
			if decision.amount == row.emi and event == "full":
				rows = rows[1:]
				if outstanding == 0:
					break
				if rows and rows[0].opening_balance == outstanding:
					continue
		assert outstanding >= 0
		if outstanding == 0:
			rows = []
			break
		next_due = rows[1].due_date if event != "prepay" and len(rows) > 1 else row.due_date
		end = rows[-1].due_date
		rows = reamortise(LoanState(outstanding, rate, REDUCING, emi, next_due, end, 2, row.number + 1), mode)
		assert sum(r.principal for r in rows) == outstanding
		assert rows[-1].closing_balance == 0
	# whatever is left is exactly the rest of the schedule
	assert recovered + sum((r.principal for r in rows), Decimal(0)) == amount
