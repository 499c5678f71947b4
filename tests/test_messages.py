"""Every sentence the engine gives a person (errors, eligibility findings, slip notes) is an English
template with values, whose template and labels are in the app's translation catalogue, so the app can
show it in the user's language."""

import ast
import json
import string
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from employee_loans.engine import (
	DEDUCT_AVAILABLE,
	KEEP_END_DATE,
	METHODS,
	REDUCING,
	SHORT_PAY_POLICIES,
	SKIP,
	ApplicationFacts,
	LoanDue,
	LoanInputError,
	LoanState,
	LoanTerms,
	Recovery,
	ShortPayPolicy,
	build_schedule,
	build_schedule_for_emi,
	decide_deduction,
	evaluate,
	outstanding_principal,
	parse_money,
	parse_months,
	parse_rate,
	reamortise,
	replace_in_total,
	replay,
	round_money,
	summary_from_totals,
	to_decimal,
	translate,
)
from employee_loans.engine.eligibility import BLOCK, TENURE, WARN, check_emi_ratio
from employee_loans.engine.errors import fill
from employee_loans.engine.opening import Opening, plan_opening
from employee_loans.engine.reamortise import MODES

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "employee_loans" / "engine"
SOURCES = {path.name: ast.parse(path.read_text(), str(path)) for path in sorted(ENGINE.glob("*.py"))}

# Labels in engine/ledger.py not yet marked N_(): the names of a repayment's figures and the "none"
# of "the next pending instalment is none". Remove each one here once it is marked there.


def marked_texts() -> set[str]:
	"""What `bench generate-pot-file` collects from the engine: the argument of every N_()."""
	return {
		node.args[0].value
		for tree in SOURCES.values()
		for node in ast.walk(tree)
		if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "N_"
	}


def select_options() -> set[str]:
	"""The options of the app's Select fields, which Frappe's DocType extractor puts in the catalogue."""
	options = set()
	for path in ROOT.glob("employee_loans/employee_loans/doctype/*/*.json"):
		for field in json.loads(path.read_text()).get("fields", []):
			if field.get("fieldtype") == "Select" and field.get("options"):
				options.update(option for option in field["options"].split("\n") if option)
	return options


CATALOGUE = marked_texts() | select_options()


def placeholders(template: str) -> set[str]:
	return {
		name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name is not None
	}


def assert_well_formed(template: str, values: dict, labels: tuple = (), text: str | None = None):
	assert template in CATALOGUE, f"template not marked N_(): {template!r}"
	assert placeholders(template) == set(values), template
	assert set(labels) <= set(values), (template, labels)
	for key in labels:
		if isinstance(values[key], str):
			assert values[key] in CATALOGUE, f"label {values[key]!r} of {template!r}"
	if text is not None:
		assert text == template.format(**values)


START = date(2027, 1, 1)
TERMS = LoanTerms.parse("120000", "10", 12, REDUCING, 2)
FIRST = build_schedule("120000", "10", 12, REDUCING, START)[0]
STATE = LoanState(Decimal("1000"), Decimal("10"), REDUCING, Decimal("100"), START, date(2027, 12, 1))

