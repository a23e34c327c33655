"""Writes of the jobs app: start, cancel, retry a job; recover jobs whose worker died.

Every long piece of work goes through ``job_start``: it checks the kind's permission with
``require()``, records the Job and enqueues it on the Tasks framework in the same transaction
(the database backend's queue row commits with the Job or not at all).
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.permissions import has_perm, is_system, require

from .models import Job
from .registry import get_kind

logger = logging.getLogger("kechuang.jobs")

#: a running job whose heartbeat is older than this is taken to have lost its worker
STALE_AFTER = dt.timedelta(minutes=2)
#: how many times a job is started before a lost worker counts as a failure
MAX_ATTEMPTS = 3


def _enqueue(job: Job) -> None:
    from .tasks import run_job

    result = run_job.enqueue(job.pk)
    job.task_id = str(result.id)
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id)


def _dedupe_key(kind: str, args: dict) -> str:
    return (kind + ":" + json.dumps(args, sort_keys=True, ensure_ascii=False, default=str))[:200]


@transaction.atomic
def job_start(*, actor, kind: str, args: dict | None = None, label: str = "", dedupe: bool = True) -> Job:
    """Queue a job of ``kind`` with ``args`` (JSON) for ``actor``. With ``dedupe`` a second start of
    the same kind and arguments while the first is still 排队 / 运行中 returns the first (a double
    click starts one screening, not two)."""
    spec = get_kind(kind)
    require(actor, spec.perm)
    args = json.loads(json.dumps(args or {}, default=str))
    key = _dedupe_key(kind, args) if dedupe else ""
    if dedupe:
        running = Job.objects.select_for_update().filter(dedupe_key=key, state__in=[Job.State.QUEUED,
                                                                                     Job.State.RUNNING]).first()
        if running is not None:
            return running
    user = None if is_system(actor) else actor
    job = Job.objects.create(kind=kind, label=(label or spec.label)[:200], started_by=user,
                             actor_name=actor.get_username()[:150], args=args, dedupe_key=key)
    _enqueue(job)
    return job


@transaction.atomic
def job_cancel(*, actor, job: Job) -> Job:
    """Cancel a job: a queued one at once; a running one at its next progress report (its write
    transaction is rolled back, so nothing of it remains)."""
    require(actor, "jobs.job.cancel", job)
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.is_finished:
        raise ValidationError(f"任务已{job.get_state_display()}，不能取消")
    if not get_kind(job.kind).cancellable and job.state == Job.State.RUNNING:
        raise ValidationError("该任务运行中不能取消")
    if job.state == Job.State.QUEUED:
        job.state, job.finished_at, job.message = Job.State.CANCELLED, timezone.now(), "排队中被取消"
    job.cancel_requested = True
    job.save(update_fields=["state", "finished_at", "message", "cancel_requested"])
    return job


@transaction.atomic
def job_retry(*, actor, job: Job) -> Job:
    """Queue a failed or cancelled job again with the same arguments (the handler is idempotent)."""
    require(actor, "jobs.job.retry", job)
    require(actor, get_kind(job.kind).perm)
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.state not in (Job.State.FAILED, Job.State.CANCELLED):
        raise ValidationError(f"任务{job.get_state_display()}，不需要重新运行")
    job.state, job.error, job.cancel_requested = Job.State.QUEUED, "", False
    job.done, job.step, job.message, job.finished_at = 0, "", "", None
    job.attempts = 0
    job.save()
    _enqueue(job)
    return job


def jobs_recover_stale(*, actor, now: dt.datetime | None = None, stale_after: dt.timedelta = STALE_AFTER) -> list[int]:
    """Queue again the jobs whose worker died (运行中 with a heartbeat older than ``stale_after``),
    or fail them after ``MAX_ATTEMPTS`` starts. Safe to run from every worker at once: each job is
    taken under a row lock and skipped by the others (SKIP LOCKED on PostgreSQL)."""
    if not is_system(actor) and not has_perm(actor, "jobs.schedule.run"):
        require(actor, "jobs.schedule.run")
    now = now or timezone.now()
    recovered = []
    with transaction.atomic():
        stale = (Job.objects.select_for_update(skip_locked=True)
                 .filter(state=Job.State.RUNNING, heartbeat_at__lt=now - stale_after))
        for job in stale:
            if job.attempts >= MAX_ATTEMPTS:
                job.state, job.finished_at = Job.State.FAILED, now
                job.error = f"工作进程在运行中中断了 {job.attempts} 次，任务已停止；请检查日志后重新运行。"
                job.save(update_fields=["state", "finished_at", "error"])
                continue
            logger.warning("job %s lost its worker %s; queued again", job.pk, job.worker_id)
            job.state = Job.State.QUEUED
            job.message = f"工作进程 {job.worker_id} 中断，任务已重新排队（第 {job.attempts + 1} 次运行）"
            job.save(update_fields=["state", "message"])
            _mark_lost(job.task_id)
            _enqueue(job)
            recovered.append(job.pk)
    return recovered


def _mark_lost(task_id: str) -> None:
    """The backend's queue row of a dead worker stays RUNNING forever; record it as failed."""
    if not task_id:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED", finished_at=timezone.now(), exception_class_path="kechuang.jobs.WorkerLost",
        traceback="工作进程中断（心跳超时），任务已重新排队")
