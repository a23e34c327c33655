"""Pages of the 项目与监管 module: the bureau's board, the 科研信用 database, 双随机一公开 (两单两库一细则,
draws, results) and the public pages (contract section 8: /public/inspections/, /public/credit/)."""
from __future__ import annotations

import csv
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kechuang.core.permissions import can, require
from kechuang.core.scoping import get_scoped_or_404

from . import forms, selectors, services
from .models import (
    CreditRecord,
    Draw,
    DrawPurpose,
    InspectionItem,
    InspectionObject,
    InspectionResult,
    InspectionRule,
    Inspector,
)


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def _form_errors(form) -> str:
    return "；".join(f"{form.fields[f].label if f in form.fields else ''}：{e}"
                    for f, errs in form.errors.items() for e in errs)


def _act(request, form, act, ok: str) -> bool:
    """Run ``act(cleaned_data)`` when the form is valid; put the outcome in messages."""
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return False
    try:
        act(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return False
    messages.success(request, ok)
    return True


# --- board ----------------------------------------------------------------------------------

@require_GET
def home(request):
    """项目与监管看板 (科技局)."""
    require(request.user, "supervision.dashboard.view")
    today = timezone.localdate()
    ctx = selectors.dashboard(request.user, today)
    ctx.update(selectors.projects_dashboard(request.user, today))
    return render(request, "supervision/home.html", ctx)


# --- 科研信用 ------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def credit_list(request):
    """科研信用记录: the bureau sees all and records new ones; an enterprise its own and the public ones."""
    require(request.user, "supervision.credit.view")
    form = forms.CreditRecordForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "supervision.credit.record")

        def act(d):
            ent = None
            if d["enterprise_uscc"]:
                from kechuang.enterprises.models import Enterprise

                ent = Enterprise.objects.restrict(request.user, "view").filter(uscc=d["enterprise_uscc"].upper()).first()
                if ent is None:
                    raise ValidationError("企业统一社会信用代码：企业库中没有该企业")
            services.credit_record_create(
                user=request.user, subject_kind=d["subject_kind"], enterprise=ent, subject_name=d["subject_name"],
                subject_code=d["subject_code"], person_id_number=d["person_id_number"], person_unit=d["person_unit"],
                behaviour=d["behaviour"], severity=d["severity"], outcome=d["outcome"], authority=d["authority"],
                basis=d["basis"], effective_on=d["effective_on"], ends_on=d["ends_on"],
                restricts=d["restricts"] or None, watchlist=d["watchlist"])
        if _act(request, form, act, "已录入科研信用记录"):
            return redirect("supervision:credit")
    today = timezone.localdate()
    qs = CreditRecord.objects.restrict(request.user, "view").order_by("-effective_on", "-id")
    if request.GET.get("state") == "in_force":
        qs = qs.filter(CreditRecord.in_force_q(today))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "supervision/credit_list.html", {
        "page": page, "form": form, "today": today, "state": request.GET.get("state", ""),
        "may_record": can(request.user, "supervision.credit.record")})


@require_GET
def credit_detail(request, pk: int):
    require(request.user, "supervision.credit.view")
    rec = get_scoped_or_404(CreditRecord, request.user, "view", pk=pk)
    return render(request, "supervision/credit_detail.html", {
        "r": rec, "in_force": rec.in_force_on(timezone.localdate()),
        "may_appeal": rec.appeal_state == "none" and can(request.user, "supervision.credit.appeal", rec),
        "may_decide": rec.appeal_state == "pending" and can(request.user, "supervision.credit.decide_appeal"),
        "decide_form": forms.AppealDecideForm()})


@require_POST
def credit_appeal(request, pk: int):
    rec = get_scoped_or_404(CreditRecord, request.user, "view", pk=pk)
    try:
        services.credit_appeal_file(user=request.user, record=rec)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"已提出申诉，答复期限 {rec.appeal_due_on:%Y-%m-%d}")
    return redirect("supervision:credit_detail", pk=pk)


