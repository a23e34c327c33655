"""Pages of the technology market: search, needs and matches, broker workbench, contracts, 揭榜挂帅."""
from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kechuang.core.permissions import can as may
from kechuang.core.permissions import require
from kechuang.core.roles import Role
from kechuang.core.scoping import get_scoped_or_404
from kechuang.search.engine import SearchError
from kechuang.search.relevance import FLOOR as RELEVANCE_FLOOR

from . import services
from .models import (
    PROVIDER_MAX_CHARS,
    SOLUTION_MAX_CHARS,
    Achievement,
    Broker,
    Challenge,
    Dispatch,
    Feedback,
    Match,
    Need,
    TechContract,
    TransferMode,
)

# results below the relevance floor: at most this many of the closest, folded under the strong ones
WEAK_SHOWN = 5


def _business_user(request):
    """The technology market is for the business roles; the 三员 administrators see no business data."""
    require(request.user, "techmarket.market.view")


def _parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise services.TechMarketError(f"{field}: 日期格式应为 YYYY-MM-DD，收到 {value!r}") from None


def search_page(request):
    """成果检索: hybrid search over published achievements with filters and reasons."""
    _business_user(request)
    q = (request.GET.get("q") or "").strip()
    filters = {"field": request.GET.get("field") or None, "transfer_mode": request.GET.get("mode") or None,
               "maturity_min": request.GET.get("maturity_min") or None}
    results, weak, error = [], [], ""
    if q:
        from .catalogue import catalogue_engine
        engine = catalogue_engine()
        try:
            hits = engine.search(q, k=20, filters={k: v for k, v in filters.items() if v}) if engine else []
        except SearchError as exc:
            hits, error = [], str(exc)
        visible = {a.search_id: a for a in Achievement.objects.restrict(request.user, "view").filter(
            pk__in=[int(h.id.split("-", 1)[1]) for h in hits]).select_related("owner_institute")}
        results = [(visible[h.id], h, h.relevance is not None and h.relevance < RELEVANCE_FLOOR)
                   for h in hits if h.id in visible]
        # below the floor a result is shown only as one of the few closest, folded: no padding
        weak = [r for r in results if r[2]][:WEAK_SHOWN]
        results = [r for r in results if not r[2]]
        if engine is None and not error and Achievement.objects.filter(status=Achievement.Status.PUBLISHED).exists():
            error = "检索索引正在建立（后台任务），请稍后再试。"
    fields = (Achievement.objects.restrict(request.user, "view").exclude(field="")
              .values_list("field", flat=True).distinct().order_by("field"))
    return render(request, "techmarket/search.html", {
        "q": q, "results": results, "weak": weak, "error": error, "fields": fields, "filters": filters,
        "floor": RELEVANCE_FLOOR, "can_post": may(request.user, "techmarket.need.post"),
        "modes": TransferMode.choices, "total": Achievement.objects.restrict(request.user, "view").filter(status=Achievement.Status.PUBLISHED).count()})


def need_list(request):
    """技术需求 list (scoped: own enterprise / township / everything for the bureau; plus public needs)."""
    _business_user(request)
    qs = Need.objects.restrict(request.user, "view").select_related("enterprise", "township")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "techmarket/needs.html", {"page": page,
                                                     "can_post": may(request.user, "techmarket.need.post")})


