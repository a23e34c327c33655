"""Working-day arithmetic for the dispatch service-level clock (pure Python).

Working days are Monday–Friday minus ``holidays`` plus ``makeup_days`` (调休上班日). The
bureau's calendar is passed in; without one only weekends are skipped.
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

FIRST_CONTACT_WORKING_DAYS = 3


def is_working_day(day: date, holidays: Collection[date] = (), makeup_days: Collection[date] = ()) -> bool:
    """True for Monday–Friday that are not holidays, and for declared make-up working days."""
    if day in makeup_days:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, n: int, holidays: Collection[date] = (), makeup_days: Collection[date] = ()) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself not counted)."""
    if n < 0:
        raise ValueError("add_working_days: n must be ≥ 0")
    day = start
    while n:
        day += timedelta(days=1)
        if is_working_day(day, holidays, makeup_days):
            n -= 1
    return day
