"""Issue 11 item 10: `kechuang backup` → `kechuang restore` round trip with uploaded files,
after the documented first-deploy step (`kechuang serve --no-serve`) and again with --force:
identical rows (every table, every column) and identical files."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

SETUP = r'''
import datetime as dt, django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from kechuang.core.changes import change_context
from kechuang.core.models import Region, Role, User
from kechuang.enterprises.models import Enterprise
from kechuang.targets import services
from kechuang.targets.models import Indicator
with change_context(source="command:test-setup"):
    town = Region.resolve("水头镇")
    Enterprise.objects.create(uscc="91350583MA2Y0RAAA6", name="水头甲石材有限公司", township=town)
    staff = User.objects.create(username="staff1", role=Role.BUREAU_STAFF, password_changed_at=timezone.now())
    clerk = User.objects.create(username="clerk1", role=Role.TOWNSHIP_CLERK, township=town,
                                password_changed_at=timezone.now())
    period = services.period_open(user=staff, year=2025, kind="H1")
    services.report_submit(user=clerk, period=period, region=town, indicator=Indicator.objects.get(code="hnte_count"),
                           value="12", files=[SimpleUploadedFile("名单.pdf", b"%PDF-1.4 evidence " * 100),
                                              SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))])
'''

SNAPSHOT = r'''
import hashlib, json, django
django.setup()
from django.core import serializers
from kechuang.core.management.commands.backup import backed_up_models
out = {}
for model in backed_up_models():
    rows = serializers.serialize("json", model._default_manager.order_by("pk"))
    out[model._meta.label] = [len(json.loads(rows)), hashlib.sha256(rows.encode()).hexdigest()]
print(json.dumps(out))
'''


def _run(env, *args, code=None):
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "kechuang.cli", *args]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, (args, r.stdout[-2000:], r.stderr[-3000:])
    return r.stdout


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _env(tmp_path, name):
    var = tmp_path / name
    var.mkdir()
    env = dict(os.environ, KECHUANG_VAR_DIR=str(var), KECHUANG_ADMIN_PASSWORD="Adm-Pass-2026!x",
               KECHUANG_AUDIT_DB_GUARDS="1", KECHUANG_AUDIT_KEY="the-same-key-kept-beside-the-backups",
               DJANGO_SETTINGS_MODULE="kechuang.settings",
               KECHUANG_DATABASE_URL=f"sqlite:///{var}/db.sqlite3")
    return env, var


def test_round_trip_with_uploads_after_first_deploy_and_with_force(tmp_path):
    source, source_var = _env(tmp_path, "source")
    _run(source, "serve", "--no-serve")
    _run(source, code=SETUP)
    files_before = _files(source_var / "media")
    assert len(files_before) == 2
    rows_before = json.loads(_run(source, code=SNAPSHOT))
    dump = tmp_path / "backup.json.gz"
    out = _run(source, "backup", str(dump))
    assert "2 个上传文件" in out

    target, target_var = _env(tmp_path, "target")
    _run(target, "serve", "--no-serve")  # the documented first-deploy step
    _run(target, "restore", str(dump))
    assert json.loads(_run(target, code=SNAPSHOT)) == rows_before
    assert _files(target_var / "media") == files_before
    _run(target, "audit", "verify")

    # again over a database that now holds business data: refused without --force, fine with it
    r = subprocess.run([sys.executable, "-m", "kechuang.cli", "restore", str(dump)], env=target,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode != 0 and "--force" in r.stderr
    _run(target, "restore", str(dump), "--force")
    assert json.loads(_run(target, code=SNAPSHOT)) == rows_before
    assert _files(target_var / "media") == files_before
