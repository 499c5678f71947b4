"""The statuses, types and reasons the DocTypes offer are exactly the engine's constants, so the glue
that compares against the constants can never miss a value a user can pick or the database holds."""

import json
from pathlib import Path

from employee_loans.engine import states

DOCTYPES = Path(__file__).resolve().parent.parent / "employee_loans" / "employee_loans" / "doctype"


def options(doctype: str, fieldname: str) -> tuple[str, ...]:
	folder = doctype.lower().replace(" ", "_")
	meta = json.loads((DOCTYPES / folder / f"{folder}.json").read_text())
	field = next(field for field in meta["fields"] if field["fieldname"] == fieldname)
	return tuple(option for option in field["options"].split("\n") if option)


def test_loan_statuses_and_closure_types():
	assert options("Employee Loan", "status") == states.LOAN_STATUSES
	assert options("Employee Loan", "closure_type") == states.CLOSURE_TYPES


def test_schedule_row_states():
	assert options("Employee Loan Schedule", "status") == states.ROW_STATUSES


def test_repayment_types_and_reasons():
	assert set(options("Employee Loan Repayment", "repayment_type")) == set(states.REPAYMENT_TYPES)
	assert set(options("Employee Loan Repayment", "reason")) == set(states.REPAYMENT_REASONS)


def test_application_statuses():
	assert options("Employee Loan Application", "status") == states.APPLICATION_STATUSES
