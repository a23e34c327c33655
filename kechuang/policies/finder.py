"""政策找企: for one measure, the enterprises (in the user's scope) that qualify in a year, and those
that nearly qualify with the condition they miss — the same screening engine as 免申即享, run for
one policy over a filtered population."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kechuang.enterprises import vocab
from kechuang.enterprises.models import Enterprise

from .engine.calculator import evaluate_measure
from .engine.model import BENEFIT_KIND_LABELS
from .engine.money import from_units
from .engine.screening import ELIGIBLE, NEAR, NONE_MAX, screen
from .models import Measure
from .population import load_population
from .selectors import engine_policies

NEAR_LIMIT = 300  # near-misses explained one by one (each runs the single-enterprise path)


@dataclass
class Found:
    enterprise: Enterprise
    status: str          # "eligible" / "near"
    amount: object       # 万元; None for a non-monetary measure
    missing: str         # the condition an almost-qualifying enterprise lacks
    amount_max: object = None    # the top of a range (None: fixed, or still to be determined)
    undetermined: bool = False   # the amount is set when the case is verified (金额待核定)
    benefit: str = ""            # what a non-monetary measure gives, in words (never an amount of 0)


def industry_codes(group: str) -> list[str]:
    """The industry codes of one of the seed documents' industry groups (石材陶瓷 …)."""
    return [code for code, g in vocab.INDUSTRY_GROUPS.items() if g == group]


def enterprises_for_measure(user, measure: Measure, year: int, *, township: int | None = None,
                            industry: str = "") -> list[Found]:
    """Enterprises the user may see that qualify (eligible) or nearly qualify (near) for ``measure`` in ``year``."""
    qs = Enterprise.objects.restrict(user, "view")
    if township:
        qs = qs.filter(township_id=township)
    if industry:
        qs = qs.filter(industry_code__in=industry_codes(industry))
    policy = next((p for p in engine_policies() if p.id == measure.policy.code), None)
    if policy is None:
        return []
    engine_measure = next((m for m in policy.measures if m.id == measure.code), None)
    if engine_measure is None:
        return []
    dbp = load_population(qs)
    if dbp.population.n == 0:
        return []
    res = screen(dbp.population, year, [policy])
    mc = next(c for c in res.measures if c.measure.id == measure.code)
    eligible = [int(i) for i in np.flatnonzero(mc.status == ELIGIBLE)]
    near = [int(i) for i in np.flatnonzero(mc.status == NEAR)][:NEAR_LIMIT]
    dbp.prepare(set(eligible) | set(near))
    ents = Enterprise.objects.in_bulk([dbp.enterprise_ids[i] for i in eligible + near])
    out = []
    b = engine_measure.benefit
    for i in eligible:
        ent = ents[dbp.enterprise_ids[i]]
        if not b.monetary:
            out.append(Found(ent, "eligible", None, "", benefit=b.description or BENEFIT_KIND_LABELS[b.kind]))
            continue
        amax = int(mc.amount_max[i])
        out.append(Found(ent, "eligible", from_units(int(mc.amount[i])), "",
                         amount_max=None if amax == NONE_MAX else from_units(amax), undetermined=amax == NONE_MAX))
    for i in near:
        o = evaluate_measure(engine_measure, policy, dbp.enterprise(i), year)
        out.append(Found(ents[dbp.enterprise_ids[i]], "near", None, "；".join(o.missing_conditions) or "差一个条件"))
    out.sort(key=lambda f: (f.status != "eligible", f.enterprise.township_id or 0, f.enterprise.name))
    return out
