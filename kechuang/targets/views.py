"""Web pages of the targets app: plans, reporting, review, assessment, bulletins, dashboard, ledger."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from kechuang.core.audit import record
from kechuang.core.models import AuditEvent, Region
from kechuang.core.permissions import require
from kechuang.core.roles import Role
from kechuang.core.scoping import get_scoped_or_404

from . import services
from .assessment import REWARD_RULE_CITATION, REWARD_RULE_TEXT
from .bulletin import BulletinData, BulletinIndicator, BulletinLine, BulletinRank, build_docx, build_xlsx
from .models import Indicator, Period, PlanFinding, Report, ReportAttachment, TargetPlan, Task
from .parameters import current_parameters
from .selectors import (
    NANAN_DOCUMENT,
    dashboard_series,
    ledger_rows,
    ledger_summary,
    missing_reports,
    period_assessment,
    plan_entries,
)
from .warning import Thresholds

ISSUER = "南安市抓创新促应用专项行动工作领导小组办公室"


def _thresholds() -> Thresholds:
    params = current_parameters()
    return Thresholds(params.warning_green, params.warning_yellow)


def _errors(request, exc: ValidationError) -> None:
    for field_errors in getattr(exc, "message_dict", {"": exc.messages}).values():
        for message in field_errors:
            messages.error(request, message)


def plans(request):
    """The target plans of 南政办〔2021〕67号 附件2 and 明政办〔2021〕62号, with rules and findings."""
    entries = plan_entries()
    regions = list(Region.townships())
    tables = []
    years = list(range(2021, 2026))
    for ind in Indicator.objects.filter(plans__document=NANAN_DOCUMENT).distinct().order_by("sort_order"):
        rows = []
        for region in regions:
            e = entries.get((region.pk, ind.code))
            if e is None:
                continue
            rows.append({"unit": e.unit, "values": [e.target_for(y) for y in years],
                         "baseline": e.baseline, "rule": e.rule_text(),
                         "period_total": e.total_over(2022, 2025) if e.rule == "period_total" else None})
        tables.append({"indicator": ind, "rows": rows})
    sanming = TargetPlan.objects.filter(document="明政办〔2021〕62号").select_related("indicator", "region")
    return render(request, "targets/plans.html", {
        "tables": tables, "years": years, "findings": PlanFinding.objects.all(),
        "sanming": [(p, p.to_entry()) for p in sanming]})


def report(request):
    """Reporting page of a township clerk or department liaison: own unit, open periods."""
    user = request.user
    require(user, "targets.report.submit")
    if request.method == "POST":
        period = get_object_or_404(Period, pk=request.POST.get("period"))
        indicator = get_object_or_404(Indicator, pk=request.POST.get("indicator"))
        region = get_object_or_404(Region, pk=request.POST.get("region"))
        try:
            services.report_submit(user=user, period=period, region=region, indicator=indicator,
                                   value=request.POST.get("value", ""), note=request.POST.get("note", ""),
                                   files=request.FILES.getlist("files"))
            messages.success(request, f"已提交：{region} {indicator.name} {period.label}")
        except ValidationError as exc:
            _errors(request, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return redirect(f"{request.path}?period={period.pk}")
    periods = list(Period.objects.all())
    period = None
    if periods:
        wanted = request.GET.get("period")
        period = next((p for p in periods if str(p.pk) == wanted), None) or next(
            (p for p in periods if p.status == "open"), periods[0])
    rows = []
    if period is not None:
        entries = plan_entries()
        indicators = list(Indicator.objects.filter(plans__document=NANAN_DOCUMENT).distinct().order_by("sort_order"))
        if user.role == Role.TOWNSHIP_CLERK:
            pairs = [(user.township, ind) for ind in indicators if user.township_id]
        elif user.role == Role.DEPT_LIAISON:
            pairs = [(r, ind) for ind in indicators if ind.reporting_org_id == user.org_unit_id
                     for r in Region.townships()]
        else:
            pairs = [(r, ind) for r in Region.townships() for ind in indicators]
        reports = {(r.region_id, r.indicator_id): r for r in
                   Report.objects.restrict(user).filter(period=period).prefetch_related("revisions", "attachments")}
        for region, ind in pairs:
            e = entries.get((region.pk, ind.code))
            rows.append({"region": region, "indicator": ind, "target": e.target_for(period.year) if e else None,
                         "rule": e.rule_text() if e else "本文件未下达该指标",
                         "report": reports.get((region.pk, ind.pk))})
    return render(request, "targets/report.html", {"periods": periods, "period": period, "rows": rows,
                                                   "today": dt.date.today()})


def review(request):
    """Staff review queue: approve or return submitted reports; open and close periods."""
    require(request.user, "targets.report.approve")
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "open":
                year = int(request.POST.get("year", "0"))
                services.period_open(user=user, year=year, kind=request.POST.get("kind", ""))
                messages.success(request, f"已开启 {year} 年填报期")
            elif action == "close":
                services.period_close(user=user, period=get_object_or_404(Period, pk=request.POST.get("period")))
                messages.success(request, "填报期已关闭")
            else:
                r = get_scoped_or_404(Report, user, "change", pk=request.POST.get("report"))
                if action == "approve":
                    services.report_approve(user=user, report=r)
                    messages.success(request, f"已通过：{r}")
                elif action == "return":
                    services.report_return(user=user, report=r, reason=request.POST.get("reason", ""))
                    messages.success(request, f"已退回：{r}")
        except ValidationError as exc:
            _errors(request, exc)
        except ValueError:
            messages.error(request, "年度应为四位数字")
        return redirect(request.get_full_path())
    status = request.GET.get("status", "submitted")
    qs = (Report.objects.restrict(user).select_related("period", "region", "indicator", "submitted_by")
          .prefetch_related("revisions", "attachments"))
    if status in Report.Status.values:
        qs = qs.filter(status=status)
    today = dt.date.today()
    periods = [(p, missing_reports(user=user, period=p)) for p in Period.objects.all()]
    periods = [(p, missing, today > p.deadline) for p, missing in periods]
    return render(request, "targets/review.html", {"reports": qs[:300], "status": status,
                                                   "statuses": Report.Status.choices,
                                                   "periods": periods, "this_year": today.year})


def _period_and_assessment(request, pk):
    period = get_object_or_404(Period, pk=pk)
    on = None
    if request.GET.get("on"):
        try:
            on = dt.date.fromisoformat(request.GET["on"])
        except ValueError:
            raise ValidationError({"on": "日期格式应为 YYYY-MM-DD"}) from None
    return period, period_assessment(user=request.user, period=period, on=on)


def assessment(request, pk: int):
    """Completion, early warning and ranking of a period; the reward rule applied and cited.
    Staff may change the assessment weights here (POST)."""
    if request.method == "POST":
        require(request.user, "targets.weights.change")
        weights = {key[len("weight_"):]: value for key, value in request.POST.items() if key.startswith("weight_")}
        try:
            changed = services.indicator_set_weights(user=request.user, weights=weights)
            messages.success(request, f"已更新 {len(changed)} 个指标的权重，排名已按新权重重新计算")
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("targets:assessment", pk=pk)
    try:
        period, a = _period_and_assessment(request, pk)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("targets:assessment", pk=pk)
    rows = [{"region": r, "cells": [a.cell(r, i) for i in a.indicators]} for r in a.regions]
    names = {i.code: i.name for i in a.indicators}
    ranking = [(r, "、".join(names.get(code, code) for code in r.missed)) for r in a.ranking]
    return render(request, "targets/assessment.html", {
        "period": period, "a": a, "rows": rows, "ranking": ranking,
        "all_indicators": Indicator.objects.filter(plans__document=NANAN_DOCUMENT).distinct().order_by("sort_order"), "rule_text": REWARD_RULE_TEXT, "rule_citation": REWARD_RULE_CITATION,
        "warning_rule": _thresholds().rule_text(), "periods": Period.objects.all()})


def _bulletin_data(period, a) -> BulletinData:
    annual = period.kind == "FY"
    indicators = []
    for ind in a.indicators:
        lines = [BulletinLine(r.short_name or r.name, c.target, c.actual, c.rate,
                              c.warning.level if c.warning else None, c.derived)
                 for r in a.regions for c in [a.cell(r, ind)] if c.target is not None]
        indicators.append(BulletinIndicator(ind.name, ind.unit, lines))
    ranking = [BulletinRank(r.rank, r.unit, r.score, r.praised, r.penalised, r.reason) for r in a.ranking]
    weights = "、".join(f"{i.name}{i.weight.normalize():f}" for i in a.indicators)
    return BulletinData(
        title=(f"关于{period.label}全市抓创新促应用专项行动目标任务考核情况的通报" if annual else
               f"关于{period.label}全市抓创新促应用专项行动目标任务完成情况的晾晒通报"),
        period_label=period.label, issuer=ISSUER, doc_number=f"南创新办〔{dt.date.today().year}〕  号",
        issued_on=dt.date.today(),
        addressees="各乡镇（街道）人民政府（办事处）、雪峰开发区管委会，市直有关单位：",
        intro=(f"根据《南安市抓创新促应用专项行动方案》（{NANAN_DOCUMENT}）“半年一晾晒、全年一考核”的推进机制，"
               f"对照附件2任务分解表，现将{period.label}各乡镇（街道）目标任务完成情况通报如下。"),
        ranking=ranking, indicators=indicators, annual=annual,
        full_mark=a.config.full_mark if a.config else None,
        scoring_note=(f"计分办法：综合得分 = {a.config.full_mark.normalize():f} × Σ（权重 × 完成率）÷ Σ权重，单项完成率最高按"
                      f"{(a.config.cap * 100).normalize():f}%计；权重：{weights}。目标为0或未下达的指标不计分。"
                      + ("" if a.config.source.startswith("本平台") else f"{a.config.source}。"))
        if a.config else "",  # a 公文 does not speak of the platform's defaults
        warning_rule=_thresholds().rule_text(),
        requirements=["各乡镇（街道）要对照目标任务，查找差距，倒排工期，确保完成全年目标任务。",
                      "预警为红色、黄色的单位要分析原因，制定整改措施，于10个工作日内报市抓创新促应用专项行动工作领导小组办公室。"],
        copy_to="市委办、市人大办、市政府办、市政协办", printer="南安市科学技术局办公室")


def bulletin(request, pk: int, fmt: str):
    """The 晾晒/考核 bulletin of a period as .docx (公文 layout) or .xlsx.

    Staff get the full bulletin with the ranking; a township clerk gets the extract of their
    own township (the assessment selector scopes the rows)."""
    try:
        period, a = _period_and_assessment(request, pk)
    except ValidationError as exc:
        return HttpResponse("；".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    data = _bulletin_data(period, a)
    record(AuditEvent.Kind.EXPORT, request=request, object_ref=f"targets.Period:{period.pk}",
           detail={"file": f"bulletin.{fmt}", "period": period.label, "units": len(a.regions)})
    if fmt == "docx":
        body = build_docx(data)
        ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        body = build_xlsx(data)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    from kechuang.core.downloads import attachment, dated_name

    return attachment(body, dated_name(f"{period.label}目标任务{'考核' if data.annual else '晾晒'}通报", fmt), ctype)


def dashboard(request):
    """ECharts dashboard: township × indicator heat map, city trends, ranking bars."""
    require(request.user, "targets.assessment.view")
    years = sorted(set(Period.objects.values_list("year", flat=True)), reverse=True)
    try:
        year = int(request.GET.get("year") or (years[0] if years else dt.date.today().year))
    except ValueError:
        year = years[0] if years else dt.date.today().year
    data = dashboard_series(user=request.user, year=year)
    return render(request, "targets/dashboard.html", {"data": data, "years": years, "year": year})


def dashboard_data(request):
    """The dashboard's data as JSON (for refresh and the load benchmark)."""
    require(request.user, "targets.assessment.view")
    try:
        year = int(request.GET.get("year", dt.date.today().year))
    except ValueError:
        return JsonResponse({"error": "year：应为四位年份"}, status=400)
    return JsonResponse(dashboard_series(user=request.user, year=year), json_dumps_params={"ensure_ascii": False})


