// Apply for a loan: the EMI and the eligibility findings come from employee_loans.api.preview_application
// (the same engine and rules as the desk) while the employee types; Submit calls
// employee_loans.api.apply_for_loan, which validates everything again on the server. Both go through
// frappe.call, which shows the server's messages (a refused application says why) in Frappe's dialog.
frappe.ready(() => {
	const form = document.getElementById("loan-application-form");
	if (!form) return;

	const currency = JSON.parse(form.dataset.currency);
	const my_loans_route = form.dataset.myLoansRoute || "/my-loans";
	const by_id = (id) => document.getElementById(id);
	const fields = {
		category: by_id("loan_category"),
		amount: by_id("loan_amount"),
		tenure: by_id("tenure_months"),
		reason: by_id("reason"),
	};
	const preview = {
		emi: by_id("preview-emi"),
		status: by_id("preview-status"),
		figures: by_id("preview-figures"),
		total_interest: by_id("preview-total-interest"),
		total_payable: by_id("preview-total-payable"),
		last_emi: by_id("preview-last-emi"),
		net_salary: by_id("preview-net-salary"),
		findings: by_id("preview-findings"),
	};
	const submit = by_id("submit-application");
	const form_error = by_id("form-error");
	const submit_label = submit.textContent.trim();

	let timer = null;
	let sequence = 0;
	let last_result = null;

	// A POST to the method's REST endpoint. The returned jqXHR tells success (.done) from failure
	// (.fail); frappe.call itself shows the server's messages.
	const call = (method, args) => frappe.call({ method: method, url: `/api/method/${method}`, args: args });

	function format_money(value) {
		const number = format_number(value || 0, currency.number_format, currency.precision);
		return currency.symbol ? `${currency.symbol} ${number}` : number;
	}

	function format_date(value) {
		return value ? frappe.datetime.str_to_user(value, false, true) : "";
	}

	function terms() {
		return {
			loan_category: fields.category.value,
			loan_amount: parseFloat(fields.amount.value),
			tenure_months: parseInt(fields.tenure.value, 10),
		};
	}

	function show_category_info() {
		const option = fields.category.selectedOptions[0];
		document.querySelectorAll(".category-info").forEach((info) => {
			info.classList.toggle("d-none", info.dataset.category !== fields.category.value);
		});
		if (option) {
			fields.tenure.min = option.dataset.minimumMonths || 1;
			fields.tenure.max = option.dataset.maximumMonths || "";
			fields.amount.max = option.dataset.maximumAmount || "";
		}
	}

	function show_status(message) {
		preview.status.textContent = message;
		preview.status.classList.toggle("d-none", !message);
	}

	function reset_preview(message) {
		last_result = null;
		preview.emi.textContent = "—";
		show_status(message);
		preview.figures.classList.add("d-none");
		preview.findings.replaceChildren();
		update_submit();
	}

	function finding_alert(finding) {
		const alert = document.createElement("div");
		alert.className = `alert mb-2 ${finding.severity === "Block" ? "alert-danger" : "alert-warning"}`;
		const title = document.createElement("div");
		title.className = "font-weight-bold";
		title.textContent = `${finding.severity === "Block" ? __("Blocked") : __("Warning")}: ${
			finding.rule
		}`;
		const message = document.createElement("div");
		message.textContent = finding.message;
		alert.append(title, message);
		return alert;
	}

	function render(result) {
		last_result = result;
		preview.emi.textContent = format_money(result.emi);
		preview.total_interest.textContent = format_money(result.total_interest);
		preview.total_payable.textContent = format_money(result.total_payable);
		preview.last_emi.textContent = format_date(result.last_emi_date);
		preview.net_salary.textContent =
			result.net_salary === null || result.net_salary === undefined
				? "—"
				: format_money(result.net_salary);
		preview.figures.classList.remove("d-none");
		show_status("");
		preview.findings.replaceChildren(...result.findings.map(finding_alert));
		if (!result.findings.length) {
			const ok = document.createElement("div");
			ok.className = "alert alert-success mb-2";
			ok.textContent = __("You meet every rule for this loan.");
			preview.findings.append(ok);
		} else if (result.blocked) {
			const note = document.createElement("p");
			note.className = "text-danger small mb-0";
			note.textContent = __(
				"This application cannot be submitted as it is. Change the amount, the tenure or the category."
			);
			preview.findings.append(note);
		}
		update_submit();
	}

	function update_submit() {
		submit.disabled = !last_result || last_result.blocked;
	}

	function refresh_preview() {
		const args = terms();
		form_error.classList.add("d-none");
		if (!args.loan_category || !(args.loan_amount > 0) || !(args.tenure_months > 0)) {
			reset_preview(__("Fill in the amount and the tenure to see your EMI."));
			return;
		}
		const mine = ++sequence;
		show_status(__("Calculating..."));
		call("employee_loans.api.preview_application", args)
			.done((r) => mine === sequence && render(r.message))
			.fail(() => mine === sequence && reset_preview(__("Could not calculate the EMI.")));
	}

	function schedule_preview() {
		clearTimeout(timer);
		last_result = null;
		update_submit();
		timer = setTimeout(refresh_preview, 500);
	}

	fields.category.addEventListener("change", () => {
		show_category_info();
		schedule_preview();
	});
	fields.amount.addEventListener("input", schedule_preview);
	fields.tenure.addEventListener("input", schedule_preview);

	form.addEventListener("submit", (event) => {
		event.preventDefault();
		form_error.classList.add("d-none");
		const reason = fields.reason.value.trim();
		if (!reason) {
			form_error.textContent = __("Give the reason for the loan.");
			form_error.classList.remove("d-none");
			fields.reason.focus();
			return;
		}
		submit.disabled = true;
		submit.textContent = __("Submitting...");
		call("employee_loans.api.apply_for_loan", { ...terms(), reason: reason })
			.done((r) => {
				window.location.href = `${my_loans_route}?applied=${encodeURIComponent(r.message.name)}`;
			})
			.fail(() => {
				submit.textContent = submit_label;
				update_submit();
			});
	});

	show_category_info();
	refresh_preview();
});
