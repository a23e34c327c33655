"""Compound-growth target series (contract section 5; pure Python, no Django).

南政办〔2021〕67号 附件2 computes each year's target as
round-half-up(base × (1+growth)^(year−from)) from the base itself, never from the
rounded previous year; e.g. 溪美 22000 → 2025: 22000 × 1.2^5 = 54743.04 → 54743.
"""
from __future__ import annotations

from decimal import Decimal, localcontext

from .numbers import TargetDataError, round_half_up, to_decimal

__all__ = ["generate_series", "MAX_DECIMALS"]

MAX_DECIMALS = 6


def _check_year(value: object, field: str) -> int:
    if isinstance(value, bool):
        raise TargetDataError(f"{field}：应为年份（整数），实际为 {value!r}")
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise TargetDataError(f"{field}：应为年份（整数），实际为“{value}”") from None
    if not 1900 <= year <= 2200:
        raise TargetDataError(f"{field}：年份超出范围（{year}）")
    return year


def generate_series(
    base: object,
    growth: object,
    year_from: object,
    year_to: object,
    decimals: int = 0,
) -> dict[int, Decimal]:
    """Return ``{year: target}`` for ``year_from..year_to`` inclusive.

    Each value is round-half-up(base × (1+growth)^(year − year_from)) to ``decimals``
    places, computed exactly with ``Decimal`` from the unrounded base. ``year_from``
    maps to the (rounded) base itself. ``growth`` is a fraction (0.2 = 20 %) and must be
    greater than −1. Bad input raises ``TargetDataError`` naming the argument.
    """
    base_d = to_decimal(base, "base（基数）")
    growth_d = to_decimal(growth, "growth（增长率）", allow_negative=True)
    if growth_d <= -1:
        raise TargetDataError(f"growth（增长率）：必须大于 -1（实际 {growth_d}）")
    first = _check_year(year_from, "from（起始年）")
    last = _check_year(year_to, "to（终止年）")
    if last < first:
        raise TargetDataError(f"to（终止年）{last} 早于 from（起始年）{first}")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS:
        raise TargetDataError(f"decimals（小数位数）：应为 0–{MAX_DECIMALS} 的整数，实际为 {decimals!r}")
    factor = Decimal(1) + growth_d
    series: dict[int, Decimal] = {}
    with localcontext() as ctx:
        ctx.prec = 60  # exact enough: 200 years of 6-digit growth stays far below 60 digits of error
        for year in range(first, last + 1):
            exact = base_d * factor ** (year - first)
            series[year] = round_half_up(exact, decimals)
    return series
