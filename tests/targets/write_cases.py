"""Write-matrix cases of the targets pages and API (tests/scoping/writes.py)."""
from kechuang.core.models import Role
from tests.scoping.writes import Write, form, upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _liaison_indicator(world):
    """A township indicator that a department reports, so the bureau, the 水头镇 clerk and that
    department's liaison may all report it for 水头镇."""
    from kechuang.targets.models import Indicator

    return Indicator.objects.filter(reporting_org__isnull=False).order_by("pk").first()


def _liaison_of(unit):
    from tests.world import World

    return World.user(f"matrix_liaison_{unit.pk}", Role.DEPT_LIAISON, org_unit=unit)


def _report(world):
    from kechuang.targets import services
    from tests.world import SYSTEM

    period = services.period_open(user=SYSTEM, year=2023, kind="H1")
    indicator = _liaison_indicator(world)
    return {"period": period, "indicator": indicator, "users": {Role.DEPT_LIAISON: _liaison_of(indicator.reporting_org)},
            "data": {"period": period.pk, "indicator": indicator.pk, "region": world.township_a.pk, "value": "5"}}


def _submitted(world):
    from kechuang.targets import services

    r = _report(world)
    report = services.report_submit(user=world.clerk_a, period=r["period"], region=world.township_a,
                                    indicator=r["indicator"], value="5")
    return {"data": {"action": "approve", "report": report.pk}}


def _api_report(world):
    r = _report(world)
    return {"users": r["users"], "data": {"year": 2023, "kind": "H1", "indicator": r["indicator"].code, "township": world.township_a.name,
                     "value": "6"}}


def _weights(world):
    from kechuang.targets import services
    from kechuang.targets.models import Indicator
    from tests.world import SYSTEM

    period = services.period_open(user=SYSTEM, year=2023, kind="H1")
    ind = Indicator.objects.exclude(weight=0).order_by("pk").first()
    return {"kwargs": {"pk": period.pk}, "data": {f"weight_{ind.code}": str(ind.weight + 1)}}


def _task(world):
    from kechuang.targets.models import Task

    task = Task.objects.filter(lead_units__isnull=False).order_by("pk").first()
    return {"kwargs": {"pk": task.pk}, "users": {Role.DEPT_LIAISON: _liaison_of(task.lead_units.first())}, "data": {"action": "progress", "text": "已完成摸底", "percent": "30"}}


def _plan_new(world):
    from kechuang.targets.models import Indicator
    from tests.targets.test_plan_entry import _grid

    hnte = Indicator.objects.get(code="hnte_count")
    return {"data": _grid(hnte, {world.township_a: {2026: "140"}})}


def _plan_import(world):
    from tests.targets.test_plan_entry import HEADER, _seed_layout_workbook

    return {"data": form(**HEADER, file=upload("十五五分解表.xlsx", _seed_layout_workbook(), XLSX))}


def _bulletin(world):
    from kechuang.targets import services
    from tests.world import SYSTEM

    period = services.period_open(user=SYSTEM, year=2023, kind="H1")
    return {"kwargs": {"pk": period.pk}, "data": {"fmt": "docx"}}


WRITES = {
    "targets:bulletin_start": Write.action("targets.bulletin.manage", _bulletin),
    "targets:plan_new": Write.action("targets.plan.enter", _plan_new),
    "targets:plan_import": Write.action("targets.plan.enter", _plan_import),
    "targets:report": Write.action("targets.report.submit", _report),
    "targets:review": Write.action("targets.report.approve", _submitted),
    "targets:assessment": Write.action("targets.weights.change", _weights),
    "targets:task": Write.action("targets.task.update", _task, only={Role.BUREAU_STAFF, Role.DEPT_LIAISON},
                                 note="the bureau and the liaison of the task's lead unit; township clerks read "
                                      "the ledger but lead no task (Task.scope_queryset)"),
    "api:targets_api_report_submit": Write.action("targets.report.submit", _api_report),
}
