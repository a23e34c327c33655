"""Pages of 资格预诊断: the enterprise's 预诊断 tab, the public self-check, the 培育库 pipeline."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kechuang.core.downloads import attachment, dated_name
from kechuang.core.permissions import can, require
from kechuang.core.roles import Role
from kechuang.core.scoping import get_scoped_or_404
from kechuang.diagnosis import selectors
from kechuang.diagnosis.forms import SelfCheckForm
from kechuang.diagnosis.gaps import top_gap_texts
from kechuang.diagnosis.models import RUNGS, DiagnosisResult, DiagnosisRun
from kechuang.rules.docx_report import build_docx
from kechuang.rules.engine import NoRulesInForce, schemes_in_force
from kechuang.rules.facts import FactsError, key_label
from kechuang.rules.report import conclusion, held_text, next_steps

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _on(request) -> dt.date:
    """The evaluation date asked for; today when absent, malformed or before any rules in force
    (the page then says so, see :func:`_on_notice`)."""
    raw = request.GET.get("on") or request.POST.get("on") or ""
    try:
        on = dt.date.fromisoformat(raw) if raw else dt.date.today()
    except ValueError:
        return dt.date.today()
    try:
        schemes_in_force(on)
    except NoRulesInForce as exc:
        messages.warning(request, f"{exc}已按今天评价。")
        return dt.date.today()
    return on


def _verdict_rows(verdicts, facts=None):
    # when a whole rule version is unconfirmed its note says so once; rows are then not marked one by one
    return [{"v": v, "conclusion": conclusion(v), "steps": next_steps(v), "held": held_text(v, facts),
             "mark_rows": not all(not c.verified for c in v.conditions)} for v in verdicts]


def index(request):
    """Entry: an enterprise user goes to its own report, staff to the 培育库 pipeline."""
    user = request.user
    if getattr(user, "role", "") == Role.ENTERPRISE_USER and getattr(user, "enterprise_id", None):
        return redirect("diagnosis:enterprise", pk=user.enterprise_id)
    if can(user, "diagnosis.pipeline.view"):
        return redirect("diagnosis:pipeline")
    return redirect("diagnosis:selfcheck")


def enterprise_report(request, pk: int):
    """预诊断 tab of one enterprise: all five schemes side by side, with gaps and next steps."""
    on = _on(request)
    enterprise, facts, verdicts = selectors.enterprise_verdicts(request.user, pk, on=on)
    return render(request, "diagnosis/enterprise.html", {
        "e": enterprise, "facts": facts, "rows": _verdict_rows(verdicts, facts), "on": on,
    })


def enterprise_docx(request, pk: int):
    """The enterprise's report as a Word document (for its accountant)."""
    on = _on(request)
    enterprise, facts, verdicts = selectors.enterprise_verdicts(request.user, pk, on=on)
    return attachment(build_docx(verdicts, facts), dated_name(f"{enterprise.name}资格预诊断报告", "docx", on))


@login_not_required
def selfcheck(request):
    """Public self-check: an enterprise without an account enters its figures and gets the same
    report. Nothing is stored; the Word report is generated from the submitted form."""
    verdicts, facts, error = None, None, None
    if request.method == "POST":
        form = SelfCheckForm(request.POST)
        if form.is_valid():
            try:
                facts, verdicts = selectors.facts_verdicts(form.facts(), on=form.cleaned_data["on"])
            except FactsError as exc:
                error = f"{key_label(exc.key)}：{exc.message}"
            except NoRulesInForce as exc:
                error = str(exc)
            if verdicts and request.POST.get("format") == "docx":
                return attachment(build_docx(verdicts, facts),
                                  dated_name(f"{facts.name or '企业'}资格自测报告", "docx", form.cleaned_data["on"]))
    else:
        form = SelfCheckForm(initial={"on": dt.date.today()})
    return render(request, "diagnosis/selfcheck.html", {
        "form": form, "rows": _verdict_rows(verdicts, facts) if verdicts else None, "facts": facts,
        "error": error,
    })


def _require_pipeline_role(user):
    require(user, "diagnosis.pipeline.view")


def _results(request, run, action: str = "view"):
    """The run's results the user may see (or export), narrowed by the page's filters."""
    qs = DiagnosisResult.objects.restrict(request.user, action).filter(run=run)
    f = request.GET
    if re.fullmatch(r"[0-9]{1,9}", f.get("township", "")):
        qs = qs.filter(township_id=int(f["township"]))
    if re.fullmatch(r"[0-9]", f.get("rung", "")):
        qs = qs.filter(rung=int(f["rung"]))
    if f.get("pool") == "1":
        qs = qs.filter(hnte_pool=True)
    return qs


def pipeline(request):
    """培育库: latest (or chosen) run, funnel per township and for the city, filtered list."""
    _require_pipeline_role(request.user)
    runs = DiagnosisRun.objects.restrict(request.user, "view")
    wanted = request.GET.get("run", "")
    run = runs.filter(pk=int(wanted)).first() if re.fullmatch(r"[0-9]{1,9}", wanted) else runs.first()
    ctx = {"runs": runs[:20], "run": run, "rungs": RUNGS,
           "can_run": can(request.user, "diagnosis.run.start")}
    if run is not None:
        base = DiagnosisResult.objects.restrict(request.user, "view").filter(run=run)
        funnel = _funnel(base)
        by_town = (base.values("township__name", "township_id")
                   .annotate(total=Count("pk"), **{f"r{c}": Count("pk", filter=Q(rung__gte=c)) for c, _ in RUNGS if c},
                             pool=Count("pk", filter=Q(hnte_pool=True)))
                   .order_by("township__name"))
        qs = _results(request, run).select_related("enterprise", "township").order_by("-hnte_pool", "-rung", "enterprise__name")
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        prev = runs.filter(started_at__lt=run.started_at).first() or runs.filter(pk__lt=run.pk).exclude(pk=run.pk).first()
        if prev is not None:
            before = _funnel(DiagnosisResult.objects.restrict(request.user, "view").filter(run=prev))
            for f, b in zip(funnel, before, strict=True):
                f["delta"] = f["count"] - b["count"]
        gaps = top_gap_texts(list(page.object_list), run.evaluated_on)
        for r in page.object_list:
            r.top_gap = gaps.get(r.pk, "")
        ctx.update({"funnel": funnel, "by_town": list(by_town), "page": page, "prev": prev,
                    "rule_titles": _rule_titles(run),
                    "chart": {"labels": [f["label"] for f in funnel], "values": [f["count"] for f in funnel]},
                    "query": request.GET.urlencode()})
    return render(request, "diagnosis/pipeline.html", ctx)


