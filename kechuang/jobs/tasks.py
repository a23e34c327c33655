"""The one task the workers run: ``run_job(job_id)`` executes our ``Job`` row with its handler.

Exactly once: the backend hands each queue row to one worker (``SELECT … FOR UPDATE SKIP LOCKED``
on PostgreSQL, an exclusive transaction on SQLite), and ``run_job`` itself moves the Job from
排队 to 运行中 under a row lock — a Job that is no longer 排队 (finished, cancelled, or already
taken by another queue row after a recovery) is skipped. A worker that dies leaves its Job
运行中 with a stale heartbeat; ``jobs_recover_stale`` (run by every worker each minute) queues it
again, and the handler's idempotency makes the re-run safe.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, close_old_connections, transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("kechuang.jobs")

#: seconds between heartbeats of a running job (progress calls also count as one)
HEARTBEAT_SECONDS = 15


_current = threading.local()   # the worker id of the worker running in this thread


class JobCancelled(Exception):
    """Raised inside a handler (by ``JobContext.progress``) when someone cancelled the job."""


def worker_name() -> str:
    """host:pid of this process, the worker id recorded on the jobs it runs (≤ 64 characters)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


class JobContext:
    """Handed to a job's handler: report progress, notice cancellation."""

    def __init__(self, job):
        self.job = job
        self.job_id = job.pk
        self._last_write = 0.0

    def progress(self, done: int | None = None, total: int | None = None, *, step: str | None = None,
                 message: str | None = None, force: bool = False) -> None:
        """Record progress (written at most 4 times a second unless ``force``/a new step) and raise
        ``JobCancelled`` when the job was cancelled. Call it outside the handler's write transaction
        where possible: inside one, a page sees the figures only when the transaction commits."""
        import time

        from .models import Job

        fields: dict = {}
        if done is not None:
            fields["done"] = max(0, int(done))
        if total is not None:
            fields["total"] = max(0, int(total))
        if "done" in fields and "total" not in fields and self.job.total:
            fields["done"] = min(fields["done"], self.job.total)
        if "done" in fields and fields.get("total"):
            fields["done"] = min(fields["done"], fields["total"])
        if step is not None:
            fields["step"] = step[:200]
        if message is not None:
            fields["message"] = message[:500]
        for k, v in fields.items():
            setattr(self.job, k, v)
        now = time.monotonic()
        if not force and step is None and now - self._last_write < 0.25:
            return
        self._last_write = now
        fields["heartbeat_at"] = timezone.now()
        try:
            Job.objects.filter(pk=self.job_id).update(**fields)
            cancelled = Job.objects.filter(pk=self.job_id, cancel_requested=True).exists()
        except OperationalError:   # SQLite busy with another writer: the next call catches up
            return
        if cancelled and self.job.cancellable:
            raise JobCancelled()


def _heartbeat(job_id: int, attempt: int, stop: threading.Event) -> None:
    from .models import Job

    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                Job.objects.filter(pk=job_id, state="running", attempts=attempt).update(heartbeat_at=timezone.now())
            except OperationalError:
                pass
    finally:
        close_old_connections()
        from django.db import connections

        connections.close_all()


def _error_text(exc: BaseException) -> str:
    """The failure reason shown to people: the service's own Chinese sentence where it gave one."""
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)[:2000]
    if isinstance(exc, PermissionDenied):
        return str(exc) or "没有权限执行此任务"
    return f"内部错误（{type(exc).__name__}），请联系系统管理员查看日志。"


def execute(job_id: int, worker_id: str = "") -> dict:
    """Run the Job ``job_id`` if it is still 排队 (otherwise do nothing) and record its outcome."""
    from kechuang.core.changes import change_context

    from .models import Job
    from .registry import get_kind

    worker_id = (worker_id or getattr(_current, "worker_id", "") or worker_name())[:64]
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != Job.State.QUEUED:
            return {"skipped": getattr(job, "state", "missing")}
        now = timezone.now()
        job.state, job.started_at, job.heartbeat_at = Job.State.RUNNING, now, now
        job.attempts += 1
        job.worker_id = worker_id
        job.finished_at = None
        job.save(update_fields=["state", "started_at", "heartbeat_at", "attempts", "worker_id", "finished_at"])
    attempt = job.attempts
    mine = Job.objects.filter(pk=job_id, state=Job.State.RUNNING, attempts=attempt)
    try:
        kind = get_kind(job.kind)
    except LookupError as exc:
        mine.update(state=Job.State.FAILED, error=str(exc), finished_at=timezone.now())
        return {"state": "failed"}
    job.cancellable = kind.cancellable
    ctx = JobContext(job)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(job_id, attempt, stop), daemon=True,
                            name=f"job-{job_id}-heartbeat")
    beat.start()
    actor = job.actor()
    try:
        with change_context(user=job.started_by, source=f"job:{job.kind}", request_id=f"job-{job.pk}-{attempt}"):
            outcome = kind.handler(ctx, actor=actor, **job.args)
    except JobCancelled:
        mine.update(state=Job.State.CANCELLED, finished_at=timezone.now(), message="已按要求取消，未写入任何结果")
        return {"state": "cancelled"}
    except Exception as exc:  # the reason is recorded on the job; the traceback goes to the log
        logger.error("job %s (%s) failed:\n%s", job_id, job.kind, "".join(traceback.format_exception(exc)))
        if mine.update(state=Job.State.FAILED, finished_at=timezone.now(), error=_error_text(exc)):
            _tell_starter(job, "failed")
        return {"state": "failed"}
    finally:
        stop.set()
    fields = {"state": Job.State.DONE, "finished_at": timezone.now()}
    if outcome is not None:
        fields.update(result_url=outcome.url[:500], result_label=outcome.label[:300], result=outcome.data or {})
    if ctx.job.total:
        fields["done"] = ctx.job.total
    if mine.update(**fields):
        _tell_starter(job, "done", outcome)
    return {"state": "done"}


def _tell_starter(job, state: str, outcome=None) -> None:
    """A message to the person who started the job (not for system jobs): it finished or failed."""
    if job.started_by_id is None:
        return
    from django.urls import reverse

    from kechuang.inbox.services import notify

    try:
        if state == "done":
            notify(job.started_by, f"任务完成：{job.label}", getattr(outcome, "label", "") or "已完成",
                   reverse("jobs:detail", args=[job.pk]), "job", dedupe_key=f"job-{job.pk}-{job.attempts}-done")
        else:
            notify(job.started_by, f"任务失败：{job.label}", "请打开任务查看失败原因。",
                   reverse("jobs:detail", args=[job.pk]), "job", dedupe_key=f"job-{job.pk}-{job.attempts}-failed")
    except Exception:  # a message must never turn a finished job into a failed one
        logger.exception("could not notify the starter of job %s", job.pk)


@task()
def run_job(job_id: int) -> dict:
    """The task a worker runs for one Job (see ``execute``)."""
    return execute(job_id)


def new_worker_id() -> str:
    """A worker id unique across machines: host:pid:random (≤ 64 characters)."""
    return f"{worker_name()}:{uuid.uuid4().hex[:8]}"[:64]
