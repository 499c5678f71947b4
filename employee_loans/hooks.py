app_name = "employee_loans"
app_title = "Employee Loans"
app_publisher = "Employee Loans Developers"
app_description = (
	"Employee loans for ERPNext + HRMS: loan categories, applications checked against HR data, "
	"approval, disbursement, exact EMI schedules and EMI deduction in payroll"
)
app_email = "developers@example.com"
app_license = "MIT"
required_apps = ["frappe/erpnext", "frappe/hrms"]

# Desk helpers the app's scripts share (the reports' filters, status colours from the DocType's
# states): public/js/employee_loans.bundle.js, built by `bench build --app employee_loans`
app_include_js = "employee_loans.bundle.js"

# Install, migrate, uninstall
after_install = "employee_loans.install.after_install"
after_migrate = "employee_loans.install.after_migrate"
before_uninstall = "employee_loans.install.before_uninstall"

# Employees see only their own applications, loans and repayments
permission_query_conditions = {
	"Employee Loan Application": "employee_loans.permissions.application_query_conditions",
	"Employee Loan": "employee_loans.permissions.loan_query_conditions",
	"Employee Loan Repayment": "employee_loans.permissions.repayment_query_conditions",
	"Employee Loan Change": "employee_loans.permissions.change_query_conditions",
}
has_permission = {
	"Employee Loan Application": "employee_loans.permissions.has_own_record_permission",
	"Employee Loan": "employee_loans.permissions.has_own_record_permission",
	"Employee Loan Repayment": "employee_loans.permissions.has_own_record_permission",
	"Employee Loan Change": "employee_loans.permissions.has_own_record_permission",
}


# Payroll: loan lines on salary slips, repayments on submit, reversal on cancel
doc_events = {
	"Salary Slip": {
		# the loan lines first, then the perquisite on concessional loans (India), which reads them
		"validate": [
			"employee_loans.payroll_hooks.salary_slip.validate",
			"employee_loans.payroll_hooks.perquisite.validate",
		],
		"process_salary_structure": [
			"employee_loans.payroll_hooks.salary_slip.process_salary_structure",
			"employee_loans.payroll_hooks.perquisite.process_salary_structure",
		],
		"on_submit": "employee_loans.payroll_hooks.salary_slip.on_submit",
		"on_cancel": "employee_loans.payroll_hooks.salary_slip.on_cancel",
		"on_trash": "employee_loans.payroll_hooks.salary_slip.on_trash",
	},
	# Leaving employees: loans on the Full and Final Statement, settled by its journal entry
	"Full and Final Statement": {"validate": "employee_loans.exit_settlement.sync_loan_rows"},
	"Journal Entry": {
		"on_submit": "employee_loans.exit_settlement.settle_loans",
		"on_cancel": "employee_loans.exit_settlement.unsettle_loans",
	},
	"Employee": {"validate": "employee_loans.exit_settlement.warn_on_relieving"},
	# The slips a Payroll Entry's submission left as drafts, with why (its form lists them)
	"Payroll Entry": {"onload": "employee_loans.payroll_hooks.payroll_entry.onload"},
}

# A loan row can be added by hand to a Full and Final Statement; a Payroll Entry lists the draft slips
# its submission left and brings them up to date and submits them in one step
doctype_js = {
	"Full and Final Statement": "public/js/full_and_final_statement.js",
	"Payroll Entry": "public/js/payroll_entry.js",
}

before_tests = "employee_loans.tests.setup.before_tests"

# Employee self-service: the portal menu (synced into Portal Settings on install and migrate)
standard_portal_menu_items = [
	{
		"title": "My Loans",
		"route": "/my-loans",
		"reference_doctype": "Employee Loan Application",
		"role": "Employee",
	},
	{
		"title": "Apply for a Loan",
		"route": "/apply-for-loan",
		"reference_doctype": "Employee Loan Application",
		"role": "Employee",
	},
]

# Loans and loan applications on the Employee form's connections panel
override_doctype_dashboards = {"Employee": "employee_loans.dashboard.employee_dashboard"}

# Figures for the loan print formats (statement of account, closure certificate)
jinja = {
	"methods": [
		"employee_loans.statements.employee_loan_statement",
		"employee_loans.statements.employee_loan_closure_certificate",
	]
}
