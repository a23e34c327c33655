"""Diagnosis API: facts in, verdict out (contract section 3 JSON), 422 on bad facts.

- ``POST /api/diagnosis/evaluate`` (signed in) and ``POST /api/public/diagnosis/evaluate``
  (no account; nothing read or stored): body = the facts object of contract section 2;
  query ``scheme`` (one of the five, or ``all``) and ``on`` (evaluation date).
- ``GET /api/diagnosis/enterprises/{pk}``: every scheme for a registry enterprise the user
  may view (scoped like the enterprise page).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Body, Router, Schema, Status

from kechuang.core.inputs import ApiId
from kechuang.diagnosis import selectors
from kechuang.rules.engine import SCHEMES
from kechuang.rules.facts import FactsError

router = Router(tags=["资格预诊断"])
public_router = Router(tags=["资格预诊断（公开自测）"], auth=None)


class FactsErrorOut(Schema):
    detail: str
    key: str


class VerdictsOut(Schema):
    verdicts: list[dict[str, Any]]


def _evaluate(payload: dict, scheme: str, on: dt.date | None):
    if scheme != "all" and scheme not in SCHEMES:
        return Status(422, {"detail": f"未知的认定类型“{scheme}”，可选：{'、'.join(SCHEMES)}、all", "key": "scheme"})
    try:
        _, verdicts = selectors.facts_verdicts(payload, on=on,
                                               schemes=SCHEMES if scheme == "all" else (scheme,))
    except FactsError as exc:
        return Status(422, {"detail": f"{exc.key}：{exc.message}", "key": exc.key})
    if scheme != "all":
        return Status(200, verdicts[0].to_json())
    return Status(200, {"verdicts": [v.to_json() for v in verdicts]})


@router.post("/evaluate", response={200: dict[str, Any], 422: FactsErrorOut},
             url_name="diagnosis_api_evaluate")
def diagnosis_api_evaluate(request, payload: dict = Body(...), scheme: str = "all",
                           on: dt.date | None = None):
    """预诊断：提交企业数据（facts JSON），返回认定结论（格式见 docs/commands.md）。scheme=all 返回全部五类。"""
    return _evaluate(payload, scheme, on)


@public_router.post("/evaluate", response={200: dict[str, Any], 422: FactsErrorOut},
                    url_name="diagnosis_public_evaluate")
def diagnosis_public_evaluate(request, payload: dict = Body(...), scheme: str = "all",
                              on: dt.date | None = None):
    """公开自测：无需登录，不保存任何数据。"""
    return _evaluate(payload, scheme, on)


@router.get("/enterprises/{pk}", response=VerdictsOut, url_name="diagnosis_api_enterprise")
def diagnosis_api_enterprise(request, pk: ApiId, on: dt.date | None = None):
    """企业库中一家企业的五类预诊断结论（按数据权限）。"""
    _, _, verdicts = selectors.enterprise_verdicts(request.user, pk, on=on)
    return {"verdicts": [v.to_json() for v in verdicts]}
