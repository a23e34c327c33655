"""Engine behaviour with the deterministic hashing embedder (fast; no model needed)."""
import numpy as np
import pytest

from kechuang.search.documents import Document
from kechuang.search.embedders import HashingEmbedder
from kechuang.search.engine import SearchEngine, SearchError, open_corpus_index
from kechuang.search.vector_cache import VectorCache

from .conftest import write_tsv


@pytest.fixture(scope="module")
def engine(small_docs):
    e = SearchEngine(embedder=HashingEmbedder())
    e.add(small_docs)
    return e


def test_finds_paper_by_its_keywords_with_reasons(engine, small_docs):
    target = small_docs[0]  # 平方和优化 / 大角度机动 / Lyapunov函数
    hits = engine.search("平方和优化 大角度机动", k=5)
    assert hits[0].id == target.id
    assert 0 < hits[0].score <= 1.0
    assert any(w.startswith("匹配关键词：") and "平方和优化" in w for w in hits[0].why)
    assert any(w.startswith("语义最接近的句子") for w in hits[0].why)
    assert hits[0].lexical_rank == 1


def test_modes_and_scores_descend(engine):
    for mode in ("lexical", "semantic", "hybrid"):
        hits = engine.search("水运工程 全过程管理", k=5, mode=mode)
        assert hits, mode
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert all(0 <= h.score <= 1.0001 for h in hits)
    assert engine.search("水运工程 全过程管理", k=1, mode="lexical")[0].id == "csl-dev-0001"


@pytest.mark.parametrize("query,message", [("", "查询不能为空"), ("   ", "查询不能为空"),
                                          ("石" * 2001, "查询过长")])
def test_bad_queries(engine, query, message):
    with pytest.raises(SearchError, match=message):
        engine.search(query)


def test_bad_mode_k_and_filter(engine):
    with pytest.raises(SearchError, match="未知的检索方式"):
        engine.search("石材", mode="fuzzy")
    with pytest.raises(SearchError, match="k 应为正整数"):
        engine.search("石材", k=0)
    with pytest.raises(SearchError, match="未知的筛选条件：colour"):
        engine.search("石材", filters={"colour": "red"})


def test_filters():
    docs = [Document("a", "石材激光雕刻", "石材表面激光雕刻工艺", ("石材",), {"field": "新材料", "maturity": "6", "transfer_modes": "转让；许可"}),
            Document("b", "石材切割设备", "石材切割", ("石材",), {"field": "智能装备", "maturity": "3", "transfer_modes": "作价入股"}),
            Document("c", "石材废料利用", "石材废料制砖", ("石材",), {"field": "新材料", "maturity": "8", "transfer_modes": "许可"})]
    e = SearchEngine(embedder=HashingEmbedder())
    e.add(docs)
    def ids(**f):
        return sorted(h.id for h in e.search("石材", k=10, filters=f))
    assert ids() == ["a", "b", "c"]
    assert ids(field="新材料") == ["a", "c"]
    assert ids(transfer_mode="许可") == ["a", "c"]
    assert ids(maturity_min=6) == ["a", "c"]
    assert ids(maturity_min=7) == ["c"]
    assert ids(maturity_max=6) == ["a", "b"]
    assert ids(field="新材料", maturity_max=6) == ["a"]
    assert ids(field=["新材料", "智能装备"]) == ["a", "b", "c"]
    # nothing passes: an empty list, in every mode (no error)
    assert ids(field="生物医药") == [] and ids(field="新材料", transfer_mode="作价入股") == []
    assert e.search("石材", filters={"field": "生物医药"}, mode="semantic") == []
    # the masks follow an added document
    e.add([Document("d", "石材荒料开采", "石材矿山", ("石材",), {"field": "生物医药", "transfer_modes": "作价入股"})])
    assert ids(field="生物医药") == ["d"] and ids(transfer_mode="作价入股") == ["b", "d"]
    with pytest.raises(SearchError, match="maturity_min 应为整数"):
        ids(maturity_min="高")


