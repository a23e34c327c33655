"""Writes that keep the catalogues of the 创新资源 module up to date, by the roles that own them:

- 大院大所档案 (``institute_profile_save``): the bureau, or the institute user bound to that institute;
- 仪器目录 with fee rules (``instrument_save``): the bureau, or the owner institute's user;
- 科技服务机构 and their service items (``service_org_save``, ``offering_save``, ``offering_delete``):
  the bureau (creates, registers or de-registers), or the organisation's own user (its profile and
  catalogue, never its 备案 flag);
- 金融产品 (``product_save``): the bureau.

Each call goes through ``require`` (with the row where one exists, so the scoping choke point
decides whose row it is), validates every field (bounded numbers, Chinese sentences, a
``ResourceError`` naming the field) and saves single rows, which the change log records through
its model signals (``kechuang.core.changes``).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from kechuang.core.permissions import require
from kechuang.core.roles import Role

from .finance import FACT_LABELS, OPS
from .models import (
    FeeRule,
    FinancialProduct,
    InstituteProfile,
    InstrumentProfile,
    ServiceOffering,
    ServiceOrg,
    UserCategory,
    account_of,
)
from .services import ResourceError

PRICE_MAX = Decimal("100")          # 万元/小时 (100 万元 an hour: far above any instrument)
LIST_MAX = 30                        # items in a list field (fields, chains, qualifications …)
ITEM_MAX = 60                        # characters of one list item


def _role(actor) -> str:
    return getattr(actor, "role", "")


def _clean_list(value, field: str, label: str, *, allowed=None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").replace("、", ",").split(",")]
    items = []
    for v in value:
        v = str(v).strip()
        if not v:
            continue
        if len(v) > ITEM_MAX:
            raise ResourceError(field, f"{label}的每一项不超过 {ITEM_MAX} 个字")
        if allowed is not None and v not in allowed:
            raise ResourceError(field, f"{label}中的“{v}”不在可选范围内")
        if v not in items:
            items.append(v)
    if len(items) > LIST_MAX:
        raise ResourceError(field, f"{label}最多 {LIST_MAX} 项")
    return items


def _decimal(value, field: str, label: str, *, lo=Decimal("0"), hi: Decimal, allow_none=False):
    if value in (None, ""):
        if allow_none:
            return None
        raise ResourceError(field, f"请填写{label}")
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ResourceError(field, f"{label}应为数字") from None
    if not d.is_finite() or d < lo or d > hi:
        raise ResourceError(field, f"{label}应在 {lo.normalize():f} 到 {hi.normalize():f} 之间")
    return d.quantize(Decimal("0.0001"))


def _full_clean(obj, exclude=()) -> None:
    """Model validation with the first problem as a ``ResourceError`` in Chinese."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        field, msgs = next(iter(exc.message_dict.items()))
        label = field
        try:
            label = str(obj._meta.get_field(field).verbose_name)
        except Exception:  # noqa: BLE001 - a non-field error keeps its key
            label = "" if field == "__all__" else field
        raise ResourceError(field, f"{label}：{'；'.join(msgs)}" if label else "；".join(msgs)) from None


def _bound_institute_id(actor):
    acc = account_of(actor)
    return acc.institute_id if acc else None


def _bound_org_id(actor):
    acc = account_of(actor)
    return acc.service_org_id if acc else None


# --------------------------------------------------------------------------- 大院大所档案
EXPERT_KEYS = ("name", "title", "field")


def _clean_experts(experts) -> list[dict]:
    out = []
    for e in experts or []:
        row = {k: str((e or {}).get(k, "") or "").strip()[:ITEM_MAX] for k in EXPERT_KEYS}
        if row["name"]:
            out.append(row)
    if len(out) > LIST_MAX:
        raise ResourceError("experts", f"可对接专家最多 {LIST_MAX} 位")
    return out


@transaction.atomic
def institute_profile_save(*, actor, institute, category: str, level: str = InstituteProfile.Level.OTHER,
                           fields=None, industry_chains=None, summary: str = "", contact: str = "",
                           published: bool = True, experts=None, platforms=None) -> InstituteProfile:
    """Create or update the 大院大所 record of ``institute`` (and the experts and platforms it offers,
    kept on the technology market's institute row)."""
    profile = InstituteProfile.objects.filter(institute=institute).first()
    require(actor, "resources.institute.manage", profile)
    if _role(actor) == Role.INSTITUTE_USER and _bound_institute_id(actor) != institute.pk:
        raise ResourceError("institute", "只能维护本单位的档案")
    if category not in InstituteProfile.Category.values:
        raise ResourceError("category", "请选择机构类别（高校、科研院所、新型研发机构或创新平台）")
    if level not in InstituteProfile.Level.values:
        raise ResourceError("level", "请选择级别")
    profile = profile or InstituteProfile(institute=institute)
    profile.category, profile.level = category, level
    profile.fields = _clean_list(fields, "fields", "技术领域")
    profile.industry_chains = _clean_list(industry_chains, "industry_chains", "服务产业链")
    profile.summary, profile.contact, profile.published = (summary or "").strip(), (contact or "").strip(), bool(published)
    _full_clean(profile, exclude=["institute"])
    profile.save()
    if experts is not None or platforms is not None:
        if experts is not None:
            institute.experts = _clean_experts(experts)
        if platforms is not None:
            institute.platforms = _clean_list(platforms, "platforms", "平台")
        institute.save(update_fields=["experts", "platforms"])
    return profile


