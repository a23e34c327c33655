"""Background jobs: start through the permission check, run once on a worker, progress, result,
failure reason, cancel, retry, recovery after a lost worker, the page and its progress fragment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kechuang.core.permissions import system_actor
from kechuang.inbox.models import Message
from kechuang.jobs import services
from kechuang.jobs.models import Job
from kechuang.jobs.registry import JobOutcome, job_kind
from kechuang.jobs.worker import run_pending

pytestmark = pytest.mark.django_db

CALLS: list = []


@job_kind("tests.count", label="测试计数", perm="jobs.screening.start")
def count_job(ctx, *, actor, n: int, fail: str = ""):
    CALLS.append((actor.get_username(), n))
    for i in range(n):
        ctx.progress(i + 1, n, step="计数")
    if fail == "validation":
        from django.core.exceptions import ValidationError

        raise ValidationError("第3行 年度：应为四位整数")
    if fail == "bug":
        raise ZeroDivisionError
    return JobOutcome(url="/policies/cases/", label=f"数到 {n}", data={"n": n})


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()


def test_start_queues_a_task_row_and_a_worker_runs_it_once(world):
    job = services.job_start(actor=world.staff, kind="tests.count", args={"n": 3})
    assert job.state == "queued" and job.started_by == world.staff and job.actor_name == "staff"
    row = DBTaskResult.objects.get(id=job.task_id)
    assert row.task_path == "kechuang.jobs.tasks.run_job" and row.args_kwargs["args"] == [job.pk]
    assert run_pending() == 1
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.result_label, job.result_url) == ("done", 3, 3, "数到 3",
                                                                                  "/policies/cases/")
    assert job.attempts == 1 and job.finished_at and job.worker_id == "inline"
    assert CALLS == [("staff", 3)]
    assert run_pending() == 0 and CALLS == [("staff", 3)]      # nothing runs twice
    msg = Message.objects.get(recipient=world.staff)
    assert msg.kind == "job" and "测试计数" in msg.title and msg.url == reverse("jobs:detail", args=[job.pk])


def test_start_needs_the_kind_permission(world):
    with pytest.raises(PermissionDenied):
        services.job_start(actor=world.clerk_a, kind="tests.count", args={"n": 1})
    with pytest.raises(PermissionDenied):
        services.job_start(actor=None, kind="tests.count", args={"n": 1})
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_double_start_returns_the_running_job(world):
    a = services.job_start(actor=world.staff, kind="tests.count", args={"n": 2})
    b = services.job_start(actor=world.staff, kind="tests.count", args={"n": 2})
    c = services.job_start(actor=world.staff, kind="tests.count", args={"n": 5})
    assert a.pk == b.pk != c.pk
    run_pending()
    d = services.job_start(actor=world.staff, kind="tests.count", args={"n": 2})
    assert d.pk != a.pk   # the first one finished: a new start is a new job


def test_failure_reason_in_chinese_and_retry(world):
    job = services.job_start(actor=world.staff, kind="tests.count", args={"n": 2, "fail": "validation"})
    run_pending()
    job.refresh_from_db()
    assert job.state == "failed" and job.error == "第3行 年度：应为四位整数"
    bug = services.job_start(actor=world.staff, kind="tests.count", args={"n": 1, "fail": "bug"})
    run_pending()
    bug.refresh_from_db()
    assert bug.state == "failed" and "内部错误" in bug.error and "ZeroDivisionError" in bug.error
    services.job_retry(actor=world.staff, job=job)
    job.refresh_from_db()
    assert job.state == "queued" and job.error == ""
    run_pending()
    job.refresh_from_db()
    assert job.state == "failed" and len(CALLS) == 3


def test_cancel_a_queued_job_never_runs_it(world):
    job = services.job_start(actor=world.staff, kind="tests.count", args={"n": 2})
    services.job_cancel(actor=world.staff, job=job)
    run_pending()
    job.refresh_from_db()
    assert job.state == "cancelled" and CALLS == []


def test_cancel_a_running_job_stops_at_its_next_progress(world):
    job = services.job_start(actor=world.staff, kind="tests.count", args={"n": 50})
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)   # as if cancelled while it ran
    run_pending()
    job.refresh_from_db()
    assert job.state == "cancelled" and job.done < 50


def test_others_cannot_cancel_or_see_a_job(world, client_for):
    job = services.job_start(actor=world.staff, kind="tests.count", args={"n": 1})
    with pytest.raises(PermissionDenied):
        services.job_cancel(actor=world.clerk_a, job=job)
    assert client_for(world.clerk_a).get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert client_for(world.sys_admin).get(reverse("jobs:detail", args=[job.pk])).status_code == 404


def test_recovery_requeues_a_job_whose_worker_died(world):
    job = services.job_start(actor=world.staff, kind="tests.count", args={"n": 1})
    old = DBTaskResult.objects.get(id=job.task_id)
    # a worker claimed it and died: both rows stay "running" and the heartbeat ages
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    Job.objects.filter(pk=job.pk).update(state="running", attempts=1, heartbeat_at=long_ago, worker_id="dead:1")
    DBTaskResult.objects.filter(id=old.id).update(status="RUNNING")
    fresh = Job.objects.create(kind="tests.count", label="x", actor_name="staff", args={"n": 1}, state="running",
                               heartbeat_at=timezone.now(), attempts=1)
    assert services.jobs_recover_stale(actor=system_actor("test")) == [job.pk]   # the live one is left alone
    job.refresh_from_db()
    assert job.state == "queued" and "dead:1" in job.message and job.task_id != str(old.id)
    assert DBTaskResult.objects.get(id=old.id).status == "FAILED"
    run_pending()
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.state == "done" and job.attempts == 2 and fresh.state == "running"


def test_recovery_gives_up_after_three_lost_workers(world):
    job = services.job_start(actor=world.staff, kind="tests.count", args={"n": 1})
    Job.objects.filter(pk=job.pk).update(state="running", attempts=3,
                                         heartbeat_at=timezone.now() - dt.timedelta(minutes=10))
    assert services.jobs_recover_stale(actor=system_actor("test")) == []
    job.refresh_from_db()
    assert job.state == "failed" and "中断了 3 次" in job.error


def test_job_page_polls_until_finished_and_links_the_result(world, client_for):
    c = client_for(world.staff)
    job = services.job_start(actor=world.staff, kind="tests.count", args={"n": 4})
    page = c.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "排队" in page and 'hx-trigger="every 1s"' in page and "取消任务" in page
    run_pending()
    frag = c.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "完成" in frag and 'value="100"' in frag and 'href="/policies/cases/"' in frag and "数到 4" in frag
    assert "hx-trigger" not in frag          # a finished job stops polling
    mine = c.get(reverse("jobs:mine")).content.decode()
    assert "测试计数" in mine and "数到 4" in mine


def test_my_jobs_lists_only_my_jobs(world, client_for):
    services.job_start(actor=world.staff, kind="tests.count", args={"n": 1}, label="科技局的任务")
    page = client_for(world.clerk_a).get(reverse("jobs:mine")).content.decode()
    assert "科技局的任务" not in page and "还没有后台任务" in page
