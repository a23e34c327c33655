"""Backup and restore (SECURITY.md): a dump restored into a scratch database has the same counts."""

import os
import re
import subprocess
import sys


def _cli(env, *args):
    return subprocess.run([sys.executable, "-m", "kechuang.cli", *args], env=env, capture_output=True, text=True,
                          timeout=600)


def _counts(text):
    return dict(re.findall(r"^\s+(\S+): (\d+)$", text, flags=re.M))


def test_backup_restores_into_a_scratch_database_with_equal_counts(tmp_path):
    base = dict(os.environ, KECHUANG_VAR_DIR=str(tmp_path), KECHUANG_ADMIN_PASSWORD="Adm-Pass-2026!x",
                KECHUANG_AUDIT_DB_GUARDS="1")
    base.pop("KECHUANG_DATABASE_URL", None)
    source = dict(base, KECHUANG_DATABASE_URL=f"sqlite:///{tmp_path}/source.sqlite3")
    scratch = dict(base, KECHUANG_DATABASE_URL=f"sqlite:///{tmp_path}/scratch.sqlite3")
    assert _cli(source, "serve", "--no-serve").returncode == 0
    dump = tmp_path / "backup.json.gz"
    backup = _cli(source, "backup", str(dump))
    assert backup.returncode == 0, backup.stderr
    assert _cli(scratch, "migrate").returncode == 0
    restore = _cli(scratch, "restore", str(dump))
    assert restore.returncode == 0, restore.stderr
    before, after = _counts(backup.stdout), _counts(restore.stdout)
    assert before["core.User"] == "3" and int(before["core.Region"]) > 40
    for label in ("core.User", "core.Region", "core.OrgUnit"):
        assert after[label] == before[label], label
    # the audit chain survives the restore intact
    verify = _cli(scratch, "audit", "verify")
    assert verify.returncode == 0, verify.stderr


def test_restore_refuses_a_broken_file(tmp_path):
    env = dict(os.environ, KECHUANG_VAR_DIR=str(tmp_path),
               KECHUANG_DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(b"not gzip")
    r = _cli(env, "restore", str(bad))
    assert r.returncode != 0 and "无法读取" in r.stderr and "Traceback" not in r.stderr
