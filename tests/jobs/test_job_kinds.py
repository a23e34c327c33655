"""The long work moved into jobs: a large Excel import (validated and committed by a worker, all
or nothing, the per-row error workbook when rows are bad) and the 免申即享 screening."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kechuang.enterprises.models import Enterprise
from kechuang.inbox.models import Message
from kechuang.jobs.models import Job
from kechuang.jobs.worker import run_pending
from tests.enterprises.helpers import filled_template
from tests.world import _uscc

pytestmark = pytest.mark.django_db
N = 320   # above IMPORT_JOB_ROWS (300)


def big_workbook(bad_row: int | None = None) -> bytes:
    rows = []
    for i in range(N):
        employees = -5 if i == bad_row else 40
        rows.append([_uscc(f"91350583MA{i:07d}"), f"批量测试企业{i:03d}有限公司", "水头镇", "2018-05-01", employees,
                     8, 6, "新材料"])
    return filled_template({"企业": rows})


def upload(client, data: bytes, name="batch.xlsx"):
    f = io.BytesIO(data)
    f.name = name
    return client.post(reverse("enterprises:import"), {"file": f})


def test_small_import_stays_on_the_page(world, client_for):
    from tests.enterprises.helpers import good_rows

    r = upload(client_for(world.staff), filled_template(good_rows()), "small.xlsx")
    assert r.status_code == 200 and "导入成功" in r.content.decode() and not Job.objects.exists()


def test_large_import_runs_as_a_job_with_a_result_link(world, client_for):
    c = client_for(world.clerk_a)
    r = upload(c, big_workbook())
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.kind == "enterprises.import" and job.started_by == world.clerk_a and job.state == "queued"
    assert not Enterprise.objects.filter(name__startswith="批量测试企业").exists()   # nothing before the worker
    run_pending()
    job.refresh_from_db()
    assert job.state == "done", job.error
    assert Enterprise.objects.filter(name__startswith="批量测试企业", township=world.township_a).count() == N
    assert f"新建 {N}" in job.result_label and job.result_url == reverse("enterprises:list")
    assert Message.objects.filter(recipient=world.clerk_a, kind="job", title__contains="企业数据导入").exists()
    # re-running the same job (a worker died after the commit) duplicates nothing
    Job.objects.filter(pk=job.pk).update(state="queued")
    from kechuang.enterprises.jobs import keep_upload

    Job.objects.filter(pk=job.pk).update(args={**job.args, "upload": keep_upload(big_workbook())})
    from kechuang.jobs.tasks import execute

    execute(job.pk)
    job.refresh_from_db()
    assert job.state == "done" and f"未变 {N}" in job.result_label
    assert Enterprise.objects.filter(name__startswith="批量测试企业").count() == N


def test_large_import_with_a_bad_row_imports_nothing_and_offers_the_error_workbook(world, client_for):
    c = client_for(world.clerk_a)
    upload(c, big_workbook(bad_row=250))
    run_pending()
    job = Job.objects.get()
    assert job.state == "done" and "发现 1 处问题，未导入任何数据" in job.result_label
    assert not Enterprise.objects.filter(name__startswith="批量测试企业").exists()
    page = c.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert job.result_url in page and "下载错误报告" in page
    report = c.get(job.result_url)
    wb = load_workbook(io.BytesIO(report.content))
    ws = wb["企业"]
    assert [c.value for c in ws[1]][-1] == "错误说明"
    flagged = [row for row in ws.iter_rows(min_row=2, values_only=True) if row[-1]]
    assert len(flagged) == 1 and "批量测试企业250" in flagged[0][1]
    assert client_for(world.clerk_b).get(job.result_url).status_code == 404   # only the uploader


def test_screening_job_notifies_the_enterprise_of_its_new_candidate(world, client_for):
    from kechuang.policies import services as ps
    from kechuang.policies.models import Case
    from kechuang.policies.reference import load_reference_data

    load_reference_data()
    ps.policy_event_record(user=world.staff, enterprise=world.enterprise_a, kind="hnte_recognized",
                           date="2026-03-01", fields={"first_time": True}, source="认定名单")
    c = client_for(world.staff)
    r = c.post(reverse("policies:screening"), {"year": "2026"})
    job = Job.objects.get()
    assert r["Location"] == reverse("jobs:detail", args=[job.pk])
    assert c.post(reverse("policies:screening"), {"year": "2026"})["Location"] == r["Location"]  # double click
    run_pending()
    job.refresh_from_db()
    case = Case.objects.get()
    assert job.state == "done" and job.total == 4 and job.done == 4 and job.result["new"] == 1
    msg = Message.objects.get(recipient=world.ent_user_a)
    assert msg.title == "免申即享新候选：国家高新技术企业认定奖励" and msg.url == reverse("policies:case", args=[case.pk])
    assert not Message.objects.filter(recipient=world.ent_user_b).exists()
    # a second screening finds nothing new and sends nothing again
    c.post(reverse("policies:screening"), {"year": "2026"})
    run_pending()
    assert Case.objects.count() == 1 and Message.objects.filter(recipient=world.ent_user_a).count() == 1


def test_clerk_cannot_start_a_screening(world, client_for):
    r = client_for(world.clerk_a).post(reverse("policies:screening"), {"year": "2026"})
    assert r.status_code == 403 and not Job.objects.exists()
