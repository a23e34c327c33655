"""The worker: the Tasks framework's database worker plus, once a minute, the schedule and the
recovery of jobs whose worker died. ``kechuang worker`` runs one in the foreground;
``kechuang serve`` runs one in a thread of the web process (``--no-worker`` to leave it out)."""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

from kechuang.core.permissions import system_actor

logger = logging.getLogger("kechuang.jobs")

#: seconds between two schedule / recovery passes of one worker
HOUSEKEEPING_SECONDS = 60


class KechuangWorker(Worker):
    """django_tasks_db's Worker (claims with SELECT … FOR UPDATE SKIP LOCKED) plus housekeeping."""

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

    def run(self) -> None:
        # Housekeeping between tasks: wrap the parent's loop by running it one task at a time.
        logger.info("kechuang worker %s started", self.worker_id)
        while self.running:
            now = time.monotonic()
            if now >= self._next_housekeeping and not self.batch:
                close_old_connections()
                self.housekeeping()
                self._next_housekeeping = now + HOUSEKEEPING_SECONDS
            before = self._run_tasks
            self._one_pass()
            if self.batch and self._run_tasks == before:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if self.running and self._run_tasks == before:
                time.sleep(self.interval)

    def _one_pass(self) -> None:
        """Claim and run at most one task (the parent's loop body, in batch mode for one round)."""
        batch, max_tasks, interval = self.batch, self.max_tasks, self.interval
        self.batch, self.max_tasks, self.interval = True, self._run_tasks + 1, 0
        startup_delay, self.startup_delay = self.startup_delay, False
        try:
            Worker.run(self)
        finally:
            self.batch, self.max_tasks, self.interval, self.startup_delay = batch, max_tasks, interval, startup_delay


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
