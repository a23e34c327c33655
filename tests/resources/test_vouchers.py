"""科技创新券: application (registry eligibility, caps, credit), issue, redemption against a real
booking or a registered service contract (通用/通兑), refusals, settlement. Scheme parameters of
the fixture (待核实 in the product): 单次 10 万元, 年度 20 万元, 抵扣 50 %, 有效期 180 天."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kechuang.core.permissions import PermissionRefused, system_actor
from kechuang.resources import services
from kechuang.resources.models import Booking, Redemption, ServiceContract, Voucher
from kechuang.resources.services import ResourceError
from tests.resources.conftest import qualify

SYS = system_actor("command:test")


def issued(world, amount="10", **kw):
    v = services.voucher_apply(actor=world.ent_user_a, amount=amount, **kw)
    return services.voucher_decide(actor=world.staff, voucher=v, approve=True)


def completed_booking(world, res, fee="2", enterprise=None):
    start = timezone.now() - dt.timedelta(days=1, hours=Booking.objects.count() * 3)
    return Booking.objects.create(instrument=res.instr_a, enterprise=enterprise or world.enterprise_a,
                                  user_category="voucher", starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                  status="completed", actual_hours=Decimal("1"), fee=Decimal(fee))


def contract(world, org, enterprise=None, amount="4", no="FW-1", category="testing"):
    return ServiceContract.objects.create(org=org, enterprise=enterprise or world.enterprise_a, title="石材检测",
                                          category=category, amount=Decimal(amount), signed_on=timezone.localdate(),
                                          registration_no=no)


def test_eligibility_from_registry(world, res):
    with pytest.raises(ResourceError, match="企业类型"):          # neither qualified nor 规下小微 (size unknown)
        services.voucher_apply(actor=world.ent_user_a, amount="5")
    world.enterprise_a.size_class = "small"
    world.enterprise_a.save()
    v = services.voucher_apply(actor=world.ent_user_a, amount="5")
    assert v.status == "applied" and v.eligibility[0]["ok"] and "规下" in v.eligibility[0]["detail"]
    qualify(world.enterprise_b, "hnte")
    v = services.voucher_apply(actor=world.ent_user_b, amount="5")
    assert "高新技术企业" in v.eligibility[0]["detail"]


def test_caps_boundaries(world, res):
    qualify(world.enterprise_a)
    with pytest.raises(ResourceError, match="单次申领上限"):
        services.voucher_apply(actor=world.ent_user_a, amount="10.0001")
    services.voucher_apply(actor=world.ent_user_a, amount="10")       # exactly the cap: accepted
    services.voucher_apply(actor=world.ent_user_a, amount="10")       # year total 20 = cap
    with pytest.raises(ResourceError, match="年度上限"):
        services.voucher_apply(actor=world.ent_user_a, amount="0.0001")
    with pytest.raises(ResourceError):
        services.voucher_apply(actor=world.ent_user_a, amount="0")


def test_rejected_application_frees_the_year_cap(world, res):
    qualify(world.enterprise_a)
    a = services.voucher_apply(actor=world.ent_user_a, amount="10")
    services.voucher_apply(actor=world.ent_user_a, amount="10")
    services.voucher_decide(actor=world.staff, voucher=a, approve=False, note="材料不全")
    services.voucher_apply(actor=world.ent_user_a, amount="10")


def test_credit_veto_refuses_application_and_use(world, res):
    from kechuang.enterprises.models import CreditRecord

    qualify(world.enterprise_a)
    v = issued(world)
    CreditRecord.objects.create(enterprise=world.enterprise_a, kind="serious_illegal", effect="veto",
                                occurred_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ResourceError, match="信用核查"):
        services.voucher_apply(actor=world.ent_user_a, amount="1")
    with pytest.raises(ResourceError) as err:
        services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=completed_booking(world, res))
    assert err.value.field == "credit"


def test_issue_sets_number_validity_and_balance(world, res):
    qualify(world.enterprise_a)
    v = services.voucher_apply(actor=world.ent_user_a, amount="8")
    with pytest.raises(PermissionRefused):
        services.voucher_decide(actor=world.ent_user_a, voucher=v, approve=True)
    with pytest.raises(ResourceError):
        services.voucher_decide(actor=world.staff, voucher=v, approve=True, amount="8.5")   # above requested
    v = services.voucher_decide(actor=world.staff, voucher=v, approve=True, amount="6", on=dt.date(2026, 3, 1))
    assert v.number == f"KJQ{res.scheme.year}{v.pk:06d}"
    assert v.face_value == v.balance == Decimal("6")
    assert v.valid_until == dt.date(2026, 3, 1) + dt.timedelta(days=180)


def test_redeem_booking_half_of_fee_and_exchange_payee(world, res):
    qualify(world.enterprise_a)
    v = issued(world, amount="10")
    b = completed_booking(world, res, fee="2")
    r = services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=b)
    assert r.amount == Decimal("1") and r.fee == Decimal("2")
    assert r.mode == "exchange" and r.payee == "甲大学" and r.provider_institute == res.inst_a
    v.refresh_from_db()
    assert v.balance == Decimal("9")
    with pytest.raises(ResourceError, match="重复"):
        services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=b)
    with pytest.raises(ResourceError, match="可抵扣上限"):
        services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=completed_booking(world, res, fee="2"),
                                amount="1.0001")


def test_general_mode_reimburses_enterprise(world, res):
    qualify(world.enterprise_a)
    v = issued(world, mode="general")
    r = services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=completed_booking(world, res))
    assert r.payee == world.enterprise_a.name


def test_balance_exhausted_partially_then_refused(world, res):
    qualify(world.enterprise_a)
    v = issued(world, amount="1.5")
    services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=completed_booking(world, res, fee="2"))
    r = services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=completed_booking(world, res, fee="2"))
    assert r.amount == Decimal("0.5")                        # the balance left, not the 1.0 share
    with pytest.raises(ResourceError, match="余额不足"):
        services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=completed_booking(world, res, fee="2"))


def test_expired_refused_boundary(world, res):
    qualify(world.enterprise_a)
    v = issued(world)
    b = completed_booking(world, res)
    with pytest.raises(ResourceError, match="过期"):
        services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=b, on=v.valid_until + dt.timedelta(days=1))
    services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=b, on=v.valid_until)


def test_refusals_other_enterprise_unfinished_booking_category(world, res):
    qualify(world.enterprise_a)
    v = issued(world, categories=["testing"])
    with pytest.raises(ResourceError, match="不能用于"):
        services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=completed_booking(world, res))
    v2 = issued(world)
    with pytest.raises(ResourceError, match="持券企业"):
        services.voucher_redeem(actor=world.ent_user_a, voucher=v2,
                                booking=completed_booking(world, res, enterprise=world.enterprise_b))
    b = completed_booking(world, res)
    Booking.objects.filter(pk=b.pk).update(status="approved", fee=None)
    with pytest.raises(ResourceError, match="已下机"):
        services.voucher_redeem(actor=world.ent_user_a, voucher=v2, booking=b)
    with pytest.raises(ResourceError, match="本企业"):
        services.voucher_redeem(actor=world.ent_user_b, voucher=v2, booking=completed_booking(world, res))


def test_service_contract_redemption_and_related_party(world, res):
    qualify(world.enterprise_a)
    v = issued(world, legal_person="李四", shareholders=["赵六"])      # 李四 is a shareholder of 丙检测
    with pytest.raises(ResourceError, match="关联方"):
        services.voucher_redeem(actor=world.ent_user_a, voucher=v, contract=contract(world, res.org_a))
    v2 = issued(world, legal_person="钱七", shareholders=["孙八"])
    r = services.voucher_redeem(actor=res.org_user_a, voucher=v2, contract=contract(world, res.org_a, no="FW-2"))
    assert r.payee == res.org_a.name and r.amount == Decimal("2")
    # a provider cannot claim for another organisation's contract
    with pytest.raises(ResourceError):
        services.voucher_redeem(actor=res.org_user_a, voucher=v2,
                                contract=contract(world, res.org_b, no="FW-3", category="ip"))
    res.org_b.registered = False
    res.org_b.save()
    with pytest.raises(ResourceError, match="未备案"):
        services.voucher_redeem(actor=world.ent_user_a, voucher=v2, contract=ServiceContract.objects.get(registration_no="FW-3"))


def test_related_party_institute_shareholder(world, res):
    qualify(world.enterprise_a)
    v = issued(world, shareholders=["甲大学"])
    with pytest.raises(ResourceError, match="关联方"):
        services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=completed_booking(world, res))


def test_settlement_batch_and_payment(world, res):
    qualify(world.enterprise_a)
    v = issued(world)
    services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=completed_booking(world, res, fee="2"))
    services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=completed_booking(world, res, fee="4"))
    with pytest.raises(PermissionRefused):
        services.settlement_create(actor=res.finance)
    batch = services.settlement_create(actor=world.staff)
    assert batch.total == Decimal("3") and batch.redemptions.count() == 2
    with pytest.raises(ResourceError):
        services.settlement_create(actor=world.staff)          # nothing pending any more
    services.settlement_pay(actor=res.finance, batch=batch)
    assert set(Redemption.objects.values_list("status", flat=True)) == {"settled"}
    with pytest.raises(ResourceError):
        services.settlement_pay(actor=res.finance, batch=batch)


def test_voucher_scoping(world, res, client_for):
    qualify(world.enterprise_a)
    qualify(world.enterprise_b)
    va = services.voucher_apply(actor=world.ent_user_a, amount="3")
    vb = services.voucher_apply(actor=world.ent_user_b, amount="4")
    assert list(Voucher.objects.restrict(world.ent_user_a, "view")) == [va]
    assert list(Voucher.objects.restrict(world.clerk_a, "view")) == [va]        # township 水头镇
    assert set(Voucher.objects.restrict(res.finance, "view")) == {va, vb}
    assert not Voucher.objects.restrict(res.inst_user_a, "view").exists()
    assert not Voucher.objects.restrict(world.broker_a, "view").exists()
    assert client_for(world.ent_user_a).get(f"/resources/vouchers/{vb.pk}/").status_code == 404


def test_voucher_pages(world, res, client_for):
    qualify(world.enterprise_a)
    ent = client_for(world.ent_user_a)
    page = ent.get("/resources/vouchers/").content.decode()
    assert "待核实" in page and "符合" in page
    r = ent.post("/resources/vouchers/apply/", {"amount": "5", "mode": "exchange", "categories": ["instrument"],
                                                "legal_person": "钱七", "shareholders": "孙八，周九"})
    assert r.status_code == 302
    v = Voucher.objects.get(enterprise=world.enterprise_a)
    assert v.shareholders == ["孙八", "周九"]
    staff = client_for(world.staff)
    staff.post(f"/resources/vouchers/{v.pk}/decide/", {"decision": "approve", "amount": "4"})
    v.refresh_from_db()
    assert v.status == "issued" and v.face_value == Decimal("4")
    b = completed_booking(world, res)
    r = ent.post("/resources/vouchers/redeem/", {"voucher": v.pk, "booking": b.pk, "next": "/resources/vouchers/"})
    assert r.status_code == 302
    assert Redemption.objects.filter(voucher=v, booking=b).exists()
    assert staff.get("/resources/settlements/").status_code == 200
    staff.post("/resources/settlements/new/")
    batch = Redemption.objects.get(booking=b).batch
    x = staff.get(f"/resources/settlements/{batch.pk}/", {"format": "xlsx"})
    assert x.status_code == 200 and x.content[:2] == b"PK"
    fin = client_for(res.finance)
    assert fin.post(f"/resources/settlements/{batch.pk}/pay/").status_code == 302
    assert Redemption.objects.get(booking=b).status == "settled"


def test_voucher_notifications(world, res):
    from kechuang.inbox.models import Message

    qualify(world.enterprise_a)
    v = services.voucher_apply(actor=world.ent_user_a, amount="3")
    assert Message.objects.filter(recipient=world.staff, kind="todo").count() == 1
    v = services.voucher_decide(actor=world.staff, voucher=v, approve=True)
    assert v.number in Message.objects.get(recipient=world.ent_user_a).title
