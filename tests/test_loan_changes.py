"""EMI holidays, restructures and top-ups: hand-worked figures, refusals, and random histories of
slips, prepayments, changes and cancellations that must always match a full replay.

The expected figures are worked out here by hand (Decimal, half-up to the paisa, the annuity formula
checked against numpy-financial), not by calling the engine function under test."""

from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext
from itertools import pairwise

import numpy_financial as npf
import pytest
from hypothesis import event as note_event
from hypothesis import given, settings
from hypothesis import strategies as st

from employee_loans.engine import (
	FLAT,
	INTEREST_FREE,
	KEEP_EMI,
	KEEP_END_DATE,
	REDUCING,
	LoanInputError,
	LoanTerms,
	Recovery,
	add_months,
	replay,
	summarise,
)
from employee_loans.engine.change_plans import (
	LoanFigures,
	plan_holiday,
	plan_restructure,
	plan_top_up,
	preview,
	upcoming_rows,
)
from employee_loans.engine.changes import (
	EMI_HOLIDAY,
	EXTEND_TERM,
	INTEREST_ADDED_TO_PRINCIPAL,
	INTEREST_WAIVED,
	RAISE_EMI,
	RESTRUCTURE,
	TOP_UP,
	LoanChange,
	check_holiday_limits,
	holiday_interest,
	holiday_interest_by_month,
	rate_in_force,
)
from employee_loans.engine.deduction import DUE, PARTIAL, PRE_CLOSURE, SKIPPED
from employee_loans.engine.ledger import EMI_HOLIDAY as HOLIDAY_ROW
from employee_loans.engine.ledger import PAID, PENDING, principal_added

START = date(2027, 1, 1)
LOAN = LoanTerms.parse("120000", "10", 12, REDUCING, 2)
CENT = Decimal("0.01")
FEB, MAR, APR, MAY, JUN = (date(2027, month, 1) for month in (2, 3, 4, 5, 6))
DEC = date(2027, 12, 1)
MODES = (KEEP_EMI, KEEP_END_DATE)


# --- figures by hand -------------------------------------------------------------------------


def half_up(value: Decimal) -> Decimal:
	return value.quantize(CENT, rounding=ROUND_HALF_UP)


def monthly_interest(balance, rate) -> Decimal:
	"""A month's interest at `rate` % a year: balance x rate / 1200, rounded half up to the paisa."""
	with localcontext() as ctx:
		ctx.prec = 40
		return half_up(Decimal(balance) * Decimal(rate) / 1200)


def annuity(balance, rate, months) -> Decimal:
	"""EMI = P.r / (1 - (1 + r)^-n), half up; P / n without interest. Checked against numpy-financial."""
	balance, rate = Decimal(balance), Decimal(rate)
	with localcontext() as ctx:
		ctx.prec = 40
		if rate == 0:
			return half_up(balance / months)
		r = rate / 1200
		emi = half_up(balance * r / (1 - (1 + r) ** -months))
	oracle = -npf.pmt(float(rate) / 1200, months, float(balance))
	assert abs(float(emi) - oracle) < 0.0051
	return emi


def rows_by_hand(balance, rate, emi, months=None) -> list[tuple]:
	"""Reducing-balance rows (opening, EMI, interest, principal, closing): each month charges its
	interest on the opening balance and the EMI pays the rest off; the last row (the `months`-th, or
	the one the EMI would overpay) pays exactly what is left plus its interest."""
	balance, rows = Decimal(balance), []
	while balance > 0:
		interest = monthly_interest(balance, rate)
		last = len(rows) + 1 == months if months else emi - interest >= balance
		principal = balance if last else emi - interest
		rows.append((balance, principal + interest, interest, principal, balance - principal))
		balance -= principal
	return rows


def flat_rows_by_hand(balance, rate, months) -> list[tuple]:
	"""Flat: the interest P x rate x n / 1200 spread evenly; the last row takes what is left."""
	balance = Decimal(balance)
	total_interest = half_up(balance * Decimal(rate) * months / 1200)
	emi = half_up((balance + total_interest) / months)
	each = half_up(total_interest / months)
	rows = []
	for index in range(months):
		last = index == months - 1
		interest = total_interest - each * (months - 1) if last else each
		principal = balance if last else emi - interest
		rows.append((balance, principal + interest, interest, principal, balance - principal))
		balance -= principal
	return rows


def figures(row) -> tuple:
	return (row.opening_balance, row.emi, row.interest, row.principal, row.closing_balance)


def pay(row, name=None) -> Recovery:
	return Recovery(row.emi, row.principal, row.interest, row.number, reason=DUE, salary_slip=name)


def pending_of(rows):
	return [row for row in rows if row.status == PENDING]


def interest_of(rows) -> Decimal:
	return sum((row[2] for row in rows), Decimal(0))


ORIGINAL = rows_by_hand("120000", "10", annuity("120000", "10", 12), 12)


