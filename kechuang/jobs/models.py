"""Background jobs and the workers' schedule.

A ``Job`` is our record of one piece of long work (a 免申即享 screening, an import, a bulletin…):
who started it, its arguments, its state, its progress and its result. The queue itself is the
Tasks framework's database backend (``django_tasks_db.DBTaskResult``): ``Job.task_id`` names the
backend row that carries it to a worker. A ``ScheduleRun`` is one claimed slot of the periodic
schedule: its unique (task, slot) row makes "one run per slot" hold with any number of workers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.bounds import COUNT, bounded
from kechuang.core.roles import Role
from kechuang.core.scoping import ScopedModel


class Job(ScopedModel):
    """One background job with its progress. Its state moves 排队 → 运行中 → 完成 / 失败 / 已取消;
    a failed or cancelled job may be queued again (the handlers are idempotent)."""

    change_log = False   # the row is itself the record of who started what, when, and how it ended

    class State(models.TextChoices):
        QUEUED = "queued", _("排队")
        RUNNING = "running", _("运行中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    FINISHED = (State.DONE, State.FAILED, State.CANCELLED)

    kind = models.CharField(_("任务类型"), max_length=60, db_index=True)
    label = models.CharField(_("任务"), max_length=200)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="jobs")
    actor_name = models.CharField(_("发起人/命令"), max_length=150)
    args = models.JSONField(_("参数"), default=dict, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=200, blank=True, db_index=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    step = models.CharField(_("当前步骤"), max_length=200, blank=True)
    done = models.PositiveIntegerField(_("已完成"), default=0, validators=bounded(COUNT, hi=2_000_000_000))
    total = models.PositiveIntegerField(_("总数"), default=0, validators=bounded(COUNT, hi=2_000_000_000))
    message = models.CharField(_("进度说明"), max_length=500, blank=True)
    result_url = models.CharField(_("结果链接"), max_length=500, blank=True)
    result_label = models.CharField(_("结果"), max_length=300, blank=True)
    result = models.JSONField(_("结果数据"), default=dict, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    cancel_requested = models.BooleanField(_("已请求取消"), default=False)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0, validators=bounded(COUNT, hi=100))
    task_id = models.CharField(_("队列编号"), max_length=64, blank=True)
    worker_id = models.CharField(_("工作进程"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)

    class Scope:
        township = None
        org_unit = None
        enterprise = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "heartbeat_at"]), models.Index(fields=["started_by", "-created_at"])]
        constraints = [
            models.CheckConstraint(name="job_done_le_total", condition=Q(total=0) | Q(done__lte=F("total"))),
            models.CheckConstraint(name="job_counts_bounded",
                                   condition=Q(done__lte=2_000_000_000) & Q(total__lte=2_000_000_000)),
            models.CheckConstraint(name="job_attempts_bounded", condition=Q(attempts__lte=100)),
            models.CheckConstraint(name="job_state_valid",
                                   condition=Q(state__in=["queued", "running", "done", "failed", "cancelled"])),
        ]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """A person sees the jobs they started; 科技局工作人员 see every job (they run the city's
        screenings and imports together); the 三员 see none."""
        if user is None or not getattr(user, "is_authenticated", False):
            return qs.none()
        if getattr(user, "role", "") == Role.BUREAU_STAFF:
            return qs
        if getattr(user, "role", "") in {Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN}:
            return qs.none()
        return qs.filter(started_by_id=user.pk)

    def __str__(self) -> str:
        return f"{self.label}（{self.get_state_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def percent(self) -> int | None:
        """0–100 when the total is known, else None (an indeterminate bar)."""
        if self.state == self.State.DONE:
            return 100
        if not self.total:
            return None
        return max(0, min(100, round(100 * self.done / self.total)))

    @property
    def seconds(self) -> float | None:
        if not self.started_at:
            return None
        end = self.finished_at or timezone.now()
        return round((end - self.started_at).total_seconds(), 1)

    def actor(self):
        """Who the job acts as: the person who started it, or the system actor of its command."""
        from kechuang.core.permissions import system_actor

        if self.started_by_id is not None:
            return self.started_by
        return system_actor(self.actor_name or "job")


class ScheduleRun(models.Model):
    """One slot of the periodic schedule (``daily-reminders`` on 2026-10-08), claimed by exactly one
    worker: the unique (task, slot) row is inserted in a transaction, so a second worker's insert
    fails and it skips the slot."""

    unscoped_reason = "定时任务的运行记录，不含业务数据，只在运维页面和命令中使用"
    change_log = False

    task = models.CharField(_("定时任务"), max_length=60)
    slot = models.CharField(_("时段"), max_length=40)
    claimed_at = models.DateTimeField(_("领取时间"), default=timezone.now)
    worker_id = models.CharField(_("工作进程"), max_length=64, blank=True)
    job = models.ForeignKey(Job, verbose_name=_("任务"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")

    class Meta:
        verbose_name = _("定时任务运行")
        verbose_name_plural = _("定时任务运行")
        ordering = ["-claimed_at"]
        constraints = [models.UniqueConstraint(fields=["task", "slot"], name="schedule_run_unique_slot")]

    def __str__(self) -> str:
        return f"{self.task} {self.slot}"
