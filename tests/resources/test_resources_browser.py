"""Browser test of the issue's flow: an enterprise finds an instrument on the public list (phone
width, 390 px), signs in, applies for a 科技创新券; the bureau issues it; the enterprise books the
instrument with the voucher; the institute approves, checks the session in and out; the
enterprise uses the voucher; the bureau settles and finance pays; the institute's service count
and the instrument's hours go up on the public institute page."""
import datetime as dt

import pytest
from django.utils import timezone

from tests.resources.conftest import build_res, qualify
from tests.techmarket.test_catalogue_browser import _signed_in_page
from tests.world import PASSWORD

pytestmark = pytest.mark.browser


def test_public_find_voucher_booking_settlement(transactional_db, world, client_for, browser, live_server, screenshot):
    from kechuang.resources.models import Booking, Redemption, Voucher

    res = build_res(world)
    qualify(world.enterprise_a)

    phone = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844})
    phone.set_default_timeout(20_000)
    ent = phone.new_page()
    ent.goto("/public/instruments/")
    ent.fill("input[name=q]", "电子显微镜")
    ent.click("button:has-text('查找')")
    card = ent.locator(f"[data-instrument='{res.instr_a.pk}']")
    assert "企业用户 400 元/小时" in card.inner_text()
    assert ent.evaluate("document.documentElement.scrollWidth") <= 400     # no sideways scrolling on a phone
    screenshot(ent, "resources-public-instruments-390")
    card.locator("a:has-text('登录后预约')").click()                     # → login page
    ent.fill("#id_username", world.ent_user_a.username)
    ent.fill("#id_password", PASSWORD)
    ent.click("button[type=submit]")
    ent.wait_for_url(f"**/resources/instruments/{res.instr_a.pk}/")

    ent.goto("/resources/vouchers/")
    ent.fill("#amount", "5")
    ent.fill("#legal_person", "钱七")
    ent.click("button:has-text('提交申领')")
    ent.wait_for_selector("text=申领已提交")
    voucher = Voucher.objects.get(enterprise=world.enterprise_a)

    staff = _signed_in_page(browser, client_for, world.staff, live_server)
    staff.goto(f"/resources/vouchers/{voucher.pk}/")
    staff.click("button:has-text('通过并发放')")
    staff.wait_for_selector("#voucher-status:has-text('已发放')")
    voucher.refresh_from_db()
    assert voucher.number and voucher.balance == 5

    start = timezone.localtime() + dt.timedelta(minutes=10)
    end = start + dt.timedelta(hours=2)
    ent.goto(f"/resources/instruments/{res.instr_a.pk}/")
    ent.fill("#starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    ent.fill("#ends_at", end.strftime("%Y-%m-%dT%H:%M"))
    ent.fill("#purpose", "断口形貌观察")
    ent.check("input[name=use_voucher]")
    ent.click("button:has-text('提交预约')")
    ent.wait_for_selector("text=等待仪器所属单位审核")
    booking = Booking.objects.get(instrument=res.instr_a)
    assert booking.user_category == "voucher"
    screenshot(ent, "resources-booking-390")

    inst = _signed_in_page(browser, client_for, res.inst_user_a, live_server)
    inst.goto(f"/resources/bookings/{booking.pk}/")
    inst.click("button:has-text('通过')")
    inst.wait_for_selector("#booking-status:has-text('已确认')")
    inst.click("button:has-text('登记上机')")
    inst.wait_for_selector("#booking-status:has-text('使用中')")
    inst.fill("input[name=actual_hours]", "2")
    inst.click("button:has-text('登记下机')")
    inst.wait_for_selector("#booking-status:has-text('已完成')")
    assert "0.06" in inst.locator("#booking-fee").inner_text()           # 2 h × 300 元 (创新券用户价)

    ent.goto(f"/resources/bookings/{booking.pk}/")
    ent.click("button:has-text('申请抵扣')")
    ent.wait_for_selector("text=已使用创新券抵扣")
    red = Redemption.objects.get(booking=booking)
    assert str(red.amount.normalize()) == "0.03"                          # 50 % of 0.06 万元

    staff.goto("/resources/settlements/")
    staff.click("button:has-text('生成结算批次')")
    staff.wait_for_selector("#batch-status:has-text('已提交财政')")
    fin = _signed_in_page(browser, client_for, res.finance, live_server)
    fin.goto(f"/resources/settlements/{Redemption.objects.get(pk=red.pk).batch_id}/")
    fin.click("button:has-text('登记已拨付')")
    fin.wait_for_selector("#batch-status:has-text('已拨付')")
    assert Redemption.objects.get(pk=red.pk).status == "settled"

    public = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    public.goto(f"/public/institutes/{res.inst_a.pk}/")
    text = public.inner_text("body")
    assert "1\n服务企业（家）" in text or "1 服务企业（家）" in text.replace("\n", " ")
    assert "2\n仪器服务机时（小时）" in text or "2 仪器服务机时（小时）" in text.replace("\n", " ")
    screenshot(public, "resources-institute-public")


def test_portal_search_desktop_and_phone(transactional_db, world, client_for, browser, live_server, screenshot):
    """科技资源: one search at desktop width and at 390 px (no sideways scrolling), the kind filter,
    and a hit's action leads to what can be done (book the instrument)."""
    from kechuang.resources.models import FinancialProduct
    from kechuang.techmarket.models import Broker

    res = build_res(world)
    Broker.objects.create(name="林经理", fields=["石材陶瓷"], institution="泉州技术转移中心")
    FinancialProduct.objects.create(name="科技贷（演示银行）", kind="tech_loan", provider="演示银行",
                                    min_amount=10, max_amount=500, description="面向科技型中小企业的信用贷款")
    for width, height in ((1366, 900), (390, 844)):
        page = _signed_in_page(browser, client_for, world.ent_user_a, live_server)
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/resources/")
        page.fill("input[name=q]", "石材 检测")
        page.click("button:has-text('检索')")
        page.wait_for_selector("text=检索结果")
        body = page.inner_text("body")
        assert "丙检测认证有限公司" in body and "按产业链一览" in body and "林经理" in body
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 10
        screenshot(page, f"resources-portal-{width}")
    page.select_option("select[name=kind]", "instrument")
    page.fill("input[name=q]", "电子显微镜")
    page.click("button:has-text('检索')")
    page.wait_for_selector("text=检索结果")
    page.locator(".card", has_text="场发射扫描电子显微镜").locator("a:has-text('预约仪器')").click()
    page.wait_for_url(f"**/resources/instruments/{res.instr_a.pk}/")
