"""The carriers' rules, each with its source. Pure functions over plain values.

- 逐级认定 (南政规〔2025〕2号 (八) “按照‘本级备案+逐级认定’的培育体系，梯队培育双创载体”): a 双创载体
  (孵化器、众创空间、星创天地) is recognised at a level only after it holds the level below it.
- Policy events (南政规〔2025〕2号 (八)(十四)): the events a new filing or recognition records for the
  operator, which the policy measures pay on.
- Yearly evaluation by the scoring scheme in force on 1 January of the year (data/scoring.yaml);
  two failing evaluations in a row propose cancellation (国科火字〔2019〕239号: 连续两次评价不合格的
  取消资格).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from .models import LEVEL_ORDER, CarrierKind, Level

LADDER_CITATION = "南政规〔2025〕2号 二、（八）“本级备案+逐级认定”"
LADDER_KINDS = frozenset({CarrierKind.INCUBATOR, CarrierKind.MAKER_SPACE, CarrierKind.STAR_SPACE})
CANCEL_CITATION = "国科火字〔2019〕239号：连续两次评价不合格的，取消资格"

# (kind, level) → policy event kind and its fields; the measures of 南政规〔2025〕2号 pay on them.
EVENTS: dict[tuple[str, str], tuple[str, dict]] = {
    (CarrierKind.INCUBATOR, Level.FILED): ("incubator_filed", {}),
    (CarrierKind.INCUBATOR, Level.QUANZHOU): ("incubator_recognized", {"level": "quanzhou"}),
    (CarrierKind.INCUBATOR, Level.PROVINCIAL): ("incubator_recognized", {"level": "provincial"}),
    (CarrierKind.INCUBATOR, Level.NATIONAL): ("incubator_recognized", {"level": "national"}),
    (CarrierKind.ACADEMICIAN_WORKSTATION, Level.QUANZHOU): ("academician_workstation_recognized", {}),
    (CarrierKind.TALENT_LAB, Level.QUANZHOU): ("talent_lab_recognized", {}),
}


# (十) “支持……中试验证平台、概念验证中心……，鼓励国有园区对入驻的上述平台，给予租金减免等支持”: a 中试验证平台
# or 概念验证中心 on record in a state-owned park is the event the (non-monetary) measure (十) reacts to.
PARK_KINDS = frozenset({CarrierKind.PILOT_PLATFORM, CarrierKind.POC_CENTER})


def park_event(kind: str, in_state_owned_park: bool) -> tuple[str, dict] | None:
    """The (十) event of a platform in a state-owned park, or None."""
    if kind in PARK_KINDS and in_state_owned_park:
        return ("settled_in_state_owned_park", {"role": "pilot_platform"})
    return None


def level_below(level: str) -> str | None:
    i = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[i - 1] if i > 0 else None


def ladder_refusal(kind: str, level: str, held: dict[str, dt.date], on: dt.date) -> str | None:
    """Why ``level`` cannot be recorded on ``on`` for a carrier of ``kind`` holding ``held``
    ({level: date recognised}, revoked levels left out); None when it can."""
    if level in held:
        return f"该载体已于 {held[level]:%Y-%m-%d} 取得{Level(level).label}，不能重复认定。"
    if kind not in LADDER_KINDS:
        return None
    below = level_below(level)
    if below is None:
        return None
    if below not in held or held[below] > on:
        return (f"按照“本级备案+逐级认定”，{CarrierKind(kind).label}须先取得{Level(below).label}，"
                f"才能认定为{Level(level).label}（{LADDER_CITATION}）。")
    return None


@dataclass(frozen=True)
class Scheme:
    id: str
    kinds: frozenset
    effective_from: dt.date
    citation: str
    metrics: dict
    grades: list
    failing: frozenset


@lru_cache(maxsize=1)
def schemes() -> tuple[Scheme, ...]:
    raw = yaml.safe_load((Path(__file__).parent / "data" / "scoring.yaml").read_text(encoding="utf-8"))
    out = []
    for s in raw["schemes"]:
        total = sum(Decimal(str(m["weight"])) for m in s["metrics"].values())
        if total != 100:
            raise ValueError(f"评价办法 {s['id']} 的权重合计为 {total}，应为 100")
        out.append(Scheme(s["id"], frozenset(s["kinds"]), s["effective_from"], s["citation"], s["metrics"],
                          [(g, Decimal(str(floor))) for g, floor in s["grades"]], frozenset(s["failing"])))
    return tuple(sorted(out, key=lambda s: s.effective_from))


def scheme_for(kind: str, year: int) -> Scheme:
    """The scheme in force on 1 January of ``year`` for ``kind``."""
    on = dt.date(year, 1, 1)
    found = [s for s in schemes() if kind in s.kinds and s.effective_from <= on]
    if not found:
        raise LookupError(f"{year} 年没有适用于{CarrierKind(kind).label}的评价办法")
    return found[-1]


@dataclass(frozen=True)
class Score:
    scheme: str
    score: Decimal
    grade: str
    passed: bool
    details: list


def score(kind: str, year: int, figures: dict) -> Score:
    """Score the year's figures: each metric earns weight × min(1, value / full_at)."""
    s = scheme_for(kind, year)
    total = Decimal(0)
    details = []
    for metric, spec in s.metrics.items():
        value = Decimal(str(figures.get(metric) or 0))
        full = Decimal(str(spec["full_at"]))
        weight = Decimal(str(spec["weight"]))
        earned = weight * min(Decimal(1), value / full)
        total += earned
        details.append({"metric": metric, "value": str(value), "full_at": str(full), "weight": str(weight),
                        "earned": str(earned.quantize(Decimal("0.1"), ROUND_HALF_UP))})
    total = total.quantize(Decimal("0.1"), ROUND_HALF_UP)
    grade = next(g for g, floor in s.grades if total >= floor)
    return Score(s.id, total, grade, grade not in s.failing, details)
