"""Requests through the real WSGI application with a real login, for the integration tests.

Each request runs in a thread on its own database connection (frappe.tests.test_api.make_request), so
what it should read must be committed first."""

import json
from urllib.parse import urlencode

from frappe.tests.test_api import make_request
from frappe.utils import get_test_client

from employee_loans.sample_data import PASSWORD


class HttpRequests:
	"""A mixin for a test case: log in as a user, then GET whitelisted methods as them."""

	def login(self, user: str, password: str = PASSWORD):
		client = get_test_client()
		response = make_request(client.post, ("/api/method/login",), {"data": {"usr": user, "pwd": password}})
		self.assertEqual(response.status_code, 200, response.text)
		return client

	def get(self, client, method: str, **args):
		"""GET /api/method/`method`; an argument that is not text goes as JSON."""
		query = urlencode(
			{key: value if isinstance(value, str) else json.dumps(value) for key, value in args.items()}
		)
		return make_request(client.get, (f"/api/method/{method}?{query}",))
