"""Vectorised building blocks shared by the scheme modules.

Every helper works on numpy columns (length N; N = 1 for the single path) and compares
exactly: money is integer (万元 × 10⁶) and thresholds are fractions, so a ratio test
``num / den ≥ p / q`` is evaluated as ``num · q ≥ den · p`` — no float rounding at the
boundaries the policy texts name.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

import numpy as np

from ..params import Band, Param, ParameterSet
from ..population import SCALE
from ..verdict import BORDERLINE, FAIL, MISSING, PASS, Condition, Expr

__all__ = ["PASS", "FAIL", "BORDERLINE", "MISSING", "SchemeResult", "status", "ratio_ge",
           "band_points", "growth_avg_ge", "growth_two_ge", "money", "wan", "pct", "cond",
           "tri_status", "range_status", "sum_window"]


@dataclass
class SchemeResult:
    """Columnar outcome of one scheme over N enterprises."""

    statuses: dict[str, np.ndarray]
    components: dict[str, tuple[np.ndarray, np.ndarray]]
    score: tuple[np.ndarray, np.ndarray] | None
    expr: Expr
    extra: dict[str, np.ndarray] = field(default_factory=dict)


def status(ok: np.ndarray, known: np.ndarray | bool = True) -> np.ndarray:
    """PASS where ``ok``, FAIL where not, MISSING where not ``known``."""
    ok = np.asarray(ok, dtype=bool)
    known = np.broadcast_to(np.asarray(known, dtype=bool), ok.shape)
    return np.where(known, np.where(ok, PASS, FAIL), MISSING).astype(np.int8)


def tri_status(code: np.ndarray, good: int) -> np.ndarray:
    """Status of a tri-state column (-1 unknown): PASS when it equals ``good``."""
    return np.where(code < 0, MISSING, np.where(code == good, PASS, FAIL)).astype(np.int8)


def range_status(lo: np.ndarray, hi: np.ndarray, need: int, missing: np.ndarray,
                 undecided: int = BORDERLINE) -> np.ndarray:
    """PASS when lo ≥ need, FAIL when hi < need, else ``undecided``; MISSING if inputs absent."""
    s = np.where(lo >= need, PASS, np.where(hi < need, FAIL, undecided))
    return np.where(missing & (s != FAIL), MISSING, s).astype(np.int8)


def ratio_ge(num: np.ndarray, den: np.ndarray, fr: Fraction, strict: bool = False) -> np.ndarray:
    """Exact ``num / den ≥ fr`` (or ``>``) for integer columns with ``den > 0``."""
    a = np.asarray(num, dtype=np.int64) * fr.denominator
    b = np.asarray(den, dtype=np.int64) * fr.numerator
    return a > b if strict else a >= b


def band_points(num: np.ndarray, den: np.ndarray, bands: Sequence[Band]) -> tuple[np.ndarray, np.ndarray]:
    """Points (lo, hi) of the band that ``num / den`` falls into; 0 where ``den ≤ 0``."""
    n = np.shape(num)[0]
    lo = np.zeros(n, dtype=np.int64)
    hi = np.zeros(n, dtype=np.int64)
    pos = np.asarray(den) > 0
    for b in reversed(bands):  # lowest band first, higher bands overwrite
        m = pos & ratio_ge(num, den, b.minimum, b.strict)
        lo[m] = b.points_min
        hi[m] = b.points_max
    return lo, hi


_NEAR = 1e-9  # float pre-filter margin; rows this close to a threshold are decided exactly


def _exact_fallback(approx: np.ndarray, tf: float, strict: bool, exact_fn) -> np.ndarray:
    """Decide with floats, then re-decide rows near the threshold (or non-finite) exactly."""
    with np.errstate(invalid="ignore"):
        res = (approx > tf) if strict else (approx >= tf)
        near = ~np.isfinite(approx) | (np.abs(approx - tf) <= _NEAR * max(1.0, abs(tf)))
    idx = np.nonzero(near)[0]
    if idx.size:
        res[idx] = exact_fn(idx)
    return res


def growth_avg_ge(y1, y2, y3, t: Fraction, strict: bool = False) -> np.ndarray:
    """Exact ``½·(y2/y1 + y3/y2) − 1 ≥ t`` for ``y1, y2 > 0``.

    Floats decide clear cases; rows within 1e-9 of ``t`` are re-decided with Python
    integers (``b·(y2² + y1·y3) ≥ 2·(a+b)·y1·y2`` for ``t = a/b``)."""
    a, b = t.numerator, t.denominator
    y1, y2, y3 = (np.asarray(v, dtype=np.int64) for v in (y1, y2, y3))
    with np.errstate(divide="ignore", invalid="ignore"):
        f1, f2, f3 = y1.astype(float), y2.astype(float), y3.astype(float)
        approx = 0.5 * (f2 / f1 + f3 / f2) - 1.0

    def exact(idx):
        o1, o2, o3 = (v[idx].astype(object) for v in (y1, y2, y3))
        lhs = b * (o2 * o2 + o1 * o3)
        rhs = 2 * (a + b) * o1 * o2
        return np.asarray((lhs > rhs) if strict else (lhs >= rhs), dtype=bool)
    return _exact_fallback(approx, float(t), strict, exact)


def growth_two_ge(ya, yb, t: Fraction, strict: bool = False) -> np.ndarray:
    """Exact ``yb / ya − 1 ≥ t`` for ``ya > 0`` (float pre-filter, exact near ``t``)."""
    a, b = t.numerator, t.denominator
    ya, yb = np.asarray(ya, dtype=np.int64), np.asarray(yb, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        approx = yb.astype(float) / ya.astype(float) - 1.0

    def exact(idx):
        lhs = yb[idx].astype(object) * b
        rhs = ya[idx].astype(object) * (a + b)
        return np.asarray((lhs > rhs) if strict else (lhs >= rhs), dtype=bool)
    return _exact_fallback(approx, float(t), strict, exact)


def growth_band(mode_avg, mode_two, y1, y2, y3, ya, yb, bands: Sequence[Band]):
    """Points (lo, hi) for a growth rate computed by the average (3-year) formula where
    ``mode_avg`` and by the two-point formula ``yb/ya − 1`` where ``mode_two``; 0 elsewhere."""
    n = np.shape(y1)[0]
    lo = np.zeros(n, dtype=np.int64)
    hi = np.zeros(n, dtype=np.int64)
    for b in reversed(bands):
        m = (mode_avg & growth_avg_ge(y1, y2, y3, b.minimum, b.strict)) | \
            (mode_two & growth_two_ge(ya, yb, b.minimum, b.strict))
        lo[m] = b.points_min
        hi[m] = b.points_max
    return lo, hi


def sum_window(F, field_name: str, cols: Sequence[int] | None = None):
    """(sum, complete) of a money field over the window years the firm operated in."""
    vals, has, op = F["m_" + field_name], F["h_" + field_name], F["op"]
    mask = op.copy()
    if cols is not None:
        sel = np.zeros(3, dtype=bool)
        sel[list(cols)] = True
        mask &= sel[None, :]
    total = (vals * mask).sum(1)
    complete = (has | ~mask).all(1)
    return total, complete


# --- explanation helpers (single case, row 0) ----------------------------------------

def money(v) -> Decimal:
    """Integer money column value → Decimal 万元."""
    return Decimal(int(v)) / SCALE


def wan(d: Decimal | Fraction, places: int = 1) -> str:
    """Format 万元 rounded *up* (a gap must not under-state what is needed)."""
    d = Decimal(d.numerator) / Decimal(d.denominator) if isinstance(d, Fraction) else d
    q = Decimal(1).scaleb(-places)
    return str(d.quantize(q, rounding=ROUND_CEILING))


def pct(fr: Fraction | Decimal | None, places: int = 1) -> str:
    """Format a ratio as a percentage."""
    if fr is None:
        return "—"
    v = Decimal(fr.numerator) / Decimal(fr.denominator) if isinstance(fr, Fraction) else fr
    return f"{(v * 100).quantize(Decimal(1).scaleb(-places))}%"


def ratio_value(num, den) -> Fraction | None:
    """Exact ratio of two integer columns' row values (None when den ≤ 0)."""
    num, den = int(num), int(den)
    return Fraction(num, den) if den > 0 else None


