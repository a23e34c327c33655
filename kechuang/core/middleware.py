"""Request middleware: request ids and change attribution, idle timeout, second factor,
password expiry and the security headers the 等保 baseline asks for."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from kechuang.core import audit
from kechuang.core.changes import change_context
from kechuang.core.models import AuditEvent
from kechuang.core.passwords import password_expired

_EXEMPT_PREFIXES = ("/static/", "/favicon.ico")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class RequestIdMiddleware:
    """Give every request an id (echoed as X-Request-ID) and attribute its writes to the user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex[:16]
        with change_context(source=f"web:{request.method} {request.path}"[:200], request_id=request.request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response



class UserChangeContextMiddleware:
    """After authentication: attribute the request's writes to the signed-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            with change_context(user=user, request_id=request.request_id):
                return self.get_response(request)
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """End a session after KECHUANG_IDLE_MINUTES without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_EXEMPT_PREFIXES):
            now = timezone.now()
            last = request.session.get("last_seen")
            from kechuang.core.security import policy

            limit = dt.timedelta(minutes=policy().idle_minutes)
            if last is not None and now - dt.datetime.fromisoformat(last) > limit:
                audit.record(AuditEvent.Kind.LOGOUT, request=request, user=user, detail={"reason": "idle"})
                logout(request)
                if _is_api(request):
                    return JsonResponse({"detail": "会话已超时，请重新登录"}, status=401)
                messages.info(request, f"由于 {policy().idle_minutes} 分钟未操作，您已自动退出，请重新登录。")
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            # Write the session at most once a minute: enough for a 30-minute idle limit,
            # and it keeps busy pages from writing the session table on every request.
            if last is None or now - dt.datetime.fromisoformat(last) > dt.timedelta(seconds=60):
                request.session["last_seen"] = now.isoformat()
        return self.get_response(request)


class SecondFactorMiddleware:
    """Administrators must pass the TOTP step before any other page."""

    ALLOWED = ("core:otp", "core:logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None and user.is_authenticated and user.needs_second_factor
            and not request.session.get("otp_verified")
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and request.path not in {reverse(name) for name in self.ALLOWED}
        ):
            if _is_api(request):
                return JsonResponse({"detail": "需要完成动态口令验证"}, status=401)
            return redirect("core:otp")
        return self.get_response(request)


class PasswordExpiryMiddleware:
    """A password older than 90 days (or set by an administrator) must be changed first."""

    ALLOWED = ("core:password_change", "core:logout", "core:otp")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None and user.is_authenticated and password_expired(user)
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and request.path not in {reverse(name) for name in self.ALLOWED}
        ):
            if _is_api(request):
                return JsonResponse({"detail": "密码已过期，请先修改密码"}, status=403)
            return redirect("core:password_change")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """CSP on every response; no caching of signed-in pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.KECHUANG_CSP)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.setdefault("Cache-Control", "no-store")
        return response


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Every route requires a signed-in user unless its view is marked `login_not_required`
    (the public allowlist). API calls get 401 JSON instead of a redirect."""

    def handle_no_permission(self, request, view_func):
        if _is_api(request):
            return JsonResponse({"detail": "请先登录"}, status=401)
        return super().handle_no_permission(request, view_func)
