"""泉州 高企 measures derived from the registry (years + qualifications), not from events."""

from __future__ import annotations

import pytest

from .conftest import hnte, m

HNTE_2025 = hnte("2024-01-01", "2026-12-31")


def _facts(rev_2025, rev_2024=150000, quals=(HNTE_2025,), **kw):
    years = [{"year": 2025, "operating_revenue": rev_2025}]
    if rev_2024 is not None:
        years.append({"year": 2024, "operating_revenue": rev_2024})
    return {"years": years, "qualifications": list(quals), **kw}


@pytest.mark.parametrize("rev, status, amount", [
    (200000, "near", 0.0),          # exactly 20 亿 is not 超过
    (200000.01, "eligible", 50.0),
    (150000, "ineligible", 0.0),    # far below the line
])
def test_first_above_2bn_line(calc, rev, status, amount):
    out = m(calc(_facts(rev)), "quanzhou-hnte-3.1a")
    assert (out["status"], out["amount"]) == (status, amount)


def test_not_first_time(calc):
    out = m(calc(_facts(210000, rev_2024=205000)), "quanzhou-hnte-3.1a")
    assert out["status"] == "ineligible" and "2024年已超过" in out["basis"]


def test_first_time_needs_history_or_a_young_firm(calc):
    out = m(calc(_facts(210000, rev_2024=None)), "quanzhou-hnte-3.1a")
    assert out["status"] == "near" and "无法判断是否首次" in out["missing_conditions"][0]
    young = _facts(210000, rev_2024=None, established_on="2025-02-01")
    assert m(calc(young), "quanzhou-hnte-3.1a")["status"] == "eligible"


def test_must_be_hnte_in_that_year(calc):
    out = m(calc(_facts(210000, quals=())), "quanzhou-hnte-3.1a")
    assert out["status"] == "near" and "高新技术企业" in out["missing_conditions"][0]
    lapsed = hnte("2021-01-01", "2024-12-31")
    assert m(calc(_facts(210000, quals=(lapsed,))), "quanzhou-hnte-3.1a")["status"] == "near"


def test_revenue_of_previous_fiscal_year(calc):
    facts = _facts(210000)
    assert m(calc(facts, year=2026), "quanzhou-hnte-3.1a")["status"] == "eligible"
    assert m(calc(facts, year=2025), "quanzhou-hnte-3.1a")["status"] == "ineligible"  # 2024 figures


@pytest.mark.parametrize("rev, amount", [(500000, 50.0), (500000.01, 100.0)])
def test_5bn_line_and_both_lines_at_once(calc, rev, amount):
    r = calc(_facts(rev))
    assert r["total"] == amount
    if amount == 100.0:
        assert m(r, "quanzhou-hnte-3.1a")["counted"] is False
        assert "就高" in m(r, "quanzhou-hnte-3.1a")["stacking"]


def test_later_5bn_after_earlier_2bn(calc):
    facts = {"years": [{"year": 2023, "operating_revenue": 250000}, {"year": 2024, "operating_revenue": 400000},
                       {"year": 2025, "operating_revenue": 520000}], "qualifications": [HNTE_2025]}
    r = calc(facts)
    assert m(r, "quanzhou-hnte-3.1b")["amount"] == 100.0
    assert m(r, "quanzhou-hnte-3.1a")["status"] == "ineligible"


def _upsizing(first, hnte_from="2024-01-01", hnte_until="2026-12-31", extra=()):
    return {"qualifications": [hnte(hnte_from, hnte_until),
                               {"kind": "above_designated_size", "first_recognized_on": first, "valid_from": first},
                               *extra]}


def test_below_size_hnte_first_becomes_above_size(calc):
    out = m(calc(_upsizing("2026-03-01")), "quanzhou-hnte-3.2")
    assert (out["status"], out["amount"]) == ("eligible", 5.0)


def test_upsizing_requires_hnte_the_day_before(calc):
    # 高企 only from the upsizing day itself: not a 规下高企 before
    out = m(calc(_upsizing("2026-03-01", hnte_from="2026-03-01")), "quanzhou-hnte-3.2")
    assert out["status"] == "ineligible"
    assert m(calc(_upsizing("2026-03-01", hnte_from="2026-02-28")), "quanzhou-hnte-3.2")["status"] == "eligible"


def test_upsizing_only_first_time_and_in_the_year(calc):
    again = _upsizing("2026-03-01", extra=({"kind": "above_designated_size", "first_recognized_on": "2019-01-01",
                                            "valid_from": "2019-01-01", "valid_until": "2020-12-31"},))
    assert m(calc(again), "quanzhou-hnte-3.2")["status"] == "ineligible"
    assert m(calc(_upsizing("2025-12-31")), "quanzhou-hnte-3.2")["status"] == "ineligible"
    assert m(calc(_upsizing("2025-12-31"), year=2025), "quanzhou-hnte-3.2")["amount"] == 5.0


def test_quanzhou_and_nanan_rewards_are_different_levels(calc):
    facts = _facts(210000)
    facts["events"] = [{"kind": "hnte_recognized", "date": "2026-11-01"}]
    r = calc(facts)
    assert r["total"] == 60.0
    assert m(r, "quanzhou-hnte-3.1a")["level"] == "市" and m(r, "nanan-2025-2.1a")["level"] == "县"


@pytest.mark.parametrize("first, year, status", [("2023-12-31", 2023, "ineligible"), ("2024-01-01", 2024, "eligible")])
def test_upsizing_effective_window_assumption(calc, first, year, status):
    facts = _upsizing(first, hnte_from="2022-01-01")
    assert m(calc(facts, year=year), "quanzhou-hnte-3.2")["status"] == status


@pytest.mark.parametrize("year, status", [(2023, "ineligible"), (2024, "eligible")])
def test_revenue_effective_window_assumption(calc, year, status):
    facts = {"years": [{"year": year - 2, "operating_revenue": 150000}, {"year": year - 1, "operating_revenue": 210000}],
             "qualifications": [hnte("2021-01-01", "2026-12-31")]}
    assert m(calc(facts, year=year), "quanzhou-hnte-3.1a")["status"] == status