BAD_INPUTS = {
	"float amount": lambda: to_decimal(0.1, "Loan amount"),
	"bool amount": lambda: to_decimal(True),
	"text amount": lambda: to_decimal("abc"),
	"list amount": lambda: to_decimal([1]),
	"infinite amount": lambda: to_decimal("Infinity"),
	"negative amount": lambda: parse_money("-1", 2, "Loan amount"),
	"zero amount": lambda: parse_money("0", 2),
	"absurd amount": lambda: parse_money("10000000000000", 2),
	"too many decimals": lambda: parse_money("100.005", 2),
	"rate above 100": lambda: parse_rate("101"),
	"negative rate": lambda: parse_rate("-1", "Annual interest rate"),
	"bool months": lambda: parse_months(True),
	"fractional months": lambda: parse_months("1.5", "Tenure"),
	"float months": lambda: parse_months(1.5),
	"zero months": lambda: parse_months(0),
	"too many months": lambda: parse_months(601, "Tenure"),
	"precision not whole": lambda: build_schedule("1000", "5", 12, precision=2.5),
	"precision too large": lambda: round_money(Decimal(1), 4),
	"float total": lambda: replace_in_total(0.5, [], []),
	"unknown method": lambda: build_schedule("1000", "5", 12, "Balloon"),
	"method not text": lambda: build_schedule("1000", "5", 12, 7),
	"interest-free with a rate": lambda: build_schedule("1000", "5", 12, "Interest Free"),
	"loan too small": lambda: build_schedule("0.05", "0", 12),
	"flat loan too small": lambda: build_schedule("0.05", "5", 12, "Flat"),
	"EMI below interest": lambda: build_schedule_for_emi("100000", "12", "500"),
	"flat EMI below interest": lambda: build_schedule_for_emi("100000", "12", "500", "Flat"),
	"repaid above principal": lambda: outstanding_principal("100", ["200"], 2),
	"repaid negative": lambda: outstanding_principal("100", ["-5"], 2),
	"unknown re-amortisation mode": lambda: reamortise(STATE, "Keep Both"),
	"re-amortise a float rate": lambda: reamortise(replace(STATE, annual_rate=0.1), KEEP_END_DATE),
	"unknown short pay policy": lambda: ShortPayPolicy("Borrow"),
	"negative protected pay": lambda: ShortPayPolicy(SKIP, Decimal("-1")),
	"EMI not principal plus interest": lambda: decide_deduction(
		LoanDue("EL-1", Decimal(100), Decimal(10), Decimal(1), Decimal(2)), Decimal(100), ShortPayPolicy()
	),
	"float net pay": lambda: decide_deduction(LoanDue("EL-1", Decimal(100)), 1.5, ShortPayPolicy()),
	"unknown severity": lambda: check_emi_ratio(Decimal(1), Decimal(0), Decimal(100), Decimal(40), "Maybe"),
	"repayment not principal plus interest": lambda: replay(
		TERMS, START, [Recovery(Decimal(100), Decimal(50), Decimal(10), None, repayment="ELR-1")]
	),
	"repayment above outstanding": lambda: replay(
		TERMS, START, [Recovery(Decimal(200000), Decimal(200000), Decimal(0), None, repayment="ELR-1")]
	),
	"instalment out of order": lambda: replay(
		TERMS, START, [Recovery(FIRST.emi, FIRST.principal, FIRST.interest, 2, repayment="ELR-1")]
	),
	"instalment after the last": lambda: replay(
		TERMS,
		START,
		[
			Recovery(Decimal(120000), Decimal(120000), Decimal(0), None),
			Recovery(Decimal(1), Decimal(1), 0, 1),
		],
	),
	"float repayment": lambda: replay(TERMS, START, [Recovery(1.5, Decimal(1), Decimal(0), None)]),
	"outstanding above the amount lent": lambda: plan_opening(TERMS, date(2026, 1, 5), START, "120000.01"),
	"go-live before disbursement": lambda: plan_opening(TERMS, START, date(2026, 12, 1), "1000"),
	"first month before go-live": lambda: plan_opening(
		TERMS, date(2026, 1, 5), START, "1000", date(2026, 12, 1)
	),
	"first month in the disbursement month": lambda: plan_opening(
		TERMS, date(2026, 12, 5), date(2026, 12, 20), "1000", date(2026, 12, 1)
	),
	"term over at go-live": lambda: plan_opening(TERMS, date(2025, 1, 5), START, "1000"),
	"every instalment recovered": lambda: plan_opening(TERMS, date(2026, 1, 5), START, "1000", None, 12),
	"instalments recovered not whole": lambda: plan_opening(
		TERMS, date(2026, 1, 5), START, "1000", None, 1.5
	),
	"kept EMI below interest": lambda: plan_opening(TERMS, date(2026, 1, 5), START, "100000", None, 6, "10"),
	"opening not first": lambda: replay(
		TERMS,
		START,
		[Recovery(FIRST.emi, FIRST.principal, FIRST.interest, 1), Opening(START, START, Decimal(1), 1)],
	),
	"opening month not its first day": lambda: Opening(START, date(2027, 1, 2), Decimal(1), 1),
	"repayments above principal": lambda: summary_from_totals(
		Decimal(100), Decimal(200), Decimal(0), 0, 1, None, Decimal(0)
	),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_every_engine_error_is_a_marked_template_with_exactly_its_values(case):
	with pytest.raises(LoanInputError) as caught:
		BAD_INPUTS[case]()
	error = caught.value
	assert_well_formed(error.template, error.values, error.labels, str(error))


def test_errors_read_as_before_in_english():
	"""The English text is what the f-strings printed: Decimals as they print, reprs of bad input."""
	with pytest.raises(LoanInputError) as caught:
		to_decimal(0.1, "Loan amount")
	assert str(caught.value) == (
		"Loan amount was given as a float (0.1); pass a string, an int or a Decimal so that no binary "
		"rounding error enters the figures."
	)
	assert caught.value.labels == ("name",)
	with pytest.raises(LoanInputError) as caught:
		build_schedule("1000", "5", 12, "Balloon")
	assert str(caught.value) == (
		"Interest method must be one of Reducing Balance, Flat, Interest Free, got 'Balloon'."
	)
	with pytest.raises(LoanInputError) as caught:
		build_schedule_for_emi("100000", "12", "500")
	assert str(caught.value) == (
		"An EMI of 500.00 does not cover the monthly interest of 1000.00; choose a larger EMI or keep "
		"the end date instead."
	)
	assert caught.value.values == {"emi": Decimal("500.00"), "interest": Decimal("1000.00")}


@pytest.mark.parametrize(
	"refuse, options",
	[
		(lambda: build_schedule("1000", "5", 12, "Balloon"), METHODS),
		(lambda: reamortise(STATE, "Keep Both"), MODES),
		(lambda: ShortPayPolicy("Borrow"), SHORT_PAY_POLICIES),
		(lambda: check_emi_ratio(Decimal(1), Decimal(0), Decimal(100), Decimal(40), "Maybe"), (BLOCK, WARN)),
	],
)
def test_a_refused_choice_names_every_option_as_a_label(refuse, options):
	"""One placeholder per option: an option added to the engine without its placeholder fails here."""
	with pytest.raises(LoanInputError) as caught:
		refuse()
	error = caught.value
	assert sorted(error.values[key] for key in error.labels) == sorted(options)


def test_an_error_survives_pickling_with_its_parts():
	import pickle

	with pytest.raises(LoanInputError) as caught:
		to_decimal("{x}", "Loan amount")
	copy = pickle.loads(pickle.dumps(caught.value))
	assert (copy.template, copy.values, copy.labels, str(copy)) == (
		caught.value.template,
		caught.value.values,
		caught.value.labels,
		"Loan amount must be a number, got '{x}'.",
	)


POLICY = ShortPayPolicy(DEDUCT_AVAILABLE)
DUE_ROW = LoanDue("EL-1", Decimal(1000), Decimal(100), Decimal(10), Decimal(90))


@pytest.mark.parametrize(
	"due, policy, ending",
	[
		(DUE_ROW, ShortPayPolicy(SKIP), "nothing deducted this month, the instalment is re-scheduled."),
		(DUE_ROW, POLICY, "the shortfall of 50.00 is re-scheduled."),
		(
			replace(DUE_ROW, final_settlement=True),
			POLICY,
			"the shortfall of 960.00 stays on the loan for the exit settlement.",
		),
	],
)
def test_every_slip_note_is_a_marked_template_with_exactly_its_values(due, policy, ending):
	decision = decide_deduction(due, Decimal(50), policy)
	assert_well_formed(decision.note_template, decision.note_values, text=decision.note)
	assert decision.note.startswith("Net pay available 50.00 (protected minimum 0.00) ")
	assert decision.note.endswith(ending)


def test_a_full_deduction_has_no_note():
	decision = decide_deduction(DUE_ROW, Decimal(5000), ShortPayPolicy())
	assert (decision.note_template, decision.note_values, decision.note) == ("", {}, "")


FACTS = ApplicationFacts(
	amount=Decimal("600000"),
	months=120,
	new_emi=Decimal("30000"),
	last_emi_date=date(2037, 1, 1),
	on_date=date(2027, 1, 1),
	category_maximum=Decimal("500000"),
	category_min_months=6,
	category_max_months=60,
	employee_status=None,
	date_of_joining=date(2026, 12, 1),
	relieving_date=date(2028, 1, 1),
	minimum_service_months=6,
	active_loans=2,
	maximum_active_loans=2,
	existing_emis=Decimal("1000"),
	net_salary=Decimal("50000"),
	emi_limit_percent=Decimal("40"),
	emi_limit_severity=WARN,
)


@pytest.mark.parametrize(
	"facts",
	[
		FACTS,
		replace(FACTS, months=3, category_max_months=None, date_of_joining=None, net_salary=None),
		replace(FACTS, months=3, employee_status="Left"),
	],
)
def test_every_finding_is_a_marked_template_with_exactly_its_values(facts):
	findings = evaluate(facts)
	assert len(findings) >= 6
	for finding in findings:
		given_status = finding.values.get("status") == facts.employee_status
		labels = tuple(key for key in finding.labels if not (key == "status" and given_status))
		assert_well_formed(finding.template, finding.values, labels, finding.message)


def test_tenure_bounds_read_as_before():
	below = evaluate(replace(FACTS, months=3))
	unbounded = evaluate(replace(FACTS, months=3, category_max_months=None))
	tenure = [finding.message for finding in below + unbounded if finding.rule == TENURE]
	assert tenure == [
		"A tenure of 3 months is outside this category's bounds (6 to 60 months). Choose a tenure within the bounds.",
		"A tenure of 3 months is outside this category's bounds (at least 6 months). Choose a tenure within the bounds.",
	]


def fake_gettext(catalogue: dict):
	return lambda text: catalogue.get(text, text)


def test_translate_translates_the_template_and_the_labels_only():
	with pytest.raises(LoanInputError) as caught:
		parse_money("-5", 2, "Loan amount")
	error = caught.value
	german = fake_gettext(
		{
			"{name} must be greater than zero, got {amount}.": "{name} muss größer als null sein, nicht {amount}.",
			"Loan amount": "Darlehensbetrag",
			"-5": "minus fünf",  # a figure is never looked up, even if a catalogue had it
		}
	)
	assert translate(german, error.template, error.values, error.labels) == (
		"Darlehensbetrag muss größer als null sein, nicht -5."
	)


def test_translate_keeps_a_document_name_that_looks_like_a_label():
	with pytest.raises(LoanInputError) as caught:
		decide_deduction(
			LoanDue("Principal", Decimal(100), Decimal(10), Decimal(1), Decimal(2)),
			Decimal(100),
			ShortPayPolicy(),
		)
	error = caught.value
	text = translate(fake_gettext({"Principal": "Tilgung"}), error.template, error.values, error.labels)
	assert text == str(error)


def test_translate_falls_back_to_english_when_a_translation_breaks_its_placeholders():
	decision = decide_deduction(DUE_ROW, Decimal(50), ShortPayPolicy(SKIP))
	broken = fake_gettext({decision.note_template: "Nettolohn {verfuegbar} reicht nicht."})
	assert translate(broken, decision.note_template, decision.note_values) == decision.note
	french = fake_gettext({decision.note_template: "Net disponible {available} : rien déduit ({wanted})."})
	assert translate(french, decision.note_template, decision.note_values) == (
		"Net disponible 50.00 : rien déduit (100.00)."
	)


# Static checks: each message reaches the catalogue only if its template is a literal inside N_().


def is_marked_literal(node) -> bool:
	if isinstance(node, ast.IfExp):
		return is_marked_literal(node.body) and is_marked_literal(node.orelse)
	return (
		isinstance(node, ast.Call)
		and getattr(node.func, "id", None) == "N_"
		and len(node.args) == 1
		and isinstance(node.args[0], ast.Constant)
		and isinstance(node.args[0].value, str)
	)


def calls(name: str):
	for filename, tree in SOURCES.items():
		for node in ast.walk(tree):
			if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name:
				yield filename, node


def argument(call: ast.Call, position: int, keyword: str):
	if len(call.args) > position:
		return call.args[position]
	return next((kw.value for kw in call.keywords if kw.arg == keyword), None)


def test_every_engine_error_is_raised_with_a_marked_literal_template():
	found = list(calls("LoanInputError"))
	assert len(found) >= 30
	for filename, call in found:
		assert call.args and is_marked_literal(call.args[0]), (
			f'{filename}:{call.lineno}: LoanInputError\'s first argument must be N_("a plain literal"), '
			"not an f-string, a formatted or a built string"
		)


def test_every_finding_and_slip_note_has_a_marked_literal_template():
	findings = list(calls("Finding"))
	assert len(findings) >= 8
	for filename, call in findings:
		assert is_marked_literal(argument(call, 2, "template")), f"{filename}:{call.lineno}"
	notes = [
		(filename, call) for filename, call in calls("Deduction") if len(call.args) + len(call.keywords) > 8
	]
	assert len(notes) == 2
	for filename, call in notes:
		assert len(call.args) == 8, f"{filename}:{call.lineno}: pass the note as note_template=N_(...)"
		assert is_marked_literal(argument(call, 8, "note_template")), f"{filename}:{call.lineno}"
		assert isinstance(argument(call, 9, "note_values"), ast.Dict), f"{filename}:{call.lineno}"


def test_marked_texts_are_plain_and_their_placeholders_simple_names():
	"""N_() takes a literal, never an f-string; a placeholder is a bare name a translator can move
	(no !r, no format spec, no attribute or index)."""
	for filename, call in calls("N_"):
		assert is_marked_literal(call), f"{filename}:{call.lineno}: N_() takes one plain string literal"
		for _text, name, spec, conversion in string.Formatter().parse(call.args[0].value):
			if name is not None:
				assert (
					name.isidentifier() and not spec and not conversion
				), f"{filename}:{call.lineno}: {{{name}}}"


def test_fill_is_the_english_sentence():
	assert fill("{a} and {b}", {"a": Decimal("1.50"), "b": "x"}) == "1.50 and x"
