// Withdraw a Pending application through the desk's own action (employee_loan_application.withdraw),
// which checks on the server that the application is the signed-in employee's and still Pending.
frappe.ready(() => {
	const button = document.getElementById("withdraw-application");
	if (!button) return;
	const label = button.textContent.trim();

	function withdraw() {
		const method = button.dataset.method;
		button.disabled = true;
		button.textContent = __("Withdrawing...");
		// frappe.call shows the server's messages itself when the withdrawal is refused
		frappe
			.call({
				method: method,
				url: `/api/method/${method}`,
				args: { application: button.dataset.application },
			})
			.done(() => window.location.reload())
			.fail(() => {
				button.disabled = false;
				button.textContent = label;
			});
	}

	button.addEventListener("click", () => {
		frappe.confirm(
			frappe.utils.escape_html(__("Withdraw this application? HR will no longer review it.")),
			withdraw
		);
	});
});