# --------------------------------------------------------------------------- 仪器目录与收费标准
PROFILE_TEXT = {"model_no": 100, "maker": 200, "country": 40, "location": 200, "technical_indicators": 5000,
                "main_functions": 5000, "operator_requirement": 300, "contact_name": 40, "contact_phone": 30}


@transaction.atomic
def instrument_save(*, actor, institute, instrument=None, name: str, category: str = "", description: str = "",
                    value=None, purchased_on=None, sharing_mode: str = InstrumentProfile.SharingMode.OPEN,
                    booking_mode: str = InstrumentProfile.BookingMode.APPROVAL, operator_required: bool = True,
                    fees: dict | None = None, **texts):
    """Create (``instrument=None``) or update one instrument of ``institute``: the catalogue line
    (name, category, function), its sharing record in the national network's fields, and its fee
    rules per user category (``fees``: {category: 万元/小时 or None to remove})."""
    from kechuang.techmarket.models import Instrument

    profile = InstrumentProfile.objects.filter(instrument=instrument).first() if instrument else None
    # a new instrument is checked against its institute's record (scoped like the institute's rows)
    require(actor, "resources.instrument.manage",
            profile if instrument is not None else InstituteProfile.objects.filter(institute=institute).first())
    if _role(actor) == Role.INSTITUTE_USER and _bound_institute_id(actor) != institute.pk:
        raise ResourceError("institute", "只能维护本单位的仪器")
    if instrument is not None and instrument.owner_id != institute.pk:
        raise ResourceError("institute", "仪器不属于该单位")
    name = (name or "").strip()
    if not name:
        raise ResourceError("name", "请填写仪器名称")
    if sharing_mode not in InstrumentProfile.SharingMode.values:
        raise ResourceError("sharing_mode", "请选择共享方式")
    if booking_mode not in InstrumentProfile.BookingMode.values:
        raise ResourceError("booking_mode", "请选择预约方式")
    unknown = set(texts) - set(PROFILE_TEXT)
    if unknown:
        raise ResourceError(sorted(unknown)[0], "未知的字段")
    value = _decimal(value, "value", "原值（万元）", hi=Decimal("1000000"))
    if instrument is None:
        if Instrument.objects.filter(owner=institute, name=name).exists():
            raise ResourceError("name", "本单位已有同名仪器")
        instrument = Instrument(owner=institute)
    instrument.name, instrument.category = name[:200], (category or "").strip()[:60]
    instrument.description = (description or "").strip()[:5000]
    instrument.available = sharing_mode != InstrumentProfile.SharingMode.NONE
    _full_clean(instrument, exclude=["owner", "fee"])
    instrument.save()
    profile = profile or InstrumentProfile(instrument=instrument)
    profile.value, profile.purchased_on = value, purchased_on
    profile.sharing_mode, profile.booking_mode = sharing_mode, booking_mode
    profile.operator_required = bool(operator_required)
    for k, v in texts.items():
        setattr(profile, k, (v or "").strip())
    _full_clean(profile, exclude=["instrument", "preapproved"])
    profile.save()
    for cat, price in (fees or {}).items():
        if cat not in UserCategory.values:
            raise ResourceError("fees", f"未知的用户类别 {cat}")
        label = f"{UserCategory(cat).label}单价（万元/小时）"
        price = _decimal(price, f"fees.{cat}", label, hi=PRICE_MAX, allow_none=True)
        rule = FeeRule.objects.filter(instrument=instrument, user_category=cat).first()
        if price is None:
            if rule is not None:
                rule.delete()
            continue
        if rule is None:
            rule = FeeRule(instrument=instrument, user_category=cat, price_per_hour=price)
        elif rule.price_per_hour == price:
            continue
        rule.price_per_hour = price
        _full_clean(rule)
        rule.save()
    return instrument


# --------------------------------------------------------------------------- 科技服务机构
@transaction.atomic
def service_org_save(*, actor, org=None, name: str, kind: str, uscc: str = "", qualifications=None,
                     legal_person: str = "", shareholders=None, township=None, contact: str = "",
                     industry_chains=None, registered: bool | None = None) -> ServiceOrg:
    """Create (bureau) or update a service organisation. Its own user edits the profile but not the
    备案 flag (only the bureau registers an organisation)."""
    require(actor, "resources.service_org.manage", org)
    role = _role(actor)
    if org is None and role == Role.SERVICE_ORG_USER:
        raise ResourceError("org", "新增科技服务机构由科技局办理")
    if role == Role.SERVICE_ORG_USER and _bound_org_id(actor) != org.pk:
        raise ResourceError("org", "只能维护本机构的信息")
    name = (name or "").strip()
    if not name:
        raise ResourceError("name", "请填写机构名称")
    if kind not in ServiceOrg.Kind.values:
        raise ResourceError("kind", "请选择服务类别")
    if ServiceOrg.objects.filter(name=name).exclude(pk=getattr(org, "pk", None)).exists():
        raise ResourceError("name", "已有同名机构")
    org = org or ServiceOrg()
    org.name, org.kind, org.uscc = name, kind, (uscc or "").strip().upper()
    org.qualifications = _clean_list(qualifications, "qualifications", "资质")
    org.legal_person = (legal_person or "").strip()
    org.shareholders = _clean_list(shareholders, "shareholders", "股东")
    org.township, org.contact = township, (contact or "").strip()
    org.industry_chains = _clean_list(industry_chains, "industry_chains", "服务产业链")
    if registered is not None and role != Role.SERVICE_ORG_USER:
        org.registered = bool(registered)
    _full_clean(org)
    org.save()
    return org


