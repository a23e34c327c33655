"""南政规〔2025〕2号: each encoded measure on both sides of its conditions and dates."""

from __future__ import annotations

import pytest

from kechuang.policies.engine import PolicyInputError

from .conftest import ev, hnte, m

# --- （一） ---------------------------------------------------------------------------

@pytest.mark.parametrize("date, status, amount, total", [
    ("2025-10-22", "ineligible", 0.0, 0.0),   # the day before 施行 earns nothing
    ("2025-10-23", "eligible", 10.0, 10.0),   # 施行 day
])
def test_hnte_recognition_effective_date(calc, date, status, amount, total):
    r = calc({"events": [ev("hnte_recognized", date, first_time=True)]}, year=2025)
    out = m(r, "nanan-2025-2.1a")
    assert (out["status"], out["amount"], r["total"]) == (status, amount, total)
    if status == "ineligible":
        assert "不在有效期内" in out["basis"]


@pytest.mark.parametrize("date, year, status", [
    ("2027-12-31", 2027, "eligible"), ("2028-01-01", 2028, "ineligible")])
def test_hnte_recognition_expiry(calc, date, year, status):
    r = calc({"events": [ev("hnte_recognized", date)]}, year=year)
    assert m(r, "nanan-2025-2.1a")["status"] == status


def test_hnte_re_recognition_also_counts(calc):
    r = calc({"events": [ev("hnte_recognized", "2026-11-30", first_time=False)]})
    assert m(r, "nanan-2025-2.1a")["amount"] == 10.0


def test_hnte_recognition_in_another_year_is_not_counted(calc):
    r = calc({"events": [ev("hnte_recognized", "2026-11-30")]}, year=2027)
    assert m(r, "nanan-2025-2.1a")["status"] == "ineligible" and r["total"] == 0.0


def test_hnte_recognition_read_from_qualification_history(calc):
    facts = {"qualifications": [hnte("2026-12-05", "2029-12-04", first="2020-11-01")]}
    assert m(calc(facts), "nanan-2025-2.1a")["amount"] == 10.0
    assert m(calc(facts, year=2025), "nanan-2025-2.1a")["status"] == "ineligible"


@pytest.mark.parametrize("first_time, status, amount", [(True, "eligible", 50.0), (False, "ineligible", 0.0),
                                                        (None, "near", 0.0)])
def test_little_giant_first_time(calc, first_time, status, amount):
    e = ev("little_giant_recognized", "2026-07-01")
    if first_time is not None:
        e["first_time"] = first_time
    out = m(calc({"events": [e]}), "nanan-2025-2.1b")
    assert (out["status"], out["amount"]) == (status, amount)
    if status == "near":
        assert out["missing_conditions"] == ["首次认定：缺少是否首次"]
        assert out["amount_if_met"] == 50.0


def test_provincial_srdi_first_time(calc):
    assert m(calc({"events": [ev("srdi_provincial_recognized", "2026-07-01", first_time=True)]}),
             "nanan-2025-2.1c")["amount"] == 10.0
    assert m(calc({"events": [ev("srdi_provincial_recognized", "2026-07-01", first_time=False)]}),
             "nanan-2025-2.1c")["status"] == "ineligible"


def test_srdi_from_qualification_first_time_derived(calc):
    first = {"qualifications": [{"kind": "srdi_sme", "first_recognized_on": "2026-04-01",
                                 "valid_from": "2026-04-01", "valid_until": "2029-03-31"}]}
    renewal = {"qualifications": [{"kind": "srdi_sme", "first_recognized_on": "2023-04-01",
                                   "valid_from": "2026-04-01", "valid_until": "2029-03-31"}]}
    assert m(calc(first), "nanan-2025-2.1c")["amount"] == 10.0
    assert m(calc(renewal), "nanan-2025-2.1c")["status"] == "ineligible"


def test_land_and_energy_guarantee_needs_a_qualification_in_the_year(calc):
    held = calc({"qualifications": [hnte("2024-01-01", "2026-01-01")]})
    assert m(held, "nanan-2025-2.1d")["status"] == "eligible"
    assert m(held, "nanan-2025-2.1d")["benefit_kind"] == "non_monetary"
    assert m(held, "nanan-2025-2.1e")["status"] == "eligible"
    lapsed = calc({"qualifications": [hnte("2022-01-01", "2025-12-31")]})
    assert m(lapsed, "nanan-2025-2.1d")["status"] == "ineligible"
    assert held["total"] == 0.0


