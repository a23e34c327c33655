"""The rules engine's entry points: one enterprise or a whole population.

- :func:`evaluate` — ``evaluate("hnte", facts, on=date) -> Verdict`` (contract section 3);
- :func:`evaluate_population` — the same criteria over a columnar
  :class:`~kechuang.rules.population.Population`, returning per-row statuses, eligibility
  and score ranges (:class:`BatchVerdicts`).

Both run the scheme's ``evaluate_columns`` on feature columns; they differ only in how
the features are extracted (plain Python for one enterprise, grouped numpy for many).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import import_module
from types import ModuleType

import numpy as np

from .facts import Facts, parse_facts
from .features import features_from_facts, features_from_population
from .params import ParameterSet, earliest_effective, in_force, parameters_for
from .population import Population
from .verdict import STATUS_NAMES, Range, Verdict, eligibility_columns, expr_text, merge_missing

SCHEMES = ("hnte", "tsme", "innovative_sme", "srdi_sme", "little_giant")


class UnknownScheme(ValueError):
    """The scheme name is not one of :data:`SCHEMES`."""

    def __init__(self, scheme: str):
        self.scheme = scheme
        super().__init__(f"未知的认定类型“{scheme}”，可选：{'、'.join(SCHEMES)}")


class NoRulesInForce(ValueError):
    """No scheme has rules in force on the date asked for (e.g. a date before 2016)."""

    def __init__(self, on: _dt.date):
        self.on = on
        first = min(earliest_effective(s) for s in SCHEMES)
        super().__init__(
            f"{on.year}年{on.month}月{on.day}日没有生效的认定办法：本系统收录的认定办法最早自"
            f"{first.year}年{first.month}月{first.day}日起施行，请选择此后的评价日期。")


def schemes_in_force(on: _dt.date, schemes: Iterable[str] = SCHEMES) -> tuple[str, ...]:
    """The schemes among ``schemes`` with a rule version in force on ``on``; raises
    :class:`NoRulesInForce` when there is none."""
    found = tuple(s for s in schemes if in_force(s, on))
    if not found:
        raise NoRulesInForce(on)
    return found


def scheme_module(scheme: str) -> ModuleType:
    """The module implementing ``scheme``."""
    if scheme not in SCHEMES:
        raise UnknownScheme(scheme)
    return import_module(f"kechuang.rules.schemes.{scheme}")


def evaluate(scheme: str, facts: Facts | dict, on: _dt.date | None = None) -> Verdict:
    """Pre-diagnose one enterprise for ``scheme`` with the rules in force on ``on`` (default today)."""
    if isinstance(facts, dict):
        facts = parse_facts(facts)
    on = on or _dt.date.today()
    mod = scheme_module(scheme)
    P = parameters_for(scheme, on)
    F = features_from_facts(facts, on)
    res = mod.evaluate_columns(F, P, on)
    conditions = tuple(mod.explain(F, P, on, res))
    if not P.version.verified:  # a whole rule version still to be confirmed
        conditions = tuple(replace(c, verified=False, note=c.note or P.version.note)
                           for c in conditions)
    elig = int(eligibility_columns(res.expr, res.statuses)[0])
    labels = {c.id: c.label for c in conditions}
    notes = []
    if not P.version.verified:
        notes.append(P.version.note)
    if facts.unknown_keys:
        notes.append("以下字段未识别，已忽略（请检查拼写）：" + "、".join(facts.unknown_keys))
    if P.version.verified and any(not c.verified for c in conditions):
        notes.append("标注“待核实”的条件依据二手资料或本系统解读，请以主管部门最新文件为准。")
    score = None
    if res.score is not None:
        score = Range(int(res.score[0][0]), int(res.score[1][0]))
    return Verdict(
        scheme=scheme, evaluated_on=on, rules_version=P.rules_version,
        rules_title=P.version.title,
        eligible=None if elig < 0 else bool(elig),
        score=score,
        components={k: Range(int(v[0][0]), int(v[1][0])) for k, v in res.components.items()},
        conditions=conditions, missing=merge_missing(conditions),
        eligibility_rule=expr_text(res.expr, labels), notes=tuple(notes),
    )


def evaluate_all(facts: Facts | dict, on: _dt.date | None = None,
                 schemes: Iterable[str] = SCHEMES) -> list[Verdict]:
    """All schemes side by side for one enterprise."""
    if isinstance(facts, dict):
        facts = parse_facts(facts)
    return [evaluate(s, facts, on) for s in schemes]


@dataclass
class BatchVerdicts:
    """Columnar verdicts of one scheme over a population."""

    scheme: str
    on: _dt.date
    rules_version: str
    condition_ids: tuple[str, ...]
    statuses: np.ndarray      # (N, C) int8 status codes, column order = condition_ids
    eligible: np.ndarray      # (N,) int8: 1 true, 0 false, -1 undetermined
    score_min: np.ndarray | None
    score_max: np.ndarray | None
    components: dict[str, tuple[np.ndarray, np.ndarray]]

    def row(self, i: int) -> dict:
        """Row ``i`` in the shape of a Verdict's JSON core (for comparisons and storage)."""
        e = int(self.eligible[i])
        return {
            "eligible": None if e < 0 else bool(e),
            "score": None if self.score_min is None else
            {"min": int(self.score_min[i]), "max": int(self.score_max[i])},
            "components": {k: {"min": int(v[0][i]), "max": int(v[1][i])}
                           for k, v in self.components.items()},
            "conditions": {cid: STATUS_NAMES[int(self.statuses[i, j])]
                           for j, cid in enumerate(self.condition_ids)},
        }


def evaluate_population(scheme: str, pop: Population, on: _dt.date,
                        features: dict | None = None) -> BatchVerdicts:
    """Evaluate ``scheme`` over every enterprise of ``pop`` (vectorised)."""
    mod = scheme_module(scheme)
    P: ParameterSet = parameters_for(scheme, on)
    F = features if features is not None else features_from_population(pop, on)
    res = mod.evaluate_columns(F, P, on)
    ids = tuple(res.statuses)
    st = np.stack([res.statuses[c] for c in ids], axis=1) if ids else np.zeros((pop.n, 0), np.int8)
    return BatchVerdicts(
        scheme=scheme, on=on, rules_version=P.rules_version, condition_ids=ids,
        statuses=st, eligible=eligibility_columns(res.expr, res.statuses),
        score_min=None if res.score is None else np.asarray(res.score[0], dtype=np.int64),
        score_max=None if res.score is None else np.asarray(res.score[1], dtype=np.int64),
        components={k: (np.asarray(v[0]), np.asarray(v[1])) for k, v in res.components.items()},
    )


def evaluate_population_all(pop: Population, on: _dt.date,
                            schemes: Iterable[str] = SCHEMES) -> dict[str, BatchVerdicts]:
    """All schemes over a population, extracting the features once."""
    F = features_from_population(pop, on)
    return {s: evaluate_population(s, pop, on, features=F) for s in schemes}


def verdict_core(v: Verdict) -> dict:
    """The part of a single Verdict that the batch path also computes (for comparisons)."""
    return {
        "eligible": v.eligible,
        "score": v.score.to_json() if v.score else None,
        "components": {k: r.to_json() for k, r in v.components.items()},
        "conditions": {c.id: c.status for c in v.conditions},
    }
