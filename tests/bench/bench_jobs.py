"""Jobs benchmark (issue 12), not in the default run. From the repository root::

    python tests/bench/bench_jobs.py [--n 100000] [--users 5] [--seconds 8] [--achievements 20000]
                                     [--database-url postgres://…]

One process serves the product with waitress (8 threads, as ``kechuang serve``); one ``kechuang
worker`` process runs the jobs (the production shape: web and workers apart). On a fresh database
(SQLite under ``var/bench-jobs/`` unless ``--database-url``) with ``n`` synthetic enterprises:

1. **Screening, click to result**: a signed-in bureau officer posts the 免申即享 screening form,
   follows the job page's progress fragment (polled as the page does) until the job is done and
   opens the result page. Goal ≤ 15 s at 100k enterprises.
2. **Other pages during the job**: ``users`` signed-in users (``--think`` s between two clicks,
   default 1) loop over other pages (home,
   enterprise list, cases, targets dashboard, messages, diagnosis pipeline); p95 measured idle
   (the baseline, same process, just before) and while the screening runs. Goal p95 ≤ 300 ms.
3. **Search while the index job runs**: ``achievements`` extra published achievements, the index
   built once; then ``users`` users search idle and while a full index rebuild job runs. The
   ratio during/idle is the figure: a search only reads the index (never rebuilds it).

Prints each figure with its ratio against the idle baseline of the same run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench-jobs"

PAGES = ["/", "/enterprises/", "/policies/cases/", "/targets/", "/inbox/", "/diagnosis/pipeline/", "/jobs/"]
QUERIES = ["活性染料 印染废水", "石材 切割 粉尘", "新能源汽车 电池", "陶瓷 釉料", "智能制造 机器人", "茶叶 加工",
           "水处理 膜分离", "芯片 封装", "高分子 复合材料", "光伏 组件"]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def per_page(load) -> str:
    return "; ".join(f"{p} {pct(v, 95) * 1000:.0f}" for p, v in sorted(load.by_path.items()))


def summary(name: str, lat: list[float], base: list[float] | None = None) -> str:
    p50, p95 = pct(lat, 50) * 1000, pct(lat, 95) * 1000
    out = f"{name}: {len(lat)} requests, p50 {p50:.0f} ms, p95 {p95:.0f} ms"
    if base:
        out += f" (×{p95 / (pct(base, 95) * 1000):.2f} of idle p95 {pct(base, 95) * 1000:.0f} ms)"
    return out


class Load:
    """``users`` signed-in clients looping over ``paths`` until stopped; latencies in seconds."""

    def __init__(self, base: str, names: list[str], paths: list[str], think: float = 1.0):
        from tests.hardening.login_storm import Client

        self.clients = []
        for name in names:
            c = Client(base)
            assert c.login(name) in (200, 302), name
            self.clients.append(c)
        self.paths = paths
        self.think = think
        self.latencies: list[float] = []
        self.by_path: dict[str, list[float]] = {}
        self.errors = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _loop(self, i: int, c) -> None:
        k = i
        while not self._stop.is_set():
            path = self.paths[k % len(self.paths)]
            t0 = time.perf_counter()
            status, _ = c.get(path)
            took = time.perf_counter() - t0
            self.latencies.append(took)
            self.by_path.setdefault(path, []).append(took)
            if status >= 400:
                self.errors += 1
            k += 1
            self._stop.wait(self.think)   # a person reads the page before the next click

    def start(self) -> Load:
        self.latencies, self.errors, self.by_path = [], 0, {}
        self._stop.clear()
        self._threads = [threading.Thread(target=self._loop, args=(i, c), daemon=True)
                         for i, c in enumerate(self.clients)]
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> list[float]:
        self._stop.set()
        for t in self._threads:
            t.join()
        return list(self.latencies)

    def run_for(self, seconds: float) -> list[float]:
        self.start()
        time.sleep(seconds)
        return self.stop()


def wait_job(client, pk: int, timeout: float = 900) -> tuple[str, str]:
    """Poll the job's progress fragment (as the page does, here every 0.25 s) until it finishes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, body = client.get(f"/jobs/{pk}/progress/")
        state = re.search(rb'data-state="(\w+)"', body).group(1).decode()
        if state in ("done", "failed", "cancelled"):
            link = re.search(rb'class="job-result-link" href="([^"]+)"', body)
            return state, link.group(1).decode().replace("&amp;", "&") if link else ""
        time.sleep(0.25)
    raise TimeoutError(f"job {pk} not finished after {timeout} s")


