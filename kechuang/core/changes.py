"""The change log: every create/update/delete of a business object is recorded with who (a user
or a command), when, a request/command id and the values before and after.

Web requests set the context in RequestIdMiddleware; the `kechuang` CLI sets it for every
command; imports and services may narrow it with `change_context(source="import:…")`.
Single-row writes are caught by model signals. Bulk writes (bulk_create/bulk_update/
queryset.update) bypass signals, so code that uses them must call `log_bulk`.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.db import models

SECRET_FIELDS = frozenset({"password", "totp_secret", "bank_account", "id_number"})


@dataclass(frozen=True)
class ChangeContext:
    user: object | None = None
    source: str = ""
    request_id: str = ""

    @property
    def actor(self) -> str:
        if self.user is not None and getattr(self.user, "is_authenticated", False):
            return self.user.get_username()
        return self.source or "system"


_current: contextvars.ContextVar[ChangeContext] = contextvars.ContextVar(
    "kechuang_change_context", default=ChangeContext(source="system")  # noqa: B039 (frozen)
)


def current_context() -> ChangeContext:
    return _current.get()


@contextmanager
def change_context(*, user=None, source: str | None = None, request_id: str | None = None):
    """Attribute the writes inside the block to `user` and/or `source` (e.g. a command)."""
    base = _current.get()
    ctx = replace(
        base,
        user=user if user is not None else base.user,
        source=source if source is not None else base.source,
        request_id=request_id or base.request_id or uuid.uuid4().hex[:16],
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def to_jsonable(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (bytes, memoryview)):
        return f"<{len(value)} bytes>"
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    return value


def snapshot(instance: models.Model) -> dict:
    """The concrete field values of `instance`, JSON-safe, secrets masked."""
    data = {}
    for field in instance._meta.concrete_fields:
        value = field.value_from_object(instance)
        if field.name in SECRET_FIELDS:
            value = "***" if value else ""
        data[field.attname] = to_jsonable(value)
    return data


def _same(model, before: dict | None, after: dict | None) -> bool:
    """Equal apart from auto_now timestamps (a save that changed nothing else is no change)."""
    if before is None or after is None:
        return before is after
    stamps = {f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}
    return {k: v for k, v in before.items() if k not in stamps} == {
        k: v for k, v in after.items() if k not in stamps}


def is_logged(model) -> bool:
    """Models opt out with `change_log = False` (derived, regenerable results only)."""
    from kechuang.core.models import AuditEvent, ChangeLog, PasswordHistory

    if model in (ChangeLog, AuditEvent, PasswordHistory) or model._meta.abstract:
        return False
    if not model.__module__.startswith("kechuang."):
        return False
    return getattr(model, "change_log", True)


def _entry(action, model, object_id, object_repr, before, after):
    from kechuang.core.models import ChangeLog

    ctx = current_context()
    user = ctx.user if getattr(ctx.user, "is_authenticated", False) and ctx.user.pk else None
    return ChangeLog(
        user=user, actor=ctx.actor[:150], source=(ctx.source or "")[:200],
        request_id=ctx.request_id[:40], action=action, model=model._meta.label,
        object_id=str(object_id)[:64], object_repr=str(object_repr)[:200], before=before, after=after,
    )


def log_bulk(model, action: str, instances, before: dict | None = None) -> int:
    """Record a change row for each instance of a bulk write. `before` maps pk → snapshot for
    updates and deletes. Returns the number of rows written."""
    from kechuang.core.models import ChangeLog

    before = before or {}
    rows = []
    for obj in instances:
        after = None if action == "delete" else snapshot(obj)
        prior = before.get(obj.pk)
        if action == "update" and _same(model, prior, after):
            continue
        rows.append(_entry(action, model, obj.pk, obj, prior, after))
    ChangeLog.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or not is_logged(sender):
        return
    instance._changelog_before = None
    if instance.pk is not None and not instance._state.adding:
        old = sender._default_manager.filter(pk=instance.pk).first()
        if old is not None:
            instance._changelog_before = snapshot(old)


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw or not is_logged(sender):
        return
    before = getattr(instance, "_changelog_before", None)
    after = snapshot(instance)
    if not created and _same(sender, before, after):
        return
    _entry("create" if created or before is None else "update", sender, instance.pk, instance,
           None if created else before, after).save()


def _post_delete(sender, instance, **kwargs):
    if not is_logged(sender):
        return
    _entry("delete", sender, instance.pk, instance, snapshot(instance), None).save()


def connect_signals():
    from django.db.models.signals import post_delete, post_save, pre_save

    pre_save.connect(_pre_save, dispatch_uid="kechuang_changelog_pre_save")
    post_save.connect(_post_save, dispatch_uid="kechuang_changelog_post_save")
    post_delete.connect(_post_delete, dispatch_uid="kechuang_changelog_post_delete")


def history_for(obj) -> models.QuerySet:
    """The change rows of one object, newest first (the 变更记录 tab)."""
    from kechuang.core.models import ChangeLog

    return ChangeLog.objects.filter(model=obj._meta.label, object_id=str(obj.pk)).select_related("user")
