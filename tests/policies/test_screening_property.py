"""The vectorised screening gives the same verdicts as the one-enterprise calculator."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kechuang.policies.engine import PolicyInputError, calculate, enterprise_from_facts
from kechuang.policies.engine.columns import Population
from kechuang.policies.engine.model import policy_from_dict
from kechuang.policies.engine.money import to_units
from kechuang.policies.engine.screening import ELIGIBLE, NEAR, NONE_MAX, screen

# dates clustered around the boundaries that matter
DAYS = [dt.date(2025, 10, 22), dt.date(2025, 10, 23), dt.date(2025, 12, 31), dt.date(2026, 1, 1),
        dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 1),
        dt.date(2027, 12, 31), dt.date(2028, 1, 1), dt.date(2024, 6, 1), dt.date(2019, 1, 1)]
date_s = st.sampled_from(DAYS).map(dt.date.isoformat)
opt = lambda s: st.one_of(st.none(), s)  # noqa: E731
money_s = st.sampled_from([0, 8, 10, 30, 49.99, 50, 60, 100, 120.5, 200, 200.01, 333.33, 1000])

EVENT_FIELDS = {
    "hnte_recognized": {"first_time": st.booleans()},
    "little_giant_recognized": {"first_time": st.booleans()},
    "srdi_provincial_recognized": {"first_time": st.booleans()},
    "challenge_project_accepted": {"subsidy": st.sampled_from([50, 77.5, 200])},
    "incubator_filed": {},
    "incubator_recognized": {"level": st.sampled_from(["national", "provincial", "quanzhou"])},
    "service_org_registered_in_stats": {"independent_legal_entity": st.booleans(), "approved_amount": st.sampled_from([0, 5, 10])},
    "testing_org_established": {"type": st.sampled_from(["testing", "certification"]),
                                "qualification_level": st.sampled_from(["national", "provincial", "below"]),
                                "approved_amount": st.sampled_from([1, 10])},
    "academician_workstation_recognized": {},
    "talent_lab_recognized": {},
    "provincial_rd_subsidy_granted": {"amount": money_s},
    "smart_factory_recognized": {"level": st.sampled_from(["basic", "leading"])},
    "carbon_footprint_rules_published": {"pilot_certified": st.booleans(), "approved_amount": st.sampled_from([3, 30])},
    "incubator_third_party_operation": {"assessed": st.booleans(), "non_fiscal_investment": money_s},
    "settled_in_state_owned_park": {"role": st.sampled_from(["incubator_tenant", "pilot_platform", "producer_service"])},
    "intl_testing_org_introduced": {"export_served": st.booleans(), "approved_amount": st.sampled_from([10, 30])},
    "postgraduate_trained": {"degree": st.sampled_from(["master", "doctor"]), "months": st.integers(1, 12)},
    "mentor_team_rewarded": {"approved_amount": st.sampled_from([50, 100])},
    "talent_recruited_by_org": {"persons": st.integers(1, 4), "approved_amount": st.sampled_from([5, 10])},
    "success_talent_selected": {},
}


@st.composite
def event_s(draw):
    kind = draw(st.sampled_from(sorted(EVENT_FIELDS)))
    e = {"kind": kind, "date": draw(date_s)}
    for name, s in EVENT_FIELDS[kind].items():
        if draw(st.booleans()):
            e[name] = draw(s)
    return e


@st.composite
def qual_s(draw):
    kind = draw(st.sampled_from(["hnte", "srdi_sme", "little_giant", "above_designated_size", "tsme"]))
    q = {"kind": kind}
    a, b = sorted([draw(st.sampled_from(DAYS)), draw(st.sampled_from(DAYS))])
    for key, val in (("first_recognized_on", draw(st.sampled_from(DAYS))), ("valid_from", a), ("valid_until", b)):
        if draw(st.integers(0, 3)):
            q[key] = val.isoformat()
    return q


@st.composite
def facts_s(draw):
    years = []
    for y in draw(st.sets(st.sampled_from([2022, 2023, 2024, 2025, 2026]), max_size=4)):
        item = {"year": y}
        if draw(st.integers(0, 3)):
            item["operating_revenue"] = draw(st.sampled_from([0, 10000, 160000, 199999.99, 200000, 200000.01,
                                                              400000, 500000, 500000.01, 600000]))
        if draw(st.booleans()):
            item["rd_expense"] = draw(st.sampled_from([0, 399, 500, 500.01, 800, 1000, 1000.01, 5000]))
        years.append(item)
    f = {"years": years, "qualifications": draw(st.lists(qual_s(), max_size=3)),
         "events": draw(st.lists(event_s(), max_size=4))}
    if draw(st.booleans()):
        f["established_on"] = draw(date_s)
    return f


def _higher_policy(incubator_amount):
    # a 省-level measure in the same group as 南安 (一) 1a and a non-stacking 县 one, to exercise stacking
    return [policy_from_dict({
        "policy": {"id": "prov", "doc_no": "省测试", "title": "t", "issuer": "t", "level": "省",
                   "effective": "2025-01-01", "expiry": None},
        "measures": [{"id": "prov.1", "article": "一", "title": "省级高企奖励", "citation": "c", "kind": "monetary",
                      "trigger": {"event": "hnte_recognized"}, "benefit": {"kind": "fixed", "amount": "20"},
                      "stacking": {"group": "hnte_recognition"}},
                     {"id": "prov.2", "article": "二", "title": "省级孵化器奖励", "citation": "c", "kind": "monetary",
                      "trigger": {"event": "incubator_filed"}, "benefit": {"kind": "fixed", "amount": incubator_amount},
                      "stacking": {"group": "incubator_filing"}}]})]


def _units(x):
    return NONE_MAX if x is None else to_units(x)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(population=st.lists(facts_s(), min_size=1, max_size=6), year=st.sampled_from([2025, 2026, 2027, 2028]),
       extra=st.sampled_from([None, "5", "8", "10"]))
def test_vector_path_equals_single_path(policies, population, year, extra):
    pols = tuple(policies) + (tuple(_higher_policy(extra)) if extra else ())
    ents = [enterprise_from_facts(f) for f in population]
    singles, raised = [], False
    for e in ents:
        try:
            singles.append(calculate(e, year, pols))
        except PolicyInputError:
            raised = True
    pop = Population.from_enterprises(ents)
    if raised:
        try:
            screen(pop, year, pols)
        except PolicyInputError:
            return
        raise AssertionError("the single path raised but the vector path did not")
    res = screen(pop, year, pols)
    code = {"eligible": ELIGIBLE, "near": NEAR, "ineligible": 0}
    for i, single in enumerate(singles):
        for mc in res.measures:
            o = single.by_id(mc.measure.id)
            got = (int(mc.status[i]), int(mc.amount[i]), int(mc.amount_max[i]),
                   bool(mc.counted[i]) if o.status == "eligible" and mc.measure.benefit.monetary else False)
            want = (code[o.status], _units(o.amount), _units(o.amount_max),
                    o.counted if o.status == "eligible" and mc.measure.benefit.monetary else False)
            if o.status != "eligible":
                got, want = got[:1], want[:1]
            assert got == want, (mc.measure.id, population[i], got, want)
        assert (int(res.total[i]), int(res.total_max[i])) == (to_units(single.total), to_units(single.total_max))
