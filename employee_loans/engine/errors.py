"""The one exception type the engine raises for bad input, and how its message is shaped.

Every message the engine gives a person (an error, an eligibility finding, the note on a salary slip)
is an English `template` with named `{placeholders}` plus the `values` that fill them, never a
sentence already filled in: the app translates the template first and fills it in afterwards, in
one place (`employee_loans.utils`), so the user reads it in their own language.

Some values are English words themselves: the name of the field being checked ("Loan amount",
"Tenure"), an interest method or a policy ("Reducing Balance", "Skip Month"). Their keys are listed in
`labels`, and the app translates those values too. Every other value (a figure as the engine prints
it, a document name, the repr of what the caller passed) is shown as it is. A list of options is
written into the template as one placeholder per option, so that each option is a label of its own
and no English glue (", ", " or ") hides in a value.

Templates and the engine's own labels are written `N_("...")`: the gettext marker that puts them in
the app's translation catalogue (`bench generate-pot-file` collects it like `_()`), since the engine
never imports frappe. Labels that are options of the app's Select fields are in the catalogue already.
"""


def N_(text: str) -> str:
	"""Marks an English template or label for the app's translation catalogue and returns it unchanged
	(gettext's no-op marker: `bench generate-pot-file` collects `N_("...")` as it collects `_("...")`).
	The engine cannot translate, as it never imports frappe; the app translates what it shows."""
	return text


def fill(template: str, values: dict) -> str:
	"""The English sentence: the template filled in with its values."""
	return template.format(**values)


def translate(gettext, template: str, values: dict, labels: tuple[str, ...] = ()) -> str:
	"""The sentence in the user's language. `gettext` is the app's translation function (frappe's
	`_`): it translates the template and the values named in `labels`, then the template is filled in.
	A translation whose placeholders do not match its template falls back to the English template, so
	a typo in a translation never turns a message into a crash."""
	values = {
		key: gettext(value) if key in labels and isinstance(value, str) else value
		for key, value in values.items()
	}
	try:
		return gettext(template).format(**values)
	except (KeyError, IndexError, AttributeError, ValueError):
		return fill(template, values)


class LoanInputError(ValueError):
	"""Raised for any input the engine refuses: a float amount, a negative principal, a rate above
	100 %, a fractional number of months, more decimals than the currency has, absurd sizes.

	`template` is the English sentence with `{placeholders}`, `values` fills them and `labels` names
	the values that are English words to translate as well. `str(error)` is the English sentence
	filled in; the app shows the translated one. The message says what was wrong and what to do.
	"""

	def __init__(self, template: str, values: dict | None = None, labels: tuple[str, ...] = ()):
		self.template = template
		self.values = dict(values or {})
		self.labels = tuple(labels)
		super().__init__(fill(self.template, self.values))

	def __reduce__(self):
		# Rebuild from the parts, not from the filled-in text (which may hold braces a user typed).
		return (type(self), (self.template, self.values, self.labels))
