"""Pages of the 科技特派员 module (signed in). Every read goes through ``restrict`` /
``get_scoped_or_404``; every write through a service (which calls ``require``)."""
from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from kechuang.core.inputs import int_param
from kechuang.core.models import ADMIN_ROLES, Region, Role
from kechuang.core.permissions import can, has_perm, require
from kechuang.core.safe_export import full_view
from kechuang.core.scoping import get_scoped_or_404

from . import excel, selectors, services
from .models import (
    FIELDS,
    Agreement,
    Application,
    Assessment,
    AssessmentRule,
    Assignment,
    Commissioner,
    Kind,
    Level,
    LogAttachment,
    Need,
    Question,
    Recipient,
    SelectionRound,
    ServiceItem,
    ServiceLog,
    ServiceOrder,
)
from .services import CommissionerError


def _business(request):
    if getattr(request.user, "role", "") in ADMIN_ROLES:
        raise PermissionDenied("系统管理员不查看业务数据")


def _year(request) -> int:
    try:
        y = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        y = timezone.localdate().year
    return min(max(y, 2000), 2100)


def _date(value, field) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommissionerError(field, f"日期格式应为 YYYY-MM-DD，收到「{value}」") from None


def _errors_to_messages(view):
    """A fixable input error on a POST becomes a message on the page it came from."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except CommissionerError as exc:
            messages.error(request, str(exc))
            return redirect(request.META.get("HTTP_REFERER") or request.path)

    return wrapper


def _ctx(request, **kw):
    kw.setdefault("tab", "")
    kw["fields_choices"] = FIELDS
    return kw


# --------------------------------------------------------------------------- home / workbench
@require_GET
def home(request):
    """The workbench: a commissioner's assignments, orders, logs and questions; a recipient's
    logs waiting for their confirmation; the bureau's open needs and disputes."""
    _business(request)
    user = request.user
    me = Commissioner.objects.filter(account=user).first() if user.role == Role.COMMISSIONER else None
    logs = ServiceLog.objects.restrict(user, "view").select_related("commissioner", "recipient")
    to_confirm = [x for x in logs.filter(status=ServiceLog.Status.PENDING)[:50] if x.recipient.is_confirmer(user)]
    return render(request, "commissioners/home.html", _ctx(
        request, tab="home", me=me,
        assignments=Assignment.objects.restrict(user, "view").filter(status=Assignment.Status.PENDING)
        .select_related("need", "need__recipient")[:50] if me else [],
        orders=ServiceOrder.objects.restrict(user, "view").filter(status=ServiceOrder.Status.ORDERED)
        .select_related("item", "recipient")[:50] if me else [],
        questions=Question.objects.restrict(user, "view").filter(answered_at=None).select_related("recipient")[:50]
        if me else [],
        my_logs=logs[:20] if me else [], to_confirm=to_confirm,
        disputed=logs.filter(status=ServiceLog.Status.DISPUTED)[:50] if user.role == Role.BUREAU_STAFF else [],
        open_needs=Need.objects.restrict(user, "view").filter(status=Need.Status.OPEN).select_related("recipient")[:20],
    ))


# --------------------------------------------------------------------------- registry
@require_GET
def roster(request):
    """科技特派员名录 (signed in): filters by kind, level, field and township."""
    _business(request)
    qs = (Commissioner.objects.restrict(request.user, "view").prefetch_related("townships")
          .order_by("-recognised_year", "name"))
    f = {k: request.GET.get(k, "") for k in ("kind", "level", "field", "township", "q")}
    if f["kind"] in Kind.values:
        qs = qs.filter(kind=f["kind"])
    if f["level"] in Level.values:
        qs = qs.filter(level=f["level"])
    if f["field"] in FIELDS:
        qs = qs.filter(fields__icontains=f["field"])
    if f["township"].isdigit():
        qs = qs.filter(townships=int(f["township"]))
    if f["q"]:
        qs = qs.filter(name__icontains=f["q"][:50]) | qs.filter(expertise__icontains=f["q"][:50])
    return render(request, "commissioners/roster.html", _ctx(
        request, tab="roster", items=qs[:300], total=qs.count(), f=f, kinds=Kind.choices, levels=Level.choices,
        townships=Region.townships(), can_import=has_perm(request.user, "commissioners.commissioner.import")))