@require_POST
def credit_decide(request, pk: int):
    require(request.user, "supervision.credit.decide_appeal")
    rec = get_scoped_or_404(CreditRecord, request.user, "change", pk=pk)
    _act(request, forms.AppealDecideForm(request.POST), lambda d: services.credit_appeal_decide(
        user=request.user, record=rec, revoke=d["revoke"], answer=d["answer"], watchlist=d["watchlist"]), "已答复申诉")
    return redirect("supervision:credit_detail", pk=pk)


# --- 双随机一公开 ---------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def inspections(request):
    """Draws (公告种子 → 抽取 → 公布) of the bureau."""
    require(request.user, "supervision.inspection.view")
    rules = InspectionRule.objects.restrict(request.user, "view").select_related("item")
    form = forms.AnnounceForm(request.POST or None, rules=rules)
    if request.method == "POST":
        if _act(request, form, lambda d: services.draw_announce(
                user=request.user, title=d["title"], rule=d["rule"], seed_source=d["seed_source"],
                announced_on=d["announced_on"], draw_on=d["draw_on"]), "已公告抽取日期和种子的形成方式"):
            return redirect("supervision:inspections")
    draws = Draw.objects.restrict(request.user, "view").filter(purpose=DrawPurpose.INSPECTION).select_related("rule")
    return render(request, "supervision/inspections.html", {
        "draws": draws[:200], "form": form, "may_manage": can(request.user, "supervision.inspection.manage")})


@require_http_methods(["GET", "POST"])
def rosters(request):
    """两单两库一细则: items, the object library (synchronised from the system), inspectors, rules."""
    require(request.user, "supervision.inspection.view")
    items = InspectionItem.objects.restrict(request.user, "view")
    item_form, rule_form, insp_form = forms.ItemForm(), forms.RuleForm(items=items), forms.InspectorForm()
    if request.method == "POST":
        action, u = request.POST.get("action"), request.user
        if action == "item":
            item_form = forms.ItemForm(request.POST)
            _act(request, item_form, lambda d: services.inspection_item_create(user=u, **d), "已添加抽查事项")
        elif action == "rule":
            rule_form = forms.RuleForm(request.POST, items=items)
            _act(request, rule_form, lambda d: services.inspection_rule_create(user=u, **d), "已添加抽查细则")
        elif action == "inspector":
            insp_form = forms.InspectorForm(request.POST)
            _act(request, insp_form, lambda d: services.inspector_create(user=u, **d), "已添加执法检查人员")
        elif action == "sync":
            try:
                n = services.objects_sync(user=u)
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            else:
                messages.success(request, f"检查对象名录库已更新：新增 {n['added']}，更新 {n['updated']}，移出 {n['removed']}")
        else:
            messages.error(request, "无法识别的操作")
        return redirect("supervision:rosters")
    objects = InspectionObject.objects.restrict(request.user, "view").filter(active=True)
    return render(request, "supervision/rosters.html", {
        "items": items, "rules": InspectionRule.objects.restrict(request.user, "view").select_related("item"),
        "inspectors": Inspector.objects.restrict(request.user, "view").filter(active=True),
        "objects": Paginator(objects, 100).get_page(request.GET.get("page")), "object_count": objects.count(),
        "item_form": item_form, "rule_form": rule_form, "insp_form": insp_form,
        "may_manage": can(request.user, "supervision.inspection.manage")})


