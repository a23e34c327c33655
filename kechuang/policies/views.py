"""Pages of the policy app: policies, calculator (enterprise + public), cases and the redemption
workflow, 公示, screening runs, Excel exports and the 政策沙盘."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kechuang.core.downloads import attachment, dated_name
from kechuang.core.permissions import can, require
from kechuang.core.roles import Role
from kechuang.core.scoping import get_scoped_or_404
from kechuang.rules.vocabulary import label_of

from . import services
from .engine import PolicyInputError, calculate, load_policies
from .forms import PublicCalculatorForm
from .models import Case, Measure, PolicyDocument, PolicyEvent, ProxyAuthorization, ScreeningRun
from .sandbox import sandbox_compare
from .selectors import cases_for, engine_policies, publicized_cases


def _errors(request, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def index(request):
    """Published policies with their measures and open assumptions."""
    docs = PolicyDocument.objects.restrict(request.user, "view").prefetch_related("measures")
    return render(request, "policies/index.html", {"docs": docs})


def policy_detail(request, code):
    """One policy: measures, benefits, 牵头/责任单位, assumptions; bureau staff may copy it to the sandbox."""
    doc = get_scoped_or_404(PolicyDocument, request.user, "view", code=code)
    from kechuang.policies.engine.model import BENEFIT_KIND_LABELS

    policy = doc.to_engine()
    groups: dict[str, list[str]] = {}
    for m in policy.measures:
        if m.stacking_group:
            groups.setdefault(m.stacking_group, []).append(m.title)
    rows = [{"m": m, "benefit_label": BENEFIT_KIND_LABELS.get(m.benefit.kind, "其他"),
             "stacking_peers": [t for t in groups.get(m.stacking_group or "", []) if t != m.title]}
            for m in policy.measures]
    return render(request, "policies/policy.html", {"doc": doc, "policy": policy, "rows": rows,
                                                     "records": doc.measures.all(),
                                                     "statuses": PolicyDocument.Status.choices,
                                                     "is_staff": can(request.user, "policies.policy.edit")})


@require_POST
def policy_status(request, code):
    """科技局 moves a policy through draft → review → published → expired."""
    require(request.user, "policies.policy.edit")
    doc = get_scoped_or_404(PolicyDocument, request.user, "change", code=code)
    try:
        services.policy_set_status(user=request.user, policy=doc, status=request.POST.get("status", ""))
        messages.success(request, f"状态已改为“{doc.get_status_display()}”")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("policies:policy", code=doc.code)


def measure_edit(request, pk):
    """科技局 edits a measure: title, original text, citation and its rule (YAML), validated before saving."""
    import yaml

    require(request.user, "policies.policy.edit")
    m = get_scoped_or_404(Measure.objects.select_related("policy"), request.user, "change", pk=pk)
    spec_text = yaml.safe_dump(m.spec, allow_unicode=True, sort_keys=False)
    if request.method == "POST":
        spec_text = request.POST.get("spec", "")
        try:
            services.measure_update(user=request.user, measure=m, title=request.POST.get("title", ""),
                                    text=request.POST.get("text", ""), citation=request.POST.get("citation", ""),
                                    spec_yaml=spec_text)
            messages.success(request, "已保存（已记入变更记录）")
            return redirect("policies:policy", code=m.policy.code)
        except ValidationError as exc:
            _errors(request, exc)
    return render(request, "policies/measure_edit.html", {"m": m, "spec": spec_text})


def _result_context(result):
    return {"result": result, "listed": [o.to_json() for o in result.listed(False)]}


@login_not_required
def public_calculator(request):
    """公开的政策计算器: no login, no business rows read or stored (only the shipped policy data)."""
    form = PublicCalculatorForm(request.POST or None)
    ctx = {"form": form}
    if request.method == "POST" and form.is_valid():
        facts, year = form.to_facts()
        try:
            result = calculate(facts, year, [p for p in load_policies() if p.status == "published"])
            ctx.update(_result_context(result))
        except PolicyInputError as exc:
            form.add_error(None, f"{label_of(exc.key)}：{exc.message}")
    return render(request, "policies/public_calculator.html", ctx)


def enterprise_page(request, pk):
    """An enterprise's entitlements without applying: the calculator on its registry data and its cases."""
    Enterprise = apps.get_model("enterprises", "Enterprise")
    ent = get_scoped_or_404(Enterprise, request.user, "view", pk=pk)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    try:
        from kechuang.enterprises.facts import enterprise_facts

        facts = enterprise_facts(ent)
    except ImportError:
        facts = {"name": ent.name, "region": ent.township.name}
    events = list(PolicyEvent.objects.restrict(request.user, "view").filter(enterprise=ent))
    facts["events"] = [{**e.fields, "kind": e.kind, "date": e.date.isoformat()} for e in events]
    ctx = {"ent": ent, "year": year, "events": events,
           "cases": cases_for(request.user).filter(enterprise=ent)}
    try:
        ctx.update(_result_context(calculate(facts, year, engine_policies())))
    except PolicyInputError as exc:
        ctx["error"] = f"{label_of(exc.key)}：{exc.message}"
    return render(request, "policies/enterprise.html", ctx)


