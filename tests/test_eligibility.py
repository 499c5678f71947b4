from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from employee_loans.engine import BLOCK, WARN, ApplicationFacts, LoanInputError, blocking, evaluate
from employee_loans.engine.eligibility import (
	ACTIVE_LOANS,
	AMOUNT,
	EMI_RATIO,
	EMPLOYMENT,
	SERVICE,
	TENURE,
	check_emi_ratio,
	check_service,
)

GOOD = ApplicationFacts(
	amount=Decimal("200000.00"),
	months=24,
	new_emi=Decimal("9045.46"),
	last_emi_date=date(2028, 12, 1),
	on_date=date(2026, 11, 23),
	category_maximum=Decimal("500000"),
	category_min_months=6,
	category_max_months=60,
	employee_status="Active",
	date_of_joining=date(2020, 4, 1),
	relieving_date=None,
	minimum_service_months=6,
	active_loans=0,
	maximum_active_loans=2,
	existing_emis=Decimal("0"),
	net_salary=Decimal("60000"),
	emi_limit_percent=Decimal("40"),
	emi_limit_severity=WARN,
)


def rules(findings):
	return [(finding.rule, finding.severity) for finding in findings]


def test_a_good_application_has_no_findings():
	assert evaluate(GOOD) == []


def test_amount_above_category_maximum_blocks():
	findings = evaluate(replace(GOOD, amount=Decimal("500000.01")))
	assert rules(findings) == [(AMOUNT, BLOCK)]
	assert "500,000.01" in findings[0].message and "500,000.00" in findings[0].message


def test_amount_at_the_maximum_passes():
	assert evaluate(replace(GOOD, amount=Decimal("500000"))) == []


@pytest.mark.parametrize("months", [5, 61])
def test_tenure_out_of_bounds_blocks(months):
	findings = evaluate(replace(GOOD, months=months))
	assert rules(findings) == [(TENURE, BLOCK)]
	assert "6 to 60" in findings[0].message


@pytest.mark.parametrize("status", ["Inactive", "Suspended", "Left", None])
def test_inactive_employee_blocks(status):
	assert (EMPLOYMENT, BLOCK) in rules(evaluate(replace(GOOD, employee_status=status)))


def test_relieved_before_last_emi_blocks_and_after_passes():
	findings = evaluate(replace(GOOD, relieving_date=date(2028, 6, 30)))
	assert rules(findings) == [(EMPLOYMENT, BLOCK)]
	assert "2028-06-30" in findings[0].message and "2028-12-01" in findings[0].message
	assert evaluate(replace(GOOD, relieving_date=date(2029, 1, 31))) == []


def test_minimum_service():
	joined_recently = replace(GOOD, date_of_joining=date(2026, 6, 1))
	findings = evaluate(joined_recently)
	assert rules(findings) == [(SERVICE, BLOCK)]
	assert findings[0].values == {"served": 5, "minimum": 6}
	# six completed months on the day
	assert check_service(date(2026, 5, 23), date(2026, 11, 23), 6) == []
	assert check_service(date(2026, 5, 24), date(2026, 11, 23), 6) != []
	assert check_service(None, date(2026, 11, 23), 6)[0].blocks
	assert check_service(None, date(2026, 11, 23), 0) == []


def test_active_loan_limit():
	assert rules(evaluate(replace(GOOD, active_loans=2))) == [(ACTIVE_LOANS, BLOCK)]
	assert evaluate(replace(GOOD, active_loans=1)) == []
	assert evaluate(replace(GOOD, active_loans=9, maximum_active_loans=0)) == []  # 0 = no limit


def test_emi_ratio_warns_or_blocks_per_settings():
	over = replace(GOOD, existing_emis=Decimal("15000"))  # 24,045.46 of 60,000 = 40.08 %
	findings = evaluate(over)
	assert rules(findings) == [(EMI_RATIO, WARN)]
	assert findings[0].values["share"] == Decimal("40.08")
	assert "24,045.46" in findings[0].message
	assert blocking(findings) == []
	blocked = evaluate(replace(over, emi_limit_severity=BLOCK))
	assert rules(blocked) == [(EMI_RATIO, BLOCK)]
	assert blocking(blocked) == blocked


def test_emi_ratio_exactly_at_limit_passes():
	assert check_emi_ratio(Decimal("24000"), Decimal("0"), Decimal("60000"), Decimal("40")) == []


def test_no_salary_is_a_finding_not_a_crash():
	findings = evaluate(replace(GOOD, net_salary=None))
	assert rules(findings) == [(EMI_RATIO, WARN)]
	assert "salary structure" in findings[0].message


def test_bad_severity_is_refused():
	with pytest.raises(LoanInputError):
		check_emi_ratio(Decimal(1), Decimal(0), Decimal(100), Decimal(40), "Maybe")


def test_findings_serialise_for_storage():
	finding = evaluate(replace(GOOD, amount=Decimal("600000")))[0]
	stored = finding.as_dict()
	assert stored["rule"] == AMOUNT and stored["severity"] == BLOCK
	assert stored["figures"]["maximum"] == "500,000.00"
	assert stored["message"] == finding.message


def test_several_findings_are_all_reported():
	findings = evaluate(replace(GOOD, amount=Decimal("600000"), employee_status="Left", active_loans=5))
	assert {finding.rule for finding in findings} == {AMOUNT, EMPLOYMENT, ACTIVE_LOANS}
