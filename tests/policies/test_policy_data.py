"""The shipped YAML encodes every article of 南政规〔2025〕2号 and the 泉州 measures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kechuang.policies.engine import PolicyDataError, load_policy_file
from kechuang.policies.engine.model import policy_from_dict

ARTICLES = ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）", "（八）", "（九）", "（十）",
            "（十一）", "（十二）", "（十三）", "（十四）", "（十五）", "（十六）", "（十七）", "（十八）",
            "（十九）", "（二十）"]


def _by_id(policies, pid):
    return next(p for p in policies if p.id == pid)


def test_every_article_of_the_twenty_is_encoded(policies):
    nanan = _by_id(policies, "nanan-2025-2")
    assert nanan.doc_no == "南政规〔2025〕2号"
    assert nanan.level == "县"
    assert (nanan.effective, nanan.expiry) == (dt.date(2025, 10, 23), dt.date(2027, 12, 31))
    assert sorted({m.article for m in nanan.measures}, key=ARTICLES.index) == ARTICLES


def test_amounts_as_in_the_text(policies):
    nanan = {m.id: m for m in _by_id(policies, "nanan-2025-2").measures}
    fixed = {k: nanan[k].benefit.amount for k in ("nanan-2025-2.1a", "nanan-2025-2.1b", "nanan-2025-2.1c",
                                                  "nanan-2025-2.8a", "nanan-2025-2.8b", "nanan-2025-2.8c",
                                                  "nanan-2025-2.8d", "nanan-2025-2.14a", "nanan-2025-2.14b")}
    assert fixed == {"nanan-2025-2.1a": 10, "nanan-2025-2.1b": 50, "nanan-2025-2.1c": 10, "nanan-2025-2.8a": 8,
                     "nanan-2025-2.8b": 100, "nanan-2025-2.8c": 50, "nanan-2025-2.8d": 25,
                     "nanan-2025-2.14a": 100, "nanan-2025-2.14b": 25}
    assert (nanan["nanan-2025-2.2"].benefit.min, nanan["nanan-2025-2.2"].benefit.max) == (50, 200)
    assert nanan["nanan-2025-2.6"].benefit.max == 30
    assert (nanan["nanan-2025-2.8e"].benefit.share, nanan["nanan-2025-2.8e"].benefit.cap) == (Decimal("0.30"), 100)
    assert nanan["nanan-2025-2.11a"].benefit.max == 10
    assert (nanan["nanan-2025-2.12a"].benefit.max, nanan["nanan-2025-2.12b"].benefit.max) == (10, 15)
    assert nanan["nanan-2025-2.12c"].benefit.max == 30
    assert nanan["nanan-2025-2.14c"].benefit.rates == {"master": Decimal("0.1"), "doctor": Decimal("0.2")}
    assert nanan["nanan-2025-2.14d"].benefit.max == 100
    assert nanan["nanan-2025-2.14e"].benefit.max_per_unit == 10
    # 叠加 exactly where the text says “在上级奖励基础上”
    stacking = {k for k, v in nanan.items() if v.stacks_on_higher}
    assert {"nanan-2025-2.1a", "nanan-2025-2.1b", "nanan-2025-2.1c", "nanan-2025-2.8b", "nanan-2025-2.8c",
            "nanan-2025-2.8d"} <= stacking
    # 配套 (dependent on another level) and non-monetary ones are marked as such
    assert {k for k, v in nanan.items() if v.dependent} == {"nanan-2025-2.3a", "nanan-2025-2.5"}
    assert nanan["nanan-2025-2.1d"].benefit.kind == "non_monetary"
    assert "能耗" in nanan["nanan-2025-2.1d"].benefit.description
    assert "子女就学" in nanan["nanan-2025-2.1e"].benefit.description
    for m in nanan.values():
        assert m.citation.startswith("南政规〔2025〕2号"), m.id
        assert m.lead_units, m.id


def test_quanzhou_measures(policies):
    qz = {m.id: m for m in _by_id(policies, "quanzhou-hnte-3").measures}
    assert qz["quanzhou-hnte-3.1a"].trigger.line == 200000 and qz["quanzhou-hnte-3.1a"].benefit.amount == 50
    assert qz["quanzhou-hnte-3.1b"].trigger.line == 500000 and qz["quanzhou-hnte-3.1b"].benefit.amount == 100
    assert qz["quanzhou-hnte-3.2"].benefit.amount == 5
    p = _by_id(policies, "quanzhou-hnte-3")
    assert p.level == "市"
    # open points of the text are recorded as unverified parameters with a note
    unverified = {x.id for x in p.parameters if not x.verified}
    assert {"effective_window", "revenue_fiscal_year_offset"} <= unverified
    assert all(x.note for x in p.parameters)


def _doc(**measure):
    base = {"id": "x.1", "article": "（一）", "title": "t", "citation": "c", "kind": "monetary",
            "trigger": {"event": "incubator_filed"}, "benefit": {"kind": "fixed", "amount": "1"}}
    base.update(measure)
    return {"policy": {"id": "x", "doc_no": "x号", "title": "t", "issuer": "i", "level": "县",
                       "effective": "2025-01-01", "expiry": None}, "measures": [base]}


@pytest.mark.parametrize("change, needle", [
    ({"benefit": {"kind": "fixed", "amount": 1.5}}, "字符串"),
    ({"benefit": {"kind": "range", "min": "200", "max": "50", "field": "subsidy"}}, "下限"),
    ({"benefit": {"kind": "bonus"}}, "兑现方式"),
    ({"trigger": {"event": "moon_landing"}}, "事件类型"),
    ({"require": [{"field": "nope", "equals": True, "label": "x"}]}, "没有字段"),
    ({"kind": "gift"}, "措施类型"),
])
def test_malformed_policy_data_is_rejected(change, needle):
    with pytest.raises(PolicyDataError, match=needle):
        policy_from_dict(_doc(**change))


def test_yaml_file_syntax_error(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("policy: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyDataError, match="bad.yaml"):
        load_policy_file(f)