@require_GET
def draw_detail(request, pk: int):
    require(request.user, "supervision.inspection.view")
    d = get_scoped_or_404(Draw.objects.filter(purpose=DrawPurpose.INSPECTION), request.user, "view", pk=pk)
    results = {r.object_ref: r for r in InspectionResult.objects.restrict(request.user, "view").filter(draw=d)}
    names = {r[0]: r[1] for r in d.objects_roster}
    people = {r[0]: f"{r[1]}（{r[2]}）" for r in d.inspectors_roster}
    rows = [{"ref": x["object"], "name": names.get(x["object"], ""),
             "inspectors": "、".join(people.get(i, i) for i in x["inspectors"]), "result": results.get(x["object"])}
            for x in d.result.get("drawn", [])]
    return render(request, "supervision/draw_detail.html", {
        "d": d, "rows": rows, "result_form": forms.ResultForm(), "rectified_form": forms.RectifiedForm(),
        "run_form": forms.DrawRunForm(), "today": timezone.localdate(),
        "may_run": d.status == "announced" and can(request.user, "supervision.inspection.manage"),
        "may_record": d.status == "published" and can(request.user, "supervision.inspection.record")})


@require_POST
def draw_run(request, pk: int):
    require(request.user, "supervision.inspection.manage")
    d = get_scoped_or_404(Draw.objects.filter(purpose=DrawPurpose.INSPECTION), request.user, "change", pk=pk)
    try:
        services.draw_run(user=request.user, draw_row=d, seed=request.POST.get("seed", ""))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "已抽取并公布；抽取记录不可再修改")
    return redirect("supervision:draw_detail", pk=pk)


@require_POST
def result_new(request, pk: int):
    require(request.user, "supervision.inspection.record")
    d = get_scoped_or_404(Draw.objects.filter(purpose=DrawPurpose.INSPECTION), request.user, "change", pk=pk)
    _act(request, forms.ResultForm(request.POST), lambda x: services.result_record(user=request.user, draw_row=d, **x),
         "已录入检查结果（请在20个工作日内公示）")
    return redirect("supervision:draw_detail", pk=pk)


@require_POST
def result_action(request, pk: int):
    require(request.user, "supervision.inspection.record")
    r = get_scoped_or_404(InspectionResult, request.user, "change", pk=pk)
    if request.POST.get("action") == "publicize":
        try:
            services.result_publicize(user=request.user, result=r)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, "已公示")
    else:
        _act(request, forms.RectifiedForm(request.POST), lambda x: services.result_rectified(
            user=request.user, result=r, on=x["on"], note=x["note"]), "已记录整改复查")
    return redirect("supervision:draw_detail", pk=r.draw_id)


# --- 公开信息 (no sign-in) -----------------------------------------------------------------

@login_not_required
@require_GET
def public_inspections(request):
    """公开信息 · 双随机抽查: published draws with seed, input_digest, rosters to re-run, and results."""
    items = [selectors.public_draw_item(d) for d in selectors.public_draws()]
    if request.GET.get("format") == "json":
        return JsonResponse({"items": items, "count": len(items)}, json_dumps_params={"ensure_ascii": False})
    return render(request, "supervision/public_inspections.html", {"items": items})


@login_not_required
@require_GET
def public_inspection_file(request, pk: int, name: str):
    """The published draw JSON and the three rosters as CSV, to re-run with `kechuang supervision verify`."""
    d = next((x for x in selectors.public_draws() if x.pk == pk), None)
    if d is None:
        raise Http404
    if name == "draw.json":
        return HttpResponse(json.dumps(d.result, ensure_ascii=False, indent=1), content_type="application/json")
    header, rows = {"objects.csv": (["id", "name", "unit"], d.objects_roster),
                    "inspectors.csv": (["id", "name", "unit"], d.inspectors_roster),
                    "conflicts.csv": (["inspector_id", "object_id", "reason"], d.conflicts_roster)}.get(name, (None, None))
    if header is None:
        raise Http404
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    resp = HttpResponse(buf.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="draw{d.pk}-{name}"'
    return resp


@login_not_required
@require_GET
def public_credit(request):
    """公开信息 · 科研严重失信: serious records in force, persons masked."""
    items = selectors.public_credit_items(timezone.localdate())
    if request.GET.get("format") == "json":
        return JsonResponse({"items": items, "count": len(items)}, json_dumps_params={"ensure_ascii": False})
    return render(request, "supervision/public_credit.html", {"items": items})
