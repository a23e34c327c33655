"""Scoping cases of the 创新资源 module (see tests/scoping/framework.py)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.scoping.framework import Case
from tests.world import World


def _res(world):
    from tests.resources.conftest import build_res

    if not hasattr(world, "_res"):
        world._res = build_res(world)
    return world._res


# The matrix reads the actor from the world before a case is built; the institute and service
# organisation users are created (with their bindings) on first use.
World.inst_user_a = property(lambda self: _res(self).inst_user_a)
World.org_user_a = property(lambda self: _res(self).org_user_a)


def _booking(instr, enterprise, hours_from_now, status="approved"):
    from kechuang.resources.models import Booking

    start = timezone.now() + dt.timedelta(hours=hours_from_now)
    return Booking.objects.create(instrument=instr, enterprise=enterprise, user_category="enterprise",
                                  starts_at=start, ends_at=start + dt.timedelta(hours=1), status=status,
                                  purpose=f"用途{enterprise.pk}-{hours_from_now}")


def _bookings(world):
    r = _res(world)
    return _booking(r.instr_a, world.enterprise_a, 24), _booking(r.instr_a, world.enterprise_b, 48)


def _vouchers(world):
    from kechuang.resources.models import Voucher

    r = _res(world)
    va = Voucher.objects.create(scheme=r.scheme, enterprise=world.enterprise_a, requested_amount=Decimal("5"),
                                purpose="甲企业检测")
    vb = Voucher.objects.create(scheme=r.scheme, enterprise=world.enterprise_b, requested_amount=Decimal("6"),
                                purpose="乙企业检测")
    return va, vb


def _batches(world):
    from kechuang.resources.models import SettlementBatch

    _res(world)
    return SettlementBatch.objects.create(number="JS-A"), None


def _contract(world, org, enterprise, no):
    from kechuang.resources.models import ServiceContract

    return ServiceContract.objects.create(org=org, enterprise=enterprise, title=f"检测服务{no}", category="testing",
                                          amount=Decimal("2"), signed_on=timezone.localdate(), registration_no=no)


def booking_list(world):
    a, b = _bookings(world)
    tz = timezone.get_current_timezone()
    return {"kwargs": {}, "query": {}, "own": a.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "foreign": b.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")}


def booking_detail(world):
    a, b = _bookings(world)
    return {"own": {"pk": a.pk}, "foreign": {"pk": b.pk}}


def booking_action(world):
    from kechuang.resources.models import Booking

    a, b = _bookings(world)
    return {"own": {"pk": a.pk}, "foreign": {"pk": b.pk}, "data": {"action": "cancel"},
            "unchanged": lambda: Booking.objects.get(pk=b.pk).status == "approved"}


def voucher_list(world):
    _vouchers(world)
    return {"kwargs": {}, "own": "水头甲石材有限公司", "foreign": "溪美乙科技有限公司"}


def voucher_detail(world):
    va, vb = _vouchers(world)
    return {"own": {"pk": va.pk}, "foreign": {"pk": vb.pk}}


def voucher_decide(world):
    va, _vb = _vouchers(world)
    return {"own": {"pk": va.pk}, "foreign": {"pk": 999999}, "data": {"decision": "reject"}}


def org_contracts(world):
    from kechuang.resources.models import ServiceContract

    r = _res(world)
    return {"own": {"pk": r.org_a.pk}, "foreign": {"pk": r.org_b.pk},
            "data": {"enterprise": world.enterprise_a.name, "title": "检测", "category": "testing", "amount": "1",
                     "signed_on": "2026-01-05", "registration_no": "FW-X"},
            "unchanged": lambda: not ServiceContract.objects.filter(org=r.org_b).exists()}


def org_detail_contracts(world):
    r = _res(world)
    _contract(world, r.org_a, world.enterprise_a, "FW-OWN-1")
    _contract(world, r.org_a, world.enterprise_b, "FW-FOREIGN-1")
    return {"own": {"pk": r.org_a.pk}, "foreign": {"pk": 999999}}


def loans_list(world):
    from kechuang.resources.models import FinancialProduct, Loan

    _res(world)
    p = FinancialProduct.objects.create(name="科技贷测试", kind="tech_loan", provider="某银行", max_amount=Decimal("500"))
    Loan.objects.create(product=p, enterprise=world.enterprise_a, amount=Decimal("100"), granted_on=timezone.localdate())
    Loan.objects.create(product=p, enterprise=world.enterprise_b, amount=Decimal("200"), granted_on=timezone.localdate())
    return {"kwargs": {}, "own": "水头甲石材有限公司", "foreign": "溪美乙科技有限公司"}


def settlement_detail(world):
    a, _ = _batches(world)
    return {"own": {"pk": a.pk}, "foreign": {"pk": 999999}}


def settlement_pay(world):
    a, _ = _batches(world)
    return {"own": {"pk": a.pk}, "foreign": {"pk": 999999}}


def instrument_detail(world):
    r = _res(world)
    return {"own": {"pk": r.instr_a.pk}, "foreign": {"pk": r.hidden.pk}}


def instrument_book(world):
    from kechuang.resources.models import Booking

    r = _res(world)
    start = (timezone.localtime() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return {"own": {"pk": r.instr_a.pk}, "foreign": {"pk": r.hidden.pk},
            "data": {"starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                     "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")},
            "unchanged": lambda: not Booking.objects.filter(instrument=r.hidden).exists()}


def maintenance(world):
    from kechuang.resources.models import MaintenanceWindow

    r = _res(world)
    return {"own": {"pk": r.instr_a.pk}, "foreign": {"pk": r.instr_b.pk},
            "data": {"starts_at": "2030-01-01T08:00", "ends_at": "2030-01-01T10:00", "reason": "校准"},
            "unchanged": lambda: not MaintenanceWindow.objects.filter(instrument=r.instr_b).exists()}


def public_institute(world):
    r = _res(world)
    return {"own": {"pk": r.inst_a.pk}, "foreign": {"pk": 999999}}


def report_list(world):
    from kechuang.resources.models import Booking

    r = _res(world)
    now = timezone.now()
    for instr in (r.instr_a, r.instr_b):
        Booking.objects.create(instrument=instr, enterprise=world.enterprise_a, user_category="enterprise",
                               starts_at=now - dt.timedelta(hours=3), ends_at=now - dt.timedelta(hours=2),
                               status="completed", actual_hours=Decimal("1"), fee=Decimal("0.04"))
    return {"kwargs": {}, "own": "场发射扫描电子显微镜", "foreign": "激光粒度分析仪"}


def api_bookings(world):
    r = _res(world)
    _booking(r.instr_a, world.enterprise_a, 24)
    _booking(r.instr_b, world.enterprise_b, 24)
    return {"kwargs": {}, "query": {}, "own": "水头甲石材有限公司", "foreign": "溪美乙科技有限公司"}


def api_instruments(world):
    _res(world)
    return {"kwargs": {}, "query": {}, "own": "场发射扫描电子显微镜", "foreign": "内部专用质谱仪"}


def portal_search(world):
    _res(world)
    return {"kwargs": {}, "query": {"q": "电子显微镜 质谱仪", "kind": "instrument"},
            "own": "场发射扫描电子显微镜", "foreign": "内部专用质谱仪"}


CASES = {
    "api:resources_api_instruments": Case.listing(api_instruments, actor="ent_user_a",
                                                  note="internally shared instruments are not listed"),
    "api:resources_api_bookings": Case.listing(api_bookings, actor="inst_user_a",
                                               note="an institute sees its instruments' bookings only"),
    "api:resources_api_vouchers": Case.listing(voucher_list, actor="ent_user_a"),
    "resources_public:instruments": Case.public(note="contract 8: shared instruments, no sign-in"),
    "resources_public:institute": Case.objects(public_institute, actor="ent_user_a",
                                               note="public institute page; unknown ids are 404"),
    "resources:portal": Case.listing(portal_search, actor="ent_user_a",
                                     note="科技资源 entrance: hits are re-read through the choke point"),
    "resources:instruments": Case.global_(note="openly shared instruments are reference rows"),
    "resources:instrument_detail": Case.objects(instrument_detail, actor="ent_user_a",
                                                note="an internally shared instrument is not visible to enterprises"),
    "resources:booking_create": Case.objects(instrument_book, actor="ent_user_a", method="post"),
    "resources:maintenance_create": Case.objects(maintenance, actor="inst_user_a", method="post",
                                                 note="an institute user maintains only its own instruments"),
    "resources:bookings": Case.listing(booking_list, actor="ent_user_a"),
    "resources:booking_detail": Case.objects(booking_detail, actor="ent_user_a"),
    "resources:booking_action": Case.objects(booking_action, actor="ent_user_a", method="post"),
    "resources:vouchers": Case.listing(voucher_list, actor="ent_user_a"),
    "resources:voucher_apply": Case.global_(expect=(405,), note="POST only; the actor's own enterprise applies"),
    "resources:voucher_redeem": Case.global_(expect=(405,), note="POST only; voucher, booking and contract are "
                                                                 "read through the choke point"),
    "resources:voucher_detail": Case.objects(voucher_detail, actor="ent_user_a"),
    "resources:voucher_decide": Case.objects(voucher_decide, actor="staff", method="post",
                                             note="only the bureau decides (any voucher); enterprises are refused in "
                                                  "tests/resources/test_vouchers.py"),
    "resources:settlements": Case.role(allowed="staff", note="bureau and finance only"),
    "resources:settlement_create": Case.global_(expect=(405,), note="POST only, bureau"),
    "resources:settlement_detail": Case.objects(settlement_detail, actor="staff"),
    "resources:settlement_pay": Case.objects(settlement_pay, actor="staff", method="post"),
    "resources:service_orgs": Case.global_(note="registered organisations are reference rows"),
    "resources:service_org_detail": Case.objects(org_detail_contracts, actor="ent_user_a"),
    "resources:contract_register": Case.objects(org_contracts, actor="org_user_a", method="post"),
    "resources:complaint_create": Case.global_(kwargs={"pk": 999999}, expect=(404, 405),
                                               note="POST only; the organisation is read through the choke point"),
    "resources:products": Case.global_(note="active products are reference rows"),
    "resources:loans": Case.listing(loans_list, actor="clerk_a"),
    "resources:loan_create": Case.global_(expect=(405,), note="POST only, bureau"),
    "resources:report": Case.listing(report_list, actor="inst_user_a"),
    "resources:import": Case.role(allowed="staff", note="bureau only"),
}


# --------------------------------------------------------------------------- write API (JSON bodies)
def _issued_voucher(world, enterprise, number):
    from kechuang.resources.models import Voucher

    r = _res(world)
    return Voucher.objects.create(scheme=r.scheme, enterprise=enterprise, requested_amount=Decimal("5"),
                                  face_value=Decimal("5"), balance=Decimal("5"), status="issued", number=number,
                                  valid_until=timezone.localdate() + dt.timedelta(days=30), categories=["instrument"])


def api_booking_request(world):
    from kechuang.resources.models import Booking

    r = _res(world)
    start = (timezone.localtime() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return {"own": {"instrument_id": r.instr_a.pk}, "foreign": {"instrument_id": r.hidden.pk}, "json": True,
            "data": {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=1)).isoformat()},
            "unchanged": lambda: not Booking.objects.filter(instrument=r.hidden).exists()}


def api_booking_action(world):
    from kechuang.resources.models import Booking

    a, b = _bookings(world)
    return {"own": {"booking_id": a.pk}, "foreign": {"booking_id": b.pk}, "json": True, "data": {"action": "cancel"},
            "unchanged": lambda: Booking.objects.get(pk=b.pk).status == "approved"}


def api_contract_register(world):
    from kechuang.resources.models import ServiceContract

    r = _res(world)
    return {"own": {"org_id": r.org_a.pk}, "foreign": {"org_id": r.org_b.pk}, "json": True,
            "data": {"enterprise_uscc": world.enterprise_a.uscc, "title": "检测", "category": "testing",
                     "amount_wan": "1", "signed_on": "2026-01-05", "registration_no": "FW-API-X"},
            "unchanged": lambda: not ServiceContract.objects.filter(org=r.org_b).exists()}


def api_institute_profile(world):
    from kechuang.resources.models import InstituteProfile

    r = _res(world)
    return {"own": {"institute_id": r.inst_a.pk}, "foreign": {"institute_id": r.inst_b.pk}, "json": True,
            "data": {"category": "platform", "summary": "由接口修改"},
            "unchanged": lambda: InstituteProfile.objects.get(institute=r.inst_b).category == "new_rd"}


_INSTR_BODY = {"name": "接口新增仪器", "value_wan": "80", "fees_per_hour_wan": {"enterprise": "0.02"}}


def api_instrument_create(world):
    from kechuang.techmarket.models import Instrument

    r = _res(world)
    return {"own": {"institute_id": r.inst_a.pk}, "foreign": {"institute_id": r.inst_b.pk}, "json": True,
            "data": _INSTR_BODY, "unchanged": lambda: not Instrument.objects.filter(owner=r.inst_b,
                                                                                     name="接口新增仪器").exists()}


def api_instrument_update(world):
    from kechuang.techmarket.models import Instrument

    r = _res(world)
    return {"own": {"instrument_id": r.instr_a.pk}, "foreign": {"instrument_id": r.instr_b.pk}, "json": True,
            "data": _INSTR_BODY, "unchanged": lambda: Instrument.objects.get(pk=r.instr_b.pk).name == "激光粒度分析仪"}


def api_org_update(world):
    from kechuang.resources.models import ServiceOrg

    r = _res(world)
    return {"own": {"org_id": r.org_a.pk}, "foreign": {"org_id": r.org_b.pk}, "json": True,
            "data": {"name": "接口改名机构", "kind": "testing"},
            "unchanged": lambda: ServiceOrg.objects.get(pk=r.org_b.pk).name == "丁知识产权代理事务所"}


def api_offering(world):
    from kechuang.resources.models import ServiceOffering

    r = _res(world)
    return {"own": {"org_id": r.org_a.pk}, "foreign": {"org_id": r.org_b.pk}, "json": True,
            "data": {"name": "接口服务项目", "category": "testing"},
            "unchanged": lambda: not ServiceOffering.objects.filter(org=r.org_b).exists()}


def api_product_update(world):
    from kechuang.resources.models import FinancialProduct

    _res(world)
    p = FinancialProduct.objects.create(name="科技贷接口", kind="tech_loan", provider="某银行", max_amount=Decimal("500"))
    return {"own": {"product_id": p.pk}, "foreign": {"product_id": 999999}, "json": True,
            "data": {"name": "科技贷接口", "kind": "tech_loan", "provider": "某银行", "max_amount_wan": "300"}}


def api_voucher_decide(world):
    va, _vb = _vouchers(world)
    return {"own": {"voucher_id": va.pk}, "foreign": {"voucher_id": 999999}, "json": True,
            "data": {"approve": False, "note": "材料不全"}}


def api_voucher_redeem(world):
    from kechuang.resources.models import Booking

    r = _res(world)
    own = _issued_voucher(world, world.enterprise_a, "KJQ-OWN")
    foreign = _issued_voucher(world, world.enterprise_b, "KJQ-FOREIGN")
    start = timezone.now() - dt.timedelta(days=1)
    b = Booking.objects.create(instrument=r.instr_a, enterprise=world.enterprise_a, user_category="voucher",
                               starts_at=start, ends_at=start + dt.timedelta(hours=1), status="completed",
                               actual_hours=Decimal("1"), fee=Decimal("0.03"))
    return {"own": {"voucher_id": own.pk}, "foreign": {"voucher_id": foreign.pk}, "json": True,
            "data": {"booking_id": b.pk},
            "unchanged": lambda: not foreign.redemptions.exists()}


CASES.update({
    "api:resources_api_booking_request": Case.objects(api_booking_request, actor="ent_user_a", method="post",
                                                      note="an internally shared instrument cannot be booked"),
    "api:resources_api_booking_action": Case.objects(api_booking_action, actor="ent_user_a", method="post"),
    "api:resources_api_contract_register": Case.objects(api_contract_register, actor="org_user_a", method="post"),
    "api:resources_api_institute_profile": Case.objects(api_institute_profile, actor="inst_user_a", method="post",
                                                        note="an institute user writes only its own record"),
    "api:resources_api_instrument_create": Case.objects(api_instrument_create, actor="inst_user_a", method="post"),
    "api:resources_api_instrument_update": Case.objects(api_instrument_update, actor="inst_user_a", method="post"),
    "api:resources_api_service_org_update": Case.objects(api_org_update, actor="org_user_a", method="post"),
    "api:resources_api_offering_save": Case.objects(api_offering, actor="org_user_a", method="post"),
    "api:resources_api_product_update": Case.objects(api_product_update, actor="staff", method="post",
                                                     note="bureau only; enterprises refused in tests/resources/test_api.py"),
    "api:resources_api_voucher_decide": Case.objects(api_voucher_decide, actor="staff", method="post"),
    "api:resources_api_voucher_redeem": Case.objects(api_voucher_redeem, actor="ent_user_a", method="post",
                                                     note="an enterprise presents only its own voucher"),
    "api:resources_api_voucher_apply": Case.global_(expect=(200,), note="GET lists the user's vouchers; POST applies "
                                                                        "for the actor's own enterprise"),
    "api:resources_api_product_create": Case.global_(expect=(200,), note="GET lists products; POST is the bureau's"),
    "api:resources_api_products": Case.global_(note="active products are reference rows; the fit is the user's own"),
    "api:resources_api_service_orgs": Case.global_(note="registered organisations are reference rows"),
    "api:resources_api_loan_record": Case.global_(expect=(405,), note="POST only, bureau"),
})


# --------------------------------------------------------------------------- edit pages
def edit_institute(world):
    r = _res(world)
    return {"own": {"pk": r.inst_a.pk}, "foreign": {"pk": r.inst_b.pk}}


def edit_instrument(world):
    r = _res(world)
    return {"own": {"pk": r.instr_a.pk}, "foreign": {"pk": r.instr_b.pk}}


def edit_org(world):
    r = _res(world)
    return {"own": {"pk": r.org_a.pk}, "foreign": {"pk": r.org_b.pk}}


def edit_product(world):
    from kechuang.resources.models import FinancialProduct

    _res(world)
    p = FinancialProduct.objects.create(name="科技贷编辑", kind="tech_loan", provider="某银行", max_amount=Decimal("500"))
    return {"own": {"pk": p.pk}, "foreign": {"pk": 999999}}


CASES.update({
    "resources:institute_edit": Case.objects(edit_institute, actor="inst_user_a",
                                             note="an institute user edits only its own institute"),
    "resources:instrument_new": Case.objects(edit_institute, actor="inst_user_a"),
    "resources:instrument_edit": Case.objects(edit_instrument, actor="inst_user_a"),
    "resources:service_org_new": Case.role(allowed="staff", note="new organisations are registered by the bureau"),
    "resources:service_org_edit": Case.objects(edit_org, actor="org_user_a",
                                               note="an organisation's user edits only its own record"),
    "resources:product_new": Case.role(allowed="staff", note="financial products are the bureau's"),
    "resources:product_edit": Case.objects(edit_product, actor="staff", note="bureau only; others 403"),
})