def as_float(fr: Fraction | None, places: int = 4) -> float | None:
    """A ratio for the JSON ``value`` key."""
    return None if fr is None else round(float(fr), places)


def ceil_int(fr: Fraction) -> int:
    """Smallest integer ≥ fr."""
    return math.ceil(fr)


def cond(cid: str, label: str, s: int, p: Param | None, *, value=None, threshold=None,
         gap=None, detail=None, missing: Sequence[str] = (), citation: str | None = None,
         verified: bool | None = None, note: str | None = None) -> Condition:
    """Build a Condition, taking citation / verified / note from the parameter ``p``."""
    from ..verdict import STATUS_NAMES
    return Condition(
        id=cid, label=label, status=STATUS_NAMES[int(s)],
        citation=citation if citation is not None else (str(p.citation) if p else ""),
        value=value, threshold=threshold, gap=gap, detail=detail,
        verified=(p.verified if p else True) if verified is None else verified,
        note=note if note is not None else (p.note if p and p.note and not p.verified else None),
        missing=tuple(missing),
    )


def year_keys(on: _dt.date, F, field_name: str, cols: Sequence[int] = (0, 1, 2)) -> list[str]:
    """Key paths of the window years whose ``field_name`` is absent (row 0)."""
    W = [on.year - 3, on.year - 2, on.year - 1]
    return [f"years[{W[c]}].{field_name}" for c in cols
            if F["op"][0][c] and not F["h_" + field_name][0][c]]


def band_letter_points(param: ParameterSet | Param, idx: int) -> tuple[int, int]:
    """(lo, hi) points of band letter index ``idx`` (0 = A) from a mapping parameter."""
    table = param.value if isinstance(param, Param) else param
    lo, hi = table["ABCDE"[idx]]
    return int(lo), int(hi)
