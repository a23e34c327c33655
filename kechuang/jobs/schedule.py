"""The periodic schedule the workers run: one run per slot, with any number of workers.

Each worker calls ``schedule_tick`` about once a minute. For every entry whose time of day has
come, it tries to insert the ``ScheduleRun`` row (task, slot) in a transaction; the unique
constraint lets exactly one worker on any machine succeed, and that worker queues the entry's job
(which then runs once, on whichever worker claims it). A day the workers were all down is not
replayed: each reminder looks at the state as of its day (due in 3 days, due today, overdue …),
so the next day's run still reports what is overdue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from kechuang.core.permissions import system_actor

from .models import ScheduleRun


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str
    at: dt.time          # local time of day from which the day's slot is due
    label: str


SCHEDULE: list[Entry] = [
    Entry("daily-reminders", "jobs.daily_reminders", dt.time(7, 0), "每日提醒与状态变更"),
]


def due_slots(now: dt.datetime) -> list[tuple[Entry, str]]:
    """The (entry, slot) pairs due at ``now``: today's slot once the entry's time has come."""
    local = timezone.localtime(now)
    return [(e, local.date().isoformat()) for e in SCHEDULE if local.time() >= e.at]


def claim_slot(task: str, slot: str, worker_id: str = "") -> ScheduleRun | None:
    """Insert the (task, slot) row; None when another worker already holds it."""
    if ScheduleRun.objects.filter(task=task, slot=slot).exists():
        return None
    try:
        with transaction.atomic():
            return ScheduleRun.objects.create(task=task, slot=slot, worker_id=worker_id[:64])
    except IntegrityError:
        return None


def schedule_tick(*, worker_id: str = "", now: dt.datetime | None = None) -> list[ScheduleRun]:
    """Claim and queue every slot due at ``now`` that no worker has claimed yet."""
    from .services import job_start

    claimed = []
    for entry, slot in due_slots(now or timezone.now()):
        with transaction.atomic():
            run = claim_slot(entry.name, slot, worker_id)
            if run is None:
                continue
            run.job = job_start(actor=system_actor(f"schedule:{entry.name}"), kind=entry.kind,
                                args={"on": slot}, label=f"{entry.label}（{slot}）", dedupe=False)
            run.save(update_fields=["job"])
        claimed.append(run)
    return claimed
