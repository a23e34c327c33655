"""Accounts managed in the product (系统管理员): create one or a batch from an Excel sheet, bind to a
township / unit / enterprise, disable and enable, reset to a one-time password that must be
changed at the next sign-in. Every action writes an AuditEvent.

三员分立: the 三员 administrator accounts are never created, reset, bound or given here (they come
from ``kechuang serve`` on first start); the 安全管理员 sets the security policy
(:func:`security_policy_update`) and manages no account; no role is ever given to an
administrator through these pages.
"""

from __future__ import annotations

import io
import json
import re
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core import audit
from kechuang.core.accounts import random_password
from kechuang.core.models import ADMIN_ROLES, AuditEvent, OrgUnit, Region, Role, SecurityPolicy, User
from kechuang.core.permissions import PermissionRefused, require

MANAGE = "core.account.manage"
BUSINESS_ACCOUNT_ROLES = [r for r in Role if r not in ADMIN_ROLES]
ADMIN_REFUSAL = "三员管理员账户不能在账户管理中创建、重置、绑定或授予，三员账户由系统首次启动时生成。"
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,60}$")
SHEET_COLUMNS = ["账号", "姓名", "角色", "乡镇（街道）", "单位", "统一社会信用代码", "手机号"]


def _guard(actor, target: User | None = None, role: str | None = None) -> None:
    require(actor, MANAGE)
    if (target is not None and target.role in ADMIN_ROLES) or (role is not None and role in ADMIN_ROLES):
        raise PermissionRefused(MANAGE, ADMIN_REFUSAL)


def _binding_snapshot(user: User) -> dict:
    return {"role": user.role, "township_id": user.township_id, "org_unit_id": user.org_unit_id,
            "enterprise_id": user.enterprise_id, "is_active": user.is_active}


def _record(kind, actor, target: User, request=None, **detail) -> None:
    audit.record(kind, request=request, user=actor if getattr(actor, "pk", None) else None,
                 username=actor.get_username(), object_ref=f"user:{target.username}", detail=detail)


def _force_change(user: User) -> None:
    """Saving a new password runs the validators' ``password_changed`` (which clears the flag for a
    user who chose their own password); a one-time password given here sets it again."""
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.must_change_password = True


def _clean_new(username: str, full_name: str, role: str, binding: dict) -> User:
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise ValidationError({"username": "账号：3~60 个字符，只能用字母、数字和 _ . @ -"})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"账号：“{username}”已存在（不区分大小写）"})
    if role not in Role.values:
        raise ValidationError({"role": "角色：请选择一个角色"})
    user = User(username=username, last_name=(full_name or "").strip()[:150], role=role,
                must_change_password=True, password_changed_at=timezone.now(), **binding)
    user.full_clean(exclude=["password"])
    return user


@transaction.atomic
def account_create(*, actor, username: str, full_name: str, role: str, township=None, org_unit=None,
                   enterprise=None, phone: str = "", request=None) -> tuple[User, str]:
    """Create one business account with a one-time password (returned once, never stored)."""
    _guard(actor, role=role)
    binding = {k: v for k, v in (("township", township), ("org_unit", org_unit), ("enterprise", enterprise)) if v}
    user = _clean_new(username, full_name, role, binding)
    user.phone = (phone or "").strip()[:20]
    password = random_password()
    user.set_password(password)
    user.save()
    _force_change(user)
    _record(AuditEvent.Kind.USER_CREATED, actor, user, request, after=_binding_snapshot(user),
            must_change_password=True)
    return user, password


@transaction.atomic
def account_reset_password(*, actor, user: User, request=None) -> str:
    """A new one-time password for a business account; unlocks it; the user must change it at the next
    sign-in. Returned once."""
    _guard(actor, target=user)
    password = random_password()
    user.set_password(password)
    user.must_change_password = True
    user.failed_logins, user.locked_until = 0, None
    user.save(update_fields=["password", "must_change_password", "failed_logins", "locked_until"])
    _force_change(user)
    _record(AuditEvent.Kind.PASSWORD_RESET, actor, user, request, must_change_password=True)
    return password


