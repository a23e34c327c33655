"""Issue 11 item 6: 20 simultaneous sign-ins against a live server on a real SQLite file
(WAL, busy timeout, BEGIN IMMEDIATE, short transactions) give 0 server errors; the failure
counter counts every wrong password even when they arrive at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_twenty_concurrent_logins_on_a_sqlite_file(tmp_path):
    env = dict(os.environ, KECHUANG_VAR_DIR=str(tmp_path), KECHUANG_ADMIN_PASSWORD="Adm-Pass-2026!x",
               KECHUANG_DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", KECHUANG_AUDIT_DB_GUARDS="1",
               PYTHONPATH=str(HERE.parents[1]))
    subprocess.run([sys.executable, "-m", "kechuang.cli", "migrate"], env=env, check=True, capture_output=True,
                   timeout=600)
    r = subprocess.run([sys.executable, str(HERE / "login_storm.py"), "logins", "20"], env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert result["server_errors"] == 0, result
    assert sum(result["statuses"].values()) == 20
    # the client follows the redirect after a good sign-in: every answer is a page (200)
    assert set(result["statuses"]) <= {"200", "302"}, result


def test_failed_logins_are_counted_atomically(world):
    """Five wrong passwords counted by F() updates lock the account (the count is read back from
    the database, not from a possibly stale Python object)."""
    from django.conf import settings

    from kechuang.core.auth import LockoutAwareBackend
    from kechuang.core.models import User

    stale = [User.objects.get(pk=world.clerk_a.pk) for _ in range(settings.KECHUANG_LOCKOUT_THRESHOLD)]
    backend = LockoutAwareBackend()
    for copy in stale:  # each request loaded the user before any failure was written
        backend.authenticate(None, username=copy.username, password="wrong")
    user = User.objects.get(pk=world.clerk_a.pk)
    assert user.is_locked()
