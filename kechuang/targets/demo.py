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
from .selectors import plan_entries


def _period(year: int, kind: str, status: str) -> Period:
    ends = dt.date(year, 6, 30) if kind == "H1" else dt.date(year, 12, 31)
    deadline = dt.date(year, 7, 7) if kind == "H1" else dt.date(year + 1, 1, 15)
    period, _ = Period.objects.get_or_create(year=year, kind=kind, defaults={
        "starts_on": dt.date(year, 1, 1), "ends_on": ends, "deadline": deadline, "status": status})
    return period


@transaction.atomic
def generate_reports(periods: list[Period], indicators: list[Indicator] | None = None, seed: int = 2026,
                     submitted_only_share: float = 0.1) -> int:
    """Create reports for every township × indicator × period that has no report yet.

    Values scatter around the year's target (H1: about half of it for flows); about
    ``submitted_only_share`` stay awaiting review, the rest are approved. Bulk-created and
    change-logged with ``log_bulk``. Returns the number of reports created.
    """
    rng = random.Random(seed)
    entries = plan_entries()
    regions = list(Region.townships())
    indicators = indicators or list(Indicator.objects.filter(plans__document="南政办〔2021〕67号").distinct())
    existing = set(Report.objects.values_list("period_id", "region_id", "indicator_id"))
    now = timezone.now()
    rows = []
    for period in periods:
        for region in regions:
            strength = Decimal(str(rng.uniform(0.75, 1.25)))
            for ind in indicators:
                if (period.pk, region.pk, ind.pk) in existing:
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
                                   submitted_at=now, reviewed_at=now if status == "approved" else None))
    created = Report.objects.bulk_create(rows, batch_size=1000)
    log_bulk(Report, "create", created)
    return len(created)


def load_demo(stdout=None):
    """Periods 2022–2024 with approved reports, and a few ledger milestones and progress notes."""
    with change_context(source="command:serve --demo (targets)"):
        periods = [_period(2022, "FY", "closed"), _period(2023, "H1", "closed"), _period(2023, "FY", "closed"),
                   _period(2024, "H1", "closed"), _period(2024, "FY", "open")]
        n = generate_reports(periods[:-1])
        today = timezone.localdate()
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
        stdout.write(f"  目标考核：{len(periods)} 个填报期，{n} 条演示填报")