@transaction.atomic
def account_set_active(*, actor, user: User, active: bool, request=None) -> User:
    """Disable (停用) or enable (启用) a business account."""
    _guard(actor, target=user)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    _record(AuditEvent.Kind.USER_ENABLED if active else AuditEvent.Kind.USER_DISABLED, actor, user, request)
    return user


@transaction.atomic
def account_bind(*, actor, user: User, role: str, township=None, org_unit=None, enterprise=None,
                 request=None) -> User:
    """Change a business account's role and binding (乡镇 / 单位 / 企业)."""
    _guard(actor, target=user, role=role)
    if role not in Role.values:
        raise ValidationError({"role": "角色：请选择一个角色"})
    before = _binding_snapshot(user)
    user.role, user.township, user.org_unit, user.enterprise = role, township, org_unit, enterprise
    user.full_clean(exclude=["password"])
    user.save(update_fields=["role", "township", "org_unit", "enterprise"])
    _record(AuditEvent.Kind.ROLE_CHANGED, actor, user, request, before=before, after=_binding_snapshot(user))
    return user


@transaction.atomic
def security_policy_update(*, actor, request=None, **values) -> SecurityPolicy:
    """The 安全管理员 sets the security policy (validated against each field's range; audited)."""
    from kechuang.core.security import forget

    require(actor, "core.security_policy.change")
    row = SecurityPolicy.objects.order_by("pk").first() or SecurityPolicy()
    before = {f: getattr(row, f) for f in values}
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = actor.get_username()
    row.full_clean()
    row.save()
    forget()
    audit.record(AuditEvent.Kind.SECURITY_POLICY, request=request, user=actor, object_ref="core.SecurityPolicy",
                 detail={"before": before, "after": values})
    return row


# --- batch from an Excel sheet -------------------------------------------------------------

