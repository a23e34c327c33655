"""创新资源 API (signed in, session auth + CSRF; every read through the scoping choke point like the
pages, every write through a service that calls ``require``). JSON formats: docs/resources.md 第六节.

Reads:
- ``GET /api/resources/instruments``: openly shared instruments with fee rules (``q`` searches).
- ``GET /api/resources/bookings``: the bookings the user may see.
- ``GET /api/resources/vouchers``: the vouchers the user may see, with balance and validity.
- ``GET /api/resources/products``: financial products; for an enterprise user, whether it fits and why.
- ``GET /api/resources/service-orgs``: registered organisations (and the user's own) with their catalogue.

Writes (422 ``{"detail", "field"}`` with a Chinese sentence for a refused or invalid request, 403
for a missing permission or a row outside the user's scope, 404 for a row the user cannot see):
- ``POST /institutes/{id}/profile``: 大院大所档案 (bureau; the institute's own user).
- ``POST /institutes/{id}/instruments``, ``POST /instruments/{id}``: instrument catalogue and fee rules.
- ``POST /instruments/{id}/bookings``: request a booking; ``POST /bookings/{id}/actions``: 审核、上机、
  下机、爽约、取消、评价.
- ``POST /vouchers``: apply; ``POST /vouchers/{id}/decision``: issue or reject;
  ``POST /vouchers/{id}/redemptions``: use against a booking or a service contract.
- ``POST /service-orgs/{id}``, ``POST /service-orgs/{id}/offerings``, ``POST /service-orgs/{id}/contracts``.
- ``POST /products``, ``POST /products/{id}``: financial products (bureau); ``POST /loans``: a loan granted.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from kechuang.core.inputs import ApiId
from kechuang.core.roles import Role
from kechuang.core.scoping import get_scoped_or_404

from . import editing, finance, selectors, services
from .models import (
    Booking,
    FinancialProduct,
    InstrumentProfile,
    ServiceContract,
    ServiceOrg,
    Voucher,
)
from .services import ResourceError

router = Router(tags=["创新资源"])
MAX_ITEMS = 2000

Money = Annotated[Decimal, Field(ge=0, le=1_000_000, max_digits=16, decimal_places=4, allow_inf_nan=False)]
PricePerHour = Annotated[Decimal, Field(ge=0, le=100, max_digits=10, decimal_places=4, allow_inf_nan=False)]
Hours = Annotated[Decimal, Field(ge=0, le=10_000, max_digits=8, decimal_places=2, allow_inf_nan=False)]
Short = Annotated[str, Field(max_length=60)]
NOT_FOUND = "未找到该记录，或该记录不在您的管辖范围内"


class ErrorOut(Schema):
    detail: str
    field: str = ""


def _refused(exc: ResourceError):
    return Status(422, ErrorOut(detail=exc.message, field=exc.field))


def _get(model_or_qs, user, action: str = "view", **lookup):
    """A row through the scoping choke point; ``None`` (→ a Chinese 404) when out of reach."""
    try:
        return get_scoped_or_404(model_or_qs, user, action, **lookup)
    except Http404:
        return None


def _missing():
    return Status(404, ErrorOut(detail=NOT_FOUND))


def _aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value, timezone.get_current_timezone())


def _dec(value) -> str | None:
    return None if value is None else f"{Decimal(value).normalize():f}"


# --------------------------------------------------------------------------- reads
@router.get("/instruments", summary="共享仪器")
def resources_api_instruments(request, q: str = Query("", max_length=100)):
    rows = list(selectors.public_instruments(request.user, q=q[:100])[:MAX_ITEMS])
    rules = selectors.rules_for(p.instrument_id for p in rows)
    items = [selectors.instrument_item(p, rules) for p in rows]
    return {"items": items, "count": len(items)}


def _booking_out(b: Booking) -> dict:
    return {"id": b.pk, "instrument_id": b.instrument_id, "instrument": b.instrument.name,
            "institute": b.instrument.owner.name, "enterprise": b.enterprise.name if b.enterprise_id else "",
            "starts_at": b.starts_at.isoformat(), "ends_at": b.ends_at.isoformat(), "status": b.status,
            "status_label": b.get_status_display(), "user_category": b.user_category,
            "actual_hours": _dec(b.actual_hours), "overrun_hours": _dec(b.overrun_hours), "fee_wan": _dec(b.fee),
            "rating": b.rating}


@router.get("/bookings", summary="仪器预约")
def resources_api_bookings(request, status: str = Query("", max_length=20)):
    qs = Booking.objects.restrict(request.user, "view").select_related("instrument__owner", "enterprise")
    if status in Booking.Status.values:
        qs = qs.filter(status=status)
    items = [_booking_out(b) for b in qs[:MAX_ITEMS]]
    return {"items": items, "count": len(items)}


def _voucher_out(v: Voucher) -> dict:
    return {"id": v.pk, "number": v.number, "enterprise": v.enterprise.name, "status": v.status,
            "status_label": v.get_status_display(), "mode": v.mode, "requested_wan": _dec(v.requested_amount),
            "face_value_wan": _dec(v.face_value), "balance_wan": _dec(v.balance),
            "valid_until": v.valid_until.isoformat() if v.valid_until else None, "categories": v.categories,
            "eligibility": v.eligibility}


class VoucherApplyIn(Schema):
    amount_wan: Money
    mode: Literal["general", "exchange"] = "exchange"
    purpose: str = Field("", max_length=500)
    categories: list[Short] = Field(default_factory=list, max_length=10)
    legal_person: str = Field("", max_length=40)
    shareholders: list[Short] = Field(default_factory=list, max_length=30)


@router.get("/vouchers", summary="科技创新券")
def resources_api_vouchers(request):
    qs = Voucher.objects.restrict(request.user, "view").select_related("enterprise")
    items = [_voucher_out(v) for v in qs[:MAX_ITEMS]]
    return {"items": items, "count": len(items)}


@router.post("/vouchers", summary="申领科技创新券", response={200: dict, 422: ErrorOut})
def resources_api_voucher_apply(request, payload: VoucherApplyIn):
    try:
        v = services.voucher_apply(actor=request.user, amount=payload.amount_wan, purpose=payload.purpose,
                                   mode=payload.mode, categories=payload.categories or None,
                                   legal_person=payload.legal_person, shareholders=payload.shareholders)
    except ResourceError as exc:
        return _refused(exc)
    return _voucher_out(v)


def _product_out(p: FinancialProduct, fit=None) -> dict:
    out = {"id": p.pk, "name": p.name, "kind": p.kind, "kind_label": p.get_kind_display(), "provider": p.provider,
           "min_amount_wan": _dec(p.min_amount), "max_amount_wan": _dec(p.max_amount), "rate_note": p.rate_note,
           "conditions": p.conditions, "description": p.description, "active": p.active}
    if fit is not None:
        out["fits"] = fit["ok"]
        out["reasons"] = {"passed": fit["passed"], "failed": fit["failed"]}
    return out


@router.get("/products", summary="金融产品（企业用户附是否符合及理由）")
def resources_api_products(request):
    qs = FinancialProduct.objects.restrict(request.user, "view")
    ent = getattr(request.user, "enterprise", None) if getattr(request.user, "role", "") == Role.ENTERPRISE_USER else None
    facts = finance.enterprise_facts(ent) if ent is not None else None
    items = [_product_out(p, finance.fits(p, facts) if facts is not None else None) for p in qs[:MAX_ITEMS]]
    return {"items": items, "count": len(items)}


class ConditionIn(Schema):
    fact: str = Field(..., max_length=40)
    op: str = Field(..., max_length=10)
    value: bool | Money | list[Short] | Short
    label: str = Field("", max_length=60)


class ProductIn(Schema):
    name: str = Field(..., max_length=200)
    kind: Literal["tech_loan", "innovation_fund", "angel_fund", "bank"]
    provider: str = Field(..., max_length=200)
    min_amount_wan: Money = Decimal("0")
    max_amount_wan: Money
    rate_note: str = Field("", max_length=200)
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=30)
    description: str = Field("", max_length=5000)
    active: bool = True


def _product_write(request, payload: ProductIn, product=None):
    try:
        p = editing.product_save(
            actor=request.user, product=product, name=payload.name, kind=payload.kind, provider=payload.provider,
            min_amount=payload.min_amount_wan, max_amount=payload.max_amount_wan, rate_note=payload.rate_note,
            conditions=[c.dict() for c in payload.conditions], description=payload.description,
            active=payload.active)
    except ResourceError as exc:
        return _refused(exc)
    return _product_out(p)


@router.post("/products", summary="新增金融产品（科技局）", response={200: dict, 422: ErrorOut})
def resources_api_product_create(request, payload: ProductIn):
    return _product_write(request, payload)


@router.post("/products/{product_id}", summary="修改金融产品（科技局）", response={200: dict, 404: ErrorOut, 422: ErrorOut})
def resources_api_product_update(request, product_id: ApiId, payload: ProductIn):
    p = _get(FinancialProduct, request.user, "change", pk=product_id)
    if p is None:
        return _missing()
    return _product_write(request, payload, p)


class LoanIn(Schema):
    product_id: ApiId
    enterprise_id: ApiId
    amount_wan: Money
    granted_on: dt.date
    note: str = Field("", max_length=200)


@router.post("/loans", summary="登记科技贷放款（科技局）", response={200: dict, 404: ErrorOut, 422: ErrorOut})
def resources_api_loan_record(request, payload: LoanIn):
    from kechuang.enterprises.models import Enterprise

    product = _get(FinancialProduct, request.user, "view", pk=payload.product_id)
    ent = _get(Enterprise, request.user, "view", pk=payload.enterprise_id)
    if product is None or ent is None:
        return _missing()
    try:
        loan = services.loan_record(actor=request.user, product=product, enterprise=ent, amount=payload.amount_wan,
                                    granted_on=payload.granted_on, note=payload.note)
    except ResourceError as exc:
        return _refused(exc)
    return {"id": loan.pk, "product": product.name, "enterprise": ent.name, "amount_wan": _dec(loan.amount),
            "granted_on": loan.granted_on.isoformat()}


# --------------------------------------------------------------------------- 大院大所与仪器目录
class ExpertIn(Schema):
    name: str = Field(..., max_length=60)
    title: str = Field("", max_length=60)
    field: str = Field("", max_length=60)


class InstituteProfileIn(Schema):
    category: Literal["university", "institute", "new_rd", "platform"]
    level: Literal["national", "provincial", "municipal", "county", "other"] = "other"
    fields: list[Short] = Field(default_factory=list, max_length=30)
    industry_chains: list[Short] = Field(default_factory=list, max_length=30)
    summary: str = Field("", max_length=5000)
    contact: str = Field("", max_length=100)
    published: bool = True
    experts: list[ExpertIn] | None = Field(None, max_length=30)
    platforms: list[Short] | None = Field(None, max_length=30)


@router.post("/institutes/{institute_id}/profile", summary="维护大院大所档案",
             response={200: dict, 404: ErrorOut, 422: ErrorOut})
def resources_api_institute_profile(request, institute_id: ApiId, payload: InstituteProfileIn):
    from kechuang.techmarket.models import Institute

    inst = _get(Institute, request.user, "view", pk=institute_id)
    if inst is None:
        return _missing()
    data = payload.dict()
    experts = data.pop("experts")
    try:
        p = editing.institute_profile_save(actor=request.user, institute=inst, experts=experts, **data)
    except ResourceError as exc:
        return _refused(exc)
    return {"institute_id": inst.pk, "name": inst.name, "category": p.category, "level": p.level,
            "fields": p.fields, "industry_chains": p.industry_chains, "published": p.published,
            "experts": inst.experts, "platforms": inst.platforms}


class FeesIn(Schema):
    internal: PricePerHour | None = None
    enterprise: PricePerHour | None = None
    voucher: PricePerHour | None = None


class InstrumentIn(Schema):
    name: str = Field(..., max_length=200)
    category: str = Field("", max_length=60)
    description: str = Field("", max_length=5000)
    model_no: str = Field("", max_length=100)
    maker: str = Field("", max_length=200)
    country: str = Field("", max_length=40)
    value_wan: Money
    purchased_on: dt.date | None = None
    location: str = Field("", max_length=200)
    technical_indicators: str = Field("", max_length=5000)
    main_functions: str = Field("", max_length=5000)
    sharing_mode: Literal["open", "internal", "none"] = "open"
    booking_mode: Literal["approval", "instant"] = "approval"
    operator_required: bool = True
    operator_requirement: str = Field("", max_length=300)
    contact_name: str = Field("", max_length=40)
    contact_phone: str = Field("", max_length=30)
    fees_per_hour_wan: FeesIn = Field(default_factory=FeesIn)


def _instrument_write(request, payload: InstrumentIn, institute, instrument=None):
    data = payload.dict()
    fees = data.pop("fees_per_hour_wan")
    value = data.pop("value_wan")
    try:
        x = editing.instrument_save(actor=request.user, institute=institute, instrument=instrument, value=value,
                                    fees=fees, **data)
    except ResourceError as exc:
        return _refused(exc)
    profile = InstrumentProfile.objects.select_related("instrument__owner").get(instrument=x)
    return selectors.instrument_item(profile, selectors.rules_for([x.pk])) | {
        "sharing_mode_code": profile.sharing_mode, "booking_mode": profile.booking_mode}


@router.post("/institutes/{institute_id}/instruments", summary="新增仪器（含收费标准）",
             response={200: dict, 404: ErrorOut, 422: ErrorOut})
def resources_api_instrument_create(request, institute_id: ApiId, payload: InstrumentIn):
    from kechuang.techmarket.models import Institute

    inst = _get(Institute, request.user, "view", pk=institute_id)
    if inst is None:
        return _missing()
    return _instrument_write(request, payload, inst)


@router.post("/instruments/{instrument_id}", summary="修改仪器档案与收费标准",
             response={200: dict, 404: ErrorOut, 422: ErrorOut})
def resources_api_instrument_update(request, instrument_id: ApiId, payload: InstrumentIn):
    profile = _get(InstrumentProfile.objects.select_related("instrument__owner"), request.user, "change",
                   instrument_id=instrument_id)
    if profile is None:
        return _missing()
    return _instrument_write(request, payload, profile.instrument.owner, profile.instrument)


# --------------------------------------------------------------------------- bookings
class BookingIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    purpose: str = Field("", max_length=300)
    use_voucher: bool = False


@router.post("/instruments/{instrument_id}/bookings", summary="预约仪器",
             response={200: dict, 404: ErrorOut, 422: ErrorOut})
def resources_api_booking_request(request, instrument_id: ApiId, payload: BookingIn):
    profile = _get(InstrumentProfile.objects.select_related("instrument__owner"), request.user, "view",
                   instrument_id=instrument_id)
    if profile is None:
        return _missing()
    try:
        b = services.booking_request(actor=request.user, instrument=profile.instrument,
                                     starts_at=_aware(payload.starts_at), ends_at=_aware(payload.ends_at),
                                     purpose=payload.purpose, use_voucher=payload.use_voucher)
    except ResourceError as exc:
        return _refused(exc)
    return _booking_out(b)


class BookingActionIn(Schema):
    action: Literal["approve", "reject", "check_in", "check_out", "no_show", "cancel", "evaluate"]
    note: str = Field("", max_length=300)
    actual_hours: Hours | None = None
    rating: int | None = Field(None, ge=1, le=5)
    comment: str = Field("", max_length=500)


@router.post("/bookings/{booking_id}/actions", summary="审核、上机、下机、爽约、取消、评价",
             response={200: dict, 404: ErrorOut, 422: ErrorOut})
def resources_api_booking_action(request, booking_id: ApiId, payload: BookingActionIn):
    b = _get(Booking.objects.select_related("instrument__owner", "enterprise"), request.user, "view", pk=booking_id)
    if b is None:
        return _missing()
    u, a = request.user, payload.action
    try:
        if a in ("approve", "reject"):
            b = services.booking_decide(actor=u, booking=b, approve=a == "approve", note=payload.note)
        elif a == "check_in":
            b = services.booking_check_in(actor=u, booking=b)
        elif a == "check_out":
            b = services.booking_check_out(actor=u, booking=b, actual_hours=payload.actual_hours)
        elif a == "no_show":
            b = services.booking_no_show(actor=u, booking=b)
        elif a == "cancel":
            b = services.booking_cancel(actor=u, booking=b)
        else:
            if payload.rating is None:
                raise ResourceError("rating", "请给出 1 到 5 分的评价")
            b = services.booking_evaluate(actor=u, booking=b, rating=payload.rating, comment=payload.comment)
    except ResourceError as exc:
        return _refused(exc)
    b = Booking.objects.select_related("instrument__owner", "enterprise").get(pk=b.pk)
    return _booking_out(b)


# --------------------------------------------------------------------------- 创新券
class VoucherDecisionIn(Schema):
    approve: bool
    face_value_wan: Money | None = None
    note: str = Field("", max_length=300)


@router.post("/vouchers/{voucher_id}/decision", summary="审核科技创新券（科技局）",
             response={200: dict, 404: ErrorOut, 422: ErrorOut})
def resources_api_voucher_decide(request, voucher_id: ApiId, payload: VoucherDecisionIn):
    v = _get(Voucher.objects.select_related("enterprise"), request.user, "view", pk=voucher_id)
    if v is None:
        return _missing()
    try:
        v = services.voucher_decide(actor=request.user, voucher=v, approve=payload.approve,
                                    amount=payload.face_value_wan, note=payload.note)
    except ResourceError as exc:
        return _refused(exc)
    return _voucher_out(v)


class RedemptionIn(Schema):
    number: str = Field("", max_length=24)
    booking_id: ApiId | None = None
    contract_id: ApiId | None = None
    amount_wan: Money | None = None


@router.post("/vouchers/{voucher_id}/redemptions", summary="使用科技创新券",
             response={200: dict, 404: ErrorOut, 422: ErrorOut})
def resources_api_voucher_redeem(request, voucher_id: ApiId, payload: RedemptionIn):
    """The enterprise presents its own voucher; a provider (institute or service organisation) may
    present the voucher of the enterprise it served (通兑) with the 券号 the enterprise shows it
    (``number``, as on the page) — the service then checks that the booking or contract is the provider's own and the holder's."""
    u = request.user
    if getattr(u, "role", "") == Role.ENTERPRISE_USER:
        v = _get(Voucher, u, "view", pk=voucher_id)
    else:
        number = payload.number.strip()
        v = Voucher.objects.filter(pk=voucher_id, number=number).first() if number else None
    booking = contract = None
    if payload.booking_id is not None:
        booking = _get(Booking, u, "view", pk=payload.booking_id)
    if payload.contract_id is not None:
        contract = _get(ServiceContract, u, "view", pk=payload.contract_id)
    if v is None or (payload.booking_id and booking is None) or (payload.contract_id and contract is None):
        return _missing()
    try:
        r = services.voucher_redeem(actor=u, voucher=v, booking=booking, contract=contract, amount=payload.amount_wan)
    except ResourceError as exc:
        return _refused(exc)
    v.refresh_from_db()
    return {"id": r.pk, "voucher": v.number, "fee_wan": _dec(r.fee), "amount_wan": _dec(r.amount), "mode": r.mode,
            "payee": r.payee, "status": r.status, "balance_wan": _dec(v.balance)}


# --------------------------------------------------------------------------- 科技服务机构
def _org_out(o: ServiceOrg) -> dict:
    return {"id": o.pk, "name": o.name, "kind": o.kind, "kind_label": o.get_kind_display(), "uscc": o.uscc,
            "qualifications": o.qualifications, "legal_person": o.legal_person, "contact": o.contact,
            "registered": o.registered, "industry_chains": o.industry_chains,
            "offerings": [{"id": s.pk, "name": s.name, "category": s.category, "price_note": s.price_note,
                           "description": s.description} for s in o.offerings.all()]}


@router.get("/service-orgs", summary="科技服务机构")
def resources_api_service_orgs(request):
    qs = ServiceOrg.objects.restrict(request.user, "view").prefetch_related("offerings")
    items = [_org_out(o) for o in qs[:MAX_ITEMS]]
    return {"items": items, "count": len(items)}


class ServiceOrgIn(Schema):
    name: str = Field(..., max_length=200)
    kind: Literal["testing", "transfer", "ip", "consulting", "incubation"]
    uscc: str = Field("", max_length=18)
    qualifications: list[Short] = Field(default_factory=list, max_length=30)
    legal_person: str = Field("", max_length=40)
    shareholders: list[Short] = Field(default_factory=list, max_length=30)
    contact: str = Field("", max_length=100)
    industry_chains: list[Short] = Field(default_factory=list, max_length=30)
    registered: bool | None = None


@router.post("/service-orgs/{org_id}", summary="维护科技服务机构信息",
             response={200: dict, 404: ErrorOut, 422: ErrorOut})
def resources_api_service_org_update(request, org_id: ApiId, payload: ServiceOrgIn):
    org = _get(ServiceOrg, request.user, "change", pk=org_id)
    if org is None:
        return _missing()
    try:
        org = editing.service_org_save(actor=request.user, org=org, township=org.township, **payload.dict())
    except ResourceError as exc:
        return _refused(exc)
    return _org_out(org)


class OfferingIn(Schema):
    offering_id: ApiId | None = None
    name: str = Field(..., max_length=200)
    category: Literal["testing", "transfer", "ip", "consulting", "incubation"]
    price_note: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)


@router.post("/service-orgs/{org_id}/offerings", summary="维护服务目录",
             response={200: dict, 404: ErrorOut, 422: ErrorOut})
def resources_api_offering_save(request, org_id: ApiId, payload: OfferingIn):
    org = _get(ServiceOrg, request.user, "change", pk=org_id)
    if org is None:
        return _missing()
    offering = None
    if payload.offering_id is not None:
        offering = org.offerings.filter(pk=payload.offering_id).first()
        if offering is None:
            return _missing()
    try:
        s = editing.offering_save(actor=request.user, org=org, offering=offering, name=payload.name,
                                  category=payload.category, price_note=payload.price_note,
                                  description=payload.description)
    except ResourceError as exc:
        return _refused(exc)
    return {"id": s.pk, "org_id": org.pk, "name": s.name, "category": s.category, "price_note": s.price_note}


class ContractIn(Schema):
    enterprise_uscc: str = Field(..., min_length=18, max_length=18)
    title: str = Field(..., max_length=300)
    category: Literal["testing", "transfer", "ip", "consulting", "incubation"]
    amount_wan: Money
    signed_on: dt.date
    registration_no: str = Field(..., max_length=40)


@router.post("/service-orgs/{org_id}/contracts", summary="登记服务合同",
             response={200: dict, 404: ErrorOut, 422: ErrorOut})
def resources_api_contract_register(request, org_id: ApiId, payload: ContractIn):
    from kechuang.enterprises.models import Enterprise

    org = _get(ServiceOrg, request.user, "change", pk=org_id)
    if org is None:
        return _missing()
    ent = Enterprise.objects.filter(uscc=payload.enterprise_uscc.strip().upper()).first()
    if ent is None:
        return Status(422, ErrorOut(detail="企业库中没有该统一社会信用代码的企业", field="enterprise_uscc"))
    try:
        c = services.service_contract_register(
            actor=request.user, org=org, enterprise=ent, title=payload.title, category=payload.category,
            amount=payload.amount_wan, signed_on=payload.signed_on, registration_no=payload.registration_no.strip())
    except ResourceError as exc:
        return _refused(exc)
    return {"id": c.pk, "registration_no": c.registration_no, "org": org.name, "enterprise": ent.name,
            "amount_wan": _dec(c.amount), "status": c.status}
