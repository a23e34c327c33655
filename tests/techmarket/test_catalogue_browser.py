"""Browser test: the bureau sends a submission back with a reason, then publishes it; a clerk finds it
in the search and opens its detail page."""
import pytest

pytestmark = pytest.mark.browser


def _signed_in_page(browser, client_for, user, live_server):
    c = client_for(user)
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 900})
    host = live_server.url.split("//", 1)[1].split(":")[0]
    ctx.add_cookies([{"name": "sessionid", "value": c.cookies["sessionid"].value, "domain": host, "path": "/"}])
    return ctx.new_page()


def test_moderate_then_find(transactional_db, world, client_for, browser, live_server, hashing_search, screenshot):
    from kechuang.techmarket.models import Achievement
    a = Achievement.objects.create(title="玄武岩纤维增强石材复合板", abstract="玄武岩纤维与石材薄板复合，抗折强度提高。",
                                   keywords=["玄武岩纤维", "复合板"], field="新材料", status="review", source="import")

    staff = _signed_in_page(browser, client_for, world.staff, live_server)
    staff.goto("/techmarket/achievements/moderation/")
    row = staff.locator(f"#ach-{a.pk}")
    # the reason field is required in the browser too
    assert row.locator("input[name=reason]").get_attribute("required") is not None
    row.locator("input[name=reason]").fill("缺少知识产权证明")
    row.locator("button[value=reject]").click()
    staff.wait_for_selector("text=退回原因已记录")
    assert "缺少知识产权证明" in staff.locator(f"#ach-{a.pk}").inner_text()
    screenshot(staff, "techmarket-moderation-rejected")
    staff.locator(f"#ach-{a.pk} button[value=publish]").click()
    staff.wait_for_selector("text=可在成果检索中查到")
    a.refresh_from_db()
    assert a.status == "published"

    clerk = _signed_in_page(browser, client_for, world.clerk_a, live_server)
    clerk.goto("/techmarket/?q=玄武岩纤维+复合板")
    clerk.click("a:has-text('玄武岩纤维增强石材复合板')")
    clerk.wait_for_selector("text=成果简介")
    body = clerk.content()
    assert "来源：表格导入" in body and "抗折强度提高" in body
    assert "成果审核" not in clerk.locator("nav.tabs").inner_text()
    screenshot(clerk, "techmarket-achievement-detail-clerk")
