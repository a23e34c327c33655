"""Search documents and corpus files.

A ``Document`` is what the index holds for one achievement: id, title, abstract, keywords
and optional filter attributes (field, maturity, transfer modes, region). Corpus TSV files
need at least the columns ``id, title, abstract, keywords`` (keywords separated by ；/;/,/，).
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .text import split_sentences

REQUIRED_COLUMNS = ("id", "title", "abstract", "keywords")
FILTER_COLUMNS = ("field", "maturity", "transfer_modes", "region", "source")
MAX_FIELD_CHARS = 100_000
MAX_ABSTRACT_SEGMENTS = 6
_KEYWORD_SPLIT = re.compile(r"[；;，,、]+")


class CorpusError(ValueError):
    """A corpus file or record is unusable; the message names the row and field."""


@dataclass(frozen=True)
class Document:
    """One searchable achievement."""

    id: str
    title: str
    abstract: str = ""
    keywords: tuple[str, ...] = ()
    attrs: Mapping[str, str] = field(default_factory=dict)

    def text_fields(self, withheld: Iterable[str] = ()) -> dict[str, str]:
        """The searchable fields by name (``title``, ``keywords``, ``abstract``), minus ``withheld``."""
        fields = {"title": self.title, "keywords": "；".join(self.keywords), "abstract": self.abstract}
        for name in withheld:
            fields.pop(name, None)
        return fields

    def segments(self, withheld: Iterable[str] = ()) -> list[str]:
        """Texts embedded for this document: title, the keywords, the first abstract sentences."""
        f = self.text_fields(withheld)
        segs = [s for s in (f.get("title", ""), f.get("keywords", "")) if s.strip()]
        segs += split_sentences(f.get("abstract", ""))[:MAX_ABSTRACT_SEGMENTS]
        return segs or [self.title or self.id]


    def passage(self, withheld: Iterable[str] = ()) -> str:
        """The whole document as one e5 passage: title。keywords。abstract (non-empty fields, in that
        order; the embedder truncates it to the model's window, see SearchEngine.doc_vectors)."""
        f = self.text_fields(withheld)
        parts = [f.get(name, "").strip() for name in ("title", "keywords", "abstract")]
        return "。".join(p for p in parts if p) or self.title or self.id


def split_keywords(value: str) -> tuple[str, ...]:
    """Keywords from a ；/;/，/,/、-separated string, trimmed, empty ones dropped, order kept."""
    return tuple(dict.fromkeys(k.strip() for k in _KEYWORD_SPLIT.split(value or "") if k.strip()))


def make_document(row: Mapping[str, str], *, row_label: str = "") -> Document:
    """Validate one record (a dict of column → text) and turn it into a Document."""
    where = f"{row_label} " if row_label else ""
    doc_id = (row.get("id") or "").strip()
    if not doc_id:
        raise CorpusError(f"{where}id: 不能为空")
    title = (row.get("title") or "").strip()
    if not title:
        raise CorpusError(f"{where}title: 不能为空（id={doc_id}）")
    for name in ("title", "abstract", "keywords"):
        if len(row.get(name) or "") > MAX_FIELD_CHARS:
            raise CorpusError(f"{where}{name}: 超过 {MAX_FIELD_CHARS} 字（id={doc_id}）")
    attrs = {k: str(row[k]).strip() for k in FILTER_COLUMNS if row.get(k) not in (None, "")}
    return Document(id=doc_id, title=title, abstract=(row.get("abstract") or "").strip(),
                    keywords=split_keywords(row.get("keywords") or ""), attrs=attrs)


def _open_text(path: str | os.PathLike) -> io.TextIOBase:
    if str(path) == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig")
    return open(path, encoding="utf-8-sig", newline="")


def read_tsv_rows(path: str | os.PathLike, required: Iterable[str]) -> list[dict[str, str]]:
    """Rows of a UTF-8 TSV as dicts, after checking the header has the ``required`` columns."""
    required = tuple(required)
    try:
        with _open_text(path) as fh:
            reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = [h.strip() for h in (reader.fieldnames or [])]
            missing = [c for c in required if c not in header]
            if missing:
                raise CorpusError(f"{path}: 缺少列 {', '.join(missing)}（表头应含 {', '.join(required)}）")
            reader.fieldnames = header
            rows = []
            for row in reader:
                if None in row:
                    raise CorpusError(f"{path} 第{reader.line_num}行: 列数多于表头")
                rows.append(row)
            return rows
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: 不是 UTF-8 编码的文本文件") from exc
    except FileNotFoundError as exc:
        raise CorpusError(f"{path}: 文件不存在") from exc
    except csv.Error as exc:
        raise CorpusError(f"{path}: TSV 格式错误：{exc}") from exc


def load_corpus(path: str | os.PathLike) -> list[Document]:
    """Read and validate a corpus TSV; duplicate ids and bad rows raise CorpusError naming the row."""
    rows = read_tsv_rows(path, REQUIRED_COLUMNS)
    docs, seen = [], {}
    for i, row in enumerate(rows, start=2):
        doc = make_document(row, row_label=f"第{i}行")
        if doc.id in seen:
            raise CorpusError(f"第{i}行 id: 与第{seen[doc.id]}行重复（{doc.id}）")
        seen[doc.id] = i
        docs.append(doc)
    if not docs:
        raise CorpusError(f"{path}: 没有任何记录")
    return docs


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes (identifies an unchanged corpus)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
