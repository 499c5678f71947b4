"""Engine speed, without a bench:

	python -m employee_loans.benchmarks.engine

Prints the median time to build a 360-month schedule and to decide one payroll deduction, and how
many 360-month schedules one core builds per second.
"""

import time
import timeit
from decimal import Decimal
from statistics import median

from employee_loans.engine import LoanDue, ShortPayPolicy, build_schedule, decide_deduction
from employee_loans.engine.deduction import DEDUCT_AVAILABLE


def median_seconds(function, repeat: int, number: int) -> float:
	return median(timeit.repeat(function, repeat=repeat, number=number)) / number


def main() -> None:
	schedule = median_seconds(lambda: build_schedule("2500000", "8.5", 360, "Reducing Balance"), 15, 20)
	due = LoanDue("EL-1", Decimal("184524.33"), Decimal("9045.46"), Decimal("1230.16"), Decimal("7815.30"))
	policy = ShortPayPolicy(DEDUCT_AVAILABLE, Decimal("5000"))
	decision = median_seconds(lambda: decide_deduction(due, Decimal("42000.00"), policy, 2), 15, 2000)
	began, built = time.perf_counter(), 0
	while time.perf_counter() - began < 3:
		build_schedule("2500000", "8.5", 360, "Reducing Balance")
		built += 1
	per_second = built / (time.perf_counter() - began)
	print("| measure | figure |")
	print("|---|---|")
	print(f"| build a 360-month schedule (median) | {schedule * 1000:.2f} ms |")
	print(f"| decide one deduction (median) | {decision * 1e6:.1f} µs |")
	print(f"| 360-month schedules per second, one core | {per_second:.0f} |")


if __name__ == "__main__":
	main()
