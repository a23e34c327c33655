"""Reporting workflow: a township clerk reports, is returned, corrects and is approved."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.targets import services
from kechuang.targets.models import Indicator, Report, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(world):
    return services.period_open(user=world.staff, year=2023, kind="H1")


def test_full_cycle_with_history(world, period):
    hnte = Indicator.objects.get(code="hnte_count")
    evidence = SimpleUploadedFile("高企名单.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = services.report_submit(user=world.clerk_a, period=period, region=world.township_a, indicator=hnte,
                               value="60", note="上半年新增", files=[evidence], today=dt.date(2023, 7, 3))
    assert r.status == "submitted" and r.version == 1 and not r.overdue and r.attachments.count() == 1
    with pytest.raises(ValidationError) as err:
        services.report_return(user=world.staff, report=r, reason="  ")
    assert "退回原因" in str(err.value)
    services.report_return(user=world.staff, report=r, reason="名单与证书不符，请核实")
    r.refresh_from_db()
    assert r.status == "returned" and r.return_reason == "名单与证书不符，请核实"
    r = services.report_submit(user=world.clerk_a, period=period, region=world.township_a, indicator=hnte,
                               value="58", today=dt.date(2023, 7, 10))
    assert r.version == 2 and r.status == "submitted" and r.return_reason == "" and r.overdue
    services.report_approve(user=world.staff, report=r)
    r.refresh_from_db()
    assert r.status == "approved" and r.value == Decimal("58")
    history = [(h.action, h.version, h.value) for h in r.revisions.all()]
    assert history == [("submit", 1, Decimal(60)), ("return", 1, Decimal(60)), ("correct", 2, Decimal(58)),
                       ("approve", 2, Decimal(58))]


def test_clerk_cannot_report_another_township(world, period):
    hnte = Indicator.objects.get(code="hnte_count")
    with pytest.raises(PermissionDenied, match="不能填报溪美街道"):
        services.report_submit(user=world.clerk_a, period=period, region=world.township_b, indicator=hnte, value=1)


def test_clerk_sees_only_own_township(world, period):
    hnte = Indicator.objects.get(code="hnte_count")
    services.report_submit(user=world.clerk_a, period=period, region=world.township_a, indicator=hnte, value=1)
    services.report_submit(user=world.clerk_b, period=period, region=world.township_b, indicator=hnte, value=2)
    assert [r.region for r in Report.objects.restrict(world.clerk_a)] == [world.township_a]
    assert Report.objects.restrict(world.staff).count() == 2
    assert Report.objects.restrict(world.ent_user_a).count() == 0


def test_text_in_number_and_closed_period(world, period):
    rd = Indicator.objects.get(code="rd_investment")
    with pytest.raises(ValidationError) as err:
        services.report_submit(user=world.clerk_a, period=period, region=world.township_a, indicator=rd,
                               value="一万二")
    assert "全社会研发经费投入 完成值" in str(err.value) and "一万二" in str(err.value)
    services.period_close(user=world.staff, period=period)
    with pytest.raises(ValidationError, match="已关闭"):
        services.report_submit(user=world.clerk_a, period=period, region=world.township_a, indicator=rd, value=1)


def test_bad_evidence_type(world, period):
    rd = Indicator.objects.get(code="rd_investment")
    with pytest.raises(ValidationError, match="类型 .exe"):
        services.report_submit(user=world.clerk_a, period=period, region=world.township_a, indicator=rd, value=1,
                               files=[SimpleUploadedFile("x.exe", b"MZ")])


def test_only_staff_reviews(world, period):
    rd = Indicator.objects.get(code="rd_investment")
    r = services.report_submit(user=world.clerk_a, period=period, region=world.township_a, indicator=rd, value=1)
    with pytest.raises(PermissionDenied):
        services.report_approve(user=world.clerk_a, report=r)


def test_liaison_reports_department_indicator_for_any_township(world, period):
    patents = Indicator.objects.get(code="invention_patents_per_10k")
    patents.reporting_org = world.org_a
    patents.save()
    r = services.report_submit(user=world.liaison_a, period=period, region=world.township_b, indicator=patents,
                               value="3.3")
    assert list(Report.objects.restrict(world.liaison_a)) == [r]
    assert Report.objects.restrict(world.liaison_b).count() == 0
    with pytest.raises(PermissionDenied):
        services.report_submit(user=world.liaison_b, period=period, region=world.township_b, indicator=patents,
                               value="3.3")


def test_task_ledger_updates_by_lead_unit_only(world):
    task = Task.objects.get(code="NZG2025-2-一")
    task.lead_units.add(world.org_a)
    m = services.milestone_add(user=world.liaison_a, task=task, title="出台实施细则", due=dt.date(2026, 3, 31))
    services.task_progress(user=world.liaison_a, task=task, text="细则已起草", percent=40)
    with pytest.raises(PermissionDenied):
        services.task_progress(user=world.liaison_b, task=task, text="x", percent=10)
    with pytest.raises(ValidationError, match="0–100"):
        services.task_progress(user=world.liaison_a, task=task, text="x", percent=120)
    services.milestone_done(user=world.liaison_a, milestone=m, done_on=dt.date(2026, 3, 30))
    assert task.updates.get().percent == 40


def test_missing_reports_listed_for_review(world, period):
    from kechuang.targets.selectors import missing_reports

    hnte = Indicator.objects.get(code="hnte_count")
    before = missing_reports(user=world.staff, period=period)
    assert (world.township_a, hnte) in before
    services.report_submit(user=world.clerk_a, period=period, region=world.township_a, indicator=hnte, value=1)
    after = missing_reports(user=world.staff, period=period)
    assert len(after) == len(before) - 1 and (world.township_a, hnte) not in after
    assert {r for r, _ in missing_reports(user=world.clerk_a, period=period)} == {world.township_a}
