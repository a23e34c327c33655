"""Catalogue pages of the technology market: achievement detail, moderation (成果审核),
institutes (科研机构), shared instruments (共享仪器) and match outcomes (对接成效).

Who is the owner side of an achievement: achievements carry an owner institute
(``owner_institute``) or a holder's name, but no account is bound to an institute, so today
only the bureau (科技局) counts as the owner side; it sees candidate enterprises and the
enterprises' feedback.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kechuang.core.permissions import can, require
from kechuang.core.scoping import get_scoped_or_404

from . import services
from .models import Achievement, Feedback, Institute, Instrument, Match, Need, TransferMode
from .selectors import achievement_candidates, match_outcomes_by_field
from .views import _business_user

SOURCE_LABELS = {"CSL": "CSL 公开论文", "synthetic": "合成数据", "manual": "人工录入", "import": "表格导入"}
# 议题 7 第 3 项：今天的技术交易平台上约五分之一的挂牌项目能找到合作方（比较基准，非政策指标）
PLATFORM_PARTNER_SHARE = Decimal("20")
UNFILED_FIELD = "未分类"


def is_achievement_owner(user, achievement: Achievement) -> bool:
    """Whether ``user`` is on the owner side of ``achievement`` (sees candidates and feedback).

    No account is bound to an institute today, so only bureau staff qualify.
    """
    return can(user, "techmarket.achievement.moderate")


def source_label(source: str) -> str:
    """The Chinese label of an achievement's source (CSL / 合成数据 / 人工录入 / 表格导入)."""
    return SOURCE_LABELS.get(source, source or "未知")


def transfer_mode_labels(modes) -> list[str]:
    """Chinese labels of transfer modes; unknown codes are shown as stored."""
    labels = dict(TransferMode.choices)
    return [str(labels.get(m, m)) for m in (modes or [])]


def moderation_history(achievement: Achievement) -> list[dict]:
    """The moderation events of an achievement (publish / reject with reason), newest first,
    read from the change log (the reason is in the entry's after-snapshot)."""
    from kechuang.core.models import ChangeLog
    rows = (ChangeLog.objects.filter(model="techmarket.Achievement", object_id=str(achievement.pk),
                                     source__in=[services.MODERATION_PUBLISH_SOURCE, services.MODERATION_REJECT_SOURCE])
            .order_by("-id"))
    out = []
    for r in rows:
        rejected = r.source == services.MODERATION_REJECT_SOURCE
        out.append({"at": r.at, "actor": r.actor, "rejected": rejected,
                    "reason": (r.after or {}).get("moderation_note", "") if rejected else ""})
    return out


def last_rejections(achievements) -> dict[int, dict]:
    """{achievement pk: {at, actor, reason}} of the latest 退回 of each of ``achievements``."""
    from kechuang.core.models import ChangeLog
    by_pk = {str(a.pk): a for a in achievements if a.moderation_note}
    rows = ChangeLog.objects.filter(model="techmarket.Achievement", object_id__in=list(by_pk),
                                    source=services.MODERATION_REJECT_SOURCE).order_by("id")
    return {int(r.object_id): {"at": r.at, "actor": r.actor, "reason": by_pk[r.object_id].moderation_note}
            for r in rows}


# --------------------------------------------------------------------------- 成果详情
def achievement_detail(request, pk: int):
    """成果详情: the listing; for the owner side also candidate enterprises and enterprise feedback."""
    _business_user(request)
    a = get_scoped_or_404(Achievement.objects.select_related("owner_institute"), request.user, "view", pk=pk)
    owner = is_achievement_owner(request.user, a)
    context = {"a": a, "modes": transfer_mode_labels(a.transfer_modes), "source_label": source_label(a.source),
               "is_owner": owner}
    if owner:
        feedback = (Match.objects.restrict(request.user, "view").filter(achievement=a).exclude(feedback="")
                    .select_related("need__enterprise", "need__township").order_by("-feedback_at", "-id"))
        counts = dict(feedback.values_list("feedback").annotate(n=Count("id")).order_by())
        context.update({
            "candidates": achievement_candidates(achievement=a, user=request.user, k=10),
            "feedback": feedback[:100],
            "feedback_counts": [(label, counts.get(value, 0)) for value, label in Feedback.choices],
            "suggested": Match.objects.restrict(request.user, "view").filter(achievement=a).count(),
            "history": moderation_history(a)})
    return render(request, "techmarket/catalogue/achievement_detail.html", context)