def first_paid(terms=LOAN):
	"""Instalment 1 deducted (January); the loan as it stands then."""
	recovery = pay(replay(terms, START, [])[0], "S1")
	return [recovery], replay(terms, START, [recovery])


def test_the_hand_worked_loan_is_the_engines_loan():
	# 120,000 at 10 % over 12 months: EMI 10,549.91, the last 10,549.88, interest 6,598.89 in all
	assert annuity("120000", "10", 12) == Decimal("10549.91")
	assert [figures(row) for row in replay(LOAN, START, [])] == ORIGINAL
	assert ORIGINAL[3][0] == Decimal("91110.86")  # April's opening balance
	assert interest_of(ORIGINAL) == Decimal("6598.89")


BEFORE = LoanFigures(
	emi=Decimal("10549.91"),
	instalments_left=11,
	end_date=DEC,
	outstanding=Decimal("110450.09"),
	total_interest=Decimal("6598.89"),
)


# --- EMI holidays ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_waived_holiday_extending_the_term_shifts_the_rest_by_two_months(mode):
	events, rows = first_paid()
	holiday = plan_holiday(LOAN, rows, APR, 2, EXTEND_TERM, INTEREST_WAIVED, "H1")
	assert (holiday.kind, holiday.first_due, holiday.months, holiday.amount) == (EMI_HOLIDAY, APR, 2, 0)
	after = replay(LOAN, START, [*events, holiday], mode)
	# February and March as planned; April and May pay nothing and keep the balance
	assert [figures(row) for row in after[1:3]] == ORIGINAL[1:3]
	assert [
		(row.due_date, row.status, row.emi, row.opening_balance, row.closing_balance) for row in after[3:5]
	] == [
		(APR, HOLIDAY_ROW, 0, Decimal("91110.86"), Decimal("91110.86")),
		(MAY, HOLIDAY_ROW, 0, Decimal("91110.86"), Decimal("91110.86")),
	]
	assert {row.loan_change for row in after[3:5]} == {"H1"}
	# from June, the old April..December rows two months later, to the paisa
	assert [figures(row) for row in after[5:]] == ORIGINAL[3:]
	assert [row.due_date for row in after[5:]] == [add_months(APR, 2 + i) for i in range(9)]
	assert [row.number for row in after] == list(range(1, 15))
	assert after[-1].due_date == date(2028, 2, 1) and after[-1].closing_balance == 0
	assert preview(LOAN, START, events, holiday, mode) == (
		BEFORE,
		LoanFigures(
			emi=Decimal("10549.91"),
			instalments_left=11,
			end_date=date(2028, 2, 1),
			outstanding=Decimal("110450.09"),
			total_interest=Decimal("6598.89"),
		),
	)


@pytest.mark.parametrize("mode", MODES)
def test_holiday_interest_added_to_the_principal_keeps_the_emi_and_runs_longer(mode):
	events, rows = first_paid()
	holiday = plan_holiday(LOAN, rows, APR, 2, EXTEND_TERM, INTEREST_ADDED_TO_PRINCIPAL, "H1")
	# April's opening 91,110.86: April 91,110.86 x 10/1200 = 759.257 -> 759.26; May charges on the
	# balance with April's interest in it: 91,870.12 x 10/1200 = 765.584 -> 765.58
	april = Decimal("91110.86")
	in_april = monthly_interest(april, 10)
	in_may = monthly_interest(april + in_april, 10)
	assert (in_april, in_may) == (Decimal("759.26"), Decimal("765.58"))
	assert holiday.amount == in_april + in_may == Decimal("1524.84")
	assert holiday_interest_by_month(april, "10", REDUCING, 2) == [in_april, in_may]

	after = replay(LOAN, START, [*events, holiday], mode)
	# owed from approval: February and March show the higher balance, their instalments unchanged
	assert [figures(row) for row in after[1:3]] == [
		(opening + holiday.amount, emi, interest, principal, closing + holiday.amount)
		for opening, emi, interest, principal, closing in ORIGINAL[1:3]
	]
	assert {(row.opening_balance, row.emi) for row in after[3:5]} == {(Decimal("92635.70"), 0)}
	# from June: 92,635.70 repaid at the same EMI, so three more months, the last a short one
	by_hand = rows_by_hand("92635.70", "10", Decimal("10549.91"))
	assert [figures(row) for row in after[5:]] == by_hand
	assert len(by_hand) == 10 and by_hand[-1][1] == Decimal("1656.73")
	assert after[-1].due_date == date(2028, 3, 1)
	before, later = preview(LOAN, START, events, holiday, mode)
	assert before == BEFORE
	assert later == LoanFigures(
		emi=Decimal("10549.91"),
		instalments_left=12,
		end_date=date(2028, 3, 1),
		outstanding=Decimal("111974.93"),
		# January's interest paid, the holiday's, February's and March's, and June onwards
		total_interest=Decimal("1000.00")
		+ Decimal("1524.84")
		+ Decimal("920.42")
		+ Decimal("840.17")
		+ interest_of(by_hand),
	)
	assert summarise(LOAN, after, [*events, holiday]).outstanding == Decimal("111974.93")


