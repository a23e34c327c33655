"""The registry's pages in a real browser: the list filters, the detail page's trend chart (drawn
by the static script under the CSP), the expiry highlight; screenshots under var/screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest

from kechuang.enterprises.demo import generate
from kechuang.enterprises.models import Enterprise, Qualification

pytestmark = pytest.mark.browser


def test_list_and_detail_pages(page, live_url, sign_in, world, screenshot):
    generate(60, seed=5, log=False)
    target = Enterprise.objects.filter(is_demo=True, fiscal_years__isnull=False).first()
    today = dt.date.today()
    Qualification.objects.create(enterprise=target, kind="hnte", certificate_no="GR-EXPIRING",
                                 valid_from=today - dt.timedelta(days=1000), valid_until=today + dt.timedelta(days=30))
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    sign_in(page, world.staff)
    page.goto(live_url("enterprises:list"))
    assert "共 62 家企业" in page.content()
    screenshot(page, "enterprises-list")
    page.select_option("select[name=qualification]", "hnte")
    page.select_option("select[name=validity]", "expiring")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert target.name in page.locator("#enterprise-table").inner_text()
    page.goto(live_url("enterprises:detail", target.pk))
    page.locator("#trend-chart canvas").wait_for()
    assert page.locator("tr.expiring", has_text="GR-EXPIRING").count() == 1
    screenshot(page, "enterprises-detail")
    assert not errors, errors


def test_clerk_sees_only_own_township(page, live_url, sign_in, world):
    sign_in(page, world.clerk_a)
    page.goto(live_url("enterprises:list"))
    table = page.locator("#enterprise-table").inner_text()
    assert world.enterprise_a.name in table and world.enterprise_b.name not in table
    page.goto(live_url("enterprises:detail", world.enterprise_b.pk))
    assert "404" in page.title() or "不存在" in page.content() or "找不到" in page.content()


def test_edit_form_shows_the_import_checks(page, live_url, sign_in, world, screenshot):
    sign_in(page, world.clerk_a)
    page.goto(live_url("core:home"))
    assert "企业库企业" in page.content()
    page.goto(live_url("enterprises:year_add", world.enterprise_a.pk))
    page.fill("#id_year", "2025")
    page.fill("#id_sales_revenue", "100")
    page.fill("#id_rd_expense", "120")
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state()
    assert "研究开发费用总额（120 万元）大于销售收入（100 万元）" in page.content()
    screenshot(page, "enterprises-year-form-error")
