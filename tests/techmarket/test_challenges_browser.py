"""Browser test of 揭榜挂帅: the bureau publishes a 榜单 from a need, the public list shows it without
sign-in (and nothing of the need), an enterprise applies, and the bureau sees the application."""
import datetime as dt

import pytest

from tests.techmarket.test_catalogue_browser import _signed_in_page
from tests.world import SYSTEM

pytestmark = pytest.mark.browser


def test_publish_public_list_apply(transactional_db, world, client_for, browser, live_server, screenshot):
    from kechuang.techmarket import services
    from kechuang.techmarket.models import Challenge

    need = services.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="石材复合板切割崩边攻关", budget="120",
                              description="厚度 3 mm 以下复合板切割崩边严重，需专用锯片。保密：良率 61%", field="新材料")
    deadline = (dt.date.today() + dt.timedelta(days=30)).isoformat()

    staff = _signed_in_page(browser, client_for, world.staff, live_server)
    staff.goto(f"/techmarket/challenges/new/?need={need.pk}")
    staff.fill("input[name=title]", "超薄复合板切割金刚石锯片")
    staff.fill("textarea[name=summary]", "研发专用金刚石锯片，崩边不大于 0.3 mm")
    staff.fill("input[name=bounty]", "120")
    staff.fill("input[name=deadline]", deadline)
    staff.click("button:has-text('张榜')")
    staff.wait_for_selector("text=已张榜")
    challenge = Challenge.objects.get(title="超薄复合板切割金刚石锯片")

    public = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    public.goto("/techmarket/public/challenges/")
    body = public.locator("main").inner_text() if public.locator("main").count() else public.content()
    assert "超薄复合板切割金刚石锯片" in body
    assert world.enterprise_a.name not in body and "良率 61%" not in body
    screenshot(public, "techmarket-public-challenges")

    ent = _signed_in_page(browser, client_for, world.ent_user_b, live_server)
    ent.goto(f"/techmarket/challenges/{challenge.pk}/")
    ent.fill("#apply-form input[name=team]", "溪美乙企业联合攻关组")
    ent.fill("#apply-form input[name=lead]", "林工")
    ent.fill("#apply-form textarea[name=proposal]", "梯度胎体配方，激光焊接薄基体")
    ent.click("#apply-form button")
    ent.wait_for_selector("text=揭榜申请已提交")

    staff.goto(f"/techmarket/challenges/{challenge.pk}/")
    assert "溪美乙企业联合攻关组" in staff.content()
    screenshot(staff, "techmarket-challenge-with-application")
