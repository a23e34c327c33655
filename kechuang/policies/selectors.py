"""Reads of the policy app (each taking the acting user where rows are scoped)."""

from __future__ import annotations

from django.db.models import QuerySet

from .engine.loader import load_policies
from .engine.model import Policy
from .models import Case, PolicyDocument


def engine_policies(*, include: list[PolicyDocument] | None = None) -> tuple[Policy, ...]:
    """The published (non-sandbox) policies as engine objects, from the database; the shipped YAML
    only when the database holds no policy at all (e.g. before the reference load). ``include`` adds drafts."""
    if PolicyDocument.objects.exists():
        docs = PolicyDocument.objects.filter(status="published", is_sandbox=False).prefetch_related("measures")
        policies = [d.to_engine() for d in docs]
    else:
        policies = [p for p in load_policies() if p.status == "published"]
    for extra in include or ():
        policies.append(extra.to_engine())
    return tuple(policies)


def cases_for(user, *, year: int | None = None, status: str | None = None, measure: int | None = None,
              township: int | None = None) -> QuerySet:
    """Cases the user may see, newest year first, optionally of one measure and one township."""
    qs = Case.objects.restrict(user, "view").select_related("enterprise", "enterprise__township", "measure",
                                                              "measure__policy")
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    if measure:
        qs = qs.filter(measure_id=measure)
    if township:
        qs = qs.filter(enterprise__township_id=township)
    return qs


def publicized_cases(*, year: int | None = None) -> QuerySet:
    """The 公示 list: cases in 公示 or later (paid), shown publicly with clause, data and result."""
    qs = Case.objects.filter(status__in=["publicized", "paid"]).select_related(
        "enterprise", "enterprise__township", "measure", "measure__policy")
    return qs.filter(year=year) if year else qs
