"""Where the technology market gets its search engine.

``engine_for(corpus)`` returns a ``SearchEngine`` for a corpus TSV (persisted under
``VAR_DIR/search`` and reused while the file is unchanged) or, without a corpus, for the
achievements loaded in the product: the published achievements in the database, or the
shipped CSL catalogue while the database holds none.
"""
from __future__ import annotations

from pathlib import Path

from django.conf import settings

from kechuang.search.embedders import get_embedder
from kechuang.search.engine import SearchEngine, open_corpus_index

CSL_CATALOGUE = Path(settings.DATA_DIR) / "techmarket" / "csl_papers.tsv"


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

    from kechuang.techmarket.catalogue import catalogue_engine
    try:
        return catalogue_engine(progress=progress)
    except DatabaseError:  # no database yet (not migrated): fall back to the shipped catalogue
        return None
