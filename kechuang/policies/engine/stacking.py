"""The stacking rule: 就高、从优、不重复 within one level; 在上级奖励基础上叠加 across levels.

Applied per enterprise to the *eligible monetary* outcomes, group by group (a measure
without a group is its own group):

1. Within one level of government, only the best measure of the group counts
   (largest amount, then largest upper bound, then the first in policy order).
2. Across levels, top-down: the highest level's winner counts; a lower level's winner
   that 叠加 (``stacks_on_higher``) adds to it; one that does not replaces the counted
   ones only when it alone is larger (就高), otherwise it is not paid (不重复).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

from .model import LEVEL_RANK
from .money import fmt_wan


class Stackable(Protocol):
    """What stacking needs of an outcome."""

    group: str
    level: str
    order: int
    title: str
    stacks_on_higher: bool
    amount: object
    amount_max: object
    counted: bool
    stacking: str


def _key(o) -> tuple:
    mx = o.amount if o.amount_max is None else o.amount_max
    return (o.amount, mx, -o.order)


def apply_stacking(outcomes: list) -> list[str]:
    """Set ``counted`` and ``stacking`` on each outcome; return trace lines (Chinese)."""
    trace: list[str] = []
    groups: dict[str, list] = defaultdict(list)
    for o in outcomes:
        groups[o.group].append(o)
    for members in groups.values():
        by_level: dict[str, list] = defaultdict(list)
        for o in members:
            by_level[o.level].append(o)
        winners = []
        for level in sorted(by_level, key=LEVEL_RANK.__getitem__):
            lst = by_level[level]
            best = max(lst, key=_key)
            winners.append(best)
            for o in lst:
                if o is not best:
                    o.counted = False
                    o.stacking = (f"不重复：与同级的“{best.title}”（{fmt_wan(best.amount)}）交叉重叠，"
                                  f"按“就高，从优，不重复”只取较高者")
                    trace.append(f"“{o.title}”与“{best.title}”同属{level}级同类奖励，就高取“{best.title}”，"
                                 f"“{o.title}”不重复计入。")
        counted: list = []
        acc = None
        for w in winners:
            if not counted:
                counted, acc = [w], w.amount
                w.counted = True
                w.stacking = ("在上级奖励基础上叠加（本级奖励，另可享受上级奖励）" if w.stacks_on_higher
                              else "计入合计")
                continue
            higher = "、".join(f"“{c.title}”" for c in counted)
            if w.stacks_on_higher:
                w.counted = True
                counted.append(w)
                acc += w.amount
                w.stacking = f"在上级奖励基础上叠加：与{higher}叠加享受"
                trace.append(f"“{w.title}”（{w.level}级）原文规定“在上级奖励基础上”给予，与{higher}叠加计入。")
            elif w.amount > acc:
                for c in counted:
                    c.counted = False
                    c.stacking = f"不重复：“{w.title}”（{w.level}级）金额更高，就高取之"
                trace.append(f"“{w.title}”（{w.level}级）不叠加上级奖励，且高于{higher}合计{fmt_wan(acc)}，就高取“{w.title}”。")
                w.counted = True
                w.stacking = f"就高：高于上级同类奖励{higher}，取本级"
                counted, acc = [w], w.amount
            else:
                w.counted = False
                w.stacking = f"不重复：上级同类奖励{higher}已不低于本项，就高取上级"
                trace.append(f"“{w.title}”（{w.level}级）未规定叠加，上级同类奖励{higher}不低于本项，不重复计入。")
    return trace
