"""What a new user meets, every role: sign in on the demo (the README's first command) as one
account of every role, open every page the menu reaches and every kind of object page one click
deeper, and fail on any 5xx, console error, empty chart, wrapped status badge or internal code
shown to people (snake_case, dotted ids, None, English, UTC/ISO times, 60.0000-style amounts;
tests/e2e/crawler.py). The roles who work on a phone (企业用户, 科技特派员) and a visitor of the
public pages (the villager looking for a 特派员) are crawled again at 390 px, where the page
itself must not scroll sideways.

The crawl follows the menu, so a module another engineer adds is crawled without changing this
test. One test (the demo is loaded once, ~30 s); about 500 pages, four to five minutes in all.
"""

from __future__ import annotations

import io

import pyotp
import pytest
from django.core.management import call_command

from tests.e2e.crawler import FORMS, crawl, public_pages, raw_identifiers, tour_forms

DEMO_PASSWORD = "Demo-crawl-2026"
ADMIN_PASSWORD = "Admin-crawl-2026"


def test_raw_identifier_pattern_catches_leaks_and_spares_real_terms():
    leaks = raw_identifiers("首要差距 hnte.ip_ownership；兑现方式 non_monetary；报告人 None；"
                            "This field is required here")
    assert leaks == ["non_monetary", "hnte.ip_ownership", "None", "This field is required here"]
    assert raw_identifiers("统一社会信用代码（USCC）、TOTP 动态口令、导出 Excel、peiyuku-run3.xlsx、"
                           "账户 kjj_demo、GB/T 9704、ECharts") == []
    # machine times and amounts with meaningless decimals; local times and plain amounts pass
    assert raw_identifiers("记录于 2026-12-04T14:51:00+00:00；金额 60.0000 万元") == ["2026-12-04T14:51", "60.0000"]
    assert raw_identifiers("22:51:00Z 记录") == ["22:51:00Z"]
    assert raw_identifiers("记录于 2026-12-04 22:51；金额 60 万元、12.5 万元、得分 93.47、比例 0.2") == []
    assert raw_identifiers("系统命令（kechuang serve --demo）；重算：kechuang supervision verify --draw 抽取结果.json") == []
    # a record's own sentence, quoted, is the author's text; the same word outside the quotes is a leak
    assert raw_identifiers("语义最接近的句子：「吸附后可用0.1 mol/L NaOH溶液洗脱再生」") == []
    assert raw_identifiers("单位 mol") == ["mol"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_role_meets_no_error_and_no_internal_code(page, live_server, monkeypatch, settings, tmp_path):
    from kechuang.core.models import ADMIN_ROLES, Role, User

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
    phone_roles = {Role.ENTERPRISE_USER, Role.COMMISSIONER}
    forms_done: set[int] = set()
    for role, (user, password) in sorted(accounts.items()):
        secret = None
        if role in ADMIN_ROLES:
            secret = pyotp.random_base32()
            User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_confirmed=True, totp_last_counter=0)
        for width in ((1366, 390) if role in phone_roles else (1366,)):
            page.set_viewport_size({"width": width, "height": 900})
            page.context.clear_cookies()
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
            # at 390 px the menu pages again (the deeper pages were read at desktop width)
            report = crawl(page, live_server.url, deeper=width > 600)
            if width > 600:  # the calculator, the self-check, a search …: their answers are pages too
                tour_forms(page, live_server.url, report, report.pages, forms_done)
            pages += len(report.pages)
            assert len(report.pages) >= 2, f"{user.username} 的菜单没有页面"
            problems += [f"{user.get_role_display()} {user.username}（{width}px） {p}" for p in report.problems]

    # a visitor who has not signed in, on a phone: the public pages and one click deeper
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 900})
    report = crawl(page, live_server.url, start=public_pages(live_server.url))
    assert any("/public/commissioners/" in u for u in report.pages), report.pages
    pages += len(report.pages)
    problems += [f"未登录访客（390px） {p}" for p in report.problems]
    assert len(forms_done) == len(FORMS), f"未填写的表单：{[FORMS[i][0] for i in set(range(len(FORMS))) - forms_done]}"
    assert not problems, f"共检查 {pages} 页，发现 {len(problems)} 处问题：\n" + "\n".join(problems)
