"""科技特派员 API (signed in, session auth; scoped like the pages):

- ``GET /api/commissioners/commissioners``: the commissioners the user may see.
- ``GET /api/commissioners/needs``: 订单式需求 in the user's scope.
- ``GET /api/commissioners/logs?status=``: service logs in the user's scope.
- ``POST /api/commissioners/logs/{id}/confirm``: the recipient confirms or disputes a log.
- ``GET /api/commissioners/coverage?year=``: township coverage of the year.
"""
from __future__ import annotations

from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import Field, Form, Router, Schema, Status

from kechuang.core.inputs import ApiId, ApiYear
from kechuang.core.scoping import get_scoped_or_404

from . import selectors, services
from .models import Commissioner, Need, ServiceLog

router = Router(tags=["科技特派员"])


class ErrorOut(Schema):
    detail: str
    field: str = ""


class ConfirmIn(Schema):
    confirmed: bool
    reason: str = Field("", max_length=2000)
    rating: Annotated[int, Field(ge=1, le=5)] | None = None
    income_increase: str = Field("0", max_length=40)
    new_varieties: Annotated[int, Field(ge=0, le=1000)] = 0
    new_techniques: Annotated[int, Field(ge=0, le=1000)] = 0


def _log(x: ServiceLog) -> dict:
    return {"id": x.pk, "commissioner": x.commissioner.name, "recipient": x.recipient.name,
            "served_on": x.served_on.isoformat(), "days": str(x.days), "content": x.content, "people": x.people,
            "online": x.online, "status": x.status, "status_label": x.get_status_display(), "counts": x.counts}


@router.get("/commissioners", response=list[dict], url_name="commissioners_api_list")
def commissioners_api_list(request):
    """科技特派员（按权限范围）。"""
    qs = Commissioner.objects.restrict(request.user, "view").order_by("name")[:1000]
    return [{"id": c.pk, "name": c.name, "kind": c.kind, "level": c.level, "source": c.source,
             "dispatch_unit": c.dispatch_unit, "fields": c.fields, "recognised_year": c.recognised_year,
             "valid_until": c.valid_until.isoformat(), "status": c.status} for c in qs]


@router.get("/needs", response=list[dict], url_name="commissioners_api_needs")
def commissioners_api_needs(request):
    """订单式需求（按权限范围）。"""
    qs = Need.objects.restrict(request.user, "view").select_related("recipient")[:1000]
    return [{"id": n.pk, "title": n.title, "recipient": n.recipient.name, "field": n.field, "status": n.status,
             "posted_on": n.posted_on.isoformat()} for n in qs]


@router.get("/logs", response=list[dict], url_name="commissioners_api_logs")
def commissioners_api_logs(request, status: str = ""):
    """服务日志（按权限范围）；status 可选 pending/confirmed/disputed/rejected。"""
    qs = ServiceLog.objects.restrict(request.user, "view").select_related("commissioner", "recipient")
    if status:
        qs = qs.filter(status=status)
    return [_log(x) for x in qs[:1000]]


@router.post("/logs/{pk}/confirm", response={200: dict, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
             url_name="commissioners_api_confirm")
def commissioners_api_confirm(request, pk: ApiId, payload: Form[ConfirmIn]):
    """服务对象确认（confirmed=true）或提出异议（confirmed=false，reason 必填）；表单提交（手机页面同一规则）。"""
    try:
        log = get_scoped_or_404(ServiceLog, request.user, "change", pk=pk)
        log = services.log_confirm(actor=request.user, log=log, confirmed=payload.confirmed, reason=payload.reason,
                                   rating=payload.rating, income_increase=payload.income_increase,
                                   new_varieties=payload.new_varieties, new_techniques=payload.new_techniques)
    except Http404:
        return Status(404, {"detail": "没有找到该服务日志"})
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc) or "无权确认该服务日志"})
    except services.CommissionerError as exc:
        return Status(422, {"detail": exc.message, "field": exc.field})
    return Status(200, _log(log))


@router.get("/coverage", response={200: dict, 403: ErrorOut}, url_name="commissioners_api_coverage")
def commissioners_api_coverage(request, year: ApiYear | None = None):
    """乡镇服务覆盖（本年或指定年度）。"""
    from kechuang.core.permissions import has_perm

    if not has_perm(request.user, "commissioners.stats.view"):
        return Status(403, {"detail": "您没有权限查看科技特派员服务覆盖与统计。"})
    cov = selectors.coverage(request.user, year or timezone.localdate().year)
    return Status(200, {"year": cov["year"], "townships": cov["townships"], "covered": cov["covered"],
                        "villages": cov["villages"], "villages_served": cov["villages_served"],
                        "rows": [{"township": r["name"], "logs": r["logs"], "days": str(r["days"]),
                                  "covered": r["covered"], "commissioners": r["commissioners"],
                                  "villages": r["villages"], "villages_served": r["villages_served"]}
                                 for r in cov["rows"]]})
