"""培育库 pipeline: run every enterprise through the five schemes (columnar) and place it.

Pure functions over columns (no database): :func:`place_on_ladder` and :func:`hnte_pool`
derive each enterprise's rung and 高企培育库 membership from the batch verdicts and the
feature columns; :func:`target_and_top_condition` picks the next target scheme and its first
unmet condition. The database side (load, store) is in ``services.py``.
"""

from __future__ import annotations

import numpy as np

from kechuang.rules.engine import BatchVerdicts
from kechuang.rules.verdict import BORDERLINE, FAIL, MISSING, PASS

#: rung code → the qualification feature that places an enterprise on it (highest wins).
RUNG_FEATURES = ((1, "q_tsme"), (2, "q_innov"), (3, "q_srdi"), (4, "q_hnte"), (5, "q_lg"))

#: 高企 criteria an enterprise can close within a year (hire staff, spend on R&D, file IP,
#: grow 高新 revenue, wait out the one-year clauses). Not closable: the core technology lying
#: outside the supported fields (a change of business, not a year's work).
CLOSABLE_HNTE = frozenset({
    "hnte.registered_1y", "hnte.ip_ownership", "hnte.tech_staff_ratio", "hnte.rd_ratio",
    "hnte.rd_domestic_share", "hnte.hitech_revenue_share", "hnte.innovation_score",
    "hnte.no_incident",
})

LETTERS = np.array(list("PFBM"))


def place_on_ladder(F: dict) -> np.ndarray:
    """Rung per enterprise: the highest qualification held (valid on the run date), 0 if none."""
    n = F["employees"].shape[0]
    rung = np.zeros(n, dtype=np.int64)
    for code, feat in RUNG_FEATURES:
        rung = np.where(F[feat], np.maximum(rung, code), rung)
    return rung


def hnte_pool(hnte: BatchVerdicts, F: dict) -> np.ndarray:
    """高企培育库: not holding 高企, not yet eligible, and every unmet 高企 criterion closable
    within a year (at least one criterion failing or awaiting judgement)."""
    ids = hnte.condition_ids
    st = hnte.statuses
    closable = np.array([c in CLOSABLE_HNTE for c in ids])
    unmet = (st == FAIL) | (st == BORDERLINE)
    bad_unclosable = ((st == FAIL) & ~closable[None, :]).any(1)
    return (~F["q_hnte"]) & (hnte.eligible != 1) & unmet.any(1) & ~bad_unclosable


def target_and_top_condition(batch: dict[str, BatchVerdicts], F: dict) -> tuple[np.ndarray, np.ndarray]:
    """The next target (高企 for those without it, else 小巨人) and its first unmet condition id."""
    n = F["employees"].shape[0]
    target = np.where(~F["q_hnte"], "hnte", np.where(~F["q_lg"], "little_giant", ""))
    top = np.full(n, "", dtype=object)
    for scheme in ("hnte", "little_giant"):
        b = batch[scheme]
        rows = target == scheme
        ids = np.array(b.condition_ids, dtype=object)
        for code in (FAIL, MISSING, BORDERLINE):
            hit = (b.statuses == code)
            has = hit.any(1) & rows & (top == "")
            first = hit.argmax(1)
            top[has] = ids[first[has]]
    return target.astype(object), top


def status_strings(batch: dict[str, BatchVerdicts], schemes) -> list[str]:
    """Per enterprise the compact status string, e.g. ``PPFPPPPBP|PPPPPF|…``."""
    out = None
    for s in schemes:
        st = batch[s].statuses
        letters = np.ascontiguousarray(LETTERS[st]).view(f"<U{st.shape[1]}").ravel()
        out = letters if out is None else np.char.add(np.char.add(out, "|"), letters)
    return out.tolist()


_ = (PASS, MISSING)
