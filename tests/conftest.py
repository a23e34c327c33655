"""Shared fixtures: a world with two townships, a user of every role, and logged-in clients."""

from __future__ import annotations

import os
from pathlib import Path

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


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path):
    """Each test anchors the audit chain in its own checkpoint file (var/ is shared)."""
    settings.KECHUANG_AUDIT_CHECKPOINTS = str(tmp_path / "audit_checkpoints.log")


@pytest.fixture(autouse=True, scope="session")
def _search_index_inline():
    """Test rows never commit, so no index job is ever queued for them: the next search brings the
    catalogue index in step (tests/jobs/test_index_job.py turns this off to test the job itself)."""
    from django.conf import settings

    settings.KECHUANG_SEARCH_INDEX_INLINE = True
    yield
    settings.KECHUANG_SEARCH_INDEX_INLINE = False


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """PBKDF2 at its production cost makes each test user take ~0.5 s; tests use a fast hasher.
    tests/core/test_passwords.py checks that the product's own settings hash with PBKDF2."""
    from django.conf import settings

    original = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    settings.PASSWORD_HASHERS = original


# ---- Browser tests: Playwright driving the Debian chromium (headless), for every test package.
#
#     @pytest.mark.browser
#     def test_something(page, live_url, sign_in, world):
#         sign_in(page, world.clerk_a)          # signs in through the login page
#         page.goto(live_url("enterprises:list"))
#
# `browser` is module-scoped (a second sync_playwright() inside a running one fails); `page` is a
# fresh context per test with downloads allowed; `screenshot(page, name)` saves var/screenshots/.

CHROMIUM = os.environ.get("KECHUANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    """One headless chromium per test module."""
    if not Path(CHROMIUM).exists():  # fail, never skip: CI installs it (scripts/test.sh)
        pytest.fail(f"没有找到 chromium（{CHROMIUM}）：apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    # While Playwright's sync API runs, the test thread has a running event loop; the tests' own
    # ORM calls (fixtures, assertions, the database flush) are still plain synchronous code. The
    # variable is set only while this module's browser lives: it must not leak into the rest of
    # the session (the deploy check refuses it).
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as pw:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_sqlite():
    """On SQLite the live server's request threads share the test's one in-memory connection:
    with ATOMIC_REQUESTS two overlapping requests (a page and its htmx badge, the next page of a
    fast crawl) nest one's transaction in the other's, and the first COMMIT drops the second's
    savepoint ("no such savepoint"). The test server therefore serves one request at a time
    there, as `runserver --nothreading` does (PostgreSQL runs keep the threaded server).

    The same holds between a request and the end of a test: a page's last request (the header's
    message count, loaded by htmx after the page) can still be reading when the test returns, and
    the database flush then fails with "database table is locked" (and the next test on that
    worker meets the previous test's rows). The flush waits for the request being served, and
    requests arriving meanwhile wait for the flush."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    import threading

    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread, TransactionTestCase

    serving = threading.Lock()

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.connections_override = connections_override

        def finish_request(self, request, client_address):
            with serving:
                super().finish_request(request, client_address)

    teardown = TransactionTestCase._fixture_teardown

    def teardown_between_requests(self):
        with serving:
            teardown(self)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(LiveServerThread, "server_class", SerialWSGIServer)
        mp.setattr(TransactionTestCase, "_fixture_teardown", teardown_between_requests)
        yield


@pytest.fixture
def page(browser, live_server):
    """A fresh page in its own context (cookies do not leak between tests)."""
    context = browser.new_context(accept_downloads=True, locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def live_url(live_server):
    """`live_url("app:name", *args, **query)` → absolute URL on the live server."""
    from urllib.parse import urlencode

    from django.urls import reverse

    def make(name: str, *args, **query) -> str:
        url = live_server.url + reverse(name, args=args)
        return url + ("?" + urlencode(query) if query else "")

    return make


@pytest.fixture
def sign_in(live_server):
    """`sign_in(page, user, password=PASSWORD, otp=None)`: sign in through the login page."""
    from tests.world import PASSWORD

    def do(page, user, password: str = PASSWORD, otp=None):
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if "/otp" in page.url:
            if otp is None:
                raise AssertionError(f"{user.username} 需要动态口令：请传入 otp=…")
            page.fill("input[name=code]", otp(user))
            page.click("button[type=submit]")
            page.wait_for_load_state()
        assert "/login/" not in page.url, f"登录失败：{user.username}"
        return page

    return do


@pytest.fixture
def screenshot():
    """`screenshot(page, name)` saves var/screenshots/<name>.png and returns its path."""

    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
