"""The daily schedule and its reminders, with a frozen clock: each day's slot is claimed by
``schedule_tick(now=…)`` and run by a worker; across 国庆 2026 (10月1日–7日, 10月10日 调休上班)
and the 2025→2026 year boundary (元旦 1月1日–3日, 1月4日 周日 调休上班)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kechuang.inbox.models import Message
from kechuang.jobs.models import Job, ScheduleRun
from kechuang.jobs.schedule import claim_slot, schedule_tick
from kechuang.jobs.worker import run_pending
from tests.world import SYSTEM

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 7, minute: int = 30) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def run_day(day: dt.date) -> Job | None:
    """One morning of the schedule: claim the slot, let the worker run it."""
    runs = schedule_tick(worker_id="w1", now=at(day))
    run_pending()
    return Job.objects.get(pk=runs[0].job_id) if runs else None


def days(first: dt.date, last: dt.date):
    d = first
    while d <= last:
        yield d
        d += dt.timedelta(days=1)


def titles(user, contains: str = "") -> list[str]:
    return [m.title for m in Message.objects.filter(recipient=user).order_by("id") if contains in m.title]


# --- the schedule -------------------------------------------------------------------------------

def test_one_run_per_slot_however_many_workers_tick(world):
    day = dt.date(2026, 10, 8)
    assert schedule_tick(worker_id="w1", now=at(day, 6, 59)) == []          # before 07:00: not due
    first = schedule_tick(worker_id="w1", now=at(day, 7, 0))
    assert [(r.task, r.slot) for r in first] == [("daily-reminders", "2026-10-08")]
    assert schedule_tick(worker_id="w2", now=at(day, 7, 1)) == []           # another worker, same slot
    assert schedule_tick(worker_id="w1", now=at(day, 23, 59)) == []
    assert claim_slot("daily-reminders", "2026-10-08", "w3") is None         # the insert itself refuses
    assert ScheduleRun.objects.count() == 1 and Job.objects.filter(kind="jobs.daily_reminders").count() == 1
    run_pending()
    job = Job.objects.get(kind="jobs.daily_reminders")
    assert job.state == "done" and job.started_by is None and job.actor_name == "schedule:daily-reminders"
    assert job.args == {"on": "2026-10-08"}


def test_the_slot_is_the_local_date_across_the_year_boundary(world):
    # 2025-12-31 23:30 UTC is already 2026-01-01 07:30 in 南安
    runs = schedule_tick(worker_id="w1", now=dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC))
    assert [r.slot for r in runs] == ["2026-01-01"]
    runs = schedule_tick(worker_id="w1", now=dt.datetime(2025, 12, 31, 22, 30, tzinfo=dt.UTC))  # 06:30 local
    assert runs == []


# --- 派单 first-contact SLA in working days -------------------------------------------------------

@pytest.fixture
def dispatch(world):
    from kechuang.techmarket import services as tm
    from kechuang.techmarket.models import Achievement, Broker, Match

    ach = Achievement.objects.create(title="石材切割", status="published")
    broker = Broker.objects.create(user=world.broker_a, name="甲经理")
    need = tm.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="石材荒料切割", description="x", is_public=False)
    match = Match.objects.create(need=need, achievement=ach, rank=1, score=0.9)

    def assign(day: dt.date):
        return tm.dispatch_assign(user=SYSTEM, match=match, broker=broker, reason="测试", now=at(day, 10))

    return assign


def test_sla_reminder_waits_for_the_first_working_day_after_guoqing(world, dispatch):
    d = dispatch(dt.date(2026, 9, 24))          # Thu; 9-25..27 中秋, then 9-28, 9-29, 9-30 → due 9-30
    assert d.first_contact_due == dt.date(2026, 9, 30)
    for day in days(dt.date(2026, 9, 30), dt.date(2026, 10, 7)):   # due day, then the 国庆 holiday
        run_day(day)
        assert titles(world.broker_a, "超期") == [], day
    run_day(dt.date(2026, 10, 8))                                   # Thu: the first working day after
    assert titles(world.broker_a, "超期") == ["派单首次对接已超期：石材荒料切割"]
    assert titles(world.staff, "超期") == ["派单首次对接已超期：石材荒料切割"]
    msg = Message.objects.get(recipient=world.broker_a, title__contains="超期")
    assert "已超期 1 个工作日" in msg.body and msg.url.endswith(f"/dispatches/{d.pk}/")
    for day in days(dt.date(2026, 10, 9), dt.date(2026, 10, 12)):  # once only (10-10 is a 调休 Saturday)
        run_day(day)
    assert len(titles(world.broker_a, "超期")) == 1


def test_sla_contact_made_in_time_sends_nothing(world, dispatch):
    from django.utils import timezone

    d = dispatch(dt.date(2026, 9, 24))
    d.first_contact_at = timezone.now()
    d.stage = "negotiate"
    d.save()
    run_day(dt.date(2026, 10, 8))
    assert titles(world.broker_a, "超期") == []


def test_sla_across_the_new_year_holiday(world, dispatch):
    d = dispatch(dt.date(2025, 12, 26))         # Fri → 12-29, 12-30, 12-31: due 12-31 (Wed)
    assert d.first_contact_due == dt.date(2025, 12, 31)
    for day in days(dt.date(2025, 12, 31), dt.date(2026, 1, 3)):   # 元旦 1-1..1-3
        run_day(day)
    assert titles(world.broker_a, "超期") == []
    run_day(dt.date(2026, 1, 4))                                    # Sunday, but a 调休 working day
    assert titles(world.broker_a, "超期") == ["派单首次对接已超期：石材荒料切割"]


def test_sla_covers_a_need_dispatched_without_an_achievement(world):
    """A need no achievement fits, dispatched on the Wednesday before 清明 (2026: 4月4日–6日 off):
    due after 3 working days, reminded on the first working day past it, once; a first contact
    made afterwards ends the reminders. The broker was told of the dispatch itself on the day."""
    from kechuang.techmarket import services as tm
    from kechuang.techmarket.models import Broker

    Broker.objects.create(user=world.broker_a, name="甲经理", fields=["新材料"])
    need = tm.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="铜合金铸件无铅化", description="x",
                        field="新材料", is_public=False)
    d = tm.dispatch_assign(user=SYSTEM, need=need, now=at(dt.date(2026, 4, 1), 10))   # Wed
    assert d.first_contact_due == dt.date(2026, 4, 7)     # 4-2, 4-3, (4-4..4-6 清明), 4-7
    assert titles(world.broker_a) == ["新的派单：铜合金铸件无铅化"]
    for day in days(dt.date(2026, 4, 2), dt.date(2026, 4, 7)):
        run_day(day)
        assert titles(world.broker_a, "超期") == [], day
    run_day(dt.date(2026, 4, 8))
    assert titles(world.broker_a, "超期") == ["派单首次对接已超期：铜合金铸件无铅化"]
    assert titles(world.staff, "超期") == ["派单首次对接已超期：铜合金铸件无铅化"]
    msg = Message.objects.get(recipient=world.broker_a, title__contains="超期")
    assert "已超期 1 个工作日" in msg.body and "另寻解决方案" in msg.body
    run_day(dt.date(2026, 4, 9))
    tm.dispatch_note(user=SYSTEM, dispatch=d, text="已联系企业")
    for day in days(dt.date(2026, 4, 10), dt.date(2026, 4, 13)):
        run_day(day)
    assert len(titles(world.broker_a, "超期")) == 1


# --- 填报期 across the year boundary ---------------------------------------------------------------

def test_report_period_reminders_across_the_year_boundary(world):
    from kechuang.targets.models import Period
    from kechuang.targets.reference import load_reference_data

    load_reference_data()
    period, _ = Period.objects.update_or_create(year=2025, kind="FY", defaults=dict(
        starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31), deadline=dt.date(2026, 1, 5), status="open"))
    Period.objects.exclude(pk=period.pk).update(status="closed")
    expected = {dt.date(2025, 12, 31): [],
                dt.date(2026, 1, 1): ["2025年度填报已开始"],
                dt.date(2026, 1, 2): ["2025年度填报还有 3 天截止"],
                dt.date(2026, 1, 3): [], dt.date(2026, 1, 4): [],
                dt.date(2026, 1, 5): ["2025年度填报今天截止"],
                dt.date(2026, 1, 6): ["2025年度填报已逾期"],
                dt.date(2026, 1, 7): []}
    seen = 0
    for day, new in expected.items():
        run_day(day)
        got = titles(world.clerk_a, "2025年度")
        assert got[seen:] == new, day
        seen = len(got)
    assert titles(world.staff, "逾期未报")[0].startswith("2025年度有 ")
    assert titles(world.clerk_b, "2025年度") == titles(world.clerk_a, "2025年度")  # both townships miss reports


# --- 免申即享 confirmation window, 公示 -------------------------------------------------------------

@pytest.fixture
def verified_case(world):
    from kechuang.policies import services as ps
    from kechuang.policies.models import Case
    from kechuang.policies.reference import load_reference_data

    load_reference_data()
    ps.policy_event_record(user=world.staff, enterprise=world.enterprise_a, kind="hnte_recognized",
                           date="2026-03-01", fields={"first_time": True}, source="认定名单")
    ps.screening_run(user=world.staff, year=2026)
    case = Case.objects.get()
    return ps.case_verify(user=world.staff, case=case, today=dt.date(2026, 9, 20))   # deadline 10-05


def test_confirmation_window_reminders_then_silence_counts_as_given_up(world, verified_case):
    case = verified_case
    assert case.confirm_deadline == dt.date(2026, 10, 5)
    for day in days(dt.date(2026, 10, 1), dt.date(2026, 10, 5)):
        run_day(day)
    assert titles(world.ent_user_a, "请确认") == ["请确认免申即享：国家高新技术企业认定奖励"] * 2
    bodies = [m.body for m in Message.objects.filter(recipient=world.ent_user_a, title__contains="请确认").order_by("id")]
    assert "3 天后（10月05日）截止" in bodies[0] and "今天截止" in bodies[1]
    case.refresh_from_db()
    assert case.status == "verified"                  # the deadline day itself still counts
    run_day(dt.date(2026, 10, 6))
    case.refresh_from_db()
    assert case.status == "waived" and "逾期未确认" in case.reason
    assert titles(world.ent_user_a, "视为放弃") == ["免申即享已视为放弃：国家高新技术企业认定奖励"]
    run_day(dt.date(2026, 10, 7))
    assert len(titles(world.ent_user_a, "视为放弃")) == 1
    assert titles(world.ent_user_b) == []             # another enterprise hears nothing


def test_publicity_period_end_tells_finance_and_bureau(world, verified_case):
    from kechuang.policies import services as ps

    ps.case_confirm(user=world.ent_user_a, case=verified_case, bank_account="6228480012345678", bank_name="农行",
                    today=dt.date(2026, 9, 21))
    ps.case_publicize(user=world.staff, case=verified_case, today=dt.date(2026, 9, 28))
    run_day(dt.date(2026, 10, 2))
    assert titles(world.finance, "公示期满") == []          # 4 days: not yet
    run_day(dt.date(2026, 10, 3))
    assert titles(world.finance, "公示期满") == ["1 件兑现案件公示期满，可以拨付"]   # 财政局 officer
    assert titles(world.liaison_b, "公示期满") == []          # a 市财政局 liaison does not disburse
    assert titles(world.staff, "公示期满") == ["1 件兑现案件公示期满，可以拨付"]
    assert titles(world.liaison_a, "公示期满") == []          # 工信局 does not disburse


# --- 资质 and 揭榜挂帅 -----------------------------------------------------------------------------

def test_certificate_expiring_within_90_days_is_announced_once(world):
    from kechuang.enterprises.models import Qualification

    Qualification.objects.create(enterprise=world.enterprise_a, kind="hnte", valid_from=dt.date(2023, 12, 1),
                                 valid_until=dt.date(2026, 12, 31))
    run_day(dt.date(2026, 10, 1))                 # 91 days before
    assert titles(world.ent_user_a, "到期") == []
    run_day(dt.date(2026, 10, 2))                 # 90 days before
    assert titles(world.ent_user_a, "到期") == ["高新技术企业资格将于 90 天后到期"]
    run_day(dt.date(2026, 10, 3))
    assert len(titles(world.ent_user_a, "到期")) == 1 and titles(world.ent_user_b, "到期") == []


def test_challenge_milestone_due_and_overdue(world):
    from kechuang.techmarket import services as tm
    from kechuang.techmarket.models import Challenge, ChallengeMilestone

    need = tm.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="铸件无铅化", description="x", is_public=False)
    ch = Challenge.objects.create(need=need, title="无铅铜合金榜单", published_on=dt.date(2026, 1, 10),
                                  bounty=Decimal("50"), status="awarded")
    ChallengeMilestone.objects.create(challenge=ch, title="中试样件", due=dt.date(2026, 12, 31))
    for day in days(dt.date(2026, 12, 27), dt.date(2027, 1, 2)):
        run_day(day)
    assert titles(world.ent_user_a, "里程碑") == ["揭榜里程碑 3 天后到期：中试样件", "揭榜里程碑今天到期：中试样件",
                                                 "揭榜里程碑已逾期：中试样件"]
