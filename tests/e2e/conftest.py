"""Browser-test helpers: a live server and Playwright driving the Debian chromium (headless).

    @pytest.mark.browser
    def test_something(page, live_url, sign_in, world):
        sign_in(page, world.clerk_a)          # signs in through the login page
        page.goto(live_url("enterprises:list"))

`page` is a fresh Playwright page (one browser per test module, one context per test, downloads
allowed). The browser is module-scoped so that no Playwright instance outlives its module: a second
`sync_playwright()` started while one is running fails ("Sync API inside the asyncio loop"). `sign_in(page, user, password=PASSWORD)` works for every role without a second factor;
pass `otp=` a callable(user) -> code for administrators. `screenshot(page, name)` saves a PNG
under var/screenshots/ (handy when a test fails).

Chromium: /usr/bin/chromium (`apt-get install -y chromium`); tests are skipped with a clear
reason when it is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KECHUANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    """One headless chromium per test module."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"没有找到 chromium（{CHROMIUM}）：apt-get install -y chromium")
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
