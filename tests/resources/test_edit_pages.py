"""Edit pages of the catalogues by the roles that own them: the institute user its own 大院大所档案 and
instruments (fee rules typed in 元/小时, stored in 万元/小时), the service organisation's user its
record and service catalogue (never its 备案 flag), the bureau the financial products with their
conditions as data; every save is in the change log; everyone else is refused."""
from __future__ import annotations

from decimal import Decimal

from kechuang.core.changes import history_for
from kechuang.resources.models import (
    FeeRule,
    FinancialProduct,
    InstituteProfile,
    InstrumentProfile,
    ServiceOrg,
)
from tests.resources.conftest import qualify


def test_institute_user_edits_its_profile_and_instruments(world, res, client_for):
    c = client_for(res.inst_user_a)
    page = c.get(f"/resources/institutes/{res.inst_a.pk}/edit/")
    assert page.status_code == 200 and "大院大所档案" in page.content.decode()
    r = c.post(f"/resources/institutes/{res.inst_a.pk}/edit/", {
        "category": "platform", "level": "provincial", "fields": "新材料、石材加工", "industry_chains": ["石材陶瓷", "新材料"],
        "experts": "林教授，教授，石材加工\n黄研究员，研究员，陶瓷釉料", "summary": "省级石材创新平台", "published": "1"})
    assert r.status_code == 302
    p = InstituteProfile.objects.get(institute=res.inst_a)
    assert p.category == "platform" and p.fields == ["新材料", "石材加工"] and p.industry_chains == ["石材陶瓷", "新材料"]
    res.inst_a.refresh_from_db()
    assert [e["name"] for e in res.inst_a.experts] == ["林教授", "黄研究员"]
    assert history_for(p).exists()
    # the public page shows the change and offers the edit link only to its owner
    assert "省级石材创新平台" in c.get(f"/public/institutes/{res.inst_a.pk}/").content.decode()
    assert "维护档案与仪器" in c.get(f"/public/institutes/{res.inst_a.pk}/").content.decode()
    assert "维护档案与仪器" not in client_for(res.inst_user_b).get(f"/public/institutes/{res.inst_a.pk}/").content.decode()
    assert c.get(f"/resources/institutes/{res.inst_b.pk}/edit/").status_code == 403
    r = c.post(f"/resources/institutes/{res.inst_b.pk}/edit/", {"category": "platform"})
    assert r.status_code == 403 and InstituteProfile.objects.get(institute=res.inst_b).category == "new_rd"

    # a new instrument: 420 元/小时 for enterprises = 0.042 万元/小时
    r = c.post(f"/resources/institutes/{res.inst_a.pk}/instruments/new/", {
        "name": "石材放射性核素分析仪", "category": "分析测试", "value": "58", "sharing_mode": "open",
        "booking_mode": "approval", "operator_required": "1", "fee_enterprise": "420", "fee_voucher": "300",
        "fee_internal": ""})
    assert r.status_code == 302, r.content.decode()[:500]
    prof = InstrumentProfile.objects.get(instrument__name="石材放射性核素分析仪")
    assert prof.large and {f.user_category: f.price_per_hour for f in FeeRule.objects.filter(instrument=prof.instrument)} \
        == {"enterprise": Decimal("0.042"), "voucher": Decimal("0.03")}
    # edit: a bad price is refused in Chinese and nothing changes
    r = c.post(f"/resources/instruments/{prof.instrument_id}/edit/", {
        "name": "石材放射性核素分析仪", "value": "58", "sharing_mode": "open", "booking_mode": "approval",
        "fee_enterprise": "很贵"}, follow=True)
    assert "应为数字" in r.content.decode()
    assert FeeRule.objects.get(instrument=prof.instrument, user_category="enterprise").price_per_hour == Decimal("0.042")
    r = c.post(f"/resources/instruments/{prof.instrument_id}/edit/", {
        "name": "石材放射性核素分析仪", "value": "49.99", "sharing_mode": "internal", "booking_mode": "approval",
        "fee_enterprise": "450"})
    assert r.status_code == 302
    prof.refresh_from_db()
    assert not prof.large and prof.sharing_mode == "internal"
    assert list(FeeRule.objects.filter(instrument=prof.instrument).values_list("user_category", flat=True)) == ["enterprise"]
    assert history_for(prof).count() >= 2
    assert c.get(f"/resources/instruments/{res.instr_b.pk}/edit/").status_code in (403, 404)
    assert client_for(world.ent_user_a).get(f"/resources/instruments/{res.instr_a.pk}/edit/").status_code in (403, 404)