def test_incremental_add_equals_full_build(small_docs):
    full = SearchEngine(embedder=HashingEmbedder())
    full.add(small_docs)
    inc = SearchEngine(embedder=HashingEmbedder())
    inc.add(small_docs[:40])
    inc.add(small_docs[40:])
    for q in ("飞行器 控制器", "混凝土 裂缝", small_docs[50].title):
        a = [(h.id, h.score) for h in full.search(q, k=10)]
        b = [(h.id, h.score) for h in inc.search(q, k=10)]
        assert a == b
    with pytest.raises(SearchError, match="已在索引中"):
        inc.add(small_docs[:1])


def test_save_load_roundtrip(tmp_path, engine):
    engine.save(tmp_path / "idx")
    other = SearchEngine(embedder=HashingEmbedder())
    other.load(tmp_path / "idx")
    q = "全过程管理 质量管理 成本管理"
    assert [(h.id, h.score) for h in other.search(q)] == [(h.id, h.score) for h in engine.search(q)]


def test_load_refuses_other_embedder(tmp_path, engine):
    from kechuang.search.engine import IndexMismatch
    engine.save(tmp_path / "idx")
    with pytest.raises(IndexMismatch, match="embedder"):
        SearchEngine(embedder=HashingEmbedder(dim=128)).load(tmp_path / "idx")


def test_corpus_index_reused_while_unchanged(tmp_path, small_docs):
    rows = [{"id": d.id, "title": d.title, "abstract": d.abstract, "keywords": "；".join(d.keywords)}
            for d in small_docs[:20]]
    corpus = write_tsv(tmp_path / "c.tsv", rows)
    root = tmp_path / "idx"
    e1, reused1 = open_corpus_index(corpus, embedder=HashingEmbedder(), index_root=root)
    e2, reused2 = open_corpus_index(corpus, embedder=HashingEmbedder(), index_root=root)
    assert (reused1, reused2) == (False, True)
    assert [h.id for h in e2.search("飞行器")] == [h.id for h in e1.search("飞行器")]
    rows.append({"id": "new-1", "title": "石材荒料智能切割", "abstract": "荒料切割路径优化", "keywords": "石材荒料"})
    write_tsv(corpus, rows)
    e3, reused3 = open_corpus_index(corpus, embedder=HashingEmbedder(), index_root=root)
    assert reused3 is False
    assert e3.search("石材荒料 切割", k=1)[0].id == "new-1"
    # the unchanged 20 records were not embedded again: only the new record's segments and its
    # whole passage
    assert e3.cache.misses == len(e3.docs[-1].segments()) + 1


def test_vector_cache_roundtrip(tmp_path):
    emb = HashingEmbedder()
    c = VectorCache(tmp_path / "v.npz")
    a = c.embed(emb, ["石材", "激光", "石材"], "passage")
    assert (c.hits, c.misses) == (1, 2)
    np.testing.assert_allclose(a[0], a[2])
    c.save()
    c2 = VectorCache(tmp_path / "v.npz")
    b = c2.embed(emb, ["激光", "石材"], "passage")
    assert (c2.hits, c2.misses) == (2, 0)
    np.testing.assert_allclose(b, a[[1, 0]], atol=1e-3)
    c2.embed(emb, ["激光"], "query")            # the role is part of the key
    assert c2.misses == 1


def test_remove_then_add_equals_fresh_build(small_docs):
    e = SearchEngine(embedder=HashingEmbedder())
    e.add(small_docs[:30])
    assert e.remove([small_docs[3].id, "unknown"]) == 1
    fresh = SearchEngine(embedder=HashingEmbedder())
    fresh.add(small_docs[:3] + small_docs[4:30])
    q = small_docs[3].title
    assert [(h.id, h.score) for h in e.search(q)] == [(h.id, h.score) for h in fresh.search(q)]
    assert small_docs[3].id not in [h.id for h in e.search(q, k=30)]