@pytest.mark.parametrize(
	"interest_mode, balance, emi",
	[
		(INTEREST_WAIVED, "91110.86", "13453.30"),
		(INTEREST_ADDED_TO_PRINCIPAL, "92635.70", "13678.45"),
	],
)
@pytest.mark.parametrize("mode", MODES)
def test_raise_emi_keeps_the_end_date(mode, interest_mode, balance, emi):
	events, rows = first_paid()
	holiday = plan_holiday(LOAN, rows, APR, 2, RAISE_EMI, interest_mode, "H1")
	after = replay(LOAN, START, [*events, holiday], mode)
	# the balance after the holiday over the seven months June..December
	assert annuity(balance, 10, 7) == Decimal(emi)
	by_hand = rows_by_hand(balance, "10", Decimal(emi), 7)
	assert [figures(row) for row in after[5:]] == by_hand
	assert after[-1].due_date == DEC and len(after) == 12
	added = Decimal(balance) - Decimal("91110.86")
	assert holiday.amount == added
	before, later = preview(LOAN, START, events, holiday, mode)
	assert before == BEFORE
	assert later == LoanFigures(
		emi=Decimal(emi),
		instalments_left=9,
		end_date=DEC,
		outstanding=Decimal("110450.09") + added,
		total_interest=Decimal("1000.00")
		+ added
		+ Decimal("920.42")
		+ Decimal("840.17")
		+ interest_of(by_hand),
	)


@pytest.mark.parametrize(
	"method, rate, interest_mode, added, emi",
	[
		# flat 10 %: 1,000 a month on 120,000; a holiday month on April's 90,000 is 750
		(FLAT, "10", INTEREST_WAIVED, "0", "13607.14"),
		(FLAT, "10", INTEREST_ADDED_TO_PRINCIPAL, "1500", "13833.93"),
		(INTEREST_FREE, "0", INTEREST_WAIVED, "0", "12857.14"),
		(INTEREST_FREE, "0", INTEREST_ADDED_TO_PRINCIPAL, "0", "12857.14"),
	],
)
def test_raise_emi_on_flat_and_interest_free_loans(method, rate, interest_mode, added, emi):
	terms = LoanTerms.parse("120000", rate, 12, method, 2)
	events, rows = first_paid(terms)
	holiday = plan_holiday(terms, rows, APR, 2, RAISE_EMI, interest_mode, "H1")
	assert holiday.amount == Decimal(added)
	if interest_mode == INTEREST_ADDED_TO_PRINCIPAL:
		assert holiday_interest("90000", rate, method, 2) == Decimal(added)
	after = replay(terms, START, [*events, holiday])
	balance = Decimal("90000") + Decimal(added)
	# flat: 91,500 x 10 % x 7 / 12 = 5,337.50 of interest, (91,500 + 5,337.50) / 7 = 13,833.93;
	# interest-free: 90,000 / 7 = 12,857.14, the last 12,857.16
	by_hand = flat_rows_by_hand(balance, rate, 7)
	assert by_hand[0][1] == Decimal(emi)
	assert [figures(row) for row in after[5:]] == by_hand
	assert after[-1].due_date == DEC
	monthly = Decimal("1000") if method == FLAT else Decimal(0)
	before, later = preview(terms, START, events, holiday)
	first_emi = Decimal("11000.00") if method == FLAT else Decimal("10000.00")  # 1,20,000 (+ 12,000) / 12
	assert before == LoanFigures(first_emi, 11, DEC, Decimal("110000.00"), 12 * monthly)
	assert later == LoanFigures(
		Decimal(emi), 9, DEC, balance + 20000, 3 * monthly + Decimal(added) + interest_of(by_hand)
	)


def test_cancelling_a_holiday_after_the_slips_before_it_gives_back_the_original_schedule():
	events, rows = first_paid()
	holiday = plan_holiday(LOAN, rows, APR, 2, EXTEND_TERM, INTEREST_ADDED_TO_PRINCIPAL, "H1")
	history = [*events, holiday]
	for name in ("S2", "S3"):  # February and March are deducted as they stand: unchanged instalments
		history.append(pay(pending_of(replay(LOAN, START, history))[0], name))
	with_it = replay(LOAN, START, history)
	assert [row.status for row in with_it[:5]] == [PAID, PAID, PAID, HOLIDAY_ROW, HOLIDAY_ROW]
	without = replay(LOAN, START, [event for event in history if event is not holiday])
	assert [figures(row) for row in without] == ORIGINAL
	assert [row.status for row in without] == [PAID] * 3 + [PENDING] * 9