@require_http_methods(["GET", "POST"])
def need_new(request):
    """An enterprise user posts a need; it is matched at once."""
    require(request.user, "techmarket.need.post")
    if not request.user.enterprise_id:
        raise PermissionDenied("企业用户未绑定企业，不能发布技术需求。")
    form = {"title": "", "description": "", "budget": "", "deadline": "", "field": "", "is_public": True}
    error = ""
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        form["is_public"] = request.POST.get("is_public") == "on"
        try:
            deadline = _parse_date(form["deadline"], "截止日期") if form["deadline"] else None
            need = services.need_post(user=request.user, enterprise=request.user.enterprise, title=form["title"],
                                      description=form["description"], budget=form["budget"] or None,
                                      deadline=deadline, field=form["field"], is_public=form["is_public"])
            n = len(services.need_match(user=request.user, need=need, k=10))
            messages.success(request, f"需求已发布，系统推荐了 {n} 项科技成果")
            return redirect("techmarket:need_detail", pk=need.pk)
        except services.TechMarketError as exc:
            error = str(exc)
    return render(request, "techmarket/need_new.html", {"form": form, "error": error,
                                                        "status": 400 if error else 200}, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def need_detail(request, pk: int):
    """A need with its suggested achievements; the enterprise answers, the bureau dispatches."""
    _business_user(request)
    need = get_scoped_or_404(Need, request.user, "view", pk=pk)
    user = request.user
    is_owner = may(user, "techmarket.match.feedback", need)
    is_staff = may(user, "techmarket.dispatch.assign", need)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "rematch":
                services.need_match(user=user, need=need, k=10)
                messages.success(request, "已重新匹配")
            elif action == "feedback":
                require(user, "techmarket.match.feedback", need)
                match = need.matches.get(pk=int(request.POST.get("match", 0)))
                services.match_feedback(user=user, match=match, feedback=request.POST.get("feedback", ""),
                                        note=request.POST.get("note", ""))
                messages.success(request, "反馈已记录，成果方可见")
            elif action == "dispatch":
                require(user, "techmarket.dispatch.assign", need)
                match = need.matches.get(pk=int(request.POST.get("match", 0)))
                broker_id = request.POST.get(Role.BROKER)
                broker = Broker.objects.get(pk=int(broker_id)) if broker_id else None
                d = services.dispatch_assign(user=user, match=match, broker=broker, reason=request.POST.get("reason", ""))
                messages.success(request, f"已派单给 {d.broker.name}：{d.rule}")
            else:
                raise services.TechMarketError("未知操作")
        except (services.TechMarketError, Match.DoesNotExist, Broker.DoesNotExist, ValueError) as exc:
            messages.error(request, str(exc) or "参数错误")
        return redirect("techmarket:need_detail", pk=need.pk)
    if is_owner or is_staff:
        matches = need.matches.all()
    else:
        matches = Match.objects.restrict(user, "view").filter(need=need)
    matches = matches.select_related("achievement__owner_institute", "dispatch__broker")
    suggestion = None
    if is_staff and Broker.objects.filter(active=True).exists():
        try:
            suggestion = services.dispatch_pick_broker(need)
        except services.TechMarketError as exc:
            suggestion = str(exc)
    from .selectors import need_resources
    resources = need_resources(need=need) if (is_owner or is_staff) else {"experts": [], "instruments": []}
    need_dispatches = list(Dispatch.objects.restrict(user, "view").filter(need=need, match__isnull=True)
                           .select_related("broker").order_by("-assigned_at", "-id"))
    open_dispatch = next((d for d in need_dispatches if d.stage not in services.OPEN_STAGES_EXCLUDED), None)
    return render(request, "techmarket/need_detail.html", {
        "need": need, "matches": matches, "is_owner": is_owner, "is_staff": is_staff, "resources": resources,
        "feedback_choices": Feedback.choices, "brokers": Broker.objects.filter(active=True) if is_staff else [],
        "suggestion": suggestion, "floor": RELEVANCE_FLOOR, "need_dispatches": need_dispatches,
        "open_dispatch": open_dispatch,
        "may_dispatch_need": is_staff and open_dispatch is None and need.status != Need.Status.CLOSED})


@require_http_methods(["POST"])
def need_dispatch(request, pk: int):
    """派给技术经理人: the bureau dispatches a need that no achievement fits; the broker looks for a
    solution outside the catalogue. Broker by the dispatch rule, or chosen with a reason."""
    _business_user(request)
    need = get_scoped_or_404(Need, request.user, "view", pk=pk)
    require(request.user, "techmarket.dispatch.assign", need)
    try:
        broker_id = request.POST.get("broker_id") or ""
        broker = Broker.objects.get(pk=int(broker_id)) if broker_id else None
        d = services.dispatch_assign(user=request.user, need=need, broker=broker,
                                     reason=request.POST.get("reason", ""))
        messages.success(request, f"已派给技术经理人 {d.broker.name}，首次对接期限 {d.first_contact_due:%Y年%m月%d日}")
    except (services.TechMarketError, Broker.DoesNotExist, ValueError) as exc:
        messages.error(request, str(exc) if isinstance(exc, services.TechMarketError) else "技术经理人: 请从列表中选择")
    return redirect("techmarket:need_detail", pk=need.pk)


def workbench(request):
    """The broker's workbench (staff see every dispatch): stage, first-contact deadline, overdue flag."""
    _business_user(request)
    today = timezone.localdate()
    qs = (Dispatch.objects.restrict(request.user, "view")
          .select_related(Role.BROKER, "need__enterprise", "match__achievement"))
    rows = [(d, services.dispatch_is_overdue(d, today)) for d in qs]
    return render(request, "techmarket/workbench.html", {"rows": rows, "today": today,
                                                         "overdue": sum(1 for _, o in rows if o)})


@require_http_methods(["GET", "POST"])
def dispatch_detail(request, pk: int):
    """One dispatch: notes, 对接 → 洽谈 → 签约 → 登记, deal and contract registration."""
    _business_user(request)
    d = get_scoped_or_404(Dispatch, request.user, "view", pk=pk)
    may_work = may(request.user, "techmarket.dispatch.work", d)
    may_drop = (may(request.user, "techmarket.dispatch.assign", d.need)
                and d.stage not in services.OPEN_STAGES_EXCLUDED and getattr(d, "deal", None) is None)
    if request.method == "POST":
        require(request.user, "techmarket.dispatch.work", d)
        action = request.POST.get("action")
        try:
            if action == "note":
                services.dispatch_note(user=request.user, dispatch=d, text=request.POST.get("text", ""),
                                       author=request.user.get_full_name() or request.user.username)
            elif action == "advance":
                services.dispatch_advance(user=request.user, dispatch=d)
            elif action == "deal":
                services.deal_sign(user=request.user, dispatch=d, amount=request.POST.get("amount", ""),
                                   signed_on=_parse_date(request.POST.get("signed_on", ""), "签约日期"),
                                   solution=request.POST.get("solution", ""), provider=request.POST.get("provider", ""))
            elif action == "drop":
                services.dispatch_drop(user=request.user, dispatch=d, reason=request.POST.get("reason", ""))
            elif action == "attach":
                services.dispatch_attach(dispatch=d, upload=request.FILES.get("file"), user=request.user,
                                         kind=request.POST.get("kind", ""))
            elif action == "contract":
                if getattr(d, "deal", None) is None:
                    raise services.TechMarketError("尚未签约：请先登记成交（签约），再登记技术合同")
                services.contract_register(user=request.user, deal=d.deal, contract_type=request.POST.get("contract_type", ""),
                                           registered_on=_parse_date(request.POST.get("registered_on", ""), "登记日期"),
                                           registration_no=request.POST.get("registration_no", ""),
                                           amount=request.POST.get("amount") or None)
            else:
                raise services.TechMarketError("未知操作")
            messages.success(request, "已保存")
        except services.TechMarketError as exc:
            messages.error(request, str(exc))
        return redirect("techmarket:dispatch_detail", pk=d.pk)
    deal = getattr(d, "deal", None)
    today = timezone.localdate()
    from .models import DispatchAttachment
    return render(request, "techmarket/dispatch_detail.html", {
        "d": d, "deal": deal, "contract": getattr(deal, "contract", None) if deal else None, "may_work": may_work,
        "solution_max": SOLUTION_MAX_CHARS, "provider_max": PROVIDER_MAX_CHARS, "may_drop": may_drop,
        "drop_max": services.DROP_REASON_MAX_CHARS,
        "overdue": services.dispatch_overdue_working_days(d, today), "stages": Dispatch.Stage.choices[:4],
        "contract_types": TechContract.Type.choices, "clock_caveat": services.dispatch_clock_caveat(d, today),
        "attachments": DispatchAttachment.objects.restrict(request.user, "view").filter(dispatch=d)
        .select_related("uploaded_by"),
        "attachment_types": "、".join(sorted(services.DISPATCH_ATTACHMENT_TYPES)),
        "attachment_max_mb": services.DISPATCH_ATTACHMENT_MAX_BYTES // 1024 // 1024})


def contracts(request):
    """Registered technology contracts and turnover per township for a period (scoped)."""
    _business_user(request)
    today = timezone.localdate()
    error = ""
    try:
        start = _parse_date(request.GET["start"], "开始日期") if request.GET.get("start") else date(today.year, 1, 1)
        end = _parse_date(request.GET["end"], "结束日期") if request.GET.get("end") else today
    except services.TechMarketError as exc:
        error, start, end = str(exc), date(today.year, 1, 1), today
    qs = (TechContract.objects.restrict(request.user, "view").filter(registered_on__gte=start, registered_on__lte=end)
          .select_related("township"))
    by_township = (qs.values("township__name").annotate(total=Sum("amount")).order_by("-total"))
    return render(request, "techmarket/contracts.html", {
        "contracts": qs[:200], "by_township": by_township, "start": start, "end": end, "error": error,
        "total": qs.aggregate(t=Sum("amount"))["t"] or 0})


def challenges(request):
    """揭榜挂帅 榜单 (public to signed-in users): open and awarded challenges with subsidies;
    the bureau publishes new ones from needs (techmarket:challenge_new)."""
    _business_user(request)
    from django.db.models import Count

    from .models import ChallengeApplication
    qs = list(Challenge.objects.restrict(request.user, "view").select_related("need__enterprise"))
    counts = dict(ChallengeApplication.objects.restrict(request.user, "view").filter(challenge__in=qs)
                  .values("challenge").annotate(n=Count("id")).values_list("challenge", "n"))
    for c in qs:
        c.n_applications = counts.get(c.pk, 0)
    return render(request, "techmarket/challenges.html", {"challenges": qs, "citation": services.CHALLENGE_CITATION,
                                                          "today": timezone.localdate(),
                                                          "can_publish": may(request.user, "techmarket.challenge.publish")})


@require_http_methods(["GET", "POST"])
def import_page(request):
    """Excel import of achievements or needs (bureau staff): validate all rows first, dry run, one transaction."""
    require(request.user, "techmarket.import")
    from . import excel
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        kind = request.POST.get("kind", "achievements")
        dry = request.POST.get("dry_run") == "on"
        if upload is None:
            messages.error(request, "请选择要导入的 Excel 文件")
        else:
            report = excel.import_workbook(upload, user=request.user, kind=kind, dry_run=dry, source_name=upload.name)
    return render(request, "techmarket/import.html", {"report": report})
