// Shared by the self-service pages (www/my-loans, www/apply-for-loan); their templates include it
// inline, so it needs no asset build. It only defines helpers: the pages' own scripts call them once
// the site's web bundle (frappe, __, format_number) has loaded.
window.loans_portal = {
	// JSON handed over by the template in data-* attributes of #loans-portal-data
	data(key) {
		const holder = document.getElementById("loans-portal-data");
		const value = holder && holder.dataset[key];
		return value ? JSON.parse(value) : null;
	},

	// Web pages do not load the desk's translations: each page hands over those its script needs.
	load_messages() {
		frappe._messages = Object.assign(frappe._messages || {}, this.data("messages") || {});
	},

	// POST to a whitelisted method. Resolves with r.message; rejects with the server's messages as
	// plain text, so they can be shown beside the form.
	async call(method, args) {
		let response;
		let data = {};
		try {
			response = await fetch(`/api/method/${method}`, {
				method: "POST",
				credentials: "same-origin",
				headers: {
					Accept: "application/json",
					"Content-Type": "application/json",
					"X-Frappe-CSRF-Token": frappe.csrf_token || "",
				},
				body: JSON.stringify(args || {}),
			});
			data = await response.json();
		} catch (e) {
			data = {};
		}
		if (!response || !response.ok || data.exc_type || data.exc) {
			const error = new Error("request failed");
			error.messages = this.server_messages(data);
			error.status = response ? response.status : 0;
			throw error;
		}
		return data.message;
	},

	server_messages(data) {
		let messages = [];
		try {
			messages = JSON.parse(data._server_messages || "[]").map((message) => {
				try {
					return JSON.parse(message).message || "";
				} catch (e) {
					return message;
				}
			});
		} catch (e) {
			messages = [];
		}
		return messages.map((message) => this.as_text(message)).filter(Boolean);
	},

	// Server messages are HTML (<br> between findings); show them as text.
	as_text(html) {
		const doc = new DOMParser().parseFromString(
			String(html).replace(/<br\s*\/?>/gi, "\n"),
			"text/html"
		);
		return (doc.body.textContent || "").trim();
	},

	show_error(element, messages, fallback) {
		const lines = messages && messages.length ? messages : [fallback];
		element.textContent = lines.join("\n");
		element.style.whiteSpace = "pre-line";
		element.classList.remove("d-none");
	},

	hide(element) {
		element.classList.add("d-none");
	},

	format_money(value, currency) {
		const number = format_number(value || 0, currency.number_format, currency.precision);
		return currency.symbol ? `${currency.symbol} ${number}` : number;
	},

	format_date(value) {
		if (!value) return "";
		try {
			return frappe.datetime.str_to_user(value, false, true);
		} catch (e) {
			return value;
		}
	},
};
