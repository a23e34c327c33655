"""Enterprise registry benchmark. Not part of the default test run. From the repository root::

    python tests/bench/bench_enterprises.py [--enterprises 10000] [--list-total 100000] [--sample 300]

1. **Import**: a workbook of 10,000 enterprises, 30,000 yearly rows and 20,000 IP rows (synthetic,
   seeded) is validated and committed into a fresh, migrated SQLite database under
   ``var/bench-enterprises/``: wall time and peak memory (max RSS of this process).
2. **Baseline**: the plain one-row-at-a-time ORM path (``update_or_create`` per row, change log by
   the signals) on a sample of ``--sample`` enterprises with their rows, in the same process,
   extrapolated to the full workbook → the ratio.
3. **Round trip**: export of the 10,000 enterprises, then import of the export (nothing changes).
4. **List page**: the registry is filled to ``--list-total`` enterprises (demo generator, bulk) and
   the first page of the enterprise list is requested as bureau staff (all rows) and as a
   township clerk: median and worst of 10 requests each.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench-enterprises"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_workbook(n: int, years_per: int, ip_total: int, townships: list[str], seed: int = 7) -> bytes:
    """A filled workbook in the template's layout (write-only openpyxl, like a big WPS export)."""
    from openpyxl import Workbook

    from kechuang.enterprises.demo import uscc_for
    from kechuang.enterprises.excel_schema import SHEETS

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    sheets = {s.title: wb.create_sheet(s.title) for s in SHEETS}
    for s in SHEETS:
        sheets[s.title].append(s.headers)
    codes = [uscc_for(5_000_000 + i) for i in range(n)]
    for i, code in enumerate(codes):
        emp = rng.randint(10, 800)
        sheets["企业"].append([code, f"基准测试企业{i:05d}有限公司", rng.choice(townships),
                              dt.date(2000 + rng.randint(0, 23), rng.randint(1, 12), rng.randint(1, 28)),
                              emp, emp // 5, emp // 8, rng.choice(["新材料", "电子信息", "不属于", None]),
                              f"南安市某路{i}号", "C3032", rng.choice(["小型", "中型", "微型"]), "联系人", "13800000000", "石材陶瓷"])
        revenue = rng.uniform(500, 50000)
        for y in range(2025 - years_per + 1, 2026):
            revenue *= rng.uniform(0.95, 1.2)
            rd = revenue * rng.uniform(0.01, 0.06)
            sheets["年度数据"].append([code, y, round(revenue, 2), round(revenue, 2), round(revenue * 0.95, 2),
                                      round(revenue * 1.02, 2), round(revenue * 0.6, 2), round(rd, 2), round(rd * 0.95, 2),
                                      round(revenue * 0.9, 2), round(revenue * 1.3, 2), round(revenue * 0.5, 2),
                                      round(revenue * 0.8, 2), round(revenue * 0.05, 2), None])
    for j in range(ip_total):
        code = codes[j % n]
        sheets["知识产权"].append([code, rng.choice(["发明专利", "实用新型", "外观设计", "软件著作权"]), f"ZL2024{j:08d}",
                                  f"一种装置{j}", dt.date(2018 + rng.randint(0, 7), rng.randint(1, 12), 1), None,
                                  "自主研发", rng.choice(["是", "否"]), "否"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def row_at_a_time(data: bytes, limit: int) -> tuple[float, float, int]:
    """The plain ORM path on the first `limit` enterprises of the workbook: one query (or more)
    per row, the change log written by the signals. Returns (wall s, CPU s, rows written); the
    workbook is read before the clock starts (the bulk figure includes its reading)."""
    from django.db import transaction
    from openpyxl import load_workbook

    from kechuang.core.changes import change_context
    from kechuang.core.models import Region
    from kechuang.enterprises.models import Enterprise, FiscalYear, IPRight

    wb = load_workbook(io.BytesIO(data), read_only=True)
    ents = list(wb["企业"].iter_rows(min_row=2, values_only=True))[:limit]
    keep = {r[0] for r in ents}
    years = [r for r in wb["年度数据"].iter_rows(min_row=2, values_only=True) if r[0] in keep]
    ips = [r for r in wb["知识产权"].iter_rows(min_row=2, values_only=True) if r[0] in keep]
    t = time.perf_counter()
    cpu = time.process_time()
    with transaction.atomic(), change_context(source="bench:row-at-a-time"):
        for r in ents:
            town = Region.resolve(r[2])
            Enterprise.objects.update_or_create(uscc=r[0], defaults=dict(
                name=r[1] + "（逐行）", township=town, established_on=r[3].date() if hasattr(r[3], "date") else r[3],
                employees=r[4], tech_staff=r[5], rd_staff=r[6], high_tech_field=r[7] or "", address=r[8]))
        by_code = dict(Enterprise.objects.filter(uscc__in=keep).values_list("uscc", "pk"))
        for r in years:
            FiscalYear.objects.update_or_create(enterprise_id=by_code[r[0]], year=r[1], defaults=dict(
                sales_revenue=Decimal(str(r[2])), operating_revenue=Decimal(str(r[3])), rd_expense=Decimal(str(r[7]))))
        for r in ips:
            IPRight.objects.update_or_create(enterprise_id=by_code[r[0]], number=r[2], defaults=dict(
                kind="invention_patent", title=r[3], granted_on=r[4].date() if hasattr(r[4], "date") else r[4]))
        transaction.set_rollback(True)  # measure only; keep the database as the bulk import left it
    return time.perf_counter() - t, time.process_time() - cpu, len(ents) + len(years) + len(ips)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enterprises", type=int, default=10_000)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--ip", type=int, default=20_000)
    ap.add_argument("--sample", type=int, default=300)
    ap.add_argument("--list-total", type=int, default=100_000)
    args = ap.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    db = BENCH_DIR / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    os.environ["KECHUANG_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    os.environ.setdefault("KECHUANG_AUDIT_DB_GUARDS", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from kechuang.core.models import Region, Role, User
    from kechuang.core.permissions import system_actor
    from kechuang.enterprises.demo import generate
    from kechuang.enterprises.exports import export_workbook
    from kechuang.enterprises.imports import import_workbook

    SYSTEM = system_actor("command:bench")
    from kechuang.enterprises.models import Enterprise

    call_command("migrate", verbosity=0)
    townships = list(Region.townships().values_list("name", flat=True))
    t = time.perf_counter()
    data = build_workbook(args.enterprises, args.years, args.ip, townships)
    print(f"workbook: {args.enterprises} enterprises, {args.enterprises * args.years} yearly rows, {args.ip} IP rows, "
          f"{len(data) / 1e6:.1f} MB, built in {time.perf_counter() - t:.1f} s")
    rss0 = rss_mb()
    t = time.perf_counter()
    cpu = time.process_time()
    result = import_workbook(data, filename="bench.xlsx", user=SYSTEM)
    bulk = time.perf_counter() - t
    cpu = time.process_time() - cpu
    assert result.ok, result.problems[:5]
    rows = args.enterprises * (1 + args.years) + args.ip
    print(f"import (validate + commit, bulk): {bulk:.1f} s for {rows} rows ({rows / bulk:,.0f} rows/s); "
          f"peak RSS {rss_mb():.0f} MB (before import {rss0:.0f} MB)  [target ≤ 30 s, ≤ 1024 MB]")
    print(f"  CPU time of this process during the import: {cpu:.1f} s; load average now {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores (wall time includes waiting for other processes)")
    print("  " + result.summary())

    t_row, cpu_row, n_row = row_at_a_time(data, args.sample)
    per_row = t_row / n_row
    print(f"row-at-a-time ORM path: {n_row} rows in {t_row:.1f} s ({per_row * 1000:.2f} ms/row) → "
          f"≈ {per_row * rows:.0f} s for the workbook; bulk import is {per_row * rows / bulk:.1f}× faster "
          f"(CPU time: {cpu_row / n_row * rows:.0f} s vs {cpu:.1f} s → {cpu_row / n_row * rows / cpu:.1f}×)")

    t = time.perf_counter()
    exported = export_workbook(Enterprise.objects.all())
    t_export = time.perf_counter() - t
    t = time.perf_counter()
    again = import_workbook(exported, filename="bench-export.xlsx", user=SYSTEM)
    t_again = time.perf_counter() - t
    changed = sum(c["create"] + c["update"] for c in again.counts.values())
    print(f"round trip: export {t_export:.1f} s, re-import {t_again:.1f} s, rows changed: {changed}")

    t = time.perf_counter()
    more = args.list_total - Enterprise.objects.count()
    if more > 0:
        generate(more, seed=99, log=False)
    print(f"filled to {Enterprise.objects.count():,} enterprises in {time.perf_counter() - t:.1f} s")
    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    setup_test_environment()
    from django.utils import timezone

    staff = User.objects.create(username="bench-staff", role=Role.BUREAU_STAFF, password_changed_at=timezone.now())
    town = Region.resolve("水头镇")
    clerk = User.objects.create(username="bench-clerk", role=Role.TOWNSHIP_CLERK, township=town,
                                password_changed_at=timezone.now())
    for user, label in ((staff, "bureau staff (all)"), (clerk, "township clerk (水头镇)")):
        client = Client()
        client.force_login(user)
        session = client.session
        session["otp_verified"] = True
        session.save()
        for query, what in (({}, "first page"), ({"sort": "-established"}, "sorted by date"),
                            ({"q": "jz"}, "initials search"), ({"qualification": "hnte", "validity": "valid"}, "valid 高企")):
            times = []
            for _ in range(10):
                t = time.perf_counter()
                response = client.get("/enterprises/", query)
                times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, response.status_code
            print(f"list page, {label}, {what}: median {statistics.median(times):.0f} ms, worst {max(times):.0f} ms"
                  + ("  [target ≤ 200 ms]" if what == "first page" else ""))
    print(f"peak RSS overall {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
