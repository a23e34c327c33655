"""账户管理 pages of the 系统管理员 (list, create, batch from Excel, disable/enable, reset, bind) and
the 安全策略 page of the 安全管理员. The writes are in kechuang.core.account_services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from kechuang.core import account_services as svc
from kechuang.core.models import ADMIN_ROLES, OrgUnit, Region, Role, SecurityPolicy, User
from kechuang.core.permissions import require
from kechuang.core.security import policy

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _binding(post) -> dict:
    """Township / unit / enterprise chosen on the form (by pk, or the enterprise by its USCC)."""
    from kechuang.enterprises.models import Enterprise

    out = {"township": None, "org_unit": None, "enterprise": None}
    if post.get("township", "").isdigit():
        out["township"] = Region.objects.filter(pk=int(post["township"])).first()
    if post.get("org_unit", "").isdigit():
        out["org_unit"] = OrgUnit.objects.filter(pk=int(post["org_unit"])).first()
    code = (post.get("uscc") or "").strip().upper()
    if code:
        out["enterprise"] = Enterprise.objects.filter(uscc=code).first()
        if out["enterprise"] is None:
            raise ValidationError({"enterprise": f"企业库中没有统一社会信用代码为“{code}”的企业"})
    return out


def _errors(exc: ValidationError) -> list[str]:
    return [m for ms in getattr(exc, "message_dict", {"": exc.messages}).values() for m in ms]


def _form_context(**extra) -> dict:
    return {"roles": svc.BUSINESS_ACCOUNT_ROLES, "townships": Region.townships(), "units": OrgUnit.objects.all(),
            **extra}


@require_GET
def account_list(request):
    """Every account (the 三员 shown but not editable here), filtered by name or role."""
    require(request.user, svc.MANAGE)
    qs = User.objects.select_related("township", "org_unit", "enterprise").order_by("role", "username")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(last_name__icontains=q) | Q(first_name__icontains=q))
    role = request.GET.get("role") or ""
    if role in Role.values:
        qs = qs.filter(role=role)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/accounts/list.html", {"page": page, "q": q, "role": role, "roles": Role.choices,
                                                       "admin_roles": ADMIN_ROLES})


@require_http_methods(["GET", "POST"])
def account_new(request):
    """Create one account; the one-time password is shown once on the answer page."""
    require(request.user, svc.MANAGE)
    errors, form = [], {}
    if request.method == "POST":
        form = request.POST
        try:
            user, password = svc.account_create(
                actor=request.user, username=form.get("username", ""), full_name=form.get("full_name", ""),
                role=form.get("role", ""), phone=form.get("phone", ""), request=request, **_binding(form))
            return render(request, "core/accounts/password_once.html", {"account": user, "password": password,
                                                                        "created": True})
        except ValidationError as exc:
            errors = _errors(exc)
    return render(request, "core/accounts/new.html", _form_context(errors=errors, form=form),
                  status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
def account_detail(request, pk: int):
    """One account: bind (role and 乡镇 / 单位 / 企业), disable / enable, reset the password."""
    require(request.user, svc.MANAGE)
    account = get_object_or_404(User.objects.select_related("township", "org_unit", "enterprise"), pk=pk)
    if account.role in ADMIN_ROLES:
        from kechuang.core.permissions import PermissionRefused

        raise PermissionRefused(svc.MANAGE, svc.ADMIN_REFUSAL)
    errors = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "reset":
                password = svc.account_reset_password(actor=request.user, user=account, request=request)
                return render(request, "core/accounts/password_once.html", {"account": account,
                                                                            "password": password})
            if action in ("disable", "enable"):
                svc.account_set_active(actor=request.user, user=account, active=action == "enable", request=request)
            elif action == "bind":
                svc.account_bind(actor=request.user, user=account, role=request.POST.get("role", ""),
                                 request=request, **_binding(request.POST))
            else:
                errors = ["未知操作"]
        except ValidationError as exc:
            errors = _errors(exc)
            account.refresh_from_db()
    return render(request, "core/accounts/detail.html", _form_context(account=account, errors=errors),
                  status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
def account_import(request):
    """Batch from an Excel sheet: per-row errors and nothing saved, or all saved and a result sheet
    with one-time passwords that downloads once."""
    require(request.user, svc.MANAGE)
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            result = svc.BatchResult(errors=[(0, "文件", "请选择要导入的 Excel 文件")])
        elif upload.size > 5 * 1024 * 1024:
            result = svc.BatchResult(errors=[(0, "文件", "文件超过 5 MB")])
        else:
            result = svc.accounts_import(actor=request.user, data=upload.read(), request=request)
    return render(request, "core/accounts/import.html", {"result": result},
                  status=400 if result is not None and not result.ok else 200)


@require_GET
def account_import_template(request):
    require(request.user, svc.MANAGE)
    response = HttpResponse(svc.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E8%B4%A6%E6%88%B7%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    return response


@require_GET
def account_sheet(request, token: str):
    """The one-time-password sheet of a batch: downloads exactly once (404 afterwards)."""
    data = svc.result_sheet_take(actor=request.user, token=token, request=request)
    if data is None:
        raise Http404("该结果表已下载过或不存在")
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E4%B8%80%E6%AC%A1%E6%80%A7%E5%AF%86%E7%A0%81.xlsx"
    response["Cache-Control"] = "no-store"
    return response


POLICY_FIELDS = ["lockout_threshold", "lockout_minutes", "idle_minutes", "password_max_age_days"]


@require_http_methods(["GET", "POST"])
def security_policy(request):
    """The 安全管理员 sets the security policy (ranges checked; audited)."""
    require(request.user, "core.security_policy.change")
    errors, saved = [], False
    if request.method == "POST":
        values = {}
        for name in POLICY_FIELDS:
            raw = (request.POST.get(name) or "").strip()
            if not raw.isdigit() or len(raw) > 5:
                errors.append(f"{SecurityPolicy._meta.get_field(name).verbose_name}：应为整数")
            else:
                values[name] = int(raw)
        if not errors:
            try:
                svc.security_policy_update(actor=request.user, request=request, **values)
                saved = True
            except ValidationError as exc:
                errors = _errors(exc)
    current = policy()
    fields = [(name, SecurityPolicy._meta.get_field(name).verbose_name, getattr(current, name),
               SecurityPolicy._meta.get_field(name).validators) for name in POLICY_FIELDS]
    rows = [(n, label, value, next(v.limit_value for v in vs if v.__class__.__name__ == "MinValueValidator"),
             next(v.limit_value for v in vs if v.__class__.__name__ == "MaxValueValidator"))
            for n, label, value, vs in fields]
    return render(request, "core/security_policy.html", {"rows": rows, "errors": errors, "saved": saved},
                  status=400 if errors else 200)
