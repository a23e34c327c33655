"""Pages of the carriers module: the registry, a carrier's ladder and yearly figures, the yearly
evaluation, and the public list (contract section 8: /public/carriers/)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kechuang.core.models import Region
from kechuang.core.permissions import can, require
from kechuang.core.scoping import get_scoped_or_404

from . import selectors, services
from .forms import CancelForm, CarrierForm, EvaluationRunForm, LevelForm, OperationForm, ReportForm
from .models import Carrier, CarrierKind, Evaluation, Level


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


@require_GET
def carrier_list(request):
    """载体名录 (scoped): filter by 类别, 级别, 乡镇 and a keyword."""
    kind = request.GET.get("kind", "") if request.GET.get("kind", "") in CarrierKind.values else ""
    level = request.GET.get("level", "") if request.GET.get("level", "") in Level.values else ""
    township_id = _int(request.GET.get("township"))
    q = (request.GET.get("q") or "").strip()[:50]
    qs = selectors.carriers_for(request.user, kind=kind, level=level, township_id=township_id, q=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "carriers/list.html", {
        "page": page, "kinds": CarrierKind.choices, "levels": Level.choices, "townships": Region.townships(),
        "kind": kind, "level": level, "township_id": township_id, "q": q,
        "may_register": can(request.user, "carriers.carrier.register")})


@require_http_methods(["GET", "POST"])
def carrier_new(request):
    """登记载体 (bureau)."""
    require(request.user, "carriers.carrier.register")
    form = CarrierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            carrier = services.carrier_register(actor=request.user, name=d["name"], kind=d["kind"],
                                                operator=d["operator"], township=d["township"], address=d["address"],
                                                area_sqm=d["area_sqm"], fields=d["fields"],
                                                established_on=d["established_on"],
                                                in_state_owned_park=d["in_state_owned_park"])
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, f"已登记“{carrier.name}”。")
            return redirect("carriers:detail", pk=carrier.pk)
    return render(request, "carriers/new.html", {"form": form})


@require_GET
def carrier_detail(request, pk: int):
    """A carrier: its ladder with history, the benefits its steps bring, yearly figures and evaluations."""
    carrier = get_scoped_or_404(Carrier.objects.select_related("operator", "township"), request.user, "view", pk=pk)
    year = timezone.localdate().year
    try:     # ?year= shows the benefits of another year (bounded)
        asked = int(request.GET.get("year", year))
    except (TypeError, ValueError):
        asked = year
    year = asked if 2000 <= asked <= 2100 else year
    benefits, benefit_error = [], ""
    if can(request.user, "carriers.report.submit", carrier):
        try:
            _result, benefits = selectors.carrier_benefits(carrier, year)
        except Exception as exc:   # a policy input the calculator refuses is shown, never a 500
            benefit_error = str(exc)
    today = timezone.localdate()
    return render(request, "carriers/detail.html", {
        "c": carrier, "levels": carrier.levels.all(), "current": carrier.current_level(),
        "reports": carrier.reports.restrict(request.user, "view"),
        "evaluations": Evaluation.objects.restrict(request.user, "view").filter(carrier=carrier),
        "operations": carrier.operations.restrict(request.user, "view"),
        "benefits": benefits, "benefit_error": benefit_error, "year": year,
        "may_level": can(request.user, "carriers.level.record", carrier) and carrier.status == Carrier.Status.ACTIVE,
        "may_cancel": can(request.user, "carriers.carrier.cancel", carrier) and carrier.status == Carrier.Status.ACTIVE,
        "may_report": can(request.user, "carriers.report.submit", carrier),
        "may_operation": can(request.user, "carriers.operation.record", carrier),
        "level_form": LevelForm(initial={"recognized_on": today}), "cancel_form": CancelForm(initial={"on": today}),
        "report_form": ReportForm(initial={"year": year - 1}), "operation_form": OperationForm(initial={"started_on": today}),
    })


def _post_action(request, pk: int, form_class, perm: str, act):
    carrier = get_scoped_or_404(Carrier, request.user, "view", pk=pk)
    require(request.user, perm, carrier)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[f].label if f in form.fields else ''}：{e}"
                                         for f, errs in form.errors.items() for e in errs))
        return redirect("carriers:detail", pk=pk)
    try:
        done = act(carrier, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, done)
    return redirect("carriers:detail", pk=pk)


@require_POST
def carrier_level(request, pk: int):
    def act(carrier, d):
        step = services.carrier_level_record(actor=request.user, carrier=carrier, level=d["level"],
                                             recognized_on=d["recognized_on"], document=d["document"])
        return f"已记录{step.get_level_display()}（{step.document}）。"
    return _post_action(request, pk, LevelForm, "carriers.level.record", act)


@require_POST
def carrier_cancel(request, pk: int):
    def act(carrier, d):
        services.carrier_cancel(actor=request.user, carrier=carrier, on=d["on"], reason=d["reason"])
        return "已撤销该载体，其级别同日撤销（历史保留）。"
    return _post_action(request, pk, CancelForm, "carriers.carrier.cancel", act)


@require_POST
def carrier_operation(request, pk: int):
    def act(carrier, d):
        services.operation_record(actor=request.user, carrier=carrier, operator_name=d["operator_name"],
                                  started_on=d["started_on"], non_fiscal_investment=d["non_fiscal_investment"],
                                  assessed=d["assessed"])
        return "已记录托管运营。"
    return _post_action(request, pk, OperationForm, "carriers.operation.record", act)


@require_POST
def carrier_report(request, pk: int):
    def act(carrier, d):
        year = d.pop("year")
        services.annual_report_submit(actor=request.user, carrier=carrier, year=year, figures=d)
        return f"已保存 {year} 年度数据。"
    return _post_action(request, pk, ReportForm, "carriers.report.submit", act)


@require_http_methods(["GET", "POST"])
def evaluations(request):
    """年度评价 (bureau): run the year's evaluation and read the grades."""
    require(request.user, "carriers.evaluation.run")
    form = EvaluationRunForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        try:
            done = services.evaluation_run(actor=request.user, year=year)
        except LookupError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已完成 {year} 年度评价：{len(done)} 家载体。")
        return redirect(f"{request.path}?year={year}")
    year = _int(request.GET.get("year")) or timezone.localdate().year - 1
    rows = (Evaluation.objects.restrict(request.user, "view").filter(year=year)
            .select_related("carrier", "carrier__township").order_by("-score"))
    proposed = Carrier.objects.restrict(request.user, "view").filter(cancellation_proposed=True,
                                                                     status=Carrier.Status.ACTIVE)
    return render(request, "carriers/evaluations.html", {"form": form, "rows": rows, "year": year,
                                                         "proposed": proposed})


