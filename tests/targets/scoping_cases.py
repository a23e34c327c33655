"""Scoping cases for the targets URLs (see tests/scoping/framework.py)."""

from tests.scoping.framework import Case


def _period_with_reports(world):
    from kechuang.targets import services
    from kechuang.targets.models import Indicator

    period = services.period_open(user=world.staff, year=2023, kind="H1")
    hnte = Indicator.objects.get(code="hnte_count")
    rd = Indicator.objects.get(code="rd_investment")
    for clerk, region, count, money in ((world.clerk_a, world.township_a, "61", "12345.67"),
                                        (world.clerk_b, world.township_b, "47", "76543.21")):
        for indicator, value in ((hnte, count), (rd, money)):
            r = services.report_submit(user=clerk, period=period, region=region, indicator=indicator, value=value)
            services.report_approve(user=world.staff, report=r)
    return period


def _listing(world):
    period = _period_with_reports(world)
    return {"kwargs": {"pk": period.pk}, "own": "水头", "foreign": "溪美"}


def _listing_numbers(world):
    # openpyxl writes non-ASCII text as character references, so the workbook is checked by the
    # reported figures of each township instead of their names
    period = _period_with_reports(world)
    return {"kwargs": {"pk": period.pk}, "own": "12345.67", "foreign": "76543.21"}


def _bulletin_job(world):
    period = _period_with_reports(world)
    return {"kwargs": {"pk": period.pk}, "data": {"fmt": "docx"}}


def _dashboard(world):
    _period_with_reports(world)
    return {"query": {"year": 2023}, "own": "水头", "foreign": "溪美"}


def _report_page(world):
    period = _period_with_reports(world)
    return {"query": {"period": period.pk}, "own": "水头", "foreign": "溪美"}


def _attachment(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kechuang.targets import services
    from kechuang.targets.models import Indicator

    period = services.period_open(user=world.staff, year=2024, kind="H1")
    rd = Indicator.objects.get(code="rd_investment")
    own, foreign = (services.report_submit(user=clerk, period=period, region=region, indicator=rd, value="1",
                                           files=[SimpleUploadedFile(f"{region.short_name}.pdf", b"%PDF-1.4")])
                    for clerk, region in ((world.clerk_a, world.township_a), (world.clerk_b, world.township_b)))
    return {"own": {"pk": own.attachments.get().pk}, "foreign": {"pk": foreign.attachments.get().pk}}


def _api_reports(world):
    _period_with_reports(world)
    return {"query": {"year": 2023}, "own": "水头", "foreign": "溪美"}


def _ledger(world):
    return {"own": "完善高新技术企业培育激励措施", "foreign": "激发市属国企创新活力"}


def _task(world):
    from kechuang.targets.models import Task

    return {"own": {"pk": Task.objects.get(code="NZB2021-67-A1-3").pk},
            "foreign": {"pk": Task.objects.get(code="NZG2025-2-四").pk}}


CASES = {
    "targets:dashboard": Case.listing(_dashboard, note="a clerk's charts show their own township only"),
    "targets:dashboard_data": Case.listing(_dashboard),
    "targets:plans": Case.global_(note="the published target tables are public reference data"),
    "targets:plan_new": Case.role("staff", note="only the bureau enters a new multi-year plan"),
    "targets:plan_import": Case.role("staff", note="only the bureau imports a plan workbook"),
    "targets:plan_template": Case.role("staff", note="the import template goes with the import"),
    "targets:report": Case.listing(_report_page, note="rows of the clerk's own township only"),
    "targets:review": Case.role("staff"),
    "targets:assessment": Case.listing(_listing, note="a clerk sees their own township, no ranking"),
    "targets:bulletin_docx": Case.listing(_listing, note="a clerk gets the extract of their own township"),
    "targets:bulletin_xlsx": Case.listing(_listing_numbers),
    "targets:bulletin_start": Case.role("staff", method="post", build=_bulletin_job,
                                        note="POST only: the bureau generates the full bulletin in a job"),
    "targets:ledger": Case.listing(_ledger, note="a clerk sees the tasks of 各乡镇（街道、开发区）"),
    "targets:task": Case.objects(_task),
    "api:targets_api_series": Case.global_(note="pure computation, no rows; 422 without parameters",
                                           expect=(200, 422)),
    "api:targets_api_reports": Case.listing(_api_reports, note="a clerk lists their own township's reports"),
    "api:targets_api_report_submit": Case.listing(_api_reports, note="same path: GET lists, POST submits"),
    "targets:attachment": Case.objects(_attachment, note="evidence of the clerk's own township only"),
}
