"""Edit pages of the catalogues, by the roles that own them (the writes are ``editing.py``'s, each
behind ``require``; every save is in the change log, linked from each page as 变更记录):

- 大院大所档案: the bureau, or the institute user of that institute;
- 仪器目录（含收费标准，页面上以元/小时填写，存为万元/小时）: the bureau, or the owner institute's user;
- 科技服务机构 and its service catalogue: the bureau (new organisations, 备案), or the organisation's user;
- 金融产品 with conditions as data: the bureau.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from kechuang.core.permissions import can, require
from kechuang.core.roles import Role
from kechuang.core.scoping import get_scoped_or_404
from kechuang.enterprises.vocab import QUALIFICATION_KINDS

from . import editing
from .finance import FACT_LABELS
from .models import (
    SEED_CHAINS,
    FinancialProduct,
    InstituteProfile,
    InstrumentProfile,
    ServiceOffering,
    ServiceOrg,
    UserCategory,
    account_of,
)
from .services import ResourceError
from .views import _business_user, _parse_date

OP_LABELS = {">=": "不低于", "<=": "不高于", ">": "高于", "<": "低于", "==": "等于（是/否）",
             "has": "须具备全部", "has_any": "须具备其一", "not_has": "不得具备"}
CONDITION_ROWS = 6


def _split(text: str) -> list[str]:
    return [s.strip() for s in (text or "").replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
            if s.strip()]


def _own_institute(user, institute) -> None:
    """The page is for the bureau and the institute's own user (``require`` repeats this on save)."""
    if not can(user, "resources.institute.manage"):
        raise PermissionDenied("您没有维护科研机构档案的权限。")
    if getattr(user, "role", "") == Role.INSTITUTE_USER:
        acc = account_of(user)
        if acc is None or acc.institute_id != institute.pk:
            raise PermissionDenied("只能维护本单位的档案和仪器。")


# --------------------------------------------------------------------------- 大院大所档案
def institute_edit(request, pk: int):
    _business_user(request)
    from kechuang.techmarket.models import Institute

    inst = get_scoped_or_404(Institute, request.user, "view", pk=pk)
    _own_institute(request.user, inst)
    profile = InstituteProfile.objects.filter(institute=inst).first()
    if request.method == "POST":
        p = request.POST
        experts = []
        for line in (p.get("experts") or "").splitlines()[:40]:
            parts = [x.strip() for x in line.replace("，", ",").split(",")]
            if parts and parts[0]:
                experts.append({"name": parts[0], "title": parts[1] if len(parts) > 1 else "",
                                "field": parts[2] if len(parts) > 2 else ""})
        try:
            editing.institute_profile_save(
                actor=request.user, institute=inst, category=p.get("category", ""), level=p.get("level", ""),
                fields=_split(p.get("fields")), industry_chains=p.getlist("industry_chains"),
                summary=p.get("summary", "")[:5000], contact=p.get("contact", "")[:100],
                published=p.get("published") == "1", experts=experts, platforms=_split(p.get("platforms")))
        except ResourceError as exc:
            messages.error(request, f"未保存：{exc}")
        else:
            messages.success(request, "大院大所档案已保存")
            return redirect("resources:institute_edit", pk=inst.pk)
    instruments = InstrumentProfile.objects.filter(instrument__owner=inst).select_related("instrument")
    return render(request, "resources/institute_edit.html", {
        "inst": inst, "profile": profile, "categories": InstituteProfile.Category.choices,
        "levels": InstituteProfile.Level.choices, "chains": SEED_CHAINS, "instruments": instruments,
        "experts_text": "\n".join("，".join(e.get(k, "") for k in editing.EXPERT_KEYS) for e in inst.experts or [])})


# --------------------------------------------------------------------------- 仪器目录与收费标准
def _yuan_to_wan(text: str, label: str):
    text = (text or "").strip()
    if not text:
        return None
    try:
        y = Decimal(text)
    except InvalidOperation:
        raise ResourceError("fees", f"{label}应为数字（元/小时）") from None
    if not y.is_finite() or y < 0 or y > 1_000_000:
        raise ResourceError("fees", f"{label}应在 0 到 1000000 元/小时之间")
    return y / Decimal(10000)


