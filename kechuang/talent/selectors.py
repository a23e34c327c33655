"""Reads of the talent module (scoped), and the team/project counts the targets module derives."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
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
    return Team.objects.restrict(user, "view").select_related("leader", "host", "township", "plan_project")


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


# --- team projects: milestones and acceptance read from the 科技计划项目 lifecycle -----------------

@dataclass(frozen=True)
class Milestone:
    label: str
    planned: dt.date | None
    done: dt.date | None
    note: str = ""

    @property
    def state(self) -> str:
        if self.done:
            return "已完成"
        if self.planned and self.planned < dt.date.today():
            return "已逾期"
        return "未到期" if self.planned else "—"

    def to_json(self) -> dict:
        return {"label": self.label, "planned": self.planned.isoformat() if self.planned else None,
                "done": self.done.isoformat() if self.done else None, "state": self.state, "note": self.note}


def team_project_state(team: Team) -> dict | None:
    """The linked 科技计划项目 (kechuang.supervision, its own lifecycle): state in words, or None."""
    p = team.plan_project
    if p is None:
        return None
    return {"id": p.pk, "title": p.title, "status": p.get_status_display(),
            "accepted": p.status == "completed", "closed_on": p.closed_on.isoformat() if p.closed_on else None}


def team_milestones(team: Team) -> list[Milestone]:
    """Milestones of a team's project as the project lifecycle records them: 立项, 中期检查, each
    拨款 instalment, 实施结束, 验收 (or 终止/撤销)."""
    p = team.plan_project
    if p is None:
        return []
    out = [Milestone("立项", p.approved_on, p.approved_on)] if p.approved_on else []
    if p.midterm_due or p.midterm_on:
        out.append(Milestone("中期检查", p.midterm_due, p.midterm_on, p.midterm_conclusion))
    for inst in p.instalments.order_by("seq"):
        out.append(Milestone(f"第{inst.seq}期拨款（{inst.amount.normalize():f} 万元）", inst.planned_on, inst.paid_on))
    closing = {"completed": "验收通过（结题）", "terminated": "终止", "revoked": "撤销"}.get(p.status)
    out.append(Milestone(closing or "验收", p.end_on, p.closed_on if closing else None, p.closing_note))
    return out
