"""Going live: bringing in the loans a company already has, in bulk from a spreadsheet (the Employee
Loan Import tool) or one at a time from the desk. Both go through `check` and `bring_in` here.

Each row is checked before anything is written, reading what it needs for the whole file at once
(employees, categories, the loans already brought in, submitted salary slips, open loans); only the
EMI limit's warning reads each employee's net pay on its own, as an application does. The engine plans
each loan's opening (`engine.opening.plan_opening`), and every problem is reported with its row number,
the column and what to change. A row with an error stops the whole file:
nothing is written until every row passes (see README, "Going live"). Rows that were brought in before
(the same old system reference in the company, or without one the same employee, category and original
disbursement date) and have the same figures are skipped, so bringing the same file in twice writes
nothing new.

Writing: each row becomes an ordinary Employee Loan, submitted as Disbursed and marked as brought in,
whose submit replays it from its opening (ledger.rebuild); then the loans brought in together post one
opening Journal Entry per go-live date (accounts.post_opening), unless the company's books already
carry the balances.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Sum
from frappe.utils import add_days, cint, flt, getdate, nowdate
from frappe.utils.data import get_user_date_format

from employee_loans.accounts import post_opening
from employee_loans.employee_loans.doctype.employee_loan_category.employee_loan_category import (
	loan_components,
)
from employee_loans.engine import (
	BLOCK,
	ApplicationFacts,
	LoanInputError,
	LoanTerms,
	add_up,
	evaluate,
	plan_opening,
)
from employee_loans.engine.schedule import INTEREST_FREE, method_label
from employee_loans.engine.states import LOAN_DISBURSED, OPEN_LOAN_STATUSES
from employee_loans.permissions import ensure_role
from employee_loans.utils import currency_precision, engine_message, get_settings, to_field, to_money

LOAN = "Employee Loan"
CATEGORY = "Employee Loan Category"

# How the opening balance reaches the books
OPENING_ENTRY = "Opening Journal Entry"
ALREADY_IN_BOOKS = "Already in the Books"
BOOKINGS = (OPENING_ENTRY, ALREADY_IN_BOOKS)

# What a problem does to its row
ERROR = "Error"  # the row (and so the file) cannot be brought in
WARNING = "Warning"  # the row is brought in; HR should look at it
ALREADY_IN = "Already In"  # brought in before with the same figures: skipped


@dataclass(frozen=True)
class Column:
	key: str
	label: str
	required: bool
	description: str


# The template's columns, in order. Labels are what a person types as the header; the key (the loan's
# field name) is accepted too.
COLUMNS = (
	Column("employee", "Employee", True, "The Employee ID (for example HR-EMP-00012)."),
	Column("loan_category", "Loan Category", True, "A loan category of the company."),
	Column("loan_amount", "Amount Lent", True, "The principal originally lent."),
	Column("annual_interest_rate", "Annual Interest Rate", True, "In %; 0 for an interest-free loan."),
	Column("interest_method", "Interest Method", False, "Reducing Balance, Flat or Interest Free; empty: the category's."),
	Column("tenure_months", "Tenure (Months)", True, "The original number of monthly instalments."),
	Column("disbursement_date", "Original Disbursement Date", True, "When the loan was paid out."),
	Column("go_live_date", "Go-live Date", False, "The day the app takes the loan over; empty: the import's."),
	Column("outstanding_at_go_live", "Outstanding Principal at Go-live", True, "Principal still owed, without interest."),
	Column("first_payroll_month", "First Payroll Month", False, "The first month the app deducts, as 2026-04; empty: the go-live month."),
	Column("old_system_emi", "EMI in the Old System", False, "Kept from go-live when given; the last instalment absorbs the difference."),
	Column("instalments_before_go_live", "Instalments Recovered", False, "How many instalments the old system recovered."),
	Column("old_system_reference", "Old System Reference", False, "The loan's reference in the old system; recognises it if brought in again."),
)  # fmt: skip
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}


@dataclass
class Problem:
	row: int | None  # the row in the spreadsheet (the header is row 1); None: the whole file
	column: str | None
	severity: str
	message: str
	employee_loan: str | None = None

	def as_dict(self) -> dict:
		return {
			"row_number": self.row,
			"column_label": _(self.column) if self.column else None,
			"severity": self.severity,
			"message": self.message,
			"employee_loan": self.employee_loan,
		}


@dataclass
class Row:
	"""One loan to bring in: what the file says, what it was read as, and what the check found."""

	number: int
	raw: dict
	values: dict = field(default_factory=dict)
	employee: frappe._dict | None = None
	category: frappe._dict | None = None
	terms: LoanTerms | None = None
	plan: object = None
	problems: list[Problem] = field(default_factory=list)
	existing: str | None = None  # the loan it was brought in as before

	def problem(self, severity: str, message: str, column: str | None = None, loan: str | None = None):
		self.problems.append(Problem(self.number, column, severity, message, loan))

	@property
	def failed(self) -> bool:
		return any(problem.severity == ERROR for problem in self.problems)

	@property
	def ready(self) -> bool:
		return not self.failed and not self.existing

	def key(self, company: str) -> tuple:
		"""What recognises the loan: the company and the old system's reference, else the employee,
		category and original disbursement date."""
		reference = (self.values.get("old_system_reference") or "").strip().lower()
		if reference:
			return ("reference", company, reference)
		return (
			"loan",
			self.values.get("employee"),
			self.category.name if self.category else self.values.get("loan_category"),
			self.values.get("disbursement_date"),
		)


@dataclass
class Check:
	company: str
	rows: list[Row]
	problems: list[Problem]  # about the whole file or the import's settings

	@property
	def failed(self) -> bool:
		return any(problem.severity == ERROR for problem in self.all_problems)

	@property
	def all_problems(self) -> list[Problem]:
		return [*self.problems, *(problem for row in self.rows for problem in row.problems)]

	@property
	def ready(self) -> list[Row]:
		return [row for row in self.rows if row.ready]

	def counts(self) -> dict:
		return {
			"rows_in_file": len(self.rows),
			"rows_ready": len(self.ready) if not self.failed else 0,
			"rows_already_in": sum(1 for row in self.rows if row.existing),
			"rows_with_errors": sum(1 for row in self.rows if row.failed),
			"rows_with_warnings": sum(
				1 for row in self.rows if any(problem.severity == WARNING for problem in row.problems)
			),
		}


# -- permission ---------------------------------------------------------------------------------------


def ensure_can_bring_in(company: str) -> None:
	"""HR Managers (and System Managers) bring loans in, for a company they may create loans for."""
	ensure_role(("HR Manager", "System Manager"), _("bring in existing loans"))
	if not frappe.has_permission(LOAN, "create", doc=frappe.new_doc(LOAN, company=company)):
		frappe.throw(
			_("You are not permitted to create loans of company {0}.").format(company),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


def lock_company(company: str) -> None:
	"""The company's row lock, held to the end of the transaction: two imports (or a desk bring-in)
	of one company wait for each other, so neither brings in a loan the other is bringing in."""
	frappe.db.get_value("Company", company, "name", for_update=True)


def default_opening_account(company: str | None) -> str | None:
	"""The company's account of type Temporary (ERPNext's Temporary Opening), if it has one."""
	if not company:
		return None
	return frappe.db.get_value(
		"Account", {"company": company, "account_type": "Temporary", "is_group": 0, "disabled": 0}, "name"
	)


# -- reading a file -----------------------------------------------------------------------------------


def read_file(file_url: str) -> tuple[list[Row], list[Problem]]:
	"""The rows of an attached CSV or Excel file (its first sheet), numbered as the spreadsheet numbers
	them, read with Frappe's own readers (those of Data Import)."""
	from frappe.utils.csvutils import read_csv_content
	from frappe.utils.xlsxutils import read_xls_file_from_attached_file, read_xlsx_file_from_attached_file

	file = frappe.get_doc("File", {"file_url": file_url})
	extension = (file.file_name or file_url).rsplit(".", 1)[-1].lower()
	content = file.get_content()
	if extension == "csv":
		table = read_csv_content(content)
	elif extension == "xlsx":
		table = read_xlsx_file_from_attached_file(fcontent=content)
	elif extension == "xls":
		table = read_xls_file_from_attached_file(content)
	else:
		return [], [
			Problem(
				None, None, ERROR, _("Attach a CSV or Excel (.xlsx) file; {0} is neither.").format(file_url)
			)
		]
	return table_rows(table or [])