# --- （二） ---------------------------------------------------------------------------

@pytest.mark.parametrize("subsidy", [50, 200, 120.5])
def test_challenge_subsidy_inside_range(calc, subsidy):
    out = m(calc({"events": [ev("challenge_project_accepted", "2026-06-01", subsidy=subsidy)]}), "nanan-2025-2.2")
    assert (out["amount"], out["amount_max"]) == (subsidy, subsidy)


@pytest.mark.parametrize("subsidy", [49.99, 200.01, 0])
def test_challenge_subsidy_outside_range_is_an_error(calc, subsidy):
    with pytest.raises(PolicyInputError) as exc:
        calc({"events": [ev("challenge_project_accepted", "2026-06-01", subsidy=subsidy)]})
    assert exc.value.key == "events[0].subsidy"
    assert "50万元~200万元" in exc.value.message and "南政规〔2025〕2号" in exc.value.message


def test_challenge_without_subsidy_gives_the_range(calc):
    r = calc({"events": [ev("challenge_project_accepted", "2026-06-01")]})
    assert (m(r, "nanan-2025-2.2")["amount"], m(r, "nanan-2025-2.2")["amount_max"]) == (50.0, 200.0)
    assert (r["total"], r["total_max"]) == (50.0, 200.0)


def test_challenge_projects_of_one_year_add_up(calc):
    r = calc({"events": [ev("challenge_project_accepted", "2026-06-01", subsidy=60),
                         ev("challenge_project_accepted", "2026-09-01", subsidy=80)]})
    assert m(r, "nanan-2025-2.2")["amount"] == 140.0


# --- （三） ---------------------------------------------------------------------------

def test_provincial_rd_subsidy_matching_is_dependent_and_undetermined(calc):
    above = {"qualifications": [{"kind": "above_designated_size", "first_recognized_on": "2020-01-01",
                                 "valid_from": "2020-01-01"}],
             "events": [ev("provincial_rd_subsidy_granted", "2026-05-01", amount=30)]}
    out = m(calc(above), "nanan-2025-2.3a")
    assert out["status"] == "eligible" and out["dependent"] is True
    assert out["amount"] == 0.0 and out["amount_max"] is None
    r = calc(above)
    assert "nanan-2025-2.3a" in r["undetermined"] and any("待按上级政策" in t for t in r["trace"])
    small = {"events": [ev("provincial_rd_subsidy_granted", "2026-05-01", amount=30)]}
    near = m(calc(small), "nanan-2025-2.3a")
    assert near["status"] == "near" and "规上企业或规下高新技术企业" in near["missing_conditions"][0]


@pytest.mark.parametrize("rd, revenue, status", [
    (500, 10000, "near"),           # exactly 5 %: not 超 5 %; 4 %+ is near
    (500.01, 10000, "eligible"),    # just over 5 %
    (1000, 100000, "near"),         # exactly 1000 万 (not 超), within reach of the line
    (1000.01, 100000, "eligible"),
    (700, 100000, "ineligible"),    # 0.7 %, 700 万: far from both lines
    (399, 10000, "ineligible"),     # 3.99 % < 0.8 × 5 %
])
def test_rd_intensity_resource_priority(calc, rd, revenue, status):
    facts = {"years": [{"year": 2025, "rd_expense": rd, "operating_revenue": revenue}]}
    assert m(calc(facts), "nanan-2025-2.3b")["status"] == status


def test_rd_intensity_uses_previous_fiscal_year(calc):
    facts = {"years": [{"year": 2026, "rd_expense": 2000, "operating_revenue": 10000}]}
    assert m(calc(facts), "nanan-2025-2.3b")["status"] == "ineligible"
    assert m(calc(facts, year=2027), "nanan-2025-2.3b")["status"] == "eligible"


# --- （五）（六） -----------------------------------------------------------------------

def test_smart_factory_dependent(calc):
    out = m(calc({"events": [ev("smart_factory_recognized", "2026-03-01", level="advanced")]}), "nanan-2025-2.5")
    assert out["status"] == "eligible" and out["amount_max"] is None and out["dependent"]