@dataclass
class BatchResult:
    errors: list[tuple[int, str, str]] = field(default_factory=list)   # (row, column, message)
    created: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # (账号, 姓名, 角色, 绑定, 密码)
    token: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def template_workbook() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "账户"
    ws.append(SHEET_COLUMNS)
    ws.append(["shuitou_tb01", "张三", "乡镇填报员", "水头镇", "", "", "13800000000"])
    ws.append(["caizheng01", "李四", "财政局工作人员", "", "", "", ""])
    ws.append(["gxj01", "王五", "部门联络员", "", "市工信局", "", ""])
    notes = wb.create_sheet("填写说明")
    notes.append(["角色可填：" + "、".join(str(r.label) for r in BUSINESS_ACCOUNT_ROLES)])
    notes.append(["乡镇填报员填“乡镇（街道）”；部门联络员填“单位”（如 市财政局）；企业用户填“统一社会信用代码”。"])
    notes.append(["第 2~4 行是示例，导入前请删除。任何一行有错，整表都不导入。"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value) -> str:
    return "" if value is None else str(value).strip()


@transaction.atomic
def accounts_import(*, actor, data: bytes, request=None) -> BatchResult:
    """Validate every row first (per-row errors, nothing saved when one is wrong), then create all
    accounts in one transaction with one-time passwords; the result sheet is stored for one
    download (:func:`result_sheet_take`)."""
    require(actor, MANAGE)
    from openpyxl import load_workbook

    from kechuang.enterprises.models import Enterprise

    result = BatchResult()
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
    except Exception:  # any unreadable upload is one error, never a 500
        result.errors.append((0, "文件", "无法读取：请上传由模板填写的 .xlsx 文件"))
        return result
    header = [_cell(v) for v in (rows[0] if rows else [])]
    missing = [c for c in SHEET_COLUMNS[:3] if c not in header]
    if missing:
        result.errors.append((1, "表头", "缺少列：" + "、".join(missing)))
        return result
    col = {name: header.index(name) for name in SHEET_COLUMNS if name in header}
    labels = {str(r.label): r.value for r in Role}
    seen: set[str] = set()
    planned = []
    for no, raw in enumerate(rows[1:], start=2):
        values = {name: _cell(raw[i]) if i < len(raw) else "" for name, i in col.items()}
        if not any(values.values()):
            continue
        errors_before = len(result.errors)
        username, role_label = values.get("账号", ""), values.get("角色", "")
        role = labels.get(role_label)
        binding = {}
        if role is None:
            result.errors.append((no, "角色", f"“{role_label}”不是角色；可填：" + "、".join(
                str(r.label) for r in BUSINESS_ACCOUNT_ROLES)))
        elif role in ADMIN_ROLES:
            result.errors.append((no, "角色", ADMIN_REFUSAL))
        elif role == Role.TOWNSHIP_CLERK:
            region = Region.resolve(values.get("乡镇（街道）", ""))
            if region is None or not region.is_township_level:
                result.errors.append((no, "乡镇（街道）", f"未找到乡镇（街道）“{values.get('乡镇（街道）', '')}”"))
            binding["township"] = region
        elif role == Role.DEPT_LIAISON:
            unit = OrgUnit.resolve(values.get("单位", ""))
            if unit is None:
                result.errors.append((no, "单位", f"未找到责任单位“{values.get('单位', '')}”"))
            binding["org_unit"] = unit
        elif role == Role.ENTERPRISE_USER:
            code = values.get("统一社会信用代码", "").upper().replace(" ", "")
            ent = Enterprise.objects.filter(uscc=code).first() if code else None
            if ent is None:
                result.errors.append((no, "统一社会信用代码", f"企业库中没有统一社会信用代码为“{code}”的企业"))
            binding["enterprise"] = ent
        if username.lower() in seen:
            result.errors.append((no, "账号", f"“{username}”在本表中重复"))
        seen.add(username.lower())
        if len(result.errors) == errors_before:
            try:
                user = _clean_new(username, values.get("姓名", ""), role, binding)
            except ValidationError as exc:
                for fname, messages in exc.message_dict.items():
                    column = {"username": "账号", "township": "乡镇（街道）", "org_unit": "单位",
                              "enterprise": "统一社会信用代码"}.get(fname, "角色")
                    result.errors.extend((no, column, m) for m in messages)
                continue
            user.phone = values.get("手机号", "")[:20]
            planned.append(user)
    if not planned and not result.errors:
        result.errors.append((0, "文件", "表中没有账户行"))
    if result.errors:
        return result
    for user in planned:
        password = random_password()
        user.set_password(password)
        user.save()
        _force_change(user)
        _record(AuditEvent.Kind.USER_CREATED, actor, user, request, after=_binding_snapshot(user),
                must_change_password=True, batch=True)
        result.created.append((user.username, user.last_name, str(Role(user.role).label), user.scope_label, password))
    audit.record(AuditEvent.Kind.IMPORT, request=request, user=actor, object_ref="core.User",
                 detail={"accounts": len(result.created)})
    result.token = _result_sheet_store(actor, result.created)
    return result


def _sheets_dir():
    folder = settings.VAR_DIR / "account_sheets"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _result_sheet_store(actor, created) -> str:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "一次性密码"
    ws.append(["账号", "姓名", "角色", "绑定", "一次性密码（首次登录须修改）"])
    for row in created:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    token = secrets.token_urlsafe(24)
    folder = _sheets_dir()
    (folder / f"{token}.xlsx").write_bytes(buf.getvalue())
    (folder / f"{token}.json").write_text(json.dumps({"user": actor.pk}), encoding="utf-8")
    return token


def result_sheet_take(*, actor, token: str, request=None) -> bytes | None:
    """The result sheet of a batch, for the administrator who made it, exactly once (the file is
    deleted as it is read); None when it was taken already or is not theirs."""
    require(actor, MANAGE)
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token or ""):
        return None
    folder = _sheets_dir()
    meta, sheet = folder / f"{token}.json", folder / f"{token}.xlsx"
    try:
        owner = json.loads(meta.read_text(encoding="utf-8")).get("user")
    except (OSError, ValueError):
        return None
    if owner != actor.pk:
        return None
    try:
        data = sheet.read_bytes()
    except OSError:
        return None
    sheet.unlink(missing_ok=True)
    meta.unlink(missing_ok=True)
    audit.record(AuditEvent.Kind.EXPORT, request=request, user=actor, object_ref="core.User:一次性密码表",
                 detail={"token": token[:6] + "…"})
    return data
