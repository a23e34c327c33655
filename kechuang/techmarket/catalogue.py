"""The search engine over the achievements loaded in the product — the one module that owns the
index lifecycle (where indexes live, building, incremental updates, which engine a search gets).

Published achievements become search documents with id ``ach-<pk>``. The engine is
persisted under ``VAR_DIR/search/catalogue`` and kept in step incrementally: records that were
unpublished, deleted or edited are removed, new and edited ones are added.
Segment vectors come from the shared vector cache (seeded with the shipped CSL vectors).
``engine_for(corpus)`` gives a search its engine: a corpus TSV's (persisted under
``VAR_DIR/search`` and reused while the file is unchanged) or, without a corpus, the published
achievements in the database, or the shipped CSL catalogue while the database holds none.
(``search_index`` re-exports these names for older imports.)
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings

from kechuang.search.documents import Document
from kechuang.search.embedders import get_embedder
from kechuang.search.engine import IndexMismatch, SearchEngine, open_corpus_index, open_vector_cache

from .models import Achievement

CSL_CATALOGUE = Path(settings.DATA_DIR) / "techmarket" / "csl_papers.tsv"

_MEMO: dict[str, tuple[str, SearchEngine, dict[str, str]]] = {}


def achievement_document(a: Achievement) -> Document:
    """The search document of an achievement (filters: field, maturity, transfer modes, source)."""
    attrs = {"source": a.source}
    if a.field:
        attrs["field"] = a.field
    if a.maturity:
        attrs["maturity"] = str(a.maturity)
    if a.transfer_modes:
        attrs["transfer_modes"] = "；".join(a.transfer_modes)
    return Document(id=a.search_id, title=a.title, abstract=a.abstract, keywords=tuple(a.keywords), attrs=attrs)


def _fingerprint(doc: Document) -> str:
    return hashlib.sha1(json.dumps([doc.id, doc.title, doc.abstract, doc.keywords, sorted(doc.attrs.items())],
                                   ensure_ascii=False).encode()).hexdigest()


def index_root() -> Path:
    """Directory of persisted search indexes."""
    return Path(settings.VAR_DIR) / "search"


def engine_for(corpus: str | None, *, progress: bool = False) -> tuple[SearchEngine, str]:
    """(engine, label) for ``corpus`` or for the product's catalogue."""
    if corpus:
        engine, _ = open_corpus_index(corpus, embedder=get_embedder(), index_root=index_root(), progress=progress)
        return engine, str(corpus)
    catalogue = _database_catalogue(progress)
    if catalogue is not None:
        return catalogue, "数据库中已发布的科技成果"
    engine, _ = open_corpus_index(CSL_CATALOGUE, embedder=get_embedder(), index_root=index_root(), progress=progress)
    return engine, "内置 CSL 科技成果目录"


def _database_catalogue(progress: bool) -> SearchEngine | None:
    """The engine over published achievements in the database, or None when there are none."""
    from django.db import DatabaseError

    try:
        return catalogue_engine(progress=progress)
    except DatabaseError:  # no database yet (not migrated): fall back to the shipped catalogue
        return None


def catalogue_engine(*, progress: bool = False, root: Path | None = None) -> SearchEngine | None:
    """Engine over published achievements, or None when none are published."""
    root = Path(root) if root else index_root()
    docs = [achievement_document(a) for a in
            Achievement.objects.filter(status=Achievement.Status.PUBLISHED).order_by("id")]
    if not docs:
        return None
    prints = {d.id: _fingerprint(d) for d in docs}
    signature = hashlib.sha256("".join(prints[d.id] for d in docs).encode()).hexdigest()
    embedder = get_embedder()
    key = f"{root}|{embedder.name}"
    memo = _MEMO.get(key)
    if memo and memo[0] == signature:
        return memo[1]
    directory = root / "catalogue"
    if memo:
        engine, known = memo[1], dict(memo[2])
    else:
        engine = SearchEngine(embedder=embedder, cache=open_vector_cache(root, embedder))
        known = {}
        if (directory / "fingerprints.json").exists():
            try:
                engine.load(directory)
                known = json.loads((directory / "fingerprints.json").read_text(encoding="utf-8"))
            except (IndexMismatch, OSError, ValueError, KeyError):
                engine = SearchEngine(embedder=embedder, cache=engine.cache)
                known = {}
    if len(known) != len(engine):
        engine, known = SearchEngine(embedder=embedder, cache=engine.cache), {}
    stale = [i for i, fp in known.items() if prints.get(i) != fp]   # removed, unpublished or edited
    new = [d for d in docs if known.get(d.id) != prints[d.id]]
    if stale or new:
        engine.remove(stale)
        engine.add(new, progress=progress)
        engine.save(directory)
        (directory / "fingerprints.json").write_text(json.dumps(prints), encoding="utf-8")
    _MEMO[key] = (signature, engine, prints)
    return engine