def test_carbon_footprint_up_to_30(calc):
    base = ev("carbon_footprint_rules_published", "2026-03-01", pilot_certified=True)
    out = m(calc({"events": [base]}), "nanan-2025-2.6")
    assert (out["amount"], out["amount_max"]) == (0.0, 30.0)
    assert m(calc({"events": [dict(base, approved_amount=30)]}), "nanan-2025-2.6")["amount"] == 30.0
    with pytest.raises(PolicyInputError, match="最高30万元"):
        calc({"events": [dict(base, approved_amount=30.01)]})
    assert m(calc({"events": [dict(base, pilot_certified=False)]}), "nanan-2025-2.6")["status"] == "ineligible"


# --- （八） ---------------------------------------------------------------------------

def test_incubator_filing(calc):
    assert m(calc({"events": [ev("incubator_filed", "2026-02-01")]}), "nanan-2025-2.8a")["amount"] == 8.0
    assert m(calc({"events": [ev("incubator_filed", "2025-10-22")]}, 2025), "nanan-2025-2.8a")["amount"] == 0.0


@pytest.mark.parametrize("level, mid, amount", [("national", "nanan-2025-2.8b", 100.0),
                                                 ("provincial", "nanan-2025-2.8c", 50.0),
                                                 ("quanzhou", "nanan-2025-2.8d", 25.0)])
def test_incubator_recognition_levels(calc, level, mid, amount):
    r = calc({"events": [ev("incubator_recognized", "2026-05-01", level=level)]})
    assert m(r, mid)["amount"] == amount and r["total"] == amount


def test_incubator_recognized_twice_in_a_year_takes_the_higher(calc):
    r = calc({"events": [ev("incubator_recognized", "2026-03-01", level="quanzhou"),
                         ev("incubator_recognized", "2026-10-01", level="provincial")]})
    assert r["total"] == 50.0
    assert m(r, "nanan-2025-2.8d")["counted"] is False
    assert "就高" in m(r, "nanan-2025-2.8d")["stacking"]


@pytest.mark.parametrize("base, amount", [(200, 60.0), ("333.33", 99.999), ("333.34", 100.0), (1000, 100.0)])
def test_third_party_operation_share_with_cap(calc, base, amount):
    facts = {"events": [ev("incubator_filed", "2025-12-01"),
                        ev("incubator_third_party_operation", "2026-08-01", assessed=True, non_fiscal_investment=base)]}
    assert m(calc(facts), "nanan-2025-2.8e")["amount"] == amount


def test_third_party_operation_needs_filing_and_assessment(calc):
    no_filing = {"events": [ev("incubator_third_party_operation", "2026-08-01", assessed=True,
                               non_fiscal_investment=100)]}
    out = m(calc(no_filing), "nanan-2025-2.8e")
    assert out["status"] == "near" and "备案" in out["missing_conditions"][0]
    failed = {"events": [ev("incubator_filed", "2025-12-01"),
                         ev("incubator_third_party_operation", "2026-08-01", assessed=False, non_fiscal_investment=100)]}
    assert m(calc(failed), "nanan-2025-2.8e")["status"] == "ineligible"


@pytest.mark.parametrize("role, mid", [("incubator_tenant", "nanan-2025-2.8f"), ("pilot_platform", "nanan-2025-2.10"),
                                       ("producer_service", "nanan-2025-2.11b")])
def test_rent_relief_is_non_monetary(calc, role, mid):
    r = calc({"events": [ev("settled_in_state_owned_park", "2026-01-05", role=role)]})
    assert m(r, mid)["status"] == "eligible" and m(r, mid)["benefit_kind"] == "non_monetary"
    assert r["total"] == 0.0
    others = {"nanan-2025-2.8f", "nanan-2025-2.10", "nanan-2025-2.11b"} - {mid}
    assert all(m(r, o)["status"] == "ineligible" for o in others)


# --- （十一）（十二） --------------------------------------------------------------------

def test_service_org_registered(calc):
    e = ev("service_org_registered_in_stats", "2026-12-31", independent_legal_entity=True)
    out = m(calc({"events": [e]}), "nanan-2025-2.11a")
    assert (out["status"], out["amount"], out["amount_max"]) == ("eligible", 0.0, 10.0)
    assert m(calc({"events": [dict(e, approved_amount=10)]}), "nanan-2025-2.11a")["amount"] == 10.0
    with pytest.raises(PolicyInputError):
        calc({"events": [dict(e, approved_amount=10.5)]})
    assert m(calc({"events": [dict(e, independent_legal_entity=False)]}), "nanan-2025-2.11a")["status"] == "ineligible"