# --- restructure and top-up ------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_restructure_with_a_new_rate_and_term(mode):
	events, rows = first_paid()
	change = plan_restructure(LOAN, rows, MAR, 18, "8", "R1")
	assert (change.kind, change.months, change.annual_rate, change.amount) == (RESTRUCTURE, 18, 8, 0)
	after = replay(LOAN, START, [*events, change], mode)
	assert figures(after[1]) == ORIGINAL[1]  # February as it was
	# March's opening 1,00,820.60 over 18 months at 8 %: 5,962.56 (numpy-financial: 5,962.5604)
	by_hand = rows_by_hand("100820.60", "8", annuity("100820.60", "8", 18), 18)
	assert by_hand[0][1] == Decimal("5962.56")
	assert [figures(row) for row in after[2:]] == by_hand
	assert after[2].loan_change == "R1" and after[-1].due_date == date(2028, 8, 1)
	assert preview(LOAN, START, events, change, mode) == (
		BEFORE,
		LoanFigures(
			emi=Decimal("5962.56"),
			instalments_left=19,
			end_date=date(2028, 8, 1),
			outstanding=Decimal("110450.09"),
			total_interest=Decimal("1000.00") + Decimal("920.42") + interest_of(by_hand),
		),
	)


def test_the_rate_in_force_each_month_is_the_rate_its_instalment_was_laid_out_at():
	events, rows = first_paid()
	history = [*events, plan_restructure(LOAN, rows, APR, 12, "8", "R1")]
	# applied after R1 but from an earlier month: March is at 6 %, April on still at R1's 8 %
	history.append(plan_restructure(LOAN, replay(LOAN, START, history), MAR, 18, "6", "R2"))
	history.append(plan_restructure(LOAN, replay(LOAN, START, history), JUN, 10, None, "R3"))  # same rate
	rate_changes = [(change.first_due, change.annual_rate) for change in history[1:] if change.annual_rate]
	assert rate_changes == [(APR, 8), (MAR, 6)]
	rows = replay(LOAN, START, history)
	assert [rate_in_force("10", rate_changes, row.due_date) for row in rows] == [
		row.contract.annual_rate for row in rows
	]
	assert [rate_in_force("10", rate_changes, day) for day in (START, date(2027, 2, 28), MAR, APR, DEC)] == [
		10,
		10,
		6,
		8,
		8,
	]
	# two from the same month: the one applied later
	history.append(plan_restructure(LOAN, replay(LOAN, START, history), JUN, 9, "7", "R4"))
	rate_changes.append((JUN, Decimal("7")))
	rows = replay(LOAN, START, history)
	assert [rate_in_force("10", rate_changes, row.due_date) for row in rows] == [
		row.contract.annual_rate for row in rows
	]
	assert rate_in_force("10", rate_changes, JUN) == 7
	assert rate_in_force("10", [], DEC) == 10
	with pytest.raises(LoanInputError, match="New interest rate must be between 0 and"):
		rate_in_force("10", [(MAR, "-1")], APR)


def test_restructure_keeping_the_rate_shortens_the_term():
	events, rows = first_paid()
	change = plan_restructure(LOAN, rows, FEB, 6, None, "R1")
	assert change.annual_rate is None
	after = replay(LOAN, START, [*events, change], KEEP_EMI)
	by_hand = rows_by_hand("110450.09", "10", annuity("110450.09", "10", 6), 6)
	assert by_hand[0][1] == Decimal("18948.97")
	assert [figures(row) for row in after[1:]] == by_hand
	assert preview(LOAN, START, events, change)[1] == LoanFigures(
		Decimal("18948.97"),
		6,
		date(2027, 7, 1),
		Decimal("110450.09"),
		Decimal("1000.00") + interest_of(by_hand),
	)


@pytest.mark.parametrize(
	"method, rate, new_rate, balance, emi",
	[
		# a reducing loan made interest-free: 1,10,450.09 / 10 = 11,045.009 -> 11,045.01, the last 11,045.00
		(REDUCING, "10", "0", "110450.09", "11045.01"),
		# flat at 12 %: 1,10,000 x 12 % x 10 / 12 = 11,000 of interest, 1,21,000 / 10 = 12,100 a month
		(FLAT, "10", "12", "110000.00", "12100.00"),
	],
)
def test_restructure_to_another_rate_on_other_methods(method, rate, new_rate, balance, emi):
	terms = LoanTerms.parse("120000", rate, 12, method, 2)
	events, rows = first_paid(terms)
	change = plan_restructure(terms, rows, FEB, 10, new_rate, "R1")
	after = replay(terms, START, [*events, change])
	by_hand = flat_rows_by_hand(balance, new_rate, 10)
	assert by_hand[0][1] == Decimal(emi)
	assert [figures(row) for row in after[1:]] == by_hand
	assert after[-1].due_date == date(2027, 11, 1) and after[-1].closing_balance == 0


