"""Working-day arithmetic for the dispatch service-level clock, with the State Council holiday calendar.

Working days are Monday–Friday minus the statutory holidays plus the make-up working days
(调休上班日) of 国务院办公厅关于<年>部分节假日安排的通知, shipped in
``data/techmarket/holidays.yaml`` (one entry per year, with its source and whether the dates
were checked against the notice). Years not in the file fall back to weekends only; callers
show ``HolidayCalendar.caveat`` so the officer knows.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

FIRST_CONTACT_WORKING_DAYS = 3
HOLIDAYS_FILE = Path(__file__).resolve().parents[2] / "data" / "techmarket" / "holidays.yaml"


class CalendarError(ValueError):
    """The holiday file is malformed; the message names the year and entry."""


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


def working_days_between(start: date, end: date, holidays: Collection[date] = (),
                         makeup_days: Collection[date] = ()) -> int:
    """Working days in (start, end] — 0 when ``end`` is not after ``start``."""
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, holidays, makeup_days):
            n += 1
    return n


@dataclass(frozen=True)
class HolidayCalendar:
    """Statutory holidays and make-up working days of the years the bureau's calendar covers."""

    holidays: frozenset[date] = frozenset()
    makeup_days: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()
    unverified_years: frozenset[int] = frozenset()
    sources: dict = field(default_factory=dict, compare=False, hash=False)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day under this calendar."""
        return is_working_day(day, self.holidays, self.makeup_days)

    def add_working_days(self, start: date, n: int) -> date:
        """The date ``n`` working days after ``start`` under this calendar."""
        return add_working_days(start, n, self.holidays, self.makeup_days)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end] under this calendar."""
        return working_days_between(start, end, self.holidays, self.makeup_days)

    def caveat(self, start: date, end: date) -> str:
        """A Chinese warning when the span touches a year that is missing or not checked; '' otherwise."""
        years = range(start.year, end.year + 1)
        missing = [y for y in years if y not in self.years]
        unverified = [y for y in years if y in self.unverified_years]
        parts = []
        if missing:
            parts.append(f"{'、'.join(map(str, missing))}年节假日安排未收录，仅按周六、周日计算")
        if unverified:
            parts.append(f"{'、'.join(map(str, unverified))}年节假日数据未经通知原文核对")
        return "；".join(parts)


def _dates(entry, year: int, what: str) -> list[date]:
    if isinstance(entry, date):
        return [entry]
    if isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, date) for x in entry) \
            and entry[0] <= entry[1]:
        first, last = entry
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]
    raise CalendarError(f"节假日文件 {year} 年 {what}: 无法识别的条目 {entry!r}（应为日期或 [起, 止]）")


def parse_calendar(data: dict) -> HolidayCalendar:
    """Build a calendar from the parsed YAML (see data/techmarket/holidays.yaml)."""
    holidays, makeup, years, unverified, sources = set(), set(), set(), set(), {}
    for year, spec in (data or {}).get("years", {}).items():
        year = int(year)
        if not spec.get("source"):
            raise CalendarError(f"节假日文件 {year} 年: 缺少 source（通知名称与文号）")
        for what, target in (("holidays", holidays), ("makeup_workdays", makeup)):
            for entry in spec.get(what) or []:
                for d in _dates(entry, year, what):
                    if d.year != year:
                        raise CalendarError(f"节假日文件 {year} 年 {what}: {d} 不属于 {year} 年")
                    target.add(d)
        both = holidays & makeup
        if both:
            raise CalendarError(f"节假日文件 {year} 年: {sorted(both)[0]} 既是放假日又是调休上班日")
        years.add(year)
        if spec.get("verified") is not True:
            unverified.add(year)
        sources[year] = spec["source"]
    return HolidayCalendar(frozenset(holidays), frozenset(makeup), frozenset(years), frozenset(unverified), sources)


@lru_cache(maxsize=1)
def shipped_calendar() -> HolidayCalendar:
    """The calendar shipped in data/techmarket/holidays.yaml (read once per process)."""
    with open(HOLIDAYS_FILE, encoding="utf-8") as fh:
        return parse_calendar(yaml.safe_load(fh))
