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