@pytest.mark.parametrize(
	"months, end, emi",
	[(None, DEC, "13415.43"), (24, date(2029, 1, 1), "6481.06")],
)
@pytest.mark.parametrize("mode", MODES)
def test_top_up_adds_the_amount_and_re_lays_from_the_next_instalment(mode, months, end, emi):
	events, rows = first_paid()
	change = plan_top_up(LOAN, rows, "30000", months, "T1")
	# by default to the current end: February..December, 11 months
	assert (change.kind, change.first_due, change.months, change.amount) == (
		TOP_UP,
		FEB,
		months or 11,
		Decimal("30000.00"),
	)
	after = replay(LOAN, START, [*events, change], mode)
	balance = Decimal("110450.09") + 30000
	by_hand = rows_by_hand(balance, "10", annuity(balance, "10", months or 11), months or 11)
	assert by_hand[0][1] == Decimal(emi)
	assert [figures(row) for row in after[1:]] == by_hand
	assert after[1].loan_change == "T1" and after[-1].due_date == end
	summary = summarise(LOAN, after, [*events, change])
	assert summary.outstanding == Decimal("140450.09") == 120000 + 30000 - summary.principal_repaid
	assert preview(LOAN, START, events, change, mode) == (
		BEFORE,
		LoanFigures(
			Decimal(emi), months or 11, end, Decimal("140450.09"), Decimal("1000.00") + interest_of(by_hand)
		),
	)


def test_a_top_up_waits_for_a_holiday_still_to_come():
	# A new term laid over an approved holiday would be extended by it again: one change at a time.
	events, rows = first_paid()
	events.append(plan_holiday(LOAN, rows, APR, 1, EXTEND_TERM, INTEREST_WAIVED, "H1"))
	rows = replay(LOAN, START, events)
	with pytest.raises(LoanInputError, match=r"EMI holiday still to come \(2027-04-01\); top it up after"):
		plan_top_up(LOAN, rows, "10000", None, "T1")


# --- refusals --------------------------------------------------------------------------------


def test_a_holiday_over_a_deducted_month_is_refused():
	events, rows = first_paid()
	with pytest.raises(LoanInputError, match=r"No instalment of this loan is left to deduct in 2027-01-01"):
		plan_holiday(LOAN, rows, START, 1, EXTEND_TERM, INTEREST_WAIVED)
	# and the replay refuses one that reached it another way
	with pytest.raises(
		LoanInputError, match=r"Change H9 applies from 2027-01-01, but the loan has no instalment"
	):
		replay(LOAN, START, [*events, LoanChange(EMI_HOLIDAY, START, 1, change="H9")])
	# nor may a slip deduct a month that is a holiday: the next instalment to deduct is after it
	holiday = LoanChange(EMI_HOLIDAY, FEB, 1, change="H1")
	with pytest.raises(LoanInputError, match="settles instalment 2, but the next pending instalment is 3"):
		replay(LOAN, START, [*events, holiday, pay(rows[1])])


def test_a_holiday_past_the_last_instalment_is_refused():
	events, rows = first_paid()
	with pytest.raises(LoanInputError, match="No instalment of this loan is left to deduct in 2028-01-01"):
		plan_holiday(LOAN, rows, date(2028, 1, 1), 1, EXTEND_TERM, INTEREST_WAIVED)
	late = plan_holiday(LOAN, rows, date(2027, 11, 1), 3, EXTEND_TERM, INTEREST_WAIVED, "H2")
	with pytest.raises(LoanInputError, match="no instalment left to deduct for every month it covers"):
		replay(LOAN, START, [*events, late])
	# the last two months are fine, the loan then runs on past them
	fits = plan_holiday(LOAN, rows, date(2027, 11, 1), 2, EXTEND_TERM, INTEREST_WAIVED, "H2")
	assert replay(LOAN, START, [*events, fits])[-1].due_date == date(2028, 2, 1)


def test_overlapping_holidays_are_refused():
	events, rows = first_paid()
	first = plan_holiday(LOAN, rows, APR, 2, EXTEND_TERM, INTEREST_WAIVED, "H1")
	events.append(first)
	rows = replay(LOAN, START, events)
	with pytest.raises(LoanInputError, match="No instalment of this loan is left to deduct in 2027-05-01"):
		plan_holiday(LOAN, rows, MAY, 2, EXTEND_TERM, INTEREST_WAIVED)
	# starting before it and running into it
	second = plan_holiday(LOAN, rows, MAR, 2, EXTEND_TERM, INTEREST_WAIVED, "H2")
	with pytest.raises(LoanInputError, match="Change H2 applies from 2027-03-01.*already a holiday"):
		replay(LOAN, START, [*events, second])
	# right after it is fine
	third = plan_holiday(LOAN, rows, JUN, 1, EXTEND_TERM, INTEREST_WAIVED, "H3")
	assert [row.due_date for row in replay(LOAN, START, [*events, third]) if row.holiday] == [APR, MAY, JUN]


