"""Reads of the talent module (scoped), and the team/project counts the targets module derives."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from .models import GraduateStudent, Person, Recognition, Team


def persons_for(user, q: str = ""):
    qs = Person.objects.restrict(user, "view").select_related("employer", "institute")
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


def recognitions_for(user, status: str = ""):
    qs = Recognition.objects.restrict(user, "view").select_related("person", "person__institute", "nominator",
                                                                   "listing__programme")
    return qs.filter(status=status) if status else qs


def teams_for(user):
    return Team.objects.restrict(user, "view").select_related("leader", "host", "township")


def graduates_for(user):
    return GraduateStudent.objects.restrict(user, "view").select_related("person", "base")


def _count(year: int, on: dt.date, projects: bool) -> dict[int, Decimal]:
    end = min(on, dt.date(year, 12, 31))
    qs = Team.objects.filter(approved_on__gte=dt.date(year, 1, 1), approved_on__lte=end)
    qs = qs.exclude(kind=Team.Kind.HARBOUR) if projects else qs.filter(kind=Team.Kind.HARBOUR)
    counts = Counter(qs.values_list("township_id", flat=True))
    return {rid: Decimal(n) for rid, n in counts.items()}


PROJECT_AS_TEAM = Decimal("0.5")
EQUIVALENCE_CITATION = "南政办〔2021〕67号 附件2（高层次人才团队数量倍增）备注"


def a_class_townships() -> set[int]:
    """“A类乡镇”: the text does not list them. We read them as the townships the plan gives a
    港湾计划 team target (talent_team), as opposed to those given only project targets (待核实)."""
    from kechuang.targets.models import TargetPlan

    return set(TargetPlan.objects.filter(indicator__code="talent_team").values_list("region_id", flat=True))


def harbour_teams(year: int, on: dt.date) -> dict[int, Decimal]:
    """泉州市高层次人才团队 (港湾计划) newly selected in the year, by township; in an A-class township
    each 高层次人才创新创业项目 counts as 0.5 of a team (EQUIVALENCE_CITATION)."""
    teams = _count(year, on, projects=False)
    projects = _count(year, on, projects=True)
    a_class = a_class_townships()
    out = dict(teams)
    for rid, n in projects.items():
        if rid in a_class:
            out[rid] = out.get(rid, Decimal(0)) + PROJECT_AS_TEAM * n
    return out


def talent_projects(year: int, on: dt.date) -> dict[int, Decimal]:
    """泉州市高层次人才创新创业项目 approved in the year, by township."""
    return _count(year, on, projects=True)