@require_http_methods(["GET", "POST"])
@_errors_to_messages
def detail(request, pk: int):
    _business(request)
    c = get_scoped_or_404(Commissioner, request.user, "view", pk=pk)
    if request.method == "POST":
        c = get_scoped_or_404(Commissioner, request.user, "change", pk=pk)
        if request.POST.get("action") == "bind":
            services.commissioner_bind_account(actor=request.user, commissioner=c,
                                               username=request.POST.get("username", ""))
            messages.success(request, "已绑定登录账户")
        elif request.POST.get("action") == "revoke":
            services.commissioner_revoke(actor=request.user, commissioner=c, reason=request.POST.get("reason", ""))
            messages.success(request, "已撤销认定")
        return redirect("commissioners:detail", pk=c.pk)
    # the commissioner sees their own number; the bureau sees it masked and may open it in full
    # (one audited view, core.safe_export.full_view); everyone else sees it masked
    own = c.account_id == request.user.pk
    show_phone = own or (request.GET.get("phone") == "1" and bool(c.phone) and full_view(
        request, "commissioners.phone.view", c, object_ref=f"科技特派员：{c.name}（编号 {c.pk}）", fields=["联系电话"]))
    return render(request, "commissioners/detail.html", _ctx(
        request, tab="roster", c=c, own=own, show_phone=show_phone,
        may_see_phone=bool(c.phone) and not own and has_perm(request.user, "commissioners.phone.view"),
        recognitions=c.recognitions.all(), members=c.members.all(),
        can_manage=has_perm(request.user, "commissioners.commissioner.manage"),
        items=c.items.filter(status=ServiceItem.Status.PUBLISHED),
        recipients=_my_recipients(request.user) if has_perm(request.user, "commissioners.question.ask") else []))


@require_http_methods(["GET", "POST"])
@_errors_to_messages
def import_page(request):
    """Import the province's Excel lists (dry run first; per-row errors as 第N行 字段: 原因)."""
    _business(request)
    require(request.user, "commissioners.commissioner.import")
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            raise CommissionerError("文件", "请选择 Excel 文件")
        report = excel.import_workbook(upload.read(), actor=request.user, dry_run=bool(request.POST.get("dry_run")))
        if report.ok and not report.dry_run:
            messages.success(request, f"已导入 {report.created} 条新记录，更新 {report.updated} 条")
    return render(request, "commissioners/import.html", _ctx(request, tab="roster", report=report,
                                                             headers=excel.HEADERS))


@require_GET
def import_template(request):
    _business(request)
    require(request.user, "commissioners.commissioner.import")
    from kechuang.core.downloads import attachment, dated_name

    return attachment(excel.template_workbook(), dated_name("科技特派员名单导入模板", "xlsx"))


# --------------------------------------------------------------------------- selection rounds
@require_http_methods(["GET", "POST"])
@_errors_to_messages
def rounds(request):
    _business(request)
    if request.method == "POST":
        year = int_param(request.POST, "year", label="年度", lo=2000, hi=2100, default=None)
        rnd = services.round_open(actor=request.user, year=year or timezone.localdate().year,
                                  title=request.POST.get("title", ""), level=request.POST.get("level", Level.COUNTY),
                                  notice=request.POST.get("notice", ""))
        messages.success(request, "已发布选认通知")
        return redirect("commissioners:round_detail", pk=rnd.pk)
    return render(request, "commissioners/rounds.html", _ctx(
        request, tab="rounds", rounds=SelectionRound.objects.restrict(request.user, "view")[:50],
        levels=Level.choices, can_manage=has_perm(request.user, "commissioners.round.manage")))


