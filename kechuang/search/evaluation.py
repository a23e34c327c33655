"""Retrieval evaluation on CSL: title → own paper (MRR@10), keyword → papers carrying it (nDCG@10).

* Title task: every title is a query; the only relevant record is its own paper. The index
  withholds titles (abstract and keywords are indexed), otherwise the task is trivial.
* Keyword task: every keyword carried by ≥ 3 papers is a query; the papers carrying it are
  relevant (binary gain). The index withholds keywords (title and abstract are indexed).

Queries are split: title queries of ``csl-dev-*`` records and keywords whose SHA-1 is even
form the **dev** split (used to pick fusion parameters); ``csl-test-*`` titles and the other
keywords form the **test** split (reported, never tuned on).

Run: ``python -m kechuang.search.evaluation [--corpus FILE] [--embedder default] [--json]``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .documents import Document, load_corpus
from .embedders import get_embedder
from .engine import SearchEngine, default_index_root, open_vector_cache
from .fusion import minmax_mix, rrf, top_candidates
from .text import ChineseTokenizer, normalize

K = 10


def mrr_at_k(ranked: Sequence[str], relevant: set[str], k: int = K) -> float:
    """Reciprocal rank of the first relevant id within the top ``k`` (0 when none)."""
    for rank, doc_id in enumerate(ranked[:k], start=1):
        if doc_id in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: set[str], k: int = K) -> float:
    """Binary-gain nDCG@k: DCG = Σ rel_i / log2(i+1), divided by the ideal DCG."""
    if not relevant:
        raise ValueError("ndcg_at_k: a query needs at least one relevant document")
    dcg = sum(1.0 / math.log2(i + 1) for i, d in enumerate(ranked[:k], start=1) if d in relevant)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(relevant), k) + 1))
    return dcg / ideal


@dataclass
class Query:
    """An evaluation query with its relevant ids and split."""

    text: str
    relevant: set[str]
    split: str


def title_queries(docs: Sequence[Document]) -> list[Query]:
    """One query per record: its title; relevant = the record itself."""
    return [Query(d.title, {d.id}, "dev" if d.id.startswith("csl-dev") else "test") for d in docs]


def keyword_queries(docs: Sequence[Document], min_papers: int = 3) -> list[Query]:
    """Keywords shared by at least ``min_papers`` records; relevant = those records."""
    carriers: dict[str, set[str]] = defaultdict(set)
    surface: dict[str, str] = {}
    for d in docs:
        for kw in d.keywords:
            key = normalize(kw)
            carriers[key].add(d.id)
            surface.setdefault(key, kw)
    out = []
    for key in sorted(carriers):
        if len(carriers[key]) >= min_papers:
            split = "dev" if hashlib.sha1(key.encode()).digest()[0] % 2 == 0 else "test"
            out.append(Query(surface[key], carriers[key], split))
    return out


def _rankings(engine: SearchEngine, queries: Sequence[Query], qvecs: np.ndarray | None):
    """Per query: (lexical top-100 ids, lexical scores, semantic top-100 ids, semantic scores)."""
    out = []
    for qi, q in enumerate(queries):
        lex = engine.lexical.scores(engine.tokenizer.query_tokens(q.text))
        lr = top_candidates(lex, 100, lex > 0)
        if qvecs is not None:
            sem = engine.vectors @ qvecs[qi]
            sr = top_candidates(sem, 100)
        else:
            sem, sr = None, np.zeros(0, dtype=np.int64)
        out.append((lr, lex, sr, sem))
    return out


FusionFn = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], list[int]]


def fusion_variants() -> dict[str, FusionFn]:
    """The rankers compared: lexical, semantic, and the fusion settings tried on dev."""
    def lexical(lr, lex, sr, sem):
        return lr[:K].tolist()

    def semantic(lr, lex, sr, sem):
        return sr[:K].tolist()

    def make_rrf(wl, ws, k=60):
        def f(lr, lex, sr, sem):
            fused = rrf([lr, sr], [wl, ws], k)
            return [i for i, _ in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:K]]
        return f

    def make_mix(alpha):
        def f(lr, lex, sr, sem):
            cand = np.unique(np.concatenate([lr, sr]))
            fused = minmax_mix(cand, lex, sem, alpha)
            return [i for i, _ in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:K]]
        return f

    variants: dict[str, FusionFn] = {"lexical": lexical, "semantic": semantic}
    for wl, ws in ((1, 1), (1, 2), (2, 1), (3, 1)):
        variants[f"hybrid rrf(k=60, w={wl}:{ws})"] = make_rrf(wl, ws)
    for alpha in (0.1, 0.2, 0.3, 0.4, 0.5, 0.7):
        variants[f"hybrid mix(α={alpha})"] = make_mix(alpha)
    return variants


def evaluate(corpus_path: str, embedder_spec: str | None = None, progress: bool = True) -> dict:
    """Run both tasks for every ranker; returns {task: {ranker: {split: metric}}} plus timings."""
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if progress else (lambda *a: None)
    docs = load_corpus(corpus_path)
    embedder = get_embedder(embedder_spec)
    cache = open_vector_cache(default_index_root(), embedder)
    tok = ChineseTokenizer()
    plain = ChineseTokenizer(use_domain_dict=False)
    tasks = {
        "title→paper MRR@10": (title_queries(docs), ("title",), mrr_at_k),
        "keyword→papers nDCG@10": (keyword_queries(docs), ("keywords",), ndcg_at_k),
    }
    result: dict = {"corpus": corpus_path, "documents": len(docs), "embedder": embedder.name, "tasks": {}}
    for task, (queries, withheld, metric) in tasks.items():
        t0 = time.time()
        eng = SearchEngine(embedder=embedder, tokenizer=tok, withheld=withheld, cache=cache)
        eng.add(docs)
        base = SearchEngine(embedder=None, tokenizer=plain, withheld=withheld)
        base.add(docs)
        qvecs = cache.embed(embedder, [q.text for q in queries], "query")
        log(f"{task}: indexed in {time.time() - t0:.1f}s, {len(queries)} queries")
        ranks = _rankings(eng, queries, qvecs)
        base_ranks = _rankings(base, queries, None)
        ids = [d.id for d in docs]
        table: dict[str, dict[str, float]] = {}

        def score(fn, rk, queries=queries, ids=ids, metric=metric):
            per_split: dict[str, list[float]] = defaultdict(list)
            for q, r in zip(queries, rk, strict=True):
                ranked = [ids[i] for i in fn(*r)]
                per_split[q.split].append(metric(ranked, q.relevant))
            return {s: round(float(np.mean(v)), 4) for s, v in sorted(per_split.items())} | {
                "n_" + s: len(v) for s, v in sorted(per_split.items())}

        variants = fusion_variants()
        table["lexical (plain jieba)"] = score(variants["lexical"], base_ranks)
        for name, fn in variants.items():
            table[name] = score(fn, ranks)
        result["tasks"][task] = table
    cache.save()
    return result


def choose_fusion(result: dict) -> str:
    """The hybrid variant with the best mean dev score over both tasks (test never consulted)."""
    names = [n for n in next(iter(result["tasks"].values())) if n.startswith("hybrid")]
    return max(names, key=lambda n: np.mean([t[n]["dev"] for t in result["tasks"].values()]))


def markdown_table(result: dict) -> str:
    """The result as a Markdown table (dev and test columns per task)."""
    tasks = list(result["tasks"])
    head = "| ranker | " + " | ".join(f"{t} dev | {t} test" for t in tasks) + " |"
    sep = "|---|" + "---:|---:|" * len(tasks)
    rows = [head, sep]
    for name in result["tasks"][tasks[0]]:
        cells = []
        for t in tasks:
            r = result["tasks"][t][name]
            cells += [f"{r['dev']:.3f}", f"{r['test']:.3f}"]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: print the table (or JSON)."""
    from .engine import SEED_CACHE  # noqa: F401  (documents where shipped vectors come from)
    p = argparse.ArgumentParser(description="CSL 检索评测")
    p.add_argument("--corpus", default="data/techmarket/csl_papers.tsv")
    p.add_argument("--embedder", default=None)
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    res = evaluate(a.corpus, a.embedder)
    res["chosen_on_dev"] = choose_fusion(res)
    print(json.dumps(res, ensure_ascii=False, indent=1) if a.json else markdown_table(res) +
          f"\n\nchosen on dev: {res['chosen_on_dev']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
