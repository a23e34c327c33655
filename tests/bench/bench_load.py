"""Load test (issue 11 item 6), not in the default run:

    python tests/bench/bench_load.py [--clients 50] [--seconds 60] [--database-url URL] [--var DIR]

Builds a fresh database (SQLite file under a temporary var/ by default, or the PostgreSQL URL
given), loads the demo data, then runs N concurrent clients for S seconds, each mixing sign-ins
(every fifth request), report and dashboard pages, and Excel exports, against a live waitress
server (tests/hardening/login_storm.py). Prints the counts, status codes and latencies as JSON;
the goal is 0 server errors.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--var", default="", help="reuse this var/ folder (demo already loaded there): "
                                                  "only migrate, do not load the demo again")
    args = parser.parse_args()
    var = Path(args.var) if args.var else Path(tempfile.mkdtemp(prefix="kechuang-load-"))
    if args.var:
        args.no_demo = True
    env = dict(os.environ, KECHUANG_VAR_DIR=str(var), KECHUANG_ADMIN_PASSWORD="Adm-Pass-2026!x",
               KECHUANG_DATABASE_URL=args.database_url or f"sqlite:///{var}/db.sqlite3", PYTHONPATH=str(ROOT))
    if args.var and not args.database_url:
        env.pop("KECHUANG_DATABASE_URL")   # the folder's own database (var/kechuang.sqlite3)
    subprocess.run([sys.executable, "-m", "kechuang.cli", "serve", "--no-serve"] + ([] if args.no_demo else ["--demo"]),
                   env=env, check=True, capture_output=True)
    r = subprocess.run([sys.executable, str(ROOT / "tests/hardening/login_storm.py"), "mixed", str(args.clients),
                        str(args.seconds)], env=env, capture_output=True, text=True)
    sys.stdout.write(r.stdout)
    (var / "load-server.log").write_text(r.stderr)   # Django's "Internal Server Error" tracebacks
    sys.stderr.write(f"server log: {var / 'load-server.log'}\n")
    if r.returncode:
        sys.stderr.write(r.stderr[-5000:])
    return r.returncode


if __name__ == "__main__":
    raise SystemExit(main())
