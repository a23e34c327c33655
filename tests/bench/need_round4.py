"""Round 4 of the need-style evaluation: what a query's unseen words and the search box do.

Not part of the default test run. The term share divided a document's BM25 score by the IDF of
the query's terms *that occur in the corpus*: a query whose specific words (水龙头、无铅化) are in
no document then reads as fully matched by the one word that is (合金), and a broker typing the
faucet need's title into the search box saw 99 % for a hob-cutter paper. Variants, each fitted
on the tune needs only (full need text, as need matching queries), reported on held-out needs
and on the titles alone (the search box):

* ``share known``: the share as it was;
* ``share all``: unseen terms count in the divisor at the IDF of a term in no document;
* ``+ PRF β m``: the query vector moved towards the mean vector of the m best documents of the
  first ranking (pseudo-relevance feedback), cosines recomputed.

Every variant here fits all four weights (two cosines, share) with the ridge of round 2 (1e-2).
The product's refit is ``eval_needs.py --fit``: "share all", the cosine ratio of round 2 kept
(one stored document vector), ridge 1e-3 (docs/search.md, “相关度与下限”).

    python tests/bench/need_round4.py [--no-write]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bench"))

from eval_needs import CORPUS, OUT, K, fit_logistic, graded_ndcg, load_needs, need_text  # noqa: E402

from kechuang.search.documents import load_corpus  # noqa: E402
from kechuang.search.embedders import get_embedder  # noqa: E402
from kechuang.search.engine import SearchEngine, default_index_root, open_vector_cache  # noqa: E402
from kechuang.search.fusion import top_candidates  # noqa: E402
from kechuang.search.relevance import technical_terms  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    docs = load_corpus(CORPUS)
    ids = [d.id for d in docs]
    emb = get_embedder()
    cache = open_vector_cache(default_index_root(), emb)
    e = SearchEngine(embedder=emb, cache=cache)
    e.add(docs)
    seg, whole = e.segment_mean_vectors(docs), e.passage_vectors(docs)
    n = len(docs)
    unseen_idf = math.log(1 + (n + 0.5) / 0.5)
    needs = load_needs()

    def base(text):
        toks = e.tokenizer.query_tokens(text)
        terms = technical_terms(toks) or toks
        lex = e.lexical.scores(terms)
        seen = [e.lexical.vocab[t] for t in dict.fromkeys(terms) if t in e.lexical.vocab]
        known = float(e.lexical._idf[seen].sum()) or 1.0   # the divisor before round 4
        unseen = len(dict.fromkeys(terms)) - len(seen)
        return lex, lex / known, lex / (known + unseen * unseen_idf), e.query_vector_cached(text)

    rows = {"full": [base(need_text(q)) for q in needs], "title": [base(q["title"]) for q in needs]}
    cache.save()

    def feats(r, share_kind, prf=None, w0=None):
        lex, sk, sa, qv = r
        share = sk if share_kind == "known" else sa
        cs, cp = seg @ qv, whole @ qv
        if prf:
            beta, m = prf
            c0 = np.unique(np.concatenate([top_candidates(lex, 100, lex > 0), top_candidates(cs, 100),
                                           top_candidates(cp, 100)]))
            z0 = w0[0] + np.stack([cs[c0], cp[c0], share[c0]], 1) @ w0[1:]
            top = c0[np.argsort(-z0)[:m]]
            q2 = qv + beta * whole[top].mean(0) / np.linalg.norm(whole[top].mean(0))
            q2 /= np.linalg.norm(q2)
            cs, cp = seg @ q2, whole @ q2
        c = np.unique(np.concatenate([top_candidates(lex, 100, lex > 0), top_candidates(cs, 100),
                                      top_candidates(cp, 100)]))
        return c, np.stack([cs[c], cp[c], share[c]], 1)

    def fit(share_kind, prf=None, w0=None):
        xs, ys = [], []
        for q, r in zip(needs, rows["full"], strict=True):
            if q["split"] == "tune" and q["relevance"]:
                c, f = feats(r, share_kind, prf, w0)
                xs.append(f)
                ys.append(np.array([q["relevance"].get(ids[j], 0) >= 2 for j in c], float))
        return fit_logistic(np.vstack(xs), np.concatenate(ys))

    def report(share_kind, w, prf=None, w0=None):
        out = {}
        for qset in ("full", "title"):
            nd, leak, shown, good, answered = defaultdict(list), defaultdict(list), defaultdict(int), defaultdict(int), defaultdict(int)
            for q, r in zip(needs, rows[qset], strict=True):
                c, f = feats(r, share_kind, prf, w0)
                z = w[0] + f @ w[1:]
                order = np.argsort(-z)[:K]
                p = 1 / (1 + np.exp(-np.clip(z[order], -50, 50)))
                s = q["split"]
                if q["relevance"]:
                    nd[s].append(graded_ndcg([ids[c[j]] for j in order], q["relevance"]))
                    sug = [ids[c[j]] for j, pj in zip(order, p, strict=True) if pj >= 0.5]
                    shown[s] += len(sug)
                    good[s] += sum(q["relevance"].get(d, 0) >= 1 for d in sug)
                    answered[s] += bool(sug)
                elif p.max() >= 0.5:
                    leak[s].append(f"{q['title']} → {docs[c[order[0]]].title[:20]} {100 * p.max():.0f}%")
            out[qset] = {"nDCG@10": {k: round(float(np.mean(v)), 4) for k, v in sorted(nd.items())},
                         "needs with a suggestion": dict(answered),
                         "precision of suggestions": {k: round(good[k] / shown[k], 3) for k in shown if shown[k]},
                         "no-match needs suggested": {k: leak.get(k, []) for k in ("tune", "heldout")}}
        out["fit"] = [round(float(x), 2) for x in w]
        return out

    results = {}
    for kind in ("known", "all"):
        w = fit(kind)
        results[f"share {kind}"] = report(kind, w)
        print(f"share {kind}", json.dumps(results[f"share {kind}"], ensure_ascii=False), file=sys.stderr, flush=True)
        for beta in (0.3, 0.6, 1.0):
            for m in (3, 5, 10):
                w2 = fit(kind, (beta, m), w)
                label = f"share {kind} + PRF β={beta} m={m}"
                results[label] = report(kind, w2, (beta, m), w)
                print(label, json.dumps(results[label], ensure_ascii=False), file=sys.stderr, flush=True)
    if not a.no_write:
        data = json.loads(OUT.read_text(encoding="utf-8"))
        data.setdefault("variants", {})["round 4: unseen query terms, search-box titles, pseudo-relevance feedback"] = results
        OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
