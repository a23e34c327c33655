"""Load benchmark of the targets dashboard (issue 6).

Data: 27 townships × 12 indicators × 6 years (2020–2025) × 2 periods of reports, plus 100,000
enterprises with 高企 certificates and yearly R&D figures for the derived actuals. A real server
(`kechuang serve`, waitress) is started on a fresh SQLite database and 10 concurrent users load
the dashboard page; p50 / p95 latency is reported after a warm-up request (target p95 ≤ 200 ms).

Run:  python tests/bench/bench_targets.py [--enterprises 100000] [--seconds 20] [--users 10]
Not part of the default test run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Bench-Passw0rd!2026"


def seed(enterprises: int) -> None:
    """Create periods, reports and enterprises with certificates and R&D figures (bulk)."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.utils import timezone

    from kechuang.core.models import Region, Role, User
    from kechuang.enterprises.models import Enterprise, FiscalYear, Qualification
    from kechuang.targets.demo import _period, generate_reports
    from kechuang.targets.models import Indicator

    user = User(username="bench_staff", role=Role.BUREAU_STAFF, password_changed_at=timezone.now())
    user.set_password(PASSWORD)
    user.save()
    periods = [_period(y, k, "closed") for y in range(2020, 2026) for k in ("H1", "FY")]
    indicators = list(Indicator.objects.order_by("sort_order")[:12])
    t0 = time.perf_counter()
    n = generate_reports(periods, indicators, seed=7, submitted_only_share=0.05)
    print(f"reports: {n} in {time.perf_counter() - t0:.1f} s")
    rng = random.Random(7)
    townships = list(Region.townships())
    t0 = time.perf_counter()
    batch = []
    for i in range(enterprises):
        batch.append(Enterprise(uscc=f"91350583BENCH{i:05d}"[:18], name=f"压测企业{i:06d}有限公司",
                                township=townships[i % len(townships)]))
    Enterprise.objects.bulk_create(batch, batch_size=5000)
    ids = list(Enterprise.objects.values_list("pk", flat=True))
    quals, years = [], []
    for pk in ids:
        if rng.random() < 0.1:
            start = dt.date(rng.randint(2019, 2024), rng.randint(1, 12), 1)
            quals.append(Qualification(enterprise_id=pk, kind="hnte", valid_from=start,
                                       valid_until=start.replace(year=start.year + 3)))
        if rng.random() < 0.3:
            years.append(FiscalYear(enterprise_id=pk, year=2024, rd_expense=Decimal(rng.randint(10, 5000))))
    Qualification.objects.bulk_create(quals, batch_size=5000)
    FiscalYear.objects.bulk_create(years, batch_size=5000)
    print(f"enterprises: {len(ids)}, 高企 certificates: {len(quals)}, R&D years: {len(years)} "
          f"in {time.perf_counter() - t0:.1f} s")


def login(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": "bench_staff", "password": PASSWORD,
                                   "csrfmiddlewaretoken": token, "next": "/targets/"}).encode()
    request = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"})
    response = opener.open(request)
    if "/targets/" not in response.geturl():
        raise SystemExit(f"login failed: ended at {response.geturl()}")
    return opener


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to tell server cost from client cost."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_load(pid: int, openers, url: str, seconds: float, think: float, check: bytes | None) -> dict:
    """Every opener loads ``url`` in a loop for ``seconds``; latency percentiles and server CPU."""
    deadline = time.perf_counter() + seconds

    def user_loop(opener):
        times = []
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            body = opener.open(url).read()
            times.append(time.perf_counter() - start)
            if check is not None:
                assert check in body, f"unexpected page from {url}"
            if think:
                time.sleep(think)
        return times

    cpu0 = _cpu_seconds(pid)
    with ThreadPoolExecutor(len(openers)) as pool:
        samples = sorted(t for times in pool.map(user_loop, openers) for t in times)
    cpu = _cpu_seconds(pid) - cpu0
    return {"n": len(samples), "p50": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1],
            "max": samples[-1], "rate": len(samples) / seconds, "cpu_ms": cpu / len(samples) * 1000,
            "seconds": seconds}


def report(label: str, r: dict, args) -> None:
    print(f"{label}: {r['n']} requests by {args.users} users (think {args.think} s) in {r['seconds']:.0f} s: "
          f"p50 {r['p50'] * 1000:.0f} ms, p95 {r['p95'] * 1000:.0f} ms, max {r['max'] * 1000:.0f} ms, "
          f"{r['rate']:.1f} req/s, server CPU {r['cpu_ms']:.1f} ms/request")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--path", default="/targets/?year=2024")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds each user waits between page loads (0 = back-to-back, a saturation test)")
    parser.add_argument("--baseline", default="/healthz",
                        help="the cheapest page, loaded the same way first: the ratio is printed against it")
    parser.add_argument("--reuse", help="an existing bench directory (skip seeding)")
    args = parser.parse_args()
    tmp = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="kc-bench-targets-"))
    env = {**os.environ, "KECHUANG_DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3", "KECHUANG_VAR_DIR": str(tmp),
           "DJANGO_SETTINGS_MODULE": "kechuang.settings"}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if not args.reuse:
        seed(args.enterprises)
    server = subprocess.Popen([sys.executable, "-m", "kechuang.cli", "serve", "--addr", f"127.0.0.1:{args.port}",
                               "--threads", "8"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        openers = [login(base) for _ in range(args.users)]
        t0 = time.perf_counter()
        openers[0].open(base + args.path).read()
        print(f"first request: {(time.perf_counter() - t0) * 1000:.0f} ms")
        baseline = run_load(server.pid, openers, base + args.baseline, args.seconds / 2, args.think, check=None)
        report("baseline " + args.baseline, baseline, args)
        result = run_load(server.pid, openers, base + args.path, args.seconds, args.think,
                          check=b"targets-dashboard-data" if "targets" in args.path else None)
        report("dashboard " + args.path, result, args)
        print(f"ratio dashboard / baseline: p95 {result['p95'] / baseline['p95']:.2f}×, "
              f"server CPU per request {result['cpu_ms'] / baseline['cpu_ms']:.2f}×")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