# --------------------------------------------------------------------------- 成果审核
@require_http_methods(["GET", "POST"])
def moderation(request):
    """成果审核 (bureau): publish or send back (with a reason) the achievements not yet published."""
    require(request.user, "techmarket.achievement.moderate")
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "reindex":   # rebuild the search index in a job; its bar shows on this page
            from kechuang.jobs.services import job_start

            from .catalogue import INDEX_JOB
            job_start(actor=request.user, kind=INDEX_JOB, args={"rebuild": True}, label="成果检索索引重建")
            messages.success(request, "检索索引正在后台重建，进度见本页；重建期间检索照常使用当前索引")
            return redirect("techmarket:moderation")
        try:
            pk = int(request.POST.get("achievement", ""))
        except ValueError:
            pk = None
        if pk is None:
            error = "成果: 未指定要审核的成果"
        else:
            a = get_scoped_or_404(Achievement, request.user, "change", pk=pk)
            try:
                if action == "publish":
                    services.achievement_publish(user=request.user, achievement=a)
                    messages.success(request, f"已发布「{a.title}」，可在成果检索中查到")
                elif action == "reject":
                    services.achievement_reject(user=request.user, achievement=a, reason=request.POST.get("reason", ""))
                    messages.success(request, f"已退回「{a.title}」，退回原因已记录")
                else:
                    raise services.TechMarketError(f"操作: 未知操作 {action!r}")
                return redirect("techmarket:moderation")
            except services.TechMarketError as exc:
                error = str(exc)
    qs = Achievement.objects.restrict(request.user, "view").select_related("owner_institute")
    pending = qs.filter(status=Achievement.Status.REVIEW).order_by("created_at", "id")
    drafts = qs.filter(status=Achievement.Status.DRAFT).order_by("-id")
    pending_page = Paginator(pending, 30).get_page(request.GET.get("page"))
    drafts = list(drafts[:50])
    rejections = last_rejections(drafts)
    draft_rows = [(a, rejections.get(a.pk)) for a in drafts]
    for a in [*pending_page, *drafts]:
        a.source_text = source_label(a.source)
    return render(request, "techmarket/catalogue/moderation.html", {
        "pending": pending_page, "drafts": draft_rows,
        "draft_total": qs.filter(status=Achievement.Status.DRAFT).count(), "error": error,
        "reason_max": services.REJECT_REASON_MAX_CHARS},
        status=400 if error else 200)


# --------------------------------------------------------------------------- 科研机构 / 共享仪器
def institutes(request):
    """科研机构 (大院大所): public reference rows with platform, expert, instrument and listing counts."""
    _business_user(request)
    kind = request.GET.get("kind") or ""
    qs = Institute.objects.restrict(request.user, "view")
    kinds = [k for k in qs.exclude(kind="").values_list("kind", flat=True).distinct().order_by("kind")]
    if kind:
        qs = qs.filter(kind=kind)
    qs = qs.annotate(n_instruments=Count("instruments", distinct=True),
                     n_published=Count("achievements", filter=Q(achievements__status=Achievement.Status.PUBLISHED),
                                       distinct=True))
    return render(request, "techmarket/catalogue/institutes.html", {"institutes": qs, "kinds": kinds, "kind": kind})


def institute_detail(request, pk: int):
    """One institute: platforms, experts, shared instruments and its published achievements."""
    _business_user(request)
    inst = get_scoped_or_404(Institute, request.user, "view", pk=pk)
    listings = (Achievement.objects.restrict(request.user, "view").filter(owner_institute=inst)
                .order_by("-id"))
    return render(request, "techmarket/catalogue/institute_detail.html", {
        "inst": inst, "instruments": Instrument.objects.restrict(request.user, "view").filter(owner=inst),
        "listings": listings[:50], "listing_total": listings.count()})


AVAILABILITY = {"": None, "yes": True, "no": False}


def instruments(request):
    """共享仪器: owner, category, fee and availability, filtered by category and availability."""
    _business_user(request)
    category = request.GET.get("category") or ""
    available = request.GET.get("available") or ""
    error = ""
    base = Instrument.objects.restrict(request.user, "view")
    qs = base.select_related("owner")
    if category:
        qs = qs.filter(category=category)
    if available not in AVAILABILITY:
        error = f"可预约: 应为“可预约”或“暂停预约”，收到 {available!r}"
    elif AVAILABILITY[available] is not None:
        qs = qs.filter(available=AVAILABILITY[available])
    categories = base.exclude(category="").values_list("category", flat=True).distinct().order_by("category")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "techmarket/catalogue/instruments.html", {
        "page": page, "categories": categories, "category": category, "available": available, "error": error},
        status=400 if error else 200)


