"""The targets app's part of the home desk: what is due (clerks, liaisons), what waits for review
and the township ranking (bureau)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from kechuang.core.desk import DeskChart, Todo
from kechuang.core.roles import Role


def todos(user) -> list[Todo]:
    from kechuang.targets.models import Period, Report, Task
    from kechuang.targets.selectors import ledger_rows, missing_reports

    role = getattr(user, "role", "")
    today = dt.date.today()
    out: list[Todo] = []
    if role == Role.TOWNSHIP_CLERK:
        for period in Period.objects.filter(status=Period.Status.OPEN).order_by("deadline"):
            n = len(missing_reports(user=user, period=period))
            if n:
                late = today > period.deadline
                out.append(Todo(f"{period.label}还有 {n} 项指标未填报（截止 {period.deadline:%Y-%m-%d}"
                                + ("，已逾期）" if late else "）"), reverse("targets:report"), n, "bad" if late else "warn"))
    if role in (Role.TOWNSHIP_CLERK, Role.DEPT_LIAISON):
        n = Report.objects.restrict(user, "view").filter(status="returned").count()
        if n:
            out.append(Todo(f"被退回的填报 {n} 项，请更正后重新提交", reverse("targets:report"), n, "bad"))
    if role == Role.DEPT_LIAISON or role == Role.BUREAU_STAFF:
        if Task.objects.restrict(user).exists():
            rows = ledger_rows(user=user, today=today)
            overdue = sum(1 for r in rows if r["overdue"])
            soon = sum(1 for r in rows if r["due_soon"] and not r["overdue"])
            if overdue:
                out.append(Todo(f"工作台账 {overdue} 项任务有逾期节点", reverse("targets:ledger"), overdue, "bad"))
            if soon:
                out.append(Todo(f"工作台账 {soon} 项任务的节点即将到期", reverse("targets:ledger"), soon, "warn"))
    if role == Role.BUREAU_STAFF:
        n = Report.objects.restrict(user, "view").filter(status="submitted").count()
        if n:
            out.append(Todo(f"待审核的填报 {n} 项", reverse("targets:review"), n, "warn"))
    return out


def charts(user) -> list[DeskChart]:
    """Bureau: the township ranking of the latest assessed period (top ten by score)."""
    from django.core.cache import cache

    from kechuang.targets.models import Period, Report
    from kechuang.targets.selectors import DERIVED_CACHE_SECONDS, data_stamp, period_assessment

    if getattr(user, "role", "") != Role.BUREAU_STAFF:
        return []
    period = (Period.objects.filter(pk__in=Report.objects.filter(status=Report.Status.APPROVED).values("period"))
              .order_by("-year", "-kind").first())
    if period is None:
        return []
    # the ranking is the same for every bureau officer (they see all townships): computed once per
    # data stamp and day, as the dashboard's series are (a full period assessment costs ≈ 45 ms of CPU
    # on every home page otherwise, the dearest part of the page under load, tests/bench/bench_production.py)
    key = f"targets:desk-ranking:{period.pk}:{data_stamp()}:{dt.date.today().isoformat()}"
    ranking = cache.get(key)
    if ranking is None:
        ranking = [(r.unit, float(r.score)) for r in (period_assessment(user=user, period=period).ranking or [])
                   if r.score is not None][:10]
        cache.set(key, ranking, DERIVED_CACHE_SECONDS)
    if not ranking:
        return []
    ranking = ranking[::-1]  # a horizontal bar chart draws bottom-up: the first place on top
    return [DeskChart("desk-ranking", f"{period.label}乡镇综合得分（前十）", "hbar", [u for u, _ in ranking],
                      [s for _, s in ranking], reverse("targets:assessment", args=[period.pk]),
                      unit="分", series_name="综合得分")]
