"""Bulletins and the 培育库 batch diagnosis run as jobs through the real worker (batch mode): the page
that starts one shows its progress bar and stays usable, the result link appears when done, a
retry writes nothing twice, a cancelled job leaves nothing behind."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document

from kechuang.core.models import AuditEvent
from kechuang.diagnosis.models import DiagnosisResult, DiagnosisRun
from kechuang.jobs import services as js
from kechuang.jobs.files import job_files
from kechuang.jobs.models import Job
from kechuang.jobs.worker import run_pending
from kechuang.targets import services as ts
from kechuang.targets.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    period = ts.period_open(user=world.staff, year=2023, kind="FY")
    hnte = Indicator.objects.get(code="hnte_count")
    for clerk, region, value in ((world.clerk_a, world.township_a, "90"), (world.clerk_b, world.township_b, "40")):
        ts.report_approve(user=world.staff,
                          report=ts.report_submit(user=clerk, period=period, region=region, indicator=hnte, value=value))
    return period


def test_bulletin_is_generated_by_a_job_and_downloaded_from_the_assessment_page(world, client_for, period):
    staff = client_for(world.staff)
    page_url = reverse("targets:assessment", args=[period.pk])
    assert "生成通报（Word）" in staff.get(page_url).content.decode()
    r = staff.post(reverse("targets:bulletin_start", args=[period.pk]), {"fmt": "docx", "on": "2023-12-31"})
    assert r.status_code == 302 and r["Location"] == page_url + "?on=2023-12-31"
    job = Job.objects.get(kind="targets.bulletin")
    assert job.state == "queued" and job.args == {"period": period.pk, "fmt": "docx", "on": "2023-12-31"}
    page = staff.get(r["Location"]).content.decode()           # the bar on the page that started it
    assert f'id="job-progress-{job.pk}"' in page and "排队" in page and "综合排名" in page
    run_pending()
    job.refresh_from_db()
    assert job.state == "done" and job.result_url == reverse("jobs:file", args=[job.pk]), job.error
    page = staff.get(r["Location"]).content.decode()
    assert job.result_url in page and "下载" in page
    response = staff.get(job.result_url)
    doc = Document(io.BytesIO(response.content))
    ranking = [[c.text for c in row.cells] for row in doc.tables[0].rows[1:]]
    assert ranking[0][:3] == ["1", "水头", "111.11"] and ranking[1][:3] == ["2", "溪美", "81.63"]
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(kind="export", object_ref=f"jobs.Job:{job.pk}").exists()
    # only whoever may see the job downloads it
    assert client_for(world.clerk_a).get(job.result_url).status_code == 404
    # a retry (as after a lost worker) overwrites the job's own file, nothing else
    Job.objects.filter(pk=job.pk).update(state="failed")
    js.job_retry(actor=world.staff, job=job)
    run_pending()
    job.refresh_from_db()
    assert job.state == "done" and job.attempts == 1
    assert [p.name for p in job_files().iterdir()] == [f"job-{job.pk}.docx"]


def test_bulletin_job_refuses_a_clerk_and_a_bad_format(world, client_for, period):
    assert client_for(world.clerk_a).post(reverse("targets:bulletin_start", args=[period.pk]),
                                          {"fmt": "docx"}).status_code == 403
    staff = client_for(world.staff)
    r = staff.post(reverse("targets:bulletin_start", args=[period.pk]), {"fmt": "pdf"}, follow=True)
    assert "格式应为 docx 或 xlsx" in r.content.decode() and not Job.objects.exists()


def test_batch_diagnosis_runs_as_a_job_and_is_idempotent(world, client_for):
    staff = client_for(world.staff)
    r = staff.post(reverse("diagnosis:run_start"), {"on": "2026-06-30"})
    assert r["Location"] == reverse("diagnosis:pipeline")
    job = Job.objects.get(kind="diagnosis.run")
    assert f'id="job-progress-{job.pk}"' in staff.get(r["Location"]).content.decode()
    assert not DiagnosisRun.objects.exists()
    run_pending()
    job.refresh_from_db()
    run = DiagnosisRun.objects.get()
    assert job.state == "done" and job.result_url.endswith(f"?run={run.pk}") and job.done == job.total == 3
    assert DiagnosisResult.objects.filter(run=run).count() == run.enterprise_count > 0
    page = staff.get(reverse("diagnosis:pipeline")).content.decode()
    assert job.result_url.replace("&", "&amp;") in page or job.result_url in page
    # the same job run again (its worker died after the commit) finds its run and adds nothing
    Job.objects.filter(pk=job.pk).update(state="queued")
    from kechuang.jobs.tasks import execute

    execute(job.pk)
    assert DiagnosisRun.objects.count() == 1


def test_cancelled_diagnosis_writes_nothing(world):
    job = js.job_start(actor=world.staff, kind="diagnosis.run", args={"on": "2026-06-30"})
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)   # cancelled as it starts running
    run_pending()
    job.refresh_from_db()
    assert job.state == "cancelled" and not DiagnosisRun.objects.exists()
