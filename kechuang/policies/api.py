"""API of the policy app: the calculator (signed-in and public) and the scoped case list."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from kechuang.core.inputs import ApiYear

from .engine import PolicyInputError, calculate, load_policies
from .selectors import cases_for, engine_policies

router = Router(tags=["政策兑现"])
public_router = Router(auth=None, tags=["政策计算器（公开）"])


class CalcIn(Schema):
    facts: dict[str, Any]
    year: ApiYear
    all: bool = False


def _calc(payload: CalcIn, policies) -> dict:
    try:
        return calculate(payload.facts, payload.year, policies).to_json(include_all=payload.all)
    except PolicyInputError as exc:
        raise HttpError(422, f"{exc.key}：{exc.message}") from None


@router.post("/calc", url_name="policies_calc")
def policies_calc(request: HttpRequest, payload: CalcIn):
    """政策测算 (contract section 4 JSON) with the published policies of the database."""
    return _calc(payload, engine_policies())


@router.get("/cases", url_name="policies_cases")
def policies_cases(request: HttpRequest, year: ApiYear | None = None, status: str | None = None):
    """兑现案件 the user may see (row-scoped)."""
    qs = cases_for(request.user, year=year, status=status)[:500]
    return [{"id": c.pk, "year": c.year, "uscc": c.enterprise.uscc if c.enterprise_id else "",
             "enterprise": c.enterprise.name if c.enterprise_id else "", "payee": c.payee_display,
             "measure": c.measure.code, "title": c.measure.title, "status": c.status,
             "amount": float(c.amount), "amount_max": None if c.amount_max is None else float(c.amount_max),
             "paused": c.paused} for c in qs]


@public_router.post("/calc", url_name="policies_public_calc")
def policies_public_calc(request: HttpRequest, payload: CalcIn):
    """公开的政策测算: the shipped policy data only; nothing read from or stored in the registry."""
    return _calc(payload, [p for p in load_policies() if p.status == "published"])
