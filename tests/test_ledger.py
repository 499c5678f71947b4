from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from employee_loans.engine import (
	KEEP_EMI,
	KEEP_END_DATE,
	REDUCING,
	LoanDue,
	LoanInputError,
	LoanTerms,
	Recovery,
	ShortPayPolicy,
	build_schedule,
	decide_deduction,
	replay,
	summarise,
)
from employee_loans.engine.deduction import DEDUCT_AVAILABLE, DUE, PARTIAL, SKIP
from employee_loans.engine.ledger import PAID, PARTLY_PAID, PENDING, PRE_CLOSED, SKIPPED
from employee_loans.engine.money import monthly_rate, round_money

START = date(2027, 1, 1)
TERMS = LoanTerms.parse("120000", "10", 12, REDUCING, 2)


def pay_row(row, name=None):
	return Recovery(row.emi, row.principal, row.interest, row.number, reason=DUE, repayment=name)


def planned(row):
	return (
		row.number,
		row.due_date,
		row.opening_balance,
		row.emi,
		row.interest,
		row.principal,
		row.closing_balance,
	)


def next_pending(rows):
	return next(row for row in rows if row.pending)


def test_no_repayments_is_the_original_schedule():
	rows = replay(TERMS, START, [])
	original = build_schedule("120000", "10", 12, REDUCING, START)
	assert [(r.number, r.emi, r.principal, r.interest) for r in rows] == [
		(r.number, r.emi, r.principal, r.interest) for r in original
	]
	assert all(row.status == PENDING for row in rows)


def test_full_cycle_closes_with_the_exact_total():
	rows = replay(TERMS, START, [])
	recoveries = []
	for _ in range(12):
		due = next_pending(rows)
		recoveries.append(pay_row(due, f"R{due.number}"))
		rows = replay(TERMS, START, recoveries)
	assert all(row.status == PAID for row in rows)
	summary = summarise(TERMS, rows, recoveries)
	assert summary.outstanding == 0 and summary.closed
	assert summary.principal_repaid == Decimal("120000")
	assert summary.amount_repaid == sum(
		row.emi for row in build_schedule("120000", "10", 12, REDUCING, START)
	)
	assert summary.emis_paid == 12 and summary.next_emi_date is None


def test_cancelling_a_repayment_restores_the_schedule_exactly():
	original = build_schedule("120000", "10", 12, REDUCING, START)
	first = pay_row(original[0], "R1")
	skip = Recovery(Decimal(0), Decimal(0), Decimal(0), 2, reason="Skipped - Short Net Pay", repayment="R2")
	after_skip = replay(TERMS, START, [first, skip])
	assert after_skip[1].status == SKIPPED
	# the 1,10,450.09 still owed is re-amortised over the ten rows left (the annuity formula, as
	# numpy-financial's pmt gives it: 11,557.5395)
	assert original[0].closing_balance == Decimal("110450.09")
	assert (original[2].emi, after_skip[2].emi) == (Decimal("10549.91"), Decimal("11557.54"))
	# cancelling the skip gives back the original plan from instalment 2, row for row
	after_cancel = replay(TERMS, START, [first])
	assert after_cancel[0].status == PAID and after_cancel[0].paid_amount == original[0].emi
	assert [planned(row) for row in after_cancel[1:]] == [planned(row) for row in original[1:]]
	assert all(row.pending for row in after_cancel[1:])