def _rule_titles(run) -> list[str]:
    """The titles of the rule versions a run used (its stored ids are for the record, not for people)."""
    from kechuang.rules.params import parameters_for

    out = []
    for scheme in run.rules_versions:
        try:
            out.append(parameters_for(scheme, run.evaluated_on).version.title)
        except Exception:  # noqa: BLE001 - a scheme no longer known: leave it out of the sentence
            continue
    return list(dict.fromkeys(out))


def _funnel(qs) -> list[dict]:
    agg = qs.aggregate(total=Count("pk"), pool=Count("pk", filter=Q(hnte_pool=True)),
                       **{f"r{c}": Count("pk", filter=Q(rung__gte=c)) for c, _ in RUNGS if c})
    out = [{"label": "全部企业", "count": agg["total"]}]
    for c, label in RUNGS[1:]:
        out.append({"label": label if c < 5 else "小巨人", "count": agg[f"r{c}"]})
    out.insert(4, {"label": "高企培育库", "count": agg["pool"]})
    return out


@require_POST
def run_start(request):
    """Start a run over the registry (科技局 only) as a background job; back to the pipeline page,
    which shows the job's progress bar and, when done, the link to the new run."""
    require(request.user, "diagnosis.run.start")
    from kechuang.jobs.services import job_start

    on = _on(request)
    job_start(actor=request.user, kind="diagnosis.run", args={"on": on.isoformat()},
              label=f"培育库批量诊断（评价日期 {on.isoformat()}）")
    messages.success(request, "培育库批量诊断已在后台开始，完成后本页出现结果链接")
    return redirect("diagnosis:pipeline")


def pipeline_export(request, run_pk: int):
    """Excel of the filtered list with each enterprise's ladder rung and top gap."""
    _require_pipeline_role(request.user)
    run = get_scoped_or_404(DiagnosisRun, request.user, "export", pk=run_pk)
    from kechuang.core.audit import AuditEvent, record
    from kechuang.core.xlsx import Col, new_workbook, to_bytes, write_table

    rows = list(_results(request, run, "export").select_related("enterprise", "township").order_by("township__name", "-rung", "enterprise__name"))
    gaps = top_gap_texts(rows, run.evaluated_on)
    word = {1: "符合", 0: "不符合", -1: "待定"}
    target_names = {"hnte": "高新技术企业", "little_giant": "专精特新“小巨人”企业", "": ""}
    columns = [Col("统一社会信用代码", "code"), Col("企业名称"), Col("所属乡镇"), Col("梯次"), Col("高企培育库"),
               Col("高企"), Col("科小"), Col("创新型"), Col("专精特新"), Col("小巨人"),
               Col("高企创新能力评分·最低分", "int"), Col("高企创新能力评分·最高分", "int"), Col("下一目标"),
               Col("首要差距", width=60)]
    wb = new_workbook()
    write_table(wb.create_sheet("培育库"), columns, (
        [r.enterprise.uscc, r.enterprise.name, r.township.name if r.township else "",
         r.get_rung_display(), "是" if r.hnte_pool else "否",
         word[r.hnte_eligible], word[r.tsme_eligible], word[r.innovative_sme_eligible],
         word[r.srdi_sme_eligible], word[r.little_giant_eligible],
         r.hnte_score_min, r.hnte_score_max,
         target_names.get(r.target_scheme, r.target_scheme), gaps.get(r.pk, "")] for r in rows),
        title=f"高企培育库（第{run.pk}次运行，评价日期 {run.evaluated_on:%Y-%m-%d}）", landscape=True)
    from kechuang.rules.engine import evaluate

    info = [["运行编号", run.pk, ""], ["评价日期", run.evaluated_on, ""],
            ["运行时间", timezone.localtime(run.started_at).replace(tzinfo=None), ""]]
    for scheme, version in run.rules_versions.items():
        try:
            rules = evaluate(scheme, {}, run.evaluated_on)
            info.append([f"适用办法：{rules.title}", rules.rules_title, version])
        except Exception:  # noqa: BLE001 - an unknown scheme of an old run: its id stays visible
            info.append([f"适用办法：{scheme}", "", version])
    write_table(wb.create_sheet("运行信息"), [Col("项目"), Col("内容"), Col("规则版本（核对用）")],
                ([label, value, version] for label, value, version in info), filters=False)
    wb["运行信息"]["B3"].number_format = "yyyy-mm-dd"
    wb["运行信息"]["B4"].number_format = "yyyy-mm-dd hh:mm"
    data = to_bytes(wb)
    record(AuditEvent.Kind.EXPORT, request=request, object_ref=f"diagnosis.DiagnosisRun:{run.pk}",
           detail={"rows": len(rows)})
    return attachment(data, dated_name(f"高企培育库-第{run.pk}次运行", "xlsx", run.evaluated_on))
