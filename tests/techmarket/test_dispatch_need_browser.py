"""Browser test: a need no achievement fits → the bureau dispatches it from the need page → the
broker sees it in the workbench and gets a message → first contact → a deal without an
achievement → a registered contract. Screenshots (var/screenshots/): the need page in its
no-match state at 1366 px (bureau) and 390 px (the enterprise, on a phone), the workbench."""
import re

import pytest

pytestmark = pytest.mark.browser

RAW = re.compile(r"\bNone\b|\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z]+\.[a-z_]+\b")


def _page(browser, client_for, user, live_server, width=1366, height=900):
    c = client_for(user)
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": height})
    ctx.set_default_timeout(15_000)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    ctx.add_cookies([{"name": "sessionid", "value": c.cookies["sessionid"].value, "domain": host, "path": "/"}])
    return ctx.new_page()


def _visible_text(page) -> str:
    """The page's own text (the top bar shows the account name), checked for raw identifiers."""
    text = page.inner_text("main.content")
    assert not RAW.search(text), RAW.search(text).group(0)
    return text


def test_need_without_fit_dispatched_to_contract(transactional_db, world, client_for, browser, live_server,
                                                 screenshot):
    from kechuang.techmarket import services
    from kechuang.techmarket.models import Broker, TechContract
    from tests.world import SYSTEM

    world.broker_a.first_name = "张经理"          # the work log names its author
    world.broker_a.save()
    Broker.objects.create(user=world.broker_a, name="张经理", fields=["新材料"])
    Broker.objects.create(user=world.broker_b, name="李经理", fields=["智能装备"])
    need = services.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="卫浴水龙头铜合金铸件无铅化",
                              description="铜合金铸件需要无铅化，寻找低铅黄铜配方与铸造工艺，满足饮用水卫生标准。",
                              field="新材料", budget="50")
    url = f"/techmarket/needs/{need.pk}/"

    phone = _page(browser, client_for, world.ent_user_a, live_server, width=390, height=844)
    phone.goto(url)
    text = _visible_text(phone)
    assert "成果库中没有适合这项需求的成果" in text and "科技局可将需求派给技术经理人" in text
    assert phone.locator("#dispatch-need").count() == 0         # dispatch is the bureau's
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "techmarket-need-no-fit-390")

    staff = _page(browser, client_for, world.staff, live_server)
    staff.goto(url)
    text = _visible_text(staff)
    assert "成果库中没有适合这项需求的成果" in text and "按派单规则将派给 张经理" in text
    screenshot(staff, "techmarket-need-no-fit-1366")
    staff.click("#dispatch-need button:has-text('派给技术经理人')")
    staff.wait_for_selector("text=已派给技术经理人 张经理")
    assert staff.locator("#dispatch-need").count() == 0

    broker = _page(browser, client_for, world.broker_a, live_server)
    broker.goto("/techmarket/workbench/")
    text = _visible_text(broker)
    assert "卫浴水龙头铜合金铸件无铅化" in text and "无适合成果" in text
    screenshot(broker, "techmarket-workbench-1366")
    broker.goto("/inbox/")
    assert "新的派单：卫浴水龙头铜合金铸件无铅化" in broker.inner_text("body")
    broker.goto("/techmarket/workbench/")
    broker.click("text=卫浴水龙头铜合金铸件无铅化")
    broker.wait_for_selector("text=派单办理")
    assert "成果库中没有适合的成果" in _visible_text(broker)
    broker.fill("input[name=text]", "已电话联系企业，了解铸件工况")
    broker.click("button:has-text('保存记录')")
    broker.wait_for_selector("text=已电话联系企业")
    for stage in ("洽谈", "签约"):
        broker.click("button:has-text('进入下一环节')")
        broker.wait_for_selector(f"#stage:has-text('{stage}')")
    broker.fill("input[name=amount]", "30")
    broker.fill("input[name=signed_on]", "2026-12-01")
    broker.fill("input[name=provider]", "福州大学材料学院")
    broker.fill("textarea[name=solution]", "铋黄铜低铅配方与低压铸造工艺，来源：福州大学材料学院课题组")
    broker.click("button:has-text('登记签约')")
    broker.wait_for_selector("#stage:has-text('登记')")
    assert "技术提供方：福州大学材料学院" in broker.inner_text("body")
    broker.fill("input[name=registration_no]", "3505832026000777")
    broker.fill("input[name=registered_on]", "2026-12-03")
    broker.click("button:has-text('技术合同认定登记')")
    broker.wait_for_selector("text=已登记技术合同 3505832026000777")
    _visible_text(broker)
    screenshot(broker, "techmarket-dispatch-no-fit-done-1366")
    c = TechContract.objects.get(registration_no="3505832026000777")
    assert (c.seller, c.buyer, c.amount) == ("福州大学材料学院", world.enterprise_a.name, 30)

    phone.goto(url)
    text = _visible_text(phone)
    assert "张经理" in text and "已完成" in text
    screenshot(phone, "techmarket-need-dispatched-390")
