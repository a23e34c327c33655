"""A worker process for the multi-process tests: ``python tests/jobs/worker_harness.py WORKER_ID``.

It is `kechuang worker` plus two test hooks: the job kind ``tests.marker`` (sleeps briefly and
inserts a unique marker row — a second run of the same job would fail on the unique constraint),
and, with KECHUANG_TEST_PAUSE_IN_WRITE=1, a pause inside the screening's write transaction right
after its candidates were inserted (so the test can SIGKILL the worker mid-write)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")

import django  # noqa: E402

django.setup()

from kechuang.jobs.registry import JobOutcome, job_kind  # noqa: E402


@job_kind("tests.marker", label="测试标记", perm="jobs.screening.start")
def marker(ctx, *, actor, n: int):
    from kechuang.jobs.models import ScheduleRun

    ctx.progress(0, 1, step="标记")
    time.sleep(0.3)
    ScheduleRun.objects.create(task="tests.marker", slot=str(n), worker_id=os.environ.get("HARNESS_ID", ""))
    return JobOutcome(label=f"标记 {n}")


if os.environ.get("KECHUANG_TEST_PAUSE_IN_WRITE"):
    from kechuang.policies import services

    original = services.log_bulk

    def paused_log_bulk(*args, **kwargs):   # called inside the write transaction, after bulk_create
        Path(os.environ["KECHUANG_TEST_PAUSE_IN_WRITE"]).write_text("in-write")
        time.sleep(600)
        return original(*args, **kwargs)

    services.log_bulk = paused_log_bulk

if __name__ == "__main__":
    from kechuang.jobs.worker import KechuangWorker

    os.environ["HARNESS_ID"] = sys.argv[1]
    worker = KechuangWorker(worker_id=sys.argv[1], interval=0.1, schedule=False)
    worker.configure_signals()
    worker.run()
