"""The first-contact clock on the State Council holiday calendar (data/techmarket/holidays.yaml)."""
from datetime import date, datetime

import pytest
from django.utils import timezone

from kechuang.techmarket import services as s
from kechuang.techmarket.models import Achievement, Broker, Match
from kechuang.techmarket.workdays import (
    CalendarError,
    HolidayCalendar,
    add_working_days,
    parse_calendar,
    shipped_calendar,
)
from tests.world import SYSTEM

CAL = shipped_calendar()


def test_the_shipped_calendar_covers_2025_and_2026_with_sources():
    assert {2025, 2026} <= CAL.years
    assert "2025年部分节假日安排" in CAL.sources[2025] and "2026年部分节假日安排" in CAL.sources[2026]
    # 2025 国庆、中秋 10月1日至8日放假，9月28日（周日）、10月11日（周六）上班
    assert all(date(2025, 10, d) in CAL.holidays for d in range(1, 9))
    assert date(2025, 10, 9) not in CAL.holidays
    assert {date(2025, 9, 28), date(2025, 10, 11)} <= CAL.makeup_days
    # 2025 春节 1月28日（除夕）至2月4日，共8天
    assert sum(1 for d in CAL.holidays if date(2025, 1, 28) <= d <= date(2025, 2, 4)) == 8


@pytest.mark.parametrize("start,due,note", [
    # the day before 国庆 2025: 10/1–10/8 off; 10/9, 10/10 and the make-up Saturday 10/11 count
    (date(2025, 9, 30), date(2025, 10, 11), "国庆前一天派单"),
    # the other side: a Friday before; Sunday 9/28 is a make-up working day, 9/29 and 9/30 follow
    (date(2025, 9, 26), date(2025, 9, 30), "节前一周的周五派单（9/28 周日调休上班）"),
    # an ordinary week after the holiday: no effect
    (date(2025, 10, 13), date(2025, 10, 16), "节后普通周一"),
    # 2026 春节: Saturday 2/14 is a make-up day, 2/15–2/23 off
    (date(2026, 2, 13), date(2026, 2, 25), "2026 春节前"),
    # 2026 国庆: 10/1–10/7 off, Saturday 10/10 is a make-up day
    (date(2026, 9, 30), date(2026, 10, 10), "2026 国庆前一天"),
])
def test_first_contact_due_skips_holidays_and_counts_makeup_days(start, due, note):
    assert CAL.add_working_days(start, 3) == due, note


def test_without_the_calendar_the_deadline_would_fall_inside_the_holiday():
    assert add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 3)  # what the weekend-only clock said


@pytest.fixture
def match(world):
    ach = Achievement.objects.create(title="石材切割", status="published")
    Broker.objects.create(user=world.broker_a, name="甲经理")
    need = s.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="切割需求", description="荒料切割损耗大")
    return Match.objects.create(need=need, achievement=ach, rank=1, score=0.9)


def test_dispatch_assign_uses_the_holiday_calendar(match):
    d = s.dispatch_assign(user=SYSTEM, match=match, now=timezone.make_aware(datetime(2025, 9, 30, 16, 0)))
    assert d.first_contact_due == date(2025, 10, 11)


def test_overdue_warning_waits_for_the_first_working_day_after_the_holiday(match):
    d = s.dispatch_assign(user=SYSTEM, match=match, now=timezone.make_aware(datetime(2025, 9, 26, 9, 0)))
    assert d.first_contact_due == date(2025, 9, 30)
    assert s.dispatch_is_overdue(d, date(2025, 9, 30)) is False        # due today
    for day in range(1, 9):                                             # 国庆 10/1–10/8: nobody works
        assert s.dispatch_is_overdue(d, date(2025, 10, day)) is False, day
    assert s.dispatch_overdue_working_days(d, date(2025, 10, 9)) == 1  # first working day after
    assert s.dispatch_overdue_working_days(d, date(2025, 10, 11)) == 3  # make-up Saturday counts
    s.dispatch_note(user=SYSTEM, dispatch=d, text="已电话联系", now=timezone.make_aware(datetime(2025, 10, 11, 9, 0)))
    assert s.dispatch_is_overdue(d, date(2025, 10, 13)) is False


def test_an_explicit_calendar_overrides_the_shipped_one(match):
    empty = HolidayCalendar()
    d = s.dispatch_assign(user=SYSTEM, match=match, now=timezone.make_aware(datetime(2025, 9, 30, 9, 0)), calendar=empty)
    assert d.first_contact_due == date(2025, 10, 3)


def test_caveat_for_missing_and_unverified_years():
    assert CAL.caveat(date(2025, 3, 2), date(2025, 3, 5)) == ""
    assert "2026年节假日数据未经通知原文核对" in CAL.caveat(date(2026, 3, 2), date(2026, 3, 5))
    assert "2027年节假日安排未收录，仅按周六、周日计算" in CAL.caveat(date(2026, 12, 30), date(2027, 1, 4))


@pytest.mark.parametrize("data,message", [
    ({"years": {2030: {"holidays": [date(2030, 1, 1)]}}}, "2030 年: 缺少 source"),
    ({"years": {2030: {"source": "x", "holidays": ["1 月 1 日"]}}}, "2030 年 holidays: 无法识别的条目"),
    ({"years": {2030: {"source": "x", "holidays": [[date(2030, 1, 3), date(2030, 1, 1)]]}}}, "无法识别的条目"),
    ({"years": {2030: {"source": "x", "holidays": [date(2031, 1, 1)]}}}, "2031-01-01 不属于 2030 年"),
    ({"years": {2030: {"source": "x", "holidays": [date(2030, 1, 5)], "makeup_workdays": [date(2030, 1, 5)]}}},
     "既是放假日又是调休上班日"),
])
def test_a_malformed_calendar_is_refused_with_the_year_named(data, message):
    with pytest.raises(CalendarError, match=message):
        parse_calendar(data)


def test_unverified_flag_is_read():
    cal = parse_calendar({"years": {2030: {"source": "x", "verified": False}, 2031: {"source": "y", "verified": True}}})
    assert cal.unverified_years == {2030} and cal.years == {2030, 2031}


def test_dispatch_caveat_follows_the_clock(match):
    d = s.dispatch_assign(user=SYSTEM, match=match, now=timezone.make_aware(datetime(2025, 12, 30, 9, 0)))
    assert d.first_contact_due == date(2026, 1, 5)          # 12/31, then 元旦 1/1–1/3 off, Sunday 1/4 and 1/5 work
    assert "2026年节假日数据未经通知原文核对" in s.dispatch_clock_caveat(d, date(2026, 1, 5))
    d2 = s.dispatch_assign(user=SYSTEM, match=Match.objects.create(need=match.need, achievement=Achievement.objects.create(
        title="b", status="published"), rank=2, score=0.5), now=timezone.make_aware(datetime(2025, 3, 3, 9, 0)))
    assert s.dispatch_clock_caveat(d2, date(2025, 3, 4)) == ""
    assert "2026年" in s.dispatch_clock_caveat(d2, date(2026, 3, 4))   # still no contact: the count runs on
    s.dispatch_note(user=SYSTEM, dispatch=d2, text="已联系", now=timezone.make_aware(datetime(2025, 3, 4, 9, 0)))
    assert s.dispatch_clock_caveat(d2, date(2026, 3, 4)) == ""          # the clock stopped in 2025
