// The self-service pages' Withdraw buttons. A [data-withdraw-method] button takes back a Pending record
// through the desk's own whitelisted action (its arguments: data-withdraw-args), which checks on the server
// that the record is the signed-in employee's and still Pending. It asks data-withdraw-question first and
// reloads the page when done; frappe.call shows the server's message when the withdrawal is refused.
frappe.ready(() => {
	document.querySelectorAll("[data-withdraw-method]").forEach((button) => {
		const label = button.textContent.trim();

		function withdraw() {
			const method = button.dataset.withdrawMethod;
			button.disabled = true;
			button.textContent = __("Withdrawing...");
			frappe
				.call({
					method: method,
					url: `/api/method/${method}`,
					args: JSON.parse(button.dataset.withdrawArgs),
				})
				.done(() => window.location.reload())
				.fail(() => {
					button.disabled = false;
					button.textContent = label;
				});
		}

		button.addEventListener("click", () => {
			frappe.confirm(frappe.utils.escape_html(button.dataset.withdrawQuestion), withdraw);
		});
	});
});