def post_form(client, page: str, data: dict) -> str:
    """GET ``page`` for its CSRF token, POST ``data`` to it; returns the redirect target."""
    _, body = client.get(page)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(client.jar), NoRedirect)
    req = urllib.request.Request(client.base + page, data=urllib.parse.urlencode(
        {**data, "csrfmiddlewaretoken": token}).encode(), headers={"Referer": client.base + page})
    try:
        opener.open(req, timeout=120)
    except urllib.error.HTTPError as e:
        if e.code in (301, 302, 303):
            return e.headers["Location"]
        raise
    raise RuntimeError(f"POST {page} did not redirect")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--year", type=int, default=2026)
    ap.add_argument("--users", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=15, help="length of each idle baseline")
    ap.add_argument("--think", type=float, default=1.0, help="each user's pause between two requests (0: back to back)")
    ap.add_argument("--achievements", type=int, default=20_000, help="extra published achievements to index")
    ap.add_argument("--database-url", default="")
    ap.add_argument("--embedder", default="hashing", help="KECHUANG_EMBEDDER of the search part (default hashing)")
    args = ap.parse_args()
    if BENCH_DIR.exists():
        shutil.rmtree(BENCH_DIR)
    BENCH_DIR.mkdir(parents=True)
    env = {"KECHUANG_VAR_DIR": str(BENCH_DIR), "KECHUANG_EMBEDDER": args.embedder,
           "KECHUANG_DATABASE_URL": args.database_url or f"sqlite:///{BENCH_DIR}/bench.sqlite3",
           "DJANGO_SETTINGS_MODULE": "kechuang.settings", "PYTHONPATH": str(ROOT)}
    os.environ.update(env)
    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)   # 4xx are counted as errors below
    from django.core.management import call_command

    if args.database_url:
        call_command("flush", interactive=False, verbosity=0)
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate + reference data: {time.perf_counter() - t:.1f} s")
    from tests.bench.bench_policies import populate

    populate(args.n, args.year)
    from tests.hardening.login_storm import Client, _users, serve

    names = _users(args.users + 2)           # even: 科技局, odd: 乡镇填报员
    officer = names[0]
    server, base = serve()
    # --no-schedule: the daily reminders (a long write over 100k enterprises) would run at the first tick
    worker = subprocess.Popen([sys.executable, "-m", "kechuang.cli", "worker", "--worker-id", "bench-worker",
                               "--no-schedule"],
                              env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        return _measure(args, base, names, officer, Client)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        server.close()


def _measure(args, base, names, officer, Client) -> int:
    from django.db import transaction

    from kechuang.techmarket.catalogue import catalogue_sync
    from kechuang.techmarket.models import Achievement

    others = names[1:args.users + 1]
    load = Load(base, others, PAGES, args.think)
    staff = Client(base)
    staff.login(officer)
    for p in PAGES:                          # warm the pages and the worker's imports
        staff.get(p)
    time.sleep(2)

    # 1 + 2: screening from the click to the result page, other pages meanwhile
    idle = load.run_for(args.seconds)
    idle_pages = per_page(load)
    load.start()
    t0 = time.perf_counter()
    location = post_form(staff, "/policies/screening/", {"year": str(args.year)})
    pk = int(re.search(r"/jobs/(\d+)/", location).group(1))
    state, result = wait_job(staff, pk)
    status, _ = staff.get(result)
    click_to_result = time.perf_counter() - t0
    during = load.stop()
    print(f"[1] screening of {args.n} enterprises, click → result page: {click_to_result:.2f} s "
          f"(job {state}, result page {status}; goal ≤ 15 s)")
    print("[2] " + summary(f"other pages, {args.users} users, idle", idle))
    print("    " + summary(f"other pages, {args.users} users, during the screening job", during, idle)
          + f"; errors {load.errors}; goal p95 ≤ 300 ms")
    print(f"    p95 by page, idle (ms): {idle_pages}")
    print(f"    p95 by page, during (ms): {per_page(load)}")

    # 3: search while the index job rebuilds the index
    from kechuang.search.documents import load_corpus
    from kechuang.techmarket.catalogue import CSL_CATALOGUE

    real = load_corpus(CSL_CATALOGUE)
    with transaction.atomic():
        Achievement.objects.bulk_create(
            [Achievement(title=f"{real[i % len(real)].title}（{i}）", abstract=real[(i * 7) % len(real)].abstract,
                         keywords=list(real[(i * 3) % len(real)].keywords), field="演示", status="published",
                         source="bench", source_id=str(i)) for i in range(args.achievements)], batch_size=2000)
    t = time.perf_counter()
    built = catalogue_sync()
    print(f"    index build of {built['documents']} achievements in this process: {time.perf_counter() - t:.1f} s")
    paths = [f"/techmarket/?q={urllib.parse.quote(q)}" for q in QUERIES]
    search = Load(base, others, paths, args.think)
    for p in paths:
        staff.get(p)
    idle_s = search.run_for(args.seconds)
    search.start()
    t = time.perf_counter()
    from kechuang.core.permissions import system_actor
    from kechuang.jobs.services import job_start

    job = job_start(actor=system_actor("command:bench"), kind="techmarket.search_index", args={"rebuild": True})
    state, _ = wait_job(staff, job.pk)
    took = time.perf_counter() - t
    during_s = search.stop()
    print(f"[3] index rebuild job ({built['documents']} achievements): {took:.1f} s, {state}")
    print("    " + summary(f"search, {args.users} users, idle", idle_s))
    print("    " + summary(f"search, {args.users} users, during the index job", during_s, idle_s)
          + f"; errors {search.errors}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
