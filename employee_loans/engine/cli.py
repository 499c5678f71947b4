"""Print a loan schedule without a bench.

python -m employee_loans.engine schedule --amount 200000 --rate 8 --months 24
python -m employee_loans.engine schedule --amount 50000 --rate 0 --months 10 --format csv
"""

import argparse
import csv
import json
import sys
from datetime import date

from .errors import LoanInputError
from .schedule import METHODS, REDUCING, build_schedule, schedule_totals

COLUMNS = ("number", "due_date", "opening_balance", "emi", "interest", "principal", "closing_balance")
HEADINGS = ("No.", "Due", "Opening", "EMI", "Interest", "Principal", "Closing")


def _month(text: str) -> date:
	try:
		if len(text) == 7:
			return date.fromisoformat(text + "-01")
		return date.fromisoformat(text)
	except ValueError:
		raise argparse.ArgumentTypeError(f"expected YYYY-MM or YYYY-MM-DD, got {text!r}")


def build_parser() -> argparse.ArgumentParser:
	parser = argparse.ArgumentParser(
		prog="python -m employee_loans.engine", description=__doc__.split("\n")[0]
	)
	commands = parser.add_subparsers(dest="command", required=True)
	schedule = commands.add_parser("schedule", help="print the instalment schedule for given terms")
	schedule.add_argument("--amount", required=True, help="principal, e.g. 200000 or 200000.50")
	schedule.add_argument(
		"--rate", required=True, help="annual interest rate in percent, 0 for interest-free"
	)
	schedule.add_argument("--months", required=True, help="number of monthly instalments")
	schedule.add_argument(
		"--method",
		default=REDUCING,
		help=f"interest method: {', '.join(METHODS)} (or reducing / flat / interest-free)",
	)
	schedule.add_argument("--start", type=_month, default=None, help="first due month, YYYY-MM")
	schedule.add_argument("--precision", type=int, default=2, help="currency decimals, 0 to 3 (default 2)")
	schedule.add_argument("--format", choices=("table", "csv", "json"), default="table")
	return parser


def _text(value) -> str:
	return value.isoformat() if isinstance(value, date) else str(value)


def main(argv: list[str] | None = None, out=None) -> int:
	out = out or sys.stdout
	args = build_parser().parse_args(argv)
	try:
		rows = build_schedule(args.amount, args.rate, args.months, args.method, args.start, args.precision)
	except LoanInputError as error:
		print(f"error: {error}", file=sys.stderr)
		return 2
	totals = schedule_totals(rows)
	if args.format == "json":
		payload = {
			"instalments": [{key: _text(getattr(row, key)) for key in COLUMNS} for row in rows],
			"totals": {key: _text(value) for key, value in totals.items()},
		}
		json.dump(payload, out, indent=2)
		out.write("\n")
	elif args.format == "csv":
		writer = csv.writer(out, lineterminator="\n")
		writer.writerow(COLUMNS)
		for row in rows:
			writer.writerow([_text(getattr(row, key)) for key in COLUMNS])
	else:
		table = [HEADINGS] + [
			tuple(
				f"{value:,}" if not isinstance(value, int | date) else _text(value)
				for value in (getattr(row, key) for key in COLUMNS)
			)
			for row in rows
		]
		widths = [max(len(line[i]) for line in table) for i in range(len(HEADINGS))]
		for line in table:
			out.write("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)) + "\n")
		out.write(
			f"\nEMI {rows[0].emi:,}  instalments {totals['instalments']}  "
			f"principal {totals['total_principal']:,}  interest {totals['total_interest']:,}  "
			f"total payable {totals['total_payable']:,}\n"
		)
	return 0


if __name__ == "__main__":
	raise SystemExit(main())