@require_http_methods(["GET", "POST"])
@_errors_to_messages
def round_detail(request, pk: int):
    _business(request)
    rnd = get_scoped_or_404(SelectionRound, request.user, "view", pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "advance":
            services.round_advance(actor=request.user, rnd=rnd)
            messages.success(request, f"已进入「{rnd.get_stage_display()}」")
        elif action == "apply":
            services.application_submit(
                actor=request.user, rnd=rnd, name=request.POST.get("name", ""),
                dispatch_unit=request.POST.get("dispatch_unit", ""), kind=request.POST.get("kind", Kind.INDIVIDUAL),
                source=request.POST.get("source", "本地"), expertise=request.POST.get("expertise", ""),
                fields=request.POST.getlist("fields"), phone=request.POST.get("phone", ""),
                townships=[t for t in request.POST.getlist("townships") if t])
            messages.success(request, "申报已提交")
        elif action in ("recommend", "review"):
            app = get_scoped_or_404(rnd.applications.all(), request.user, "change", pk=request.POST.get("app"))
            yes = request.POST.get("decision") == "yes"
            if action == "recommend":
                services.application_recommend(actor=request.user, app=app, recommended=yes,
                                               opinion=request.POST.get("opinion", ""))
            else:
                services.application_review(actor=request.user, app=app, approved=yes,
                                            score=request.POST.get("score"), note=request.POST.get("opinion", ""))
            messages.success(request, "已保存")
        return redirect("commissioners:round_detail", pk=rnd.pk)
    apps = Application.objects.restrict(request.user, "view").filter(round=rnd).prefetch_related("townships")
    return render(request, "commissioners/round_detail.html", _ctx(
        request, tab="rounds", rnd=rnd, apps=apps, kinds=Kind.choices, townships=Region.townships(),
        can_manage=has_perm(request.user, "commissioners.round.manage"),
        can_apply=has_perm(request.user, "commissioners.application.submit") and rnd.stage == "apply"))


# --------------------------------------------------------------------------- 订单式 needs
def _my_recipients(user):
    """The recipients a township clerk or an enterprise user acts for."""
    return Recipient.objects.restrict(user, "view").order_by("kind", "name")


def _recipient_from_post(request) -> Recipient:
    """The recipient a form acts for: a chosen existing row (scoped), or one named in the form
    (an enterprise user always acts for their own enterprise)."""
    p = request.POST
    if p.get("recipient"):
        return get_scoped_or_404(Recipient, request.user, "view", pk=p.get("recipient"))
    kind = Recipient.Kind.ENTERPRISE if request.user.role == Role.ENTERPRISE_USER else p.get("recipient_kind", "")
    return services.recipient_for(actor=request.user, kind=kind, name=p.get("recipient_name", ""),
                                  village=p.get("village", ""), township=p.get("township") or None)


@require_http_methods(["GET", "POST"])
@_errors_to_messages
def needs(request):
    """订单式需求: list (scoped) and, for townships and enterprises, the posting form."""
    _business(request)
    user = request.user
    if request.method == "POST":
        recipient = _recipient_from_post(request)
        need = services.need_post(actor=user, recipient=recipient, title=request.POST.get("title", ""),
                                  description=request.POST.get("description", ""), field=request.POST.get("field", ""))
        messages.success(request, "需求已发布，系统已推荐科技特派员")
        return redirect("commissioners:need_detail", pk=need.pk)
    qs = Need.objects.restrict(user, "view").select_related("recipient", "recipient__township")
    status = request.GET.get("status", "")
    if status in Need.Status.values:
        qs = qs.filter(status=status)
    return render(request, "commissioners/needs.html", _ctx(
        request, tab="needs", items=qs[:200], statuses=Need.Status.choices, status=status,
        can_post=has_perm(user, "commissioners.need.post"), recipient_kinds=Recipient.Kind.choices,
        townships=Region.townships() if user.role == Role.BUREAU_STAFF else []))


@require_http_methods(["GET", "POST"])
@_errors_to_messages
def need_detail(request, pk: int):
    _business(request)
    user = request.user
    need = get_scoped_or_404(Need.objects.select_related("recipient"), user, "view", pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "assign":
            c = get_scoped_or_404(Commissioner, user, "view", pk=request.POST.get("commissioner"))
            services.need_assign(actor=user, need=need, commissioner=c, score=request.POST.get("score") or 0)
            messages.success(request, f"已指派给 {c.name}，等待特派员回复")
        elif action in ("accept", "decline"):
            a = get_scoped_or_404(need.assignments.all(), user, "change", pk=request.POST.get("assignment"))
            services.assignment_respond(actor=user, assignment=a, accept=action == "accept",
                                        reason=request.POST.get("reason", ""))
            messages.success(request, "已接单" if action == "accept" else "已谢绝")
        return redirect("commissioners:need_detail", pk=need.pk)
    may_assign = can(user, "commissioners.need.assign", need) and need.status in (Need.Status.OPEN, Need.Status.ASSIGNED)
    return render(request, "commissioners/need_detail.html", _ctx(
        request, tab="needs", need=need, proposals=selectors.proposals(need) if may_assign else [],
        may_assign=may_assign,
        assignments=Assignment.objects.restrict(user, "view").filter(need=need).select_related("commissioner"),
        agreements=Agreement.objects.restrict(user, "view").filter(need=need)))


# --------------------------------------------------------------------------- 菜单式
@require_http_methods(["GET", "POST"])
@_errors_to_messages
def menu(request):
    """菜单式服务: published items; a commissioner publishes; a recipient orders."""
    _business(request)
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "publish":   # a commissioner publishes their own; the bureau names the commissioner
            named = request.POST.get("commissioner")
            services.item_publish(actor=user, kind=request.POST.get("kind", ""), title=request.POST.get("title", ""),
                                  description=request.POST.get("description", ""),
                                  available=request.POST.get("available", ""),
                                  commissioner=get_scoped_or_404(Commissioner, user, "view", pk=named) if named else None)
            messages.success(request, "服务已发布")
        elif action == "order":
            item = get_scoped_or_404(ServiceItem, user, "view", pk=request.POST.get("item"))
            recipient = _recipient_from_post(request)
            services.order_place(actor=user, item=item, recipient=recipient, note=request.POST.get("note", ""))
            messages.success(request, "已下单，等待特派员接单")
        elif action == "withdraw":
            item = get_scoped_or_404(ServiceItem, user, "change", pk=request.POST.get("item"))
            services.item_withdraw(actor=user, item=item)
            messages.success(request, "已下架")
        elif action in ("accept", "decline"):
            order = get_scoped_or_404(ServiceOrder, user, "change", pk=request.POST.get("order"))
            services.order_respond(actor=user, order=order, accept=action == "accept",
                                   reason=request.POST.get("reason", ""))
            messages.success(request, "已处理订单")
        return redirect("commissioners:menu")
    items = ServiceItem.objects.restrict(user, "view").filter(status=ServiceItem.Status.PUBLISHED).select_related(
        "commissioner")
    kind = request.GET.get("kind", "")
    if kind in ServiceItem.Kind.values:
        items = items.filter(kind=kind)
    return render(request, "commissioners/menu.html", _ctx(
        request, tab="menu", items=items[:200], kinds=ServiceItem.Kind.choices, kind=kind,
        orders=ServiceOrder.objects.restrict(user, "view").select_related("item", "item__commissioner", "recipient")[:100],
        can_publish=user.role == Role.COMMISSIONER, can_order=has_perm(user, "commissioners.order.place"),
        recipients=_my_recipients(user) if has_perm(user, "commissioners.order.place") else []))


# --------------------------------------------------------------------------- 三方协议
@require_GET
def agreements(request):
    _business(request)
    qs = Agreement.objects.restrict(request.user, "view").select_related("commissioner", "recipient")
    return render(request, "commissioners/agreements.html", _ctx(request, tab="agreements", items=qs[:200]))


@require_http_methods(["GET", "POST"])
@_errors_to_messages
def agreement_from_need(request, pk: int):
    """Record a three-party agreement for an accepted 订单式 need."""
    _business(request)
    need = get_scoped_or_404(Need, request.user, "view", pk=pk)
    a = need.assignments.filter(status=Assignment.Status.ACCEPTED).select_related("commissioner").first()
    if a is None:
        raise CommissionerError("需求", "特派员接单后才能签订三方协议")
    return _agreement_form(request, a.commissioner, need.recipient, need=need)


@require_http_methods(["GET", "POST"])
@_errors_to_messages
def agreement_from_order(request, pk: int):
    """Record a three-party agreement for an accepted 菜单式 order."""
    _business(request)
    order = get_scoped_or_404(ServiceOrder.objects.select_related("item__commissioner"), request.user, "view", pk=pk)
    if order.status != ServiceOrder.Status.ACCEPTED:
        raise CommissionerError("订单", "特派员接单后才能签订三方协议")
    return _agreement_form(request, order.item.commissioner, order.recipient, order=order)


def _agreement_form(request, commissioner, recipient, *, need=None, order=None):
    user = request.user
    require(user, "commissioners.agreement.manage")
    if request.method == "POST":
        p = request.POST
        ag = services.agreement_create(
            actor=user, commissioner=commissioner, recipient=recipient, need=need, order=order,
            goals=p.get("goals", ""), starts_on=_date(p.get("starts_on"), "服务期起"),
            ends_on=_date(p.get("ends_on"), "服务期止"), deliverables=p.get("deliverables", ""),
            rights=p.get("rights", ""), benefit=p.get("benefit", "none"), equity_ratio=p.get("equity_ratio"),
            share_ratio=p.get("share_ratio"))
        messages.success(request, "三方协议已生成，可下载 Word 文本打印签署")
        return redirect("commissioners:agreement_detail", pk=ag.pk)
    today = timezone.localdate()
    return render(request, "commissioners/agreement_new.html", _ctx(
        request, tab="agreements", need=need, order=order, commissioner=commissioner, recipient=recipient,
        benefits=Agreement.Benefit.choices, start=today, end=dt.date(today.year, 12, 31),
        default_rights="\n".join(services.DEFAULT_RIGHTS)))


@require_http_methods(["GET", "POST"])
@_errors_to_messages
def agreement_detail(request, pk: int):
    _business(request)
    ag = get_scoped_or_404(Agreement.objects.select_related("commissioner", "recipient"), request.user, "view", pk=pk)
    if request.method == "POST":
        ag = get_scoped_or_404(Agreement, request.user, "change", pk=pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise CommissionerError("签署件", "请选择文件")
        services.agreement_upload_signed(actor=request.user, agreement=ag, upload=upload,
                                         signed_on=_date(request.POST.get("signed_on"), "签署日期"))
        messages.success(request, "签署件已上传")
        return redirect("commissioners:agreement_detail", pk=ag.pk)
    return render(request, "commissioners/agreement_detail.html", _ctx(
        request, tab="agreements", ag=ag, may_upload=can(request.user, "commissioners.agreement.manage", ag),
        logs=ServiceLog.objects.restrict(request.user, "view").filter(agreement=ag)[:100]))


@require_GET
def agreement_docx(request, pk: int):
    _business(request)
    ag = get_scoped_or_404(Agreement.objects.select_related("commissioner", "recipient", "recipient__township"),
                           request.user, "view", pk=pk)
    resp = HttpResponse(services.agreement_docx(ag),
                        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'科技特派员三方协议-{ag.pk}.docx')}"
    return resp


@require_GET
def agreement_signed(request, pk: int):
    _business(request)
    ag = get_scoped_or_404(Agreement, request.user, "view", pk=pk)
    if not ag.signed_file:
        from django.http import Http404

        raise Http404
    resp = FileResponse(ag.signed_file.open("rb"), as_attachment=True)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(ag.signed_name or 'signed')}"
    return resp


# --------------------------------------------------------------------------- service logs
@require_http_methods(["GET", "POST"])
@_errors_to_messages
def logs(request):
    """服务日志: list (scoped); a commissioner records a new one."""
    _business(request)
    user = request.user
    if request.method == "POST":
        p = request.POST
        me = services._commissioner_of(user)
        recipient = _served_recipients(me).filter(pk=p.get("recipient") or 0).first()
        if recipient is None:
            raise CommissionerError("服务对象", "请选择您服务的对象（来自三方协议、指派、订单或服务乡镇）")
        agreement = None
        if p.get("agreement"):
            agreement = get_scoped_or_404(Agreement, user, "view", pk=p.get("agreement"))
        log = services.log_record(actor=user, recipient=recipient, served_on=_date(p.get("served_on"), "服务日期"),
                                  place=p.get("place", ""), content=p.get("content", ""), days=p.get("days") or 1,
                                  people=p.get("people") or 0, field=p.get("field", ""), agreement=agreement,
                                  latitude=p.get("latitude"), longitude=p.get("longitude"))
        for upload in request.FILES.getlist("files")[:20]:
            services.log_attach(actor=user, log=log, upload=upload)
        messages.success(request, "服务日志已记录，等待服务对象确认后计入考核")
        return redirect("commissioners:log_detail", pk=log.pk)
    qs = ServiceLog.objects.restrict(user, "view").select_related("commissioner", "recipient")
    status = request.GET.get("status", "")
    if status in ServiceLog.Status.values:
        qs = qs.filter(status=status)
    me = Commissioner.objects.filter(account=user).first() if user.role == Role.COMMISSIONER else None
    return render(request, "commissioners/logs.html", _ctx(
        request, tab="logs", items=qs[:200], statuses=ServiceLog.Status.choices, status=status, me=me,
        recipients=_served_recipients(me)[:300] if me else [],
        agreements=Agreement.objects.restrict(user, "view").select_related("recipient") if me else [],
        today=timezone.localdate()))


def _served_recipients(me: Commissioner):
    """Recipients a commissioner is working with: from agreements, assignments and orders, plus the
    recipients of their service townships."""
    from django.db.models import Q

    return Recipient.objects.filter(
        Q(agreements__commissioner=me) | Q(needs__assignments__commissioner=me) | Q(orders__item__commissioner=me)
        | Q(township__in=me.townships.all())).distinct().order_by("township_id", "name")


@require_http_methods(["GET", "POST"])
@_errors_to_messages
def log_detail(request, pk: int):
    """One log; the recipient confirms (确认) or disputes (有异议) it here — usable on a phone."""
    _business(request)
    user = request.user
    log = get_scoped_or_404(ServiceLog.objects.select_related("commissioner", "recipient"), user, "view", pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        log = get_scoped_or_404(ServiceLog, user, "change", pk=pk)
        if action in ("confirm", "dispute"):
            p = request.POST
            services.log_confirm(actor=user, log=log, confirmed=action == "confirm", reason=p.get("reason", ""),
                                 rating=p.get("rating"), income_increase=p.get("income_increase"),
                                 new_varieties=p.get("new_varieties") or 0, new_techniques=p.get("new_techniques") or 0)
            messages.success(request, "已确认，本次服务计入考核" if action == "confirm" else "已提出异议，科技局将核实处理")
        elif action in ("uphold", "reject"):
            services.log_resolve(actor=user, log=log, counts=action == "uphold",
                                 resolution=request.POST.get("resolution", ""))
            messages.success(request, "异议已处理")
        elif action == "attach":
            for upload in request.FILES.getlist("files")[:20]:
                services.log_attach(actor=user, log=log, upload=upload)
            messages.success(request, "附件已上传")
        return redirect("commissioners:log_detail", pk=log.pk)
    return render(request, "commissioners/log_detail.html", _ctx(
        request, tab="logs", log=log, attachments=log.attachments.all(),
        may_confirm=log.status == ServiceLog.Status.PENDING and log.recipient.is_confirmer(user),
        may_resolve=log.status == ServiceLog.Status.DISPUTED and has_perm(user, "commissioners.log.resolve"),
        may_attach=log.status == ServiceLog.Status.PENDING and log.commissioner.account_id == user.pk))


@require_GET
def log_attachment(request, pk: int):
    _business(request)
    item = get_scoped_or_404(LogAttachment, request.user, "view", pk=pk)
    resp = FileResponse(item.file.open("rb"), as_attachment=True)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item.name)}"
    return resp


