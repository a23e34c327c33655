"""The worker: the Tasks framework's database worker plus, once a minute, the schedule and the
recovery of jobs whose worker died. ``kechuang worker`` runs one in the foreground;
``kechuang serve`` runs one in a thread of the web process (``--no-worker`` to leave it out)."""

from __future__ import annotations

import logging
import threading
import time

from django.db import OperationalError, close_old_connections
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from kechuang.core.permissions import system_actor

logger = logging.getLogger("kechuang.jobs")

#: seconds between two schedule / recovery passes of one worker
HOUSEKEEPING_SECONDS = 60


class KechuangWorker(Worker):
    """django_tasks_db's Worker (its signal handling and ``run_task``; claims with SELECT … FOR UPDATE
    SKIP LOCKED) with our own loop: housekeeping once a minute, batch mode without closing the
    connection (so tests can run queued jobs inside their transaction)."""

    def __init__(self, *, worker_id: str, interval: float = 1.0, schedule: bool = True, batch: bool = False,
                 max_tasks: int | None = None, queue_names: list[str] | None = None):
        super().__init__(queue_names=queue_names or ["default"], interval=interval, batch=batch,
                         backend_name="default", startup_delay=not batch, max_tasks=max_tasks,
                         worker_id=worker_id, excluded_queue_names=[])
        self.schedule = schedule
        self._next_housekeeping = 0.0

    def housekeeping(self) -> None:
        """Queue due schedule slots and requeue jobs of dead workers (errors are logged, never fatal)."""
        from .schedule import schedule_tick
        from .services import jobs_recover_stale

        try:
            if self.schedule:
                schedule_tick(worker_id=self.worker_id)
            jobs_recover_stale(actor=system_actor("worker:recovery"))
        except Exception:  # a database hiccup must not stop the worker
            logger.exception("worker %s: housekeeping failed", self.worker_id)

    def run_task(self, db_task_result) -> None:
        from .tasks import _current

        _current.worker_id = self.worker_id
        try:
            super().run_task(db_task_result)
        finally:
            _current.worker_id = ""

    def claim(self):
        """Claim the next ready task row (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, an
        exclusive transaction on SQLite) and mark it running; None when there is none."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as exc:
                if is_locked_database_exception(exc):   # SQLite busy: try again on the next round
                    return None
                raise
        return task_result

    def run(self) -> None:
        """Claim and run tasks until stopped (or, with ``batch``, until the queue is empty), with
        housekeeping once a minute. In batch mode (tests, ``--batch``) connections are left alone."""
        logger.info("kechuang worker %s started", self.worker_id)
        while self.running:
            if not self.batch:
                close_old_connections()
                now = time.monotonic()
                if now >= self._next_housekeeping:
                    self.housekeeping()
                    self._next_housekeeping = now + HOUSEKEEPING_SECONDS
            task_result = self.claim()
            if task_result is not None:
                self.run_task(task_result)
            elif self.batch:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if self.running and task_result is None:
                time.sleep(self.interval)


def run_pending(*, worker_id: str = "inline", limit: int = 1000) -> int:
    """Run every queued job now in this thread (tests, ``kechuang worker --batch``); returns the count."""
    worker = KechuangWorker(worker_id=worker_id, batch=True, schedule=False, max_tasks=limit)
    worker.run()
    return worker._run_tasks


def start_in_thread(*, worker_id: str, interval: float = 1.0) -> tuple[threading.Thread, KechuangWorker]:
    """Start a worker in a daemon thread of this process (``kechuang serve``)."""
    worker = KechuangWorker(worker_id=worker_id, interval=interval)
    thread = threading.Thread(target=worker.run, name="kechuang-worker", daemon=True)
    thread.start()
    return thread, worker
