"""What a new user meets, every role: sign in on the demo (the README's first command) as one
account of every role, open every page the menu reaches and object pages one click deeper, and
fail on any 5xx, console error, empty chart or internal code shown to people (tests/e2e/crawler.py).

The crawl follows the menu, so a module another engineer adds is crawled without changing this
test. One test (the demo is loaded once, ~15 s); about a minute and a half in all.
"""

from __future__ import annotations

import io

import pyotp
import pytest
from django.core.management import call_command

from tests.e2e.crawler import crawl, raw_identifiers

DEMO_PASSWORD = "Demo-crawl-2026"
ADMIN_PASSWORD = "Admin-crawl-2026"


def test_raw_identifier_pattern_catches_leaks_and_spares_real_terms():
    leaks = raw_identifiers("首要差距 hnte.ip_ownership；兑现方式 non_monetary；报告人 None；"
                            "This field is required here")
    assert leaks == ["non_monetary", "hnte.ip_ownership", "None", "This field is required here"]
    assert raw_identifiers("统一社会信用代码（USCC）、TOTP 动态口令、导出 Excel、peiyuku-run3.xlsx、"
                           "账户 kjj_demo、GB/T 9704、ECharts") == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_role_meets_no_error_and_no_internal_code(page, live_server, monkeypatch, settings, tmp_path):
    from kechuang.core.models import ADMIN_ROLES, User

    monkeypatch.setenv("KECHUANG_DEMO_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("KECHUANG_ADMIN_PASSWORD", ADMIN_PASSWORD)
    settings.VAR_DIR = tmp_path
    call_command("serve", demo=True, no_serve=True, stdout=io.StringIO())

    accounts = {}
    for user in User.objects.filter(is_active=True).order_by("username"):
        for password in (DEMO_PASSWORD, ADMIN_PASSWORD):
            if user.role not in accounts and user.check_password(password):
                accounts[user.role] = (user, password)
    assert len(accounts) >= 8, f"演示账户的角色不全：{sorted(accounts)}"

    problems, pages = [], 0
    for role, (user, password) in sorted(accounts.items()):
        secret = None
        if role in ADMIN_ROLES:
            secret = pyotp.random_base32()
            User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_confirmed=True, totp_last_counter=0)
        context = page.context
        context.clear_cookies()
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if "/otp" in page.url:
            assert secret, f"{user.username} 需要动态口令"
            page.fill("input[name=code]", pyotp.TOTP(secret).now())
            page.click("main button[type=submit]")
            page.wait_for_load_state()
        assert "/login" not in page.url, f"{user.username} 登录失败：{page.inner_text('body')[:300]}"
        report = crawl(page, live_server.url, deeper_per_page=2, max_pages=60)
        pages += len(report.pages)
        assert len(report.pages) >= 2, f"{user.username} 的菜单没有页面"
        problems += [f"{user.get_role_display()} {user.username} {p}" for p in report.problems]
    assert not problems, f"共检查 {pages} 页，发现 {len(problems)} 处问题：\n" + "\n".join(problems)
