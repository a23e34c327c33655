"""Pages of 科技计划项目: calls, applications, expert review, the project page with the transitions
the user may take, the expert pool."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kechuang.core.permissions import PermissionRefused, can, require
from kechuang.core.scoping import get_scoped_or_404

from . import forms, projects
from .models import (
    Call,
    ChangeRequest,
    Expert,
    Instalment,
    PlanCategory,
    Project,
    ProjectStatus,
    ReviewAssignment,
)
from .views import _act, _errors


@require_http_methods(["GET", "POST"])
def calls(request):
    """申报指南 and plan categories; the bureau publishes them."""
    require(request.user, "supervision.project.view")
    from kechuang.techmarket.models import Challenge

    cats = PlanCategory.objects.restrict(request.user, "view")
    challenges = Challenge.objects.restrict(request.user, "view").filter(call__isnull=True).exclude(status="closed")
    cat_form, call_form = forms.CategoryForm(), forms.CallForm(categories=cats, challenges=challenges)
    if request.method == "POST":
        u = request.user
        if request.POST.get("action") == "category":
            cat_form = forms.CategoryForm(request.POST)
            ok = _act(request, cat_form, lambda d: projects.category_create(user=u, **d), "已添加计划类别")
        else:
            call_form = forms.CallForm(request.POST, categories=cats, challenges=challenges)
            ok = _act(request, call_form, lambda d: projects.call_create(user=u, **d), "已发布申报指南")
        if ok:
            return redirect("supervision:calls")
    return render(request, "supervision/calls.html", {
        "calls": Call.objects.restrict(request.user, "view").select_related("category", "challenge")[:200],
        "cat_form": cat_form, "call_form": call_form, "today": timezone.localdate(),
        "may_manage": can(request.user, "supervision.call.manage")})


@require_http_methods(["GET", "POST"])
def call_detail(request, pk: int):
    """One call: its applications (as far as the user may see them), the review draw and ranking
    (bureau), and the application form (enterprise)."""
    require(request.user, "supervision.project.view")
    call = get_scoped_or_404(Call, request.user, "view", pk=pk)
    apply_form, draw_form = forms.ApplyForm(), forms.ReviewDrawForm()
    if request.method == "POST":
        u, action = request.user, request.POST.get("action")
        if action == "apply":
            apply_form = forms.ApplyForm(request.POST)
            holder = {}

            def act(d):
                if not u.enterprise_id:   # a refusal (403), not an input error
                    raise PermissionRefused("supervision.project.apply", "只有企业用户可以在此申报本单位的项目。")
                holder["p"] = projects.project_create(
                    user=u, call=call, applicant=u.enterprise, title=d["title"], pi_name=d["pi_name"],
                    requested_amount=d["requested_amount"], co_applicants=forms._lines(d["co_applicants"]),
                    summary=d["summary"])
            if _act(request, apply_form, act, "已保存申报书，请签署承诺后提交"):
                return redirect("supervision:project_detail", pk=holder["p"].pk)
        elif action == "draw":
            draw_form = forms.ReviewDrawForm(request.POST)
            _act(request, draw_form, lambda d: projects.review_draw(user=u, call=call, **d), "已抽取评审专家")
        elif action == "rank":
            try:
                projects.review_rank(user=u, call=call)
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            else:
                messages.success(request, "已计算评审得分和排名")
        else:
            messages.error(request, "无法识别的操作")
        return redirect("supervision:call_detail", pk=pk)
    rows = (Project.objects.restrict(request.user, "view").filter(call=call).select_related("applicant")
            .order_by("rank", "-id"))
    return render(request, "supervision/call_detail.html", {
        "call": call, "rows": rows, "apply_form": apply_form, "draw_form": draw_form,
        "may_apply": can(request.user, "supervision.project.apply") and bool(getattr(request.user, "enterprise_id", None)),
        "may_manage": can(request.user, "supervision.project.manage")})


@require_GET
def project_list(request):
    require(request.user, "supervision.project.view")
    qs = Project.objects.restrict(request.user, "view").select_related("call__category", "applicant")
    status = request.GET.get("status", "")
    if status in ProjectStatus.values:
        qs = qs.filter(status=status)
    return render(request, "supervision/projects.html", {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")), "status": status,
        "statuses": ProjectStatus.choices})


_ACTION_FORMS = {
    "submit": forms.SubmitForm, "formal": forms.FormalForm, "approve": forms.ApproveForm, "decline": forms.NoteForm,
    "midterm": forms.MidtermForm, "accept": forms.AcceptForm, "terminate": forms.TerminateForm,
    "revoke": forms.NoteForm, "change": forms.ChangeForm,
}


@require_GET
def project_detail(request, pk: int):
    require(request.user, "supervision.project.view")
    p = get_scoped_or_404(Project.objects.select_related("call__category", "applicant"), request.user, "view", pk=pk)
    allowed = dict(projects.allowed_transitions(request.user, p))
    show_names = can(request.user, "supervision.review.names")
    reviews = list(p.reviews.select_related("expert")) if show_names else []
    return render(request, "supervision/project_detail.html", {
        "p": p, "allowed": allowed, "forms": {k: f() for k, f in _ACTION_FORMS.items()},
        "show_names": show_names, "reviews": reviews, "review_count": p.reviews.count(),
        "instalments": list(p.instalments.all()), "missing": list(p.missing_documents.all()),
        "changes": list(p.changes.all()), "today": timezone.localdate(),
        "may_pay": can(request.user, "supervision.project.pay"),
        "may_change": p.status == "in_progress" and can(request.user, "supervision.project.apply", p),
        "may_decide": can(request.user, "supervision.project.manage", p),
        "may_docs": can(request.user, "supervision.project.apply", p),
        "reward_cases": list(projects.challenge_reward_cases(request.user, p))
        if can(request.user, "policies.case.view") else []})


@require_POST
def project_action(request, pk: int):
    """One transition (or change request / 容缺补交 / 拨款) of a project, named by ``action``."""
    p = get_scoped_or_404(Project, request.user, "view", pk=pk)
    action, u = request.POST.get("action", ""), request.user
    form_class = _ACTION_FORMS.get(action)
    form = form_class(request.POST) if form_class else None
    acts = {
        "submit": lambda d: projects.project_submit(
            user=u, project=p, integrity_promise=d["integrity_promise"], credit_promise=d["credit_promise"],
            missing=[(d["missing_name"], d["missing_due"])] if d["missing_name"] else []),
        "formal": lambda d: projects.project_formal_review(user=u, project=p, passed=d["passed"], note=d["note"]),
        "approve": lambda d: projects.project_approve(
            user=u, project=p, approved_amount=d["approved_amount"], goals=d["goals"], indicators=d["indicator_list"],
            budget_lines=d["budget"], lump_sum=d["lump_sum"], start_on=d["start_on"], end_on=d["end_on"],
            instalments=d["plan"], challenge_subsidy=d["challenge_subsidy"]),
        "decline": lambda d: projects.project_decline(user=u, project=p, note=d["note"]),
        "midterm": lambda d: projects.project_midterm(user=u, project=p, on=d["on"], conclusion=d["conclusion"]),
        "accept": lambda d: projects.project_accept(user=u, project=p, indicators_met=d["indicators_met"],
                                                    audit_passed=d["audit_passed"], note=d["note"]),
        "terminate": lambda d: projects.project_terminate(user=u, project=p, reason=d["reason"], diligent=d["diligent"]),
        "revoke": lambda d: projects.project_revoke(user=u, project=p, reason=d["note"]),
        "change": lambda d: projects.change_request(user=u, project=p, **d),
    }
    if action in acts:
        _act(request, form, acts[action], "已办理")
        return redirect("supervision:project_detail", pk=pk)
    try:
        if action == "document":
            doc = p.missing_documents.get(pk=int(request.POST.get("document", 0)))
            projects.document_submitted(user=u, document=doc)
        elif action == "pay":
            inst = Instalment.objects.get(project=p, pk=int(request.POST.get("instalment", 0)))
            projects.instalment_pay(user=u, instalment=inst)
        elif action in ("change_approve", "change_refuse"):
            ch = ChangeRequest.objects.get(project=p, pk=int(request.POST.get("change", 0)))
            projects.change_decide(user=u, change=ch, approve=action == "change_approve",
                                   note=request.POST.get("note", "")[:500])
        else:
            raise ValidationError("无法识别的操作")
    except (ValueError, Instalment.DoesNotExist, ChangeRequest.DoesNotExist, p.missing_documents.model.DoesNotExist):
        messages.error(request, "所选记录不存在")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "已办理")
    return redirect("supervision:project_detail", pk=pk)


@require_GET
def reviews(request):
    """评审任务 of the signed-in expert (the bureau sees all)."""
    require(request.user, "supervision.project.view")
    rows = ReviewAssignment.objects.restrict(request.user, "view").select_related("project__call", "expert")
    return render(request, "supervision/reviews.html", {
        "rows": rows[:500], "form": forms.ScoreForm(), "may_score": can(request.user, "supervision.review.score"),
        "show_names": can(request.user, "supervision.review.names")})


@require_POST
def review_submit(request, pk: int):
    a = get_scoped_or_404(ReviewAssignment, request.user, "change", pk=pk)
    _act(request, forms.ScoreForm(request.POST), lambda d: projects.review_submit(
        user=request.user, assignment=a, score=d["score"], comment=d["comment"]), "已提交评审意见")
    return redirect("supervision:reviews")


@require_http_methods(["GET", "POST"])
def experts(request):
    """评审专家库 (bureau): admission through the credit check."""
    require(request.user, "supervision.expert.manage")
    form = forms.ExpertForm(request.POST or None)
    if request.method == "POST":
        def act(d):
            from kechuang.core.models import User

            account = None
            if d["username"]:
                account = User.objects.filter(username__iexact=d["username"]).first()
                if account is None:
                    raise ValidationError("系统账户：没有该用户")
            projects.expert_admit(user=request.user, name=d["name"], unit=d["unit"], field=d["field"],
                                  title=d["title"], account=account)
        if _act(request, form, act, "专家已入库"):
            return redirect("supervision:experts")
    return render(request, "supervision/experts.html", {
        "experts": Expert.objects.restrict(request.user, "view").filter(active=True)[:1000], "form": form})
