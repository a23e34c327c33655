"""A web process opens a saved index shared (``load(…, shared=True)``): vectors, BM25 matrix,
documents and the segment-vector cache are memory-mapped read-only, nothing of them is copied into
the process — and every search, filter and reason comes out exactly as from the private copy."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kechuang.search import engine as engine_module
from kechuang.search.embedders import get_embedder
from kechuang.search.engine import SEED_CACHE, DocumentFile, SearchEngine
from kechuang.search.vector_cache import VectorCache

QUERIES = ["飞行器 姿态控制", "水运工程 施工管理", "深度学习 图像识别", "土壤 重金属 污染 修复"]
FILTERS = [None, {"field": "新材料"}, {"transfer_mode": "技术许可"}, {"maturity_min": 5}, {"source": "csl"}]


def _with_attrs(docs):
    fields, modes = ["新材料", "电子信息", "生物医药"], ["技术转让", "技术许可；作价投资", "技术许可"]
    return [dataclasses.replace(d, attrs={"field": fields[i % 3], "transfer_modes": modes[i % 3],
                                          "maturity": str(1 + i % 9), "source": "csl" if i % 2 else "own"})
            for i, d in enumerate(docs)]


@pytest.fixture(scope="module")
def built(csl_docs, tmp_path_factory):
    """A private engine over 400 CSL records, saved with its vector cache (the index job's way)."""
    tmp = tmp_path_factory.mktemp("shared-index")
    cache = VectorCache(SEED_CACHE)
    cache.path = tmp / "vector-cache.npz"
    cache._dirty = True
    engine = SearchEngine(embedder=get_embedder("default"), cache=cache)
    engine.add(_with_attrs(csl_docs[:400]))
    engine.save(tmp / "v-1")
    return engine, tmp


def _open_shared(tmp):
    engine = SearchEngine(embedder=get_embedder("default"), cache=VectorCache(tmp / "vector-cache.npz", shared=True))
    engine.load(tmp / "v-1", shared=True)
    return engine


def _results(engine, **kw):
    return [[h.as_dict() for h in engine.search(q, k=8, mode=mode, filters=f, **kw)]
            for q in QUERIES for mode in ("hybrid", "lexical", "semantic") for f in FILTERS]


def test_shared_engine_maps_the_index_files_and_searches_like_the_private_copy(built, monkeypatch):
    private, tmp = built
    shared = _open_shared(tmp)
    assert shared.shared and isinstance(shared.vectors, np.memmap) and shared.vectors.dtype == np.float16
    assert not shared.vectors.flags.writeable
    assert isinstance(shared.docs, DocumentFile) and shared._pos_map is None
    assert all(isinstance(shared.lexical._bm25.scores[k], np.memmap) for k in ("data", "indices", "indptr"))
    assert shared.lexical._doc_ids is None                   # token ids stay on disk
    # the segment-vector cache is mapped, not loaded: no key dictionary, no vectors in the process
    assert shared.cache.shared and shared.cache._rows == {} and len(shared.cache) == len(private.cache)
    assert isinstance(shared.cache._shared["vectors"], np.memmap)

    assert _results(shared) == _results(private)
    assert shared.cache.misses == 0                            # the reasons' sentences came from the file
    assert shared._pos_map is None and shared.lexical._doc_ids is None   # still nothing copied
    # above EXACT_SCAN_LIMIT: the two-stage ranking over the mapped float16 vectors
    monkeypatch.setattr(engine_module, "EXACT_SCAN_LIMIT", 0)
    monkeypatch.setattr(engine_module, "COARSE_CANDIDATES", 50)
    private._coarse = None
    assert _results(shared, explain=False) == _results(private, explain=False)


def test_a_shared_engine_changed_by_the_index_job_copies_first(built, csl_docs):
    private, tmp = built
    shared = _open_shared(tmp)
    reference = SearchEngine(embedder=get_embedder("default"), cache=private.cache)
    reference.load(tmp / "v-1")
    new = _with_attrs(csl_docs[400:410])
    gone = [d.id for d in list(private.docs)[:5]]
    for e in (shared, reference):
        assert e.remove(gone) == 5
        e.add(new)
    assert not shared.shared and isinstance(shared.docs, list) and not isinstance(shared.vectors, np.memmap)
    assert _results(shared) == _results(reference)
    shared.save(tmp / "v-2")                                   # and a saved change opens shared again
    again = SearchEngine(embedder=get_embedder("default"), cache=VectorCache(tmp / "vector-cache.npz", shared=True))
    again.load(tmp / "v-2", shared=True)
    assert len(again) == 405 and _results(again) == _results(reference)


def test_a_shared_cache_without_the_sorted_lookup_is_empty_and_never_written(tmp_path):
    legacy = tmp_path / "old.npz"
    with np.load(SEED_CACHE) as data:                         # the layout before the sorted lookup
        np.savez(legacy, keys=data["keys"][:10], vectors=data["vectors"][:10])
    assert not VectorCache.shareable(legacy)
    cache = VectorCache(legacy, shared=True)
    assert len(cache) == 0
    emb = get_embedder("hashing")
    v = cache.embed(emb, ["玄武岩纤维", "复合板"])
    assert v.shape == (2, emb.dim) and cache.misses == 2
    assert np.allclose(cache.embed(emb, ["复合板"]), v[1:]) and cache.misses == 2   # kept in the overlay
    before = legacy.read_bytes()
    cache.save()
    assert legacy.read_bytes() == before
