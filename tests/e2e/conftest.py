"""Browser tests live here; their fixtures (browser, page, live_url, sign_in, screenshot) are in
tests/conftest.py so that every test package shares one set."""
