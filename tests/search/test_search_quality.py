"""Matching quality on a small fixed set of need-style queries, with the bundled model and the
shipped CSL vectors (the documents are not embedded again; about 20 short queries are).

The full evaluation (64 needs in a tune and a held-out half, the CSL keyword task, the fit of
the calibrated relevance) is ``tests/bench/eval_needs.py``; numbers in docs/search.md. This test
fails when quality drops on the fixed set, when a no-match need gets a suggestion above the
floor, or when a reason shows a stop word, a generic word or a single character.
"""
import json
import math
from pathlib import Path

import pytest

from kechuang.search.embedders import get_embedder
from kechuang.search.engine import SEED_CACHE, SearchEngine
from kechuang.search.relevance import FLOOR, generic_terms
from kechuang.search.text import stopwords
from kechuang.search.vector_cache import VectorCache

NEEDS = json.loads((Path(__file__).resolve().parents[1] / "bench" / "need_queries.json")
                   .read_text(encoding="utf-8"))["queries"]
# held-out needs across industries (never used to fit the relevance)
FIXED = ("need-01", "need-05", "need-11", "need-13", "need-17", "need-21", "need-29", "need-33",
         "need-35", "need-41", "need-45", "need-53", "need-57", "need-61")
FAUCET = "卫浴水龙头铜合金铸件无铅化工艺。我公司生产卫浴水龙头，铜合金铸件需要无铅化，寻找低铅黄铜配方与铸造工艺，满足饮用水卫生标准。"


def text_of(q):
    return f"{q['title']}。{q['description'][:500]}"


def ndcg10(ranked, grades):
    dcg = sum(grades.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(grades.values(), reverse=True)[:10]
    return dcg / sum(g / math.log2(i + 2) for i, g in enumerate(ideal))


@pytest.fixture(scope="module")
def csl_engine(csl_docs):
    engine = SearchEngine(embedder=get_embedder("default"), cache=VectorCache(SEED_CACHE))
    engine.add(csl_docs)
    return engine


def test_fixed_set_quality(csl_engine):
    by_id = {q["id"]: q for q in NEEDS}
    scores = []
    for qid in FIXED:
        q = by_id[qid]
        hits = csl_engine.search(text_of(q), k=10, explain=False)
        scores.append(ndcg10([h.id for h in hits], q["relevance"]))
    mean = sum(scores) / len(scores)
    # measured 0.948 when written (calibrated hybrid, segment-mean vectors) and 0.941 with the
    # segment + whole-passage vectors; a drop of about 0.04 fails
    assert mean >= 0.90, f"nDCG@10 on the fixed need set fell to {mean:.3f}"


def test_held_out_half_quality(csl_engine):
    """All 32 held-out needs with relevant papers (never used to fit anything)."""
    scores = [ndcg10([h.id for h in csl_engine.search(text_of(q), k=10, explain=False)], q["relevance"])
              for q in NEEDS if q["split"] == "heldout" and q["relevance"]]
    assert len(scores) == 32
    mean = sum(scores) / len(scores)
    # measured 0.916 (tests/bench/eval_needs.py, docs/search.md); 0.911 before unseen query words
    # counted in the term share, 0.895 before the passage vectors
    assert mean >= 0.89, f"nDCG@10 on the held-out needs fell to {mean:.3f}"


def test_no_match_need_gets_no_suggestion(csl_engine):
    hits = csl_engine.search(FAUCET, k=10)
    strong = [h for h in hits if h.relevance >= FLOOR]
    assert strong == [], [(h.title, h.relevance) for h in strong]
    shown = {h.title for h in strong}
    assert not shown & {"斑点叉尾(鮰)软罐头的加工工艺", "面窝加工工艺参数优化研究", "空间太阳望远镜中的轻量化铍镜研究"}
    assert all(0 <= h.relevance <= 100 for h in hits)


def test_no_match_title_in_the_search_box_gets_no_suggestion(csl_engine):
    """A broker types the faucet need's title alone: 合金 is the only one of its words that papers
    carry, and it must not make a hob-cutter paper a 99 % match (the term share counts the unseen
    words 水龙头、无铅化; docs/search.md round 4)."""
    hits = csl_engine.search("卫浴水龙头铜合金铸件无铅化工艺", k=10)
    assert [h for h in hits if h.relevance >= FLOOR] == [], [(h.title, h.relevance) for h in hits[:3]]


def test_relevant_need_passes_the_floor_and_reasons_are_terms(csl_engine):
    hits = csl_engine.search("LED芯片出光效率低。光电企业生产LED芯片，希望提高出光效率、改善电极设计", k=5)
    assert hits[0].relevance >= FLOOR
    assert "LED" in hits[0].title
    banned = stopwords() | generic_terms()
    for h in hits:
        for line in h.why:
            if line.startswith("语义最接近的句子"):
                continue
            label, _, terms = line.partition("：")
            assert label in ("匹配关键词", "标题含", "摘要含"), line
            for term in terms.split("、"):
                assert len(term) >= 2 and term not in banned, line
