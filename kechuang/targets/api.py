"""Targets API (signed in, session auth):

- ``GET /api/targets/series?base=&growth=&year_from=&year_to=&decimals=``: the compound-growth
  series of contract section 5 (``{"2020": 22000, …}``); 422 naming the field on bad input.
- ``GET /api/targets/reports?year=&kind=``: the reports the user may see (scoped like the pages).
- ``POST /api/targets/reports``: submit or correct a report (same rules as the web form);
  403 for another unit's figure, 422 naming the field for a closed period or text in a number.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status

from kechuang.core.inputs import ApiSmall, ApiYear
from kechuang.core.models import Region

from . import services
from .models import Indicator, Period, Report
from .numbers import TargetDataError
from .series import generate_series

router = Router(tags=["目标任务"])


class ErrorOut(Schema):
    detail: str
    field: str = ""


class ReportIn(Schema):
    year: ApiYear
    kind: str
    township: str
    indicator: str
    value: str
    note: str = ""


class ReportOut(Schema):
    id: int
    period: str
    township: str
    indicator: str
    value: str
    status: str
    version: int
    overdue: bool
    return_reason: str


def _out(r: Report) -> dict:
    return {"id": r.pk, "period": r.period.label, "township": r.region.short_name or r.region.name,
            "indicator": r.indicator.code, "value": format(r.value.normalize(), "f"), "status": r.status,
            "version": r.version, "overdue": r.overdue, "return_reason": r.return_reason}


@router.get("/series", response={200: dict[str, float], 422: ErrorOut}, url_name="targets_api_series")
def targets_api_series(request, base: str, growth: str, year_from: str, year_to: str, decimals: ApiSmall = 0):
    """复合增长目标序列（格式见 docs/commands.md）：各年 = 四舍五入（基数 ×（1+增长率）^（年份−起始年））。"""
    try:
        series = generate_series(base, growth, year_from, year_to, decimals)
    except TargetDataError as exc:
        return Status(422, {"detail": str(exc), "field": str(exc).split("（")[0].split("：")[0]})
    return Status(200, {str(y): (int(v) if decimals == 0 else float(v)) for y, v in series.items()})


@router.get("/reports", response=list[ReportOut], url_name="targets_api_reports")
def targets_api_reports(request, year: ApiYear | None = None, kind: str | None = None):
    """本人可见的填报（乡镇填报员只见本乡镇）。"""
    qs = Report.objects.restrict(request.user, "view").select_related("period", "region", "indicator")
    if year:
        qs = qs.filter(period__year=year)
    if kind:
        qs = qs.filter(period__kind=kind)
    return [_out(r) for r in qs[:2000]]


@router.post("/reports", response={200: ReportOut, 403: ErrorOut, 422: ErrorOut},
             url_name="targets_api_report_submit")
def targets_api_report_submit(request, payload: ReportIn):
    """填报或更正一项完成值（与网页填报相同的校验）。A refusal is the API-wide 403 (kechuang/api.py)."""
    period = Period.objects.filter(year=payload.year, kind=payload.kind).first()
    if period is None:
        return Status(422, {"detail": f"填报期 {payload.year} {payload.kind} 不存在或未开启", "field": "period"})
    region = Region.resolve(payload.township)
    if region is None or not region.is_township_level:
        return Status(422, {"detail": f"未知的乡镇（街道）“{payload.township}”", "field": "township"})
    indicator = Indicator.objects.filter(code=payload.indicator).first()
    if indicator is None:
        return Status(422, {"detail": f"未知指标“{payload.indicator}”", "field": "indicator"})
    try:
        report = services.report_submit(user=request.user, period=period, region=region, indicator=indicator,
                                        value=payload.value, note=payload.note)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        return Status(422, {"detail": "；".join(messages), "field": field})
    return Status(200, _out(report))
