"""揭榜挂帅 pages: publish a 榜单 from a need, challenge detail (apply, expert review, award,
milestones and acceptance, 撤榜), the public list without sign-in, and dispatch attachment downloads.

Rules: subsidy 50~200 万元 on award, paid for projects that pass acceptance
(南政规〔2025〕2号 一、（二））. Who may apply: signed-in enterprise users (not the issuing
enterprise), alone or with partner universities/institutes; teams without an account hand in
a paper application that bureau staff enter (代录).
"""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from kechuang.core.models import Role
from kechuang.core.permissions import can, require
from kechuang.core.scoping import get_scoped_or_404

from . import services
from .models import Challenge, ChallengeApplication, ChallengeMilestone, DispatchAttachment, Need
from .views import _business_user, _parse_date

REVIEW_ROWS = 5
WHO_MAY_APPLY = ("揭榜资格：已登录的企业用户可在线揭榜（发榜企业除外），可联合高校、科研院所组成团队；"
                 "高校、科研院所团队如无企业账号，可向市科技局提交纸质申请，由科技局工作人员代录。")


def _date(value: str, field: str, *, required: bool = True) -> date | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise services.TechMarketError(f"{field}: 不能为空")
        return None
    return _parse_date(value, field)


def _milestone_lines(text: str) -> list[tuple[str, str]]:
    """Lines "YYYY-MM-DD 标题" → (title, due text); the service checks the dates."""
    rows = []
    for i, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        due, _, title = line.partition(" ")
        if not title.strip():
            raise services.TechMarketError(f"里程碑第 {i} 行: 应写成“YYYY-MM-DD 里程碑名称”，收到 {line!r}")
        rows.append((title.strip(), due))
    return rows


@require_http_methods(["GET", "POST"])
def challenge_new(request):
    """The bureau publishes a 榜单 from a need (the need is chosen from the list or passed as ?need=)."""
    require(request.user, "techmarket.challenge.publish")
    needs = Need.objects.restrict(request.user, "view").exclude(status=Need.Status.CLOSED).select_related("enterprise")
    today = timezone.localdate()
    form = {"need": request.GET.get("need", ""), "title": "", "summary": "", "field": "", "bounty": "",
            "deadline": "", "published_on": today.isoformat(), "milestones": ""}
    error = ""
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        try:
            try:
                need = needs.get(pk=int(form["need"]))
            except (ValueError, Need.DoesNotExist):
                raise services.TechMarketError("来源需求: 请选择一项技术需求") from None
            ch = services.challenge_publish(
                need=need, user=request.user, title=form["title"], summary=form["summary"], field=form["field"],
                bounty=form["bounty"] or None, deadline=_date(form["deadline"], "揭榜截止日期", required=False),
                published_on=_date(form["published_on"], "张榜日期"),
                milestones=_milestone_lines(form["milestones"]))
            if ch.published_on > today:
                messages.success(request, f"榜单「{ch.title}」已保存，{ch.published_on:%Y-%m-%d} 张榜（此前不公开）")
            else:
                messages.success(request, f"榜单「{ch.title}」已张榜")
            return redirect("techmarket:challenge_detail", pk=ch.pk)
        except services.TechMarketError as exc:
            error = str(exc)
    return render(request, "techmarket/challenges/new.html", {"form": form, "needs": needs[:300], "error": error},
                  status=400 if error else 200)


def _review_rows(app: ChallengeApplication) -> list[tuple[int, str, str]]:
    scores = app.scores
    return [(i, scores[i - 1][0] if i <= len(scores) else "", str(scores[i - 1][1]) if i <= len(scores) else "")
            for i in range(1, max(REVIEW_ROWS, len(scores)) + 1)]


def _post_scores(post) -> list[tuple[str, str]]:
    rows = []
    i = 1
    while f"expert_{i}" in post or f"score_{i}" in post:
        expert, score = post.get(f"expert_{i}", "").strip(), post.get(f"score_{i}", "").strip()
        if expert or score:
            if not expert:
                raise services.TechMarketError(f"专家评分第 {i} 行: 请填写专家姓名")
            rows.append((expert, score))
        i += 1
    return rows