def test_raise_emi_reaching_past_the_end_is_refused():
	events, rows = first_paid()
	for first_due, months in ((date(2027, 11, 1), 2), (DEC, 1)):
		with pytest.raises(
			LoanInputError,
			match=r"reaches past the loan's last instalment \(2027-12-01\).*Choose Extend Term",
		):
			plan_holiday(LOAN, rows, first_due, months, RAISE_EMI, INTEREST_WAIVED)
	# a month before the last one leaves December to raise the EMI over
	holiday = plan_holiday(LOAN, rows, date(2027, 11, 1), 1, RAISE_EMI, INTEREST_WAIVED)
	last = replay(LOAN, START, [*events, holiday])[-1]
	# November's 20,838.94 and December's interest on it, all in December
	november = ORIGINAL[10][0]
	assert (last.due_date, last.opening_balance) == (DEC, november)
	assert last.emi == november + monthly_interest(november, 10) == Decimal("21012.60")


def test_top_up_on_a_repaid_loan_is_refused():
	events = []
	for _ in range(12):
		events.append(pay(pending_of(replay(LOAN, START, events))[0]))
	rows = replay(LOAN, START, events)
	assert summarise(LOAN, rows, events).closed
	with pytest.raises(LoanInputError, match="The loan is repaid; only an open loan can be topped up"):
		plan_top_up(LOAN, rows, "10000")
	late = LoanChange(TOP_UP, date(2028, 1, 1), 12, amount=Decimal("10000"), change="T9")
	with pytest.raises(LoanInputError, match="Change T9: the loan is repaid"):
		replay(LOAN, START, [*events, late])


@pytest.mark.parametrize(
	"make, message",
	[
		(lambda: LoanChange(EMI_HOLIDAY, APR, 0), "Months must be at least 1, got 0"),
		(lambda: LoanChange(RESTRUCTURE, APR, 0), "Remaining term must be at least 1, got 0"),
		(
			lambda: LoanChange("Moratorium", APR, 1),
			"must be one of EMI Holiday, Restructure, Top-up, got 'Moratorium'",
		),
		(lambda: LoanChange(EMI_HOLIDAY, APR, 1, absorb="Shrug"), "absorbed by Extend Term or Raise EMI"),
		(
			lambda: LoanChange(EMI_HOLIDAY, date(2027, 4, 15), 1),
			"first day of a payroll month, got 2027-04-15",
		),
		(
			lambda: plan_holiday(LOAN, replay(LOAN, START, []), APR, 0, EXTEND_TERM, INTEREST_WAIVED),
			"Months must be at least 1",
		),
		(
			lambda: plan_holiday(LOAN, replay(LOAN, START, []), APR, 1, EXTEND_TERM, "Forgiven"),
			"Added to Principal or Waived, got 'Forgiven'",
		),
		(
			lambda: plan_restructure(LOAN, replay(LOAN, START, []), APR, 0),
			"Remaining term must be at least 1",
		),
		(
			lambda: plan_restructure(LOAN, replay(LOAN, START, []), APR, 12, "-1"),
			"New annual interest rate must be between 0 and 100",
		),
		(
			lambda: plan_top_up(LOAN, replay(LOAN, START, []), "-5000"),
			"Top-up amount must be greater than zero, got -5000",
		),
		(lambda: plan_top_up(LOAN, replay(LOAN, START, []), "0"), "Top-up amount must be greater than zero"),
		(lambda: plan_top_up(LOAN, replay(LOAN, START, []), 5000.5), "was given as a float"),
		(
			lambda: plan_top_up(LOAN, replay(LOAN, START, []), "5000", -3),
			"Remaining term must be at least 1, got -3",
		),
		(
			lambda: replay(LOAN, START, [LoanChange(TOP_UP, FEB, 3, amount=Decimal("-1"))]),
			"Amount added to the principal must be greater than zero",
		),
	],
)
def test_bad_inputs_are_refused(make, message):
	with pytest.raises(LoanInputError) as caught:
		make()
	assert message in str(caught.value)


def test_holiday_limits_per_loan_and_per_year():
	check_holiday_limits(2, {2027: 2}, 1, 3, 2)  # within both
	check_holiday_limits(12, {2027: 12}, 30, 0, 0)  # 0: no limit
	with pytest.raises(
		LoanInputError,
		match=r"at most 3 EMI holiday months; this loan has had 2, so at most 1 more can be given",
	):
		check_holiday_limits(2, {2027: 2}, 2, 3, 0)
	with pytest.raises(LoanInputError, match="has had the 3 EMI holiday months a loan may have; no more can"):
		check_holiday_limits(1, {2027: 1}, 5, 3, 0)
	# December and January fall in two years: two months each side is within two a year
	check_holiday_limits(4, {2027: 2, 2028: 2}, 0, 0, 2)
	with pytest.raises(
		LoanInputError, match="At most 2 EMI holiday months are allowed in a year; 2028 would have 3"
	):
		check_holiday_limits(4, {2027: 1, 2028: 3}, 0, 0, 2)


# --- random histories ------------------------------------------------------------------------

