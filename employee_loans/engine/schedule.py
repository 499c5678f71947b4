"""EMI and repayment schedules: reducing balance (annuity), flat, and interest-free.

Rules that every schedule obeys:
- interest of each row is rounded half-up to the currency precision;
- principal = EMI - interest;
- the last row pays exactly the remaining principal plus its interest, so principal adds up to the
  loan amount and the balance ends at exactly 0.
"""

from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal, localcontext

from .errors import N_, LoanInputError
from .money import (
	WORKING_DIGITS,
	check_precision,
	monthly_rate,
	parse_money,
	parse_months,
	parse_rate,
	quantum,
	round_money,
)
from .periods import add_months

REDUCING = "Reducing Balance"
FLAT = "Flat"
INTEREST_FREE = "Interest Free"
METHODS = (REDUCING, FLAT, INTEREST_FREE)

_METHOD_ALIASES = {
	"reducing": REDUCING,
	"reducing balance": REDUCING,
	"reducing_balance": REDUCING,
	"annuity": REDUCING,
	"flat": FLAT,
	"interest free": INTEREST_FREE,
	"interest_free": INTEREST_FREE,
	"interest-free": INTEREST_FREE,
	"zero": INTEREST_FREE,
}


@dataclass(frozen=True)
class Instalment:
	number: int
	due_date: date
	opening_balance: Decimal
	emi: Decimal
	interest: Decimal
	principal: Decimal
	closing_balance: Decimal

	def as_dict(self) -> dict:
		return asdict(self)


def method_label(method: str) -> str:
	"""The DocType's label of an interest method given by its label or a short alias."""
	if not isinstance(method, str):
		raise _unknown_method(method)
	canonical = _METHOD_ALIASES.get(method.strip().lower()) or (method if method in METHODS else None)
	if canonical is None:
		raise _unknown_method(method)
	return canonical


def normalise_method(method: str, annual_rate: Decimal) -> str:
	"""Accept the DocType's labels and short aliases; a 0 % rate is always interest-free."""
	canonical = method_label(method)
	if annual_rate == 0:
		return INTEREST_FREE
	if canonical == INTEREST_FREE:
		raise LoanInputError(
			N_(
				"An interest-free loan must have a rate of 0 %, got {rate} %. Set the rate to 0 "
				"or choose another interest method."
			),
			{"rate": annual_rate},
		)
	return canonical


def _unknown_method(method) -> LoanInputError:
	return LoanInputError(
		N_("Interest method must be one of {reducing}, {flat}, {interest_free}, got {method}."),
		{"reducing": REDUCING, "flat": FLAT, "interest_free": INTEREST_FREE, "method": repr(method)},
		("reducing", "flat", "interest_free"),
	)


def annuity_emi(principal: Decimal, annual_rate: Decimal, months: int, precision: int) -> Decimal:
	"""EMI = P·r·(1+r)^n / ((1+r)^n - 1), rounded half-up; P / n when the rate is 0."""
	with localcontext() as ctx:
		ctx.prec = WORKING_DIGITS
		if annual_rate == 0:
			exact = principal / months
		else:
			r = monthly_rate(annual_rate)
			growth = (1 + r) ** months
			exact = principal * r * growth / (growth - 1)
		return round_money(exact, precision)


def flat_total_interest(principal: Decimal, annual_rate: Decimal, months: int, precision: int) -> Decimal:
	"""Flat interest: P × annual rate × n / 12 / 100, rounded once."""
	with localcontext() as ctx:
		ctx.prec = WORKING_DIGITS
		return round_money(principal * annual_rate * months / Decimal(1200), precision)


@dataclass(frozen=True)
class LoanTerms:
	principal: Decimal
	annual_rate: Decimal
	months: int
	method: str
	precision: int

	@classmethod
	def parse(cls, amount, annual_rate, months, method: str = REDUCING, precision: int = 2) -> "LoanTerms":
		precision = check_precision(precision)
		principal = parse_money(amount, precision, N_("Loan amount"))
		rate = parse_rate(annual_rate, N_("Annual interest rate"))
		months = parse_months(months, N_("Tenure"))
		return cls(principal, rate, months, normalise_method(method, rate), precision)

	def emi(self) -> Decimal:
		if self.method == FLAT:
			total_interest = flat_total_interest(
				self.principal, self.annual_rate, self.months, self.precision
			)
			return round_money((self.principal + total_interest) / self.months, self.precision)
		return annuity_emi(self.principal, self.annual_rate, self.months, self.precision)


def build_schedule(
	amount,
	annual_rate,
	months,
	method: str = REDUCING,
	first_due: date | None = None,
	precision: int = 2,
	first_number: int = 1,
) -> list[Instalment]:
	"""The full instalment list for a loan. `first_due` defaults to the first of next month."""
	terms = LoanTerms.parse(amount, annual_rate, months, method, precision)
	first_due = first_due or add_months(date.today().replace(day=1), 1)
	if terms.method == FLAT:
		total_interest = flat_total_interest(terms.principal, terms.annual_rate, terms.months, precision)
		return _flat_rows(terms, total_interest, first_due, first_number)
	return _amortise(
		terms.principal, terms.annual_rate, terms.emi(), terms.months, first_due, precision, first_number
	)


