"""Property: the columnar (batch) path gives the same verdict as the single-case path."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kechuang.rules.engine import SCHEMES, evaluate, evaluate_population_all, verdict_core
from kechuang.rules.facts import parse_facts
from kechuang.rules.features import features_from_facts, features_from_population
from kechuang.rules.population import Population

from .strategies import eval_dates, facts_dict


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(facts_dict(), min_size=1, max_size=12), eval_dates)
def test_batch_verdicts_equal_single_verdicts(raw, on):
    facts = [parse_facts(r) for r in raw]
    pop = Population.from_facts(facts)
    batch = evaluate_population_all(pop, on)
    for i, f in enumerate(facts):
        for scheme in SCHEMES:
            single = verdict_core(evaluate(scheme, f, on))
            assert batch[scheme].row(i) == single, (scheme, i, raw[i])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(facts_dict(), min_size=1, max_size=8), eval_dates)
def test_batch_features_equal_single_features(raw, on):
    facts = [parse_facts(r) for r in raw]
    F = features_from_population(Population.from_facts(facts), on)
    for i, f in enumerate(facts):
        one = features_from_facts(f, on)
        assert set(one) == set(F)
        for k, v in one.items():
            assert np.array_equal(np.asarray(F[k][i]), v[0]), (k, raw[i])


def test_sub_population_gives_same_rows():
    """Rows do not leak into each other: evaluating a subset gives the same rows."""
    import datetime as dt
    raw = [{"employees": 10, "tech_staff": t, "years": [{"year": 2025, "rd_expense": t}]}
           for t in range(10)]
    pop = Population.from_facts([parse_facts(r) for r in raw])
    on = dt.date(2026, 6, 30)
    full = evaluate_population_all(pop, on)
    sub = evaluate_population_all(pop.take(np.array([7, 2])), on)
    for s in SCHEMES:
        assert sub[s].row(0) == full[s].row(7)
        assert sub[s].row(1) == full[s].row(2)
