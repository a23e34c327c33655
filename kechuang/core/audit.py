"""Writing and verifying the security audit log (等保 安全审计).

`record()` runs inside the caller's transaction: if the audit row cannot be written, the
action fails with it. Rows are chained: each row's hash covers its content and the previous
row's hash, so `verify_chain()` finds any row changed or removed behind the application's back.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kechuang.core.audit_key import last_checkpoint_day, read_checkpoints, write_checkpoint
from kechuang.core.changes import current_context
from kechuang.core.models import AuditEvent

_PG_LOCK_KEY = 7_301_955  # advisory lock id serialising appends on PostgreSQL


def client_ip(request) -> str:
    if request is None:
        return ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "PRODUCTION", False):
        return forwarded.split(",")[0].strip()[:45]
    return (request.META.get("REMOTE_ADDR") or "")[:45]


def record(kind: str, *, request=None, user=None, username: str = "", outcome: str = "success",
           object_ref: str = "", detail: dict | None = None) -> AuditEvent:
    """Append one audit row. Raises if it cannot be written (the action must then fail)."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            user = request.user
    if user is not None and not username:
        username = user.get_username()
    ctx = current_context()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""
        event = AuditEvent(
            at=timezone.now(), kind=kind, outcome=outcome, username=username[:150],
            user_id_ref=getattr(user, "pk", None), ip=client_ip(request),
            request_id=(getattr(request, "request_id", "") or ctx.request_id)[:40],
            object_ref=object_ref[:200], detail=detail or {}, prev_hash=last,
        )
        event.hash = event.content_digest(last)
        event.save()
        if last_checkpoint_day() != dt.datetime.now(dt.UTC).date().isoformat():
            # the first row of a day anchors the head outside the database (once committed)
            transaction.on_commit(_daily_checkpoint)
    return event


def _daily_checkpoint() -> None:
    if last_checkpoint_day() == dt.datetime.now(dt.UTC).date().isoformat():
        return
    checkpoint("daily")


def checkpoint(reason: str = "manual") -> dict | None:
    """Anchor the chain's current head in the signed checkpoint file and the syslog line."""
    head = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    if head is None:
        return None
    return write_checkpoint(head["id"], head["hash"], AuditEvent.objects.count(), reason)


def verify_chain(*, anchor: bool = True) -> list[str]:
    """Check every row's keyed hash and link, and the head against the signed checkpoints kept
    outside the database. Returns a list of problems (empty = intact); when intact and
    ``anchor``, appends a new checkpoint."""
    problems = []
    previous = None
    hashes = {}
    first_id = None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if first_id is None:
            first_id = event.pk
        if previous is not None and event.prev_hash != previous.hash:
            problems.append(f"#{event.pk}: 与前一条记录 #{previous.pk} 的链接断开 / link to #{previous.pk} broken")
        if event.content_digest(event.prev_hash) != event.hash:
            problems.append(f"#{event.pk}: 内容与摘要不符 / content does not match its hash")
        hashes[event.pk] = event.hash
        previous = event
    checkpoints, bad_lines = read_checkpoints()
    problems.extend(bad_lines)
    # a restore replaces the whole table: only checkpoints written since the last (signed) restore count
    restores = [i for i, cp in enumerate(checkpoints) if cp.get("reason") == "restore"]
    if restores:
        checkpoints = checkpoints[restores[-1]:]
    last_id = previous.pk if previous is not None else 0
    for cp in checkpoints:
        cp_id = int(cp["last_id"])
        if first_id is not None and cp_id < first_id:
            continue  # rows before the chain's start were purged (kept 180 days at least)
        if cp_id > last_id:
            problems.append(f"锚点 {cp['at']} 记录的最后一条 #{cp_id} 已不存在：日志末尾被截断 / "
                            f"tail truncated (checkpoint names #{cp_id}, table ends at #{last_id})")
        elif cp_id not in hashes:
            problems.append(f"锚点 {cp['at']} 记录的 #{cp_id} 已被删除 / row #{cp_id} named by a checkpoint is gone")
        elif hashes[cp_id] != cp["last_hash"]:
            problems.append(f"#{cp_id}: 与锚点 {cp['at']} 的摘要不符（链被重算）/ hash differs from the checkpoint "
                            "(chain recomputed)")
    if anchor and not problems and previous is not None:
        write_checkpoint(previous.pk, previous.hash, len(hashes), "verify")
    return problems


def purge_older_than(days: int) -> int:
    """Delete audit rows older than `days` days; refuses fewer than the retention minimum."""
    minimum = settings.KECHUANG_AUDIT_RETENTION_DAYS
    if days < minimum:
        raise ValueError(f"审计日志至少保留 {minimum} 天 / audit rows must be kept at least {minimum} days")
    cutoff = timezone.now() - dt.timedelta(days=days)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE at < %s", [cutoff])
        removed = cursor.rowcount
    record(AuditEvent.Kind.PURGE, detail={"older_than_days": days, "removed": removed})
    return removed
