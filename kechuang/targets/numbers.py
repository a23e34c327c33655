"""Exact number parsing for target data (pure Python, no Django).

Every figure of a plan, a report or an assessment is a ``Decimal``; a value that is not
a number raises :class:`TargetDataError` naming the field, never a silent default.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["TargetDataError", "to_decimal", "round_half_up", "plain"]


class TargetDataError(ValueError):
    """Bad input for targets: the message names the field (and row) at fault, in Chinese."""


def to_decimal(value: object, field: str, *, allow_negative: bool = False) -> Decimal:
    """Convert ``value`` (int, str, Decimal or float) to an exact ``Decimal``.

    ``field`` names the place in the input (e.g. ``"溪美 / 2022年"``) for the error message.
    Floats are converted through ``str`` so ``0.2`` becomes ``Decimal("0.2")``.
    Raises ``TargetDataError`` for booleans, blanks, text, NaN/infinity and (unless
    ``allow_negative``) negative values.
    """
    if isinstance(value, bool) or value is None:
        raise TargetDataError(f"{field}：应为数字，实际为空或布尔值（{value!r}）")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, (int, float)):
        number = Decimal(str(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if not text:
            raise TargetDataError(f"{field}：应为数字，实际为空")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise TargetDataError(f"{field}：应为数字，实际为“{value}”") from None
    else:
        raise TargetDataError(f"{field}：应为数字，实际为 {type(value).__name__}")
    if not number.is_finite():
        raise TargetDataError(f"{field}：应为有限数字，实际为“{value}”")
    if number < 0 and not allow_negative:
        raise TargetDataError(f"{field}：不能为负数（{value}）")
    return number


def round_half_up(value: Decimal, decimals: int = 0) -> Decimal:
    """Round ``value`` half away from zero to ``decimals`` places (四舍五入)."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def plain(value: Decimal | None) -> str:
    """A Decimal as people write it: no exponent, no trailing zeros (38.0000 → 38, 3.2400 → 3.24); — for None."""
    if value is None:
        return "—"
    return format(Decimal(value).normalize(), "f")
