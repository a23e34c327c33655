"""Pre-diagnosis benchmark: 100,000 enterprises × 5 schemes, database → stored results.

Not part of the default test run. From the repository root::

    python tests/bench/bench_diagnosis.py [--n 100000] [--sample 1000] [--on 2026-06-30] [--keep]

1. A fresh SQLite database under ``var/bench-diagnosis/`` is migrated and filled with ``n``
   demo enterprises (``kechuang.enterprises.demo.generate``: 3–5 years of figures, IP,
   qualifications, credit records). The database is reused with ``--keep``.
2. **Columnar**: ``diagnosis_run_create`` loads every enterprise with one query per table,
   evaluates all five schemes column-wise, places each on the ladder and stores one result
   row per enterprise, and records the run (timings per step).
3. **One by one** in the same process: ``sample`` enterprises go through the single-case path
   (``facts_for_population`` → ``parse_facts`` → ``evaluate`` per scheme); the time is
   extrapolated to ``n`` and the ratio reported. The sample's verdicts are checked against
   the stored results.
Peak memory is the process's maximum resident set size.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench-diagnosis"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=1000)
    ap.add_argument("--on", default="2026-06-30")
    ap.add_argument("--keep", action="store_true", help="reuse an existing benchmark database")
    args = ap.parse_args()
    on = dt.date.fromisoformat(args.on)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    db = BENCH_DIR / f"bench-{args.n}.sqlite3"
    if db.exists() and not args.keep:
        db.unlink()
    os.environ["KECHUANG_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    os.environ.setdefault("KECHUANG_AUDIT_DB_GUARDS", "0")
    import django

    django.setup()
    from django.core.management import call_command

    from kechuang.core.models import Role, User
    from kechuang.diagnosis.models import DiagnosisResult
    from kechuang.diagnosis.services import diagnosis_run_create
    from kechuang.enterprises.demo import generate
    from kechuang.enterprises.facts import facts_for_population
    from kechuang.enterprises.models import Enterprise
    from kechuang.rules.engine import SCHEMES, evaluate
    from kechuang.rules.facts import parse_facts

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    have = Enterprise.objects.count()
    if have < args.n:
        generate(args.n - have, seed=4242 + have, log=False)
    print(f"database ready ({Enterprise.objects.count()} enterprises): {time.perf_counter() - t:.1f} s")
    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"role": Role.BUREAU_STAFF})

    t = time.perf_counter()
    run = diagnosis_run_create(user=staff, on=on, note="benchmark")
    columnar = time.perf_counter() - t
    stored = DiagnosisResult.objects.filter(run=run).count()
    print(f"columnar run #{run.pk}: {run.enterprise_count} enterprises × {len(SCHEMES)} schemes, "
          f"database → stored results in {columnar:.2f} s  {run.timings}  ({stored} rows stored)")

    sample_qs = Enterprise.objects.order_by("pk")[: args.sample]
    ids = list(sample_qs.values_list("pk", flat=True))
    t = time.perf_counter()
    pf = facts_for_population(Enterprise.objects.filter(pk__in=ids).order_by("pk"), on=on)
    verdicts = {}
    for pk, raw in zip(pf.ids, pf.facts, strict=True):
        facts = parse_facts(raw)
        verdicts[pk] = [evaluate(s, facts, on) for s in SCHEMES]
    single = time.perf_counter() - t
    per = single / max(1, len(ids))
    est = per * run.enterprise_count
    print(f"one by one: {len(ids)} enterprises in {single:.2f} s ({per * 1000:.2f} ms each) "
          f"→ {est:.0f} s for {run.enterprise_count} (extrapolated); columnar is {est / columnar:.0f}× faster")
    mismatches = 0
    for r in DiagnosisResult.objects.filter(run=run, enterprise_id__in=ids):
        for s, v in zip(SCHEMES, verdicts[r.enterprise_id], strict=True):
            if r.eligible(s) != v.eligible:
                mismatches += 1
    print(f"sample check: {mismatches} mismatching verdicts between stored columnar results and single path")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
