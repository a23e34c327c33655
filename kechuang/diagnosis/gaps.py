"""Top-gap texts for lists and exports of stored results.

The stored result keeps the id of the first unmet condition of the enterprise's next target;
the full, numeric gap text ("近三年研发费用还差 27.0 万元") comes from the single-case path, run
for the listed enterprises only (up to ``limit``); beyond that the condition's label is shown.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from kechuang.rules.engine import evaluate
from kechuang.rules.facts import parse_facts


@lru_cache(maxsize=64)
def condition_labels(scheme: str, on: dt.date) -> dict[str, str]:
    """Condition id → Chinese label for ``scheme`` under the rules in force on ``on``."""
    return {c.id: c.label for c in evaluate(scheme, {}, on).conditions}


def top_gap_texts(results, on: dt.date, limit: int = 3000) -> dict[int, str]:
    """result pk → the actionable gap of its top condition (label only beyond ``limit`` rows)."""
    from kechuang.enterprises.facts import facts_for_population
    from kechuang.enterprises.models import Enterprise

    results = [r for r in results if r.target_scheme and r.top_condition]
    out: dict[int, str] = {}
    detailed = results[:limit]
    if detailed:
        pf = facts_for_population(Enterprise.objects.filter(pk__in=[r.enterprise_id for r in detailed]), on=on)
        facts = pf.by_id()
        for r in detailed:
            v = evaluate(r.target_scheme, parse_facts(facts[r.enterprise_id]), on)
            try:
                c = v.condition(r.top_condition)
            except KeyError:
                continue
            out[r.pk] = f"{c.label}：{c.gap}" if c.gap else c.label
    for r in results[limit:]:
        out[r.pk] = condition_labels(r.target_scheme, on).get(r.top_condition, r.top_condition)
    return out
