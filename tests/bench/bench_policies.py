"""Policy screening benchmark (免申即享): 100,000 enterprises, every measure, one year.

Not part of the default test run. Run from the repository root::

    python tests/bench/bench_policies.py [--n 100000] [--year 2026] [--sample 2000]

Two measurements, both on synthetic data (seeded, marked 演示数据 in names):

1. **Database → stored candidates**: a fresh SQLite database under ``var/bench-policies/``
   is migrated; ``n`` enterprises and their policy events (≈ 3 % 高企认定, 1 % 揭榜挂帅验收,
   0.5 % each of incubator filing/recognition, talent platforms, postgraduates …) are
   bulk-inserted with 3 years of figures each (300,000 yearly rows) and ≈ 31 % with qualification
   records; then ``services.screening_run`` reads everything with a few bulk queries,
   screens it column-wise, explains each candidate and stores the cases. A second run
   measures the idempotent rerun.
2. **Vectorised vs one-by-one** in the same process: the same population with synthetic
   yearly figures and qualifications in memory, screened by ``screen()`` and by
   ``calculate()`` enterprise by enterprise on a sample (extrapolated to ``n``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench-policies"


def synthetic_facts(rng: random.Random, i: int, year: int) -> dict:
    """One enterprise's facts: revenue history, qualifications, events of the year."""
    events = []
    r = rng.random()
    if r < 0.03:
        events.append({"kind": "hnte_recognized", "date": f"{year}-{rng.randint(1, 12):02d}-15",
                       "first_time": rng.random() < 0.5})
    elif r < 0.04:
        events.append({"kind": "challenge_project_accepted", "date": f"{year}-06-{rng.randint(1, 28):02d}",
                       "subsidy": rng.choice([50, 80, 120, 200])})
    elif r < 0.045:
        events.append({"kind": "incubator_filed", "date": f"{year}-03-01"})
    elif r < 0.05:
        events.append({"kind": "incubator_recognized", "date": f"{year}-09-01",
                       "level": rng.choice(["national", "provincial", "quanzhou"])})
    elif r < 0.055:
        events.append({"kind": "little_giant_recognized", "date": f"{year}-07-01", "first_time": True})
    elif r < 0.06:
        events.append({"kind": "postgraduate_trained", "date": f"{year}-12-01",
                       "degree": rng.choice(["master", "doctor"]), "months": rng.randint(1, 12)})
    base = rng.choice([800, 3000, 12000, 60000, 150000, 190000, 230000, 480000])
    years = [{"year": y, "operating_revenue": round(base * (1 + 0.1 * (y - year + 3)), 2),
              "rd_expense": round(base * rng.choice([0.01, 0.03, 0.06]), 2)} for y in range(year - 3, year)]
    quals = []
    if rng.random() < 0.3:
        start = dt.date(year - rng.randint(1, 3), 1, 1)
        quals.append({"kind": "hnte", "first_recognized_on": start.isoformat(), "valid_from": start.isoformat(),
                      "valid_until": (start + dt.timedelta(days=3 * 365)).isoformat()})
    if rng.random() < 0.01:
        d = dt.date(year, rng.randint(1, 12), 1).isoformat()
        quals.append({"kind": "above_designated_size", "first_recognized_on": d, "valid_from": d})
    return {"years": years, "qualifications": quals, "events": events}


