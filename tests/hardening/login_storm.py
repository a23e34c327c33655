"""Helper process for test_concurrency.py and tests/bench/bench_load.py: serve Kechuang with
waitress on a real SQLite file (or the configured PostgreSQL) in this process and hammer it.

    python tests/hardening/login_storm.py logins N        N simultaneous sign-ins → JSON counts
    python tests/hardening/login_storm.py mixed N SECONDS N clients mixing sign-ins, report pages,
                                                          exports → JSON counts and latencies
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
django.setup()

from django.utils import timezone  # noqa: E402
from waitress.server import create_server  # noqa: E402

from kechuang.core.models import Region, Role, User  # noqa: E402
from kechuang.wsgi import application  # noqa: E402

PASSWORD = "Storm-Pass-2026!x"


def _users(n: int) -> list[str]:
    town = Region.resolve("水头镇")
    names = []
    for i in range(n):
        name = f"storm{i:03d}"
        if not User.objects.filter(username=name).exists():
            role = Role.BUREAU_STAFF if i % 2 == 0 else Role.TOWNSHIP_CLERK
            u = User(username=name, role=role, township=town if role == Role.TOWNSHIP_CLERK else None,
                     password_changed_at=timezone.now())
            u.set_password(PASSWORD)
            u.save()
        names.append(name)
    return names


class Client:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=120) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def login(self, username: str, password: str = PASSWORD) -> int:
        status, body = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        data = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrfmiddlewaretoken": token.group(1).decode() if token else ""}).encode()
        req = urllib.request.Request(self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"})
        try:
            with self.opener.open(req, timeout=120) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code


def serve():
    server = create_server(application, host="127.0.0.1", port=0, threads=16, channel_timeout=120)
    port = server.effective_port
    threading.Thread(target=server.run, daemon=True).start()
    return server, f"http://127.0.0.1:{port}"


def logins(n: int) -> dict:
    names = _users(n)
    server, base = serve()
    statuses = []
    barrier = threading.Barrier(n)

    def one(name):
        c = Client(base)
        c.get("/login/")
        barrier.wait()
        statuses.append(c.login(name, PASSWORD if names.index(name) % 4 else "wrong-password"))

    threads = [threading.Thread(target=one, args=(name,)) for name in names]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.close()
    return {"n": n, "seconds": round(time.perf_counter() - t0, 2),
            "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
            "server_errors": sum(1 for s in statuses if s >= 500)}


def mixed(n: int, seconds: float) -> dict:
    names = _users(n)
    server, base = serve()
    results: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    paths = ["/targets/report/", "/targets/", "/enterprises/", "/enterprises/export/", "/policies/cases/",
             "/policies/cases/export.xlsx", "/targets/ledger/"]

    def client(i):
        c = Client(base)
        k = 0
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            if k % 5 == 0:
                kind, status = "login", c.login(names[i])
            else:
                path = paths[(i + k) % len(paths)]
                kind = "export" if "export" in path else "page"
                status, _ = c.get(path)
            with lock:
                results.append((kind, status, time.perf_counter() - t0))
            k += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.close()
    out = {"clients": n, "seconds": seconds, "requests": len(results),
           "server_errors": sum(1 for _, s, _ in results if s >= 500),
           "statuses": {str(s): sum(1 for _, x, _ in results if x == s) for s in sorted({r[1] for r in results})}}
    for kind in ("login", "page", "export"):
        lat = sorted(d for k, _, d in results if k == kind)
        if lat:
            out[kind] = {"count": len(lat), "median_s": round(statistics.median(lat), 3),
                         "p95_s": round(lat[int(len(lat) * 0.95) - 1], 3), "max_s": round(lat[-1], 3)}
    return out


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "logins":
        print(json.dumps(logins(int(sys.argv[2]))))
    else:
        print(json.dumps(mixed(int(sys.argv[2]), float(sys.argv[3]))))