def table_rows(table: list[list]) -> tuple[list[Row], list[Problem]]:
	"""Rows under the header, by column key. Unknown and missing columns are problems of the file."""
	if not table:
		return [], [Problem(None, None, ERROR, _("The file is empty. Fill in the template, one loan a row."))]
	labels = {_label_key(column.label): column.key for column in COLUMNS}
	labels.update({_label_key(_(column.label)): column.key for column in COLUMNS})
	labels.update({column.key: column.key for column in COLUMNS})
	header, keys, problems = table[0], [], []
	for cell in header:
		text = _label_key(cell)
		key = labels.get(text)
		if text and not key:
			problems.append(
				Problem(
					1,
					None,
					ERROR,
					_(
						"Column {0} is not one of the template's. Rename or remove it: the columns are {1}."
					).format(repr(str(cell).strip()), ", ".join(_(column.label) for column in COLUMNS)),
				)
			)
		keys.append(key)
	missing = [column for column in COLUMNS if column.required and column.key not in keys]
	for column in missing:
		problems.append(
			Problem(1, column.label, ERROR, _("The file has no column {0}; add it.").format(_(column.label)))
		)
	rows = []
	for index, cells in enumerate(table[1:], start=2):
		raw = {key: cell for key, cell in zip(keys, cells, strict=False) if key}
		if all(_blank(value) for value in raw.values()):
			continue
		rows.append(Row(index, raw))
	if not rows and not problems:
		problems.append(Problem(None, None, ERROR, _("The file has no loans under its header row.")))
	return rows, problems