def _handle_post(request, ch: Challenge) -> None:
    """Run one action of the detail page; business errors become messages, forbidden ones 403."""
    action = request.POST.get("action", "")
    user = request.user
    if action == "apply":
        services.challenge_apply(challenge=ch, user=user, team=request.POST.get("team", ""),
                                 lead=request.POST.get("lead", ""), members=request.POST.get("members", ""),
                                 institution=request.POST.get("institution", ""),
                                 contact=request.POST.get("contact", ""), proposal=request.POST.get("proposal", ""))
        messages.success(request, "揭榜申请已提交")
        return
    require(user, "techmarket.challenge.manage")
    if action in ("review", "award"):
        try:
            app = ch.applications.get(pk=int(request.POST.get("application", "")))
        except (ValueError, ChallengeApplication.DoesNotExist):
            raise services.TechMarketError("揭榜申请: 未找到该申请") from None
        if action == "review":
            services.challenge_review(application=app, scores=_post_scores(request.POST), user=user)
            messages.success(request, f"已保存「{app.team}」的专家评分，平均 {app.mean_score} 分")
        else:
            services.challenge_award(application=app, subsidy=request.POST.get("subsidy", ""), user=user)
            messages.success(request, f"「{app.team}」揭榜成功，核定补助 {request.POST.get('subsidy')} 万元")
    elif action == "milestone_add":
        services.challenge_milestone_add(challenge=ch, title=request.POST.get("title", ""),
                                         due=_date(request.POST.get("due", ""), "计划完成日期"), user=user)
        messages.success(request, "已增加里程碑")
    elif action == "milestone_accept":
        try:
            ms = ch.milestones.get(pk=int(request.POST.get("milestone", "")))
        except (ValueError, ChallengeMilestone.DoesNotExist):
            raise services.TechMarketError("里程碑: 未找到该里程碑") from None
        result = request.POST.get("result", "")
        if result not in ("passed", "failed"):
            raise services.TechMarketError("验收结果: 请选择“通过”或“不通过”")
        services.challenge_milestone_accept(milestone=ms, passed=result == "passed", note=request.POST.get("note", ""),
                                            on=_date(request.POST.get("on", ""), "验收日期"), user=user)
        messages.success(request, f"已记录「{ms.title}」的验收结果")
    elif action == "close":
        services.challenge_close(challenge=ch, reason=request.POST.get("reason", ""), user=user)
        messages.success(request, "已撤榜")
    else:
        raise services.TechMarketError("未知操作")


@require_http_methods(["GET", "POST"])
def challenge_detail(request, pk: int):
    """One 榜单: public content, source need (for those who may see it), applications ranked by the
    mean expert score, award with the subsidy check, milestones with acceptance and overdue flags."""
    _business_user(request)
    ch = get_scoped_or_404(Challenge.objects.select_related("need__enterprise", "need__township"), request.user,
                           "view", pk=pk)
    if request.method == "POST":
        try:
            _handle_post(request, ch)
        except services.TechMarketError as exc:
            messages.error(request, str(exc))
        return redirect("techmarket:challenge_detail", pk=ch.pk)
    user = request.user
    today = timezone.localdate()
    is_staff = can(user, "techmarket.challenge.manage")
    need_visible = Need.objects.restrict(user, "view").filter(pk=ch.need_id).exists()
    visible_apps = set(ChallengeApplication.objects.restrict(user, "view").filter(challenge=ch)
                       .values_list("pk", flat=True))
    ranking = [a for a in services.challenge_ranking(ch) if a.pk in visible_apps]
    not_yet_public = ch.status == Challenge.Status.OPEN and today < ch.published_on
    # scores close the call: entered once the 揭榜截止日期 has passed (services.challenge_review)
    call_running = ch.status == Challenge.Status.OPEN and (not_yet_public or (ch.deadline and today <= ch.deadline))
    may_apply = (ch.status == Challenge.Status.OPEN and not not_yet_public and (not ch.deadline or today <= ch.deadline)
                 and can(user, "techmarket.challenge.apply")
                 and (user.role != Role.ENTERPRISE_USER or (user.enterprise_id
                                                            and user.enterprise_id != ch.need.enterprise_id)))
    milestones = [(m, m.is_overdue(today)) for m in ch.milestones.all()]
    return render(request, "techmarket/challenges/detail.html", {
        "ch": ch, "need_visible": need_visible, "ranking": ranking,
        "rows": [(i, a, _review_rows(a)) for i, a in enumerate(ranking, start=1)],
        "is_staff": is_staff, "may_apply": may_apply, "milestones": milestones, "today": today,
        "who_may_apply": WHO_MAY_APPLY, "citation": services.CHALLENGE_CITATION,
        "subsidy_min": services.CHALLENGE_SUBSIDY_MIN, "subsidy_max": services.CHALLENGE_SUBSIDY_MAX,
        "not_yet_public": not_yet_public, "call_running": is_staff and call_running,
        "may_award": is_staff and not call_running and ch.status in (Challenge.Status.OPEN, Challenge.Status.REVIEW),
        "may_review": is_staff and not call_running and ch.status in (Challenge.Status.OPEN, Challenge.Status.REVIEW),
        "may_close": is_staff and ch.status in (Challenge.Status.OPEN, Challenge.Status.REVIEW),
        "may_add_milestone": is_staff and ch.status not in (Challenge.Status.ACCEPTED, Challenge.Status.CLOSED),
        "may_accept": is_staff and ch.status == Challenge.Status.AWARDED})


@login_not_required
@require_GET
def public_challenges(request):
    """公开榜单 (no sign-in): open challenges only, public fields only (title, content, field, bounty,
    deadline). The source need, the issuing enterprise, applications and scores are not shown."""
    # a challenge goes public on its 张榜日期, not before
    qs = (Challenge.objects.restrict(AnonymousUser(), "view")
          .filter(status=Challenge.Status.OPEN, published_on__lte=timezone.localdate())
          .only("title", "summary", "field", "bounty", "deadline", "published_on", "status"))
    return render(request, "techmarket/challenges/public_list.html", {
        "challenges": qs[:200], "citation": services.CHALLENGE_CITATION, "who_may_apply": WHO_MAY_APPLY,
        "today": timezone.localdate()})


@require_GET
def dispatch_attachment(request, pk: int):
    """Download a dispatch attachment the user may see (404 otherwise)."""
    _business_user(request)
    item = get_scoped_or_404(DispatchAttachment, request.user, "view", pk=pk)
    response = FileResponse(item.file.open("rb"), as_attachment=True)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item.name)}"
    return response
