"""Variants of what is embedded and how the two rankings are fused, measured on the need-style set.

Not part of the default test run. Step 1 embeds what the variants need (whole-passage vectors of
the 2,000 CSL papers: about 10 minutes per text variant on 2 cores; kept in
``var/search/variant-vectors.npz`` so a rerun embeds nothing); step 2 scores every variant with
numpy. Every variant's fitted parameters come from the **tune** half only; held-out numbers are
reported, never used to choose. Results: ``docs/search-eval.json`` → ``variants``.

    python tests/bench/need_variants.py [--no-write]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kechuang.search.documents import load_corpus  # noqa: E402
from kechuang.search.embedders import get_embedder  # noqa: E402
from kechuang.search.engine import SEED_CACHE, SearchEngine  # noqa: E402
from kechuang.search.evaluation import keyword_queries, ndcg_at_k  # noqa: E402
from kechuang.search.fusion import top_candidates  # noqa: E402
from kechuang.search.relevance import technical_terms  # noqa: E402
from kechuang.search.vector_cache import VectorCache  # noqa: E402

CORPUS = ROOT / "data" / "techmarket" / "csl_papers.tsv"
NEEDS = ROOT / "tests" / "bench" / "need_queries.json"
OUT = ROOT / "docs" / "search-eval.json"
XCACHE = ROOT / "var" / "search" / "variant-vectors.npz"
K = 10
MAX_PASSAGE_TOKENS = 510


def graded_ndcg(ranked, rel, k=K):
    dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    return dcg / sum(g / math.log2(i + 2) for i, g in enumerate(ideal))


def need_text(q):
    return f"{q['title']}。{q['description'][:500]}"


def truncate_tokens(model, text: str, limit: int = MAX_PASSAGE_TOKENS) -> str:
    """``text`` cut (by characters, binary search) so that "passage: " + text fits e5's window."""
    if model.token_count(text) <= limit + 2:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if model.token_count(text[:mid]) <= limit + 2:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def passage_texts(docs, kind: str, model) -> list[str]:
    out = []
    for d in docs:
        kw = "；".join(d.keywords)
        if kind == "tka":
            t = f"{d.title}。{kw}。{d.abstract}"
        elif kind == "ta":
            t = f"{d.title}。{d.abstract}"
        elif kind == "tk":
            t = f"{d.title}。{kw}"
        else:
            raise ValueError(kind)
        out.append(truncate_tokens(model, t))
    return out