def _label_key(cell) -> str:
	return " ".join(str(cell or "").replace("*", " ").split()).lower()


def _blank(value) -> bool:
	return value is None or (isinstance(value, str) and not value.strip())


# -- checking -----------------------------------------------------------------------------------------


def check(
	company: str,
	rows: list[Row],
	go_live_date=None,
	booking: str = OPENING_ENTRY,
	opening_account: str | None = None,
	file_problems: list[Problem] | None = None,
	warnings: bool = True,
) -> Check:
	"""Every row checked, nothing written (with `warnings`, what the eligibility rules would say of each
	loan today)."""
	result = Check(company, rows, list(file_problems or []))
	check_settings(result, booking, opening_account)
	precision = currency_precision(company)
	for row in rows:
		parse_row(row, precision, go_live_date)
	employees = load_employees({row.values["employee"] for row in rows if row.values.get("employee")})
	categories = load_categories(company)
	for row in rows:
		check_row(row, company, employees, categories, precision)
	check_duplicates(result)
	check_slips(result)
	if warnings:
		add_warnings(result, precision)
	return result


def check_settings(result: Check, booking: str, opening_account: str | None) -> None:
	if booking not in BOOKINGS:
		result.problems.append(
			Problem(
				None,
				None,
				ERROR,
				_("Choose how the opening balances reach the books: {0} or {1}.").format(
					_(OPENING_ENTRY), _(ALREADY_IN_BOOKS)
				),
			)
		)
		return
	if booking != OPENING_ENTRY:
		return
	if not opening_account:
		result.problems.append(
			Problem(
				None,
				None,
				ERROR,
				_(
					"Choose the Temporary Opening Account the opening entries credit (an account of type "
					"Temporary of company {0}), or choose {1}."
				).format(result.company, _(ALREADY_IN_BOOKS)),
			)
		)
	else:
		account = frappe.db.get_value(
			"Account", opening_account, ["company", "is_group", "disabled", "account_type"], as_dict=True
		)
		if not account or account.company != result.company or account.is_group or account.disabled:
			result.problems.append(
				Problem(
					None,
					None,
					ERROR,
					_(
						"{0} is not a ledger account of company {1}; choose its Temporary Opening account."
					).format(opening_account, result.company),
				)
			)
	if frappe.db.exists("Period Closing Voucher", {"docstatus": 1, "company": result.company}):
		result.problems.append(
			Problem(
				None,
				None,
				ERROR,
				_(
					"Company {0} has closed a period (Period Closing Voucher), after which ERPNext accepts no "
					"opening entry. Choose {1} and carry the balances in the books yourself."
				).format(result.company, _(ALREADY_IN_BOOKS)),
			)
		)


def parse_row(row: Row, precision: int, go_live_date) -> None:
	"""Each cell as the value it stands for; a cell that cannot be read is an error of its column."""
	values = row.values
	for column in COLUMNS:
		raw = row.raw.get(column.key)
		if _blank(raw):
			if column.required:
				row.problem(ERROR, _("{0} is empty; fill it in.").format(_(column.label)), column.label)
			continue
		try:
			values[column.key] = PARSERS.get(column.key, _text)(raw, precision)
		except ValueError as error:
			row.problem(ERROR, str(error), column.label)
	if not values.get("go_live_date"):
		if go_live_date:
			values["go_live_date"] = getdate(go_live_date)
		elif "go_live_date" not in {problem.column for problem in row.problems}:
			row.problem(
				ERROR,
				_("Give the Go-live Date in the row or on the import."),
				COLUMN_BY_KEY["go_live_date"].label,
			)


def _text(value, precision: int) -> str:
	if isinstance(value, float) and value.is_integer():
		value = int(value)  # an ID typed as a number in Excel
	return str(value).strip()


