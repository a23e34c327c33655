"""The message centre's API for every other module:

    from kechuang.inbox.services import notify

    notify(user_or_users, "免申即享候选：高企认定奖励", "请在 15 天内确认……", url="/policies/cases/12/",
           kind="todo", dedupe_key="case-verified-12")

- one message per recipient, shown in the header count and on /inbox/ until read;
- ``dedupe_key`` (per recipient) makes it idempotent: a repeated reminder or a retried job sends once;
- the outbound copy (SMS / e-mail, see ``kechuang.inbox.outbound``) is handed over after the
  transaction commits and never raises into the caller: a slow or broken gateway cannot block or
  roll back a workflow.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from kechuang.core.permissions import require

from .models import Message

logger = logging.getLogger("kechuang.inbox")


def _recipients(user_or_users) -> list:
    if user_or_users is None:
        return []
    if hasattr(user_or_users, "pk") and not isinstance(user_or_users, (list, tuple, set)):
        users = [user_or_users]
    else:
        users = list(user_or_users)
    seen, out = set(), []
    for u in users:
        if u is None or getattr(u, "pk", None) is None or u.pk in seen or not getattr(u, "is_active", True):
            continue
        seen.add(u.pk)
        out.append(u)
    return out


def notify(user_or_users, title: str, body: str = "", url: str = "", kind: str = "notice", *,
           dedupe_key: str = "", outbound: bool = True) -> list[Message]:
    """Put a message in each recipient's message centre (and hand it to the outbound gateway).
    Returns the messages created (a recipient who already has ``dedupe_key`` gets none)."""
    if kind not in Message.Kind.values:
        raise ValueError(f"unknown message kind {kind!r}")
    users = _recipients(user_or_users)
    if not users:
        return []
    key = (dedupe_key or "")[:200]
    if key:
        have = set(Message.objects.filter(recipient__in=users, dedupe_key=key).values_list("recipient_id", flat=True))
        users = [u for u in users if u.pk not in have]
    created = []
    for u in users:
        msg = Message(recipient=u, kind=kind, title=title[:200], body=(body or "")[:4000], url=(url or "")[:500],
                      dedupe_key=key)
        try:
            with transaction.atomic():
                msg.save()
        except IntegrityError:   # the same reminder from a concurrent run: already there
            continue
        created.append(msg)
    if created and outbound:
        from .outbound import deliver_later

        deliver_later([m.pk for m in created])
    return created


def message_open(*, user, message: Message) -> Message:
    """Mark a message read (opening it) and return it."""
    require(user, "inbox.message.view", message)
    if message.read_at is None:
        message.read_at = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message


def messages_mark_all_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark all (or the given) unread messages of ``user`` read; returns how many."""
    require(user, "inbox.message.view")
    qs = Message.objects.restrict(user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    """Unread messages of ``user`` (the header badge)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
