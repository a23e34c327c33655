"""Browser test: an enterprise posts a need, sees the match, the bureau dispatches, the broker sees it."""
import pytest

pytestmark = pytest.mark.browser


def _context(browser, client_for, user, live_server):
    c = client_for(user)
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN")
    host = live_server.url.split("//", 1)[1].split(":")[0]
    ctx.add_cookies([{"name": "sessionid", "value": c.cookies["sessionid"].value, "domain": host, "path": "/"}])
    return ctx


def test_post_need_match_dispatch(transactional_db, world, client_for, browser, live_server, hashing_search):
    from kechuang.techmarket.models import Achievement, Broker
    Achievement.objects.create(title="低温活性染料匀染技术", abstract="棉织物低温活性染料染色，匀染性好。",
                               keywords=["活性染料", "匀染性"], field="新材料", status="published")
    Broker.objects.create(user=world.broker_a, name="张经理", fields=["新材料"])

    ent = _context(browser, client_for, world.ent_user_a, live_server).new_page()
    ent.goto("/techmarket/needs/new/")
    ent.fill("input[name=title]", "棉布染色不匀")
    ent.fill("textarea[name=description]", "活性染料匀染性差，寻求低温匀染技术")
    ent.fill("input[name=field]", "新材料")
    ent.click("text=发布并智能匹配")
    ent.wait_for_selector("text=推荐成果")
    assert "低温活性染料匀染技术" in ent.content()
    need_url = ent.url

    staff = _context(browser, client_for, world.staff, live_server).new_page()
    staff.goto(need_url)
    assert "系统建议" in staff.content()
    staff.click("button:has-text('派单')")
    staff.wait_for_selector("text=已派单给 张经理")

    broker = _context(browser, client_for, world.broker_a, live_server).new_page()
    broker.goto("/techmarket/workbench/")
    assert "棉布染色不匀" in broker.content() and "对接" in broker.content()