def _decimal(value, precision: int) -> Decimal:
	if isinstance(value, bool):
		raise ValueError(_("{0} is not a number.").format(repr(value)))
	if isinstance(value, float):
		value = repr(value)  # Excel's float, as the shortest text that reads back as it
	try:
		number = Decimal(str(value).strip().replace(",", "").replace("_", ""))
	except InvalidOperation:
		raise ValueError(_("{0} is not a number; write it as 125000.50.").format(repr(str(value))))
	if not number.is_finite():
		raise ValueError(_("{0} is not a number; write it as 125000.50.").format(repr(str(value))))
	return number


def _whole(value, precision: int) -> int:
	number = _decimal(value, precision)
	if number != number.to_integral_value() or number < 0:
		raise ValueError(_("{0} is not a whole number.").format(repr(str(value))))
	return int(number)


def _date(value, precision: int) -> date:
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	text = str(value).strip()
	try:
		return date.fromisoformat(text[:10])
	except ValueError:
		pass
	system_format = get_user_date_format()
	python_format = system_format.replace("dd", "%d").replace("mm", "%m").replace("yyyy", "%Y")
	try:
		return datetime.strptime(text, python_format).date()
	except ValueError:
		raise ValueError(
			_("{0} is not a date; write it as 2026-04-01 or as {1}.").format(repr(text), system_format)
		)


def _month(value, precision: int) -> date:
	if isinstance(value, datetime | date):
		return _date(value, precision).replace(day=1)
	text = str(value).strip()
	for pattern in ("%Y-%m", "%m-%Y", "%b %Y", "%B %Y"):
		try:
			return datetime.strptime(text, pattern).date()
		except ValueError:
			pass
	try:
		return _date(text, precision).replace(day=1)
	except ValueError:
		raise ValueError(_("{0} is not a month; write it as 2026-04.").format(repr(text)))


def _method(value, precision: int) -> str:
	try:
		return method_label(str(value).strip())
	except LoanInputError as error:
		raise ValueError(engine_message(error))


PARSERS = {
	"loan_amount": _decimal,
	"annual_interest_rate": _decimal,
	"interest_method": _method,
	"tenure_months": _whole,
	"disbursement_date": _date,
	"go_live_date": _date,
	"outstanding_at_go_live": _decimal,
	"first_payroll_month": _month,
	"old_system_emi": _decimal,
	"instalments_before_go_live": _whole,
}


def load_employees(names: set[str]) -> dict[str, frappe._dict]:
	if not names:
		return {}
	employee = frappe.qb.DocType("Employee")
	rows = (
		frappe.qb.from_(employee)
		.select(
			employee.name,
			employee.employee_name,
			employee.company,
			employee.status,
			employee.relieving_date,
			employee.date_of_joining,
			employee.department,
			employee.user_id,
		)
		.where(employee.name.isin(list(names)))
		.run(as_dict=True)
	)
	return {row.name: row for row in rows}


def load_categories(company: str) -> dict[str, frappe._dict]:
	"""The company's categories by name and by category name (a file may give either)."""
	category = frappe.qb.DocType(CATEGORY)
	rows = (
		frappe.qb.from_(category)
		.select(
			category.name,
			category.category_name,
			category.disabled,
			category.maximum_amount,
			category.minimum_tenure_months,
			category.maximum_tenure_months,
			category.annual_interest_rate,
			category.interest_method,
			category.loan_account,
			category.interest_income_account,
			category.salary_component,
			category.interest_component,
		)
		.where(category.company == company)
		.run(as_dict=True)
	)
	found = {}
	for row in rows:
		row.principal_component, row.interest_component = loan_components(row)
		found[row.name.lower()] = row
		found.setdefault((row.category_name or "").strip().lower(), row)
	return found


def check_row(row: Row, company: str, employees: dict, categories: dict, precision: int) -> None:
	values = row.values
	employee = employees.get(values.get("employee"))
	if values.get("employee") and not employee:
		row.problem(
			ERROR,
			_("There is no employee {0}. Give the Employee ID (for example HR-EMP-00012).").format(
				values["employee"]
			),
			"Employee",
		)
	elif employee and employee.company != company:
		row.problem(
			ERROR,
			_(
				"Employee {0} ({1}) is of company {2}; bring the loan in with an import for that company."
			).format(employee.name, employee.employee_name, employee.company),
			"Employee",
		)
	elif employee and employee.status == "Left":
		row.problem(
			ERROR,
			_(
				"Employee {0} ({1}) has left{2}: the app recovers loans through payroll. Settle this loan "
				"outside the app, or bring it in before the employee is marked as left."
			).format(
				employee.name,
				employee.employee_name,
				_(" on {0}").format(employee.relieving_date) if employee.relieving_date else "",
			),
			"Employee",
		)
	else:
		row.employee = employee
	category = categories.get(str(values.get("loan_category") or "").strip().lower())
	if values.get("loan_category") and not category:
		row.problem(
			ERROR,
			_("Company {0} has no loan category {1}. Create it, or give one of: {2}.").format(
				company,
				values["loan_category"],
				", ".join(sorted({row.name for row in categories.values()})) or _("none yet"),
			),
			"Loan Category",
		)
	elif category:
		row.category = category
		check_category(row, category)
	if row.failed or not category:
		return
	if not may_create(row, company):
		row.problem(
			ERROR,
			_(
				"You are not permitted to create loans of employee {0} ({1}) in category {2} (User Permissions). "
				"Leave the row to an HR Manager who is."
			).format(employee.name, employee.employee_name, category.name),
			"Employee",
		)
		return
	plan_row(row, category, precision)


