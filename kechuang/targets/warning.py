"""Early warning (预警) red / yellow / green from completion against time elapsed (pure Python).

南政办〔2021〕67号 六（三）asks for “实时调度、跟进督导” and penalties for units “任务滞后”,
but sets no thresholds; the thresholds below are the platform's parameters and every
warning carries the rule text so the reader sees how the colour came about.

Progress ratio = completion progress ÷ time progress, where
* time progress = days elapsed ÷ days in the period (both ends inclusive);
* completion progress, flow indicator (研发投入, 技术合同成交额 …) = actual ÷ target;
  stock and ratio indicators (高企 count, 每万人口发明专利) = (actual − baseline) ÷
  (target − baseline), the share of the planned increase achieved since the baseline
  (the previous year-end).
Colour: target reached → green; ratio ≥ 1 → green; ratio ≥ yellow threshold → yellow;
below → red; after the period's end a missed target is red.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .numbers import TargetDataError, to_decimal

__all__ = ["Thresholds", "Warning", "early_warning", "time_progress", "LEVEL_LABELS"]

LEVEL_LABELS = {"green": "绿色", "yellow": "黄色", "red": "红色"}
PLACES = Decimal("0.0001")


def time_progress(on: date, start: date, end: date) -> Decimal:
    """Fraction of the period ``start..end`` (inclusive) elapsed at the end of day ``on``, clamped to 0..1."""
    if end < start:
        raise TargetDataError(f"期间结束日 {end} 早于开始日 {start}")
    return _elapsed_exact(on, start, end).quantize(PLACES)


def _elapsed_exact(on: date, start: date, end: date) -> Decimal:
    total = (end - start).days + 1
    done = (on - start).days + 1
    return Decimal(max(0, min(done, total))) / Decimal(total)


@dataclass(frozen=True)
class Thresholds:
    """Progress-ratio thresholds: ≥ ``green`` is green, ≥ ``yellow`` yellow, else red."""

    green: Decimal = Decimal("1")
    yellow: Decimal = Decimal("0.8")

    def __post_init__(self) -> None:
        g = to_decimal(self.green, "绿色阈值")
        y = to_decimal(self.yellow, "黄色阈值")
        if y > g:
            raise TargetDataError(f"黄色阈值 {y} 不能高于绿色阈值 {g}")
        object.__setattr__(self, "green", g)
        object.__setattr__(self, "yellow", y)

    def rule_text(self) -> str:
        """The colour rule in Chinese, with the thresholds in per cent."""
        g = format((self.green * 100).normalize(), "f")
        y = format((self.yellow * 100).normalize(), "f")
        return (f"进度比 = 完成进度 ÷ 时间进度；已完成目标或进度比 ≥ {g}% 为绿色，"
                f"{y}%（含）至 {g}% 为黄色，低于 {y}% 为红色；期末仍未完成为红色。"
                f"阈值为本平台参数（文件未规定），可由科技局调整。")


@dataclass(frozen=True)
class Warning:
    """One early-warning verdict with the figures and rule that produced it."""

    level: str
    completion: Decimal | None
    time_progress: Decimal
    ratio: Decimal | None
    rule: str
    explanation: str

    @property
    def label(self) -> str:
        """绿色 / 黄色 / 红色."""
        return LEVEL_LABELS[self.level]


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'))}%"


def early_warning(*, actual: object, target: object, kind: str, on: date, start: date, end: date,
                  baseline: object | None = None, direction: str = "higher",
                  thresholds: Thresholds | None = None) -> Warning:
    """Colour of one unit × indicator on date ``on`` within the period ``start..end``.

    ``kind`` is the indicator kind (flow / stock / ratio); ``baseline`` (stock and ratio
    only) is the value at the start of the period — without one the baseline is 0. Only
    ``direction="higher"`` indicators are supported (all of 附件2 and 三明's are).
    """
    if kind not in ("flow", "stock", "ratio"):
        raise TargetDataError(f"kind：应为 flow/stock/ratio，实际为“{kind}”")
    if direction != "higher":
        raise TargetDataError("direction：预警目前只支持“越大越好”的指标")
    thresholds = thresholds or Thresholds()
    a = to_decimal(actual, "实际值")
    t = to_decimal(target, "目标值")
    b = Decimal(0) if kind == "flow" or baseline is None else to_decimal(baseline, "基期值")
    if end < start:
        raise TargetDataError(f"期间结束日 {end} 早于开始日 {start}")
    elapsed = _elapsed_exact(on, start, end)  # exact: colours are decided before any rounding
    shown_elapsed = elapsed.quantize(PLACES)
    rule = thresholds.rule_text()
    if a >= t:
        return Warning("green", Decimal(1), shown_elapsed, None, rule,
                       f"实际 {a} 已达到目标 {t}，为绿色")
    planned = t - b
    completion = Decimal(0) if planned <= 0 else max(Decimal(0), (a - b) / planned)
    shown = completion.quantize(PLACES)
    if on > end:
        return Warning("red", shown, shown_elapsed, shown, rule,
                       f"期间已结束，实际 {a} 未达到目标 {t}（完成进度 {_pct(completion)}），为红色")
    if elapsed == 0:
        return Warning("green", shown, shown_elapsed, None, rule, "期间尚未开始，不作预警")
    ratio = completion / elapsed
    if ratio >= thresholds.green:
        level = "green"
    elif ratio >= thresholds.yellow:
        level = "yellow"
    else:
        level = "red"
    what = "实际 ÷ 目标" if kind == "flow" else f"（实际 − 基期 {b}）÷（目标 − 基期 {b}）"
    explanation = (f"完成进度 {_pct(completion)}（{what}），时间进度 {_pct(elapsed)}，"
                   f"进度比 {_pct(ratio)}，为{LEVEL_LABELS[level]}")
    return Warning(level, shown, shown_elapsed, ratio.quantize(PLACES), rule, explanation)
