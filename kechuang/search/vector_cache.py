"""A persistent cache of segment embeddings, keyed by (embedder name, role, text).

Documents are embedded segment by segment (title, keywords, each abstract sentence), so a
record whose sentences were seen before costs nothing to embed again. The cache file is an
``.npz`` with the SHA-1 keys (uint8 rows of 20) and float16 vectors.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _key(embedder_name: str, role: str, text: str) -> bytes:
    return hashlib.sha1(f"{embedder_name}\x00{role}\x00{text}".encode()).digest()


class VectorCache:
    """In-memory map key → vector, loadable from and savable to one ``.npz`` file."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else None
        self._rows: dict[bytes, int] = {}
        self._chunks: list[np.ndarray] = []
        self._size = 0
        self._dirty = False
        self.hits = 0
        self.misses = 0
        if self.path and self.path.exists():
            with np.load(self.path) as data:
                keys, vecs = data["keys"], data["vectors"]
            self._chunks.append(vecs.astype(np.float16))
            # keys are stored as uint8 rows: a bytes dtype would drop trailing NUL bytes
            self._rows = {k.tobytes(): i for i, k in enumerate(keys)}
            self._size = len(keys)

    def __len__(self) -> int:
        return len(self._rows)

    def _matrix(self) -> np.ndarray:
        if len(self._chunks) > 1:
            self._chunks = [np.vstack(self._chunks)]
        return self._chunks[0] if self._chunks else np.zeros((0, 0), np.float16)

    def embed(self, embedder, texts: Sequence[str], role: str = "passage") -> np.ndarray:
        """Vectors for ``texts`` (float32, normalised), computing and storing only the missing ones."""
        keys = [_key(embedder.name, role, t) for t in texts]
        missing = list(dict.fromkeys(k_t for k_t in zip(keys, texts, strict=True) if k_t[0] not in self._rows))
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            miss_texts = [t for _, t in missing]
            fn = embedder.embed_queries if role == "query" else embedder.embed_passages
            new = np.asarray(fn(miss_texts), dtype=np.float32)
            if self._size and new.shape[1] != self._matrix().shape[1]:
                raise ValueError(f"向量缓存维度为 {self._matrix().shape[1]}，{embedder.name} 给出 {new.shape[1]} 维；"
                                 "每个语义模型应使用自己的缓存文件")
            for i, (k, _) in enumerate(missing):
                self._rows[k] = self._size + i
            self._chunks.append(new.astype(np.float16))
            self._size += len(missing)
            self._dirty = True
        if not texts:
            return np.zeros((0, getattr(embedder, "dim", 0)), dtype=np.float32)
        mat = self._matrix()
        return mat[[self._rows[k] for k in keys]].astype(np.float32)

    def save(self, path: str | os.PathLike | None = None) -> None:
        """Write the cache atomically (to ``path`` or the path it was opened with)."""
        target = Path(path) if path else self.path
        if target is None:
            raise ValueError("VectorCache.save: no path given")
        if not self._dirty and target == self.path and target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        ordered = sorted(self._rows, key=self._rows.get)
        keys = np.frombuffer(b"".join(ordered), dtype=np.uint8).reshape(len(ordered), 20)
        mat = self._matrix()
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".npz")
        os.close(fd)
        np.savez(tmp, keys=keys, vectors=mat)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        self._dirty = False
