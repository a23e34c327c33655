"""More than one worker process on PostgreSQL: jobs are claimed with row locks (SELECT … FOR UPDATE
SKIP LOCKED), so each of 20 jobs of mixed kinds runs exactly once; a worker killed with SIGKILL in
the middle of a screening's write leaves nothing behind, and the re-run adds no duplicate."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from kechuang.core.permissions import system_actor
from kechuang.jobs import services
from kechuang.jobs.models import Job, ScheduleRun

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

HARNESS = Path(__file__).with_name("worker_harness.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL：多个工作进程须连接同一个数据库（SQLite 测试库在内存中，子进程看不到）；"
                    "设置 KECHUANG_DATABASE_URL=postgres://… 后运行")
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(url: str, worker_id: str, tmp_path: Path, **env) -> subprocess.Popen:
    environ = {**os.environ, "KECHUANG_DATABASE_URL": url, **env}
    log = open(tmp_path / f"{worker_id}.log", "w")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen([sys.executable, str(HARNESS), worker_id], env=environ, cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT)


def wait_for(predicate, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"等待超时：{what}")


def stop(*procs):
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


@pytest.fixture
def screening_world(world):
    from kechuang.enterprises.demo import generate
    from kechuang.policies import services as ps
    from kechuang.policies.reference import load_reference_data

    load_reference_data()
    generate(300, seed=7, today=dt.date(2026, 6, 30), log=False)
    ps.policy_event_record(user=world.staff, enterprise=world.enterprise_a, kind="hnte_recognized",
                           date="2026-03-01", fields={"first_time": True}, source="认定名单")
    return world


def small_workbook(i: int) -> bytes:
    from tests.enterprises.helpers import filled_template
    from tests.world import _uscc

    return filled_template({"企业": [[_uscc(f"91350583MB{i:03d}{k:04d}"), f"并发导入{i}号企业{k}", "水头镇",
                                      "2018-05-01", 30, 6, 4, "新材料"] for k in range(3)]})


def test_two_workers_run_twenty_mixed_jobs_exactly_once(postgres, screening_world, tmp_path, settings, monkeypatch):
    """Every job kind the product registers, mixed in one queue of 20, claimed by two workers."""
    from django_tasks_db.models import DBTaskResult

    from kechuang.core.models import AuditEvent
    from kechuang.diagnosis.jobs import job_note
    from kechuang.diagnosis.models import DiagnosisRun
    from kechuang.enterprises.jobs import keep_upload
    from kechuang.enterprises.models import Enterprise
    from kechuang.jobs.files import job_file_path
    from kechuang.jobs.registry import all_kinds
    from kechuang.policies.models import ScreeningRun
    from kechuang.search.embedders import get_embedder
    from kechuang.targets import services as ts
    from kechuang.targets.models import Indicator
    from kechuang.techmarket.catalogue import INDEX_JOB, _catalogue_dir, catalogue_engine, current_version
    from kechuang.techmarket.models import Achievement

    w = screening_world
    import tests.jobs.worker_harness  # noqa: F401  (registers tests.marker here too)

    settings.VAR_DIR = tmp_path                  # the workers get the same VAR_DIR (files, index, uploads)
    settings.KECHUANG_SEARCH_INDEX_INLINE = False
    monkeypatch.setenv("KECHUANG_EMBEDDER", "hashing")
    workers_env = {"KECHUANG_VAR_DIR": str(tmp_path), "KECHUANG_EMBEDDER": "hashing"}
    period = ts.period_open(user=w.staff, year=2023, kind="FY")
    ts.report_approve(user=w.staff, report=ts.report_submit(user=w.clerk_a, period=period, region=w.township_a,
                                                            indicator=Indicator.objects.get(code="hnte_count"),
                                                            value="90"))
    Achievement.objects.all().delete()      # the reference catalogue: 3 achievements index in a moment
    Job.objects.all().delete()              # (and the index job the deletion queued)
    DBTaskResult.objects.all().delete()
    Achievement.objects.bulk_create([   # no save signal: the index jobs below are the only ones
        Achievement(title=f"玄武岩纤维增强复合板{i}", abstract="玄武岩纤维 石材 复合板", keywords=["玄武岩纤维"],
                    status="published") for i in range(3)])
    enterprises_before = Enterprise.objects.count()

    jobs = []
    for year in (2023, 2024, 2025, 2026):
        jobs.append(services.job_start(actor=w.staff, kind="policies.screening", args={"year": year}))
    for i in range(3):
        jobs.append(services.job_start(actor=w.staff, kind="enterprises.import", dedupe=False,
                                       args={"upload": keep_upload(small_workbook(i)), "filename": f"b{i}.xlsx"}))
    for on in ("2026-06-30", "2026-07-31"):
        jobs.append(services.job_start(actor=w.staff, kind="diagnosis.run", args={"on": on}))
    for fmt in ("docx", "xlsx"):
        jobs.append(services.job_start(actor=w.staff, kind="targets.bulletin",
                                       args={"period": period.pk, "fmt": fmt, "on": "2023-12-31"}))
    for _ in range(2):
        jobs.append(services.job_start(actor=system_actor("test"), kind=INDEX_JOB, args={}, dedupe=False))
    for seed in (11, 12):
        jobs.append(services.job_start(actor=system_actor("command:demo"), kind="enterprises.demo",
                                       args={"count": 3, "seed": seed}))
    for day in (1, 2):
        jobs.append(services.job_start(actor=system_actor("schedule:test"), kind="jobs.daily_reminders",
                                       args={"on": f"2026-10-0{day}"}))
    for n in range(3):
        jobs.append(services.job_start(actor=w.staff, kind="tests.marker", args={"n": n}))
    assert len(jobs) == 20
    product_kinds = {k for k in all_kinds() if not k.startswith("tests.")}   # tests register their own too
    assert {j.kind for j in jobs} - {"tests.marker"} == product_kinds, "every job kind of the product takes part"
    a = start_worker(postgres, "w-a", tmp_path, **workers_env)
    b = start_worker(postgres, "w-b", tmp_path, **workers_env)
    try:
        wait_for(lambda: Job.objects.filter(state__in=["queued", "running"]).count() == 0, 120, "20 个任务完成")
    finally:
        stop(a, b)
    logs = {p: (tmp_path / f"{p}.log").read_text() for p in ("w-a", "w-b")}
    rows = list(Job.objects.order_by("pk"))
    assert [j.state for j in rows] == ["done"] * 20, [(j.kind, j.state, j.error) for j in rows]
    assert all(j.attempts == 1 for j in rows)
    tasks = {str(t.id): t for t in DBTaskResult.objects.all()}
    assert len(tasks) == 20
    assert all(t.status == "SUCCESSFUL" and len(t.worker_ids) == 1 for t in tasks.values())
    assert {j.worker_id for j in rows} == {"w-a", "w-b"}, logs            # both took part
    by_kind = {}
    for j in rows:
        by_kind.setdefault(j.kind, []).append(j)
    # each job's effect happened once
    assert sorted(ScreeningRun.objects.values_list("year", flat=True)) == [2023, 2024, 2025, 2026]
    assert Enterprise.objects.filter(name__startswith="并发导入").count() == 9
    assert sorted(DiagnosisRun.objects.values_list("note", flat=True)) == \
        sorted(job_note(j.pk) for j in by_kind["diagnosis.run"])
    for j in by_kind["targets.bulletin"]:
        assert job_file_path(j) is not None
        assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, detail__job=j.pk).count() == 1
    demo = sum(j.result["created"] for j in by_kind["enterprises.demo"])
    assert demo == 6 and Enterprise.objects.count() == enterprises_before + 9 + demo
    index = sorted(by_kind[INDEX_JOB], key=lambda j: j.finished_at)
    assert [j.result["added"] for j in index] == [3, 0]               # the second found it up to date
    versions = [p.name for p in _catalogue_dir(tmp_path / "search", get_embedder()).glob("v-*")]
    assert versions == [current_version(tmp_path / "search")] == [index[0].result["version"]]
    assert all(j.result for j in by_kind["jobs.daily_reminders"])
    assert sorted(ScheduleRun.objects.filter(task="tests.marker").values_list("slot", flat=True)) == ["0", "1", "2"]
    assert catalogue_engine() is not None


def test_sigkill_mid_screening_leaves_no_duplicate_candidates(postgres, screening_world, tmp_path):
    from kechuang.policies.models import Case, ScreeningRun

    w = screening_world
    flag = tmp_path / "in-write"
    job = services.job_start(actor=w.staff, kind="policies.screening", args={"year": 2026})
    victim = start_worker(postgres, "victim", tmp_path, KECHUANG_TEST_PAUSE_IN_WRITE=str(flag))
    try:
        wait_for(flag.exists, 90, "筛查进入写入事务")
        job.refresh_from_db()
        assert job.state == "running" and job.worker_id == "victim" and job.step.startswith("写入")
        assert Case.objects.count() == 0              # inserted, but not committed
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
    finally:
        if victim.poll() is None:
            victim.kill()
    # the candidates of the dead transaction are gone; the job still says 运行中
    time.sleep(0.5)
    assert Case.objects.count() == 0 and ScreeningRun.objects.count() == 0
    assert Job.objects.get(pk=job.pk).state == "running"
    # a live worker's housekeeping finds the stale heartbeat and queues the job again
    later = timezone.now() + dt.timedelta(minutes=5)
    assert services.jobs_recover_stale(actor=system_actor("worker:recovery"), now=later) == [job.pk]
    survivor = start_worker(postgres, "survivor", tmp_path)
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).state in ("done", "failed"), 120, "重新运行完成")
    finally:
        stop(survivor)
    job.refresh_from_db()
    assert job.state == "done" and job.attempts == 2 and job.worker_id == "survivor", job.error
    keys = list(Case.objects.values_list("enterprise_id", "measure_id", "year"))
    assert keys and len(keys) == len(set(keys))
    run = ScreeningRun.objects.get()
    assert run.candidate_count == run.new_count == len(keys)
    assert Case.objects.filter(enterprise=w.enterprise_a, measure__code="nanan-2025-2.1a").count() == 1