def cases(request):
    """兑现案件 list (scoped), filterable by year and status."""
    require(request.user, "policies.case.view")
    year = request.GET.get("year") or None
    status = request.GET.get("status") or None
    measure, township = _int_param(request, "measure"), _int_param(request, "township")
    qs = cases_for(request.user, year=int(year) if year and year.isdigit() else None, status=status,
                   measure=measure, township=township)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "policies/cases.html", {"page": page, "statuses": Case.Status.choices,
                                                    "year": year or "", "status": status or "",
                                                    "measures": _measure_choices(), "measure": measure,
                                                    "townships": _township_choices(request.user), "township": township,
                                                    "query": request.GET.urlencode()})


def _int_param(request, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else None


def _measure_choices():
    return Measure.objects.filter(policy__is_sandbox=False, policy__status="published").select_related("policy") \
        .order_by("policy__code", "id")


def _township_choices(user):
    from kechuang.core.models import Region

    towns = Region.townships()
    if getattr(user, "role", "") == Role.TOWNSHIP_CLERK:
        towns = [t for t in towns if t.pk == user.township_id]
    return list(towns)


def finder(request):
    """政策找企: enterprises that qualify or nearly qualify for one measure (bureau, clerks), exportable."""
    from kechuang.enterprises import vocab

    from .finder import enterprises_for_measure

    require(request.user, "policies.finder.use")
    measure_pk = _int_param(request, "measure")
    measure = Measure.objects.select_related("policy").filter(pk=measure_pk).first() if measure_pk else None
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if re.fullmatch(r"(19|20|21)[0-9]{2}", raw_year) else timezone.localdate().year
    township = _int_param(request, "township")
    industries = sorted(set(vocab.INDUSTRY_GROUPS.values()), key=list(vocab.INDUSTRY_GROUPS.values()).index)
    industry = request.GET.get("industry", "") if request.GET.get("industry", "") in industries else ""
    found = enterprises_for_measure(request.user, measure, year, township=township, industry=industry) if measure else []
    if measure and request.GET.get("format") == "xlsx":
        from kechuang.core.downloads import attachment, dated_name
        from kechuang.core.xlsx import Col

        rows = [[f.enterprise.name, f.enterprise.uscc, f.enterprise.township.name if f.enterprise.township else "",
                 f.enterprise.industry_group, "符合" if f.status == "eligible" else "差一个条件",
                 f.amount if f.status == "eligible" else None,
                 None if f.status != "eligible" or f.undetermined else f.amount_max,
                 f.benefit or ("金额待核定" if f.undetermined else ""), f.missing] for f in found]
        cols = [Col("企业名称"), Col("统一社会信用代码", "code"), Col("所属乡镇"), Col("行业"), Col("结论"),
                Col("金额（万元）", "money"), Col("最高金额（万元）", "money"), Col("支持内容（非资金）或说明", width=30),
                Col("缺少的条件", width=50)]
        data = _xlsx(rows, cols, "政策找企")
        return attachment(data, dated_name(f"政策找企-{measure.title}", "xlsx", timezone.localdate()))
    return render(request, "policies/finder.html", {
        "measures": _measure_choices(), "measure": measure, "year": year, "township": township,
        "townships": _township_choices(request.user), "industries": industries, "industry": industry,
        "found": found, "n_eligible": sum(1 for f in found if f.status == "eligible"),
        "n_near": sum(1 for f in found if f.status == "near"), "query": request.GET.urlencode()})


def _xlsx(rows, columns, title):
    from kechuang.core.xlsx import new_workbook, to_bytes, write_table

    wb = new_workbook()
    write_table(wb.create_sheet(title), columns, rows, title=f"{title}（导出于 {timezone.localdate():%Y-%m-%d}）")
    return to_bytes(wb)


def _case_row(c):
    return [c.year, c.enterprise.uscc if c.enterprise_id else "", c.payee_display, c.payee_township, c.measure.policy.doc_no,
            c.measure.article, c.measure.title, float(c.amount),
            None if c.amount_max is None else float(c.amount_max),
            None if c.approved_amount is None else float(c.approved_amount), c.get_status_display(),
            "是" if c.paused else "", "；".join(c.evidence.get("data", [])), c.reason]


def _case_columns():
    from kechuang.core.xlsx import Col

    return [Col("年度", "int"), Col("统一社会信用代码", "code"), Col("企业名称"), Col("所属乡镇"), Col("政策文件"),
            Col("条款"), Col("措施"), Col("金额（万元）", "money"), Col("最高金额（万元）", "money"),
            Col("核定金额（万元）", "money"), Col("状态"), Col("异议暂停"), Col("所用数据"), Col("说明")]


CASE_HEADERS = ["年度", "统一社会信用代码", "企业名称", "所属乡镇", "政策文件", "条款", "措施", "金额（万元）",
                "最高金额（万元）", "核定金额（万元）", "状态", "异议暂停", "所用数据", "说明"]


def cases_export(request):
    """Excel export of the (filtered, scoped) case list, at any stage of the workflow."""
    from kechuang.core.audit import record
    from kechuang.core.models import AuditEvent

    require(request.user, "policies.case.view")
    year = request.GET.get("year") or None
    qs = Case.objects.restrict(request.user, "export").select_related(
        "enterprise", "enterprise__township", "measure", "measure__policy")
    if year and year.isdigit():
        qs = qs.filter(year=int(year))
    if request.GET.get("status"):
        qs = qs.filter(status=request.GET["status"])
    if _int_param(request, "measure"):
        qs = qs.filter(measure_id=_int_param(request, "measure"))
    if _int_param(request, "township"):
        qs = qs.filter(enterprise__township_id=_int_param(request, "township"))
    data = _xlsx((_case_row(c) for c in qs), _case_columns(), "兑现案件")
    record(AuditEvent.Kind.EXPORT, request=request, object_ref="policies.Case", detail={"rows": qs.count()})
    return attachment(data, dated_name("兑现案件" + (f"-{year}年度" if year and year.isdigit() else ""), "xlsx"))


ACTIONS = {
    "verify": "核实", "confirm": "确认享受", "waive": "放弃", "publicize": "公示", "disburse": "拨付",
    "reject": "不予兑现", "dispute": "提出异议", "resolve": "处理异议", "authorize": "登记代办授权",
}


def case_detail(request, pk):
    """One case: clause, data used, evidence trace, workflow actions for the acting role."""
    case = get_scoped_or_404(Case.objects.select_related("enterprise", "measure", "measure__policy"),
                             request.user, "view", pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            _do(request, case, action)
            messages.success(request, f"已{ACTIONS.get(action, '处理')}")
            return redirect("policies:case", pk=case.pk)
        except ValidationError as exc:
            _errors(request, exc)
        except (InvalidOperation, ValueError):
            messages.error(request, "金额格式错误")
    u = request.user
    from kechuang.core.changes import history_for

    authorizations = list(ProxyAuthorization.objects.restrict(u, "view").filter(case=case)
                          .select_related("recorded_by"))
    is_staff = can(u, "policies.case.verify", case)
    return render(request, "policies/case.html", {
        "case": case, "disputes": case.disputes.all(), "is_staff": is_staff,
        "is_finance": can(u, "policies.case.disburse", case),
        "is_owner": can(u, "policies.case.confirm", case) and not is_staff,
        "may_authorize": can(u, "policies.case.proxy_authorize", case),
        "authorizations": authorizations,
        "unused_authorization": next((a for a in authorizations if a.used_at is None), None),
        "proxy_kinds": ProxyAuthorization.Kind.choices,
        "history": _case_history(history_for(case)[:50])})


def _case_history(entries) -> list[dict]:
    """Workflow entries of a case in words: when, who (a person, or 系统命令 for a command), on what
    basis (e.g. the 代办 authorisation), and the status change."""
    labels = dict(Case.Status.choices)
    rows = []
    for h in entries:
        change = ""
        for field, old, new in h.changed_fields:
            if field == "status":
                change = f"{labels.get(old, old or '新建')} → {labels.get(new, new)}"
        actor = h.actor
        if actor.startswith("command:") or actor == "system":
            actor = "系统命令" + (f"（kechuang {actor.split(':', 1)[1]}）" if ":" in actor else "")
        from kechuang.core.templatetags.ui import source_words

        raw = h.source or ""
        source = ("网页办理" if raw.startswith("web:")
                  else source_words(raw) if raw == "system" or raw.startswith("command:") else raw)
        rows.append({"at": h.at, "actor": actor, "source": source, "change": change or "资料更新"})
    return rows


def _do(request, case, action):
    u, p = request.user, request.POST
    if action == "verify":
        amt = p.get("approved_amount") or None
        services.case_verify(user=u, case=case, approved_amount=Decimal(amt) if amt else None)
    elif action == "confirm":
        services.case_confirm(user=u, case=case, bank_account=p.get("bank_account", ""), bank_name=p.get("bank_name", ""))
    elif action == "waive":
        services.case_waive(user=u, case=case, reason=p.get("reason", ""))
    elif action == "publicize":
        services.case_publicize(user=u, case=case)
    elif action == "disburse":
        services.case_disburse(user=u, case=case)
    elif action == "reject":
        services.case_reject(user=u, case=case, reason=p.get("reason", ""))
    elif action == "dispute":
        services.dispute_raise(user=u, case=case, text=p.get("text", ""))
    elif action == "authorize":
        services.case_proxy_authorize(user=u, case=case, kind=p.get("kind", ""), signed_by=p.get("signed_by", ""),
                                      letter=request.FILES.get("letter"), request_text=p.get("request_text", ""))
    elif action == "resolve":
        d = case.disputes.filter(pk=p.get("dispute"), resolved=False).first()
        if d is None:
            raise ValidationError("异议不存在或已处理")
        services.dispute_resolve(user=u, dispute=d, resolution=p.get("resolution", ""))
    else:
        raise ValidationError("未知操作")


def proxy_letter(request, pk):
    """Download a 代办 授权书 of a case the user may see (404 otherwise)."""
    from urllib.parse import quote

    from django.http import FileResponse, Http404

    item = get_scoped_or_404(ProxyAuthorization, request.user, "view", pk=pk)
    if not item.letter:
        raise Http404
    response = FileResponse(item.letter.open("rb"), as_attachment=True)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item.letter_name or 'letter')}"
    return response