LOANS = st.sampled_from([(REDUCING, "10"), (REDUCING, "12.5"), (FLAT, "9"), (INTEREST_FREE, "0")])
STEPS = (
	"pay",
	"pay",
	"pay",
	"close",
	"skip",
	"short",
	"prepay",
	"holiday",
	"holiday",
	"restructure",
	"top_up",
	"cancel",
	"cancel",
)
# The only reasons a replay may refuse a cancellation (the app refuses it then, and nothing changes).
CANCEL_REFUSALS = (
	"Cancel the later repayments first",
	"no instalment left to deduct for every month it covers",
	"only an open loan can be topped up",
	"is outstanding; cancel it or correct the amount",
)


def check_loan(terms, events, mode):
	"""The replayed loan against figures taken from the events themselves."""
	rows = replay(terms, START, events, mode)
	assert rows == replay(terms, START, tuple(events), mode), "replaying is deterministic"
	summary = summarise(terms, rows, events)
	changes = [event for event in events if isinstance(event, LoanChange)]
	recoveries = [event for event in events if isinstance(event, Recovery)]
	added = sum((change.amount for change in changes if change.kind in (TOP_UP, EMI_HOLIDAY)), Decimal(0))
	repaid = sum((recovery.principal for recovery in recoveries), Decimal(0))
	pending = pending_of(rows)
	assert principal_added(events) == added
	assert summary.outstanding == terms.principal + added - repaid == sum(row.principal for row in pending)
	# one row a month, numbered in order; settled rows first, then the holidays and instalments ahead
	assert [row.number for row in rows] == list(range(1, len(rows) + 1))
	assert [row.due_date for row in rows] == [add_months(START, i) for i in range(len(rows))]
	upcoming = upcoming_rows(rows)
	assert all(row.status in (PENDING, HOLIDAY_ROW) for row in upcoming)
	assert not any(row.pending for row in rows[: len(rows) - len(upcoming)])
	# the payroll recoveries are the settled instalments, in order
	assert [
		(row.number, row.paid_amount, row.paid_principal) for row in rows if row.repayment or row.salary_slip
	] == [
		(recovery.instalment, recovery.amount, recovery.principal)
		for recovery in recoveries
		if recovery.instalment is not None
	]
	if not pending:
		assert summary.outstanding == 0 and summary.closed
		assert not any(row.holiday for row in upcoming)
		return rows, summary
	assert upcoming[0].opening_balance == summary.outstanding
	for row, following in pairwise(upcoming):
		assert row.closing_balance == following.opening_balance
	for row in upcoming:
		if row.holiday:
			assert (row.emi, row.principal, row.interest) == (0, 0, 0)
			assert row.opening_balance == row.closing_balance
		else:
			assert row.emi == row.principal + row.interest and row.principal > 0 and row.interest >= 0
			assert row.closing_balance == row.opening_balance - row.principal
	assert upcoming[-1].pending and str(upcoming[-1].closing_balance) == "0.00"
	return rows, summary


def refused(error: LoanInputError, *reasons) -> bool:
	assert any(reason in str(error) for reason in reasons), str(error)
	return True