def may_create(row: Row, company: str) -> bool:
	"""The person's permission to create this loan: their roles and User Permissions (on the company,
	the employee, the category, the department), as for a loan made in the desk."""
	loan = frappe.new_doc(LOAN)
	loan.update(
		{
			"company": company,
			"employee": row.employee.name,
			"department": row.employee.department,
			"loan_category": row.category.name,
		}
	)
	return frappe.has_permission(LOAN, "create", doc=loan)


def check_category(row: Row, category) -> None:
	if not category.loan_account:
		row.problem(
			ERROR,
			_("Set the Loan Account of category {0}: payroll and the opening entry book to it.").format(
				category.name
			),
			"Loan Category",
		)
	if not category.principal_component:
		row.problem(
			ERROR,
			_("Set the Deduction Salary Component in Employee Loan Settings before bringing loans in."),
			"Loan Category",
		)
	rate = row.values.get("annual_interest_rate")
	if rate and not (category.interest_income_account and category.interest_component):
		row.problem(
			ERROR,
			_(
				"Set the Interest Income Account of category {0} and the Interest Salary Component in Employee "
				"Loan Settings: this loan charges interest."
			).format(category.name),
			"Loan Category",
		)


def plan_row(row: Row, category, precision: int) -> None:
	"""The loan's terms and its opening, as the engine plans them."""
	values = row.values
	rate = values.get("annual_interest_rate")
	method = values.get("interest_method") or (INTEREST_FREE if rate == 0 else category.interest_method)
	try:
		row.terms = LoanTerms.parse(values["loan_amount"], rate, values["tenure_months"], method, precision)
	except LoanInputError as error:
		row.problem(ERROR, engine_message(error), column_of(error))
		return
	try:
		row.plan = plan_opening(
			row.terms,
			values["disbursement_date"],
			values["go_live_date"],
			values["outstanding_at_go_live"],
			values.get("first_payroll_month"),
			values.get("instalments_before_go_live"),
			values.get("old_system_emi"),
		)
	except LoanInputError as error:
		row.problem(ERROR, engine_message(error), column_of(error))
		return
	for note in row.plan.notes:
		row.problem(WARNING, engine_message(note))


# The column an engine error is about, from the field it names or the words of its sentence (the first
# that matches); None leaves the message to say it.
ERROR_COLUMNS = (
	("outstanding", "Outstanding Principal at Go-live"),
	("first payroll month", "First Payroll Month"),
	("go-live date", "Go-live Date"),
	("instalments", "Instalments Recovered"),
	("old system's emi", "EMI in the Old System"),
	("emi in the old system", "EMI in the Old System"),
	("interest-free", "Interest Method"),
	("interest method", "Interest Method"),
	("loan amount", "Amount Lent"),
	("rate", "Annual Interest Rate"),
	("tenure", "Tenure (Months)"),
	("monthly instalments", "Tenure (Months)"),
)


def column_of(error: LoanInputError) -> str | None:
	name = str(error.values.get("name") or "").lower()
	template = error.template.lower()
	for words, column in ERROR_COLUMNS:
		if words in name:
			return column
	for words, column in ERROR_COLUMNS:
		if words in template:
			return column
	return None


