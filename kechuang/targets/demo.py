"""Demo data of the targets app (`kechuang serve --demo`): reporting periods and approved reports of
all 27 townships, generated deterministically around the targets so the pages have something to
show. Also used by the load benchmark."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kechuang.core.changes import change_context, log_bulk
from kechuang.core.models import Region

from .models import Indicator, Milestone, Period, ProgressUpdate, Report, Task
from .selectors import plan_entries, township_indicators


def _period(year: int, kind: str, status: str) -> Period:
    ends = dt.date(year, 6, 30) if kind == "H1" else dt.date(year, 12, 31)
    deadline = dt.date(year, 7, 7) if kind == "H1" else dt.date(year + 1, 1, 15)
    period, _ = Period.objects.get_or_create(year=year, kind=kind, defaults={
        "starts_on": dt.date(year, 1, 1), "ends_on": ends, "deadline": deadline, "status": status})
    return period


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


@transaction.atomic
def generate_reports(periods: list[Period], indicators: list[Indicator] | None = None, seed: int = 2026,
                     submitted_only_share: float = 0.1, regions: list | None = None,
                     skip: frozenset = frozenset()) -> int:
    """Create reports for every township × indicator × period that has no report yet.

    Values scatter around the year's target (H1: about half of it for flows); about
    ``submitted_only_share`` stay awaiting review, the rest are approved. Bulk-created and
    change-logged with ``log_bulk``. ``skip`` holds (period id, region id, indicator id) left
    unreported. Returns the number of reports created.
    """
    rng = random.Random(seed)
    entries = plan_entries()
    regions = regions or list(Region.townships())
    indicators = indicators or list(township_indicators())
    existing = set(Report.objects.values_list("period_id", "region_id", "indicator_id"))
    now = timezone.now()
    rows = []
    for period in periods:
        for region in regions:
            strength = Decimal(str(rng.uniform(0.75, 1.25)))
            for ind in indicators:
                if (period.pk, region.pk, ind.pk) in existing or (period.pk, region.pk, ind.pk) in skip:
                    continue
                entry = entries.get((region.pk, ind.code))
                target = entry.target_for(period.year) if entry else None
                if target is None:  # no target given: mostly nothing achieved, sometimes one
                    target = Decimal(1 if rng.random() < 0.15 else 0)
                share = Decimal("0.5") if period.kind == "H1" and ind.kind == "flow" else Decimal(1)
                noise = Decimal(str(rng.uniform(0.85, 1.15)))
                value = (target * strength * share * noise).quantize(Decimal(1).scaleb(-ind.decimals))
                status = Report.Status.SUBMITTED if rng.random() < submitted_only_share else Report.Status.APPROVED
                rows.append(Report(period=period, region=region, indicator=ind, value=value, status=status,
                                   submitted_at=min(now, _at(period.deadline) - dt.timedelta(days=3)) if status == "approved" else now,
                                   reviewed_at=min(now, _at(period.deadline)) if status == "approved" else None))
    created = Report.objects.bulk_create(rows, batch_size=1000)
    log_bulk(Report, "create", created)
    return len(created)


#: the demo's late township (no demo clerk account is bound to it, so no demo clerk's first report is
#: 逾期): two items of the newest closed period left unreported — a small, plausible 逾期未报
LATE_TOWNSHIP, LATE_ITEMS = "码头", 2


def late_items(period: Period | None) -> frozenset:
    """(period id, region id, indicator id) the demo leaves unreported in ``period``."""
    region = Region.resolve(LATE_TOWNSHIP)
    if period is None or region is None:
        return frozenset()
    entries = plan_entries()
    inds = [i for i in township_indicators()
            if (e := entries.get((region.pk, i.code))) is not None and e.target_for(period.year) is not None]
    return frozenset((period.pk, region.pk, i.pk) for i in inds[:LATE_ITEMS])


DEMO_GROWTH = Decimal("0.10")  # the demo's next plan: +10 % a year on the last plan's final year (演示)


def demo_plan_tables(first: int, last: int) -> list[dict]:
    """Tables of a demo plan for ``first..last`` continuing the plan that ends the year before:
    growth rules continue from that plan's last target, yearly stocks grow by 10 %, period totals
    carry over. Only demo data: the real next plan is entered by the bureau."""
    from .selectors import plan_entries

    tables: dict[str, dict] = {}
    for (_region_id, code), chain in sorted(plan_entries().items(), key=lambda kv: (kv[0][1], kv[0][0])):
        entry = chain.entry_for(first - 1)
        if entry is None:
            continue
        table = tables.setdefault(code, {"id": f"演示{code}"[:40], "citation": "演示数据", "rows": []})
        last_target = entry.target_for(first - 1)
        row = {"unit": entry.unit, "indicator": code}
        if entry.rule == "period_total":
            row.update(rule="period_total", period=[first, last], total=str(entry.period_total))
        elif last_target is None:
            continue
        elif entry.rule == "growth":
            row.update(rule="growth", base=str(last_target), base_year=first - 1, base_is="actual",
                       growth=str(entry.growth), to=last, decimals=entry.decimals)
        else:
            row.update(rule="growth", base=str(last_target), base_year=first - 1, base_is="actual",
                       growth=str(DEMO_GROWTH), to=last, decimals=entry.decimals)
        table["rows"].append(row)
    return list(tables.values())


def ensure_demo_plans(today: dt.date) -> list:
    """While no township plan covers ``today``'s year, add a demo five-year plan after the newest
    one (marked 演示), entered through the same checks as a plan the bureau enters."""
    from kechuang.core.permissions import system_actor

    from .models import PlanDocument
    from .plan_entry import PlanHeader, enter_plan, next_span
    from .selectors import covering_document

    made = []
    for _ in range(5):
        if covering_document(today.year) is not None:
            break
        first, last = next_span(include_demo=True)
        header = PlanHeader(document=f"演示〔{first}〕1号", title=f"（演示）南安市{first}—{last}年科技创新目标任务分解表",
                            issuer="南安市科学技术局（演示）", issued_on=dt.date(first, 1, 15), first_year=first,
                            last_year=last)
        doc, _findings, _n = enter_plan(actor=system_actor("command:serve --demo (targets)"), header=header,
                                        tables=demo_plan_tables(first, last), origin=PlanDocument.Origin.DEMO,
                                        is_demo=True)
        made.append(doc)
    return made


def demo_periods(today: dt.date, history_years: int = 2) -> tuple[list[Period], list[Period]]:
    """Reporting periods around ``today``: the previous ``history_years`` years and the current
    one. A period whose reporting deadline has passed is closed and fully reported; the others
    (this year's 全年, and 上半年 until its 7 July deadline) are open. Returns (closed, open)."""
    closed, still_open = [], []
    for year in range(today.year - history_years, today.year + 1):
        for kind in ("H1", "FY"):
            deadline = dt.date(year, 7, 7) if kind == "H1" else dt.date(year + 1, 1, 15)
            if kind == "H1" and today < dt.date(year, 1, 1):
                continue
            status = "closed" if today > deadline else "open"
            period = _period(year, kind, status)
            (closed if status == "closed" else still_open).append(period)
    return closed, still_open


def load_demo(stdout=None, today: dt.date | None = None):
    """Demo periods relative to ``today`` (default: the local date): two years of closed, reported
    periods behind (but for two items of one township without a demo clerk in the newest one:
    逾期未报 2 项), this year's open; a demo plan for the years after 南政办〔2021〕67号 when today
    is past 2025; some submissions awaiting review; a few ledger milestones and progress notes."""
    today = today or timezone.localdate()
    with change_context(source="command:serve --demo (targets)"):
        plans = ensure_demo_plans(today)
        closed, still_open = demo_periods(today)
        n = generate_reports(closed, submitted_only_share=0.0, skip=late_items(closed[-1] if closed else None))
        # this year's open period: every other township has sent its figures, awaiting review
        townships = list(Region.townships())[::2]
        n += generate_reports(still_open[-1:], submitted_only_share=1.0, regions=townships)
        for code, title, offset, done in (("NZG2025-2-一", "出台高企叠加奖励实施细则", -30, True),
                                          ("NZG2025-2-三", "完成研发投入分段补助配套资金测算", -5, False),
                                          ("NZB2021-67-A1-3", "更新高企培育库并分解到乡镇", 5, False)):
            task = Task.objects.filter(code=code).first()
            if task is None or task.milestones.exists():
                continue
            due = today + dt.timedelta(days=offset)
            Milestone.objects.create(task=task, title=title, due=due, done_on=due if done else None)
            ProgressUpdate.objects.create(task=task, text=f"{title}：{'已完成' if done else '推进中'}",
                                          percent=100 if done else 40, at=timezone.now())
    if stdout is not None:
        periods = closed + still_open
        stdout.write(f"  目标考核：{len(periods)} 个填报期（{periods[0].label}—{periods[-1].label}），{n} 条演示填报"
                     + (f"；演示分解表 {'、'.join(d.span for d in plans)}" if plans else ""))