def fit_logistic(x, y, l2=1e-2):
    xb = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(xb.shape[1])
    for _ in range(80):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -50, 50)))
        grad = xb.T @ (p - y) + l2 * np.r_[0, w[1:]]
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + l2 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    return w


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--embed-only", action="store_true")
    ap.add_argument("--coverage", action="store_true",
                    help="lexical features meant to stop single-term no-match suggestions (after round 2)")
    ap.add_argument("--ship", action="store_true",
                    help="add the whole-passage vectors of the CSL papers to the shipped csl_vectors.npz")
    a = ap.parse_args(argv)
    if a.ship:
        return ship()
    if a.coverage:
        return coverage(a)
    t0 = time.time()
    docs = load_corpus(CORPUS)
    emb = get_embedder()
    model = emb._model
    seed = VectorCache(SEED_CACHE)
    xcache = VectorCache(XCACHE)
    # ---- document-side vectors
    seg_lists = [d.segments() for d in docs]
    flat = [s for segs in seg_lists for s in segs]
    seg_vecs = seed.embed(emb, flat, "passage")
    seg_doc = np.repeat(np.arange(len(docs)), [len(s) for s in seg_lists])
    seg_kind = np.concatenate([[0] + ([1] if d.keywords else []) + [2] * (len(s) - 1 - bool(d.keywords))
                               for d, s in zip(docs, seg_lists, strict=True)])
    passages = {}
    for kind in ("tka", "ta"):
        t1 = time.time()
        texts = passage_texts(docs, kind, model)
        passages[kind] = xcache.embed(emb, texts, "passage")
        xcache.save()
        print(f"passages {kind}: {time.time() - t1:.0f} s", file=sys.stderr, flush=True)
    needs = json.loads(NEEDS.read_text(encoding="utf-8"))["queries"]
    qtexts = {"full": [need_text(q) for q in needs], "title": [q["title"] for q in needs],
              "desc": [q["description"][:500] for q in needs]}
    qv = {name: xcache.embed(emb, t, "query") for name, t in qtexts.items()}
    qv["full-passage"] = xcache.embed(emb, qtexts["full"], "passage")
    kws = keyword_queries(docs)
    kqv = xcache.embed(emb, [q.text for q in kws], "query")
    xcache.save()
    print(f"embedding done {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
    if a.embed_only:
        return 0
    return score(docs, seg_vecs, seg_doc, seg_kind, passages, needs, qv, kws, kqv, a)


def ship() -> int:
    """Add the vectors SearchEngine.doc_vectors needs for the CSL papers (whole passages, embedded
    here once and kept in XCACHE) to the shipped seed cache; a text not yet in XCACHE is embedded."""
    docs = load_corpus(CORPUS)
    emb = get_embedder()
    seed, xcache = VectorCache(SEED_CACHE), VectorCache(XCACHE)
    engine = SearchEngine(embedder=emb, cache=seed)
    texts = engine.passage_texts(docs)
    vecs = dict(zip(texts, xcache.embed(emb, texts, "passage"), strict=True))

    class FromVariantCache:
        name, dim = emb.name, emb.dim

        def embed_passages(self, batch):
            return np.stack([vecs[t] for t in batch])

    before = len(seed)
    seed.embed(FromVariantCache(), texts, "passage")
    seed.save()
    xcache.save()
    print(f"{SEED_CACHE.name}: {before} → {len(seed)} vectors, {SEED_CACHE.stat().st_size / 1e6:.1f} MB",
          file=sys.stderr)
    return 0


def coverage(a) -> int:
    """Round 3: the held-out no-match need 纸尿裤高吸水树脂 reaches 53 % through one shared term
    (吸水性, with its sub-words). Features tried beside the term share: ``cov`` = IDF-weighted share
    of the query's technical terms the document contains at all (no term frequency), and
    ``share×cov``. Fitted on the tune needs with relevant papers; leaks counted at the 50 % floor."""
    from kechuang.search.engine import default_index_root, open_vector_cache
    docs = load_corpus(CORPUS)
    emb = get_embedder()
    ids = [d.id for d in docs]
    e = SearchEngine(embedder=emb, cache=open_vector_cache(default_index_root(), emb))
    e.add(docs)
    seg, whole = e.segment_mean_vectors(docs), e.passage_vectors(docs)
    needs = json.loads(NEEDS.read_text(encoding="utf-8"))["queries"]
    rows = []
    for q in needs:
        text = need_text(q)
        toks = e.tokenizer.query_tokens(text)
        terms = technical_terms(toks) or toks
        lex = e.lexical.scores(terms)
        qv = e.query_vector_cached(text)
        cs, cp = seg @ qv, whole @ qv
        cov, tot = np.zeros(len(docs)), 0.0
        for t in dict.fromkeys(terms):
            wt = e.lexical.query_weight([t])
            if wt > 0:
                cov += wt * (e.lexical.scores([t]) > 0)
                tot += wt
        cov /= tot or 1.0
        share = lex / (e.lexical.query_weight(terms) or 1.0)
        c = np.unique(np.concatenate([top_candidates(lex, 100, lex > 0), top_candidates(cs, 100),
                                      top_candidates(cp, 100)]))
        rows.append((q, c, {"cos segments": cs[c], "cos passage": cp[c], "share": share[c], "cov": cov[c],
                            "share×cov": share[c] * cov[c]}))
    out = {}
    for cols in (("cos segments", "cos passage", "share"), ("cos segments", "cos passage", "cov"),
                 ("cos segments", "cos passage", "share", "cov"), ("cos segments", "cos passage", "share×cov"),
                 ("cos segments", "cos passage", "share", "share×cov")):
        xs, ys = [], []
        for q, c, f in rows:
            if q["split"] == "tune" and q["relevance"]:
                xs.append(np.stack([f[k] for k in cols], 1))
                ys.append(np.array([q["relevance"].get(ids[j], 0) >= 2 for j in c], float))
        w = fit_logistic(np.vstack(xs), np.concatenate(ys))
        nd, leak = defaultdict(list), defaultdict(list)
        for q, c, f in rows:
            z = w[0] + np.stack([f[k] for k in cols], 1) @ w[1:]
            if q["relevance"]:
                nd[q["split"]].append(graded_ndcg([ids[c[j]] for j in np.argsort(-z)[:K]], q["relevance"]))
            elif 1 / (1 + math.exp(-float(z.max()))) >= 0.5:
                leak[q["split"]].append(q["id"])
        label = "calibrated(" + ", ".join(cols) + ")"
        out[label] = {"need nDCG@10": {s: round(float(np.mean(v)), 4) for s, v in sorted(nd.items())},
                      "no-match needs suggested at 50 %": {s: leak.get(s, []) for s in ("tune", "heldout")},
                      "fit": [round(float(x), 2) for x in w]}
        print(label, out[label], file=sys.stderr, flush=True)
    if not a.no_write:
        data = json.loads(OUT.read_text(encoding="utf-8"))
        data.setdefault("variants", {})["round 3: no-match (tune needs with relevant papers only)"] = out
        OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


def doc_matrix(seg_vecs, seg_doc, seg_kind, n, weights):
    """Normalised weighted mean of segment vectors; ``weights`` by kind (title, keywords, abstract)."""
    w = np.asarray(weights, dtype=np.float64)[seg_kind]
    out = np.zeros((n, seg_vecs.shape[1]))
    np.add.at(out, seg_doc, seg_vecs * w[:, None])
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype(np.float16).astype(np.float32)


def score(docs, seg_vecs, seg_doc, seg_kind, passages, needs, qv, kws, kqv, a) -> int:
    n = len(docs)
    ids = [d.id for d in docs]
    engine = SearchEngine(embedder=None)
    engine.add(docs)

    def lex(eng, text):
        toks = eng.tokenizer.query_tokens(text)
        terms = technical_terms(toks) or toks
        s = eng.lexical.scores(terms)
        return s, s / (eng.lexical.query_weight(terms) or 1.0)

    need_lex = [lex(engine, need_text(q)) for q in needs]
    docvec = {
        "segments mean (now)": doc_matrix(seg_vecs, seg_doc, seg_kind, n, (1, 1, 1)),
        "whole passage title+keywords+abstract": passages["tka"],
        "whole passage title+abstract": passages["ta"],
        "mean(segments, whole tka)": None,
        "segments, title×2": doc_matrix(seg_vecs, seg_doc, seg_kind, n, (2, 1, 1)),
        "segments, title×3 keywords×2": doc_matrix(seg_vecs, seg_doc, seg_kind, n, (3, 2, 1)),
    }
    m = docvec["segments mean (now)"] + passages["tka"]
    docvec["mean(segments, whole tka)"] = m / np.linalg.norm(m, axis=1, keepdims=True)
    # max over segments
    seg_max = lambda q: np.maximum.reduceat((seg_vecs @ q)[np.argsort(seg_doc, kind="stable")],  # noqa: E731
                                             np.r_[0, np.cumsum(np.bincount(seg_doc, minlength=n))[:-1]])
    results = {}
    splits = [q["split"] for q in needs]
    has = [bool(q["relevance"]) for q in needs]

    def need_ndcg(rank_fn):
        per = defaultdict(list)
        for i, q in enumerate(needs):
            if has[i]:
                order = rank_fn(i)
                per[q["split"]].append(graded_ndcg([ids[j] for j in order[:K]], q["relevance"]))
        return {s: round(float(np.mean(v)), 4) for s, v in sorted(per.items())}

    def kw_ndcg(rank_fn):
        per = defaultdict(list)
        for i, q in enumerate(kws):
            order = rank_fn(i)
            per[q.split].append(ndcg_at_k([ids[j] for j in order[:K]], q.relevant))
        return {s: round(float(np.mean(v)), 4) for s, v in sorted(per.items())}

    def cands(lexs, sems):
        return np.unique(np.concatenate([top_candidates(lexs, 100, lexs > 0), top_candidates(sems, 100)]))

    def fit(features_of):
        xs, ys = [], []
        for i, q in enumerate(needs):
            if splits[i] != "tune" or not has[i]:
                continue
            c, f = features_of(i)
            xs.append(f)
            ys.append(np.array([q["relevance"].get(ids[j], 0) >= 2 for j in c], float))
        return fit_logistic(np.vstack(xs), np.concatenate(ys))

    def ranked_by(c, f, w):
        z = w[0] + f @ w[1:]
        return c[np.argsort(-z, kind="stable")]

    t = qv["full"] + qv["title"]
    qv["full+title"] = t / np.linalg.norm(t, axis=1, keepdims=True)
    for qname in ("full", "full-passage", "title", "full+title"):
        for dname, D in docvec.items():
            label = f"query {qname} | doc {dname}"
            sem = [D @ qv[qname][i] for i in range(len(needs))]
            row = {"semantic": need_ndcg(lambda i, sem=sem: np.argsort(-sem[i], kind="stable"))}

            def feats(i, sem=sem):
                c = cands(need_lex[i][0], sem[i])
                return c, np.stack([sem[i][c], need_lex[i][1][c]], 1)
            w = fit(feats)
            row["calibrated(cos, share)"] = need_ndcg(lambda i, w=w, feats=feats: ranked_by(*feats(i), w))
            row["fit"] = [round(float(x), 2) for x in w]
            results[label] = row
            print(label, row, file=sys.stderr, flush=True)
    # richer features on the current query: mean-vector cosine, best segment, whole passage, share
    D0 = docvec["segments mean (now)"]
    Dp = passages["tka"]
    sem0 = [D0 @ qv["full"][i] for i in range(len(needs))]
    semp = [Dp @ qv["full"][i] for i in range(len(needs))]
    smax = [seg_max(qv["full"][i]) for i in range(len(needs))]
    for label, cols in {"calibrated(cos mean, cos whole, share)": ("m", "p", "s"),
                        "calibrated(cos mean, cos max segment, share)": ("m", "x", "s"),
                        "calibrated(cos mean, cos whole, cos max segment, share)": ("m", "p", "x", "s")}.items():
        def feats(i, cols=cols):
            c = np.unique(np.concatenate([top_candidates(need_lex[i][0], 100, need_lex[i][0] > 0),
                                          top_candidates(sem0[i], 100), top_candidates(semp[i], 100)]))
            src = {"m": sem0[i], "p": semp[i], "x": smax[i], "s": need_lex[i][1]}
            return c, np.stack([src[k][c] for k in cols], 1)
        w = fit(feats)
        row = {"calibrated": need_ndcg(lambda i, w=w, feats=feats: ranked_by(*feats(i), w)),
               "fit": [round(float(x), 2) for x in w]}
        results["query full | " + label] = row
        print(label, row, file=sys.stderr, flush=True)
    # round 2 (after round 1): the whole-passage text of the best round-1 rows, the query with the
    # title added, and a capped lexical share
    Dta = passages["ta"]
    semta = [Dta @ qv["full"][i] for i in range(len(needs))]
    qft = qv["full+title"]
    semp_ft = [Dp @ qft[i] for i in range(len(needs))]
    sem0_ft = [D0 @ qft[i] for i in range(len(needs))]
    round2 = {
        "calibrated(cos mean, cos whole ta, share)": lambda i: (sem0[i], semta[i], need_lex[i][1]),
        "calibrated(cos of 1/3 mean + 2/3 whole tka, share)": lambda i: (sem0[i] / 3 + semp[i] * 2 / 3, need_lex[i][1]),
        "calibrated(cos whole tka, min(share, 1))": lambda i: (semp[i], np.minimum(need_lex[i][1], 1.0)),
        "calibrated(cos whole tka, log1p(share))": lambda i: (semp[i], np.log1p(need_lex[i][1])),
        "calibrated(cos mean, cos whole tka, min(share, 1))": lambda i: (sem0[i], semp[i], np.minimum(need_lex[i][1], 1.0)),
        "query full+title: calibrated(cos mean, cos whole tka, share)": lambda i: (sem0_ft[i], semp_ft[i], need_lex[i][1]),
    }
    for label, cols_of in round2.items():
        def feats(i, cols_of=cols_of):
            cols = cols_of(i)
            c = np.unique(np.concatenate([top_candidates(need_lex[i][0], 100, need_lex[i][0] > 0)]
                                         + [top_candidates(col, 100) for col in cols[:-1]]))
            return c, np.stack([col[c] for col in cols], 1)
        w = fit(feats)
        row = {"calibrated": need_ndcg(lambda i, w=w, feats=feats: ranked_by(*feats(i), w)),
               "fit": [round(float(x), 2) for x in w]}
        results["round 2 | " + label] = row
        print(label, row, file=sys.stderr, flush=True)
    # keyword task (keywords withheld: title + abstract)
    kdoc = {"segments mean (now)": doc_matrix(seg_vecs[seg_kind != 1], seg_doc[seg_kind != 1],
                                              seg_kind[seg_kind != 1], n, (1, 1, 1)),
            "whole passage title+abstract": passages["ta"]}
    m = kdoc["segments mean (now)"] + passages["ta"]
    kdoc["mean(segments, whole ta)"] = m / np.linalg.norm(m, axis=1, keepdims=True)
    kres = {}
    for dname, D in kdoc.items():
        kres[dname] = {"semantic": kw_ndcg(lambda i, D=D: np.argsort(-(D @ kqv[i]), kind="stable"))}
        print("keyword", dname, kres[dname], file=sys.stderr, flush=True)
    out = {"needs": results, "CSL keyword→papers (semantic)": kres}
    if not a.no_write:
        data = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else {}
        data["variants"] = out
        OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
