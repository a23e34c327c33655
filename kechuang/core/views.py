"""Views of the shell: sign-in, second factor, password change, home, reference data, the
变更记录 tab, the audit log and the Chinese error pages."""

from __future__ import annotations

import segno
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods

from kechuang.core import audit
from kechuang.core.auth import new_totp_secret, totp_uri, verify_totp
from kechuang.core.changes import history_for
from kechuang.core.forms import LoginForm, OtpForm
from kechuang.core.models import AuditEvent, OrgUnit, Region, Role
from kechuang.core.navigation import cards_for
from kechuang.core.scoping import ScopedModel, get_scoped_or_404


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        self.request.session["otp_verified"] = False
        if user.needs_second_factor:
            return redirect("core:otp")
        return response


# Not one transaction around the whole request: the password check (PBKDF2, a large part of a
# second) runs outside any write lock, and each write (failure counter, audit row, session) is its
# own short transaction — 20 simultaneous sign-ins on SQLite then queue for milliseconds, not seconds.
login_view = login_not_required(transaction.non_atomic_requests(LoginView.as_view()))


@require_http_methods(["POST"])
def logout_view(request):
    return auth_views.LogoutView.as_view()(request)


@require_http_methods(["GET", "POST"])
def otp_view(request):
    """Second factor for administrators: enrol once (secret + QR code), then a code each login."""
    user = request.user
    if not user.needs_second_factor or request.session.get("otp_verified"):
        return redirect("core:home")
    enrolling = not user.totp_confirmed
    if enrolling and not user.totp_secret:
        user.totp_secret = new_totp_secret()
        user.save(update_fields=["totp_secret"])
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if verify_totp(user, form.cleaned_data["code"], request=request):
            if enrolling:
                user.totp_confirmed = True
                user.save(update_fields=["totp_confirmed"])
                audit.record(AuditEvent.Kind.OTP_ENROLLED, request=request, user=user)
            request.session["otp_verified"] = True
            request.session.cycle_key()
            return redirect("core:home")
        if user.is_locked():  # 5 wrong codes in a row lock the account like 5 wrong passwords
            from django.contrib.auth import logout

            logout(request)
            messages.error(request, f"动态口令连续错误次数过多，账户已锁定 {settings.KECHUANG_LOCKOUT_MINUTES} 分钟。")
            return redirect("core:login")
        form.add_error("code", "动态口令不正确或已使用过，请等待下一个口令。")
    qr = None
    if enrolling:
        qr = segno.make(totp_uri(user)).svg_data_uri(scale=4)
    return render(request, "core/otp.html", {"form": form, "enrolling": enrolling, "qr": qr,
                                              "secret": user.totp_secret if enrolling else None})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(AuditEvent.Kind.PASSWORD_CHANGED, request=self.request, user=self.request.user)
        messages.success(self.request, "密码已修改。")
        return response


password_change_view = PasswordChangeView.as_view()


def home(request):
    """The user's desk: counts, to-dos, short lists and role charts, all through the scoping choke point."""
    from kechuang.core.desk import desk_for

    desk = desk_for(request.user)
    return render(request, "core/home.html", {"cards": cards_for(request.user), "desk": desk,
                                              "chart_data": [c.to_json() for c in desk.charts]})


def regions(request):
    """Reference data: the region tree and the organisation units (public to signed-in users)."""
    counties = Region.objects.filter(level=Region.Level.COUNTY).select_related("parent")
    townships = Region.objects.filter(level__in=[Region.Level.TOWNSHIP, Region.Level.ZONE]).select_related("parent")
    return render(request, "core/regions.html", {
        "provinces": Region.objects.filter(level=Region.Level.PROVINCE),
        "cities": Region.objects.filter(level=Region.Level.CITY),
        "counties": counties,
        "townships": townships,
        "org_units": OrgUnit.objects.all(),
    })