def populate(n: int, year: int) -> None:
    """Insert ``n`` synthetic enterprises with their events, yearly figures and qualifications
    (also used by tests/bench/bench_jobs.py)."""
    from django.db import transaction

    from kechuang.core.models import Region
    from kechuang.enterprises.models import Enterprise
    from kechuang.policies.models import PolicyEvent

    args = argparse.Namespace(n=n, year=year)
    rng = random.Random(20261121)
    townships = list(Region.townships())
    facts = [synthetic_facts(rng, i, args.year) for i in range(args.n)]
    t = time.perf_counter()
    with transaction.atomic():
        Enterprise.objects.bulk_create(
            [Enterprise(uscc=f"91350583{i:09d}X", name=f"演示企业{i:06d}", township=townships[i % len(townships)])
             for i in range(args.n)], batch_size=5000)
        ids = list(Enterprise.objects.order_by("id").values_list("id", flat=True))
        PolicyEvent.objects.bulk_create(
            [PolicyEvent(enterprise_id=ids[i], kind=e["kind"], date=e["date"],
                         fields={k: v for k, v in e.items() if k not in ("kind", "date")}, source="演示数据")
             for i, f in enumerate(facts) for e in f["events"]], batch_size=5000)
        from kechuang.enterprises.models import FiscalYear, Qualification

        FiscalYear.objects.bulk_create(
            [FiscalYear(enterprise_id=ids[i], year=y["year"], operating_revenue=Decimal(str(y["operating_revenue"])),
                        rd_expense=Decimal(str(y["rd_expense"]))) for i, f in enumerate(facts) for y in f["years"]],
            batch_size=5000)
        Qualification.objects.bulk_create(
            [Qualification(enterprise_id=ids[i], kind=q["kind"], first_recognized_on=q["first_recognized_on"],
                           valid_from=q["valid_from"], valid_until=q.get("valid_until"))
             for i, f in enumerate(facts) for q in f["qualifications"]], batch_size=5000)
    print(f"insert {args.n} enterprises + {PolicyEvent.objects.count()} events + {FiscalYear.objects.count()} "
          f"yearly rows + {Qualification.objects.count()} qualifications: {time.perf_counter() - t:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--year", type=int, default=2026)
    ap.add_argument("--sample", type=int, default=2000, help="enterprises for the one-by-one path")
    args = ap.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    db = BENCH_DIR / "bench.sqlite3"
    if db.exists():
        db.unlink()
    os.environ["KECHUANG_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from kechuang.core.permissions import system_actor
    from kechuang.policies import services
    from kechuang.policies.engine import calculate, enterprise_from_facts
    from kechuang.policies.engine.columns import Population
    from kechuang.policies.engine.screening import screen
    from kechuang.policies.models import Case
    from kechuang.policies.selectors import engine_policies

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate + reference data: {time.perf_counter() - t:.1f} s")
    populate(args.n, args.year)
    gc.collect()   # the screening starts from the database, not from the generated facts

    t = time.perf_counter()
    run = services.screening_run(user=system_actor("command:bench"), year=args.year)
    first = time.perf_counter() - t
    t = time.perf_counter()
    run2 = services.screening_run(user=system_actor("command:bench"), year=args.year)
    rerun = time.perf_counter() - t
    print(f"[1] DB → stored candidates, {args.n} enterprises × every measure: {first:.2f} s "
          f"({run.candidate_count} candidates, {Case.objects.count()} cases stored)")
    print(f"    idempotent rerun: {rerun:.2f} s (new {run2.new_count}, changed {run2.changed_count})")

    policies = engine_policies()
    rng = random.Random(20261121)
    facts = [synthetic_facts(rng, i, args.year) for i in range(args.n)]
    ents = [enterprise_from_facts(f) for f in facts]
    t = time.perf_counter()
    pop = Population.from_enterprises(ents)
    build = time.perf_counter() - t
    t = time.perf_counter()
    res = screen(pop, args.year, policies)
    vec = time.perf_counter() - t
    k = min(args.sample, args.n)
    t = time.perf_counter()
    for e in ents[:k]:
        calculate(e, args.year, policies)
    one = (time.perf_counter() - t) / k * args.n
    eligible = sum(int((mc.status == 2).sum()) for mc in res.measures)
    print(f"[2] full facts in memory: columns {build:.2f} s, vectorised screen {vec:.2f} s "
          f"({eligible} eligible verdicts); one-by-one calculate ≈ {one:.1f} s for {args.n} "
          f"(measured on {k}); ratio {one / vec:.0f}×")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
