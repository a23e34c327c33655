"""A persistent cache of segment embeddings, keyed by (embedder name, role, text).

Documents are embedded segment by segment (title, keywords, each abstract sentence), so a
record whose sentences were seen before costs nothing to embed again. The cache file is an
uncompressed ``.npz`` with the SHA-1 keys (uint8 rows of 20) and float16 vectors, plus a sorted
lookup (``sorted_keys``, their first 8 bytes as ``prefix``, and ``rows`` into ``vectors``).

The index job opens the cache to write it (``VectorCache(path)``: keys in a dict, vectors in
memory). A web process opens it ``shared=True``: the members of the file are memory-mapped
read-only (the web processes of a host share those pages) and a key is found by binary search
in ``prefix`` — nothing is read into the process but the pages a lookup touches. Texts a
shared cache lacks are embedded and kept in a small private overlay, never written back.
"""
from __future__ import annotations

import hashlib
import os
import struct
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

#: texts a shared (read-only) cache keeps in its private overlay before starting it afresh
OVERLAY_LIMIT = 20_000


def _key(embedder_name: str, role: str, text: str) -> bytes:
    return hashlib.sha1(f"{embedder_name}\x00{role}\x00{text}".encode()).digest()


def map_npz(path: str | os.PathLike) -> dict[str, np.ndarray] | None:
    """The arrays of an uncompressed ``.npz`` memory-mapped read-only (None when a member is
    compressed or not a plain array, or the file is missing)."""
    path = Path(path)
    out: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
            for info in zf.infolist():
                if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
                    return None
                fh.seek(info.header_offset)
                local = fh.read(30)
                if local[:4] != b"PK\x03\x04":
                    return None
                name_len, extra_len = struct.unpack("<HH", local[26:30])
                fh.seek(info.header_offset + 30 + name_len + extra_len)
                version = np.lib.format.read_magic(fh)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
                elif version == (2, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
                else:
                    return None
                if fortran or dtype.hasobject:
                    return None
                name = info.filename[:-4]
                if int(np.prod(shape)) == 0:
                    out[name] = np.zeros(shape, dtype=dtype)
                else:
                    out[name] = np.memmap(path, dtype=dtype, mode="r", offset=fh.tell(), shape=shape)
    except (OSError, zipfile.BadZipFile, ValueError):
        return None
    return out


def _prefixes(keys: Sequence[bytes]) -> np.ndarray:
    return np.array([int.from_bytes(k[:8], "big") for k in keys], dtype=np.uint64)


class VectorCache:
    """Map key → vector, loadable from and savable to one ``.npz`` file; ``shared=True`` maps the
    file read-only instead of loading it (see the module docstring)."""

    def __init__(self, path: str | os.PathLike | None = None, *, shared: bool = False):
        self.path = Path(path) if path else None
        self._rows: dict[bytes, int] = {}
        self._chunks: list[np.ndarray] = []
        self._size = 0
        self._dirty = False
        self._shared: dict[str, np.ndarray] | None = None
        self.hits = 0
        self.misses = 0
        if shared:
            mapped = map_npz(self.path) if self.path and self.path.exists() else None
            if mapped and {"prefix", "sorted_keys", "rows", "vectors"} <= mapped.keys():
                self._shared = mapped
            else:   # not written in the shared layout yet: an empty cache until the index job writes it
                self._shared = {"prefix": np.zeros(0, np.uint64), "sorted_keys": np.zeros((0, 20), np.uint8),
                                "rows": np.zeros(0, np.int64), "vectors": np.zeros((0, 0), np.float16)}
        elif self.path and self.path.exists():
            with np.load(self.path) as data:
                keys, vecs = data["keys"], data["vectors"]
            self._chunks.append(vecs.astype(np.float16))
            # keys are stored as uint8 rows: a bytes dtype would drop trailing NUL bytes
            self._rows = {k.tobytes(): i for i, k in enumerate(keys)}
            self._size = len(keys)

    @property
    def shared(self) -> bool:
        """Whether this cache is a read-only mapping of its file."""
        return self._shared is not None

    def __len__(self) -> int:
        return len(self._rows) + (len(self._shared["prefix"]) if self._shared is not None else 0)

    def _matrix(self) -> np.ndarray:
        if len(self._chunks) > 1:
            self._chunks = [np.vstack(self._chunks)]
        return self._chunks[0] if self._chunks else np.zeros((0, 0), np.float16)

    def _shared_rows(self, keys: Sequence[bytes]) -> dict[bytes, int]:
        """Row in the mapped ``vectors`` of each key found in the shared file."""
        m = self._shared
        if m is None or not len(m["prefix"]) or not keys:
            return {}
        uniq = list(dict.fromkeys(keys))
        pos = np.searchsorted(m["prefix"], _prefixes(uniq))
        found, n = {}, len(m["prefix"])
        for k, i in zip(uniq, pos.tolist(), strict=True):
            p = int.from_bytes(k[:8], "big")
            while i < n and int(m["prefix"][i]) == p:
                if m["sorted_keys"][i].tobytes() == k:
                    found[k] = int(m["rows"][i])
                    break
                i += 1
        return found

    def embed(self, embedder, texts: Sequence[str], role: str = "passage") -> np.ndarray:
        """Vectors for ``texts`` (float32, normalised), computing and storing only the missing ones."""
        keys = [_key(embedder.name, role, t) for t in texts]
        shared = self._shared_rows(keys) if self._shared is not None else {}
        missing = list(dict.fromkeys(k_t for k_t in zip(keys, texts, strict=True)
                                     if k_t[0] not in self._rows and k_t[0] not in shared))
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            if self._shared is not None and self._size + len(missing) > OVERLAY_LIMIT:
                self._rows, self._chunks, self._size = {}, [], 0   # recomputable: start the overlay afresh
                missing = list(dict.fromkeys((k, t) for k, t in zip(keys, texts, strict=True) if k not in shared))
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
            self._dirty = self._shared is None
        if not texts:
            return np.zeros((0, getattr(embedder, "dim", 0)), dtype=np.float32)
        if not shared:
            mat = self._matrix()
            return mat[[self._rows[k] for k in keys]].astype(np.float32)
        vecs = self._shared["vectors"]
        mat = self._matrix() if self._rows else None
        return np.stack([np.asarray(vecs[shared[k]] if k in shared else mat[self._rows[k]], dtype=np.float32)
                         for k in keys])

    def save(self, path: str | os.PathLike | None = None) -> None:
        """Write the cache atomically (to ``path`` or the path it was opened with), with the sorted
        lookup a shared reader needs. A shared cache is read-only: it writes nothing."""
        if self._shared is not None:
            return
        target = Path(path) if path else self.path
        if target is None:
            raise ValueError("VectorCache.save: no path given")
        if not self._dirty and target == self.path and target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        ordered = sorted(self._rows, key=self._rows.get)
        keys = np.frombuffer(b"".join(ordered), dtype=np.uint8).reshape(len(ordered), 20)
        by_key = sorted(ordered)
        sorted_keys = np.frombuffer(b"".join(by_key), dtype=np.uint8).reshape(len(by_key), 20)
        rows = np.array([self._rows[k] for k in by_key], dtype=np.int64)
        mat = self._matrix()
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".npz")
        os.close(fd)
        np.savez(tmp, keys=keys, vectors=mat, sorted_keys=sorted_keys, prefix=_prefixes(by_key), rows=rows)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        self._dirty = False

    @staticmethod
    def shareable(path: str | os.PathLike) -> bool:
        """Whether the file at ``path`` has the sorted lookup a shared reader needs."""
        mapped = map_npz(path) if Path(path).exists() else None
        return bool(mapped) and {"prefix", "sorted_keys", "rows", "vectors"} <= mapped.keys()