def check_duplicates(result: Check) -> None:
	"""The same loan twice in the file is an error of the later row; a loan brought in before is
	skipped when its figures are the same, an error when they differ."""
	seen: dict[tuple, int] = {}
	for row in result.rows:
		if not row.plan:  # a row with an error already (its employee's loans may not be the person's)
			continue
		key = row.key(result.company)
		if key in seen:
			row.problem(
				ERROR,
				_("Row {0} is the same loan as row {1} ({2}). Remove one of them.").format(
					row.number, seen[key], describe(row)
				),
				"Old System Reference" if key[0] == "reference" else None,
			)
		else:
			seen[key] = row.number
	existing = brought_in_before(result)
	for row in result.rows:
		if not row.plan:
			continue
		loan = existing.get(row.key(result.company))
		if not loan:
			continue
		if same_figures(row, loan):
			row.existing = loan.name
			row.problems = [problem for problem in row.problems if problem.severity == ERROR]
			row.problem(
				ALREADY_IN,
				_("Already brought in as loan {0}: nothing is written for this row.").format(loan.name),
				loan=loan.name,
			)
		else:
			row.problem(
				ERROR,
				_(
					"Loan {0} was brought in already for {1} with other figures (lent {2}, outstanding {3} at "
					"{4}). Cancel {0} first to bring it in again, or correct this row."
				).format(
					loan.name,
					describe(row),
					loan.loan_amount,
					loan.outstanding_at_go_live,
					loan.go_live_date,
				),
				loan=loan.name,
			)


def describe(row: Row) -> str:
	"""What recognises the row's loan, in words."""
	if (row.values.get("old_system_reference") or "").strip():
		return _("old system reference {0}").format(row.values["old_system_reference"].strip())
	return _("employee {0}, category {1}, disbursed on {2}").format(
		row.values.get("employee"), row.category.name, row.values.get("disbursement_date")
	)


def brought_in_before(result: Check) -> dict[tuple, frappe._dict]:
	"""The company's loans brought in before (not cancelled) that share a key with a row: one query."""
	references = {(row.values.get("old_system_reference") or "").strip().lower() for row in result.rows} - {
		""
	}
	employees = {row.values.get("employee") for row in result.rows if row.values.get("employee")}
	if not (references or employees):
		return {}
	loan = frappe.qb.DocType(LOAN)
	match = loan.employee.isin(list(employees)) if employees else None
	if references:
		by_reference = loan.old_system_reference.isin(list(references))
		match = by_reference if match is None else match | by_reference
	rows = (
		frappe.qb.from_(loan)
		.select(
			loan.name,
			loan.employee,
			loan.loan_category,
			loan.disbursement_date,
			loan.old_system_reference,
			loan.loan_amount,
			loan.outstanding_at_go_live,
			loan.go_live_date,
		)
		.where((loan.company == result.company) & (loan.brought_in == 1) & (loan.docstatus < 2) & match)
		# a locking read: it sees a loan another worker brought in and committed while this one waited for
		# the company's lock, which a plain read of this transaction's snapshot would not
		.for_update()
		.run(as_dict=True)
	)
	found = {}
	for row in rows:
		reference = (row.old_system_reference or "").strip().lower()
		if reference:
			found[("reference", result.company, reference)] = row
		else:
			found[("loan", row.employee, row.loan_category, getdate(row.disbursement_date))] = row
	return found


def same_figures(row: Row, loan) -> bool:
	precision = row.terms.precision if row.terms else 2
	values = row.values
	try:
		return (
			loan.employee == values.get("employee")
			and loan.loan_category == row.category.name
			and to_money(loan.loan_amount, precision) == Decimal(values.get("loan_amount"))
			and to_money(loan.outstanding_at_go_live, precision)
			== Decimal(values.get("outstanding_at_go_live"))
			and getdate(loan.go_live_date) == values.get("go_live_date")
		)
	except (TypeError, InvalidOperation):
		return False


def check_slips(result: Check) -> None:
	"""A submitted salary slip of the first payroll month or later did not deduct the loan (it was not
	in the app yet): the app would never recover that month. One query."""
	planned = [row for row in result.rows if row.plan and row.ready]
	if not planned:
		return
	slip = frappe.qb.DocType("Salary Slip")
	earliest = min(row.plan.opening.first_due for row in planned)
	slips = defaultdict(list)
	for record in (
		frappe.qb.from_(slip)
		.select(slip.name, slip.employee, slip.start_date, slip.end_date)
		.where(
			slip.employee.isin(list({row.employee.name for row in planned}))
			& (slip.docstatus == 1)
			& (slip.end_date >= earliest)
		)
		.orderby(slip.start_date)
		.run(as_dict=True)
	):
		slips[record.employee].append(record)
	for row in planned:
		first_due = row.plan.opening.first_due
		deducting = [record for record in slips[row.employee.name] if getdate(record.end_date) >= first_due]
		if deducting:
			record = deducting[0]
			row.problem(
				ERROR,
				_(
					"Salary slip {0} ({1} to {2}) is submitted already and did not deduct this loan. Make the "
					"First Payroll Month the month after the last submitted slip, or cancel the slip first."
				).format(record.name, record.start_date, record.end_date),
				"First Payroll Month",
			)


# -- warnings: what the eligibility rules would say of the loan today --------------------------------


