"""Stacking: 就高、从优、不重复 within a level; 在上级奖励基础上 additive across levels."""

from __future__ import annotations

from kechuang.policies.engine.model import policy_from_dict

from .conftest import ev, m


def _higher(level, amount, stacks=False, measure_group="hnte_recognition", mid="prov.1"):
    """A synthetic higher-level policy rewarding the same 高企 recognition."""
    return policy_from_dict({
        "policy": {"id": mid.split(".")[0], "doc_no": f"测试{level}级文件", "title": "测试", "issuer": "测试",
                   "level": level, "effective": "2025-01-01", "expiry": "2027-12-31", "status": "published"},
        "measures": [{"id": mid, "article": "（一）", "title": f"{level}级高企认定奖励", "citation": "测试",
                      "kind": "monetary", "trigger": {"event": "hnte_recognized"},
                      "benefit": {"kind": "fixed", "amount": str(amount)},
                      "stacking": {"group": measure_group, "stacks_on_higher": stacks}}]})


def test_two_same_level_overlapping_measures_give_only_the_higher(calc):
    r = calc({"events": [ev("little_giant_recognized", "2026-05-01", first_time=True),
                         ev("srdi_provincial_recognized", "2026-02-01", first_time=True)]})
    assert (m(r, "nanan-2025-2.1b")["counted"], m(r, "nanan-2025-2.1c")["counted"]) == (True, False)
    assert r["total"] == 50.0
    assert any("就高取“国家专精特新“小巨人”企业首次认定奖励”" in t for t in r["trace"])


def test_stacking_measure_adds_to_the_higher_level_one(calc):
    r = calc({"events": [ev("hnte_recognized", "2026-05-01")]}, extra=[_higher("省", 20)])
    assert r["total"] == 30.0
    assert "叠加" in m(r, "nanan-2025-2.1a")["stacking"]
    assert any("在上级奖励基础上" in t and "叠加" in t for t in r["trace"])


def test_non_stacking_lower_measure_is_not_paid_twice(calc):
    county = policy_from_dict({
        "policy": {"id": "cty", "doc_no": "测试县级文件", "title": "t", "issuer": "t", "level": "县",
                   "effective": "2025-01-01", "expiry": None},
        "measures": [{"id": "cty.1", "article": "（一）", "title": "县级认定奖励（不叠加）", "citation": "c",
                      "kind": "monetary", "trigger": {"event": "incubator_filed"},
                      "benefit": {"kind": "fixed", "amount": "15"},
                      "stacking": {"group": "g", "stacks_on_higher": False}}]})
    city_low = policy_from_dict({
        "policy": {"id": "city", "doc_no": "测试市级文件", "title": "t", "issuer": "t", "level": "市",
                   "effective": "2025-01-01", "expiry": None},
        "measures": [{"id": "city.1", "article": "（一）", "title": "市级奖励", "citation": "c",
                      "kind": "monetary", "trigger": {"event": "incubator_filed"},
                      "benefit": {"kind": "fixed", "amount": "10"},
                      "stacking": {"group": "g", "stacks_on_higher": False}}]})
    facts = {"events": [ev("incubator_filed", "2026-05-01")]}
    r = calc(facts, extra=[county, city_low])
    # county 15 > city 10 → 就高 county only; 8a (its own group) adds 8
    assert (m(r, "cty.1")["counted"], m(r, "city.1")["counted"]) == (True, False)
    assert r["total"] == 23.0
    city_high = policy_from_dict({**{"policy": {"id": "city2", "doc_no": "测试市级文件2", "title": "t", "issuer": "t",
                                                "level": "市", "effective": "2025-01-01", "expiry": None}},
                                  "measures": [{"id": "city2.1", "article": "（一）", "title": "市级奖励高", "citation": "c",
                                                "kind": "monetary", "trigger": {"event": "incubator_filed"},
                                                "benefit": {"kind": "fixed", "amount": "20"},
                                                "stacking": {"group": "g"}}]})
    r2 = calc(facts, extra=[county, city_high])
    assert (m(r2, "cty.1")["counted"], m(r2, "city2.1")["counted"]) == (False, True)
    assert r2["total"] == 28.0
    assert "不重复" in m(r2, "cty.1")["stacking"]


def test_near_measures_do_not_count(calc):
    r = calc({"events": [ev("little_giant_recognized", "2026-05-01")]})
    assert m(r, "nanan-2025-2.1b")["status"] == "near" and r["total"] == 0.0
    assert any("差一个条件" in t for t in r["trace"])