def publicity(request):
    """公示 list: cases in 公示 or paid — the clause, the data used and the result (公示 is public by design
    to the business roles; the 三员 administrators do not read it)."""
    require(request.user, "policies.publicity.view")
    year = request.GET.get("year")
    qs = publicized_cases(year=int(year) if year and year.isdigit() else None)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "policies/publicity.html", {"page": page, "year": year or ""})


def publicity_export(request):
    """Excel of the 公示 list."""
    require(request.user, "policies.publicity.view")
    year = request.GET.get("year")
    qs = publicized_cases(year=int(year) if year and year.isdigit() else None)
    rows = ([c.year, c.payee_display, c.payee_township, c.measure.policy.doc_no, c.measure.article,
             c.measure.title, c.approved_amount if c.approved_amount is not None else c.amount,
             "；".join(c.evidence.get("data", [])), c.get_status_display(), c.publicized_on] for c in qs)
    from kechuang.core.xlsx import Col

    columns = [Col("年度", "int"), Col("企业名称"), Col("所属乡镇"), Col("政策文件"), Col("条款"), Col("措施"),
               Col("金额（万元）", "money"), Col("所用数据", width=60), Col("状态"), Col("公示日期", "date")]
    data = _xlsx(rows, columns, "公示")
    return attachment(data, dated_name("政策兑现公示" + (f"-{year}年度" if year and year.isdigit() else ""), "xlsx"))