def changes(request, model_label: str, pk: str):
    """The 变更记录 tab of one business object, if the user may view the object (never for the
    三员 administrators: business change logs are business data)."""
    from kechuang.core.permissions import require

    require(request.user, "core.changelog.view")
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        raise Http404 from None
    if not issubclass(model, ScopedModel):
        raise Http404
    obj = get_scoped_or_404(model, request.user, "view", pk=pk)
    page = Paginator(history_for(obj), 50).get_page(request.GET.get("page"))
    import re

    title = str(obj)
    if re.fullmatch(r"\w+ object \(\w+\)", title):  # a model without a name of its own
        title = f"#{obj.pk}"
    # a name led by the object's code (sanming-kjtpy-fund.houbuzhu 科技特派员后补助): the words only
    title = re.sub(r"^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)+ (?=\S)", "", title)
    return render(request, "core/changes.html", {"object": obj, "page": page, "title": title,
                                                  "verbose_name": model._meta.verbose_name})


def audit_log(request):
    """The security audit trail, for the 审计管理员 only, with the chain verification result."""
    if request.user.role != Role.AUDIT_ADMIN:
        raise PermissionDenied
    events = AuditEvent.objects.all()
    kind = request.GET.get("kind", "")
    if kind:
        events = events.filter(kind=kind)
    username = request.GET.get("user", "").strip()
    if username:
        events = events.filter(username__icontains=username)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    problems = audit.verify_chain() if request.GET.get("verify") else None
    return render(request, "core/audit_log.html", {
        "page": page, "kinds": AuditEvent.Kind.choices, "kind": kind, "username": username,
        "problems": problems,
    })


def admin_login_redirect(request, extra_context=None):
    """/admin/login/ goes through the product's own sign-in (lockout, second factor). A signed-in
    user the admin site refuses (every business role) gets a 403 page, not a redirect back to the
    sign-in page, which sends a signed-in user on to /admin/ again (a redirect loop)."""
    if request.user.is_authenticated:
        return _error(request, 403, "无权访问", "系统管理后台仅供系统管理员、安全管理员和审计管理员使用。"
                                              "账户管理请使用“账户管理”页面。")
    return redirect(f"{reverse('core:login')}?next={request.GET.get('next', '/admin/')}")


admin_login_redirect = login_not_required(admin_login_redirect)


@login_not_required
def health(request):
    """Liveness probe for the reverse proxy: no data, no session."""
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})


def _error(request, status, title, message):
    return render(request, "error.html", {"status": status, "title": title, "message": message},
                  status=status)


def bad_request(request, exception=None):
    from kechuang.core.inputs import BadInput

    if isinstance(exception, BadInput) and str(exception):
        return _error(request, 400, "请求有误", str(exception))
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent

    if isinstance(exception, RequestDataTooBig):
        from kechuang.core.uploads import _mb, max_bytes

        return _error(request, 400, "提交的内容过大",
                      f"一次提交（含上传文件）不能超过 {_mb(max_bytes())} MB，请压缩或分批上传。")
    if isinstance(exception, TooManyFieldsSent):
        return _error(request, 400, "请求有误", "提交的字段过多，请检查后重试。")
    return _error(request, 400, "请求有误", "提交的内容无法处理，请检查后重试。")


def permission_denied(request, exception=None):
    from kechuang.core.permissions import PermissionRefused

    if isinstance(exception, PermissionRefused):
        return _error(request, 403, "无权操作", str(exception))
    message = str(exception or "")
    if any("\u4e00" <= ch <= "\u9fff" for ch in message):   # a service's own Chinese sentence
        return _error(request, 403, "无权操作", message)
    return _error(request, 403, "无权访问", "您的账户没有访问该页面或数据的权限。如需开通，请联系系统管理员。")


def page_not_found(request, exception=None):
    return _error(request, 404, "页面不存在", "您访问的页面不存在，或该数据不在您的可见范围内。")


def server_error(request):
    return _error(request, 500, "系统繁忙", "服务器处理请求时出错，已记录。请稍后重试或联系系统管理员。")


def csrf_failure(request, reason=""):
    return _error(request, 403, "页面已过期", "表单已过期或来源不明，请刷新页面后重新提交。")
