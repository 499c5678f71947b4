// Apply for a loan: the EMI and the eligibility findings come from employee_loans.api.preview_application
// (the same engine and rules as the desk) while the employee types; Submit calls
// employee_loans.api.apply_for_loan, which validates everything again on the server.
frappe.ready(() => {
	const portal = window.loans_portal;
	const form = document.getElementById("loan-application-form");
	if (!portal || !form) return;
	portal.load_messages();

	const currency = portal.data("currency");
	const my_loans_route = portal.data("myLoansRoute") || "/my-loans";
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

	function reset_preview(message) {
		last_result = null;
		preview.emi.textContent = "—";
		preview.status.textContent = message;
		preview.status.classList.remove("d-none");
		preview.figures.classList.add("d-none");
		preview.findings.replaceChildren();
		update_submit();
	}

	function finding_alert(finding) {
		const alert = document.createElement("div");
		alert.className = `alert ${finding.severity === "Block" ? "alert-danger" : "alert-warning"}`;
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
		preview.emi.textContent = portal.format_money(result.emi, currency);
		preview.total_interest.textContent = portal.format_money(result.total_interest, currency);
		preview.total_payable.textContent = portal.format_money(result.total_payable, currency);
		preview.last_emi.textContent = portal.format_date(result.last_emi_date);
		preview.net_salary.textContent =
			result.net_salary === null || result.net_salary === undefined
				? "—"
				: portal.format_money(result.net_salary, currency);
		preview.figures.classList.remove("d-none");
		preview.status.classList.add("d-none");
		preview.findings.replaceChildren(...result.findings.map(finding_alert));
		if (!result.findings.length) {
			const ok = document.createElement("div");
			ok.className = "alert alert-success";
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

	async function refresh_preview() {
		const args = terms();
		portal.hide(form_error);
		if (!args.loan_category || !(args.loan_amount > 0) || !(args.tenure_months > 0)) {
			reset_preview(__("Fill in the amount and the tenure to see your EMI."));
			return;
		}
		const mine = ++sequence;
		preview.status.textContent = __("Calculating...");
		preview.status.classList.remove("d-none");
		try {
			const result = await portal.call("employee_loans.api.preview_application", args);
			if (mine === sequence) render(result);
		} catch (error) {
			if (mine !== sequence) return;
			reset_preview("");
			preview.status.classList.add("d-none");
			portal.show_error(form_error, error.messages, __("Could not calculate the EMI."));
		}
	}

	function schedule_preview() {
		clearTimeout(timer);
		last_result = null;
		update_submit();
		timer = setTimeout(refresh_preview, 350);
	}

	fields.category.addEventListener("change", () => {
		show_category_info();
		schedule_preview();
	});
	fields.amount.addEventListener("input", schedule_preview);
	fields.tenure.addEventListener("input", schedule_preview);

	form.addEventListener("submit", async (event) => {
		event.preventDefault();
		portal.hide(form_error);
		const reason = fields.reason.value.trim();
		if (!reason) {
			portal.show_error(form_error, [], __("Give the reason for the loan."));
			fields.reason.focus();
			return;
		}
		submit.disabled = true;
		submit.textContent = __("Submitting...");
		try {
			const application = await portal.call("employee_loans.api.apply_for_loan", {
				...terms(),
				reason: reason,
			});
			window.location.href = `${my_loans_route}?applied=${encodeURIComponent(application.name)}`;
		} catch (error) {
			portal.show_error(form_error, error.messages, __("Could not submit the application."));
			submit.textContent = submit_label;
			update_submit();
		}
	});

	show_category_info();
	refresh_preview();
});
