"""The search engine over the achievements loaded in the product.

Published achievements become search documents with id ``ach-<pk>``. The engine is
persisted under ``VAR_DIR/search/catalogue`` and kept in step incrementally: records that were
unpublished, deleted or edited are removed, new and edited ones are added.
Segment vectors come from the shared vector cache (seeded with the shipped CSL vectors).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kechuang.search.documents import Document
from kechuang.search.embedders import get_embedder
from kechuang.search.engine import IndexMismatch, SearchEngine, open_vector_cache

from .models import Achievement

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


def catalogue_engine(*, progress: bool = False, root: Path | None = None) -> SearchEngine | None:
    """Engine over published achievements, or None when none are published."""
    from .search_index import index_root
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
