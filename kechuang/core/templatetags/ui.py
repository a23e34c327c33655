"""Template filters every page may use without ``{% load %}`` (registered as builtins in settings):
people, amounts in 万元, local times and field labels — one way to show each."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def person(user, empty: str = "系统导入"):
    """A user as people read it: full name, else account name; ``empty`` when there is none
    (records written by imports and demo loaders have no person)."""
    if user is None or user == "":
        return empty
    name = getattr(user, "get_full_name", lambda: "")() or getattr(user, "username", "") or str(user)
    return name


def wan_text(value, places: int = 4) -> str:
    """An amount in 万元 with only the decimals that mean something: 60.0000 → 60, 12.50 → 12.5,
    1E+2 → 100; thousands separated; — for None."""
    if value is None or value == "":
        return "—"
    try:
        d = Decimal(str(value)).quantize(Decimal(1).scaleb(-places))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{d:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@register.filter
def wan(value):
    """See :func:`wan_text`."""
    return wan_text(value)


@register.filter
def yuan(value):
    """An amount stored in 万元 read in 元 (small fees: 0.0550 万元 → 550), at most 2 decimals."""
    if value is None or value == "":
        return "—"
    try:
        return wan_text(Decimal(str(value)) * 10000, places=2)
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def local(value, fmt: str = "%Y-%m-%d %H:%M"):
    """A datetime (or an ISO string from JSON) in the local time zone (Asia/Shanghai), e.g.
    2026-12-04 22:51 for 2026-12-04T14:51:00+00:00."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):  # an ISO time stored in JSON (work logs), usually in UTC
        import datetime as dt

        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return value.strftime(fmt)


@register.filter
def label(name: str, vocabulary: str = "") -> str:
    """A field name in words from the one vocabulary (kechuang.core.vocabulary)."""
    from kechuang.core.vocabulary import field_label

    return field_label(name, vocabulary or None)


@register.filter
def readable_changes(change):
    """A change-log row's changed fields in words: [(label, old text | None, new text)]."""
    from kechuang.core.vocabulary import readable_changes as rc

    return rc(change)


SOURCE_WORDS = {"web": "网页操作", "system": "系统", "api": "接口", "import": "Excel 导入", "command": "命令行",
                "demo": "演示数据", "job": "后台任务"}


@register.filter
def source_words(source: str) -> str:
    """Where a change came from, in words (``command:serve --demo`` → 命令行 kechuang serve --demo)."""
    if not source:
        return ""
    head = source.partition(":")[0]
    word = SOURCE_WORDS.get(head)
    if word is None:
        return "系统"
    return word


AUDIT_KEYS = {"reason": "原因", "role": "角色", "rows": "行数", "removed": "删除条数", "older_than_days": "保留天数",
              "locked_until": "锁定至", "minutes": "锁定分钟", "consecutive": "连续失败次数", "before": "变更前",
              "after": "变更后"}
AUDIT_REASONS = {"wrong_code": "动态口令错误", "replayed": "动态口令重复使用", "unknown_user": "账户不存在",
                 "locked": "账户已锁定", "bad_password": "密码错误", "idle": "长时间无操作"}


def _audit_value(key: str, value) -> str:
    from kechuang.core.models import Role
    from kechuang.core.vocabulary import field_label

    if isinstance(value, dict):
        return "，".join(f"{AUDIT_KEYS.get(k) or field_label(k, 'core.User')}：{_audit_value(k, v)}"
                        for k, v in value.items())
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return "（空）"
    if key == "role" and value in Role.values:
        return str(Role(value).label)
    if key == "reason":
        return AUDIT_REASONS.get(value, "其他")
    if key == "locked_until" and isinstance(value, str):
        import datetime as dt

        try:
            return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    return str(value)


@register.filter
def audit_detail(detail) -> str:
    """An audit event's detail in words ({'reason': 'wrong_code'} → 原因：动态口令错误)."""
    if not detail:
        return ""
    if not isinstance(detail, dict):
        return str(detail)
    return "；".join(f"{AUDIT_KEYS.get(k, '说明')}：{_audit_value(k, v)}" for k, v in detail.items())


@register.filter
def object_ref(ref: str) -> str:
    """``diagnosis.DiagnosisRun:3`` → 预诊断运行 #3; ``user:kjj_demo`` → 账户 kjj_demo."""
    from django.apps import apps

    if not ref:
        return ""
    head, _, key = ref.rpartition(":")
    if head == "user":
        return f"账户 {key}"
    try:
        model = apps.get_model(head)
    except (LookupError, ValueError):
        return "其他对象"
    return f"{model._meta.verbose_name} #{key}"


@register.filter
def object_words(change) -> str:
    """A change-log row's object as people read it: its name, or "成交 #1" where the model has no
    name of its own (Django's default "Deal object (1)")."""
    import re

    from django.apps import apps

    text = change.object_repr or ""
    if not re.fullmatch(r"\w+ object \(\w+\)", text):
        return text
    try:
        name = apps.get_model(change.model)._meta.verbose_name
    except (LookupError, ValueError):
        name = "对象"
    return f"{name} #{change.object_id}"


@register.filter
def may(user, permission: str) -> bool:
    """``{% if user|may:"talent.recognition.confirm" %}``: show a link or button only to those
    the permission table lets act (core.permissions.has_perm)."""
    from kechuang.core.permissions import has_perm

    return has_perm(user, permission)