def offering_save(*, actor, org: ServiceOrg, offering: ServiceOffering | None = None, name: str, category: str,
                  price_note: str = "", description: str = "") -> ServiceOffering:
    """Add or change one item of an organisation's service catalogue."""
    require(actor, "resources.service_org.manage", org)
    if _role(actor) == Role.SERVICE_ORG_USER and _bound_org_id(actor) != org.pk:
        raise ResourceError("org", "只能维护本机构的服务目录")
    if offering is not None and offering.org_id != org.pk:
        raise ResourceError("offering", "服务项目不属于该机构")
    if category not in ServiceOrg.Kind.values:
        raise ResourceError("category", "请选择服务类别")
    if not (name or "").strip():
        raise ResourceError("name", "请填写服务名称")
    item = offering or ServiceOffering(org=org)
    item.name, item.category = name.strip(), category
    item.price_note, item.description = (price_note or "").strip(), (description or "").strip()
    _full_clean(item, exclude=["org"])
    item.save()
    return item


def offering_delete(*, actor, offering: ServiceOffering) -> None:
    require(actor, "resources.service_org.manage", offering.org)
    if _role(actor) == Role.SERVICE_ORG_USER and _bound_org_id(actor) != offering.org_id:
        raise ResourceError("org", "只能维护本机构的服务目录")
    offering.delete()


# --------------------------------------------------------------------------- 金融产品
def clean_conditions(conditions) -> list[dict]:
    """Product conditions as data: each {fact, op, value, label} with a known fact and operator."""
    out = []
    for i, c in enumerate(conditions or []):
        if not isinstance(c, dict):
            raise ResourceError("conditions", f"第 {i + 1} 条条件格式有误")
        fact, op, value = c.get("fact"), c.get("op"), c.get("value")
        if fact not in FACT_LABELS:
            raise ResourceError("conditions", f"第 {i + 1} 条条件的企业数据项无法识别")
        if op not in OPS:
            raise ResourceError("conditions", f"第 {i + 1} 条条件的比较方式无法识别")
        if fact == "qualifications":
            if op not in ("has", "has_any", "not_has"):
                raise ResourceError("conditions", f"第 {i + 1} 条：资质条件只能是具备、具备其一或不得具备")
            value = _clean_list(value if isinstance(value, list) else [value], "conditions", "资质")
        elif op == "==":
            if not isinstance(value, bool):
                raise ResourceError("conditions", f"第 {i + 1} 条：应为是或否")
        else:
            value = format(_decimal(value, "conditions", f"第 {i + 1} 条的数值", hi=Decimal("10000000")).normalize(), "f")
        out.append({"fact": fact, "op": op, "value": value, "label": str(c.get("label") or FACT_LABELS[fact])[:60]})
    if len(out) > LIST_MAX:
        raise ResourceError("conditions", f"准入条件最多 {LIST_MAX} 条")
    return out


def product_save(*, actor, product: FinancialProduct | None = None, name: str, kind: str, provider: str,
                 min_amount, max_amount, rate_note: str = "", conditions=None, description: str = "",
                 active: bool = True) -> FinancialProduct:
    """Create or update a financial product (the bureau)."""
    require(actor, "resources.product.manage", product)
    name = (name or "").strip()
    if not name:
        raise ResourceError("name", "请填写产品名称")
    if kind not in FinancialProduct.Kind.values:
        raise ResourceError("kind", "请选择产品类别")
    if FinancialProduct.objects.filter(name=name).exclude(pk=getattr(product, "pk", None)).exists():
        raise ResourceError("name", "已有同名产品")
    lo = _decimal(min_amount, "min_amount", "额度下限（万元）", hi=Decimal("1000000"))
    hi = _decimal(max_amount, "max_amount", "额度上限（万元）", hi=Decimal("1000000"))
    if lo > hi:
        raise ResourceError("min_amount", "额度下限不能高于额度上限")
    p = product or FinancialProduct()
    p.name, p.kind, p.provider = name, kind, (provider or "").strip()
    if not p.provider:
        raise ResourceError("provider", "请填写金融机构")
    p.min_amount, p.max_amount = lo, hi
    p.rate_note, p.description, p.active = (rate_note or "").strip(), (description or "").strip(), bool(active)
    p.conditions = clean_conditions(conditions)
    _full_clean(p)
    p.save()
    return p
