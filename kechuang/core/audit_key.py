"""The audit chain's key and its anchor outside the database (issue 11 item 9).

Key: ``KECHUANG_AUDIT_KEY`` (environment) or the file ``var/audit_key`` (created once, mode
0600). It is never stored in the database, so whoever can edit the audit table cannot
recompute the HMAC chain. Keep a copy of the key with the backups (docs/security.md).

Anchor: ``var/audit_checkpoints.log`` gets one signed line per checkpoint (id, hash and row
count of the chain's head, HMAC-signed), written at every ``kechuang audit verify`` and at the
first audit row of each day; each checkpoint is also logged on the ``kechuang.audit.anchor``
logger as a syslog-style line (route it to the syslog server / SIEM in production, so the head
is also held on another machine). Truncating the tail of the table, or deleting a row a
checkpoint names, is then detected even if the attacker rebuilt the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import socket
from functools import lru_cache
from pathlib import Path

from django.conf import settings

anchor_log = logging.getLogger("kechuang.audit.anchor")


@lru_cache(maxsize=4)
def _key_for(env_value: str, path: str) -> bytes:
    if env_value:
        return env_value.encode("utf-8")
    key_file = Path(path)
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip().encode("utf-8")
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key.encode("utf-8")


def key_path() -> Path:
    return Path(getattr(settings, "KECHUANG_AUDIT_KEY_FILE", "") or (settings.VAR_DIR / "audit_key"))


def audit_key() -> bytes:
    """The HMAC key of the audit chain (never in the database)."""
    return _key_for(os.environ.get("KECHUANG_AUDIT_KEY", "").strip(), str(key_path()))


def checkpoint_path() -> Path:
    return Path(getattr(settings, "KECHUANG_AUDIT_CHECKPOINTS", "") or (settings.VAR_DIR / "audit_checkpoints.log"))


def _sign(body: dict) -> str:
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False)
    return hmac.new(audit_key(), b"checkpoint|" + payload.encode("utf-8"), hashlib.sha256).hexdigest()


def write_checkpoint(last_id: int, last_hash: str, rows: int, reason: str) -> dict:
    """Append one signed checkpoint line and log the syslog-style anchor line."""
    body = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "last_id": last_id,
            "last_hash": last_hash, "rows": rows, "reason": reason}
    line = dict(body, sig=_sign(body))
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    # RFC 5424-shaped: <PRI>1 TIMESTAMP HOST APP - MSGID - MSG   (PRI 110 = facility log audit(13), info)
    anchor_log.warning("<110>1 %s %s kechuang - audit-anchor - last_id=%s last_hash=%s rows=%s sig=%s",
                       body["at"], socket.gethostname(), last_id, last_hash, rows, line["sig"])
    return line


def read_checkpoints() -> tuple[list[dict], list[str]]:
    """(valid checkpoints, problems) — a line whose signature does not match is a problem."""
    path = checkpoint_path()
    if not path.exists():
        return [], []
    good, problems = [], []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            body = {k: line[k] for k in ("at", "last_id", "last_hash", "rows", "reason")}
            valid = hmac.compare_digest(_sign(body), line.get("sig", ""))
        except (ValueError, KeyError, TypeError):
            valid = False
        if valid:
            good.append(line)
        else:
            problems.append(f"锚点文件第 {number} 行签名无效（锚点文件被改动）/ checkpoint line {number} has a bad signature")
    return good, problems


def last_checkpoint_day() -> str | None:
    path = checkpoint_path()
    if not path.exists():
        return None
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - 4096))
            tail = fh.read().decode("utf-8", "ignore").strip().splitlines()
        return json.loads(tail[-1])["at"][:10] if tail else None
    except (OSError, ValueError, KeyError, IndexError):
        return None
