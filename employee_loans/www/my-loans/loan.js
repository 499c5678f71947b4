// Ask for an EMI holiday or a top-up of this loan. While the employee types, the new EMI and last EMI come
// from the desk's own preview (employee_loan_change.get_preview, as the employee: the server checks the
// loan is theirs and the rules, and says why when the change is not possible). Sending calls
// employee_loan_change.request_change, which checks everything again and creates a Pending change for HR.
frappe.ready(() => {
	const container = document.getElementById("loan-change-requests");
	if (!container) return;

	const loan = container.dataset.loan;
	const currency = JSON.parse(container.dataset.currency);
	const preview_method = container.dataset.previewMethod;
	const request_method = container.dataset.requestMethod;
	const route = container.dataset.route;

	function format_money(value) {
		const number = format_number(value || 0, currency.number_format, currency.precision);
		return currency.symbol ? `${currency.symbol} ${number}` : number;
	}

	function format_date(value) {
		return value ? frappe.datetime.str_to_user(value, false, true) : "";
	}

	// The server's messages as plain text (they may hold <br> and links).
	function server_messages(body) {
		try {
			const messages = JSON.parse((body && body._server_messages) || "[]").map(
				(message) => JSON.parse(message).message
			);
			const html = messages.join("\n").replace(/<br\s*\/?>/gi, "\n");
			return new DOMParser().parseFromString(html, "text/html").body.textContent.trim();
		} catch (e) {
			return "";
		}
	}

	function setup(form) {
		const change_type = form.dataset.changeType;
		const preview = form.querySelector("[data-preview]");
		const error = form.querySelector("[data-error]");
		const button = form.querySelector("button[type=submit]");
		if (!button) return;
		const button_label = button.textContent.trim();
		let timer = null;
		let sequence = 0;
		// the values the preview shows (or is calculating): a field's change event after its input
		// events asks for nothing again, and does not wipe a message shown meanwhile
		let previewed = null;

		function values() {
			const result = { employee_loan: loan, change_type: change_type };
			for (const field of form.elements) {
				if (field.name && field.name !== "reason" && field.value !== "") result[field.name] = field.value;
			}
			return result;
		}

		function ready(args) {
			if (change_type === "EMI Holiday") return args.from_date && parseInt(args.holiday_months, 10) > 0;
			return parseFloat(args.top_up_amount) > 0;
		}

		function show_error(message) {
			error.textContent = message;
			error.classList.toggle("d-none", !message);
		}

		// data-state (incomplete, loading, ready, refused: the server said why, error: it could not answer)
		// and data-figure name what the preview shows, for scripts such as the browser check
		function set_state(state) {
			preview.dataset.state = state;
		}

		function line(figure, label, before, after) {
			const row = document.createElement("div");
			row.dataset.figure = figure;
			const name = document.createElement("span");
			name.className = "text-muted";
			name.textContent = `${label}: `;
			const value = document.createElement("span");
			value.className = "font-weight-bold";
			value.textContent = before === after ? after : `${before} → ${after}`;
			row.append(name, value);
			return row;
		}

		function render(figures) {
			const lines = [
				line("emi", __("EMI"), format_money(figures.emi_before), format_money(figures.emi_after)),
				line(
					"end_date",
					__("Last EMI"),
					format_date(figures.end_date_before),
					format_date(figures.end_date_after)
				),
				line(
					"outstanding",
					__("Outstanding"),
					format_money(figures.outstanding_before),
					format_money(figures.outstanding_after)
				),
			];
			if (parseFloat(figures.interest_added)) {
				const added = format_money(figures.interest_added);
				lines.push(line("interest_added", __("Interest added to the loan"), added, added));
			}
			for (const finding of figures.eligibility || []) {
				const row = document.createElement("div");
				row.className = finding.severity === "Block" ? "text-danger" : "text-warning";
				row.textContent = `${finding.severity === "Block" ? __("Blocked") : __("Warning")}: ${
					finding.message
				}`;
				lines.push(row);
			}
			preview.replaceChildren(...lines);
		}

		function refresh() {
			const args = values();
			const key = JSON.stringify(args);
			if (key === previewed) return;
			previewed = key;
			show_error("");
			const mine = ++sequence;
			if (!ready(args)) {
				preview.textContent = __("Fill in the form to see your new EMI.");
				set_state("incomplete");
				return;
			}
			preview.textContent = __("Calculating...");
			set_state("loading");
			const query = new URLSearchParams({ values: key });
			fetch(`/api/method/${preview_method}?${query}`, {
				headers: { Accept: "application/json" },
				credentials: "same-origin",
			})
				.then((response) => response.json().then((body) => ({ ok: response.ok, body })))
				.then(({ ok, body }) => {
					if (mine !== sequence) return;
					if (ok) {
						render(body.message);
						set_state("ready");
					} else {
						const message = server_messages(body);
						preview.replaceChildren();
						show_error(message || __("Could not calculate the figures."));
						set_state(message ? "refused" : "error");
					}
				})
				.catch(() => {
					if (mine !== sequence) return;
					previewed = null; // the same values may be tried again
					preview.replaceChildren();
					show_error(__("Could not calculate the figures."));
					set_state("error");
				});
		}

		function schedule() {
			clearTimeout(timer);
			timer = setTimeout(refresh, 500);
		}

		form.addEventListener("input", (event) => event.target.name !== "reason" && schedule());
		form.addEventListener("change", (event) => event.target.name !== "reason" && schedule());
		form.addEventListener("submit", (event) => {
			event.preventDefault();
			const reason = form.elements.reason.value.trim();
			if (!reason) {
				show_error(__("Give the reason for the change."));
				form.elements.reason.focus();
				return;
			}
			show_error("");
			button.disabled = true;
			button.textContent = __("Sending...");
			// frappe.call shows the server's message when the request is refused
			frappe
				.call({
					method: request_method,
					url: `/api/method/${request_method}`,
					args: { values: JSON.stringify({ ...values(), reason: reason }) },
				})
				.done((r) => {
					window.location.href = `${route}&requested=${encodeURIComponent(r.message)}`;
				})
				.fail(() => {
					button.disabled = false;
					button.textContent = button_label;
				});
		});
		refresh();
	}

	container.querySelectorAll(".loan-change-form").forEach(setup);
});
