"""Browser test of the 科技特派员 flow: a village (through its township clerk) posts a need → a
commissioner is proposed and assigned → accepts on the phone → the 三方协议 is generated (Word) →
the commissioner records a service log → the recipient confirms it on a 390 px screen → it shows
in the coverage page and in the commissioner's assessment."""
from decimal import Decimal

import pytest
from django.utils import timezone

from kechuang.core.models import Role
from tests.commissioners.helpers import SYSTEM
from tests.world import World

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _page(browser, client_for, user, live_server, viewport=None):
    c = client_for(user)
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN", accept_downloads=True,
                              viewport=viewport or {"width": 1366, "height": 900},
                              is_mobile=viewport is not None, has_touch=viewport is not None)
    ctx.set_default_timeout(20_000)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    ctx.add_cookies([{"name": "sessionid", "value": c.cookies["sessionid"].value, "domain": host, "path": "/"}])
    return ctx.new_page()


def _fits(page):
    """Nothing wider than the phone: no sideways scrolling of the page itself."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"页面宽 {width}px，超出手机屏幕"


def test_village_need_to_confirmed_log_in_coverage_and_assessment(transactional_db, world, client_for, browser,
                                                                  live_server, screenshot, monkeypatch):
    from kechuang.commissioners import services
    from kechuang.commissioners.models import Agreement, ServiceLog

    monkeypatch.setenv("KECHUANG_EMBEDDER", "hashing")
    year = timezone.localdate().year
    tepai = World.user("tepai", Role.COMMISSIONER)
    lin = services.commissioner_register(
        actor=SYSTEM, name="林建华", dispatch_unit="福建农林大学", year=year, level="province",
        expertise="茶树栽培、茶园病虫害绿色防控", fields=["农业"], townships=[world.township_a],
        villages=[(world.township_a, "山前村")], account=tepai)
    services.commissioner_register(actor=SYSTEM, name="陈数字", dispatch_unit="某公司", year=year, kind="legal",
                                   expertise="农村电商直播", fields=["数字经济"], townships=[world.township_b])

    # 1. the village's need, posted by the township clerk
    clerk = _page(browser, client_for, world.clerk_a, live_server)
    clerk.goto("/commissioners/needs/")
    clerk.select_option("select[name=recipient_kind]", "village")
    clerk.fill("input[name=village]", "山前村")
    clerk.fill("input[name=title]", "老茶园病虫害绿色防控")
    clerk.fill("textarea[name=description]", "茶小绿叶蝉危害重，需要茶园病虫害绿色防控指导")
    clerk.select_option("select[name=field]", "农业")
    clerk.click("button:has-text('发布需求')")
    clerk.wait_for_selector("text=推荐的科技特派员")
    first = clerk.locator(".proposal").first
    assert "林建华" in first.inner_text() and "服务本村" in first.inner_text()
    screenshot(clerk, "commissioners-need-proposals")
    first.locator("button:has-text('指派')").click()
    clerk.wait_for_selector("text=等待特派员回复")
    need_url = clerk.url

    # 2. the commissioner accepts on the phone
    phone = _page(browser, client_for, tepai, live_server, PHONE)
    phone.goto(need_url)
    phone.click("button:has-text('接受')")
    phone.wait_for_selector("text=已接单")
    _fits(phone)

    # 3. the clerk generates the three-party agreement and downloads the Word text
    clerk.goto(need_url)
    clerk.click("text=生成三方协议")
    clerk.fill("textarea[name=deliverables]", "示范茶园 100 亩，培训茶农 200 人次")
    clerk.select_option("select[name=benefit]", "share")
    clerk.fill("input[name=share_ratio]", "0.05")
    clerk.click("button:has-text('生成协议')")
    clerk.wait_for_selector("a:has-text('下载 Word 文本')")
    with clerk.expect_download() as dl:
        clerk.click("a:has-text('下载 Word 文本')")
    from docx import Document

    text = "\n".join(p.text for p in Document(dl.value.path()).paragraphs)
    assert "科技特派员服务三方协议" in text and "利益分成比例 5.00%" in text
    agreement = Agreement.objects.get(commissioner=lin)

    # 4. the commissioner records a service on the phone
    phone.goto("/commissioners/logs/")
    phone.select_option("select[name=recipient]", str(agreement.recipient_id))
    phone.select_option("select[name=agreement]", str(agreement.pk))
    phone.fill("input[name=place]", "山前村茶园")
    phone.fill("textarea[name=content]", "茶园修剪与绿色防控现场指导")
    phone.fill("input[name=people]", "25")
    phone.click("button:has-text('提交，等待服务对象确认')")
    phone.wait_for_selector("text=待服务对象确认")
    log = ServiceLog.objects.get(commissioner=lin)
    assert log.status == "pending"

    # it counts for nothing yet
    staff = _page(browser, client_for, world.staff, live_server)
    staff.goto(f"/commissioners/coverage/?year={year}")
    row = staff.locator("#coverage-table tr", has_text="水头镇")
    assert "无" in row.inner_text()

    # 5. the recipient (the village's township clerk) confirms on a 390 px screen
    recipient = _page(browser, client_for, world.clerk_a, live_server, PHONE)
    recipient.goto("/commissioners/")
    recipient.click("text=茶园修剪与绿色防控现场指导")
    recipient.wait_for_selector("#confirm-form")
    assert "暂不计入" in recipient.locator("#log-counts").inner_text()
    _fits(recipient)
    button = recipient.locator("#confirm-form button[value=confirm]")
    assert button.bounding_box()["width"] >= 300          # a full-width button a thumb can hit
    recipient.select_option("#confirm-form select[name=rating]", "5")
    recipient.fill("#confirm-form input[name=income_increase]", "3")
    button.click()
    recipient.wait_for_selector("text=已确认，本次服务计入考核")
    assert "服务对象已确认" in recipient.locator("#log-status").inner_text()
    assert recipient.locator("#log-counts").inner_text() == "计入年度考核和后补助"
    _fits(recipient)
    screenshot(recipient, "commissioners-confirm-390px")

    # 6. it shows in coverage and in the commissioner's assessment
    staff.goto(f"/commissioners/coverage/?year={year}")
    row = staff.locator("#coverage-table tr", has_text="水头镇")
    assert "有" in row.inner_text() and "1/1" in row.inner_text()
    staff.wait_for_selector("#coverage-chart canvas")
    screenshot(staff, "commissioners-coverage")
    staff.goto(f"/commissioners/assessment/?year={year}")
    staff.click("button:has-text('重新计算')")
    staff.wait_for_selector("text=已完成")
    lin_row = staff.locator("tr", has_text="林建华")
    cells = lin_row.locator("td").all_inner_texts()
    assert Decimal(cells[2]) == 1 and cells[3] == "1"       # one confirmed day, one recipient
    assert cells[7] in ("合格", "不合格", "优秀")
    screenshot(staff, "commissioners-assessment")
