"""Pages and Excel import of the technology market."""
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from kechuang.techmarket import excel, services
from kechuang.techmarket.models import Achievement, Broker, Dispatch, Need, TechContract
from tests.world import SYSTEM


@pytest.fixture
def hashing(hashing_search):
    Achievement.objects.create(title="低温活性染料匀染技术", abstract="棉织物低温活性染料染色，匀染性好。",
                               keywords=["活性染料", "匀染性"], field="新材料", maturity=7, status="published",
                               transfer_modes=["transfer"], owner_name="福州大学")
    Achievement.objects.create(title="石材荒料智能切割系统", abstract="机器视觉切割路径优化。", keywords=["石材"],
                               field="智能装备", maturity=4, status="published")


def test_web_flow_post_need_match_dispatch_contract(world, client_for, hashing):
    Broker.objects.create(user=world.broker_a, name="张经理", fields=["新材料"])
    ent = client_for(world.ent_user_a)
    r = ent.post(reverse("techmarket:need_new"), {"title": "棉布染色不匀", "description": "活性染料匀染性差",
                                                  "field": "新材料", "budget": "30", "is_public": "on"})
    need = Need.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("techmarket:need_detail", args=[need.pk])
    page = ent.get(r["Location"]).content.decode()
    assert "低温活性染料匀染技术" in page and "匹配关键词：活性染料、匀染性" in page
    match = need.matches.get(rank=1)
    ent.post(r["Location"], {"action": "feedback", "match": match.pk, "feedback": "interested", "note": "尽快"})
    staff = client_for(world.staff)
    assert "系统建议：<b>张经理</b>" in staff.get(r["Location"]).content.decode()
    # an enterprise cannot dispatch
    assert ent.post(r["Location"], {"action": "dispatch", "match": match.pk}).status_code == 403
    staff.post(r["Location"], {"action": "dispatch", "match": match.pk, "broker": ""})
    d = Dispatch.objects.get()
    broker = client_for(world.broker_a)
    assert "棉布染色不匀" in broker.get(reverse("techmarket:workbench")).content.decode()
    url = reverse("techmarket:dispatch_detail", args=[d.pk])
    broker.post(url, {"action": "note", "text": "已联系"})
    broker.post(url, {"action": "advance"})
    broker.post(url, {"action": "advance"})
    broker.post(url, {"action": "deal", "amount": "25", "signed_on": "2026-04-01"})
    broker.post(url, {"action": "contract", "contract_type": "license", "registration_no": "N-1",
                      "registered_on": "2026-04-02"})
    c = TechContract.objects.get()
    assert (c.amount, c.township) == (Decimal("25"), world.township_a)
    page = client_for(world.clerk_a).get(reverse("techmarket:contracts"), {"start": "2026-01-01",
                                                                         "end": "2026-06-30"}).content.decode()
    assert "水头镇" in page and "<td class=\"num\">25</td>" in page and "25.0000" not in page  # 万元 without noise
    # the enterprise cannot work the dispatch
    assert ent.post(url, {"action": "note", "text": "x"}).status_code in (403, 404)


def test_need_form_errors_are_shown(world, client_for, hashing):
    ent = client_for(world.ent_user_a)
    r = ent.post(reverse("techmarket:need_new"), {"title": "t", "description": "需" * 20_001})
    assert r.status_code == 400 and "需求描述: 超过 20000 字" in r.content.decode()
    assert client_for(world.clerk_a).get(reverse("techmarket:need_new")).status_code == 403


def test_search_page_filters(world, client_for, hashing):
    c = client_for(world.clerk_a)
    page = c.get(reverse("techmarket:search"), {"q": "活性染料"}).content.decode()
    assert "低温活性染料匀染技术" in page and "匹配关键词" in page
    page = c.get(reverse("techmarket:search"), {"q": "活性染料", "field": "智能装备"}).content.decode()
    assert "低温活性染料匀染技术" not in page
    page = c.get(reverse("techmarket:search"), {"q": "切割", "maturity_min": "5"}).content.decode()
    assert "石材荒料智能切割系统" not in page


def _xlsx(rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_excel_import_achievements_validates_whole_file(db):
    head = list(excel.ACHIEVEMENT_HEADERS)
    bad = _xlsx([head, ["A", "简介", "石材；切割", "智能装备", "7", "华侨大学", "转让；许可", "10", "20", ""],
                 ["", "x", "", "", "12", "", "出租", "abc", "", ""]])
    rep = excel.import_workbook(bad, user=SYSTEM, kind="achievements")
    assert rep.errors == ["第3行 成果名称: 不能为空", "第3行 成熟度: 应为 1–9 的整数，实际为“12”",
                          "第3行 转化方式: “出租”不是 转让、许可、作价入股、先用后转 之一",
                          "第3行 意向价格下限: 应为数字（万元），实际为“abc”"]
    imported = Achievement.objects.filter(source="import")
    assert not imported.exists()
    good = _xlsx([head, ["A", "简介", "石材；切割", "智能装备", 7, "华侨大学", "转让、许可", 10, 20, ""]])
    assert excel.import_workbook(good, user=SYSTEM, kind="achievements", dry_run=True).ok and not imported.exists()
    good.seek(0)
    rep = excel.import_workbook(good, user=SYSTEM, kind="achievements")
    a = imported.get()
    assert rep.created == 1 and a.transfer_modes == ["transfer", "license"] and a.keywords == ["石材", "切割"]
    assert a.status == "review" and a.price_max == Decimal("20")


def test_excel_import_needs_and_corrupt_file(world):
    head = list(excel.NEED_HEADERS)
    wb = _xlsx([head, [world.enterprise_b.uscc, "抛光工艺", "石材抛光效率低", "智能装备", "15", "2026-12-31", "否"],
                ["91350583MA2Y0RZZZZ", "x", "y", "", "", "明年", "是"]])
    rep = excel.import_workbook(wb, user=SYSTEM, kind="needs")
    assert rep.errors == ["第3行 统一社会信用代码: 企业库中没有 91350583MA2Y0RZZZZ",
                          "第3行 截止日期: 应为日期（YYYY-MM-DD），实际为“明年”"]
    wb = _xlsx([head, [world.enterprise_b.uscc, "抛光工艺", "石材抛光效率低", "智能装备", "15", "2026-12-31", "否"]])
    assert excel.import_workbook(wb, user=SYSTEM, kind="needs").created == 1
    n = Need.objects.get()
    assert (n.township, n.is_public, n.budget) == (world.township_b, False, Decimal("15"))
    rep = excel.import_workbook(io.BytesIO(b"PK\x03\x04 not really a workbook"), user=SYSTEM, kind="needs")
    assert rep.errors and rep.errors[0].startswith("文件: 不是有效的 Excel")
    rep = excel.import_workbook(_xlsx([["名称"]]), user=SYSTEM, kind="needs")
    assert rep.errors == ["第1行 表头: 缺少列 统一社会信用代码、需求名称、需求描述"]


def test_csl_catalogue_reference_load_is_idempotent(db):
    Achievement.objects.filter(source="CSL", source_id__startswith="csl-test").delete()
    missing = 2000 - Achievement.objects.filter(source="CSL").count()   # 1000, or 2000 after a flush
    assert services.catalogue_load_csl() == missing
    assert services.catalogue_load_csl() == 0
    assert Achievement.objects.filter(source="CSL").count() == 2000
    a = Achievement.objects.get(source="CSL", source_id="csl-dev-0000")
    assert a.status == "published" and a.field == "兵器科学与技术"
