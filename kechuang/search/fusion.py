"""Fusion of lexical and semantic rankings.

* ``rrf``: reciprocal-rank fusion, score = Σ w / (k + rank), rank counted from 1.
* ``mix``: convex mix of min-max-normalised scores over the candidate set.
"""
from __future__ import annotations

import numpy as np

RRF_K = 60


def top_candidates(scores: np.ndarray, n: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Indices of the ``n`` highest scores (descending), restricted to ``mask`` if given."""
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    n = min(n, int(np.isfinite(scores).sum()))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.argpartition(-scores, n - 1)[:n]
    return idx[np.argsort(-scores[idx], kind="stable")]


def rrf(rankings: list[np.ndarray], weights: list[float] | None = None, k: int = RRF_K) -> dict[int, float]:
    """Reciprocal-rank fusion of several ranked index lists; returns index → fused score."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, idx in enumerate(ranking.tolist(), start=1):
            fused[idx] = fused.get(idx, 0.0) + w / (k + rank)
    return fused


def minmax_mix(candidates: np.ndarray, lexical: np.ndarray, semantic: np.ndarray, alpha: float) -> dict[int, float]:
    """``alpha`` × normalised semantic + (1−alpha) × normalised lexical, over ``candidates``."""
    def norm(v: np.ndarray) -> np.ndarray:
        lo, hi = float(v.min()), float(v.max())
        return np.zeros_like(v) if hi - lo < 1e-12 else (v - lo) / (hi - lo)
    lex = norm(lexical[candidates].astype(np.float64))
    sem = norm(semantic[candidates].astype(np.float64))
    mixed = alpha * sem + (1 - alpha) * lex
    return {int(i): float(s) for i, s in zip(candidates, mixed, strict=True)}
