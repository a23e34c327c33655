"""Browser test of 双随机一公开 (issue 16): the bureau builds 两单两库一细则 on the pages (an item with
its legal basis, a rule, three inspectors, the object library synchronised from the system), announces
a draw (the day and how the seed is formed, no seed value), enters the seed on the draw day and draws,
records and publicises a result; a visitor without an account sees it on /public/inspections/, with
the seed and input_digest, downloads the four files and re-runs `kechuang supervision verify` (exit 0)."""
from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tests.supervision.test_draw import _kechuang

pytestmark = pytest.mark.browser


def _page(browser, client_for, user, live_server):
    c = client_for(user)
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 900})
    ctx.set_default_timeout(20_000)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    ctx.add_cookies([{"name": "sessionid", "value": c.cookies["sessionid"].value, "domain": host, "path": "/"}])
    return ctx.new_page()


def _form(page, action):
    """The form of the rosters page posting ``action`` (item, rule, inspector, sync)."""
    return page.locator("form", has=page.locator(f"input[name=action][value={action}]"))


def test_rosters_to_draw_to_public_result_anyone_can_verify(transactional_db, world, client_for, browser,
                                                            live_server, screenshot, tmp_path):
    from kechuang.supervision.models import Draw, InspectionObject
    from kechuang.techmarket.models import Institute

    for name in ("泉州某大学材料学院", "南安石材研究院"):
        Institute.objects.create(name=name)
    today = timezone.localdate()
    staff = _page(browser, client_for, world.staff, live_server)

    # 1. 两单两库一细则 on the pages
    staff.goto("/supervision/inspections/rosters/")
    staff.click("summary:has-text('添加抽查事项')")
    f = _form(staff, "item")
    f.locator("input[name=code]").fill("NA-KJ-101")
    f.locator("input[name=name]").fill("科研机构科技资金使用情况检查")
    f.locator("select[name=object_kind]").select_option("institute")
    f.locator("input[name=basis]").fill("国办发〔2015〕58号；明政办〔2021〕62号 第四章")
    f.locator("button").click()
    staff.wait_for_selector("text=已添加抽查事项")
    staff.click("summary:has-text('添加抽查细则')")
    f = _form(staff, "rule")
    f.locator("select[name=item]").select_option(label="NA-KJ-101 科研机构科技资金使用情况检查")
    f.locator("input[name=name]").fill("科研机构抽查细则")
    f.locator("input[name=ratio]").fill("0.5")
    f.locator("input[name=per_object]").fill("2")
    f.locator("button").click()
    staff.wait_for_selector("text=已添加抽查细则")
    for name, unit, cert in (("陈明", "市科技局", "闽科执0101"), ("林芳", "市科技局", "闽科执0102"),
                             ("黄强", "市市场监管局", "闽市执0201")):
        staff.click("summary:has-text('添加检查人员')")
        f = _form(staff, "inspector")
        f.locator("input[name=name]").fill(name)
        f.locator("input[name=unit]").fill(unit)
        f.locator("input[name=cert_no]").fill(cert)
        f.locator("button").click()
        staff.wait_for_selector("text=已添加执法检查人员")
    _form(staff, "sync").locator("button").click()
    staff.wait_for_selector("text=检查对象名录库已更新")
    assert InspectionObject.objects.filter(kind="institute", active=True).count() == 2
    assert staff.locator("td:has-text('南安石材研究院')").count() >= 1

    # 2. announce: the day and how the seed is formed — no seed value exists yet
    staff.goto("/supervision/inspections/")
    staff.click("summary:has-text('公告一次抽取')")
    staff.fill("input[name=title]", "科研机构资金使用双随机抽查")
    staff.select_option("select[name=rule]", label="科研机构抽查细则")
    staff.fill("input[name=seed_source]", "抽取日期 + 抽取当日上证指数收盘点位")
    staff.fill("input[name=announced_on]", today.isoformat())
    staff.fill("input[name=draw_on]", today.isoformat())
    staff.click("button:has-text('公告')")
    staff.wait_for_selector("text=已公告抽取日期和种子的形成方式")
    d = Draw.objects.get(title="科研机构资金使用双随机抽查")
    assert d.seed == "" and d.status == "announced"
    staff.click("a:has-text('科研机构资金使用双随机抽查')")

    # 3. the draw day: a seed of another day is refused, the day's seed draws and publishes
    staff.fill("input[name=seed]", "20200101-上证收盘3000.00")
    staff.click("button:has-text('录入种子、抽取并公布')")
    staff.wait_for_selector("text=应以抽取日期")
    seed = f"{today:%Y%m%d}-上证收盘3421.55"
    staff.fill("input[name=seed]", seed)
    staff.click("button:has-text('录入种子、抽取并公布')")
    staff.wait_for_selector("text=已抽取并公布")
    d.refresh_from_db()
    assert d.status == "published" and d.seed == seed and d.seed_entered_at is not None
    (drawn,) = d.result["drawn"]                                   # ceil(0.5 × 2) = 1 object, 2 inspectors
    assert len(drawn["inspectors"]) == 2 and staff.locator(f"code:has-text('{seed}')").count() == 1

    # 4. result entry and 公示
    staff.click("summary:has-text('录入检查结果')")
    staff.fill("input[name=object_ref]", drawn["object"])
    staff.fill("input[name=inspected_on]", today.isoformat())
    staff.select_option("select[name=outcome]", "pass")
    staff.fill("input[name=finding]", "科技资金专账核算，支出与任务书一致")
    staff.fill("input[name=basis]", "国办发〔2015〕58号")
    staff.click("form[action$='/result/'] button:has-text('保存')")
    staff.wait_for_selector("text=已录入检查结果")
    staff.click("button:has-text('公示')")
    staff.wait_for_selector("text=已公示")
    screenshot(staff, "supervision-draw-detail")

    # 5. anyone, without an account: the public page, the files, and verify
    visitor = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    visitor.goto("/public/inspections/")
    assert "/login" not in visitor.url
    visitor.wait_for_selector("text=科研机构资金使用双随机抽查")
    body = visitor.inner_text("body")
    assert seed in body and d.input_digest in body and "合格" in body and "科技资金专账核算" in body
    assert "陈明" in body or "林芳" in body or "黄强" in body          # the inspectors, by name (the decision)
    screenshot(visitor, "supervision-public-inspections")
    item = visitor.request.get("/public/inspections/?format=json").json()["items"][0]
    for name, url in item["files"].items():
        resp = visitor.request.get(url)
        assert resp.ok, name
        (tmp_path / name).write_bytes(resp.body())
    assert json.loads((tmp_path / "draw.json").read_text(encoding="utf-8"))["seed"] == seed
    out = _kechuang("supervision", "verify", "--draw", str(tmp_path / "draw.json"), "--objects",
                    str(tmp_path / "objects.csv"), "--inspectors", str(tmp_path / "inspectors.csv"),
                    "--conflicts", str(tmp_path / "conflicts.csv"))
    assert out.returncode == 0, out.stderr
    # a roster changed after publication no longer verifies
    (tmp_path / "inspectors.csv").write_text((tmp_path / "inspectors.csv").read_text(encoding="utf-8")
                                             + "闽科执0999,新人,市科技局\n", encoding="utf-8")
    bad = _kechuang("supervision", "verify", "--draw", str(tmp_path / "draw.json"), "--objects",
                    str(tmp_path / "objects.csv"), "--inspectors", str(tmp_path / "inspectors.csv"),
                    "--conflicts", str(tmp_path / "conflicts.csv"))
    assert bad.returncode == 1 and "input_digest" in bad.stderr
