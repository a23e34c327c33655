"""Contract section 8: /public/instruments/ answers without sign-in, as a page and as
{"items": [...], "count": N}; only openly shared instruments are listed."""
from __future__ import annotations

import json

from django.test import Client


def test_public_instruments_page_without_sign_in(res):
    r = Client().get("/public/instruments/")
    assert r.status_code == 200
    text = r.content.decode()
    assert "场发射扫描电子显微镜" in text and "SU5000" in text and "甲大学" in text
    assert "企业用户 400 元/小时" in text and "创新券用户 300 元/小时" in text
    assert "如何预约" in text
    assert "内部专用质谱仪" not in text          # internal sharing is not published


def test_public_instruments_json(res):
    r = Client().get("/public/instruments/", {"format": "json"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    data = json.loads(r.content)
    assert set(data) >= {"items", "count"}
    assert data["count"] == len(data["items"]) == 2
    item = next(i for i in data["items"] if i["name"] == "场发射扫描电子显微镜")
    assert item["model"] == "SU5000" and item["institute"] == "甲大学"
    assert {f["user_category"]: f["price_per_hour_yuan"] for f in item["fee_rules"]} == {
        "enterprise": "400", "internal": "100", "voucher": "300"}
    assert item["how_to_book"]
    assert item["large_instrument"] is True
    small = next(i for i in data["items"] if i["name"] == "激光粒度分析仪")
    assert small["large_instrument"] is False     # 45 万元 < 50 万元


def test_large_instrument_boundary(res):
    from decimal import Decimal

    p = res.instr_b.profile
    p.value = Decimal("50")
    assert p.large
    p.value = Decimal("49.9999")
    assert not p.large


def test_public_search_with_chinese_tokens(res):
    data = json.loads(Client().get("/public/instruments/", {"format": "json", "q": "电子显微镜"}).content)
    assert [i["name"] for i in data["items"]] == ["场发射扫描电子显微镜"]
    data = json.loads(Client().get("/public/instruments/", {"format": "json", "q": "乙研究院 粒度"}).content)
    assert [i["name"] for i in data["items"]] == ["激光粒度分析仪"]


def test_public_institute_page_counts(res):
    r = Client().get(f"/public/institutes/{res.inst_a.pk}/")
    assert r.status_code == 200
    assert "甲大学" in r.content.decode() and "服务企业" in r.content.decode()


def test_public_pages_show_no_full_phone_numbers(res):
    import re

    p = res.instr_a.profile
    p.contact_phone = "13812345678"
    p.save()
    text = Client().get("/public/instruments/").content.decode() + Client().get(
        "/public/instruments/", {"format": "json"}).content.decode()
    assert not re.search(r"1[3-9]\d{9}", text)


JSON_ITEM_KEYS = {"id", "name", "model", "maker", "country", "institute", "category", "value_wan", "large_instrument",
                  "location", "main_functions", "sharing_mode", "fee_rules", "how_to_book", "contact"}
FEE_RULE_KEYS = {"user_category", "label", "price_per_hour_wan", "price_per_hour_yuan"}


def test_public_instruments_json_exact_shape(res):
    """Contract 8 exactly: {"items": [...], "count": N}, each item with name, model, institute,
    fee rules and how to book (plus the documented open-data fields, nothing else), and the page
    shows the same items."""
    data = json.loads(Client().get("/public/instruments/", {"format": "json"}).content)
    assert set(data) == {"items", "count"} and data["count"] == len(data["items"])
    for item in data["items"]:
        assert set(item) == JSON_ITEM_KEYS, set(item) ^ JSON_ITEM_KEYS
        assert all(isinstance(item[k], str) and item[k] for k in ("name", "model", "institute", "how_to_book"))
        assert item["fee_rules"] and all(set(f) == FEE_RULE_KEYS for f in item["fee_rules"])
        assert {f["label"] for f in item["fee_rules"]} == {"内部用户", "企业用户", "创新券用户"}
    page = Client().get("/public/instruments/").content.decode()
    for item in data["items"]:
        assert item["name"] in page and item["model"] in page and item["institute"] in page
        for f in item["fee_rules"]:
            assert f"{f['label']} {f['price_per_hour_yuan']} 元/小时" in page
    assert page.count("如何预约") >= len(data["items"])
    # a search narrows page and JSON alike
    one = json.loads(Client().get("/public/instruments/", {"format": "json", "q": "粒度"}).content)
    assert one["count"] == 1 and one["items"][0]["name"] == "激光粒度分析仪"
