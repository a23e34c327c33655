"""Completion, scoring, ranking and the reward rule of 南政办〔2021〕67号 五、考核奖惩."""
from decimal import Decimal

import pytest

from kechuang.targets.assessment import (
    REWARD_RULE_TEXT,
    ScoringConfig,
    UnitScore,
    assess_indicator,
    completion_rate,
    rank_units,
    score_unit,
    talent_team_equivalent,
)
from kechuang.targets.numbers import TargetDataError


def test_completion_rate_both_sides_of_target():
    # 溪美 高企 2022 target 38 (附件2)
    assert completion_rate(37, 38) == Decimal("0.9737")
    assert completion_rate(38, 38) == 1
    assert completion_rate(39, 38) == Decimal("1.0263")
    assert completion_rate(5, 0) is None
    assert completion_rate(90, 100, direction="lower") == Decimal("1.1111")


def test_assess_indicator_met_boundary_and_missing():
    # 溪美 全社会研发经费投入 2022 target 31680 万元
    assert assess_indicator("rd_investment", 31680, "31679.99").met is False
    assert assess_indicator("rd_investment", 31680, 31680).met is True
    r = assess_indicator("rd_investment", 31680, None)
    assert r.met is None and r.rate is None
    with pytest.raises(TargetDataError, match="rd_investment 实际值"):
        assess_indicator("rd_investment", 31680, "三万")


def test_talent_equivalence_only_for_a_class():
    assert talent_team_equivalent(0, 1, a_class=True) == Decimal("0.5")
    assert talent_team_equivalent(0, 1, a_class=False) == 0
    assert talent_team_equivalent(1, 2, a_class=True) == 2


CONFIG = ScoringConfig(weights={"rd_investment": 40, "hnte_count": 60})


def test_weighted_score_with_cap_and_renormalisation():
    # 水头 2023: R&D 17280 target, actual 17280 (100 %); 高企 81 target, actual 100 (123 % → cap 120 %)
    s = score_unit("水头", [assess_indicator("rd_investment", 17280, 17280),
                           assess_indicator("hnte_count", 81, 100)], CONFIG)
    assert s.contributions == {"rd_investment": Decimal("40.00"), "hnte_count": Decimal("72.00")}
    assert s.score == Decimal("112.00") and s.completed_all
    # 翔云: 高企 target 0 has no rate; only R&D counts and its weight becomes the whole
    s = score_unit("翔云", [assess_indicator("rd_investment", 100, 50), assess_indicator("hnte_count", 0, 0)],
                   CONFIG)
    assert s.score == Decimal("50.00") and s.missed == ("rd_investment",)
    # nothing scored: not ranked
    assert score_unit("眉山", [assess_indicator("hnte_count", 0, 0)], CONFIG).score is None


def test_unreported_target_counts_as_missed():
    s = score_unit("柳城", [assess_indicator("rd_investment", 8640, 9000),
                           assess_indicator("hnte_count", 24, None)], CONFIG)
    assert s.missed == ("hnte_count",) and not s.completed_all


def unit(name, score, missed=()):
    return UnitScore(name, None if score is None else Decimal(score), {}, tuple(missed), ())


def test_top3_praised_bottom3_penalised_only_if_missed():
    scores = [unit("A", 100), unit("B", 95), unit("C", 90), unit("D", 85), unit("E", 80, ["x"]),
              unit("F", 70), unit("G", 60, ["x"]), unit("H", 50, ["x"]), unit("I", None)]
    ranked = {r.unit: r for r in rank_units(scores)}
    assert [u for u, r in ranked.items() if r.praised] == ["A", "B", "C"]
    # bottom three of the eight ranked: F (met all → exempt), G, H; E (4th from bottom, missed) is not moved down
    assert [u for u, r in ranked.items() if r.penalised] == ["G", "H"]
    assert "不予扣分" in ranked["F"].reason and not ranked["E"].penalised
    assert ranked["I"].rank is None and "不参与排名" in ranked["I"].reason
    assert "绩效扣分" in REWARD_RULE_TEXT


def test_top3_praised_even_if_they_missed_a_target():
    ranked = rank_units([unit("A", 100, ["x"]), unit("B", 90), unit("C", 80), unit("D", 70), unit("E", 60),
                         unit("F", 50), unit("G", 40, ["x"])])
    assert ranked[0].praised and not ranked[0].penalised


def test_ties_share_rank_and_boundary():
    ranked = rank_units([unit("A", 90), unit("B", 80), unit("C", 70), unit("D", 70), unit("E", 60, ["x"]),
                         unit("F", 50, ["x"]), unit("G", 40, ["x"]), unit("H", 30, ["x"])])
    assert [r.rank for r in ranked] == [1, 2, 3, 3, 5, 6, 7, 8]
    assert [r.unit for r in ranked if r.praised] == ["A", "B", "C", "D"]
    assert [r.unit for r in ranked if r.penalised] == ["F", "G", "H"]


def test_scoring_config_rejects_bad_parameters():
    with pytest.raises(TargetDataError, match="权重 hnte_count"):
        ScoringConfig(weights={"hnte_count": "多"})
    with pytest.raises(TargetDataError, match="完成率上限"):
        ScoringConfig(weights={}, cap="0.9")
