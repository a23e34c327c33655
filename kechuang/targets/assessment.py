"""Assessment (考核): completion rates, weighted scores, ranking, praise and penalty (pure Python).

The reward rule is 南政办〔2021〕67号 五、考核奖惩: “对考评得分获前3名的乡镇（街道），在全市
重要工作大会上公开表扬并予以绩效加分。对考评得分后3名且未完成目标任务的乡镇（街道），分别予以
绩效扣分。” — the top three by score are praised whatever their completion; of the bottom
three by score only those that missed a target are penalised, and nobody above the bottom
three moves down to take the place of one that met its targets.

Scoring is not fixed by the document: weights, the cap on a single completion rate and the
full mark are parameters (:class:`ScoringConfig`) the bureau sets; the defaults here are
the platform's, not the document's, and every output says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .numbers import TargetDataError, to_decimal

__all__ = [
    "REWARD_RULE_CITATION",
    "REWARD_RULE_TEXT",
    "IndicatorResult",
    "RankedUnit",
    "ScoringConfig",
    "UnitScore",
    "apply_reward_rule",
    "assess_indicator",
    "completion_rate",
    "rank_units",
    "score_unit",
    "talent_team_equivalent",
]

REWARD_RULE_CITATION = "南政办〔2021〕67号 五、考核奖惩"
REWARD_RULE_TEXT = ("对考评得分获前3名的乡镇（街道），在全市重要工作大会上公开表扬并予以绩效加分。"
                    "对考评得分后3名且未完成目标任务的乡镇（街道），分别予以绩效扣分。")
TALENT_EQUIVALENCE_CITATION = "南政办〔2021〕67号 附件2（高层次人才团队数量倍增）备注"
RATE_PLACES = Decimal("0.0001")


def completion_rate(actual: object, target: object, *, direction: str = "higher") -> Decimal | None:
    """Completion rate as a fraction (1 = target reached), rounded to 4 places.

    ``higher``: actual / target; ``lower``: target / actual. Returns None when the rate is
    undefined (target 0 for ``higher``, actual 0 for ``lower``): such an indicator is
    judged by :func:`assess_indicator` as met or not, but it carries no rate.
    """
    a = to_decimal(actual, "实际值")
    t = to_decimal(target, "目标值")
    if direction == "higher":
        return None if t == 0 else (a / t).quantize(RATE_PLACES)
    if direction == "lower":
        return None if a == 0 else (t / a).quantize(RATE_PLACES)
    raise TargetDataError(f"direction：应为 higher 或 lower，实际为“{direction}”")


@dataclass(frozen=True)
class IndicatorResult:
    """Target, actual and completion of one unit on one indicator in one period."""

    indicator: str
    target: Decimal
    actual: Decimal | None
    rate: Decimal | None
    met: bool | None  # None: no actual reported

    @property
    def scored(self) -> bool:
        """True when the indicator enters the weighted score (has an actual and a rate)."""
        return self.rate is not None


def assess_indicator(indicator: str, target: object, actual: object | None, *,
                     direction: str = "higher") -> IndicatorResult:
    """Compare ``actual`` with ``target``; a missing actual (None) is neither met nor scored as 0.

    ``met`` is actual ≥ target (``higher``) or actual ≤ target (``lower``).
    """
    t = to_decimal(target, f"{indicator} 目标值")
    if actual is None:
        return IndicatorResult(indicator, t, None, None, None)
    a = to_decimal(actual, f"{indicator} 实际值")
    met = a >= t if direction == "higher" else a <= t
    return IndicatorResult(indicator, t, a, completion_rate(a, t, direction=direction), met)


def talent_team_equivalent(teams: object, projects: object, *, a_class: bool,
                           factor: object = Decimal("0.5")) -> Decimal:
    """Teams counted for the talent-team target: A-class townships add 0.5 per project.

    南政办〔2021〕67号 附件2 备注: “A类乡镇如获得1个泉州市高层次人才创新创业项目立项的，视同完成
    0.5个人才团队任务数。” Which townships are A-class is set by the bureau.
    """
    t = to_decimal(teams, "人才团队数")
    p = to_decimal(projects, "创新创业项目数")
    return t + (p * to_decimal(factor, "折算系数") if a_class else Decimal(0))


@dataclass(frozen=True)
class ScoringConfig:
    """How completion rates become a score (platform parameters, not set by the document).

    ``weights``: indicator id → weight (indicators absent or weighted 0 are not scored);
    ``cap``: a completion rate above this counts as the cap (over-fulfilment bonus limit);
    ``full_mark``: the score of a unit that reaches every weighted target exactly.
    Weights of indicators a unit has no rate for (target 0, not reported) are left out and
    the others renormalised, so a township is not punished for a target it was never given.
    """

    weights: dict[str, Decimal]
    cap: Decimal = Decimal("1.2")
    full_mark: Decimal = Decimal("100")
    source: str = "本平台默认参数（南政办〔2021〕67号未规定计分办法，可由科技局调整）"

    def __post_init__(self) -> None:
        checked = {k: to_decimal(v, f"权重 {k}") for k, v in self.weights.items()}
        object.__setattr__(self, "weights", checked)
        object.__setattr__(self, "cap", to_decimal(self.cap, "完成率上限"))
        object.__setattr__(self, "full_mark", to_decimal(self.full_mark, "满分"))
        if self.cap < 1:
            raise TargetDataError(f"完成率上限：不能小于 1（实际 {self.cap}）")


@dataclass(frozen=True)
class UnitScore:
    """A unit's score with the per-indicator contributions and the indicators it missed."""

    unit: str
    score: Decimal | None  # None: no scored indicator, the unit is not ranked
    contributions: dict[str, Decimal]
    missed: tuple[str, ...]
    results: tuple[IndicatorResult, ...]

    @property
    def completed_all(self) -> bool:
        """True when no assessed target was missed (the “完成目标任务” of the reward rule)."""
        return not self.missed


