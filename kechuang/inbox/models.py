"""The message centre: one row per message per recipient (站内信 and 待办)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.scoping import ScopedModel


class Message(ScopedModel):
    """A message to one person: a title, a body, a link to the object it is about, read or not.
    ``dedupe_key`` makes a reminder idempotent: the same key for the same person is sent once,
    however often the daily run is repeated."""

    change_log = False   # derived notifications; the objects they link to carry their own history

    class Kind(models.TextChoices):
        TODO = "todo", _("待办")
        REMINDER = "reminder", _("提醒")
        NOTICE = "notice", _("通知")
        JOB = "job", _("任务完成")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("收件人"), on_delete=models.CASCADE,
                                  related_name="messages")
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.NOTICE)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True, max_length=4000)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=200, blank=True)

    class Scope:
        township = None
        org_unit = None
        enterprise = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""),
                                    name="inbox_message_dedupe"),
            models.CheckConstraint(name="inbox_message_kind_valid",
                                   condition=Q(kind__in=["todo", "reminder", "notice", "job"])),
        ]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """Everyone sees their own messages only (the system actor sees all)."""
        if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
            return qs.none()
        return qs.filter(recipient_id=user.pk)

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