def test_vectorised_bm25_matrix_equals_bm25s_index(small_docs):
    """The numpy builder produces exactly bm25s's own Lucene score matrix."""
    import bm25s
    from bm25s.tokenization import Tokenized

    from kechuang.search.lexical import LexicalIndex
    from kechuang.search.text import ChineseTokenizer
    lex = LexicalIndex(ChineseTokenizer())
    lex.add(small_docs)
    ref = bm25s.BM25(k1=lex.k1, b=lex.b)
    ref.index(Tokenized(ids=[x.tolist() for x in lex.doc_ids], vocab=lex.vocab), show_progress=False,
              create_empty_token=False)
    for key in ("indptr", "indices"):
        np.testing.assert_array_equal(lex._bm25.scores[key], ref.scores[key])
    np.testing.assert_allclose(lex._bm25.scores["data"], ref.scores["data"], rtol=1e-5)
    for q in (["飞行器", "控制器"], ["水运工程", "管理"]):
        np.testing.assert_allclose(lex.scores(q), ref.get_scores(q), rtol=1e-5)


def test_one_query_embedding_per_search(small_docs):
    class Counting(HashingEmbedder):
        calls = 0

        def embed_queries(self, texts):
            Counting.calls += len(texts)
            return super().embed_queries(texts)

    e = SearchEngine(embedder=Counting())
    e.add(small_docs[:20])
    e.search("飞行器 控制器", k=5)
    e.search("水运工程", k=5)
    assert Counting.calls == 2


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, counting the queries it embeds."""

    def __init__(self):
        super().__init__()
        self.queries = []

    def embed_queries(self, texts):
        self.queries += list(texts)
        return super().embed_queries(texts)


def test_query_embeddings_are_cached_per_query(small_docs, monkeypatch):
    from kechuang.search import engine as engine_module
    emb = CountingEmbedder()
    e = SearchEngine(embedder=emb)
    e.add(small_docs)
    first = [h.id for h in e.search("水运工程 全过程管理", k=5)]
    assert emb.queries == ["水运工程 全过程管理"]          # the reasons re-use it too
    assert [h.id for h in e.search("水运工程 全过程管理", k=5)] == first
    e.search("水运工程 全过程管理", k=5, mode="semantic")
    assert len(emb.queries) == 1
    e.clear_query_cache()
    e.search("水运工程 全过程管理", k=5)
    assert len(emb.queries) == 2
    monkeypatch.setattr(engine_module, "QUERY_CACHE_SIZE", 2)
    for q in ("平方和优化", "大角度机动", "水运工程 全过程管理"):
        e.search(q, k=3)
    assert len(e._query_cache) == 2 and "平方和优化" not in e._query_cache


def test_query_weight_counts_words_no_document_carries(small_docs):
    """A query word in no document weighs as a term of document frequency 0, so the term share
    of a document that carries only the query's one common word stays small (the faucet title
    read as fully matched by 合金 when 水龙头、无铅化 were left out of the divisor)."""
    import math

    from kechuang.search.lexical import LexicalIndex
    from kechuang.search.text import ChineseTokenizer
    lex = LexicalIndex(ChineseTokenizer())
    lex.add(small_docs)
    n = len(small_docs)
    seen = lex.query_weight(["飞行器"])
    assert seen > 0
    unseen = math.log(1 + (n + 0.5) / 0.5)
    assert lex.query_weight(["飞行器", "水龙头无铅化"]) == pytest.approx(seen + unseen)
    assert lex.query_weight(["水龙头无铅化", "水龙头无铅化", ""]) == pytest.approx(unseen)
    # a document with the seen word at saturation carries about half of such a query, not all of it
    share = lex.scores(["飞行器"]).max() / lex.query_weight(["飞行器", "水龙头无铅化"])
    assert share < 0.6
