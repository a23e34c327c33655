"""Evaluation metrics and query sets, with hand-computed values."""
import math

import numpy as np
import pytest

from kechuang.search.documents import Document
from kechuang.search.evaluation import keyword_queries, mrr_at_k, ndcg_at_k, title_queries
from kechuang.search.fusion import minmax_mix, rrf, top_candidates


def test_mrr_at_10():
    assert mrr_at_k(["a", "b", "c"], {"c"}) == pytest.approx(1 / 3)
    assert mrr_at_k(["x"] * 10 + ["c"], {"c"}) == 0.0          # rank 11 is outside @10
    assert mrr_at_k(["x"] * 9 + ["c"], {"c"}) == pytest.approx(0.1)


def test_ndcg_at_10():
    # relevant at ranks 1 and 3 of 2 relevant: (1 + 1/log2(4)) / (1 + 1/log2(3))
    expected = (1 + 1 / 2) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(["a", "x", "b"], {"a", "b"}) == pytest.approx(expected)
    assert ndcg_at_k(["a", "b"], {"a", "b"}) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        ndcg_at_k(["a"], set())


def test_query_sets():
    docs = [Document("csl-dev-1", "甲", keywords=("石材", "激光")),
            Document("csl-test-2", "乙", keywords=("石材",)),
            Document("csl-test-3", "丙", keywords=("石材", "激光"))]
    tq = title_queries(docs)
    assert [(q.text, q.relevant, q.split) for q in tq][:2] == [("甲", {"csl-dev-1"}, "dev"), ("乙", {"csl-test-2"}, "test")]
    kq = keyword_queries(docs, min_papers=3)
    assert [(q.text, q.relevant) for q in kq] == [("石材", {"csl-dev-1", "csl-test-2", "csl-test-3"})]
    assert [q.text for q in keyword_queries(docs, min_papers=2)] == ["激光", "石材"]


def test_rrf_and_mix():
    fused = rrf([np.array([3, 1]), np.array([1, 2])], [1.0, 1.0], k=60)
    assert fused[1] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[3] == pytest.approx(1 / 61)
    assert max(fused, key=fused.get) == 1
    mixed = minmax_mix(np.array([0, 1]), np.array([2.0, 4.0]), np.array([0.9, 0.1]), alpha=0.25)
    assert mixed[0] == pytest.approx(0.25) and mixed[1] == pytest.approx(0.75)


def test_top_candidates_respects_mask():
    s = np.array([0.1, 0.9, 0.5, 0.7])
    assert top_candidates(s, 2).tolist() == [1, 3]
    assert top_candidates(s, 3, np.array([True, False, True, False])).tolist() == [2, 0]