@settings(deadline=None)
@given(st.data())
def test_any_history_of_changes_and_cancellations_matches_a_full_replay(data):
	method, rate = data.draw(LOANS, "loan")
	amount = data.draw(st.integers(12, 300), "thousands") * 1000
	terms = LoanTerms.parse(amount, rate, data.draw(st.integers(6, 36), "months"), method, 2)
	mode = data.draw(st.sampled_from(MODES), "mode")
	events: list = []
	seen = {(): replay(terms, START, [], mode)}  # the rows after every list of events reached
	for step in range(data.draw(st.integers(1, 25), "steps")):
		rows, summary = check_loan(terms, events, mode)
		if summary.closed:
			break
		seen[tuple(events)] = rows
		pending = pending_of(rows)
		due = pending[0]
		name = f"E{step}"
		what = data.draw(st.sampled_from(STEPS))
		if what == "pay":
			event = Recovery(due.emi, due.principal, due.interest, due.number, reason=DUE, salary_slip=name)
		elif what == "close":
			# pre-closure: the whole balance and the month's interest
			paid = summary.outstanding + due.interest
			event = Recovery(
				paid, summary.outstanding, due.interest, due.number, reason=PRE_CLOSURE, salary_slip=name
			)
		elif what == "skip":
			event = Recovery(Decimal(0), Decimal(0), Decimal(0), due.number, reason=SKIPPED, salary_slip=name)
		elif what == "short":
			part = (due.emi * data.draw(st.integers(1, 99)) / 100).quantize(CENT, rounding=ROUND_DOWN)
			interest = min(part, due.interest)
			event = Recovery(part, part - interest, interest, due.number, reason=PARTIAL, salary_slip=name)
		elif what == "prepay":
			part = (summary.outstanding * data.draw(st.integers(1, 100)) / 100).quantize(CENT, ROUND_DOWN)
			if part == 0:
				continue
			event = Recovery(part, part, Decimal(0), repayment=name)
		elif what == "holiday":
			first = pending[data.draw(st.integers(0, min(5, len(pending) - 1)))]
			months = data.draw(st.integers(1, 3))
			absorb = data.draw(st.sampled_from([EXTEND_TERM, RAISE_EMI]))
			interest_mode = data.draw(st.sampled_from([INTEREST_ADDED_TO_PRINCIPAL, INTEREST_WAIVED]))
			last_due = upcoming_rows(rows)[-1].due_date
			try:
				event = plan_holiday(terms, rows, first.due_date, months, absorb, interest_mode, name)
			except LoanInputError as error:
				# only a Raise EMI holiday with no instalment left after it
				assert refused(error, "reaches past the loan's last instalment")
				assert absorb == RAISE_EMI and add_months(first.due_date, months) > last_due
				note_event("holiday refused: Raise EMI past the end")
				continue
			check_holiday_interest(terms, first, event, interest_mode)
			covered = {add_months(first.due_date, i) for i in range(months)}
			if not covered <= {row.due_date for row in pending}:
				# over another holiday, or past the last instalment: the replay refuses it
				with pytest.raises(LoanInputError, match="no instalment left to deduct for every month"):
					replay(terms, START, [*events, event], mode)
				note_event("holiday refused: overlap or past the end")
				continue
		elif what == "restructure":
			first = pending[data.draw(st.integers(0, min(5, len(pending) - 1)))]
			new_rate = None if method == INTEREST_FREE else data.draw(st.sampled_from([None, "0", "5", "14"]))
			event = plan_restructure(
				terms, rows, first.due_date, data.draw(st.integers(1, 24)), new_rate, name
			)
		elif what == "top_up":
			top_up_months = data.draw(st.sampled_from([None, 1, 6, 12, 24]))
			try:
				event = plan_top_up(terms, rows, data.draw(st.integers(1, 50)) * 1000, top_up_months, name)
			except LoanInputError as error:
				assert refused(error, "EMI holiday still to come")
				assert any(row.holiday for row in upcoming_rows(rows))
				note_event("top-up refused: a holiday ahead")
				continue
		else:
			if not events:
				continue
			index = data.draw(st.integers(0, len(events) - 1))
			remaining = events[:index] + events[index + 1 :]
			try:
				after, _ = check_loan(terms, remaining, mode)
			except LoanInputError as error:
				assert index < len(events) - 1, "the last event can always be cancelled"
				assert refused(error, *CANCEL_REFUSALS)
				note_event("cancellation refused")
				continue
			if tuple(remaining) in seen:
				# exactly the rows of the loan that never had it
				assert after == seen[tuple(remaining)]
				note_event("cancelled: same as never had it")
			note_event(f"cancelled a {type(events[index]).__name__}")
			events = remaining
			continue
		if isinstance(event, LoanChange):
			before, later = preview(terms, START, events, event, mode)
			assert before.outstanding == summary.outstanding
		events.append(event)
		note_event(f"applied {what}")
		rows, summary = check_loan(terms, events, mode)
		if isinstance(event, LoanChange):
			assert later.outstanding == summary.outstanding == before.outstanding + event.amount
			assert later.instalments_left == len(pending_of(rows))
			assert later.end_date == pending_of(rows)[-1].due_date
		if what == "top_up" and top_up_months is None and not any(row.holiday for row in upcoming_rows(rows)):
			# (with an Extend Term holiday ahead it does not: see the xfail above)
			assert later.end_date == before.end_date, "a top-up keeps the end date by default"
	# every instalment left paid as due: the loan closes, having repaid all it lent, exactly
	for _ in range(700):
		rows, summary = check_loan(terms, events, mode)
		if summary.closed:
			break
		due = pending_of(rows)[0]
		events.append(
			Recovery(due.emi, due.principal, due.interest, due.number, reason=DUE, salary_slip="final")
		)
	assert summary.closed and summary.remaining_payable == 0
	lent = terms.principal + sum(
		(event.amount for event in events if isinstance(event, LoanChange) and event.kind == TOP_UP),
		Decimal(0),
	)
	holiday_interest_added = sum(
		(event.amount for event in events if isinstance(event, LoanChange) and event.kind == EMI_HOLIDAY),
		Decimal(0),
	)
	assert (
		sum(event.principal for event in events if isinstance(event, Recovery))
		== lent + holiday_interest_added
	)
	assert not any(row.pending for row in rows)


def check_holiday_interest(terms, first, holiday, interest_mode):
	"""The interest a holiday adds, by hand, on the balance the schedule has for its first month."""
	if interest_mode == INTEREST_WAIVED:
		assert holiday.amount == 0
		return
	rate = first.contract.annual_rate
	if terms.method == FLAT and rate:
		expected = monthly_interest(first.opening_balance, rate) * holiday.months
	else:
		expected, balance = Decimal(0), first.opening_balance
		for _month in range(holiday.months):
			expected += monthly_interest(balance + expected, rate)
	assert holiday.amount == expected
