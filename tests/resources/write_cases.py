"""Write-matrix cases of the 创新资源 module (tests/scoping/writes.py), mostly built from its scoping
cases: the institute user is inst_user_a (甲大学, owner of the instruments), the service
organisation user org_user_a."""
import datetime as dt

from kechuang.core.models import Role
from tests.resources import scoping_cases  # noqa: F401  (adds World.inst_user_a and World.org_user_a)
from tests.scoping.writes import Write, form, like_scoping, upload, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INSTRUMENT = {"name": "矩阵新增仪器", "category": "分析测试", "value": "100", "sharing_mode": "open",
              "booking_mode": "approval", "fee_enterprise": "400", "fee_voucher": "300", "fee_internal": "100"}
PRODUCT = {"name": "科技贷矩阵", "kind": "tech_loan", "provider": "某银行", "min_amount": "10", "max_amount": "300", "active": "1"}


def _users(world):
    return {Role.INSTITUTE_USER: world.inst_user_a, Role.SERVICE_ORG_USER: world.org_user_a}


def _res(world):
    from tests.resources.scoping_cases import _res as res

    return res(world)


def _redeem(world):
    from tests.resources.scoping_cases import api_voucher_redeem

    spec = api_voucher_redeem(world)   # the voucher numbered KJQ-OWN; providers present it by its 券号
    return {"users": _users(world), "kwargs": spec["own"], "data": {**spec["data"], "number": "KJQ-OWN"}}


def _voucher_apply(world):
    from kechuang.enterprises.models import Enterprise

    _res(world)
    Enterprise.objects.filter(pk=world.enterprise_a.pk).update(size_class="small")   # 规下小微: eligible
    return {"users": _users(world),
            "data": {"amount": "5", "purpose": "检测费用", "mode": "exchange", "categories": ["instrument"],
                     "legal_person": "张三", "shareholders": "张三"}}


def _loan(world):
    from decimal import Decimal

    from kechuang.resources.models import FinancialProduct

    _res(world)
    p = FinancialProduct.objects.create(name="科技贷矩阵", kind="tech_loan", provider="某银行", max_amount=Decimal("500"))
    return {"users": _users(world), "product": p,
            "data": {"product": p.pk, "enterprise": world.enterprise_a.uscc, "amount": "100",
                     "granted_on": dt.date.today().isoformat()}}


def _api_loan(world):
    spec = _loan(world)
    return {"users": spec["users"], "data": {"product_id": spec["product"].pk, "enterprise_id": world.enterprise_a.pk,
                                             "amount_wan": "100", "granted_on": dt.date.today().isoformat()}}


def _complaint(world):
    r = _res(world)
    return {"users": _users(world), "kwargs": {"pk": r.org_a.pk}, "data": {"text": "服务拖延"}}


def _institute(world):
    r = _res(world)
    return {"users": _users(world), "kwargs": {"pk": r.inst_a.pk},
            "data": {"category": "university", "level": "provincial", "summary": "修改后的简介", "contact": "0595-1",
                     "published": "1"}}


def _instrument_new(world):
    r = _res(world)
    return {"users": _users(world), "kwargs": {"pk": r.inst_a.pk}, "data": INSTRUMENT}


def _instrument_edit(world):
    r = _res(world)
    return {"users": _users(world), "kwargs": {"pk": r.instr_a.pk}, "data": {**INSTRUMENT, "name": "改名仪器"}}


def _org_new(world):
    _res(world)
    return {"users": _users(world), "data": {"name": "新检测机构", "kind": "testing", "registered": "1"}}


def _org_edit(world):
    r = _res(world)
    return {"users": _users(world), "kwargs": {"pk": r.org_a.pk},
            "data": {"op": "offering", "o_name": "材料检测", "o_category": "testing"}}


def _product_new(world):
    _res(world)
    return {"users": _users(world), "data": PRODUCT}


def _product_edit(world):
    from decimal import Decimal

    from kechuang.resources.models import FinancialProduct

    _res(world)
    p = FinancialProduct.objects.create(name="科技贷编辑", kind="tech_loan", provider="某银行", max_amount=Decimal("500"))
    return {"users": _users(world), "kwargs": {"pk": p.pk}, "data": PRODUCT}


def _import(world):
    from kechuang.resources import excel

    _res(world)
    sheet = xlsx(list(excel.ORG_HEADERS), [["戊咨询公司", "", "科技咨询", "ISO9001", "周某", "周某", "水头镇"]])
    return {"users": _users(world), "data": form(kind="service_orgs", file=upload("机构.xlsx", sheet, XLSX))}


def _redeemed(world):
    """A voucher of 水头甲 used on a completed booking of 甲大学: one redemption waiting for settlement."""
    from kechuang.resources import services
    from tests.resources.scoping_cases import api_voucher_redeem

    spec = api_voucher_redeem(world)
    from kechuang.resources.models import Voucher

    v = Voucher.objects.get(pk=spec["own"]["voucher_id"])
    from kechuang.resources.models import Booking

    services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=Booking.objects.get(pk=spec["data"]["booking_id"]))
    return v