def build_schedule_for_emi(
	balance,
	annual_rate,
	emi,
	method: str = REDUCING,
	first_due: date | None = None,
	precision: int = 2,
	first_number: int = 1,
) -> list[Instalment]:
	"""Keep the EMI and let the term follow: rows of `emi` until the balance is paid, the last one
	paying exactly what remains plus its interest."""
	precision = check_precision(precision)
	balance = parse_money(balance, precision, N_("Outstanding balance"))
	rate = parse_rate(annual_rate, N_("Annual interest rate"))
	emi = parse_money(emi, precision, N_("EMI"))
	method = normalise_method(method, rate)
	first_due = first_due or add_months(date.today().replace(day=1), 1)
	if method == FLAT:
		# Flat keeps its monthly interest charge on the balance being re-scheduled.
		interest_per_month = round_money(balance * rate / Decimal(1200), precision)
		if emi <= interest_per_month:
			raise LoanInputError(
				N_(
					"An EMI of {emi} does not cover the monthly interest of {interest}; "
					"choose a larger EMI or keep the end date instead."
				),
				{"emi": emi, "interest": interest_per_month},
			)
		# Decimal's // truncates towards zero, so -(-a // b) is not a ceiling for Decimals
		months = (balance / (emi - interest_per_month)).to_integral_value(rounding=ROUND_CEILING)
		total_interest = interest_per_month * months
		terms = LoanTerms(balance, rate, int(months), method, precision)
		return _flat_rows(terms, total_interest, first_due, first_number, emi=emi)
	first_interest = round_money(balance * monthly_rate(rate), precision)
	if emi <= first_interest:
		raise LoanInputError(
			N_(
				"An EMI of {emi} does not cover the monthly interest of {interest}; "
				"choose a larger EMI or keep the end date instead."
			),
			{"emi": emi, "interest": first_interest},
		)
	return _amortise(balance, rate, emi, None, first_due, precision, first_number)


def _amortise(
	principal: Decimal,
	annual_rate: Decimal,
	emi: Decimal,
	months: int | None,
	first_due: date,
	precision: int,
	first_number: int,
) -> list[Instalment]:
	"""Reducing-balance rows. With `months` set, the n-th row is the last; with None, rows run until
	the balance is paid. A row whose EMI would overpay the balance becomes the last row early, so the
	balance never goes negative."""
	r = monthly_rate(annual_rate)
	rows: list[Instalment] = []
	balance = principal
	unit = quantum(precision)
	limit = months if months is not None else 100 * 12 * 10
	if emi < unit:
		raise _too_small(principal, months, emi)
	for index in range(limit):
		interest = round_money(balance * r, precision)
		pays_off = emi - interest >= balance
		if months is not None and pays_off and index < months - 1:
			# The half-up EMI of a very small loan over a long term can repay it months early.
			raise _too_small(principal, months, emi)
		# Keeping an EMI, the rounding of the instalments leaves a few paise at the end (at most half a
		# unit a row): the row that leaves no more than that pays it too, as an annuity's last row does.
		drift = unit * (index + 1)
		is_last = (
			(months is not None and index == months - 1)
			or pays_off
			or (months is None and balance - (emi - interest) <= drift)
		)
		if is_last:
			principal_part = balance
			payment = balance + interest
		else:
			principal_part = emi - interest
			payment = emi
			if principal_part <= 0:
				if months is not None:
					raise _too_small(principal, months, emi)
				raise LoanInputError(
					N_(
						"An EMI of {emi} does not cover the monthly interest of {interest}; the loan would "
						"never be repaid. Choose a larger EMI or keep the end date instead."
					),
					{"emi": emi, "interest": interest},
				)
		closing = balance - principal_part
		rows.append(
			Instalment(
				number=first_number + index,
				due_date=add_months(first_due, index),
				opening_balance=balance,
				emi=payment,
				interest=interest,
				principal=principal_part,
				closing_balance=closing,
			)
		)
		balance = closing
		if balance == 0:
			break
	if balance != 0:  # pragma: no cover - guarded by the EMI > interest checks above
		raise LoanInputError(N_("The schedule did not close; the EMI is too small for this balance."))
	return rows


def _flat_rows(
	terms: LoanTerms, total_interest: Decimal, first_due: date, first_number: int, emi: Decimal | None = None
) -> list[Instalment]:
	"""Flat: the same interest each month (total spread evenly, remainder on the last row)."""
	precision = terms.precision
	months = terms.months
	interest_each = round_money(total_interest / months, precision)
	if emi is None:
		emi = round_money((terms.principal + total_interest) / months, precision)
	if emi < quantum(precision):
		raise _too_small(terms.principal, months, emi)
	rows: list[Instalment] = []
	balance = terms.principal
	interest_left = total_interest
	for index in range(months):
		is_last = index == months - 1
		interest = interest_left if is_last else min(interest_each, interest_left)
		principal_part = balance if is_last else emi - interest
		if not is_last and not 0 < principal_part < balance:
			raise _too_small(terms.principal, months, emi)
		closing = balance - principal_part
		rows.append(
			Instalment(
				number=first_number + index,
				due_date=add_months(first_due, index),
				opening_balance=balance,
				emi=principal_part + interest,
				interest=interest,
				principal=principal_part,
				closing_balance=closing,
			)
		)
		balance = closing
		interest_left -= interest
	return rows


def _too_small(principal: Decimal, months: int | None, emi: Decimal) -> LoanInputError:
	"""At a currency's precision a rounded EMI can repay a very small loan before its last month,
	or never; such terms are refused rather than laid out over a different number of months."""
	return LoanInputError(
		N_(
			"A loan of {principal} is too small for {months} monthly instalments at this currency's "
			"precision (the EMI rounds to {emi}). Shorten the tenure or raise the amount."
		),
		{"principal": principal, "months": months, "emi": emi},
	)


def schedule_totals(rows: list[Instalment]) -> dict:
	return {
		"instalments": len(rows),
		"total_principal": sum((row.principal for row in rows), Decimal(0)),
		"total_interest": sum((row.interest for row in rows), Decimal(0)),
		"total_payable": sum((row.emi for row in rows), Decimal(0)),
	}