def test_a_row_paid_as_scheduled_stays_paid_after_earlier_history_changes():
	"""A prepayment re-lays the schedule, the next slip deducts the new instalment in full, then the
	prepayment is cancelled: the row still reads Paid with what was deducted, and the rest of the
	schedule absorbs the difference."""
	prepayment = Recovery(Decimal("1000"), Decimal("1000"), Decimal(0), repayment="M1")
	relaid = replay(TERMS, START, [prepayment])
	deducted = pay_row(relaid[0], "S1")
	rows = replay(TERMS, START, [deducted])  # the prepayment cancelled
	first = rows[0]
	assert first.status == PAID
	assert (first.emi, first.principal, first.interest) == (
		deducted.amount,
		deducted.principal,
		deducted.interest,
	)
	assert first.closing_balance == Decimal("120000") - deducted.principal
	pending = [row for row in rows if row.pending]
	assert len(pending) == 11 and pending[-1].closing_balance == 0
	assert sum(row.principal for row in pending) == first.closing_balance
	# partly paid only when the deduction itself was short
	short = Recovery(Decimal("500"), Decimal("0"), Decimal("500"), 1, reason=PARTIAL, repayment="S1")
	assert replay(TERMS, START, [short])[0].status == PARTLY_PAID


def test_skip_spreads_the_instalment_over_the_rest_not_the_next_month():
	base = replay(TERMS, START, [])
	rows = replay(TERMS, START, [Recovery(Decimal(0), Decimal(0), Decimal(0), 1)])
	assert rows[0].status == SKIPPED and rows[0].closing_balance == Decimal("120000")
	pending = [row for row in rows if row.pending]
	assert len(pending) == 11 and pending[-1].due_date == base[-1].due_date
	assert pending[0].emi < base[0].emi * Decimal("1.15")


def test_keep_emi_moves_the_end():
	rows = replay(TERMS, START, [Recovery(Decimal(0), Decimal(0), Decimal(0), 1)], KEEP_EMI)
	pending = [row for row in rows if row.pending]
	assert pending[0].emi == rows[0].emi
	assert pending[-1].due_date == date(2028, 1, 1)


def test_partial_payment_is_recorded_and_rescheduled():
	base = replay(TERMS, START, [])
	decision = decide_deduction(
		LoanDue("L", Decimal("120000"), base[0].emi, base[0].interest, base[0].principal),
		Decimal("4000"),
		ShortPayPolicy(DEDUCT_AVAILABLE),
	)
	recovery = Recovery(decision.amount, decision.principal, decision.interest, 1, repayment="R1")
	rows = replay(TERMS, START, [recovery])
	assert rows[0].status == PARTLY_PAID and rows[0].paid_amount == Decimal("4000.00")
	assert rows[0].closing_balance == Decimal("120000") - decision.principal
	summary = summarise(TERMS, rows, [recovery])
	assert summary.outstanding == rows[1].opening_balance
	assert sum(row.principal for row in rows if row.pending) == summary.outstanding


def test_manual_prepayment_re_lays_the_schedule():
	base = replay(TERMS, START, [])
	recoveries = [pay_row(base[0]), Recovery(Decimal("50000"), Decimal("50000"), Decimal("0"))]
	rows = replay(TERMS, START, recoveries)
	pending = [row for row in rows if row.pending]
	assert pending[0].number == 2 and pending[0].opening_balance == base[0].closing_balance - 50000
	assert pending[-1].due_date == base[-1].due_date
	assert summarise(TERMS, rows, recoveries).outstanding == pending[0].opening_balance


def test_pre_closure_closes_and_clears_the_rest():
	base = replay(TERMS, START, [])
	first = pay_row(base[0])
	outstanding = base[0].closing_balance
	close = Recovery(outstanding + base[1].interest, outstanding, base[1].interest, 2, reason="Pre-closure")
	rows = replay(TERMS, START, [first, close])
	assert [row.status for row in rows] == [PAID, PRE_CLOSED]
	summary = summarise(TERMS, rows, [first, close])
	assert summary.closed and summary.remaining_payable == 0


def test_out_of_order_repayment_is_refused():
	base = replay(TERMS, START, [])
	with pytest.raises(LoanInputError, match="next pending instalment is 1"):
		replay(TERMS, START, [pay_row(base[1])])


def test_overpayment_is_refused():
	with pytest.raises(LoanInputError, match="outstanding"):
		replay(TERMS, START, [Recovery(Decimal("130000"), Decimal("130000"), Decimal(0))])


