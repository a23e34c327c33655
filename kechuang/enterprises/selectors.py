"""Reads of the enterprise registry, always through the scoping choke point (`user` first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from kechuang.enterprises import vocab
from kechuang.enterprises.models import Enterprise, Qualification

EXPIRY_WARNING_DAYS = 90
SORTS = {
    "name": ("name", "id"), "-name": ("-name", "-id"),
    "township": ("township__sort_order", "name", "id"), "-township": ("-township__sort_order", "name", "id"),
    "established": ("established_on", "id"), "-established": ("-established_on", "-id"),
    "employees": ("employees", "id"), "-employees": ("-employees", "-id"),
    "updated": ("updated_at", "id"), "-updated": ("-updated_at", "-id"),
}
VALIDITY = {"valid": "有效期内", "expiring": "90 天内到期", "expired": "已过期"}


@dataclass
class ListFilters:
    """The filters of the enterprise list (also used by the export and the API)."""

    q: str = ""
    township: int | None = None
    qualification: str = ""
    validity: str = ""
    industry: str = ""
    size: str = ""
    sort: str = "name"

    @classmethod
    def from_query(cls, data) -> ListFilters:
        """Read the filters from request.GET; unknown values are ignored (treated as no filter)."""
        township = data.get("township") or ""
        return cls(
            q=(data.get("q") or "").strip()[:60],
            township=int(township) if township.isdigit() else None,
            qualification=data.get("qualification") if data.get("qualification") in vocab.QUALIFICATION_KINDS else "",
            validity=data.get("validity") if data.get("validity") in VALIDITY else "",
            industry=(data.get("industry") or "").strip()[:10],
            size=data.get("size") if data.get("size") in vocab.SIZE_CLASSES else "",
            sort=data.get("sort") if data.get("sort") in SORTS else "name",
        )

    def as_query(self) -> dict:
        """The non-empty filters as query parameters (for pager and export links)."""
        return {k: v for k, v in (("q", self.q), ("township", self.township or ""), ("qualification", self.qualification),
                                   ("validity", self.validity), ("industry", self.industry), ("size", self.size),
                                   ("sort", self.sort if self.sort != "name" else "")) if v}


def _qualification_q(kind: str, validity: str, today: dt.date) -> Q:
    q = Q(kind=kind) if kind else Q()
    valid = (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    if validity == "valid":
        q &= valid
    elif validity == "expiring":
        q &= valid & Q(valid_until__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS))
    elif validity == "expired":
        q &= Q(valid_until__lt=today)
    return q


def enterprise_list(user, filters: ListFilters, action: str = "view", today: dt.date | None = None) -> QuerySet:
    """The enterprises `user` may see, filtered and sorted (no row fetched yet)."""
    today = today or dt.date.today()
    qs = Enterprise.objects.restrict(user, action).select_related("township")
    if filters.township:
        qs = qs.filter(township_id=filters.township)
    if filters.size:
        qs = qs.filter(size_class=filters.size)
    if filters.industry:
        codes = [c for c, g in vocab.INDUSTRY_GROUPS.items() if g == filters.industry]
        qs = qs.filter(industry_code__in=codes) if codes else qs.filter(industry_code__istartswith=filters.industry)
    if filters.qualification or filters.validity:
        quals = Qualification.objects.filter(_qualification_q(filters.qualification, filters.validity, today),
                                             enterprise=OuterRef("pk"))
        qs = qs.filter(Exists(quals))
    if filters.q:
        text = filters.q
        cond = Q(name__icontains=text) | Q(uscc__istartswith=text.upper())
        if text.isascii() and text.isalnum():
            cond |= Q(initials__startswith=text.lower())
        qs = qs.filter(cond)
    return qs.order_by(*SORTS[filters.sort])


def with_current_qualifications(qs: QuerySet, today: dt.date | None = None) -> QuerySet:
    """Prefetch the qualifications valid today (one query for the whole page)."""
    today = today or dt.date.today()
    return qs.prefetch_related(Prefetch("qualifications", to_attr="current_qualifications",
                                        queryset=Qualification.objects.filter(_qualification_q("", "valid", today))))


def enterprise_detail(user, pk: int) -> Enterprise:
    """One enterprise with its township (404 outside the user's scope)."""
    from kechuang.core.scoping import get_scoped_or_404

    return get_scoped_or_404(Enterprise.objects.select_related("township"), user, "view", pk=pk)


def qualification_rows(enterprise: Enterprise, today: dt.date | None = None) -> list[dict]:
    """The enterprise's qualifications with their state: valid / expiring (≤ 90 days) / expired."""
    today = today or dt.date.today()
    rows = []
    for q in enterprise.qualifications.all():
        left = q.days_left(today)
        if left is not None and left < 0:
            state, label = "bad", "已过期"
        elif not q.is_valid_on(today):
            state, label = "", "未生效"
        elif left is not None and left <= EXPIRY_WARNING_DAYS:
            state, label = "warn", f"{left} 天后到期"
        else:
            state, label = "ok", "有效"
        rows.append({"q": q, "state": state, "label": label, "days_left": left})
    return rows


def trend_series(fiscal_years) -> dict:
    """Yearly series for the trend chart: years, 营业收入, 研发费用, 净利润 (万元, as strings)."""
    years = sorted(fiscal_years, key=lambda y: y.year)
    return {
        "years": [y.year for y in years],
        "series": [{"name": label, "data": [None if getattr(y, f) is None else str(getattr(y, f)) for y in years]}
                   for f, label in (("operating_revenue", "营业收入"), ("rd_expense", "研究开发费用总额"), ("net_profit", "净利润"))],
    }
