"""Web pages of the targets app: plans, reporting, review, assessment, bulletins, dashboard, ledger."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from kechuang.core.audit import record
from kechuang.core.bounds import YEAR
from kechuang.core.models import AuditEvent, Region
from kechuang.core.permissions import can, require
from kechuang.core.roles import Role
from kechuang.core.scoping import get_scoped_or_404

from . import services
from .assessment import REWARD_RULE_CITATION, REWARD_RULE_TEXT
from .bulletin import BulletinData, BulletinIndicator, BulletinLine, BulletinRank, build_docx, build_xlsx
from .models import Indicator, Period, PlanDocument, PlanFinding, Report, ReportAttachment, TargetPlan, Task
from .parameters import current_parameters
from .plan_entry import (
    MAX_SPAN_YEARS,
    PlanHeader,
    enter_plan,
    form_table,
    next_span,
    read_workbook,
    template_workbook,
)
from .plans import PlanImportError
from .selectors import (
    NANAN_DOCUMENT,
    covering_document,
    dashboard_series,
    ledger_rows,
    ledger_summary,
    missing_reports,
    period_assessment,
    plan_entries,
    township_indicators,
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


def _township_documents():
    township_docs = TargetPlan.objects.filter(region__in=Region.townships()).values("document")
    return list(PlanDocument.objects.filter(document__in=township_docs).order_by("first_year", "document"))


def plans(request):
    """The township target plans (南政办〔2021〕67号 附件2 for 2021—2025 and any later plan the bureau
    entered), one document at a time, with rules and findings; 明政办〔2021〕62号 below."""
    documents = _township_documents()
    wanted = request.GET.get("doc", "")
    this_year = dt.date.today().year
    doc = (next((d for d in documents if d.document == wanted), None)
           or next((d for d in reversed(documents) if d.first_year <= this_year <= d.last_year), None)
           or (documents[-1] if documents else None))
    tables, years = [], []
    if doc is not None:
        entries = plan_entries(doc.document)
        regions = list(Region.townships())
        years = doc.years
        for ind in Indicator.objects.filter(plans__document=doc.document).distinct().order_by("sort_order"):
            rows = []
            for region in regions:
                e = entries.get((region.pk, ind.code))
                if e is None:
                    continue
                rows.append({"unit": e.unit, "values": [e.target_for(y) for y in years],
                             "baseline": e.baseline, "rule": e.rule_text(),
                             "period_total": e.total_over(*e.period) if e.rule == "period_total" else None,
                             "period": e.period})
            tables.append({"indicator": ind, "rows": rows,
                           "has_period": any(r["period_total"] is not None for r in rows)})
    sanming = TargetPlan.objects.filter(document="明政办〔2021〕62号").select_related("indicator", "region")
    findings = PlanFinding.objects.filter(document=doc.document) if doc else PlanFinding.objects.none()
    return render(request, "targets/plans.html", {
        "documents": documents, "doc": doc, "tables": tables, "years": years, "findings": findings,
        "sanming": [(p, p.to_entry()) for p in sanming], "may_enter": can(request.user, "targets.plan.enter"),
        "next_span": next_span(), "demo_documents": any(d.is_demo for d in documents)})


def _plan_years(request, data) -> tuple[int, int, list[str]]:
    first, last = next_span()
    errors = []
    try:
        first = int(data.get("first_year") or first)
        last = int(data.get("last_year") or (first + 4))
    except ValueError:
        errors.append("起始年、终止年应为四位年份")
    if not (YEAR.lo <= first <= YEAR.hi and YEAR.lo <= last <= YEAR.hi) or last < first or last - first >= MAX_SPAN_YEARS:
        errors.append(f"起止年应为 {MAX_SPAN_YEARS} 年以内的两个年份，如 2026—2030")
        first, last = next_span()
    return first, last, errors


def _saved_message(request, doc, findings, saved) -> None:
    messages.success(request, f"已保存 {saved} 条目标到《{doc.title}》（{doc.document}，{doc.span}）")
    for name in getattr(doc, "replaced_demo", []):
        messages.info(request, f"演示分解表 {name} 中相同乡镇、指标和年份的演示目标已由本文件替换")
    for f in findings:
        messages.warning(request, f"合计核对：{f.message}")


def plan_new(request):
    """Enter one indicator table of a new multi-year plan by form (staff)."""
    require(request.user, "targets.plan.enter")
    data = request.POST if request.method == "POST" else request.GET
    first, last, year_errors = _plan_years(request, data)
    regions = list(Region.townships())
    indicators = list(township_indicators())
    errors: list[str] = []
    if request.method == "POST" and not year_errors:
        header, errors = PlanHeader.from_post(request.POST)
        indicator = next((i for i in indicators if str(i.pk) == request.POST.get("indicator")), None)
        if indicator is None:
            errors.append("指标：请选择本表的指标")
        else:
            table, cell_errors = form_table(request.POST, indicator=indicator, regions=regions, first=first, last=last)
            errors += cell_errors
            if not errors:
                try:
                    doc, findings, saved = enter_plan(actor=request.user, header=header, tables=[table],
                                                      origin=PlanDocument.Origin.FORM)
                    _saved_message(request, doc, findings, saved)
                    return redirect(f"{reverse('targets:plans')}?doc={quote(doc.document)}")
                except PlanImportError as exc:
                    errors += exc.errors
    grid = [{"region": r, "cells": [(y, data.get(f"v-{r.pk}-{y}", "")) for y in range(first, last + 1)],
             "base": data.get(f"base-{r.pk}", "")} for r in regions]
    return render(request, "targets/plan_new.html", {
        "first": first, "last": last, "years": list(range(first, last + 1)), "grid": grid, "data": data,
        "indicators": indicators, "errors": year_errors + errors,
        "sums": [(y, data.get(f"sum-{y}", "")) for y in range(first, last + 1)],
        "entered": PlanDocument.objects.exclude(origin=PlanDocument.Origin.SHIPPED)})


def plan_import(request):
    """Import a plan from a workbook in the seed tables' layout (staff); all or nothing."""
    require(request.user, "targets.plan.enter")
    data = request.POST if request.method == "POST" else request.GET
    first, last, errors = _plan_years(request, data)
    if request.method == "POST" and not errors:
        header, errors = PlanHeader.from_post(request.POST)
        upload = request.FILES.get("file")
        if upload is None:
            errors.append("请选择要导入的 Excel 文件（.xlsx）")
        elif not errors:
            tables, errors = read_workbook(upload, first=first, last=last)
            if not errors:
                try:
                    doc, findings, saved = enter_plan(actor=request.user, header=header, tables=tables,
                                                      origin=PlanDocument.Origin.WORKBOOK)
                    _saved_message(request, doc, findings, saved)
                    return redirect(f"{reverse('targets:plans')}?doc={quote(doc.document)}")
                except PlanImportError as exc:
                    errors = exc.errors
    return render(request, "targets/plan_import.html", {"first": first, "last": last, "data": data,
                                                        "errors": errors})