# --------------------------------------------------------------------------- 对接成效
def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def outcome_rows(user) -> tuple[list[dict], dict]:
    """Per need field: listings (needs), with a suggestion, with 有意向 feedback, dispatched (of them:
    dispatched without an achievement, because none fitted), deals, registered contracts and the
    share that found a partner (a deal, with or without an achievement); plus the totals row.

    Suggestion-level figures (suggestions, answered) come from ``selectors.match_outcomes_by_field``.
    """
    needs = Need.objects.restrict(user, "view")
    agg = (needs.values("field").annotate(
        listings=Count("id", distinct=True),
        with_match=Count("id", filter=Q(matches__isnull=False), distinct=True),
        with_interest=Count("id", filter=Q(matches__feedback=Feedback.INTERESTED), distinct=True),
        dispatched=Count("id", filter=Q(dispatches__isnull=False), distinct=True),
        dispatched_unmatched=Count("id", filter=Q(dispatches__match__isnull=True, dispatches__isnull=False),
                                   distinct=True),
        with_deal=Count("id", filter=Q(deals__isnull=False), distinct=True),
        deal_count=Count("deals", distinct=True),
        contract_count=Count("deals__contract", distinct=True)).order_by())
    by_field: dict[str, dict] = {}
    keys = ("listings", "with_match", "with_interest", "dispatched", "dispatched_unmatched", "with_deal", "deals",
            "contracts")
    for r in agg:
        row = by_field.setdefault(r["field"] or UNFILED_FIELD, {"field": r["field"] or UNFILED_FIELD,
                                                                **dict.fromkeys(keys, 0)})
        r = {**r, "deals": r["deal_count"], "contracts": r["contract_count"]}
        for k in keys:
            row[k] += r[k]
    for r in match_outcomes_by_field(user=user):
        row = by_field.get(r["field"])
        if row is not None:
            row["suggestions"], row["answered"] = r["suggestions"], r["answered"]
    rows = sorted(by_field.values(), key=lambda r: (-r["listings"], r["field"]))
    total = {"field": "合计", **{k: sum(r[k] for r in rows) for k in keys},
             "suggestions": sum(r.get("suggestions", 0) for r in rows),
             "answered": sum(r.get("answered", 0) for r in rows)}
    for r in [*rows, total]:
        r.setdefault("suggestions", 0)
        r.setdefault("answered", 0)
        r["share"] = _percent(r["with_deal"], r["listings"])
        r["above_platforms"] = r["share"] is not None and r["share"] >= PLATFORM_PARTNER_SHARE
    return rows, total


def feedback_reasons(user) -> tuple[list[str], list[dict]]:
    """Feedback labels and, per need field, how often each answer was given."""
    qs = (Match.objects.restrict(user, "view").exclude(feedback="")
          .values("need__field", "feedback").annotate(n=Count("id")).order_by())
    table: dict[str, dict[str, int]] = {}
    for r in qs:
        table.setdefault(r["need__field"] or UNFILED_FIELD, {})[r["feedback"]] = r["n"]
    labels = [str(label) for _, label in Feedback.choices]
    rows = [{"field": f, "counts": [cells.get(v, 0) for v in Feedback.values], "total": sum(cells.values())}
            for f, cells in sorted(table.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))]
    return labels, rows


def outcomes(request):
    """对接成效 (bureau): the listing → match → feedback → dispatch → deal → contract funnel by field."""
    require(request.user, "techmarket.outcomes.view")
    rows, total = outcome_rows(request.user)
    labels, reasons = feedback_reasons(request.user)
    published = Achievement.objects.restrict(request.user, "view").filter(status=Achievement.Status.PUBLISHED)
    ach = published.aggregate(listed=Count("id", distinct=True),
                              matched=Count("id", filter=Q(matches__isnull=False), distinct=True),
                              with_deal=Count("id", filter=Q(deals__isnull=False), distinct=True))
    ach["share"] = _percent(ach["with_deal"], ach["listed"])
    chart = {"fields": [r["field"] for r in rows],
             "series": [{"name": name, "data": [r[key] for r in rows]} for key, name in
                        (("listings", "发布需求"), ("with_match", "获得推荐"), ("with_interest", "有意向"),
                         ("dispatched", "已派单"), ("with_deal", "已成交"))]}
    return render(request, "techmarket/catalogue/outcomes.html", {
        "rows": rows, "total": total, "labels": labels, "reasons": reasons, "ach": ach, "chart": chart,
        "benchmark": PLATFORM_PARTNER_SHARE})