def _instrument_form(request, inst, instrument=None):
    p = request.POST
    fees = {c: _yuan_to_wan(p.get(f"fee_{c}"), f"{label}单价") for c, label in UserCategory.choices}
    return editing.instrument_save(
        actor=request.user, institute=inst, instrument=instrument, name=p.get("name", "")[:200],
        category=p.get("category", "")[:60], description=p.get("description", "")[:5000],
        value=p.get("value", ""), purchased_on=_parse_date(p["purchased_on"], "purchased_on") if p.get("purchased_on")
        else None, sharing_mode=p.get("sharing_mode", ""), booking_mode=p.get("booking_mode", ""),
        operator_required=p.get("operator_required") == "1", fees=fees,
        **{k: p.get(k, "")[:n] for k, n in editing.PROFILE_TEXT.items()})


def _instrument_page(request, inst, profile=None):
    rules = {r.user_category: r.yuan_per_hour for r in profile.instrument.fee_rules.all()} if profile else {}
    return render(request, "resources/instrument_edit.html", {
        "inst": inst, "profile": profile, "instrument": profile.instrument if profile else None,
        "fees": [(c, label, rules.get(c, "")) for c, label in UserCategory.choices],
        "sharing_modes": InstrumentProfile.SharingMode.choices, "booking_modes": InstrumentProfile.BookingMode.choices,
        "post": request.POST if request.method == "POST" else None})


def instrument_new(request, pk: int):
    _business_user(request)
    from kechuang.techmarket.models import Institute

    inst = get_scoped_or_404(Institute, request.user, "view", pk=pk)
    _own_institute(request.user, inst)
    if request.method == "POST":
        try:
            x = _instrument_form(request, inst)
        except ResourceError as exc:
            messages.error(request, f"未保存：{exc}")
        else:
            messages.success(request, f"已新增仪器“{x.name}”")
            return redirect("resources:instrument_detail", pk=x.pk)
    return _instrument_page(request, inst)


def instrument_edit(request, pk: int):
    _business_user(request)
    profile = get_scoped_or_404(InstrumentProfile.objects.select_related("instrument__owner"), request.user, "change",
                                instrument_id=pk)
    require(request.user, "resources.instrument.manage", profile)
    inst = profile.instrument.owner
    if request.method == "POST":
        try:
            _instrument_form(request, inst, profile.instrument)
        except ResourceError as exc:
            messages.error(request, f"未保存：{exc}")
        else:
            messages.success(request, "仪器档案与收费标准已保存")
            return redirect("resources:instrument_detail", pk=pk)
    return _instrument_page(request, inst, profile)


# --------------------------------------------------------------------------- 科技服务机构
def _org_page(request, org=None):
    return render(request, "resources/service_org_edit.html", {
        "org": org, "kinds": ServiceOrg.Kind.choices, "chains": SEED_CHAINS,
        "offerings": org.offerings.all() if org else [],
        "can_register": getattr(request.user, "role", "") == Role.BUREAU_STAFF,
        "post": request.POST if request.method == "POST" and request.POST.get("op", "org") == "org" else None})


def _save_org(request, org=None):
    p = request.POST
    from kechuang.core.models import Region

    township = org.township if org else None
    if p.get("township") and getattr(request.user, "role", "") == Role.BUREAU_STAFF:
        township = Region.objects.filter(name=p["township"].strip()[:40]).first()
        if township is None:
            raise ResourceError("township", "没有这个乡镇（街道）")
    return editing.service_org_save(
        actor=request.user, org=org, name=p.get("name", "")[:200], kind=p.get("kind", ""), uscc=p.get("uscc", "")[:18],
        qualifications=_split(p.get("qualifications")), legal_person=p.get("legal_person", "")[:40],
        shareholders=_split(p.get("shareholders")), township=township, contact=p.get("contact", "")[:100],
        industry_chains=p.getlist("industry_chains"), registered=p.get("registered") == "1")


def service_org_new(request):
    _business_user(request)
    require(request.user, "resources.service_org.manage")
    if getattr(request.user, "role", "") != Role.BUREAU_STAFF:
        raise PermissionDenied("新增科技服务机构由科技局办理。")
    if request.method == "POST":
        try:
            org = _save_org(request)
        except ResourceError as exc:
            messages.error(request, f"未保存：{exc}")
        else:
            messages.success(request, f"已新增科技服务机构“{org.name}”")
            return redirect("resources:service_org_edit", pk=org.pk)
    return _org_page(request)