def test_service_org_user_edits_its_record_and_catalogue(world, res, client_for):
    c = client_for(res.org_user_a)
    assert c.get(f"/resources/service-orgs/{res.org_a.pk}/edit/").status_code == 200
    r = c.post(f"/resources/service-orgs/{res.org_a.pk}/edit/", {
        "op": "org", "name": res.org_a.name, "kind": "testing", "qualifications": "CMA、CNAS", "legal_person": "张三",
        "shareholders": "张三，李四", "industry_chains": ["石材陶瓷"]})     # no "registered": a user cannot de-register
    assert r.status_code == 302
    org = ServiceOrg.objects.get(pk=res.org_a.pk)
    assert org.qualifications == ["CMA", "CNAS"] and org.registered is True and history_for(org).exists()
    c.post(f"/resources/service-orgs/{res.org_a.pk}/edit/", {"op": "offering", "o_name": "石材放射性检测",
                                                              "o_category": "testing", "o_price_note": "800 元/样"})
    item = org.offerings.get(name="石材放射性检测")
    c.post(f"/resources/service-orgs/{res.org_a.pk}/edit/", {"op": "offering_delete", "offering": item.pk})
    assert not org.offerings.filter(name="石材放射性检测").exists()
    assert c.get(f"/resources/service-orgs/{res.org_b.pk}/edit/").status_code in (403, 404)
    assert c.get("/resources/service-orgs/new/").status_code == 403
    # the bureau registers a new organisation and may withdraw the 备案
    staff = client_for(world.staff)
    r = staff.post("/resources/service-orgs/new/", {"op": "org", "name": "戊技术转移中心", "kind": "transfer",
                                                    "registered": "1", "township": "水头镇"})
    assert r.status_code == 302
    new = ServiceOrg.objects.get(name="戊技术转移中心")
    assert new.registered and new.township == world.township_a
    staff.post(f"/resources/service-orgs/{new.pk}/edit/", {"op": "org", "name": "戊技术转移中心", "kind": "transfer"})
    assert not ServiceOrg.objects.get(pk=new.pk).registered


def test_bureau_edits_financial_products_with_conditions(world, res, client_for):
    staff = client_for(world.staff)
    assert staff.get("/resources/finance/new/").status_code == 200
    r = staff.post("/resources/finance/new/", {
        "name": "科技贷（编辑测试）", "kind": "tech_loan", "provider": "某农商银行", "min_amount": "10",
        "max_amount": "1000", "active": "1",
        "c0_fact": "qualifications", "c0_op": "has_any", "c0_value": "科技型中小企业、高新技术企业",
        "c1_fact": "serious_dishonesty", "c1_op": "==", "c1_value": "否"})
    assert r.status_code == 302
    p = FinancialProduct.objects.get(name="科技贷（编辑测试）")
    assert p.conditions[0]["value"] == ["tsme", "hnte"] and p.conditions[1]["value"] is False
    r = staff.post(f"/resources/finance/{p.pk}/edit/", {"name": p.name, "kind": "tech_loan", "provider": "某农商银行",
                                                        "min_amount": "2000", "max_amount": "1000"}, follow=True)
    assert "额度下限不能高于额度上限" in r.content.decode()
    qualify(world.enterprise_a, "tsme")
    page = client_for(world.ent_user_a).get("/resources/finance/").content.decode()
    assert "科技贷（编辑测试）" in page and "新增金融产品" not in page
    assert client_for(world.ent_user_a).get(f"/resources/finance/{p.pk}/edit/").status_code == 403
    assert history_for(p).exists()


def test_a_round_condition_value_is_stored_as_a_number_not_an_exponent():
    """Decimal("1000").normalize() is 1E+3: a product condition "营业收入不低于 1000" was stored
    and shown as 1E+3."""
    from kechuang.resources.editing import clean_conditions
    from kechuang.resources.finance import FACT_LABELS

    fact = next(f for f in FACT_LABELS if f not in ("qualifications",) and "ratio" not in f)
    (c,) = clean_conditions([{"fact": fact, "op": ">=", "value": "1000.00"}])
    assert c["value"] == "1000"