def screening(request):
    """免申即享 screening runs (科技局): start a run for a year; see past runs."""
    require(request.user, "policies.screening.run")
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", ""))
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            messages.error(request, "年度：应为四位整数")
            return redirect("policies:screening")
        from kechuang.jobs.services import job_start

        job = job_start(actor=request.user, kind="policies.screening", args={"year": year},
                        label=f"{year}年免申即享筛查")
        return redirect("jobs:detail", pk=job.pk)
    from kechuang.jobs.models import Job

    running = Job.objects.restrict(request.user).filter(kind="policies.screening", state__in=["queued", "running"])
    return render(request, "policies/screening.html", {"runs": ScreeningRun.objects.restrict(request.user).select_related("enterprise")[:20],
                                                        "year": timezone.localdate().year, "running": running[:5]})


@require_POST
def sandbox_create(request, code):
    """Copy a published policy as a 政策沙盘 draft."""
    require(request.user, "policies.sandbox.edit")
    doc = get_scoped_or_404(PolicyDocument, request.user, "change", code=code)
    draft = services.sandbox_draft_create(user=request.user, policy=doc)
    return redirect("policies:sandbox", pk=draft.pk)


def sandbox(request, pk):
    """Edit a draft's amounts/thresholds and compare beneficiaries and cost with the policy in force."""
    require(request.user, "policies.sandbox.edit")
    draft = get_scoped_or_404(PolicyDocument.objects.filter(is_sandbox=True), request.user, "change", pk=pk)
    if request.method == "POST":
        m = draft.measures.filter(pk=request.POST.get("measure")).first()
        try:
            if m is None:
                raise ValidationError("措施不存在")
            vals = {k: (request.POST.get(k) or None) for k in ("amount", "line", "maximum")}
            services.sandbox_measure_update(user=request.user, measure=m,
                                            **{k: Decimal(v) for k, v in vals.items() if v is not None})
            messages.success(request, f"已修改“{m.title}”")
        except ValidationError as exc:
            _errors(request, exc)
        except InvalidOperation:
            messages.error(request, "金额格式错误")
        return redirect("policies:sandbox", pk=draft.pk)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    cmp = sandbox_compare(draft=draft, year=year)
    chart = {"townships": [t["township"] for t in cmp["townships"]],
             "current": [float(t["current_cost"]) for t in cmp["townships"]],
             "draft": [float(t["draft_cost"]) for t in cmp["townships"]]}
    editable = []
    for m in draft.measures.all():
        b, t = m.spec.get("benefit", {}), m.spec.get("trigger", {})
        if b.get("kind") == "fixed" or "max" in b or "revenue_first_above" in t:
            editable.append({"m": m, "amount": b.get("amount") if b.get("kind") == "fixed" else None,
                             "maximum": b.get("max"), "line": (t.get("revenue_first_above") or {}).get("line")})
    return render(request, "policies/sandbox.html", {"draft": draft, "cmp": cmp, "chart": chart, "year": year,
                                                      "editable": editable})
