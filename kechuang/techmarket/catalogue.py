"""The search index over the achievements loaded in the product — the one module that owns the
index lifecycle: where indexes live, building and incremental updates (by the index job, never
by a search), and which engine a search gets.

Published achievements become search documents with id ``ach-<pk>``. The index job
(``techmarket.search_index``, queued on commit whenever an achievement is created, edited,
published, unpublished or deleted) brings the persisted index in step: it fingerprints the
published rows, removes what was unpublished, deleted or edited, adds what is new or edited and
writes a **new version directory** ``VAR_DIR/search/catalogue/<embedder>/v-…``; then it swaps the
small ``CURRENT`` pointer file atomically (``os.replace``). A search only reads the pointer (one
small file) and opens the version it names once per process — it never looks at the database rows
to decide whether the index is current. Every web process of a host, and every host that mounts
the same ``VAR_DIR``, reads the same files; older versions are kept a while for readers that are
still loading them. A web process opens a version **shared**: the vectors, the coarse projection,
the BM25 matrix, the documents and the segment-vector cache (for the "closest sentence" reason) are
memory-mapped read-only, so the web processes of a host share one copy in the page cache instead of
each holding its own (``tests/bench/bench_index_memory.py`` measures it); only the index job reads
an index into its own memory, to change it.

``engine_for(corpus)`` gives a command its engine: a corpus TSV's (persisted under
``VAR_DIR/search`` and reused while the file is unchanged) or the catalogue of the product, or the
shipped CSL catalogue while the database holds none. (``search_index`` re-exports these names.)
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from kechuang.search.documents import Document
from kechuang.search.embedders import get_embedder
from kechuang.search.engine import IndexMismatch, SearchEngine, open_corpus_index, open_vector_cache
from kechuang.search.vector_cache import VectorCache

from .models import Achievement

logger = logging.getLogger("kechuang.techmarket")

CSL_CATALOGUE = Path(settings.DATA_DIR) / "techmarket" / "csl_papers.tsv"
#: the job kind that builds and updates the catalogue index
INDEX_JOB = "techmarket.search_index"
#: index versions kept besides the current one (a reader may still be loading the previous)
KEEP_VERSIONS = 2

_MEMO: dict[str, tuple[str, SearchEngine]] = {}
_LOADING: dict[str, threading.Thread] = {}
_LOADING_LOCK = threading.Lock()
#: a process already serving an index larger than this loads a new version in the background and
#: keeps answering from the one it has meanwhile (loading 100k documents takes seconds)
BACKGROUND_LOAD_DOCS = 5000


def _save_coarse(engine: SearchEngine, directory: Path) -> None:
    """Persist the coarse projection of a large index with its version (``coarse-proj.npy``,
    ``coarse.npy``): computing it is an SVD of up to 20,000 vectors — seconds, or tens of seconds on
    a busy machine — which belongs to the index job, not to the first search of every process."""
    import numpy as np

    from kechuang.search.engine import EXACT_SCAN_LIMIT

    if len(engine.vectors) <= EXACT_SCAN_LIMIT:
        return
    proj, coarse = engine._coarse_index()
    np.save(directory / "coarse-proj.npy", proj)
    np.save(directory / "coarse.npy", coarse)


def _load_coarse(engine: SearchEngine, directory: Path) -> None:
    """Hand a loaded engine the coarse projection its version was written with (memory-mapped:
    the web processes of a host share those pages)."""
    import numpy as np

    try:
        proj = np.load(directory / "coarse-proj.npy")
        coarse = np.load(directory / "coarse.npy", mmap_mode="r")
    except (FileNotFoundError, ValueError, OSError):
        return
    if coarse.shape[0] == len(engine.vectors) and proj.shape[0] == engine.vectors.shape[1]:
        engine._coarse = (proj, coarse)


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


def _catalogue_dir(root: Path, embedder) -> Path:
    name = embedder.name if embedder is not None else "none"
    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return root / "catalogue" / slug


def current_version(root: Path | None = None) -> str | None:
    """The name of the index version searches use now (None: no index built yet)."""
    directory = _catalogue_dir(Path(root) if root else index_root(), get_embedder())
    try:
        return (directory / "CURRENT").read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


# --------------------------------------------------------------------------- read side
def engine_for(corpus: str | None, *, progress: bool = False) -> tuple[SearchEngine, str]:
    """(engine, label) for ``corpus`` or for the product's catalogue (commands: the catalogue index
    is brought up to date first, in the command's own process)."""
    if corpus:
        engine, _ = open_corpus_index(corpus, embedder=get_embedder(), index_root=index_root(), progress=progress)
        return engine, str(corpus)
    from django.db import DatabaseError

    try:
        catalogue_sync()
        catalogue = catalogue_engine()
    except DatabaseError:   # no database yet (not migrated): the shipped catalogue
        catalogue = None
    if catalogue is not None:
        return catalogue, "数据库中已发布的科技成果"
    engine, _ = open_corpus_index(CSL_CATALOGUE, embedder=get_embedder(), index_root=index_root(), progress=progress)
    return engine, "内置 CSL 科技成果目录"


