"""Chinese text handling for search: normalisation, sentence splitting and tokenisation.

Pure Python (no Django). Tokenisation uses a private ``jieba.Tokenizer`` instance loaded
with the domain dictionary in ``resources/domain_dict.txt`` (CSL keywords plus the
industry terms of 南安/泉州), so other parts of the product that use the global jieba
instance are not affected.
"""
from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jieba

RESOURCES = Path(__file__).resolve().parent / "resources"
DOMAIN_DICT = RESOURCES / "domain_dict.txt"
STOPWORDS_FILE = RESOURCES / "stopwords.txt"

jieba.setLogLevel(logging.WARNING)

_SENTENCE_SPLIT = re.compile(r"[。！？；;!?\n]+|(?<![0-9])\.(?![0-9])")
_WORD_CHAR = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")
MAX_SEGMENT_CHARS = 160


def normalize(text: str) -> str:
    """Return ``text`` in NFKC form (full-width letters/digits to half-width), lower-cased, trimmed."""
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def split_sentences(text: str, max_chars: int = MAX_SEGMENT_CHARS) -> list[str]:
    """Split an abstract into sentences; pieces longer than ``max_chars`` are cut into chunks.

    Both Chinese (。；！？) and the ASCII punctuation CSL abstracts use (``.`` not between
    digits, ``;``) end a sentence. Empty pieces are dropped.
    """
    out: list[str] = []
    for piece in _SENTENCE_SPLIT.split(text or ""):
        piece = piece.strip(" ,，、:：")
        if not piece:
            continue
        for start in range(0, len(piece), max_chars):
            chunk = piece[start:start + max_chars].strip()
            if chunk:
                out.append(chunk)
    return out


def _read_word_list(path: Path) -> list[str]:
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        words.extend(w for w in line.split() if w)
    return words


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The stop-word set (function words and punctuation only)."""
    return frozenset(normalize(w) for w in _read_word_list(STOPWORDS_FILE))


@lru_cache(maxsize=1)
def domain_words() -> tuple[str, ...]:
    """Words of the shipped domain dictionary, in file order."""
    return tuple(_read_word_list(DOMAIN_DICT))


def dictionary_fingerprint(extra_words: Iterable[str] = ()) -> str:
    """A short hash of the dictionary in force; an index records it to detect a changed tokenizer."""
    h = hashlib.sha256()
    for w in domain_words():
        h.update(w.encode("utf-8") + b"\n")
    for w in sorted(set(extra_words)):
        h.update(b"+" + w.encode("utf-8") + b"\n")
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def shared_tokenizer() -> ChineseTokenizer:
    """One default tokenizer per process: building one loads jieba and adds the domain
    dictionary (seconds), so engines built per request (matching) share this one. Cutting
    text only reads the tokenizer's dictionary, so sharing it between threads is safe."""
    return ChineseTokenizer()


class ChineseTokenizer:
    """jieba search-mode tokenizer with the domain dictionary and stop words.

    ``use_domain_dict=False`` gives plain jieba (used by the evaluation to show what the
    dictionary adds).
    """

    def __init__(self, *, use_domain_dict: bool = True, extra_words: Iterable[str] = ()):
        self.use_domain_dict = use_domain_dict
        self.extra_words = tuple(sorted({w.strip() for w in extra_words if w and w.strip()}))
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        if use_domain_dict:
            for word in domain_words():
                self._jieba.add_word(word, freq=None)
        for word in self.extra_words:
            self._jieba.add_word(word, freq=None)
        self._stop = stopwords()

    @property
    def fingerprint(self) -> str:
        """Identifies the dictionary configuration (stored with persisted indexes)."""
        if not self.use_domain_dict:
            return "plain-jieba:" + hashlib.sha256("\n".join(self.extra_words).encode()).hexdigest()[:8]
        return dictionary_fingerprint(self.extra_words)

    def tokens(self, text: str, *, keep_stopwords: bool = False) -> list[str]:
        """Tokens of ``text`` for BM25: jieba search mode (words plus their sub-words), normalised.

        Stop words and tokens without a letter, digit or Han character are removed unless
        ``keep_stopwords``.
        """
        text = normalize(text)
        out = []
        for tok in self._jieba.cut_for_search(text, HMM=True):
            tok = tok.strip()
            if not tok or not _WORD_CHAR.search(tok):
                continue
            if not keep_stopwords and tok in self._stop:
                continue
            out.append(tok)
        return out

    def query_tokens(self, text: str) -> list[str]:
        """Tokens of a query; if only stop words remain, they are kept rather than dropping the query."""
        toks = self.tokens(text)
        return toks or self.tokens(text, keep_stopwords=True)
