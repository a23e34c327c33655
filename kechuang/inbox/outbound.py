"""Outbound SMS / e-mail behind one small interface. The bureau's gateway is configured later:

    # settings (or an environment-specific settings module)
    KECHUANG_OUTBOUND_GATEWAY = "mybureau.sms.Gateway"   # a class with send(recipient, message)

The default, ``LogGateway``, writes each delivery to the log (logger ``kechuang.inbox``) — the
message itself is already in the recipient's message centre. Delivery happens after the
caller's transaction commits, each failure is logged and swallowed: it never blocks a workflow.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger("kechuang.inbox")


class LogGateway:
    """Default gateway: log what would be sent (SMS to the phone, e-mail to the address on file)."""

    def send(self, recipient, message) -> None:
        channels = []
        if getattr(recipient, "phone", ""):
            channels.append("短信")
        if getattr(recipient, "email", ""):
            channels.append("邮件")
        logger.info("outbound[%s] to %s: %s %s", "、".join(channels) or "仅站内信", recipient.get_username(),
                    message.title, message.url)


def gateway():
    path = getattr(settings, "KECHUANG_OUTBOUND_GATEWAY", "")
    return import_string(path)() if path else LogGateway()


def deliver(message_ids: list[int]) -> int:
    """Hand each message to the gateway; returns how many were accepted (failures are logged)."""
    from .models import Message

    gw, sent = gateway(), 0
    for msg in Message.objects.filter(pk__in=message_ids).select_related("recipient"):
        try:
            gw.send(msg.recipient, msg)
            sent += 1
        except Exception:  # never let a gateway problem reach the workflow that sent the message
            logger.exception("outbound delivery of message %s failed", msg.pk)
    return sent


def deliver_later(message_ids: list[int]) -> None:
    """Deliver after the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: _safe(message_ids))


def _safe(message_ids):
    try:
        deliver(message_ids)
    except Exception:
        logger.exception("outbound delivery failed")
