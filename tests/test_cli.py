import csv
import io
import json
import subprocess
import sys
from decimal import Decimal

from employee_loans.engine.cli import main


def run(*args):
	out = io.StringIO()
	code = main(list(args), out)
	return code, out.getvalue()


def test_table_shows_the_schedule_and_totals():
	code, text = run("schedule", "--amount", "200000", "--rate", "8", "--months", "24", "--start", "2027-01")
	assert code == 0
	lines = text.splitlines()
	assert "2027-01-01" in lines[1] and "9,045.46" in lines[1] and "1,333.33" in lines[1]
	assert "EMI 9,045.46" in text and "instalments 24" in text and "principal 200,000.00" in text


def test_csv_for_spreadsheets():
	code, text = run("schedule", "--amount", "100000", "--rate", "0", "--months", "3", "--format", "csv")
	assert code == 0
	rows = list(csv.DictReader(io.StringIO(text)))
	assert [row["emi"] for row in rows] == ["33333.33", "33333.33", "33333.34"]
	assert sum(Decimal(row["principal"]) for row in rows) == Decimal("100000")


def test_json():
	code, text = run("schedule", "--amount", "1000", "--rate", "12", "--months", "2", "--format", "json")
	payload = json.loads(text)
	assert len(payload["instalments"]) == 2
	assert payload["totals"]["total_principal"] == "1000.00"


def test_bad_input_exits_non_zero_with_a_message(capsys):
	code, _ = run("schedule", "--amount", "-5", "--rate", "8", "--months", "24")
	assert code == 2
	assert "greater than zero" in capsys.readouterr().err


def test_runs_as_a_module_without_a_bench():
	result = subprocess.run(
		[
			sys.executable,
			"-m",
			"employee_loans.engine",
			"schedule",
			"--amount",
			"200000",
			"--rate",
			"8",
			"--months",
			"24",
		],
		capture_output=True,
		text=True,
		check=True,
	)
	assert "9,045.46" in result.stdout
