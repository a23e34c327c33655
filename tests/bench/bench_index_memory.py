"""Memory of the web processes of one host at 100,000 achievements: is the search index shared?

Not part of the default test run. Run from the repository root::

    python tests/bench/bench_index_memory.py [--docs 100000] [--processes 4] [--searches 60]

It builds a catalogue index of ``--docs`` achievements once (the corpus of bench_search.py: the
2,000 CSL records plus synthetic recombinations of their sentences) the way the index job writes
it — a version directory under ``VAR_DIR/search/catalogue/<embedder>/`` named by ``CURRENT``, the
coarse projection and the segment-vector cache beside it — and reuses it on later runs. Then, for
each way of opening it, it starts ``--processes`` separate Python processes that each open the
engine and run searches, and reads ``/proc/<pid>/smaps_rollup`` of every process while all are
alive:

* ``private`` — the load before the index was shared (the baseline): ``SearchEngine.load`` reads
  everything into the process and the segment-vector cache is loaded whole (what
  ``catalogue._load_version`` did);
* ``shared`` — ``catalogue.catalogue_engine()``, the web's own code path: the files are
  memory-mapped read-only;
* ``none`` — the same process without any index (Django, jieba, the embedder): the floor.

RSS counts every resident page a process maps, PSS divides each shared page among the processes
that map it (what the host really spends, per process), USS is what only that process holds
(freed if it exits). The goal (issue 12): each process's own share ≤ 400 MB. Searches run one
process at a time (query embedding included, no query cache), so their p50/p95 compare the two
ways of opening on the same machine in the same run.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
GOAL_MB = 400


def smaps(pid: int) -> dict[str, float]:
    """RSS, PSS, USS and the shared part of process ``pid`` in MB (from smaps_rollup, kB)."""
    kb = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[-1] == "kB":
            kb[name.strip()] = int(parts[0])
    mb = lambda k: round(k / 1024, 1)  # noqa: E731
    return {"rss_mb": mb(kb["Rss"]), "pss_mb": mb(kb["Pss"]),
            "uss_mb": mb(kb["Private_Clean"] + kb["Private_Dirty"]),
            "shared_mb": mb(kb["Shared_Clean"] + kb["Shared_Dirty"])}


def _setup(var_dir: Path) -> None:
    os.environ["KECHUANG_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    import django

    django.setup()


def build(var_dir: Path, n_docs: int) -> dict:
    """Write the catalogue index of ``n_docs`` achievements as the index job does (once)."""
    _setup(var_dir)
    from kechuang.search.documents import Document, load_corpus
    from kechuang.search.embedders import get_embedder
    from kechuang.search.engine import SearchEngine, open_vector_cache
    from kechuang.techmarket.catalogue import _catalogue_dir, _save_coarse, current_version, index_root
    from tests.bench.bench_search import DATA, synthetic_records

    embedder = get_embedder()
    directory = _catalogue_dir(index_root(), embedder)
    marker = directory / f"built-{n_docs}"
    if marker.exists() and current_version() == marker.read_text():
        return {"built": False, "version": marker.read_text()}
    real = load_corpus(DATA / "csl_papers.tsv")
    with open(DATA / "csl_titles.tsv", encoding="utf-8") as fh:
        titles = [r["title"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    fields = ["新材料", "电子信息", "生物医药", "高端装备", "节能环保", "现代农业"]
    docs = real + synthetic_records(real, titles, max(0, n_docs - len(real)))
    docs = [Document(id=f"ach-{i}", title=d.title, abstract=d.abstract, keywords=d.keywords,
                     attrs={"source": "demo", "field": fields[i % len(fields)], "maturity": str(1 + i % 9),
                            "transfer_modes": "技术许可；技术转让" if i % 3 else "作价投资"})
            for i, d in enumerate(docs)]
    t = time.perf_counter()
    engine = SearchEngine(embedder=embedder, cache=open_vector_cache(index_root(), embedder))
    engine.add(docs, progress=True)
    name = f"v-bench-{n_docs}"
    engine.save(directory / name)
    _save_coarse(engine, directory / name)
    (directory / "CURRENT").write_text(name, encoding="utf-8")
    marker.write_text(name, encoding="utf-8")
    return {"built": True, "version": name, "build_s": round(time.perf_counter() - t, 1)}


def child(var_dir: Path, mode: str, queries_file: Path) -> None:
    """One web process: open the engine, say so, then search when told and report."""
    _setup(var_dir)
    from kechuang.search.embedders import get_embedder
    from kechuang.search.engine import SearchEngine, open_vector_cache
    from kechuang.techmarket.catalogue import (
        _catalogue_dir,
        _load_coarse,
        catalogue_engine,
        current_version,
        index_root,
    )

    t = time.perf_counter()
    embedder = get_embedder()
    if mode == "shared":
        engine = catalogue_engine()
    elif mode == "private":   # what _load_version did before the index was shared
        directory = _catalogue_dir(index_root(), embedder) / current_version()
        engine = SearchEngine(embedder=embedder, cache=open_vector_cache(index_root(), embedder))
        engine.load(directory)
        _load_coarse(engine, directory)
    else:
        engine = None
        embedder.embed_queries(["预热"])
    out = {"open_s": round(time.perf_counter() - t, 2), "documents": len(engine) if engine else 0}
    print(json.dumps(out), flush=True)
    sys.stdin.readline()                       # "search"
    lat = []
    if engine is not None:
        queries = json.loads(queries_file.read_text(encoding="utf-8"))
        engine.search(queries[0], k=10)        # warm-up (the first search maps the pages it needs)
        for i, q in enumerate(queries):
            engine.clear_query_cache()
            t = time.perf_counter()
            engine.search(q, k=10, filters={"field": "新材料"} if i % 4 == 3 else None)
            lat.append(time.perf_counter() - t)
    import numpy as np

    print(json.dumps({"p50_ms": round(float(np.percentile(lat, 50)) * 1000, 1) if lat else None,
                      "p95_ms": round(float(np.percentile(lat, 95)) * 1000, 1) if lat else None}), flush=True)
    sys.stdin.readline()                       # "exit"


def run_mode(mode: str, n: int, var_dir: Path, queries_file: Path) -> dict:
    procs = [subprocess.Popen([sys.executable, __file__, "--child", mode, "--var", str(var_dir),
                               "--queries-file", str(queries_file)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, cwd=ROOT) for _ in range(n)]
    try:
        opened = [json.loads(p.stdout.readline()) for p in procs]
        searched = []
        for p in procs:                        # one at a time: no contention between the timings
            p.stdin.write("search\n")
            p.stdin.flush()
            searched.append(json.loads(p.stdout.readline()))
        mem = [smaps(p.pid) for p in procs]    # every process alive and warm
    finally:
        for p in procs:
            try:
                p.stdin.write("exit\n")
                p.stdin.flush()
            except OSError:
                pass
        for p in procs:
            p.wait(timeout=60)
    rows = [{**m, **o, **s} for m, o, s in zip(mem, opened, searched, strict=True)]
    return {"processes": rows,
            "max_pss_mb": max(r["pss_mb"] for r in rows), "max_uss_mb": max(r["uss_mb"] for r in rows),
            "max_rss_mb": max(r["rss_mb"] for r in rows), "sum_pss_mb": round(sum(r["pss_mb"] for r in rows), 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--processes", type=int, default=4)
    ap.add_argument("--searches", type=int, default=60)
    ap.add_argument("--modes", default="none,private,shared")
    ap.add_argument("--root", default=str(ROOT / "var" / "bench-index-memory"))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--var", help=argparse.SUPPRESS)
    ap.add_argument("--queries-file", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(Path(a.var), a.child, Path(a.queries_file))
        return 0
    var_dir = Path(a.root) / f"var-{a.docs}"
    var_dir.mkdir(parents=True, exist_ok=True)
    # the build runs in its own process, so that this one stays small
    code = (f"import json,sys; from pathlib import Path; sys.path.insert(0, {str(ROOT)!r}); "
            f"from tests.bench.bench_index_memory import build; print(json.dumps(build(Path({str(var_dir)!r}), {a.docs})))")
    built = json.loads(subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.PIPE, text=True,
                                      cwd=ROOT).stdout.strip().splitlines()[-1])
    with open(ROOT / "data" / "techmarket" / "csl_titles.tsv", encoding="utf-8") as fh:
        titles = [r["title"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    rng = random.Random(5)
    queries = [t for t in rng.sample(titles, a.searches // 2)]
    queries += ["碳纤维 复合材料", "污水处理 膜分离", "锂电池 正极材料", "图像识别 深度学习", "土壤 重金属 修复",
                "智能制造 机器视觉", "石材 加工 废料", "中药 提取工艺"] * (a.searches // 16 + 1)
    queries = queries[:a.searches]
    queries_file = var_dir / "queries.json"
    queries_file.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    report = {"documents": a.docs, "processes": a.processes, "index": built, "goal_own_share_mb": GOAL_MB,
              "load_average_at_start": round(os.getloadavg()[0], 2)}
    for mode in a.modes.split(","):
        print(f"{mode}: {a.processes} processes …", file=sys.stderr, flush=True)
        report[mode] = run_mode(mode, a.processes, var_dir, queries_file)
        r = report[mode]
        for i, p in enumerate(r["processes"]):
            print(f"  {mode} #{i}: RSS {p['rss_mb']:7.1f}  PSS {p['pss_mb']:7.1f}  USS {p['uss_mb']:7.1f}  "
                  f"shared {p['shared_mb']:7.1f} MB  open {p['open_s']} s  search p95 {p['p95_ms']} ms",
                  file=sys.stderr, flush=True)
    for mode in ("private", "shared"):
        if mode in report:
            report[f"{mode}_pss_within_goal"] = report[mode]["max_pss_mb"] <= GOAL_MB
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