def catalogue_engine(*, progress: bool = False, root: Path | None = None) -> SearchEngine | None:
    """The engine over the current index version, or None while none is built (or it is empty).

    Reads the ``CURRENT`` pointer and, when it names a version this process has not loaded yet,
    loads that version — in a background thread when this process already serves a large index,
    which it goes on using until the new one is ready; never reads the achievements themselves. With the test setting
    ``KECHUANG_SEARCH_INDEX_INLINE`` the index is first brought in step here (tests create rows
    inside a transaction that never commits, so no index job would ever be queued)."""
    root = Path(root) if root else index_root()
    if getattr(settings, "KECHUANG_SEARCH_INDEX_INLINE", False):
        catalogue_sync(root=root)
    embedder = get_embedder()
    directory = _catalogue_dir(root, embedder)
    version = current_version(root)
    if version is None:
        return None
    key = f"{directory}"
    memo = _MEMO.get(key)
    if memo and memo[0] == version:
        engine = memo[1]
    elif memo and len(memo[1]) > BACKGROUND_LOAD_DOCS:
        with _LOADING_LOCK:
            loader = _LOADING.get(key)
            if loader is None or not loader.is_alive():
                loader = threading.Thread(target=_load_version, args=(key, root, directory, version, embedder),
                                          daemon=True, name="search-index-load")
                _LOADING[key] = loader
                loader.start()
        engine = memo[1]   # searches go on with the version in memory until the new one is loaded
    else:
        engine = _load_version(key, root, directory, version, embedder)
        if engine is None:
            return memo[1] if memo else None
    return engine if len(engine) else None


def _load_version(key: str, root: Path, directory: Path, version: str, embedder) -> SearchEngine | None:
    """Open ``version`` shared (memory-mapped, read-only) and make it the process's engine (None if
    unreadable). The segment-vector cache is mapped too, never loaded: only the index job writes it."""
    engine = SearchEngine(embedder=embedder, cache=open_vector_cache(root, embedder, shared=True))
    try:
        engine.load(directory / version, shared=True)
    except (IndexMismatch, OSError, ValueError, KeyError):
        logger.exception("search index version %s unreadable; searches wait for the next index job", version)
        return None
    _load_coarse(engine, directory / version)
    _MEMO[key] = (version, engine)
    return engine


