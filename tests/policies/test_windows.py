"""Every event-triggered measure of 南政规〔2025〕2号 on both sides of its validity dates."""

from __future__ import annotations

import pytest

from kechuang.policies.engine import calculate

# minimal fields that satisfy each measure's own requirements
FIELDS = {
    "nanan-2025-2.1a": ("hnte_recognized", {}),
    "nanan-2025-2.1b": ("little_giant_recognized", {"first_time": True}),
    "nanan-2025-2.1c": ("srdi_provincial_recognized", {"first_time": True}),
    "nanan-2025-2.2": ("challenge_project_accepted", {"subsidy": 100}),
    "nanan-2025-2.3a": ("provincial_rd_subsidy_granted", {}),
    "nanan-2025-2.5": ("smart_factory_recognized", {"level": "basic"}),
    "nanan-2025-2.6": ("carbon_footprint_rules_published", {"pilot_certified": True}),
    "nanan-2025-2.8a": ("incubator_filed", {}),
    "nanan-2025-2.8b": ("incubator_recognized", {"level": "national"}),
    "nanan-2025-2.8c": ("incubator_recognized", {"level": "provincial"}),
    "nanan-2025-2.8d": ("incubator_recognized", {"level": "quanzhou"}),
    "nanan-2025-2.8e": ("incubator_third_party_operation", {"assessed": True, "non_fiscal_investment": 100}),
    "nanan-2025-2.8f": ("settled_in_state_owned_park", {"role": "incubator_tenant"}),
    "nanan-2025-2.10": ("settled_in_state_owned_park", {"role": "pilot_platform"}),
    "nanan-2025-2.11a": ("service_org_registered_in_stats", {"independent_legal_entity": True}),
    "nanan-2025-2.11b": ("settled_in_state_owned_park", {"role": "producer_service"}),
    "nanan-2025-2.12a": ("testing_org_established", {"type": "testing", "qualification_level": "provincial"}),
    "nanan-2025-2.12b": ("testing_org_established", {"type": "certification", "qualification_level": "national"}),
    "nanan-2025-2.12c": ("intl_testing_org_introduced", {"export_served": True}),
    "nanan-2025-2.14a": ("academician_workstation_recognized", {}),
    "nanan-2025-2.14b": ("talent_lab_recognized", {}),
    "nanan-2025-2.14c": ("postgraduate_trained", {"degree": "doctor", "months": 2}),
    "nanan-2025-2.14d": ("mentor_team_rewarded", {}),
    "nanan-2025-2.14e": ("talent_recruited_by_org", {"persons": 1}),
    "nanan-2025-2.15": ("success_talent_selected", {}),
}
# extra facts some measures need besides their event
CONTEXT = {
    "nanan-2025-2.3a": {"qualifications": [{"kind": "above_designated_size", "valid_from": "2015-01-01"}]},
    "nanan-2025-2.8e": {"events": [{"kind": "incubator_filed", "date": "2024-05-01"}]},
}


def test_every_event_measure_is_covered(policies):
    nanan = next(p for p in policies if p.id == "nanan-2025-2")
    event_measures = {m.id for m in nanan.measures if m.trigger is not None and m.trigger.type == "event"}
    assert event_measures == set(FIELDS)


@pytest.mark.parametrize("measure_id", sorted(FIELDS))
@pytest.mark.parametrize("date, year, expected", [
    ("2025-10-22", 2025, "ineligible"), ("2025-10-23", 2025, "eligible"),
    ("2027-12-31", 2027, "eligible"), ("2028-01-01", 2028, "ineligible"),
])
def test_validity_boundaries(policies, measure_id, date, year, expected):
    kind, fields = FIELDS[measure_id]
    facts = {k: [dict(x) for x in v] for k, v in CONTEXT.get(measure_id, {}).items()}
    facts.setdefault("events", []).append({"kind": kind, "date": date, **fields})
    out = calculate(facts, year, policies).by_id(measure_id)
    assert out.status == expected, (measure_id, date, out.basis)
    if expected == "ineligible":
        assert out.amount == 0 and not out.counted
