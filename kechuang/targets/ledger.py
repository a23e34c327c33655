"""工作台账 (task ledger): task list of the seed documents and milestone status (pure Python).

南政办〔2021〕67号 六（二）: “建立工作台账，明确单位任务分工、节点计划以及责任领导、具体责任人，
做到责任内容‘定任务、定目标、定人员、定责任、定进度’”. The tasks shipped are the nine of 附件1
and the twenty measures of 南政规〔2025〕2号 with their 牵头单位 / 责任单位; milestones are set
by the owning units in the platform.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

from .numbers import TargetDataError

__all__ = ["LEDGER_FILE", "TaskSpec", "load_task_specs", "milestone_status", "STATUS_LABELS", "DUE_SOON_DAYS"]

LEDGER_FILE = Path(__file__).resolve().parents[2] / "data" / "targets" / "task_ledger.yaml"
DUE_SOON_DAYS = 7
STATUS_LABELS = {
    "done": "按期完成",
    "done_late": "逾期完成",
    "overdue": "已逾期",
    "due_soon": "临近节点",
    "pending": "推进中",
}


@dataclass(frozen=True)
class TaskSpec:
    """One task as the source document states it."""

    code: str
    source: str
    title: str
    description: str
    lead_units: tuple[str, ...]
    responsible_units: tuple[str, ...]
    group: str = ""
    due: date | None = None


def load_task_specs(path: str | Path = LEDGER_FILE) -> list[TaskSpec]:
    """Read the task list; raises ``TargetDataError`` naming the task and field for bad rows."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    errors: list[str] = []
    specs: list[TaskSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(data.get("tasks") or [], start=1):
        code = str(item.get("code", "")).strip()
        where = f"任务第{index}项（{code or '无编号'}）"
        for key in ("code", "source", "title"):
            if not str(item.get(key, "")).strip():
                errors.append(f"{where} {key}：缺少")
        if code in seen:
            errors.append(f"{where} code：重复")
        seen.add(code)
        units = item.get("responsible_units") or []
        if not units and not item.get("lead_units"):
            errors.append(f"{where} responsible_units：缺少责任单位")
        due = item.get("due")
        if due is not None and not isinstance(due, date):
            errors.append(f"{where} due：应为日期 YYYY-MM-DD，实际为“{due}”")
            due = None
        specs.append(TaskSpec(code=code, source=str(item.get("source", "")), title=str(item.get("title", "")),
                              description=str(item.get("description", "")),
                              lead_units=tuple(item.get("lead_units") or ()),
                              responsible_units=tuple(units), group=str(item.get("group", "")), due=due))
    if errors:
        raise TargetDataError("；\n".join(errors))
    return specs


def milestone_status(due: date, done_on: date | None, today: date) -> str:
    """Status of a milestone due on ``due``: done / done_late / overdue / due_soon / pending.

    Overdue from the day after ``due``; due_soon within ``DUE_SOON_DAYS`` days before it.
    """
    if done_on is not None:
        return "done" if done_on <= due else "done_late"
    if today > due:
        return "overdue"
    if today >= due - timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "pending"