# --------------------------------------------------------------------------- write side
@contextmanager
def _index_lock(directory: Path):
    """One index writer at a time per index directory (a lock file beside the versions)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def catalogue_sync(*, progress: Callable | None = None, root: Path | None = None, rebuild: bool = False) -> dict:
    """Bring the persisted catalogue index in step with the published achievements (the index
    job's and the commands' work). Idempotent: with nothing changed it writes nothing; a rerun
    after a crash starts again from the last complete version (a half-written version directory
    is never named by ``CURRENT``). ``progress(done, total, step=…)`` as ``JobContext.progress``
    (raising there cancels: nothing is swapped in)."""
    report = progress or (lambda *a, **k: None)
    root = Path(root) if root else index_root()
    embedder = get_embedder()
    directory = _catalogue_dir(root, embedder)
    with _index_lock(directory):
        report(0, 0, step="读取已发布的成果")
        docs = [achievement_document(a) for a in
                Achievement.objects.filter(status=Achievement.Status.PUBLISHED).order_by("id").iterator(2000)]
        prints = {d.id: _fingerprint(d) for d in docs}
        version = None if rebuild else current_version(root)
        engine = SearchEngine(embedder=embedder, cache=open_vector_cache(root, embedder))
        known: dict[str, str] = {}
        if version:
            try:
                engine.load(directory / version)
                known = json.loads((directory / version / "fingerprints.json").read_text(encoding="utf-8"))
                _load_coarse(engine, directory / version)   # kept; new rows are projected with it
            except (IndexMismatch, OSError, ValueError, KeyError):
                engine, known = SearchEngine(embedder=embedder, cache=engine.cache), {}
        if len(known) != len(engine):
            engine, known = SearchEngine(embedder=embedder, cache=engine.cache), {}
        stale = [i for i, fp in known.items() if prints.get(i) != fp]   # removed, unpublished or edited
        new = [d for d in docs if known.get(d.id) != prints[d.id]]
        if version and not stale and not new:
            if engine.cache.path is not None and not VectorCache.shareable(engine.cache.path):
                engine.cache._dirty = True   # written before web processes mapped it: add the sorted lookup
                engine.cache.save()
            report(len(docs), len(docs), step="索引已是最新")
            return {"version": version, "added": 0, "removed": 0, "documents": len(engine)}
        engine.remove(stale)
        step = 1000
        report(0, len(new), step=f"写入索引（新增或更新 {len(new)} 项，移除 {len(stale)} 项）")
        for i in range(0, len(new), step):
            engine.add(new[i:i + step])
            report(min(i + step, len(new)), len(new))
        report(len(new), len(new), step="保存新版本")
        name = f"v-{time.time_ns()}-{os.getpid()}"
        engine.save(directory / name)
        _save_coarse(engine, directory / name)
        (directory / name / "fingerprints.json").write_text(json.dumps(prints), encoding="utf-8")
        report(len(new), len(new), step="启用新版本")   # the last moment a cancellation leaves the old one
        tmp = directory / f"CURRENT.{os.getpid()}.tmp"
        tmp.write_text(name, encoding="utf-8")
        os.replace(tmp, directory / "CURRENT")
        _prune(directory, keep={name, version})
        return {"version": name, "added": len(new), "removed": len(stale), "documents": len(engine)}


def _prune(directory: Path, keep: set) -> None:
    versions = sorted((p for p in directory.glob("v-*") if p.is_dir()), key=lambda p: p.name)
    for old in versions[:-(KEEP_VERSIONS + 1)]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def request_index_update(reason: str = "") -> None:
    """Queue the index job (one queued job is enough: it reads the rows when it runs). Called on
    commit of any change to an achievement; an error only goes to the log (a publish must not
    fail because the queue is unavailable)."""
    from kechuang.core.permissions import system_actor
    from kechuang.jobs.models import Job
    from kechuang.jobs.services import job_start

    try:
        if Job.objects.filter(kind=INDEX_JOB, state=Job.State.QUEUED).exists():
            return
        job_start(actor=system_actor(f"techmarket:{reason or 'index'}"[:60]), kind=INDEX_JOB, args={},
                  dedupe=False)
    except Exception:
        logger.exception("could not queue the search index job")


def achievement_changed(sender, instance=None, **kwargs) -> None:
    """post_save / post_delete of an Achievement: update the index after the commit."""
    from django.db import transaction

    if getattr(settings, "KECHUANG_SEARCH_INDEX_INLINE", False):
        return   # the test setting: the next search brings the index in step
    transaction.on_commit(lambda: request_index_update("changed"))


def ensure_index() -> None:
    """Queue a build when there is no index yet but achievements are published (``serve``)."""
    if current_version() is None and Achievement.objects.filter(status=Achievement.Status.PUBLISHED).exists():
        request_index_update("first-build")
