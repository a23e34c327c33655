"""In the browser: a township clerk reports, is returned, corrects and is approved (Playwright)."""
import pytest

from kechuang.targets import services
from kechuang.targets.models import Report


@pytest.mark.browser
def test_report_return_correct_approve(page, live_url, sign_in, screenshot, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    period = services.period_open(user=world.staff, year=2023, kind="H1")
    sign_in(page, world.clerk_a)
    page.goto(live_url("targets:report", period=period.pk))
    assert "溪美" not in page.content()  # the clerk sees only 水头镇
    row = page.locator("tr", has_text="全社会研发经费投入")
    row.locator("input[name=value]").fill("八千")
    row.locator("button[type=submit]").click()
    assert "应为数字，实际为“八千”" in page.content()
    row = page.locator("tr", has_text="全社会研发经费投入")
    row.locator("input[name=value]").fill("8000")
    row.locator("button[type=submit]").click()
    assert "已提交" in page.content()
    screenshot(page, "targets-report-submitted")

    page.context.clear_cookies()
    sign_in(page, world.staff)
    page.goto(live_url("targets:review"))
    line = page.locator("tr", has_text="全社会研发经费投入").first
    line.locator("input[name=reason]").fill("请附统计局快报")
    line.locator("button", has_text="退回").click()
    assert "已退回" in page.content()

    page.context.clear_cookies()
    sign_in(page, world.clerk_a)
    page.goto(live_url("targets:report", period=period.pk))
    assert "退回原因：请附统计局快报" in page.content()
    row = page.locator("tr", has_text="全社会研发经费投入")
    row.locator("input[name=value]").fill("8640")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")   # the correction and the next page's requests are done

    page.context.clear_cookies()
    sign_in(page, world.staff)
    page.goto(live_url("targets:review"))
    page.locator("tr", has_text="全社会研发经费投入").first.locator("button", has_text="通过").click()
    screenshot(page, "targets-review-approved")
    report = Report.objects.get()
    assert (report.status, report.version, report.value) == ("approved", 2, 8640)
    assert [r.action for r in report.revisions.all()] == ["submit", "return", "correct", "approve"]