def add_warnings(result: Check, precision: int) -> None:
	"""The rules a new loan must pass are not run to refuse a loan that exists already; what would fail
	today is shown as a warning on its row (the EMI limit with the loan's EMI from go-live, the category's
	limits on the amount lent and the tenure, employment to the last instalment, the service and active
	loan limits), with the category's rate and method where the loan's differ."""
	rows = [row for row in result.rows if row.plan and not row.failed and not row.existing]
	if not rows:
		return
	settings = get_settings()
	employees = sorted({row.employee.name for row in rows})
	open_loans = open_loans_of(employees, precision)
	# the EMI limit's rule reads each employee's net pay, a salary slip preview for an employee without a
	# submitted slip: most of a large file's check; without a limit there is nothing to read it for
	salaries = net_salaries(employees, precision) if flt(settings.emi_limit_percent) else {}
	in_file: dict[str, list[Row]] = defaultdict(list)
	today = getdate(nowdate())
	for row in rows:
		employee, category, plan = row.employee, row.category, row.plan
		others = in_file[employee.name]
		count, emis = open_loans.get(employee.name, (0, Decimal(0)))
		facts = ApplicationFacts(
			amount=row.terms.principal,
			months=row.terms.months,
			new_emi=plan.emi,
			last_emi_date=plan.last_due,
			on_date=today,
			category_maximum=to_money(category.maximum_amount, precision),
			category_min_months=cint(category.minimum_tenure_months),
			category_max_months=cint(category.maximum_tenure_months),
			employee_status=employee.status,
			date_of_joining=getdate(employee.date_of_joining) if employee.date_of_joining else None,
			relieving_date=getdate(employee.relieving_date) if employee.relieving_date else None,
			minimum_service_months=cint(settings.minimum_service_months),
			active_loans=count + len(others),
			maximum_active_loans=cint(settings.maximum_active_loans),
			existing_emis=add_up([emis, *(other.plan.emi for other in others)]),
			net_salary=salaries.get(employee.name),
			emi_limit_percent=Decimal(str(flt(settings.emi_limit_percent, 2))),
			precision=precision,
		)
		try:
			findings = evaluate(facts)
		except LoanInputError as error:
			row.problem(WARNING, engine_message(error))
			findings = []
		for finding in findings:
			message = engine_message(finding)
			if finding.severity == BLOCK:
				message = _("{0} (This would stop a new loan.)").format(message)
			row.problem(WARNING, message)
		for message in category_differences(row):
			row.problem(WARNING, message)
		others.append(row)


def category_differences(row: Row) -> list[str]:
	"""The loan's rate and method beside its category's, and a category closed to new loans."""
	category, terms = row.category, row.terms
	messages = []
	if Decimal(str(flt(category.annual_interest_rate, 6))) != terms.annual_rate:
		messages.append(
			_(
				"The loan's rate of {0} % is not its category's {1} %; a new loan of the category would get {1} %."
			).format(terms.annual_rate, flt(category.annual_interest_rate, 6))
		)
	if category.interest_method and terms.method != category.interest_method and terms.annual_rate:
		messages.append(
			_("The loan's interest method {0} is not its category's ({1}).").format(
				_(terms.method), _(category.interest_method)
			)
		)
	if category.disabled:
		messages.append(_("Category {0} is disabled: it takes no new applications.").format(category.name))
	return messages


def open_loans_of(employees: list[str], precision: int) -> dict[str, tuple[int, Decimal]]:
	"""Each employee's Approved and Disbursed loans in the app: how many, and their EMIs. One query."""
	loan = frappe.qb.DocType(LOAN)
	rows = (
		frappe.qb.from_(loan)
		.select(loan.employee, Count(loan.name).as_("loans"), Sum(loan.emi).as_("emis"))
		.where(loan.employee.isin(employees) & loan.status.isin(OPEN_LOAN_STATUSES) & (loan.docstatus < 2))
		.groupby(loan.employee)
		.run(as_dict=True)
	)
	return {row.employee: (row.loans, to_money(row.emis or 0, precision)) for row in rows}


def net_salaries(employees: list[str], precision: int) -> dict[str, Decimal | None]:
	"""Net pay before loan EMIs per employee, from the same sources as an application's EMI check
	(eligibility.net_monthly_salary)."""
	from employee_loans.eligibility import net_monthly_salary

	# HRMS's preview of a slip says what it did (tax components added, ...): not news for this check
	muted = frappe.flags.mute_messages
	frappe.flags.mute_messages = True
	try:
		return {employee: net_monthly_salary(employee, precision)[0] for employee in employees}
	finally:
		frappe.flags.mute_messages = muted