# --------------------------------------------------------------------------- 网上科技特派员
@require_http_methods(["GET", "POST"])
@_errors_to_messages
def questions(request):
    _business(request)
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "ask":
            recipient = _recipient_from_post(request)
            c = get_scoped_or_404(Commissioner, user, "view", pk=request.POST.get("commissioner"))
            services.question_ask(actor=user, recipient=recipient, commissioner=c, text=request.POST.get("text", ""))
            messages.success(request, "问题已提交")
        elif action == "answer":
            q = get_scoped_or_404(Question, user, "change", pk=request.POST.get("question"))
            services.question_answer(actor=user, question=q, answer=request.POST.get("answer", ""))
            messages.success(request, "已解答，提问方确认后计入网上服务")
        return redirect("commissioners:questions")
    return render(request, "commissioners/questions.html", _ctx(
        request, tab="questions",
        items=Question.objects.restrict(user, "view").select_related("commissioner", "recipient", "log")[:200],
        can_ask=has_perm(user, "commissioners.question.ask"), can_answer=user.role == Role.COMMISSIONER,
        recipients=_my_recipients(user) if has_perm(user, "commissioners.question.ask") else [],
        commissioners=Commissioner.objects.restrict(user, "view").filter(status="recognised")[:300]))


# --------------------------------------------------------------------------- assessment
@require_http_methods(["GET", "POST"])
@_errors_to_messages
def assessment(request):
    """年度考核 per commissioner and per 派出单位, the rule in force, 后补助 payables."""
    _business(request)
    user = request.user
    require(user, "commissioners.assessment.view")
    year = _year(request)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "run":
            year = int_param(request.POST, "year", label="年度", lo=2000, hi=2100, default=year)
            done = services.assessment_run(actor=user, year=year)
            messages.success(request, f"已完成 {year} 年度考核：{len(done)} 名（组、家）")
        elif action == "rule":
            p = request.POST
            services.rule_add(
                actor=user, effective_from=_date(p.get("effective_from"), "生效日期"),
                weights={k: p.get(f"w_{k}", "") or "0" for k in ("days", "recipients", "results", "rating")},
                targets={k: p.get(f"t_{k}", "") or "1" for k in ("days", "recipients", "results")},
                grade_lines={"优秀": p.get("g_excellent") or "85", "合格": p.get("g_pass") or "60"},
                subsidy={"优秀": p.get("s_excellent") or "0", "合格": p.get("s_pass") or "0", "不合格": "0"},
                citation=p.get("citation", "") or "待核实", unverified=bool(p.get("unverified")))
            messages.success(request, "考核参数已保存，按生效日期施行")
        elif action == "refer":
            if request.POST.get("assessment"):
                a = get_scoped_or_404(Assessment, user, "change", pk=request.POST.get("assessment"))
                done = [services.subsidy_refer(actor=user, assessment=a)]
            else:
                done = services.subsidy_refer_year(actor=user, year=year)
            messages.success(request, f"已将 {len(done)} 项后补助转入政策兑现流程（科技局核实、特派员确认、公示、财政局拨付）")
        return redirect(f"{reverse('commissioners:assessment')}?year={year}")
    rows = Assessment.objects.restrict(user, "view").filter(year=year).select_related("commissioner", "case")
    rule, params = selectors.rule_on(dt.date(year, 12, 31))
    return render(request, "commissioners/assessment.html", _ctx(
        request, tab="assessment", year=year, rows=rows, units=selectors.unit_assessment(rows) if
        user.role != Role.COMMISSIONER else [], rule=rule, params=params,
        rules=AssessmentRule.objects.restrict(user, "view")[:20],
        can_run=has_perm(user, "commissioners.assessment.run"), can_refer=has_perm(user, "commissioners.subsidy.refer"),
        can_see_case=has_perm(user, "policies.case.view")))


# --------------------------------------------------------------------------- coverage and statistics
@require_GET
def coverage(request):
    """乡镇(村)全覆盖: townships and villages with and without confirmed service this year; counts
    in 人次/组次/家次 per level and year; fields served; teams vs individuals."""
    _business(request)
    require(request.user, "commissioners.stats.view")
    year = _year(request)
    cov = selectors.coverage(request.user, year)
    chart = {"townships": [r["name"] for r in cov["rows"]], "logs": [r["logs"] for r in cov["rows"]],
             "commissioners": [r["commissioners"] for r in cov["rows"]]}
    return render(request, "commissioners/coverage.html", _ctx(
        request, tab="coverage", year=year, cov=cov, chart=chart,
        counts=selectors.recognition_counts(request.user), breakdown=selectors.service_breakdown(request.user, year),
        crossborder=selectors.crossborder_summary(request.user, year)))
