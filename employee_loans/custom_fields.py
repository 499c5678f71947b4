"""Fields this app adds to other apps' DocTypes, defined once and applied on install and migrate."""

SALARY_DETAIL_FIELDS = [
	{
		"fieldname": "employee_loan",
		"label": "Employee Loan",
		"fieldtype": "Link",
		"options": "Employee Loan",
		"insert_after": "salary_component",
		"read_only": 1,
		"search_index": 1,
		"no_copy": 0,
		"description": "Set by Employee Loans: the loan this deduction recovers",
	},
	{
		"fieldname": "loan_deduction_note",
		"label": "Loan Deduction Note",
		"fieldtype": "Small Text",
		"insert_after": "employee_loan",
		"read_only": 1,
		"depends_on": "eval:doc.employee_loan",
		"description": "Why the loan deduction differs from the EMI due",
	},
]

# The journal entries the app posts name the loan (and the repayment) they book.
JOURNAL_ENTRY_FIELDS = [
	{
		"fieldname": "employee_loan",
		"label": "Employee Loan",
		"fieldtype": "Link",
		"options": "Employee Loan",
		"insert_after": "user_remark",
		"read_only": 1,
		"search_index": 1,
		"no_copy": 1,
		"description": "Set by Employee Loans: the loan this entry disburses or recovers",
	},
	{
		"fieldname": "employee_loan_repayment",
		"label": "Employee Loan Repayment",
		"fieldtype": "Link",
		"options": "Employee Loan Repayment",
		"insert_after": "employee_loan",
		"read_only": 1,
		"no_copy": 1,
		"depends_on": "eval:doc.employee_loan_repayment",
	},
	{
		"fieldname": "employee_loan_change",
		"label": "Employee Loan Change",
		"fieldtype": "Link",
		"options": "Employee Loan Change",
		"insert_after": "employee_loan_repayment",
		"read_only": 1,
		"no_copy": 1,
		"depends_on": "eval:doc.employee_loan_change",
	},
]

# On the salary slip: what its loan rows deducted in all (the figure Loan Deduction reconciles the
# repayments with, read per slip rather than per row), and why a loan has no line on it (an EMI holiday
# month), where the payroll officer and the employee read the slip.
SALARY_SLIP_FIELDS = [
	{
		"fieldname": "employee_loan_deduction",
		"label": "Loan Deductions",
		"fieldtype": "Currency",
		"options": "currency",
		"insert_after": "total_deduction",
		"read_only": 1,
		"no_copy": 1,
		"print_hide": 1,
		"depends_on": "eval:doc.employee_loan_deduction",
		"description": "Set by Employee Loans: the total of this slip's loan deduction rows",
	},
	{
		"fieldname": "employee_loan_note",
		"label": "Loan Note",
		"fieldtype": "Small Text",
		"insert_after": "employee_loan_deduction",
		"read_only": 1,
		"no_copy": 1,
		"depends_on": "eval:doc.employee_loan_note",
		"description": "Set by Employee Loans: loans not deducted on this slip, and why",
	},
]

CUSTOM_FIELDS = {
	"Salary Detail": SALARY_DETAIL_FIELDS,
	"Salary Slip": SALARY_SLIP_FIELDS,
	"Journal Entry": JOURNAL_ENTRY_FIELDS,
}