def ledger(request):
    """工作台账: tasks with units, milestones, progress and overdue warnings; summary for the leadership."""
    rows = ledger_rows(user=request.user)
    return render(request, "targets/ledger.html", {"rows": rows, "summary": ledger_summary(rows)})


def task_detail(request, pk: int):
    """One task: milestones and progress; the lead unit (or staff) adds nodes and progress."""
    task = get_scoped_or_404(Task, request.user, "view", pk=pk)
    can_change = Task.objects.restrict(request.user, "change").filter(pk=pk).exists()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "milestone":
                try:
                    due = dt.date.fromisoformat(request.POST.get("due", ""))
                except ValueError:
                    raise ValidationError({"due": "计划完成日期应为 YYYY-MM-DD"}) from None
                services.milestone_add(user=request.user, task=task, title=request.POST.get("title", ""), due=due)
            elif action == "done":
                m = get_object_or_404(task.milestones, pk=request.POST.get("milestone"))
                services.milestone_done(user=request.user, milestone=m, done_on=dt.date.today())
            elif action == "progress":
                services.task_progress(user=request.user, task=task, text=request.POST.get("text", ""),
                                       percent=request.POST.get("percent", ""))
            elif action == "assign":
                services.task_assign(user=request.user, task=task, leader=request.POST.get("leader", ""),
                                     person=request.POST.get("person", ""))
            messages.success(request, "已保存")
        except ValidationError as exc:
            _errors(request, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return redirect("targets:task", pk=pk)
    row = next(r for r in ledger_rows(user=request.user) if r["task"].pk == task.pk)
    from django.utils import timezone

    from .derived import task_figures

    year = timezone.localdate().year
    return render(request, "targets/task.html", {"task": task, "row": row, "can_change": can_change,
                                                 "updates": task.updates.all(), "figures_year": year,
                                                 "figures": task_figures(task.code, request.user, year)})


def attachment(request, pk: int):
    """Download an evidence file of a report the user may see."""
    item = get_scoped_or_404(ReportAttachment, request.user, "view", pk=pk)
    response = FileResponse(item.file.open("rb"), as_attachment=True)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item.name)}"
    return response
