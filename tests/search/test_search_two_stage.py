"""The two-stage semantic ranking used above EXACT_SCAN_LIMIT documents (engine.semantic_scores),
checked on the real CSL document vectors shipped with the product (no model run needed)."""
import numpy as np
import pytest

from kechuang.search import engine as engine_module
from kechuang.search.documents import Document
from kechuang.search.engine import SEED_CACHE, SEED_EMBEDDER, SearchEngine
from kechuang.search.fusion import top_candidates
from kechuang.search.vector_cache import VectorCache


class ShippedVectorsOnly:
    """The bundled model's name and size; a text the shipped vectors lack is an error."""
    name, dim = SEED_EMBEDDER, 384

    def embed_passages(self, texts):
        raise AssertionError(f"not in the shipped vectors: {texts[:1]}")

    embed_queries = embed_passages

    @staticmethod
    def truncate_passage(text):
        """The bundled model's cut to its window (its tokenizer only), as the shipped vectors were made."""
        from kechuang.search.embedders import get_embedder
        return get_embedder("default").truncate_passage(text)


@pytest.fixture()
def csl_engine(csl_docs, monkeypatch):
    e = SearchEngine(embedder=ShippedVectorsOnly(), cache=VectorCache(SEED_CACHE))
    e.add(csl_docs)
    # every index counts as large here: 2,000 documents, 200 coarse candidates (a tenth)
    monkeypatch.setattr(engine_module, "EXACT_SCAN_LIMIT", 0)
    monkeypatch.setattr(engine_module, "COARSE_CANDIDATES", 200)
    return e


def test_two_stage_keeps_the_exact_top_10(csl_engine):
    rng = np.random.default_rng(3)
    queries = csl_engine.vectors[rng.choice(len(csl_engine.vectors), 100, replace=False)]
    recalls = []
    for qv in queries:
        exact = csl_engine.vectors @ qv
        two_stage = csl_engine.semantic_scores(qv)
        want = set(top_candidates(exact, 10).tolist())
        got = top_candidates(two_stage, 10)
        recalls.append(len(want & set(got.tolist())) / 10)
        # what is scored is scored exactly; the rest is out of the ranking
        assert np.allclose(two_stage[got], exact[got])
        assert np.isinf(two_stage).sum() == len(exact) - 200
    assert np.mean(recalls) >= 0.97, np.mean(recalls)


def test_lexical_candidates_and_filters_are_honoured(csl_engine):
    qv = csl_engine.vectors[5]
    exact = csl_engine.vectors @ qv
    worst = np.argsort(exact)[:3]               # far from the query: never coarse candidates
    scores = csl_engine.semantic_scores(qv, also=worst)
    assert np.allclose(scores[worst], exact[worst])
    mask = np.zeros(len(exact), dtype=bool)
    mask[::2] = True
    masked = csl_engine.semantic_scores(qv, mask)
    assert np.isfinite(masked[mask]).sum() == 200 and not np.isfinite(masked[~mask]).any()


def test_coarse_index_follows_add_and_remove(csl_engine, csl_docs):
    csl_engine.semantic_scores(csl_engine.vectors[0])       # builds the coarse index
    donor = csl_docs[11]
    copy = Document("copy-11", donor.title, donor.abstract, donor.keywords)
    csl_engine.add([copy])
    qv = csl_engine.vectors[-1]
    top2 = {csl_engine.docs[i].id for i in top_candidates(csl_engine.semantic_scores(qv), 2)}
    assert top2 == {"copy-11", donor.id}
    csl_engine.remove(["copy-11", donor.id])
    ids = {csl_engine.docs[i].id for i in top_candidates(csl_engine.semantic_scores(qv), 10)}
    assert "copy-11" not in ids and donor.id not in ids and len(ids) == 10