@require_http_methods(["GET", "POST"])
def report_import(request):
    """年度数据批量导入 (bureau): the template download and the validated intake."""
    from django.http import HttpResponse

    from . import imports

    require(request.user, "carriers.report.import")
    if request.GET.get("template"):
        response = HttpResponse(imports.template(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = "attachment; filename*=UTF-8''%E8%BD%BD%E4%BD%93%E5%B9%B4%E5%BA%A6%E6%95%B0%E6%8D%AE%E6%A8%A1%E6%9D%BF.xlsx"
        return response
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 Excel 文件。")
        else:
            result = imports.import_reports(actor=request.user, upload=upload)
            if result.ok:
                messages.success(request, f"已导入 {result.saved} 行年度数据。")
    return render(request, "carriers/import.html", {"result": result, "columns": [h for h, _f in imports.columns()]})


@login_not_required
@require_GET
def public_carriers(request):
    """公开信息 · 创新载体 (no sign-in): active carriers with their current level; JSON with ?format=json."""
    items = [selectors.public_item(c) for c in selectors.public_carriers()[:2000]]
    if request.GET.get("format") == "json":
        return JsonResponse({"items": items, "count": len(items)}, json_dumps_params={"ensure_ascii": False})
    return render(request, "carriers/public_list.html", {"items": items})