# -- writing ------------------------------------------------------------------------------------------


def bring_in(
	result: Check, booking: str, opening_account: str | None, loan_import: str | None = None, progress=None
) -> list[str]:
	"""One submitted, Disbursed Employee Loan per ready row, and their opening entry (one per go-live
	date) unless the company's books carry the balances already. The caller has checked `result` under
	the company's lock, in this transaction; a row that fails now raises, and the caller rolls the whole
	file back."""
	if result.failed:
		frappe.throw(_("Correct the problems first: nothing was brought in."), title=_("Problems Found"))
	loans = []
	ready = result.ready
	for index, row in enumerate(ready, start=1):
		loans.append(make_loan(row, result.company, booking, loan_import))
		if progress:
			progress(index, len(ready))
	if booking == OPENING_ENTRY and loans:
		post_openings(result.company, loans, opening_account, loan_import)
	return [loan.name for loan in loans]


def post_openings(company: str, loans: list, opening_account: str | None, reference: str | None) -> None:
	"""The opening entry of the loans brought in together, one per go-live date, each loan linked to it."""
	by_go_live: dict[date, list] = defaultdict(list)
	for loan in loans:
		by_go_live[getdate(loan.go_live_date)].append(loan)
	table = frappe.qb.DocType(LOAN)
	for go_live, opened in sorted(by_go_live.items()):
		entry = post_opening(
			company, add_days(go_live, -1), opening_account, opened, reference or opened[0].name
		)
		frappe.qb.update(table).set(table.opening_journal_entry, entry).where(
			table.name.isin([loan.name for loan in opened])
		).run()


def make_loan(row: Row, company: str, booking: str, loan_import: str | None):
	values, plan, category, employee = row.values, row.plan, row.category, row.employee
	charges_interest = row.terms.annual_rate > 0
	loan = frappe.get_doc(
		{
			"doctype": LOAN,
			"employee": employee.name,
			"employee_name": employee.employee_name,
			"department": employee.department,
			"employee_user": employee.user_id,
			"company": company,
			"status": LOAN_DISBURSED,
			"loan_category": category.name,
			"interest_method": row.terms.method,
			"annual_interest_rate": flt(row.terms.annual_rate),
			"loan_amount": to_field(row.terms.principal),
			"tenure_months": row.terms.months,
			"salary_component": category.principal_component,
			"interest_component": category.interest_component if charges_interest else None,
			"loan_account": category.loan_account,
			"interest_income_account": category.interest_income_account if charges_interest else None,
			"disbursement_date": values["disbursement_date"],
			"repayment_start_date": plan.opening.first_due,
			"brought_in": 1,
			"go_live_date": plan.opening.go_live,
			"old_system_reference": values.get("old_system_reference"),
			"loan_import": loan_import,
			"outstanding_at_go_live": to_field(plan.opening.outstanding),
			"principal_recovered_before_go_live": to_field(plan.principal_recovered),
			"instalments_before_go_live": plan.opening.instalments_recovered,
			"old_system_emi": to_field(plan.opening.emi),
			"opening_balance_booking": booking,
			"docstatus": 1,
		}
	)
	loan.flags.bring_in = True
	loan.flags.ignore_permissions = True  # checked once for the whole file (ensure_can_bring_in)
	# Every link was checked for the whole file (employee, category and its accounts and components);
	# thousands of loans need no browser told of each one.
	loan.flags.ignore_links = True
	loan.flags.notify_update = False
	loan.insert()
	return loan


# -- one loan from the desk ---------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def bring_in_one(
	company: str,
	loan: dict | str,
	opening_balance_booking: str = OPENING_ENTRY,
	temporary_opening_account: str | None = None,
	confirm: bool = False,
) -> dict:
	"""Bring in one existing loan typed in the desk: the same checks as a file's row. With warnings, the
	loan is brought in only once the person confirms (`confirm`)."""
	ensure_can_bring_in(company)
	values = frappe.parse_json(loan) if isinstance(loan, str) else loan
	if opening_balance_booking == OPENING_ENTRY and not temporary_opening_account:
		temporary_opening_account = default_opening_account(company)
	lock_company(company)
	row = Row(0, {column.key: values.get(column.key) for column in COLUMNS})
	result = check(company, [row], None, opening_balance_booking, temporary_opening_account)
	problems = [problem.as_dict() for problem in result.all_problems]
	warned = any(problem.severity == WARNING for problem in result.all_problems)
	if result.failed or row.existing or (warned and not frappe.utils.sbool(confirm)):
		return {"loan": None, "problems": problems}
	loans = bring_in(result, opening_balance_booking, temporary_opening_account)
	return {"loan": loans[0], "problems": problems}
