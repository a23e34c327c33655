"""Shared fixtures: a world with two townships, a user of every role, and logged-in clients."""

from __future__ import annotations

import os

# Tests flush tables between transactional tests; the audit-table triggers are installed and
# checked explicitly by tests/core/test_audit.py instead.
os.environ.setdefault("KECHUANG_AUDIT_DB_GUARDS", "0")

import pytest  # noqa: E402

from tests.world import World  # noqa: E402


@pytest.fixture
def world(db) -> World:
    """Two townships (水头镇 = A, 溪美街道 = B), users of every role, one enterprise in each."""
    return World.build()


@pytest.fixture
def client_for(client):
    """`client_for(user)` returns a Django test client signed in as `user` (second factor done)."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        session = c.session
        session["otp_verified"] = True
        session.save()
        return c

    return make


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """PBKDF2 at its production cost makes each test user take ~0.5 s; tests use a fast hasher.
    tests/core/test_passwords.py checks that the product's own settings hash with PBKDF2."""
    from django.conf import settings

    original = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    settings.PASSWORD_HASHERS = original


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser_page(live_server, monkeypatch):
    """A Playwright page in headless Debian chromium against the live test server.
    Usage: `browser_page.goto(live_server.url + "/login/")`. Marks: @pytest.mark.browser."""
    chromium = os.environ.get("KECHUANG_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(chromium):
        pytest.fail(f"browser tests need Debian chromium at {chromium} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test body still uses the ORM.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        yield page
        browser.close()


def sign_in(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the real login form."""
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
