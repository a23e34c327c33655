"""The 创新资源 write API: the whole voucher-and-booking path through JSON, the catalogue writes by
the roles that own them, scoping (403/404 for another's row), bounded inputs (422 in Chinese) and
the change log. Fixture prices: enterprise 400 元/小时, voucher 300 元/小时; scheme 抵扣 50 %."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.utils import timezone

from kechuang.core.changes import history_for
from kechuang.resources.models import (
    Booking,
    FeeRule,
    FinancialProduct,
    InstituteProfile,
    InstrumentProfile,
    ServiceOffering,
    Voucher,
)
from tests.resources.conftest import qualify


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_voucher_booking_path_through_the_api(world, res, client_for):
    ent = client_for(world.ent_user_a)
    staff = client_for(world.staff)
    inst = client_for(res.inst_user_a)
    qualify(world.enterprise_a)
    r = post(ent, "/api/resources/vouchers", {"amount_wan": "3", "mode": "exchange", "purpose": "电镜检测"})
    assert r.status_code == 200, r.content
    vid = r.json()["id"]
    assert r.json()["status"] == "applied" and r.json()["requested_wan"] == "3"
    # the enterprise cannot issue its own voucher (403 with the Chinese sentence)
    r = post(ent, f"/api/resources/vouchers/{vid}/decision", {"approve": True})
    assert r.status_code == 403 and _chinese(r.json()["detail"])
    r = post(staff, f"/api/resources/vouchers/{vid}/decision", {"approve": True, "face_value_wan": "3"})
    assert r.status_code == 200 and r.json()["status"] == "issued" and r.json()["balance_wan"] == "3"
    number = r.json()["number"]
    start = (timezone.localtime() + dt.timedelta(minutes=5)).replace(second=0, microsecond=0)
    r = post(ent, f"/api/resources/instruments/{res.instr_a.pk}/bookings",
             {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
              "use_voucher": True, "purpose": "断面观察"})
    assert r.status_code == 200, r.content
    bid = r.json()["id"]
    assert r.json()["status"] == "requested" and r.json()["user_category"] == "voucher"
    # an overlapping second request is refused with a sentence naming the field
    r = post(ent, f"/api/resources/instruments/{res.instr_a.pk}/bookings",
             {"starts_at": (start + dt.timedelta(hours=1)).isoformat(),
              "ends_at": (start + dt.timedelta(hours=3)).isoformat()})
    assert r.status_code == 422 and r.json()["field"] == "starts_at" and "已被预约" in r.json()["detail"]
    # the enterprise cannot approve; the other institute cannot even see the booking
    assert post(ent, f"/api/resources/bookings/{bid}/actions", {"action": "approve"}).status_code == 403
    other = client_for(res.inst_user_b)
    assert post(other, f"/api/resources/bookings/{bid}/actions", {"action": "approve"}).status_code == 404
    for action in ("approve", "check_in"):
        r = post(inst, f"/api/resources/bookings/{bid}/actions", {"action": action})
        assert r.status_code == 200, (action, r.content)
    r = post(inst, f"/api/resources/bookings/{bid}/actions", {"action": "check_out", "actual_hours": "2"})
    assert r.status_code == 200 and r.json()["fee_wan"] == "0.06"       # 2 h × 300 元
    r = post(ent, f"/api/resources/bookings/{bid}/actions", {"action": "evaluate", "rating": 5})
    assert r.status_code == 200 and r.json()["rating"] == 5
    # 通兑: the institute presents the voucher with the 券号 the enterprise shows it
    r = post(inst, f"/api/resources/vouchers/{vid}/redemptions", {"booking_id": bid, "number": "KJQ-WRONG"})
    assert r.status_code == 404
    r = post(inst, f"/api/resources/vouchers/{vid}/redemptions", {"booking_id": bid, "number": number})
    assert r.status_code == 200, r.content
    assert r.json()["amount_wan"] == "0.03" and r.json()["balance_wan"] == "2.97"   # 50 % of 600 元
    assert r.json()["payee"] == res.inst_a.name
    r = post(inst, f"/api/resources/vouchers/{vid}/redemptions", {"booking_id": bid, "number": number})
    assert r.status_code == 422 and "重复" in r.json()["detail"]
    assert Voucher.objects.get(pk=vid).balance == Decimal("2.97")
    listed = ent.get("/api/resources/bookings").json()
    assert [b["id"] for b in listed["items"]] == [bid] and listed["items"][0]["status"] == "completed"


def test_api_inputs_are_bounded_and_refused_in_chinese(world, res, client_for):
    ent = client_for(world.ent_user_a)
    for bad in ("-1", "1e20", "NaN", "abc"):
        r = post(ent, "/api/resources/vouchers", {"amount_wan": bad})
        assert r.status_code == 422, bad
        assert all(_chinese(e["msg"]) for e in r.json()["detail"]), r.json()
    r = post(ent, "/api/resources/vouchers", {"amount_wan": "1", "purpose": "长" * 501})
    assert r.status_code == 422
    r = post(ent, f"/api/resources/instruments/{res.instr_a.pk}/bookings",
             {"starts_at": "2030-01-01T08:00", "ends_at": "2030-01-05T08:00"})        # 96 h > 72 h
    assert r.status_code == 422 and r.json()["field"] == "ends_at" and "72" in r.json()["detail"]
    r = post(ent, "/api/resources/bookings/99999999999999999999999/actions", {"action": "cancel"})
    assert r.status_code in (404, 422)
    # an unknown action is refused before any service runs
    b = Booking.objects.create(instrument=res.instr_a, enterprise=world.enterprise_a, user_category="enterprise",
                               starts_at=timezone.now() + dt.timedelta(days=2),
                               ends_at=timezone.now() + dt.timedelta(days=2, hours=1), status="approved")
    assert post(ent, f"/api/resources/bookings/{b.pk}/actions", {"action": "delete"}).status_code == 422
    r = post(ent, f"/api/resources/bookings/{b.pk}/actions", {"action": "evaluate", "rating": 6})
    assert r.status_code == 422
    assert post(ent, f"/api/resources/bookings/{b.pk}/actions", {"action": "cancel"}).json()["status"] == "cancelled"


def test_instrument_catalogue_written_by_its_institute(world, res, client_for):
    inst = client_for(res.inst_user_a)
    body = {"name": "X射线衍射仪", "category": "分析测试", "model_no": "D8", "maker": "布鲁克", "country": "德国",
            "value_wan": "260", "purchased_on": "2021-06-01", "main_functions": "物相分析",
            "sharing_mode": "open", "fees_per_hour_wan": {"enterprise": "0.05", "voucher": "0.035"}}
    r = post(inst, f"/api/resources/institutes/{res.inst_a.pk}/instruments", body)
    assert r.status_code == 200, r.content
    item = r.json()
    assert item["institute"] == res.inst_a.name and item["large_instrument"] is True
    prof = InstrumentProfile.objects.get(instrument__name="X射线衍射仪")
    assert {f.user_category: f.price_per_hour for f in FeeRule.objects.filter(instrument=prof.instrument)} == {
        "enterprise": Decimal("0.05"), "voucher": Decimal("0.035")}
    # another institute's instruments are out of reach; creating under another institute is refused
    r = post(inst, f"/api/resources/instruments/{res.instr_b.pk}", body | {"name": "改名"})
    assert r.status_code in (403, 404) and _chinese(r.json()["detail"])
    r = post(inst, f"/api/resources/institutes/{res.inst_b.pk}/instruments", body | {"name": "别家仪器"})
    assert r.status_code == 403 and "管辖范围" in r.json()["detail"]
    # update: price changed, voucher price removed, value below 50 万 → not 大型
    upd = body | {"value_wan": "49.99", "fees_per_hour_wan": {"enterprise": "0.06", "voucher": None}}
    r = post(inst, f"/api/resources/instruments/{prof.instrument_id}", upd)
    assert r.status_code == 200 and r.json()["large_instrument"] is False
    assert list(FeeRule.objects.filter(instrument=prof.instrument).values_list("user_category", "price_per_hour")) \
        == [("enterprise", Decimal("0.0600"))]
    r = post(inst, f"/api/resources/instruments/{prof.instrument_id}",
             body | {"fees_per_hour_wan": {"enterprise": "100.0001"}})
    assert r.status_code == 422
    # enterprises cannot write the catalogue
    ent = client_for(world.ent_user_a)
    assert post(ent, f"/api/resources/instruments/{res.instr_a.pk}", body).status_code in (403, 404)
    assert history_for(prof).exists()


def test_institute_profile_and_service_org_by_their_owners(world, res, client_for):
    inst = client_for(res.inst_user_a)
    r = post(inst, f"/api/resources/institutes/{res.inst_a.pk}/profile",
             {"category": "university", "level": "national", "fields": ["新材料", "石材加工"],
              "industry_chains": ["石材陶瓷"], "summary": "石材加工与检测", "experts": [
                  {"name": "林教授", "title": "教授", "field": "石材加工"}]})
    assert r.status_code == 200, r.content
    p = InstituteProfile.objects.get(institute=res.inst_a)
    assert p.level == "national" and p.fields == ["新材料", "石材加工"]
    assert res.inst_a.__class__.objects.get(pk=res.inst_a.pk).experts[0]["name"] == "林教授"
    assert history_for(p).exists()
    r = post(inst, f"/api/resources/institutes/{res.inst_b.pk}/profile", {"category": "university"})
    assert r.status_code == 403
    org = client_for(res.org_user_a)
    body = {"name": res.org_a.name, "kind": "testing", "qualifications": ["CMA", "CNAS"], "legal_person": "张三",
            "shareholders": ["张三"], "registered": False}
    r = post(org, f"/api/resources/service-orgs/{res.org_a.pk}", body)
    assert r.status_code == 200 and r.json()["qualifications"] == ["CMA", "CNAS"]
    assert r.json()["registered"] is True           # only the bureau changes the 备案 flag
    assert post(org, f"/api/resources/service-orgs/{res.org_b.pk}", body | {"name": "别家"}).status_code in (403, 404)
    r = post(org, f"/api/resources/service-orgs/{res.org_a.pk}/offerings",
             {"name": "石材放射性检测", "category": "testing", "price_note": "800 元/样"})
    assert r.status_code == 200 and ServiceOffering.objects.filter(org=res.org_a, name="石材放射性检测").exists()
    r = post(org, f"/api/resources/service-orgs/{res.org_a.pk}/contracts",
             {"enterprise_uscc": world.enterprise_a.uscc, "title": "石材检测", "category": "testing",
              "amount_wan": "2", "signed_on": "2026-03-01", "registration_no": "FW-API-1"})
    assert r.status_code == 200 and r.json()["enterprise"] == world.enterprise_a.name
    r = post(org, f"/api/resources/service-orgs/{res.org_a.pk}/contracts",
             {"enterprise_uscc": "9" * 18, "title": "x", "category": "testing", "amount_wan": "2",
              "signed_on": "2026-03-01", "registration_no": "FW-API-2"})
    assert r.status_code == 422 and r.json()["field"] == "enterprise_uscc"


def test_products_written_by_the_bureau_and_fitted_for_enterprises(world, res, client_for):
    staff = client_for(world.staff)
    body = {"name": "科技贷（测试）", "kind": "tech_loan", "provider": "某银行", "min_amount_wan": "10",
            "max_amount_wan": "500", "conditions": [
                {"fact": "qualifications", "op": "has_any", "value": ["tsme", "hnte"]}]}
    r = post(staff, "/api/resources/products", body)
    assert r.status_code == 200, r.content
    pid = r.json()["id"]
    r = post(staff, "/api/resources/products", body | {"name": "坏条件", "conditions": [
        {"fact": "moon_phase", "op": ">=", "value": "1"}]})
    assert r.status_code == 422 and r.json()["field"] == "conditions"
    r = post(staff, f"/api/resources/products/{pid}", body | {"min_amount_wan": "600"})
    assert r.status_code == 422 and "下限" in r.json()["detail"]
    ent = client_for(world.ent_user_a)
    assert post(ent, "/api/resources/products", body | {"name": "企业自建"}).status_code == 403
    item = next(i for i in ent.get("/api/resources/products").json()["items"] if i["id"] == pid)
    assert item["fits"] is False and item["reasons"]["failed"]
    qualify(world.enterprise_a, "tsme")
    item = next(i for i in ent.get("/api/resources/products").json()["items"] if i["id"] == pid)
    assert item["fits"] is True
    r = post(staff, "/api/resources/loans", {"product_id": pid, "enterprise_id": world.enterprise_a.pk,
                                             "amount_wan": "120", "granted_on": "2026-05-01"})
    assert r.status_code == 200 and r.json()["amount_wan"] == "120"
    assert post(ent, "/api/resources/loans", {"product_id": pid, "enterprise_id": world.enterprise_a.pk,
                                              "amount_wan": "1", "granted_on": "2026-05-01"}).status_code == 403
    assert FinancialProduct.objects.get(pk=pid).loans.count() == 1
