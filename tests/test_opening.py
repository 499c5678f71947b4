"""Loans brought in at go-live: the opening, the schedule from go-live and the replay after it, with
figures worked by hand."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from employee_loans.engine import (
	FLAT,
	INTEREST_FREE,
	KEEP_EMI,
	KEEP_END_DATE,
	REDUCING,
	LoanInputError,
	LoanTerms,
	Recovery,
	replay,
	summarise,
)
from employee_loans.engine.change_plans import plan_holiday, plan_top_up, preview
from employee_loans.engine.changes import EXTEND_TERM, INTEREST_WAIVED
from employee_loans.engine.deduction import DUE
from employee_loans.engine.ledger import PAID, PENDING
from employee_loans.engine.opening import (
	BEFORE_GO_LIVE,
	GO_LIVE_TERM,
	KEPT_EMI,
	Opening,
	original_last_due,
	plan_opening,
)

D = Decimal


def rows_of(instalments):
	return [
		(row.number, row.due_date, row.emi, row.interest, row.principal, row.closing_balance)
		for row in instalments
	]


def pay(row, name):
	return Recovery(row.emi, row.principal, row.interest, row.number, reason=DUE, repayment=name)


def pay_all(terms, events):
	"""Every pending instalment recovered as scheduled, one slip a month."""
	rows = replay(terms, date(2000, 1, 1), events)
	while any(row.pending for row in rows):
		row = next(row for row in rows if row.pending)
		events = [*events, pay(row, f"R{row.number}")]
		rows = replay(terms, date(2000, 1, 1), events)
	return rows, events


# 40,000.00 lent at 12 % a year (1 % a month), reducing balance, over 16 months, disbursed 20 December
# 2025: the original instalments run from January 2026 to April 2027. At go-live on 1 January 2027,
# 10,000.00 is outstanding and four months are left (January to April 2027).
REDUCING_TERMS = LoanTerms.parse("40000", "12", 16, REDUCING, 2)
DISBURSED = date(2025, 12, 20)
GO_LIVE = date(2027, 1, 1)


def test_the_original_term_ends_in_the_payroll_month_after_disbursement_plus_the_tenure():
	assert original_last_due(DISBURSED, 16) == date(2027, 4, 1)
	assert original_last_due(date(2025, 1, 31), 1) == date(2025, 2, 1)


def test_instalments_left_are_laid_out_anew_on_the_loans_terms():
	plan = plan_opening(REDUCING_TERMS, DISBURSED, GO_LIVE, "10000")
	# EMI = 10,000 x 0.01 x 1.01^4 / (1.01^4 - 1) = 10,000 x 0.2562810939 = 2,562.81
	# Jan: interest 10,000.00 x 1 % = 100.00, principal 2,462.81, balance 7,537.19
	# Feb: interest 75.3719 -> 75.37, principal 2,487.44, balance 5,049.75
	# Mar: interest 50.4975 -> 50.50, principal 2,512.31, balance 2,537.44
	# Apr: interest 25.3744 -> 25.37; the last pays the 2,537.44 left: 2,562.81
	assert rows_of(plan.rows) == [
		(13, date(2027, 1, 1), D("2562.81"), D("100.00"), D("2462.81"), D("7537.19")),
		(14, date(2027, 2, 1), D("2562.81"), D("75.37"), D("2487.44"), D("5049.75")),
		(15, date(2027, 3, 1), D("2562.81"), D("50.50"), D("2512.31"), D("2537.44")),
		(16, date(2027, 4, 1), D("2562.81"), D("25.37"), D("2537.44"), D("0.00")),
	]
	assert plan.principal_recovered == D("30000.00")
	assert plan.opening == Opening(GO_LIVE, date(2027, 1, 1), D("10000.00"), 4, 12)
	assert plan.opening.as_at == date(2026, 12, 31)
	assert plan.notes == []


def test_the_old_systems_emi_is_kept_and_the_last_instalment_absorbs_the_difference():
	plan = plan_opening(REDUCING_TERMS, DISBURSED, GO_LIVE, "10000", emi="2560")
	# Jan: interest 100.00, principal 2,460.00, balance 7,540.00
	# Feb: interest 75.40, principal 2,484.60, balance 5,055.40
	# Mar: interest 50.554 -> 50.55, principal 2,509.45, balance 2,545.95
	# Apr: interest 25.4595 -> 25.46; the last pays 2,545.95 + 25.46 = 2,571.41
	assert rows_of(plan.rows) == [
		(13, date(2027, 1, 1), D("2560.00"), D("100.00"), D("2460.00"), D("7540.00")),
		(14, date(2027, 2, 1), D("2560.00"), D("75.40"), D("2484.60"), D("5055.40")),
		(15, date(2027, 3, 1), D("2560.00"), D("50.55"), D("2509.45"), D("2545.95")),
		(16, date(2027, 4, 1), D("2571.41"), D("25.46"), D("2545.95"), D("0.00")),
	]
	assert plan.notes == []  # the last instalment is close to the EMI


def test_a_kept_emi_far_from_the_loans_figures_is_noted():
	plan = plan_opening(REDUCING_TERMS, DISBURSED, GO_LIVE, "10000", emi="3000")
	# Jan: 100.00 + 2,900.00 -> 7,100.00; Feb: 71.00 + 2,929.00 -> 4,171.00;
	# Mar: 41.71 + 2,958.29 -> 1,212.71; Apr: 12.1271 -> 12.13 + 1,212.71 = 1,224.84
	assert [row.emi for row in plan.rows] == [D("3000.00")] * 3 + [D("1224.84")]
	assert sum(row.principal for row in plan.rows) == D("10000.00")
	assert [note.rule for note in plan.notes] == [KEPT_EMI]
	assert plan.notes[0].message == (
		"Keeping the old system's EMI of 3,000.00, the last instalment, in 2027-04, is 1,224.84 "
		"(4 instalments instead of 4). Check the EMI and the outstanding principal."
	)


def test_a_kept_emi_that_repays_early_ends_the_schedule_early():
	terms = LoanTerms.parse("60000", "0", 12, INTEREST_FREE, 2)
	plan = plan_opening(terms, date(2025, 12, 10), date(2026, 7, 1), "30000", emi="10000")
	assert [(row.number, row.emi) for row in plan.rows] == [(7, D("10000.00"))] * 1 + [
		(8, D("10000.00")),
		(9, D("10000.00")),
	]
	assert plan.rows[-1].closing_balance == 0
	assert "3 instalments instead of 6" in plan.notes[0].message


def test_interest_free_mid_term():
	# 60,000.00 interest-free over 12 months, disbursed 10 December 2025 (January to December 2026);
	# at go-live on 1 July 2026, 30,000.00 is left over July to December: 5,000.00 a month.
	terms = LoanTerms.parse("60000", "0", 12, INTEREST_FREE, 2)
	plan = plan_opening(terms, date(2025, 12, 10), date(2026, 7, 1), "30000")
	assert [(row.number, row.due_date.month, row.emi, row.interest) for row in plan.rows] == [
		(number, number, D("5000.00"), D("0.00")) for number in range(7, 13)
	]


def test_flat_interest_is_charged_on_the_outstanding_at_go_live():
	# 12,000.00 outstanding at 10 % flat over the 4 months left: 12,000 x 10 x 4 / 1,200 = 400.00 of
	# interest, 100.00 a month; EMI (12,000 + 400) / 4 = 3,100.00.
	terms = LoanTerms.parse("24000", "10", 8, FLAT, 2)
	plan = plan_opening(terms, date(2026, 1, 5), date(2026, 6, 1), "12000")
	assert [(row.number, row.emi, row.interest, row.principal) for row in plan.rows] == [
		(number, D("3100.00"), D("100.00"), D("3000.00")) for number in range(5, 9)
	]
	kept = plan_opening(terms, date(2026, 1, 5), date(2026, 6, 1), "12000", emi="3050")
	# the flat 100.00 a month on 12,000.00; 2,950.00 of principal three times, the last pays 3,150.00
	assert [(row.emi, row.interest, row.principal) for row in kept.rows] == [
		(D("3050.00"), D("100.00"), D("2950.00")),
		(D("3050.00"), D("100.00"), D("2950.00")),
		(D("3050.00"), D("100.00"), D("2950.00")),
		(D("3250.00"), D("100.00"), D("3150.00")),
	]


def test_instalments_recovered_set_the_months_left_and_a_different_end_is_noted():
	# The old system recovered 10 of the 16 instalments (it skipped two months): 6 are left, from
	# January 2027 to June 2027, two months past the original end in April 2027.
	plan = plan_opening(REDUCING_TERMS, DISBURSED, GO_LIVE, "15000", instalments_recovered=10)
	assert [row.number for row in plan.rows] == [11, 12, 13, 14, 15, 16]
	assert plan.rows[-1].due_date == date(2027, 6, 1)
	assert plan.opening.instalments_recovered == 10
	assert [note.rule for note in plan.notes] == [GO_LIVE_TERM]
	assert plan.notes[0].values == {"months": 6, "end": "2027-06", "original_end": "2027-04"}
	on_time = plan_opening(REDUCING_TERMS, DISBURSED, GO_LIVE, "10000", instalments_recovered=12)
	assert on_time.notes == []


def test_a_later_first_payroll_month_keeps_the_end_date():
	plan = plan_opening(REDUCING_TERMS, DISBURSED, GO_LIVE, "10000", first_month=date(2027, 2, 17))
	assert [row.due_date for row in plan.rows] == [date(2027, 2, 1), date(2027, 3, 1), date(2027, 4, 1)]


def test_the_replay_starts_from_the_opening_and_closes_at_exactly_zero():
	plan = plan_opening(REDUCING_TERMS, DISBURSED, GO_LIVE, "10000")
	rows = replay(REDUCING_TERMS, date(2027, 1, 1), [plan.opening])
	opening = rows[0]
	assert (opening.status, opening.number, opening.due_date) == (BEFORE_GO_LIVE, 12, date(2026, 12, 31))
	assert (opening.opening_balance, opening.principal, opening.closing_balance) == (
		D("40000.00"),
		D("30000.00"),
		D("10000.00"),
	)
	assert opening.interest == 0 and opening.paid_principal == D("30000.00")
	assert [row.status for row in rows[1:]] == [PENDING] * 4
	summary = summarise(REDUCING_TERMS, rows, [plan.opening])
	assert summary.outstanding == D("10000.00")
	assert summary.principal_repaid == D("30000.00") and summary.interest_paid == 0
	assert (summary.emis_paid, summary.total_emis) == (12, 16)
	assert summary.next_emi_date == date(2027, 1, 1)
	assert summary.remaining_payable == D("10000.00") + D("100.00") + D("75.37") + D("50.50") + D("25.37")

	rows, events = pay_all(REDUCING_TERMS, [plan.opening])
	assert [row.status for row in rows] == [BEFORE_GO_LIVE, PAID, PAID, PAID, PAID]
	summary = summarise(REDUCING_TERMS, rows, events)
	assert summary.closed and summary.outstanding == 0
	assert summary.principal_repaid == D("40000.00")
	assert summary.interest_paid == D("251.24")  # 100.00 + 75.37 + 50.50 + 25.37
	assert (summary.emis_paid, summary.total_emis) == (16, 16)


def test_a_prepayment_after_go_live_relays_the_rest_to_the_same_end():
	plan = plan_opening(REDUCING_TERMS, DISBURSED, GO_LIVE, "10000")
	first = plan.rows[0]
	events = [
		plan.opening,
		pay(first, "R13"),
		Recovery(D("1537.19"), D("1537.19"), D(0), None, repayment="M1"),
	]
	rows = replay(REDUCING_TERMS, date(2027, 1, 1), events, KEEP_END_DATE)
	pending = [row for row in rows if row.pending]
	assert pending[0].opening_balance == D("6000.00")
	assert [row.due_date for row in pending] == [date(2027, 2, 1), date(2027, 3, 1), date(2027, 4, 1)]
	assert sum(row.principal for row in pending) == D("6000.00")
	kept = replay(REDUCING_TERMS, date(2027, 1, 1), events, KEEP_EMI)
	assert next(row.emi for row in kept if row.pending) == D("2562.81")


def test_changes_work_on_a_loan_brought_in():
	plan = plan_opening(REDUCING_TERMS, DISBURSED, GO_LIVE, "10000")
	events = [plan.opening]
	rows = replay(REDUCING_TERMS, date(2027, 1, 1), events)
	holiday = plan_holiday(REDUCING_TERMS, rows, date(2027, 2, 1), 1, EXTEND_TERM, INTEREST_WAIVED, "CHG-1")
	before, after = preview(REDUCING_TERMS, date(2027, 1, 1), events, holiday)
	assert before.instalments_left == 4 and after.instalments_left == 4
	assert after.end_date == date(2027, 5, 1) and after.outstanding == D("10000.00")
	top_up = plan_top_up(REDUCING_TERMS, rows, "5000", change="CHG-2")
	rows = replay(REDUCING_TERMS, date(2027, 1, 1), [*events, top_up])
	assert rows[0].status == BEFORE_GO_LIVE
	assert sum(row.principal for row in rows if row.pending) == D("15000.00")
	rows, closed = pay_all(REDUCING_TERMS, [*events, top_up])
	assert summarise(REDUCING_TERMS, rows, closed).principal_repaid == D("45000.00")


@pytest.mark.parametrize(
	"arguments, message",
	[
		({"outstanding": "40000.01"}, "is more than the 40000.00 lent"),
		({"outstanding": "0"}, "Outstanding principal at go-live must be greater than zero"),
		({"go_live": date(2025, 12, 20)}, "is not after the original disbursement date"),
		({"first_month": date(2026, 12, 1)}, "is before the go-live month (2027-01)"),
		(
			{"go_live": date(2025, 12, 21), "first_month": date(2025, 12, 1)},
			"is the month the loan was disbursed in",
		),
		({"go_live": date(2027, 6, 1)}, "original term ended in 2027-04"),
		({"instalments_recovered": 16}, "16 instalments were recovered of a tenure of 16"),
		({"instalments_recovered": -1}, "must be a whole number of 0 or more"),
		({"emi": "90"}, "does not cover the monthly interest of 100.00"),
	],
)
def test_what_cannot_be_brought_in_is_refused_with_what_to_change(arguments, message):
	values = {"go_live": GO_LIVE, "outstanding": "10000", **arguments}
	with pytest.raises(LoanInputError) as caught:
		plan_opening(REDUCING_TERMS, DISBURSED, **values)
	assert message in str(caught.value)


def test_the_opening_heads_the_history():
	plan = plan_opening(REDUCING_TERMS, DISBURSED, GO_LIVE, "10000")
	with pytest.raises(LoanInputError, match="one opening, before any repayment"):
		replay(REDUCING_TERMS, date(2027, 1, 1), [pay(plan.rows[0], "R1"), plan.opening])
	with pytest.raises(LoanInputError, match="starts on its first day"):
		replace(plan.opening, first_due=date(2027, 1, 2))
	with pytest.raises(LoanInputError, match="more than the 40000.00 lent"):
		replay(REDUCING_TERMS, date(2027, 1, 1), [replace(plan.opening, outstanding=D("50000.00"))])
