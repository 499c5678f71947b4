"""`before_tests` for a fresh site: HRMS's setup (company, fiscal year, holiday list)."""


def before_tests():
	from hrms.tests.test_utils import before_tests as hrms_before_tests

	hrms_before_tests()
