"""The daily reminders and state changes, run once a day by the workers' schedule
(``jobs.daily_reminders``, slot = the local date). Each step looks at the state as of ``on`` and is
idempotent: messages carry a dedupe key, so a re-run (a retried job, a second slot claim after a
crash) sends nothing twice; the one state change (免申即享 silence = 放弃) is a transition from
``verified`` that cannot happen twice.

- 填报期: reporting opens (the day after the period ends), due in 3 days, due today, overdue —
  to the clerks of townships that still miss reports (科技局 gets one overdue summary);
- 免申即享: the enterprise's confirmation window closes in 3 days / today; past it the case is
  given up (逾期未确认视为放弃, ``policies.services.cases_expire_silence``) and the enterprise told;
- 公示: the 5-day 公示期 ended — 财政 and 科技局 may disburse;
- 资质: a certificate expires within 90 days — the enterprise (once per certificate and date);
- 派单: first contact not made by its due date, counted in working days with the holiday calendar
  (during 国庆 no working day passes, so nobody is reminded on a holiday) — dispatches of a
  suggested achievement and of a need no achievement fits alike;
- 揭榜挂帅: a milestone due in 3 days, today, or overdue without acceptance.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.urls import reverse

from kechuang.core.models import Role, User
from kechuang.inbox.services import notify

from .registry import JobOutcome, job_kind

#: days before a deadline that the first reminder goes out
AHEAD_DAYS = 3
#: a qualification certificate is announced as expiring this many days ahead
CERTIFICATE_DAYS = 90


def _bureau():
    return list(User.objects.filter(role=Role.BUREAU_STAFF, is_active=True))


def _clerks(region_id):
    return list(User.objects.filter(role=Role.TOWNSHIP_CLERK, township_id=region_id, is_active=True))


def _enterprise_users(enterprise_id):
    if enterprise_id is None:
        return []
    return list(User.objects.filter(role=Role.ENTERPRISE_USER, enterprise_id=enterprise_id, is_active=True))


def _case_users(case):
    """Who confirms a case: the enterprise's users, or the named payee's account (a 科技特派员's 后补助)."""
    if case.enterprise_id is None:
        return [case.payee_user] if case.payee_user_id and case.payee_user.is_active else []
    return _enterprise_users(case.enterprise_id)


def _finance():
    """The 财政局 officers (Role.FINANCE_OFFICER), who disburse."""
    return list(User.objects.filter(role=Role.FINANCE_OFFICER, is_active=True))


def _url(name, *args) -> str:
    try:
        return reverse(name, args=args)
    except Exception:  # an app without that page in this deployment
        return ""


# --- 填报期 --------------------------------------------------------------------------------------

def report_periods(on: dt.date, actor) -> int:
    from kechuang.targets.models import Period
    from kechuang.targets.selectors import missing_reports

    sent = 0
    url = _url("targets:report")
    for period in Period.objects.filter(status=Period.Status.OPEN):
        if on == period.ends_on + dt.timedelta(days=1):
            from kechuang.core.models import Region

            for region in Region.townships():
                sent += len(notify(_clerks(region.pk), f"{period.label}填报已开始",
                                   f"{period.label}完成情况请于 {period.deadline:%Y年%m月%d日} 前填报。", url,
                                   "todo", dedupe_key=f"period-{period.pk}-open"))
        days_left = (period.deadline - on).days
        if days_left not in (AHEAD_DAYS, 0) and days_left >= 0:
            continue
        if on < period.ends_on + dt.timedelta(days=1) and days_left < 0:
            continue
        missing = defaultdict(list)
        for region, indicator in missing_reports(user=actor, period=period):
            missing[region].append(indicator.name)
        for region, names in missing.items():
            if days_left > 0:
                title, key = f"{period.label}填报还有 {days_left} 天截止", f"period-{period.pk}-due{days_left}"
            elif days_left == 0:
                title, key = f"{period.label}填报今天截止", f"period-{period.pk}-due0"
            else:
                title, key = f"{period.label}填报已逾期", f"period-{period.pk}-overdue"
            body = f"{region.name}尚有 {len(names)} 项指标未填报：{'、'.join(names[:8])}{'等' if len(names) > 8 else ''}。"
            sent += len(notify(_clerks(region.pk), title, body, url, "todo", dedupe_key=f"{key}-{region.pk}"))
        if days_left < 0 and missing:
            names = "、".join(r.name for r in list(missing)[:10])
            sent += len(notify(_bureau(), f"{period.label}有 {len(missing)} 个乡镇逾期未报",
                               f"截止 {period.deadline:%Y年%m月%d日}，仍有未填报指标的乡镇：{names}"
                               f"{'等' if len(missing) > 10 else ''}。", _url("targets:dashboard"), "reminder",
                               dedupe_key=f"period-{period.pk}-overdue-summary"))
    return sent


# --- 免申即享 ------------------------------------------------------------------------------------

def confirmation_windows(on: dt.date, actor) -> int:
    from kechuang.policies.models import Case
    from kechuang.policies.services import cases_expire_silence

    sent = 0
    for case in (Case.objects.filter(status="verified", paused=False, confirm_deadline__isnull=False,
                                     confirm_deadline__gte=on, confirm_deadline__lte=on + dt.timedelta(days=AHEAD_DAYS))
                 .select_related("measure")):
        days_left = (case.confirm_deadline - on).days
        if days_left not in (AHEAD_DAYS, 0):
            continue
        when = "今天" if days_left == 0 else f"{days_left} 天后（{case.confirm_deadline:%m月%d日}）"
        sent += len(notify(_case_users(case), f"请确认免申即享：{case.measure.title}",
                           f"确认期限{when}截止；逾期未确认视为放弃。", _url("policies:case", case.pk), "todo",
                           dedupe_key=f"case-{case.pk}-confirm-due{days_left}"))
    expiring = list(Case.objects.filter(status="verified", paused=False, confirm_deadline__lt=on)
                    .select_related("measure"))
    if expiring:
        cases_expire_silence(user=actor, today=on)
        for case in expiring:
            sent += len(notify(_case_users(case), f"免申即享已视为放弃：{case.measure.title}",
                               f"确认期限 {case.confirm_deadline:%Y年%m月%d日} 已过，未确认，按规定视为放弃。",
                               _url("policies:case", case.pk), "notice", dedupe_key=f"case-{case.pk}-waived"))
    return sent


def publicity_ending(on: dt.date, actor) -> int:
    from kechuang.policies.models import Case
    from kechuang.policies.services import PUBLICITY_DAYS

    ended = list(Case.objects.filter(status="publicized", paused=False,
                                     publicized_on=on - dt.timedelta(days=PUBLICITY_DAYS)))
    if not ended:
        return 0
    return len(notify(_finance() + _bureau(), f"{len(ended)} 件兑现案件公示期满，可以拨付",
                      f"{(on - dt.timedelta(days=PUBLICITY_DAYS)):%Y年%m月%d日}起公示的案件已满 {PUBLICITY_DAYS} 天。",
                      _url("policies:publicity"), "todo", dedupe_key=f"publicity-ended-{on.isoformat()}"))


# --- 资质 ----------------------------------------------------------------------------------------

def certificates_expiring(on: dt.date, actor) -> int:
    from kechuang.enterprises.models import Qualification

    sent = 0
    # only enterprises with an active account can be told: one subquery instead of a lookup per
    # certificate (at 100k enterprises the step otherwise held SQLite's write lock for over 30 s)
    with_account = User.objects.filter(role=Role.ENTERPRISE_USER, is_active=True).values("enterprise_id")
    for q in Qualification.objects.filter(valid_until__gte=on, valid_until__lte=on + dt.timedelta(days=CERTIFICATE_DAYS),
                                          enterprise_id__in=with_account):
        left = (q.valid_until - on).days
        sent += len(notify(_enterprise_users(q.enterprise_id), f"{q.get_kind_display()}资格将于 {left} 天后到期",
                           f"有效期至 {q.valid_until:%Y年%m月%d日}，请及时准备复审或重新认定材料。",
                           _url("enterprises:detail", q.enterprise_id), "reminder",
                           dedupe_key=f"qual-{q.pk}-expires-{q.valid_until.isoformat()}"))
    return sent


# --- 派单 ----------------------------------------------------------------------------------------

def dispatch_sla(on: dt.date, actor) -> int:
    """Dispatches without first contact whose due date lies at least one working day behind ``on``."""
    from kechuang.techmarket.models import Dispatch
    from kechuang.techmarket.workdays import shipped_calendar

    cal = shipped_calendar()
    sent = 0
    bureau = None
    for d in (Dispatch.objects.filter(stage="contact", first_contact_at__isnull=True, first_contact_due__lt=on)
              .select_related("broker__user", "need")):
        late = cal.working_days_between(d.first_contact_due, on)
        if late < 1:   # only holidays / weekends since the due date: nobody was due to work
            continue
        bureau = _bureau() if bureau is None else bureau
        recipients = ([d.broker.user] if d.broker.user_id else []) + bureau
        what = "" if d.match_id else "（成果库中没有适合的成果，需另寻解决方案）"
        sent += len(notify(recipients, f"派单首次对接已超期：{d.need.title}",
                           f"首次对接期限 {d.first_contact_due:%Y年%m月%d日}（3 个工作日），已超期 {late} 个工作日{what}。",
                           _url("techmarket:dispatch_detail", d.pk), "todo",
                           dedupe_key=f"dispatch-{d.pk}-sla-{d.first_contact_due.isoformat()}"))
    return sent


# --- 揭榜挂帅 ------------------------------------------------------------------------------------

def challenge_milestones(on: dt.date, actor) -> int:
    from kechuang.techmarket.models import ChallengeMilestone

    sent = 0
    bureau = None
    for m in (ChallengeMilestone.objects.filter(acceptance="pending", due__lte=on + dt.timedelta(days=AHEAD_DAYS))
              .select_related("challenge__need")):
        left = (m.due - on).days
        if left == AHEAD_DAYS:
            title, key = f"揭榜里程碑 {AHEAD_DAYS} 天后到期：{m.title}", "due3"
        elif left == 0:
            title, key = f"揭榜里程碑今天到期：{m.title}", "due0"
        elif left < 0:
            title, key = f"揭榜里程碑已逾期：{m.title}", "overdue"
        else:
            continue
        bureau = _bureau() if bureau is None else bureau
        recipients = _enterprise_users(m.challenge.need.enterprise_id) + bureau
        sent += len(notify(recipients, title, f"{m.challenge}：计划完成日期 {m.due:%Y年%m月%d日}。",
                           _url("techmarket:challenges"), "reminder", dedupe_key=f"milestone-{m.pk}-{key}"))
    return sent


STEPS = [
    ("填报期提醒", report_periods),
    ("免申即享确认期", confirmation_windows),
    ("公示期满", publicity_ending),
    ("资质到期", certificates_expiring),
    ("派单首次对接时限", dispatch_sla),
    ("揭榜挂帅里程碑", challenge_milestones),
]


@job_kind("jobs.daily_reminders", label="每日提醒与状态变更", perm="jobs.schedule.run", cancellable=False)
def daily_reminders(ctx, *, actor, on: str):
    """Run every reminder step as of ``on`` (ISO date); each step in its own transaction."""
    day = dt.date.fromisoformat(on)
    counts = {}
    for i, (label, step) in enumerate(STEPS):
        ctx.progress(i, len(STEPS), step=label)
        with transaction.atomic():
            counts[label] = step(day, actor)
    ctx.progress(len(STEPS), len(STEPS), step="完成")
    summary = "；".join(f"{k} {v} 条" for k, v in counts.items())
    return JobOutcome(url=reverse("inbox:list"), label=f"已发送提醒：{summary}", data=counts)
