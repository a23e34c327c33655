"""Reads of the 创新资源 module. Every read goes through the scoping choke point
(``Model.objects.restrict(user, action)``); anonymous visitors reach only the rows a model marks
public and anonymous (published institutes, openly shared instruments, registered organisations).

Counted, never typed: an institute's service results come from the system's own records —
bookings of its instruments, broker dispatches and deals of its achievements, registered
technology contracts of those deals, and voucher redemptions it provided.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from .models import (
    Booking,
    FeeRule,
    InstituteProfile,
    InstrumentProfile,
    Redemption,
    UserCategory,
)

YUAN = Decimal(10000)


def yuan(value) -> str:
    """万元 → "1,234 元" for a price line."""
    if value is None:
        return ""
    return f"{(Decimal(value) * YUAN).quantize(Decimal('1')):,} 元"


def fee_lines(rules) -> list[str]:
    labels = dict(UserCategory.choices)
    return [f"{labels[r.user_category]} {yuan(r.price_per_hour)}/小时" for r in rules]


def public_instruments(user, *, q: str = "", category: str = ""):
    """Openly shared instruments visible to ``user`` (anonymous included), with owner and fee rules."""
    qs = (InstrumentProfile.objects.restrict(user, "view")
          .select_related("instrument__owner").order_by("instrument__name", "id"))
    if category:
        qs = qs.filter(instrument__category=category)
    if q:
        ids = _search_instruments(q)
        if ids is not None:
            qs = qs.filter(instrument_id__in=ids)
    return qs


def _search_instruments(q: str) -> list[int] | None:
    """Instrument ids matching ``q``: the Chinese tokenizer (jieba) over name, model, maker,
    category and functions; every token must match one of the fields (AND)."""
    from kechuang.search.text import shared_tokenizer

    tokens = [t for t in shared_tokenizer().query_tokens(q) if t.strip()] or [q.strip()]
    cond = Q()
    for t in tokens:
        cond &= (Q(instrument__name__icontains=t) | Q(model_no__icontains=t) | Q(maker__icontains=t)
                 | Q(instrument__category__icontains=t) | Q(main_functions__icontains=t)
                 | Q(technical_indicators__icontains=t) | Q(instrument__owner__name__icontains=t))
    return list(InstrumentProfile.objects.filter(cond).values_list("instrument_id", flat=True))


def instrument_item(profile: InstrumentProfile, rules_by_instrument: dict) -> dict:
    """The open-data item of one instrument (contract 8: name, model, institute, fee rules, how to book)."""
    inst = profile.instrument
    rules = rules_by_instrument.get(inst.pk, [])
    labels = dict(UserCategory.choices)
    return {
        "id": inst.pk,
        "name": inst.name,
        "model": profile.model_no,
        "maker": profile.maker,
        "country": profile.country,
        "institute": inst.owner.name,
        "category": inst.category,
        "value_wan": str(profile.value),
        "large_instrument": profile.large,
        "location": profile.location,
        "main_functions": profile.main_functions,
        "sharing_mode": profile.get_sharing_mode_display(),
        "fee_rules": [{"user_category": r.user_category, "label": labels[r.user_category],
                       "price_per_hour_wan": str(r.price_per_hour), "price_per_hour_yuan": str(r.yuan_per_hour)}
                      for r in rules],
        "how_to_book": how_to_book(profile),
        "contact": profile.contact_name,
    }


def how_to_book(profile: InstrumentProfile) -> str:
    mode = ("预授权企业即时确认，其他企业由仪器所属单位审核" if profile.booking_mode == "instant"
            else "由仪器所属单位审核确认")
    op = "，由机组人员操作" if profile.operator_required else ""
    return f"登录科创平台，在“创新资源 · 共享仪器”中选择时段提交预约，{mode}{op}；可使用科技创新券抵扣费用。"


def rules_for(instrument_ids) -> dict:
    out: dict[int, list] = {}
    for r in FeeRule.objects.filter(instrument_id__in=list(instrument_ids)).order_by("user_category"):
        out.setdefault(r.instrument_id, []).append(r)
    return out


def institute_results(institute) -> dict:
    """Service results of one institute, counted from the records (not typed in):
    enterprises served (bookings, deals, redemptions), problems solved (deals of its
    achievements), joint R&D and transfer projects (registered contracts of those deals), broker
    dispatches, completed bookings and instrument hours."""
    from kechuang.techmarket.models import Deal, Dispatch, TechContract

    bookings = Booking.objects.filter(instrument__owner=institute, status=Booking.Status.COMPLETED)
    deals = Deal.objects.filter(achievement__owner_institute=institute)
    served = set(bookings.exclude(enterprise__isnull=True).values_list("enterprise_id", flat=True))
    served |= set(deals.exclude(need__enterprise__isnull=True).values_list("need__enterprise_id", flat=True))
    served |= set(Redemption.objects.filter(provider_institute=institute).values_list("voucher__enterprise_id", flat=True))
    hours = bookings.aggregate(h=Sum("actual_hours"))["h"] or Decimal(0)
    return {
        "enterprises_served": len(served),
        "problems_solved": deals.count(),
        "joint_projects": TechContract.objects.filter(deal__achievement__owner_institute=institute).count(),
        "dispatches": Dispatch.objects.filter(match__achievement__owner_institute=institute).count(),
        "bookings_completed": bookings.count(),
        "instrument_hours": hours,
        "voucher_amount": Redemption.objects.filter(provider_institute=institute).aggregate(
            s=Sum("amount"))["s"] or Decimal(0),
    }


def public_institutes(user):
    return (InstituteProfile.objects.restrict(user, "view").select_related("institute")
            .annotate(n_instruments=Count("institute__instruments", distinct=True)))


def _year_bounds(year: int):
    tz = timezone.get_current_timezone()
    return (dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz))


def instrument_year_report(user, year: int) -> list[dict]:
    """Annual evaluation per instrument (国科办基〔2022〕93号 考核指标 taken from the records):
    effective hours (completed sessions), external service hours (enterprise and voucher users),
    share of enterprise users among the sessions, service income, no-shows, average rating."""
    start, end = _year_bounds(year)
    qs = (Booking.objects.restrict(user, "view").filter(starts_at__gte=start, starts_at__lt=end)
          .values("instrument_id", "instrument__name", "instrument__owner__name", "instrument__owner_id"))
    completed = Q(status=Booking.Status.COMPLETED)
    external = completed & Q(user_category__in=[UserCategory.ENTERPRISE, UserCategory.VOUCHER])
    rows = qs.annotate(
        sessions=Count("id", filter=completed),
        effective_hours=Sum("actual_hours", filter=completed),
        external_hours=Sum("actual_hours", filter=external),
        external_sessions=Count("id", filter=external),
        income=Sum("fee", filter=completed),
        no_shows=Count("id", filter=Q(status=Booking.Status.NO_SHOW)),
        rated=Count("rating"),
        rating_sum=Sum("rating"),
    ).order_by("instrument__owner__name", "instrument__name")
    out = []
    for r in rows:
        sessions = r["sessions"] or 0
        out.append({
            "instrument": r["instrument__name"], "institute": r["instrument__owner__name"],
            "institute_id": r["instrument__owner_id"], "sessions": sessions,
            "effective_hours": r["effective_hours"] or Decimal(0),
            "external_hours": r["external_hours"] or Decimal(0),
            "enterprise_share": (Decimal(r["external_sessions"]) / sessions).quantize(Decimal("0.0001")) if sessions else None,
            "income": r["income"] or Decimal(0), "no_shows": r["no_shows"],
            "rating": (Decimal(r["rating_sum"]) / r["rated"]).quantize(Decimal("0.1")) if r["rated"] else None,
        })
    return out


def institute_year_report(rows: list[dict]) -> list[dict]:
    """The per-instrument rows summed per institute."""
    by: dict[str, dict] = {}
    for r in rows:
        agg = by.setdefault(r["institute"], {"institute": r["institute"], "instruments": 0, "sessions": 0,
                                             "effective_hours": Decimal(0), "external_hours": Decimal(0),
                                             "income": Decimal(0), "no_shows": 0, "_ext": 0})
        agg["instruments"] += 1
        agg["sessions"] += r["sessions"]
        agg["effective_hours"] += r["effective_hours"]
        agg["external_hours"] += r["external_hours"]
        agg["income"] += r["income"]
        agg["no_shows"] += r["no_shows"]
        if r["enterprise_share"] is not None:
            agg["_ext"] += r["enterprise_share"] * r["sessions"]
    out = []
    for agg in by.values():
        ext = agg.pop("_ext")
        agg["enterprise_share"] = (Decimal(ext) / agg["sessions"]).quantize(Decimal("0.0001")) if agg["sessions"] else None
        out.append(agg)
    return out
