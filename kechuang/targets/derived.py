"""Derived actuals: figures the platform can compute itself, shown beside the reported ones.

* 高新技术企业数量 — per township, the enterprises holding a 高企 certificate valid on a date
  (stock; 南政办〔2021〕67号 附件2 备注: “任务指标为有效期内的高新技术企业存量数”), read from the
  enterprise registry (``kechuang.enterprises``: Qualification kind ``hnte``).
* 全社会研发经费投入 — per township, the sum of the enterprises' yearly 研究开发费用 (FiscalYear).
* 技术合同认定登记成交额 — per township, the registered technology contracts of the year. The
  tech market's ``contract_turnover_by_township(start, end)`` (kechuang/techmarket/selectors.py)
  is read by default; any app may replace a source with
  ``register_derived_source(code, func)`` where ``func(year, on) -> {region_id: Decimal}``.

Every source returns ``{region_id: Decimal}``; a source whose models do not exist yet returns
None (“no derived figure”), never zeros.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q, Sum

__all__ = ["count_valid_on", "derived_actuals", "register_derived_source", "DERIVED_INDICATORS", "has_derived",
           "register_task_figures", "task_figures"]

Source = Callable[[int, dt.date], "dict[int, Decimal] | None"]
_SOURCES: dict[str, Source] = {}


def count_valid_on(certificates: Iterable[tuple[object, dt.date | None, dt.date | None]], on: dt.date) -> Counter:
    """Count certificates valid on ``on`` per key: valid_from ≤ on ≤ valid_until (open ends allowed)."""
    counts: Counter = Counter()
    for key, valid_from, valid_until in certificates:
        if (valid_from is None or valid_from <= on) and (valid_until is None or on <= valid_until):
            counts[key] += 1
    return counts


def register_derived_source(indicator_code: str, func: Source) -> None:
    """Let another app supply the derived figures of an indicator (e.g. the tech market's contracts)."""
    _SOURCES[indicator_code] = func


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _has_fields(model, *names: str) -> bool:
    try:
        for name in names:
            model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _hnte_count(year: int, on: dt.date) -> dict[int, Decimal] | None:
    model = _model("enterprises.Qualification")
    if model is None or not _has_fields(model, "kind", "valid_from", "valid_until", "enterprise"):
        return None
    valid = (Q(kind="hnte") & (Q(valid_from__isnull=True) | Q(valid_from__lte=on))
             & (Q(valid_until__isnull=True) | Q(valid_until__gte=on)))
    rows = (model.objects.filter(valid).values("enterprise__township")
            .annotate(n=Count("enterprise", distinct=True)))
    return {r["enterprise__township"]: Decimal(r["n"]) for r in rows}


def _rd_investment(year: int, on: dt.date) -> dict[int, Decimal] | None:
    model = _model("enterprises.FiscalYear")
    if model is None or not _has_fields(model, "year", "rd_expense", "enterprise"):
        return None
    rows = (model.objects.filter(year=year, rd_expense__isnull=False).values("enterprise__township")
            .annotate(total=Sum("rd_expense")))
    return {r["enterprise__township"]: Decimal(r["total"]) for r in rows}


def _tech_contract_turnover(year: int, on: dt.date) -> dict[int, Decimal] | None:
    """Contracts registered from 1 January of ``year`` up to ``on``, by the tech market's own selector."""
    try:
        from kechuang.techmarket.selectors import contract_turnover_by_township
    except ImportError:
        return None
    end = min(on, dt.date(year, 12, 31))
    if end < dt.date(year, 1, 1):
        return {}
    return {rid: Decimal(total) for rid, total in
            contract_turnover_by_township(start=dt.date(year, 1, 1), end=end).items() if rid is not None}


_DEFAULTS: dict[str, Source] = {
    "hnte_count": _hnte_count,
    "rd_investment": _rd_investment,
    "tech_contract_turnover": _tech_contract_turnover,
}
DERIVED_INDICATORS = tuple(_DEFAULTS)


def has_derived(indicator_code: str) -> bool:
    """Whether the platform computes ``indicator_code`` (a default source or one an app registered,
    e.g. the carriers' platforms or the talent teams)."""
    return indicator_code in _SOURCES or indicator_code in _DEFAULTS


# 工作台账 tasks fed by platform data: a task of 附件1 has no numeric target, but an app may state
# what its rows show for it (e.g. the 科技特派员 services for 附件1 第7项).
TaskFigures = Callable[..., "list[dict]"]
_TASK_SOURCES: dict[str, TaskFigures] = {}


def register_task_figures(task_code: str, func: TaskFigures) -> None:
    """``func(user, year) -> [{"label": …, "value": Decimal|int, "unit": …, "note": …}]`` (row-scoped
    by ``user``) is shown on the task's page as 系统核算."""
    _TASK_SOURCES[task_code] = func


def task_figures(task_code: str, user, year: int) -> list[dict] | None:
    func = _TASK_SOURCES.get(task_code)
    return None if func is None else func(user, year)


def derived_actuals(indicator_code: str, year: int, on: dt.date) -> dict[int, Decimal] | None:
    """``{region_id: value}`` computed by the platform for ``indicator_code``, or None when unknown.

    ``on`` is the reference date: stock indicators count on that date, flow indicators sum
    the year up to it.
    """
    source = _SOURCES.get(indicator_code) or _DEFAULTS.get(indicator_code)
    if source is None:
        return None
    return source(year, on)
