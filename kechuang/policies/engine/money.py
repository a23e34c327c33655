"""Exact money helpers: amounts are Decimal 万元 to the 分 (6 decimals); JSON carries floats of 万元."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ZERO = Decimal("0")
FEN = Decimal("0.000001")  # 1 分 in 万元
#: integer fixed-point scale used by the vectorised path: 1 unit = 1 分
SCALE = 1_000_000


def to_decimal(value: Any) -> Decimal:
    """Decimal from int/str/Decimal (floats go through ``str`` so 0.1 stays 0.1)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("布尔值不是金额")
    return Decimal(str(value))


def wan_json(value: Decimal | None) -> float | None:
    """万元 Decimal → JSON float rounded to 1 分 (None stays None)."""
    if value is None:
        return None
    return float(value.quantize(FEN, rounding=ROUND_HALF_UP))


def to_units(value: Decimal) -> int:
    """万元 Decimal → integer 分 (exact for amounts given to the 分)."""
    return int((value * SCALE).to_integral_value(rounding=ROUND_HALF_UP))


def from_units(units: int) -> Decimal:
    """Integer 分 → 万元 Decimal."""
    return (Decimal(int(units)) / SCALE).quantize(FEN)


def fmt_wan(value: Decimal) -> str:
    """Chinese display of a 万元 amount without trailing zeros: 10 → “10万元”, 0.1 → “0.1万元”."""
    q = value.quantize(FEN, rounding=ROUND_HALF_UP).normalize()
    text = format(q, "f")
    if abs(q) >= 10000:
        yi = format((q / 10000).normalize(), "f")
        return f"{text}万元（{yi}亿元）"
    return f"{text}万元"


def fmt_pct(ratio: Decimal) -> str:
    """0.05 → “5%”."""
    return format((ratio * 100).normalize(), "f") + "%"
