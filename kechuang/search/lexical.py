"""BM25 lexical index over jieba tokens (bm25s), with field boosting and incremental add.

Token ids are kept per document so that adding documents only tokenises the new ones;
the BM25 matrix is then rebuilt from the stored ids (a few seconds for 100,000 records).
``save`` also writes the BM25 matrix itself (``bm25-*.npy``): a web process loads it
``shared=True``, memory-mapped read-only, and never reads the token ids (only an index that is
changed needs them, and reads them then).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import bm25s
import numpy as np

from .documents import Document
from .text import ChineseTokenizer

logging.getLogger("bm25s").setLevel(logging.WARNING)

# Field boosts by repetition: title and keyword tokens count twice (chosen on the dev split,
# see docs/search.md).
FIELD_REPEAT = {"title": 2, "keywords": 2, "abstract": 1}


class LexicalIndex:
    """BM25 over the title, keyword and abstract tokens of each document."""

    def __init__(self, tokenizer: ChineseTokenizer, *, withheld: Sequence[str] = (),
                 k1: float = 1.2, b: float = 0.75):
        self.tokenizer = tokenizer
        self.withheld = tuple(withheld)
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {"": 0}
        self._doc_ids: list[np.ndarray] | None = []
        self._source: Path | None = None   # where a shared index reads its token ids when changed
        self._bm25: bm25s.BM25 | None = None
        self._idf = np.zeros(1, dtype=np.float64)   # per vocabulary id, set by _rebuild

    @property
    def doc_ids(self) -> list[np.ndarray]:
        """Token ids per document (a shared index reads them from its directory on first use)."""
        if self._doc_ids is None:
            self._doc_ids = self._read_ids(self._source)
        return self._doc_ids

    @doc_ids.setter
    def doc_ids(self, value: list[np.ndarray]) -> None:
        self._doc_ids = value

    @property
    def shared(self) -> bool:
        """Whether the BM25 matrix is a read-only mapping of the index files."""
        return self._doc_ids is None

    def doc_tokens(self, doc: Document) -> list[str]:
        """The tokens a document contributes, with field repetition applied."""
        toks: list[str] = []
        for name, text in doc.text_fields(self.withheld).items():
            toks.extend(self.tokenizer.tokens(text) * FIELD_REPEAT.get(name, 1))
        return toks

    def _ids(self, toks: Iterable[str]) -> np.ndarray:
        vocab = self.vocab
        out = []
        for t in toks:
            i = vocab.get(t)
            if i is None:
                i = vocab[t] = len(vocab)
            out.append(i)
        return np.asarray(out or [0], dtype=np.int32)

    def add(self, docs: Sequence[Document]) -> None:
        """Tokenise ``docs`` and rebuild the BM25 matrix."""
        self.doc_ids.extend(self._ids(self.doc_tokens(d)) for d in docs)
        self._rebuild()

    def remove(self, positions: set[int]) -> None:
        """Drop the documents at ``positions`` and rebuild BM25 (the vocabulary keeps old terms)."""
        self.doc_ids = [ids for i, ids in enumerate(self.doc_ids) if i not in positions]
        self._rebuild()

    def _rebuild(self) -> None:
        """Build bm25s's score matrix with numpy (same Lucene formula as ``bm25s.BM25.index``).

        bm25s builds it with Python loops over every token of every document, which at
        100,000 records takes minutes and over a gigabyte; here the (term, document)
        pairs are counted with one ``np.unique`` and bm25s keeps doing the retrieval.
        ``tests/search`` proves the matrices are equal on a real corpus.
        """
        model = bm25s.BM25(k1=self.k1, b=self.b)
        n_docs = len(self.doc_ids)
        lengths = np.fromiter((len(x) for x in self.doc_ids), dtype=np.int64, count=n_docs)
        n_vocab = len(self.vocab)
        if n_docs:
            flat = np.concatenate(self.doc_ids).astype(np.int64)
            docs = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
            keys, tf = np.unique(flat * n_docs + docs, return_counts=True)
            del flat, docs
            terms, doc_idx = np.divmod(keys, n_docs)
            del keys
            df = np.bincount(terms, minlength=n_vocab)
            idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
            norm = self.k1 * ((1 - self.b) + self.b * lengths / lengths.mean())
            data = (idf[terms] * (tf / (norm[doc_idx] + tf))).astype(np.float32)
            indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
            self._idf = idf
        else:
            data, doc_idx, indptr = np.zeros(0, np.float32), np.zeros(0, np.int64), np.zeros(n_vocab + 1, np.int64)
            self._idf = np.zeros(n_vocab, dtype=np.float64)
        model.scores = {"data": data, "indices": doc_idx.astype(np.int32), "indptr": indptr, "num_docs": n_docs}
        model.vocab_dict = self.vocab
        model.nonoccurrence_array = None
        self._bm25 = model

    def __len__(self) -> int:
        if self._doc_ids is None:
            return int(self._bm25.scores["num_docs"])
        return len(self._doc_ids)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens (zeros where nothing matches)."""
        known = [t for t in dict.fromkeys(query_tokens) if t in self.vocab and t]
        if not known or self._bm25 is None:
            return np.zeros(len(self), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def query_weight(self, query_tokens: Sequence[str]) -> float:
        """The summed IDF of the distinct query tokens: the BM25 score a document would get with
        every term at saturation (used to turn a BM25 score into a share of the query). A token in
        no document counts at the IDF of a term with document frequency 0: the query's words that
        no document carries are words every document lacks (otherwise a query whose specific words
        are all unseen reads as fully matched by the one common word that is seen)."""
        tokens = [t for t in dict.fromkeys(query_tokens) if t]
        ids = [self.vocab[t] for t in tokens if t in self.vocab and self.vocab[t] < len(self._idf)]
        unseen = len(tokens) - len(ids)
        n_docs = len(self)
        unseen_idf = float(np.log(1 + (n_docs + 0.5) / 0.5)) if n_docs else 0.0
        return (float(self._idf[ids].sum()) if ids else 0.0) + unseen * unseen_idf

    def contains(self, position: int, tokens: Sequence[str]) -> list[str]:
        """Which of ``tokens`` occur in the document at ``position``."""
        have = set(self.doc_ids[position].tolist())
        return [t for t in tokens if self.vocab.get(t) in have]

    def save(self, directory: Path) -> None:
        """Write vocabulary and per-document token ids to ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        lengths = np.array([len(x) for x in self.doc_ids], dtype=np.int64)
        flat = np.concatenate(self.doc_ids) if self.doc_ids else np.zeros(0, np.int32)
        np.save(directory / "token_ids.npy", flat)
        np.save(directory / "token_lengths.npy", lengths)
        if self._bm25 is None:
            self._rebuild()
        sc = self._bm25.scores
        np.save(directory / "bm25-data.npy", np.asarray(sc["data"], dtype=np.float32))
        np.save(directory / "bm25-indices.npy", np.asarray(sc["indices"], dtype=np.int32))
        np.save(directory / "bm25-indptr.npy", np.asarray(sc["indptr"], dtype=np.int64))
        np.save(directory / "bm25-idf.npy", np.asarray(self._idf, dtype=np.float64))

    @staticmethod
    def _read_ids(directory: Path) -> list[np.ndarray]:
        flat = np.load(directory / "token_ids.npy")
        lengths = np.load(directory / "token_lengths.npy")
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        return [flat[bounds[i]:bounds[i + 1]] for i in range(len(lengths))]

    def load(self, directory: Path, *, shared: bool = False) -> None:
        """Read what ``save`` wrote and rebuild BM25; ``shared``: map the saved BM25 matrix read-only
        instead (token ids are read only if the index is then changed)."""
        self.vocab = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
        if shared and (directory / "bm25-indptr.npy").exists():
            arrays = {name: _mapped(directory / f"bm25-{name}.npy") for name in ("data", "indices", "indptr")}
            lengths = np.load(directory / "token_lengths.npy", mmap_mode="r")
            model = bm25s.BM25(k1=self.k1, b=self.b)
            model.scores = {**arrays, "num_docs": len(lengths)}
            model.vocab_dict = self.vocab
            model.nonoccurrence_array = None
            self._bm25 = model
            self._idf = np.load(directory / "bm25-idf.npy")
            self._doc_ids, self._source = None, directory
            return
        self.doc_ids = self._read_ids(directory)
        self._rebuild()


def _mapped(path: Path) -> np.ndarray:
    """A saved array memory-mapped read-only (an empty one is read: there is nothing to map)."""
    try:
        return np.load(path, mmap_mode="r")
    except ValueError:
        return np.load(path)
