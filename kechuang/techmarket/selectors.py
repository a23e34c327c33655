"""Reads of the technology market; the turnover functions feed the targets module."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum

from .models import Match, TechContract


def contract_turnover(*, start: date, end: date, township=None, user=None) -> Decimal:
    """技术合同成交额 (万元) of contracts registered in [start, end], for one township or all.

    ``user`` (optional) applies row scoping; the targets module calls it without a user.
    """
    if end < start:
        raise ValueError("contract_turnover: end 早于 start")
    qs = TechContract.objects.all() if user is None else TechContract.objects.restrict(user)
    qs = qs.filter(registered_on__gte=start, registered_on__lte=end)
    if township is not None:
        qs = qs.filter(township=township)
    return qs.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def contract_turnover_by_township(*, start: date, end: date, user=None) -> dict[int, Decimal]:
    """{township id: 技术合同成交额 (万元)} for contracts registered in [start, end]."""
    qs = TechContract.objects.all() if user is None else TechContract.objects.restrict(user)
    rows = (qs.filter(registered_on__gte=start, registered_on__lte=end)
            .values("township_id").annotate(total=Sum("amount")).order_by("township_id"))
    return {r["township_id"]: r["total"] for r in rows}


def match_outcomes_by_field(*, user=None) -> list[dict]:
    """Per achievement field: suggestions, answered, 有意向, dispatched, deals, and the partner rate
    (share of needs with at least one suggestion that reached a deal)."""
    qs = Match.objects.all() if user is None else Match.objects.restrict(user)
    rows = (qs.values("need__field").annotate(
        suggestions=Count("id"), answered=Count("id", filter=~Q(feedback="")),
        interested=Count("id", filter=Q(feedback="interested")),
        dispatched=Count("dispatch"), deals=Count("dispatch__deal"),
        needs=Count("need", distinct=True),
        needs_with_deal=Count("need", filter=Q(dispatch__deal__isnull=False), distinct=True))
        .order_by("need__field"))
    out = []
    for r in rows:
        out.append({"field": r["need__field"] or "未分类", **{k: r[k] for k in
                    ("suggestions", "answered", "interested", "dispatched", "deals", "needs", "needs_with_deal")},
                    "partner_rate": (r["needs_with_deal"] / r["needs"]) if r["needs"] else 0.0})
    return out