def service_org_edit(request, pk: int):
    """The organisation's profile and its service catalogue (``op``: org / offering / offering_delete)."""
    _business_user(request)
    org = get_scoped_or_404(ServiceOrg, request.user, "change", pk=pk)
    require(request.user, "resources.service_org.manage", org)
    if request.method == "POST":
        op = request.POST.get("op", "org")
        p = request.POST
        try:
            if op == "offering":
                editing.offering_save(actor=request.user, org=org, name=p.get("o_name", "")[:200],
                                      category=p.get("o_category", ""), price_note=p.get("o_price_note", "")[:200],
                                      description=p.get("o_description", "")[:5000])
                messages.success(request, "服务项目已添加")
            elif op == "offering_delete":
                item = get_scoped_or_404(ServiceOffering, request.user, "change", pk=p.get("offering") or 0, org=org)
                editing.offering_delete(actor=request.user, offering=item)
                messages.success(request, "服务项目已删除")
            else:
                org = _save_org(request, org)
                messages.success(request, "机构信息已保存")
        except ResourceError as exc:
            messages.error(request, f"未保存：{exc}")
            return _org_page(request, org)
        return redirect("resources:service_org_edit", pk=org.pk)
    return _org_page(request, org)


# --------------------------------------------------------------------------- 金融产品
def _conditions_from_post(p) -> list[dict]:
    by_label = {v: k for k, v in QUALIFICATION_KINDS.items()}
    out = []
    for i in range(CONDITION_ROWS):
        fact, op, value = p.get(f"c{i}_fact", ""), p.get(f"c{i}_op", ""), (p.get(f"c{i}_value") or "").strip()
        if not fact:
            continue
        if fact == "qualifications":
            value = [by_label.get(v, v) for v in _split(value)]
        elif op == "==":
            value = value in ("是", "true", "1")
        out.append({"fact": fact, "op": op, "value": value, "label": (p.get(f"c{i}_label") or "").strip()[:60]})
    return out


def _condition_rows(product) -> list[dict]:
    rows = []
    for c in (product.conditions if product else []) or []:
        v = c.get("value")
        if isinstance(v, list):
            v = "、".join(QUALIFICATION_KINDS.get(x, x) for x in v)
        elif isinstance(v, bool):
            v = "是" if v else "否"
        rows.append({"fact": c.get("fact"), "op": c.get("op"), "value": v, "label": c.get("label", "")})
    return rows + [{"fact": "", "op": "", "value": "", "label": ""}] * (CONDITION_ROWS - len(rows))


def _product_page(request, product=None):
    return render(request, "resources/product_edit.html", {
        "product": product, "kinds": FinancialProduct.Kind.choices, "facts": FACT_LABELS.items(),
        "ops": OP_LABELS.items(), "rows": _condition_rows(product),
        "qual_labels": "、".join(QUALIFICATION_KINDS.values())})


def _save_product(request, product=None):
    p = request.POST
    return editing.product_save(
        actor=request.user, product=product, name=p.get("name", "")[:200], kind=p.get("kind", ""),
        provider=p.get("provider", "")[:200], min_amount=p.get("min_amount", ""), max_amount=p.get("max_amount", ""),
        rate_note=p.get("rate_note", "")[:200], conditions=_conditions_from_post(p),
        description=p.get("description", "")[:5000], active=p.get("active") == "1")


def product_new(request):
    _business_user(request)
    require(request.user, "resources.product.manage")
    if request.method == "POST":
        try:
            product = _save_product(request)
        except ResourceError as exc:
            messages.error(request, f"未保存：{exc}")
        else:
            messages.success(request, f"已新增金融产品“{product.name}”")
            return redirect("resources:products")
    return _product_page(request)


def product_edit(request, pk: int):
    _business_user(request)
    product = get_scoped_or_404(FinancialProduct, request.user, "change", pk=pk)
    require(request.user, "resources.product.manage", product)
    if request.method == "POST":
        try:
            _save_product(request, product)
        except ResourceError as exc:
            messages.error(request, f"未保存：{exc}")
        else:
            messages.success(request, "金融产品已保存")
            return redirect("resources:products")
    return _product_page(request, product)
