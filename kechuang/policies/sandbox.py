"""政策沙盘: compare a draft copy of a policy with the policy in force — beneficiaries and fiscal cost
by township and by measure, computed in memory with the vectorised screening (nothing stored,
nothing of the draft reaches real results)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import numpy as np

from .engine.money import from_units
from .engine.screening import ELIGIBLE, screen
from .models import PolicyDocument
from .population import load_population
from .selectors import engine_policies


def _summarise(res, townships, names, policy_code):
    by_measure: dict = {}
    by_township: dict = defaultdict(lambda: {"beneficiaries": 0, "cost": Decimal(0)})
    for mc in res.measures:
        if mc.policy.id != policy_code or not mc.measure.benefit.monetary:
            continue
        paid = (mc.status == ELIGIBLE) & mc.counted
        idx = np.flatnonzero(paid)
        cost = from_units(int(mc.amount[idx].sum())) if len(idx) else Decimal(0)
        by_measure[mc.measure.id] = {"title": mc.measure.title, "beneficiaries": int(len(idx)), "cost": cost}
        for i in idx:
            t = names.get(townships[int(i)], "未知乡镇")
            by_township[t]["beneficiaries"] += 1
            by_township[t]["cost"] += from_units(int(mc.amount[i]))
    return by_measure, dict(by_township)


def sandbox_compare(*, draft: PolicyDocument, year: int, enterprise_qs=None) -> dict:
    """Side-by-side beneficiaries and cost (万元) of ``draft`` against the policy it copies, for ``year``."""
    from kechuang.core.models import Region

    base_doc = draft.based_on
    real = engine_policies()
    trial = tuple(p for p in real if p.id != base_doc.code) + (draft.to_engine(),)
    dbp = load_population(enterprise_qs)
    names = dict(Region.objects.values_list("pk", "name"))
    cur_m, cur_t = _summarise(screen(dbp.population, year, real), dbp.townships, names, base_doc.code)
    new_m, new_t = _summarise(screen(dbp.population, year, trial), dbp.townships, names, draft.code)
    measures = []
    for mid, cur in cur_m.items():
        new = new_m.get(mid, {"beneficiaries": 0, "cost": Decimal(0)})
        measures.append({"id": mid, "title": cur["title"], "current_beneficiaries": cur["beneficiaries"],
                         "draft_beneficiaries": new["beneficiaries"], "current_cost": cur["cost"],
                         "draft_cost": new["cost"], "delta_cost": new["cost"] - cur["cost"]})
    townships = []
    for t in sorted(set(cur_t) | set(new_t)):
        c = cur_t.get(t, {"beneficiaries": 0, "cost": Decimal(0)})
        n = new_t.get(t, {"beneficiaries": 0, "cost": Decimal(0)})
        townships.append({"township": t, "current_beneficiaries": c["beneficiaries"],
                          "draft_beneficiaries": n["beneficiaries"], "current_cost": c["cost"],
                          "draft_cost": n["cost"], "delta_cost": n["cost"] - c["cost"]})
    return {"year": year, "policy": base_doc.doc_no, "draft": draft.doc_no, "measures": measures,
            "townships": townships,
            "current_total": sum((m["current_cost"] for m in measures), Decimal(0)),
            "draft_total": sum((m["draft_cost"] for m in measures), Decimal(0))}
