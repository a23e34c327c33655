"""Verdict model: conditions with status, value, threshold, citation and gap.

``Verdict.to_json()`` gives exactly the JSON of contract section 3 (plus a few extra
keys, which the contract welcomes). Status codes used by the columnar evaluator are the
small integers ``PASS``/``FAIL``/``BORDERLINE``/``MISSING``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import numpy as np

PASS, FAIL, BORDERLINE, MISSING = 0, 1, 2, 3
STATUS_NAMES = ("pass", "fail", "borderline", "missing")
STATUS_LABELS = {"pass": "符合", "fail": "不符合", "borderline": "待专家判断", "missing": "缺少数据"}

SCHEME_TITLES = {
    "hnte": "高新技术企业",
    "tsme": "科技型中小企业",
    "innovative_sme": "创新型中小企业",
    "srdi_sme": "专精特新中小企业",
    "little_giant": "专精特新“小巨人”企业",
}


@dataclass(frozen=True)
class Range:
    """An integer score range; ``min == max`` when fully determined."""

    min: int
    max: int

    def to_json(self) -> dict:
        return {"min": self.min, "max": self.max}


@dataclass(frozen=True)
class Condition:
    """One named, cited criterion and how the enterprise stands on it."""

    id: str
    label: str
    status: str
    citation: str
    value: Any = None
    threshold: Any = None
    gap: str | None = None
    detail: str | None = None
    verified: bool = True
    note: str | None = None
    missing: tuple[str, ...] = ()

    def to_json(self) -> dict:
        out = {"id": self.id, "label": self.label, "status": self.status,
               "value": _jsonable(self.value), "threshold": _jsonable(self.threshold),
               "citation": self.citation, "gap": self.gap}
        if self.detail:
            out["detail"] = self.detail
        out["verified"] = self.verified
        if self.note:
            out["note"] = self.note
        return out


# Eligibility expressions: a condition id, All(...) or Any(...).
@dataclass(frozen=True)
class All:
    """Every member must hold."""

    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Any_:
    """At least one member must hold (alternative paths, e.g. 直接确认)."""

    items: tuple[Expr, ...]


Expr = Union[str, All, Any_]  # noqa: UP007 (recursive alias needs Union at runtime)


def all_of(*items: Expr) -> All:
    """Build an All expression."""
    return All(tuple(items))


def any_of(*items: Expr) -> Any_:
    """Build an Any expression."""
    return Any_(tuple(items))


def eligibility_columns(expr: Expr, statuses: dict[str, np.ndarray]) -> np.ndarray:
    """Tri-state eligibility per row: 1 true, 0 false, -1 undetermined (vectorised)."""
    if isinstance(expr, str):
        s = statuses[expr]
        return np.where(s == PASS, 1, np.where(s == FAIL, 0, -1)).astype(np.int8)
    parts = [eligibility_columns(e, statuses) for e in expr.items]
    stack = np.vstack(parts)
    if isinstance(expr, All):
        return np.where((stack == 0).any(0), 0,
                        np.where((stack == 1).all(0), 1, -1)).astype(np.int8)
    return np.where((stack == 1).any(0), 1,
                    np.where((stack == 0).all(0), 0, -1)).astype(np.int8)


def expr_text(expr: Expr, labels: dict[str, str]) -> str:
    """Human-readable Chinese rendering of an eligibility expression."""
    if isinstance(expr, str):
        return labels.get(expr, expr)
    sep = "且" if isinstance(expr, All) else "或"
    return "（" + f" {sep} ".join(expr_text(e, labels) for e in expr.items) + "）"


@dataclass(frozen=True)
class Verdict:
    """The pre-diagnosis of one enterprise for one scheme on one date."""

    scheme: str
    evaluated_on: _dt.date
    rules_version: str
    rules_title: str
    eligible: bool | None
    score: Range | None
    components: dict[str, Range]
    conditions: tuple[Condition, ...]
    missing: tuple[str, ...]
    eligibility_rule: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str:
        """Chinese name of the scheme."""
        return SCHEME_TITLES[self.scheme]

    def condition(self, cid: str) -> Condition:
        """The condition with id ``cid``."""
        for c in self.conditions:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def top_gap(self) -> str | None:
        """The first actionable gap among failing conditions (or missing inputs)."""
        for c in self.conditions:
            if c.status == "fail" and c.gap:
                return c.gap
        for c in self.conditions:
            if c.status in ("missing", "borderline") and c.gap:
                return c.gap
        return None

    def to_json(self) -> dict:
        """The contract section 3 JSON document."""
        return {
            "scheme": self.scheme,
            "scheme_title": self.title,
            "evaluated_on": self.evaluated_on.isoformat(),
            "rules_version": self.rules_version,
            "rules_title": self.rules_title,
            "eligible": self.eligible,
            "eligibility_rule": self.eligibility_rule,
            "score": self.score.to_json() if self.score else None,
            "components": {k: v.to_json() for k, v in self.components.items()},
            "conditions": [c.to_json() for c in self.conditions],
            "missing": list(self.missing),
            "notes": list(self.notes),
        }


def _jsonable(v: Any) -> Any:
    from decimal import Decimal
    from fractions import Fraction
    if isinstance(v, (Decimal, Fraction)):
        f = float(v)
        return int(f) if f == int(f) and isinstance(v, Decimal) and v == v.to_integral_value() else round(f, 4)
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, Sequence) and not isinstance(v, str):
        return [_jsonable(x) for x in v]
    return v


def merge_missing(conditions: Sequence[Condition]) -> tuple[str, ...]:
    """Sorted unique input keys reported missing by the conditions."""
    seen: dict[str, None] = {}
    for c in conditions:
        for k in c.missing:
            seen.setdefault(k, None)
    return tuple(seen)
