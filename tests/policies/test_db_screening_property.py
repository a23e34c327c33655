"""The screening run from the database stores exactly what the one-enterprise calculator says."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kechuang.policies import services
from kechuang.policies.engine import calculate
from kechuang.policies.models import Case, PolicyEvent
from kechuang.policies.reference import load_reference_data
from kechuang.policies.selectors import engine_policies

from .test_screening_property import DAYS

pytestmark = pytest.mark.django_db

money = st.sampled_from([Decimal("150000"), Decimal("199999.99"), Decimal("200000.01"), Decimal("500000.01"),
                         Decimal("1000.000001"), Decimal("333.33")])
day = st.sampled_from(DAYS)


@st.composite
def enterprise_data(draw):
    years = {y: draw(money) for y in draw(st.sets(st.sampled_from([2023, 2024, 2025]), max_size=3))}
    quals = []
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["hnte", "above_designated_size", "srdi_sme"]))
        a, b = sorted([draw(day), draw(day)])
        quals.append((kind, draw(st.one_of(st.none(), day)), a, b))
    events = []
    for _ in range(draw(st.integers(0, 2))):
        kind, fields = draw(st.sampled_from([
            ("hnte_recognized", {}), ("incubator_recognized", {"level": "provincial"}),
            ("challenge_project_accepted", {"subsidy": "88.5"}), ("little_giant_recognized", {"first_time": True}),
            ("incubator_third_party_operation", {"assessed": True, "non_fiscal_investment": "333.33"}),
            ("incubator_filed", {})]))
        events.append((kind, draw(day), fields))
    return years, quals, events


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.lists(enterprise_data(), min_size=1, max_size=3), year=st.sampled_from([2025, 2026, 2027]))
def test_db_screening_matches_single_path(world, data, year):
    from kechuang.enterprises.models import FiscalYear, Qualification

    load_reference_data()
    Case.objects.all().delete()
    PolicyEvent.objects.all().delete()
    FiscalYear.objects.all().delete()
    Qualification.objects.all().delete()
    ents = [world.enterprise_a, world.enterprise_b, world.enterprise_a][:len(data)]
    facts_by_ent: dict = {}
    for ent, (years, quals, events) in zip(ents, data, strict=True):
        f = facts_by_ent.setdefault(ent.pk, {"years": {}, "qualifications": [], "events": []})
        for y, rev in years.items():
            FiscalYear.objects.update_or_create(enterprise=ent, year=y, defaults={"operating_revenue": rev})
            f["years"][y] = rev
        for kind, first, a, b in quals:
            Qualification.objects.create(enterprise=ent, kind=kind, first_recognized_on=first, valid_from=a,
                                         valid_until=b)
            f["qualifications"].append({"kind": kind, "first_recognized_on": first and first.isoformat(),
                                        "valid_from": a.isoformat(), "valid_until": b.isoformat()})
        for kind, when, fields in events:
            services.policy_event_record(user=world.staff, enterprise=ent, kind=kind, date=when.isoformat(),
                                         fields=fields)
            f["events"].append({"kind": kind, "date": when.isoformat(), **fields})
    services.screening_run(user=world.staff, year=year)
    stored = {(c.enterprise_id, c.measure.code): (c.amount, c.amount_max) for c in Case.objects.select_related("measure")}
    expected = {}
    for pk, f in facts_by_ent.items():
        facts = {"years": [{"year": y, "operating_revenue": float(v)} for y, v in f["years"].items()],
                 "qualifications": [{k: v for k, v in q.items() if v is not None} for q in f["qualifications"]],
                 "events": [{k: (float(v) if k in ("subsidy", "non_fiscal_investment") else v) for k, v in e.items()}
                            for e in f["events"]]}
        res = calculate(facts, year, engine_policies())
        for o in res.outcomes:
            if o.status == "eligible" and o.measure.benefit.monetary:
                expected[(pk, o.measure.id)] = (o.amount, o.amount_max)
    assert stored == expected