@pytest.mark.parametrize("kind, level, mid, status, cap", [
    ("testing", "provincial", "nanan-2025-2.12a", "eligible", 10.0),
    ("testing", "below", "nanan-2025-2.12a", "ineligible", 0.0),
    ("certification", "national", "nanan-2025-2.12b", "eligible", 15.0),
    ("certification", None, "nanan-2025-2.12b", "near", 0.0),
])
def test_testing_and_certification_orgs(calc, kind, level, mid, status, cap):
    e = ev("testing_org_established", "2026-04-01", type=kind)
    if level:
        e["qualification_level"] = level
    out = m(calc({"events": [e]}), mid)
    assert out["status"] == status and out["amount_max"] == cap


def test_international_testing_org(calc):
    ok = ev("intl_testing_org_introduced", "2026-04-01", export_served=True)
    assert m(calc({"events": [ok, ok]}), "nanan-2025-2.12c")["amount_max"] == 60.0   # 每引进一家
    assert m(calc({"events": [dict(ok, export_served=False)]}), "nanan-2025-2.12c")["status"] == "ineligible"


# --- （十四）（十五） -------------------------------------------------------------------

def test_talent_platforms(calc):
    r = calc({"events": [ev("academician_workstation_recognized", "2026-01-01"),
                         ev("talent_lab_recognized", "2026-01-01")]})
    assert (m(r, "nanan-2025-2.14a")["amount"], m(r, "nanan-2025-2.14b")["amount"], r["total"]) == (100.0, 25.0, 125.0)


@pytest.mark.parametrize("events, amount", [
    ([("master", 12)], 1.2), ([("doctor", 6)], 1.2), ([("master", 1)], 0.1), ([("master", 10), ("doctor", 12)], 3.4)])
def test_postgraduate_allowance_per_month(calc, events, amount):
    facts = {"events": [ev("postgraduate_trained", "2026-12-01", degree=d, months=n) for d, n in events]}
    assert m(calc(facts), "nanan-2025-2.14c")["amount"] == amount


@pytest.mark.parametrize("months", [0, 13])
def test_postgraduate_months_out_of_range(calc, months):
    with pytest.raises(PolicyInputError) as exc:
        calc({"events": [ev("postgraduate_trained", "2026-12-01", degree="master", months=months)]})
    assert exc.value.key == "events[0].months"


def test_org_talent_recruitment_per_person(calc):
    out = m(calc({"events": [ev("talent_recruited_by_org", "2026-05-01", persons=3)]}), "nanan-2025-2.14e")
    assert (out["amount"], out["amount_max"]) == (0.0, 30.0)
    assert m(calc({"events": [ev("talent_recruited_by_org", "2026-05-01", persons=3, approved_amount=30)]}),
             "nanan-2025-2.14e")["amount"] == 30.0
    with pytest.raises(PolicyInputError, match="10万元/人"):
        calc({"events": [ev("talent_recruited_by_org", "2026-05-01", persons=3, approved_amount=30.01)]})


def test_mentor_team_and_success_talent(calc):
    r = calc({"events": [ev("mentor_team_rewarded", "2026-05-01"), ev("success_talent_selected", "2026-05-01")]})
    assert m(r, "nanan-2025-2.14d")["amount_max"] == 100.0
    assert m(r, "nanan-2025-2.15")["status"] == "eligible" and m(r, "nanan-2025-2.15")["amount_max"] is None


def test_mechanism_measures_only_listed_with_all(policies):
    from kechuang.policies.engine import calculate
    res = calculate({}, 2026, policies)
    assert res.to_json()["measures"] == []
    every = res.to_json(include_all=True)["measures"]
    mech = [x for x in every if x["benefit_kind"] == "mechanism"]
    assert {x["article"] for x in mech} >= {"（四）", "（七）", "（九）", "（十三）", "（十七）", "（十八）",
                                             "（十九）", "（二十）"}
    assert all(x["status"] == "ineligible" and "机制类" in x["basis"] for x in mech)