def plan_template(request):
    """The import workbook for ``first_year..last_year`` in the seed layout."""
    require(request.user, "targets.plan.enter")
    first, last, _errors = _plan_years(request, request.GET)
    from kechuang.core.downloads import attachment, dated_name

    return attachment(template_workbook(first=first, last=last),
                      dated_name(f"目标任务分解表模板{first}-{last}", "xlsx"),
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


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
        indicators = list(township_indicators())
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
                         "rule": e.rule_text(period.year) if e else "本年度没有下达该指标的文件",
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
        "all_indicators": township_indicators(), "rule_text": REWARD_RULE_TEXT, "rule_citation": REWARD_RULE_CITATION,
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
               f"对照{_plan_name(period.year)}，现将{period.label}各乡镇（街道）目标任务完成情况通报如下。"),
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


def _plan_name(year: int) -> str:
    """The plan that sets the year's targets, as a bulletin names it."""
    doc = covering_document(year)
    if doc is None or doc.document == NANAN_DOCUMENT:
        return "附件2任务分解表"
    return f"《{doc.title}》（{doc.document}）目标任务分解表"


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


def bulletin_start(request, pk: int):
    """POST: generate the bulletin in a background job; back to the assessment page, which shows
    the job's progress bar and, when done, the download link (the page stays usable meanwhile)."""
    if request.method != "POST":
        return HttpResponse(status=405)
    require(request.user, "targets.bulletin.manage")
    period = get_object_or_404(Period, pk=pk)
    fmt = request.POST.get("fmt", "")
    on = request.POST.get("on", "")
    try:
        if fmt not in ("docx", "xlsx"):
            raise ValidationError({"fmt": "格式应为 docx 或 xlsx"})
        if on:
            try:
                on = dt.date.fromisoformat(on).isoformat()
            except ValueError:
                raise ValidationError({"on": "日期格式应为 YYYY-MM-DD"}) from None
        from kechuang.jobs.services import job_start

        job_start(actor=request.user, kind="targets.bulletin", args={"period": period.pk, "fmt": fmt, "on": on},
                  label=f"{period.label}通报（{'Word' if fmt == 'docx' else 'Excel'}）")
        messages.success(request, "通报正在后台生成，完成后在本页下载")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(reverse("targets:assessment", args=[period.pk]) + (f"?on={on}" if on else ""))


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
