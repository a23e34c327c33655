"""Writes of the targets app: periods, reports (submit / correct / approve / return) and the task
ledger. Keyword-only, each in one transaction; views, API and commands call these."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.permissions import PermissionRefused, account, require
from kechuang.core.roles import Role

from .models import (
    Indicator,
    Milestone,
    Period,
    ProgressUpdate,
    Report,
    ReportAttachment,
    ReportRevision,
    Task,
)
from .numbers import TargetDataError, to_decimal

ALLOWED_EVIDENCE = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ofd", ".zip"}


@transaction.atomic
def period_open(*, user, year: int, kind: str, deadline: dt.date | None = None) -> Period:
    """Open (or reopen) the 上半年 or 全年 reporting period of ``year``; staff only.

    Default deadlines: 上半年 by 7 July, 全年 by 15 January of the next year.
    """
    require(user, "targets.period.manage")
    if kind not in Period.Kind.values:
        raise ValidationError({"kind": f"期别应为 H1（上半年）或 FY（全年），实际为“{kind}”"})
    starts = dt.date(year, 1, 1)
    ends = dt.date(year, 6, 30) if kind == Period.Kind.HALF else dt.date(year, 12, 31)
    default_deadline = dt.date(year, 7, 7) if kind == Period.Kind.HALF else dt.date(year + 1, 1, 15)
    period, _created = Period.objects.get_or_create(
        year=year, kind=kind, defaults={"starts_on": starts, "ends_on": ends, "deadline": deadline or default_deadline})
    if period.status != Period.Status.OPEN or (deadline and period.deadline != deadline):
        period.status = Period.Status.OPEN
        period.deadline = deadline or period.deadline
        period.save()
    return period


@transaction.atomic
def period_close(*, user, period: Period) -> Period:
    """Close a period: no more submissions or corrections."""
    require(user, "targets.period.manage")
    period.status = Period.Status.CLOSED
    period.save(update_fields=["status"])
    return period


def may_report(user, region, indicator: Indicator) -> bool:
    """Township clerks report their own township; liaisons the indicators their department reports."""
    if getattr(user, "is_system", False):
        return True
    role = getattr(user, "role", "")
    if role == Role.BUREAU_STAFF:
        return True
    if role == Role.TOWNSHIP_CLERK:
        return user.township_id is not None and user.township_id == region.pk
    if role == Role.DEPT_LIAISON:
        return user.org_unit_id is not None and indicator.reporting_org_id == user.org_unit_id
    return False


def _check_evidence(files) -> None:
    """Type (extension and first bytes), emptiness and size of each evidence file: the same
    check the dispatch attachments use (kechuang.core.uploads)."""
    from kechuang.core.uploads import MAGIC, UploadError, check_file

    allowed = {suffix: MAGIC[suffix] for suffix in ALLOWED_EVIDENCE}
    for f in files:
        try:
            check_file(f, allowed, what="证明材料")
        except UploadError as exc:
            raise ValidationError({"files": str(exc)}) from None


@transaction.atomic
def report_submit(*, user, period: Period, region, indicator: Indicator, value, note: str = "",
                  files=(), today: dt.date | None = None) -> Report:
    """Submit (or correct) the actual of ``region`` for ``indicator`` in ``period``.

    Raises PermissionDenied for a region or indicator outside the user's unit, and
    ValidationError naming the field for a closed period or a value that is not a number.
    A correction of an existing report raises its version, sends it back to review and keeps
    every earlier value in ReportRevision. Submitting after the deadline is allowed but
    flagged ``overdue``.
    """
    require(user, "targets.report.submit")
    if not may_report(user, region, indicator):
        own = getattr(user, "township", None) or getattr(user, "org_unit", None)
        raise PermissionDenied(f"不能填报{region}的“{indicator.name}”：只能填报本单位（{own or '无'}）负责的数据")
    if period.status != Period.Status.OPEN:
        raise ValidationError({"period": f"填报期“{period.label}”未开启或已关闭，不能填报"})
    try:
        number = to_decimal(value, f"{indicator.name} 完成值")
    except TargetDataError as exc:
        raise ValidationError({"value": str(exc)}) from None
    _check_evidence(files)
    now = timezone.now()
    today = today or timezone.localdate()
    report = Report.objects.select_for_update().filter(period=period, region=region, indicator=indicator).first()
    if report is None:
        report = Report.objects.create(period=period, region=region, indicator=indicator, value=number, note=note,
                                       submitted_by=account(user), submitted_at=now, overdue=today > period.deadline)
        action = ReportRevision.Action.SUBMIT
    else:
        report.value, report.note = number, note
        report.version += 1
        report.status = Report.Status.SUBMITTED
        report.submitted_by, report.submitted_at = account(user), now
        report.overdue = report.overdue or today > period.deadline
        report.reviewed_by, report.reviewed_at, report.return_reason = None, None, ""
        report.save()
        action = ReportRevision.Action.CORRECT
    ReportRevision.objects.create(report=report, version=report.version, action=action, value=number, note=note,
                                  by=account(user), at=now)
    for f in files:
        ReportAttachment.objects.create(report=report, file=f, name=f.name[:200], uploaded_by=user, uploaded_at=now)
    return report


@transaction.atomic
def report_approve(*, user, report: Report) -> Report:
    """Approve a submitted report (staff only)."""
    require(user, "targets.report.approve", report)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != Report.Status.SUBMITTED:
        raise ValidationError({"status": f"该填报当前为“{report.get_status_display()}”，只能审核待审核的填报"})
    report.status, report.reviewed_by, report.reviewed_at = Report.Status.APPROVED, account(user), timezone.now()
    report.save()
    ReportRevision.objects.create(report=report, version=report.version, action=ReportRevision.Action.APPROVE,
                                  value=report.value, by=account(user), at=report.reviewed_at)
    return report


@transaction.atomic
def report_return(*, user, report: Report, reason: str) -> Report:
    """Return a submitted report to its unit with a reason (staff only; the reason is required)."""
    require(user, "targets.report.return", report)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "退回时必须填写退回原因"})
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != Report.Status.SUBMITTED:
        raise ValidationError({"status": f"该填报当前为“{report.get_status_display()}”，只能退回待审核的填报"})
    report.status, report.return_reason = Report.Status.RETURNED, reason
    report.reviewed_by, report.reviewed_at = account(user), timezone.now()
    report.save()
    ReportRevision.objects.create(report=report, version=report.version, action=ReportRevision.Action.RETURN,
                                  value=report.value, note=reason, by=account(user), at=report.reviewed_at)
    return report


@transaction.atomic
def indicator_set_weights(*, user, weights: dict[str, object]) -> list[Indicator]:
    """Set the assessment weights ``{indicator code: weight}`` (staff only; 0 removes an indicator
    from the score). Every value is checked first; nothing is saved when one is bad."""
    require(user, "targets.weights.change")
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=list(weights))}
    parsed = {}
    for code, raw in weights.items():
        if code not in indicators:
            raise ValidationError({"weights": f"未知指标“{code}”"})
        try:
            value = to_decimal(raw, f"{indicators[code].name} 权重")
        except TargetDataError as exc:
            raise ValidationError({"weights": str(exc)}) from None
        if value > 1000:
            raise ValidationError({"weights": f"{indicators[code].name} 权重：不能超过 1000（实际 {value}）"})
        parsed[code] = value
    if parsed and not any(parsed.values()):
        raise ValidationError({"weights": "至少一个指标的权重应大于 0"})
    changed = []
    for code, value in parsed.items():
        ind = indicators[code]
        if ind.weight != value:
            ind.weight = value
            ind.save(update_fields=["weight"])
            changed.append(ind)
    return changed


def _may_change_task(user, task: Task) -> None:
    require(user, "targets.task.update")
    if not Task.objects.restrict(user, "change").filter(pk=task.pk).exists():
        raise PermissionRefused("targets.task.update", "只有牵头单位或科技局可以更新该任务。")


@transaction.atomic
def milestone_add(*, user, task: Task, title: str, due: dt.date) -> Milestone:
    """Add a dated node (节点计划) to a task; lead unit or staff."""
    _may_change_task(user, task)
    if not (title or "").strip():
        raise ValidationError({"title": "节点名称不能为空"})
    if not isinstance(due, dt.date):
        raise ValidationError({"due": "计划完成日期应为 YYYY-MM-DD"})
    return Milestone.objects.create(task=task, title=title.strip(), due=due)


@transaction.atomic
def milestone_done(*, user, milestone: Milestone, done_on: dt.date) -> Milestone:
    """Mark a node done on ``done_on``."""
    _may_change_task(user, milestone.task)
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    return milestone


@transaction.atomic
def task_progress(*, user, task: Task, text: str, percent: int) -> ProgressUpdate:
    """Record a progress update (0–100 %) of a task by its lead unit or staff."""
    _may_change_task(user, task)
    if not (text or "").strip():
        raise ValidationError({"text": "进展情况不能为空"})
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        raise ValidationError({"percent": f"完成进度应为 0–100 的整数，实际为“{percent}”"}) from None
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": f"完成进度应为 0–100，实际为 {percent}"})
    return ProgressUpdate.objects.create(task=task, text=text.strip(), percent=percent, by=account(user), at=timezone.now())


@transaction.atomic
def task_assign(*, user, task: Task, leader: str = "", person: str = "") -> Task:
    """Set the 责任领导 and 具体责任人 of a task (定人员、定责任)."""
    _may_change_task(user, task)
    task.responsible_leader, task.responsible_person = leader.strip()[:60], person.strip()[:60]
    task.save(update_fields=["responsible_leader", "responsible_person"])
    return task
