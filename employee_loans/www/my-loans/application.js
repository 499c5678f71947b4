// Withdraw a Pending application through the desk's own action (employee_loan_application.withdraw),
// which checks on the server that the application is the signed-in employee's and still Pending.
frappe.ready(() => {
	const portal = window.loans_portal;
	const button = document.getElementById("withdraw-application");
	if (!portal || !button) return;
	portal.load_messages();
	const error_box = document.getElementById("withdraw-error");
	const label = button.textContent.trim();

	button.addEventListener("click", async () => {
		if (!window.confirm(__("Withdraw this application? HR will no longer review it."))) return;
		portal.hide(error_box);
		button.disabled = true;
		button.textContent = __("Withdrawing...");
		try {
			await portal.call(button.dataset.method, { application: button.dataset.application });
			window.location.reload();
		} catch (error) {
			portal.show_error(error_box, error.messages, __("Could not withdraw the application."));
			button.disabled = false;
			button.textContent = label;
		}
	});
});