def test_inconsistent_split_is_refused():
	with pytest.raises(LoanInputError, match="principal"):
		replay(TERMS, START, [Recovery(Decimal("100"), Decimal("50"), Decimal("40"), 1)])


@given(
	st.lists(st.sampled_from(["full", "short", "none", "prepay"]), min_size=1, max_size=40),
	st.sampled_from([SKIP, DEDUCT_AVAILABLE]),
	st.sampled_from([KEEP_END_DATE, KEEP_EMI]),
)
def test_random_payroll_history_replays_consistently(history, policy_mode, mode):
	"""Run months through decide_deduction and replay: the principal recovered plus the pending
	schedule always equals the loan; no deduction exceeds the instalment due; cancelling the last
	repayment gives back the previous schedule exactly."""
	policy = ShortPayPolicy(policy_mode)
	recoveries: list[Recovery] = []
	rows = replay(TERMS, START, recoveries, mode)
	for event in history:
		if not any(row.pending for row in rows):
			break
		due = next_pending(rows)
		summary = summarise(TERMS, rows, recoveries)
		if event == "prepay":
			part = (summary.outstanding / 4).quantize(Decimal("0.01"))
			if part == 0:
				continue
			recovery = Recovery(part, part, Decimal(0))
		else:
			net = {"full": due.emi * 2, "short": due.emi / 3, "none": Decimal(0)}[event]
			loan_due = LoanDue("L", summary.outstanding, due.emi, due.interest, due.principal)
			decision = decide_deduction(loan_due, net.quantize(Decimal("0.01")), policy)
			assert decision.amount <= due.emi
			recovery = Recovery(
				decision.amount, decision.principal, decision.interest, due.number, reason=decision.reason
			)
		recoveries.append(recovery)
		rows = replay(TERMS, START, recoveries, mode)
		_check_against_the_repayments(rows, recoveries)


def _check_against_the_repayments(rows, recoveries):
	"""Figures computed here from the repayments and the terms, not by replay: the settled rows are
	the payroll recoveries in order; the balance runs down by exactly what was repaid; every pending
	row charges the monthly rate on its opening balance and the last one ends at 0."""
	payroll = [r for r in recoveries if r.instalment is not None]
	settled = [row for row in rows if not row.pending]
	assert [(row.number, row.paid_amount, row.paid_principal) for row in settled] == [
		(r.instalment, r.amount, r.principal) for r in payroll
	]
	outstanding = Decimal("120000") - sum((r.principal for r in recoveries), Decimal(0))
	pending = [row for row in rows if row.pending]
	if settled and pending:
		assert settled[-1].closing_balance >= pending[0].opening_balance
	if not pending:
		assert outstanding == 0
		return
	assert pending[0].opening_balance == outstanding
	assert sum((row.principal for row in pending), Decimal(0)) == outstanding
	balance = outstanding
	for row in pending:
		assert row.opening_balance == balance
		assert row.interest == round_money(balance * monthly_rate(TERMS.annual_rate), 2)
		assert row.emi == row.principal + row.interest
		balance -= row.principal
		assert row.closing_balance == balance >= 0
	assert balance == 0
	assert [row.number for row in rows] == list(range(1, len(rows) + 1))


def test_one_more_instalment_paid_equals_the_replay():
	from employee_loans.engine import after_instalment_paid

	recoveries: list[Recovery] = []
	rows = replay(TERMS, START, recoveries)
	summary = summarise(TERMS, rows, recoveries)
	for _ in range(12):
		due = next_pending(rows)
		recoveries.append(pay_row(due))
		rows = replay(TERMS, START, recoveries)
		pending = [row for row in rows if row.pending]
		moved_on = after_instalment_paid(
			TERMS.principal,
			summary.principal_repaid,
			summary.interest_paid,
			summary.emis_paid,
			summary.total_emis,
			summary.remaining_payable,
			due.principal,
			due.interest,
			pending[0].due_date if pending else None,
		)
		summary = summarise(TERMS, rows, recoveries)
		assert moved_on == summary
	assert summary.closed
