"""The diagnosis app's part of the home desk: the ladder funnel of the latest 培育库 run."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from kechuang.core.desk import DeskChart
from kechuang.core.roles import Role


def charts(user) -> list[DeskChart]:
    """Bureau and township clerks: enterprises on each rung of the ladder (latest run, scoped)."""
    from kechuang.diagnosis.models import RUNGS, DiagnosisResult, DiagnosisRun

    if getattr(user, "role", "") not in (Role.BUREAU_STAFF, Role.TOWNSHIP_CLERK):
        return []
    run = DiagnosisRun.objects.restrict(user, "view").first()
    if run is None:
        return []
    agg = DiagnosisResult.objects.restrict(user, "view").filter(run=run).aggregate(
        total=Count("pk"), **{f"r{c}": Count("pk", filter=Q(rung__gte=c)) for c, _ in RUNGS if c})
    labels = ["全部企业"] + [label if c < 5 else "小巨人" for c, label in RUNGS if c]
    values = [agg["total"]] + [agg[f"r{c}"] for c, _ in RUNGS if c]
    return [DeskChart("desk-ladder", "梯次培育漏斗", "funnel", labels, values, reverse("diagnosis:pipeline"),
                      unit="家", note=f"{run.evaluated_on:%Y-%m-%d} 培育库运行，各梯次及以上的企业数")]