def score_unit(unit: str, results: list[IndicatorResult], config: ScoringConfig) -> UnitScore:
    """Weighted score: full_mark × Σ wᵢ·min(rateᵢ, cap) / Σ wᵢ over scored, weighted indicators.

    ``missed`` lists indicators whose actual is below target, or that have a target but no
    actual (unreported counts as not completed).
    """
    weighted = [(r, config.weights.get(r.indicator, Decimal(0))) for r in results]
    scored = [(r, w) for r, w in weighted if w > 0 and r.scored]
    total_weight = sum((w for _, w in scored), Decimal(0))
    contributions: dict[str, Decimal] = {}
    score = None
    if total_weight > 0:
        for r, w in scored:
            contributions[r.indicator] = (config.full_mark * w * min(r.rate, config.cap) / total_weight
                                          ).quantize(Decimal("0.01"))
        score = sum(contributions.values(), Decimal(0))
    missed = tuple(r.indicator for r in results if r.met is False or (r.met is None and r.target > 0))
    return UnitScore(unit, score, contributions, missed, tuple(results))


@dataclass(frozen=True)
class RankedUnit:
    """A unit's place in a ranking and the consequence of the reward rule for it."""

    unit: str
    score: Decimal | None
    rank: int | None
    praised: bool
    penalised: bool
    completed_all: bool
    reason: str = ""
    missed: tuple[str, ...] = field(default=())


def rank_units(scores: list[UnitScore]) -> list[RankedUnit]:
    """Rank by score, highest first; equal scores share a rank (1, 2, 2, 4).

    Units without a score are listed last, unranked (rank None). The reward rule is
    applied by :func:`apply_reward_rule`.
    """
    ranked = sorted((s for s in scores if s.score is not None), key=lambda s: (-s.score, s.unit))
    result: list[RankedUnit] = []
    previous_score, previous_rank = None, 0
    for position, s in enumerate(ranked, start=1):
        rank = previous_rank if s.score == previous_score else position
        previous_score, previous_rank = s.score, rank
        result.append(RankedUnit(s.unit, s.score, rank, False, False, s.completed_all, missed=s.missed))
    for s in sorted((s for s in scores if s.score is None), key=lambda s: s.unit):
        result.append(RankedUnit(s.unit, None, None, False, False, s.completed_all,
                                 reason="无可计分指标，不参与排名", missed=s.missed))
    return apply_reward_rule(result)


def apply_reward_rule(ranked: list[RankedUnit], *, top: int = 3, bottom: int = 3) -> list[RankedUnit]:
    """Mark 前3名 praised and 后3名且未完成目标任务 penalised (南政办〔2021〕67号 五、考核奖惩).

    Praise: rank ≤ ``top`` (units tied at the boundary all share it). Penalty: rank among
    the last ``bottom`` places (rank > n − bottom, ties at the boundary included) AND at
    least one target missed. A bottom unit that met every target is named in ``reason``
    as exempt; the unit above it is not penalised instead.
    """
    ranked_only = [r for r in ranked if r.rank is not None]
    n = len(ranked_only)
    out = []
    for r in ranked:
        if r.rank is None:
            out.append(r)
            continue
        praised = r.rank <= top
        in_bottom = r.rank > n - bottom and not praised
        penalised = in_bottom and not r.completed_all
        if praised:
            reason = f"考评得分第{r.rank}名，公开表扬并予以绩效加分（{REWARD_RULE_CITATION}）"
        elif penalised:
            reason = f"考评得分后{bottom}名且未完成目标任务，予以绩效扣分（{REWARD_RULE_CITATION}）"
        elif in_bottom:
            reason = f"考评得分后{bottom}名，但已完成目标任务，不予扣分（{REWARD_RULE_CITATION}）"
        else:
            reason = ""
        out.append(RankedUnit(r.unit, r.score, r.rank, praised, penalised, r.completed_all, reason, r.missed))
    return out