def _settlement_create(world):
    _redeemed(world)
    return {"users": _users(world)}


def _settlement_pay(world):
    from kechuang.resources import services
    from tests.world import SYSTEM

    _redeemed(world)
    batch = services.settlement_create(actor=SYSTEM)
    return {"users": _users(world), "kwargs": {"pk": batch.pk}}


def _redeem_page(world):
    from tests.resources.scoping_cases import api_voucher_redeem

    spec = api_voucher_redeem(world)
    return {"users": _users(world), "data": {"voucher": spec["own"]["voucher_id"], "number": "KJQ-OWN",
                                             "booking": spec["data"]["booking_id"]}}


U = {"users": _users}
WRITES = {
    "resources:institute_edit": Write.action("resources.institute.manage", _institute),
    "resources:instrument_new": Write.action("resources.instrument.manage", _instrument_new),
    "resources:instrument_edit": Write.action("resources.instrument.manage", _instrument_edit),
    "resources:service_org_new": Write.action("resources.service_org.manage", _org_new, only={Role.BUREAU_STAFF},
                                              note="an organisation's user edits its own record; new ones are "
                                                   "registered by the bureau"),
    "resources:service_org_edit": Write.action("resources.service_org.manage", _org_edit,
                                               note="op=offering; the profile is the same view"),
    "resources:product_new": Write.action("resources.product.manage", _product_new),
    "resources:product_edit": Write.action("resources.product.manage", _product_edit),
    "resources:import": Write.action("resources.service_org.import", _import,
                                     note="kind=service_orgs; instruments are the same view (resources.instrument.import)"),
    "resources:settlement_create": Write.action("resources.voucher.settle", _settlement_create),
    "resources:settlement_pay": Write.action("resources.voucher.pay", _settlement_pay),
    "resources:voucher_redeem": Write.action("resources.voucher.redeem", _redeem_page,
                                             only={Role.ENTERPRISE_USER, Role.INSTITUTE_USER, Role.BUREAU_STAFF},
                                             note="as the API: against an instrument booking of 甲大学"),
    "resources:booking_create": like_scoping("resources:booking_create", "resources.booking.request", **U),
    "resources:maintenance_create": like_scoping("resources:maintenance_create", "resources.instrument.manage", **U),
    "resources:booking_action": like_scoping("resources:booking_action", "resources.booking.cancel", **U),
    "resources:voucher_decide": like_scoping("resources:voucher_decide", "resources.voucher.approve", **U),
    "resources:contract_register": like_scoping("resources:contract_register", "resources.service_contract.register",
                                                **U),
    "resources:voucher_apply": Write.action("resources.voucher.apply", _voucher_apply),
    "resources:loan_create": Write.action("resources.loan.record", _loan),
    "resources:complaint_create": Write.action("resources.complaint.file", _complaint),
    "api:resources_api_booking_request": like_scoping("api:resources_api_booking_request", "resources.booking.request",
                                                      **U),
    "api:resources_api_booking_action": like_scoping("api:resources_api_booking_action", "resources.booking.cancel",
                                                     **U),
    "api:resources_api_contract_register": like_scoping("api:resources_api_contract_register",
                                                        "resources.service_contract.register", **U),
    "api:resources_api_institute_profile": like_scoping("api:resources_api_institute_profile",
                                                        "resources.institute.manage", **U),
    "api:resources_api_instrument_create": like_scoping("api:resources_api_instrument_create",
                                                        "resources.instrument.manage", **U),
    "api:resources_api_instrument_update": like_scoping("api:resources_api_instrument_update",
                                                        "resources.instrument.manage", **U),
    "api:resources_api_service_org_update": like_scoping("api:resources_api_service_org_update",
                                                         "resources.service_org.manage", **U),
    "api:resources_api_offering_save": like_scoping("api:resources_api_offering_save", "resources.service_org.manage",
                                                    **U),
    "api:resources_api_product_update": like_scoping("api:resources_api_product_update", "resources.product.manage",
                                                     **U),
    "api:resources_api_voucher_decide": like_scoping("api:resources_api_voucher_decide", "resources.voucher.approve",
                                                     **U),
    "api:resources_api_voucher_redeem": Write.action("resources.voucher.redeem", _redeem,
                                                     only={Role.ENTERPRISE_USER, Role.INSTITUTE_USER, Role.BUREAU_STAFF},
                                                     note="against an instrument booking of 甲大学: a service "
                                                          "organisation redeems against its own service contracts"),
    "api:resources_api_voucher_apply": Write.action("resources.voucher.apply", lambda w: {
        **_voucher_apply(w), "data": {"amount_wan": "5", "purpose": "检测费用", "categories": ["instrument"],
                                      "legal_person": "张三", "shareholders": ["张三"]}}),
    "api:resources_api_loan_record": Write.action("resources.loan.record", lambda w: _api_loan(w)),
    "api:resources_api_product_create": Write.action("resources.product.manage", lambda w: {
        "users": _users(w), "data": {"name": "科技贷新品", "kind": "tech_loan", "provider": "某银行",
                                      "max_amount_wan": "300"}}),
}
