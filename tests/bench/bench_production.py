"""Production-shape benchmark (issue 12), not in the default run. From the repository root::

    pip install gunicorn          # the production server; not a dependency of the package
    python tests/bench/bench_production.py [--database-url postgres://…] [--var DIR]
                                           [--users 50] [--seconds 60] [--think 1] [--workers 2,4]
                                           [--threads 4] [--no-waitress]

The production shape on this machine: ``gunicorn kechuang.wsgi --workers N --threads 4`` (web only;
``--threads 1`` measures sync workers, which queue while they wait for the database), one
``kechuang worker`` process apart, one PostgreSQL database (default
``postgres://kechuang:kechuang@127.0.0.1:55432/kechuang_bench``). The demo is loaded once
(``kechuang serve --no-serve --demo`` with a fixed KECHUANG_DEMO_PASSWORD) into ``--var`` (default
``var/bench-prod``); give ``--var`` of an earlier run to reuse it (then nothing is loaded).

``users`` simulated people sign in as the demo accounts of mixed roles (科技局, 两个乡镇填报员,
部门联络员, 技术经理人, 财政, 企业) and each loops for ``seconds`` with ``think`` s between two
clicks over the pages of its role: home page, dashboards (目标看板, 站内信, 经理人工作台), lists
(企业, 兑现案件, 需求), search (成果检索, 企业检索), case pages and one Excel export. A page a role
may not open (403/404 during the warm-up) is left out of that role's loop and listed.

Printed for each server (gunicorn with each ``--workers`` value, then ``kechuang serve`` = waitress
8 threads in one process as the same-machine baseline): per page kind the requests, errors, p50 and
p95 latency, p95 / 300 ms goal, and the server CPU per request. CPU per request is measured
honestly and simply: after the mixed run, each page kind runs alone for ``--phase`` s (same users,
same think time) and the utime+stime delta of the server processes (/proc/<pid>/stat of the gunicorn
master and workers, or of the waitress process) is divided by that phase's requests. The database
server's CPU is not in that figure (it is another program); the machine's total busy CPU per request
of the phase is printed beside it.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = "postgres://kechuang:kechuang@127.0.0.1:55432/kechuang_bench"
PASSWORD = "Demo-Pass-2026!x"
GOAL_MS = 300.0
# demo accounts (kechuang/core/accounts.py demo_accounts + the enterprise user) and how many of the
# simulated people sign in as each
ROLES = [("kjj_demo", 14), ("shuitou_demo", 8), ("ximei_demo", 8), ("gxj_demo", 5), ("jingli_demo", 5),
         ("caizheng_demo", 5), ("qiye_demo", 5)]
SEARCHES = ["新能源汽车 电池", "陶瓷 釉料", "智能制造", "石材 切割", "水处理"]
CANDIDATES = [  # (kind, path); case pages are added from each user's own case list
    ("home", "/"),
    ("dashboard", "/targets/"), ("dashboard", "/inbox/"), ("dashboard", "/techmarket/workbench/"),
    ("list", "/enterprises/"), ("list", "/policies/cases/"), ("list", "/techmarket/needs/"),
    ("search", "/techmarket/?q={q}"), ("search", "/enterprises/?q=科技"),
    ("export", "/policies/cases/export.xlsx"),
]
KINDS = ["home", "dashboard", "list", "search", "case", "export"]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Client:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=120) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except OSError:
            return 599, b""

    def login(self, username: str) -> bool:
        _, body = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        data = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrfmiddlewaretoken": token.group(1).decode() if token else ""}).encode()
        req = urllib.request.Request(self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"})
        with self.opener.open(req, timeout=120) as r:
            return "/login/" not in r.geturl()


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def client_cpu() -> float:
    """CPU seconds of this load-generating process (it shares the machine's cores with the server)."""
    t = os.times()
    return t.user + t.system


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine (all cores) from /proc/stat."""
    f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(f) - f[3] - f[4]) / os.sysconf("SC_CLK_TCK")


def server_pids(proc: subprocess.Popen) -> list[int]:
    pids = [proc.pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
    except OSError:
        pass
    return pids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(base: str, proc: subprocess.Popen) -> None:
    for _ in range(240):
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("server did not start")


class User:
    def __init__(self, base: str, username: str, i: int):
        self.client = Client(base)
        self.username = username
        assert self.client.login(username), f"sign-in failed: {username}"
        self.pages: list[tuple[str, str]] = []
        self.i = i


def role_pages(user: User, dropped: set) -> None:
    """The candidate pages this user's role may open (200), plus two of its case pages."""
    pages = []
    for kind, path in CANDIDATES:
        path = urllib.parse.quote(path.format(q=SEARCHES[user.i % len(SEARCHES)]), safe="/?=&")
        status, body = user.client.get(path)
        if status == 200:
            pages.append((kind, path))
            if path == "/policies/cases/":
                for pk in list(dict.fromkeys(re.findall(rb'href="/policies/cases/(\d+)/"', body)))[:2]:
                    pages.append(("case", f"/policies/cases/{pk.decode()}/"))
        else:
            dropped.add((user.username, path, status))
    user.pages = pages


def run(users: list[User], seconds: float, think: float, kinds: set | None = None) -> list[tuple[str, int, float]]:
    results: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def loop(u: User):
        pages = [p for p in u.pages if kinds is None or p[0] in kinds]
        if not pages:
            return
        k = u.i
        stop.wait((u.i % 10) / 10 * think)   # people do not click in lockstep
        while not stop.is_set():
            kind, path = pages[k % len(pages)]
            t0 = time.perf_counter()
            status, _ = u.client.get(path)
            took = time.perf_counter() - t0
            with lock:
                results.append((kind, status, took))
            k += 1
            stop.wait(think)

    threads = [threading.Thread(target=loop, args=(u,), daemon=True) for u in users]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return results


def measure(label: str, base: str, proc: subprocess.Popen, args) -> dict:
    wait_up(base, proc)
    users = []
    for username, count in ROLES:
        for _ in range(count):
            users.append(User(base, username, len(users)))
    users = users[:args.users]
    dropped: set = set()
    for u in users:
        role_pages(u, dropped)
    pids = server_pids(proc)
    cpu0, busy0, client0 = cpu_seconds(pids), machine_busy(), client_cpu()
    results = run(users, args.seconds, args.think)
    cpu_all, busy_all = cpu_seconds(pids) - cpu0, machine_busy() - busy0
    client_all = client_cpu() - client0
    out = {"label": label, "kinds": {}, "requests": len(results),
           "errors": sum(1 for _, s, _ in results if s >= 400),
           "p95": pct([d for *_, d in results], 95), "p50": pct([d for *_, d in results], 50),
           "cpu_ms": cpu_all / max(1, len(results)) * 1000, "busy_ms": busy_all / max(1, len(results)) * 1000,
           "client_ms": client_all / max(1, len(results)) * 1000,
           "rate": len(results) / args.seconds, "dropped": sorted(dropped)}
    for kind in KINDS:
        lat = [d for k, _, d in results if k == kind]
        out["kinds"][kind] = {"n": len(lat), "errors": sum(1 for k, s, _ in results if k == kind and s >= 400),
                              "p50": pct(lat, 50), "p95": pct(lat, 95)}
    for kind in KINDS:   # each kind alone: server CPU per request of that kind
        cpu0, busy0 = cpu_seconds(pids), machine_busy()
        phase = run(users, args.phase, args.think, {kind})
        n = max(1, len(phase))
        out["kinds"][kind]["cpu_ms"] = (cpu_seconds(pids) - cpu0) / n * 1000
        out["kinds"][kind]["busy_ms"] = (machine_busy() - busy0) / n * 1000
    return out


def report(r: dict, base: dict | None) -> None:
    print(f"\n== {r['label']}: {r['requests']} requests in the mixed run ({r['rate']:.1f} req/s), "
          f"errors {r['errors']}, p50 {r['p50'] * 1000:.0f} ms, p95 {r['p95'] * 1000:.0f} ms "
          f"(p95/goal {r['p95'] * 1000 / GOAL_MS:.2f}), server CPU {r['cpu_ms']:.1f} ms/request, "
          f"machine busy {r['busy_ms']:.1f} ms/request (of which this load generator {r['client_ms']:.1f}, "
          f"the rest PostgreSQL, the worker and the kernel)"
          + (f"; p95 ×{r['p95'] / base['p95']:.2f} of {base['label']}" if base else ""))
    print(f"   {'page':<10}{'requests':>9}{'errors':>7}{'p50 ms':>8}{'p95 ms':>8}{'p95/goal':>9}"
          f"{'CPU ms/req':>11}{'busy ms/req':>12}" + (f"{'p95 ratio':>10}" if base else ""))
    for kind, k in r["kinds"].items():
        line = (f"   {kind:<10}{k['n']:>9}{k['errors']:>7}{k['p50'] * 1000:>8.0f}{k['p95'] * 1000:>8.0f}"
                f"{k['p95'] * 1000 / GOAL_MS:>9.2f}{k['cpu_ms']:>11.1f}{k['busy_ms']:>12.1f}")
        if base and base["kinds"][kind]["p95"] == base["kinds"][kind]["p95"]:
            line += f"{k['p95'] / base['kinds'][kind]['p95']:>10.2f}"
        print(line)
    if r["dropped"]:
        print("   left out of a role's loop (not allowed for that role): "
              + "; ".join(sorted({f"{u} {p} {s}" for u, p, s in r["dropped"]})))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=DEFAULT_DB)
    ap.add_argument("--var", default="", help="reuse this var/ folder (demo already loaded into the database)")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--phase", type=float, default=8, help="seconds of each page kind alone (CPU per request)")
    ap.add_argument("--think", type=float, default=1.0)
    ap.add_argument("--workers", default="2,4", help="gunicorn --workers values to measure, comma separated")
    ap.add_argument("--threads", type=int, default=4,
                    help="gunicorn --threads per worker (1: sync workers; more: the gthread worker class, "
                         "as docs/operations.md runs it)")
    ap.add_argument("--no-waitress", action="store_true", help="skip the kechuang serve baseline")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    var = Path(args.var or ROOT / "var" / "bench-prod").resolve()
    env = dict(os.environ, KECHUANG_VAR_DIR=str(var), KECHUANG_DATABASE_URL=args.database_url,
               KECHUANG_DEMO_PASSWORD=PASSWORD, KECHUANG_ADMIN_PASSWORD="Adm-Pass-2026!x",
               DJANGO_SETTINGS_MODULE="kechuang.settings", PYTHONPATH=str(ROOT))
    if not args.var:
        var.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kechuang.cli", "serve", "--no-serve", "--demo"], env=env, check=True,
                       capture_output=True)
        print(f"demo loaded into {args.database_url} in {time.perf_counter() - t:.0f} s (reuse: --var {var})")
    worker = subprocess.Popen([sys.executable, "-m", "kechuang.cli", "worker", "--worker-id", "bench-prod"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = []
    try:
        for n in [int(x) for x in args.workers.split(",") if x]:
            port = free_port()
            log = open(var / f"gunicorn-{n}.log", "w")
            proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "kechuang.wsgi", "--workers", str(n),
                                     "--threads", str(args.threads), "--bind", f"127.0.0.1:{port}",
                                     "--timeout", "120"],
                                    env=env, cwd=ROOT, stdout=log, stderr=log)
            try:
                results.append(measure(f"gunicorn --workers {n} --threads {args.threads}", f"http://127.0.0.1:{port}", proc, args))
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        if not args.no_waitress:
            port = free_port()
            log = open(var / "waitress.log", "w")
            proc = subprocess.Popen([sys.executable, "-m", "kechuang.cli", "serve", "--no-worker", "--threads", "8",
                                     "--addr", f"127.0.0.1:{port}"], env=env, cwd=ROOT, stdout=log, stderr=log)
            try:
                results.append(measure("kechuang serve (waitress, 8 threads)", f"http://127.0.0.1:{port}", proc,
                                       args))
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    baseline = results[-1] if not args.no_waitress else None
    print(f"\n{args.users} signed-in users, think {args.think} s, {args.seconds:.0f} s mixed run, "
          f"{os.cpu_count()} cores, database {args.database_url.rsplit('@', 1)[-1]}; goal: 0 errors, p95 ≤ 300 ms")
    for r in results:
        report(r, baseline if r is not baseline else None)
    ok = all(r["errors"] == 0 and r["p95"] * 1000 <= GOAL_MS for r in results if r["label"].startswith("gunicorn"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
