"""Issue 11 item 9: an insider with full database access cannot rewrite the audit log unseen.

The chain is an HMAC with a key outside the database; its head is anchored in a signed
checkpoint file (and a syslog-style line). Each attack below disables the database triggers
first, as an insider with the database owner's rights would, and `kechuang audit verify` must
report it. Runs on SQLite and, with KECHUANG_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kechuang.core import audit
from kechuang.core.audit_guards import install_audit_guards, remove_audit_guards
from kechuang.core.audit_key import checkpoint_path, read_checkpoints
from kechuang.core.models import AuditEvent

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def chain(db):
    install_audit_guards()
    for i in range(60):
        audit.record(AuditEvent.Kind.LOGIN, username=f"user{i}", detail={"n": i})
    assert audit.verify_chain() == []  # intact, and anchored
    assert read_checkpoints()[0]
    remove_audit_guards()  # the insider disables the triggers
    yield list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    remove_audit_guards()


def _verify_fails():
    with pytest.raises(CommandError, match="审计日志校验失败"):
        call_command("audit", "verify")


def test_intact_chain_verifies_and_is_anchored(chain):
    call_command("audit", "verify")
    lines = checkpoint_path().read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 2 and json.loads(lines[-1])["last_id"] == chain[-1]


def test_edited_row_is_detected(chain):
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET username='mallory' WHERE id=%s", [chain[10]])
    assert any(f"#{chain[10]}" in p for p in audit.verify_chain())
    _verify_fails()


def test_deleted_middle_row_is_detected(chain):
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id=%s", [chain[30]])
    assert any(f"#{chain[31]}" in p and "链接" in p for p in audit.verify_chain())
    _verify_fails()


def test_tail_truncation_is_detected(chain):
    with connection.cursor() as cur:  # delete the last 50 rows: the chain that is left is intact
        cur.execute(f"DELETE FROM {TABLE} WHERE id >= %s", [chain[-50]])
    problems = audit.verify_chain()
    assert any("截断" in p for p in problems), problems
    _verify_fails()


def test_recomputed_chain_without_the_key_is_detected(chain):
    """Edit a row and recompute every later hash the way the old (unkeyed) code did."""
    rows = list(AuditEvent.objects.order_by("id"))
    previous = rows[9].hash
    with connection.cursor() as cur:
        for event in rows[10:]:
            if event.pk == chain[10]:
                event.username = "mallory"
            payload = json.dumps([event.at.isoformat(), event.kind, event.outcome, event.username, event.user_id_ref,
                                  event.ip, event.request_id, event.object_ref, event.detail, previous],
                                 ensure_ascii=False, sort_keys=True, default=str)
            digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
            cur.execute(f"UPDATE {TABLE} SET username=%s, prev_hash=%s, hash=%s WHERE id=%s",
                        [event.username, previous, digest, event.pk])
            previous = digest
    problems = audit.verify_chain()
    assert any("内容与摘要不符" in p for p in problems)
    _verify_fails()


def test_recomputed_chain_with_the_key_still_breaks_the_anchor(chain, settings):
    """Even an attacker who stole the key and rebuilt the chain after deleting the tail is
    caught by the checkpoint outside the database."""
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id >= %s", [chain[-5]])
        cur.execute(f"UPDATE {TABLE} SET username='mallory' WHERE id=%s", [chain[-6]])
    rows = list(AuditEvent.objects.order_by("id"))
    with connection.cursor() as cur:
        for i, event in enumerate(rows):
            prev = rows[i - 1].hash if i else event.prev_hash
            event.hash = event.content_digest(prev)
            cur.execute(f"UPDATE {TABLE} SET prev_hash=%s, hash=%s WHERE id=%s", [prev, event.hash, event.pk])
    problems = audit.verify_chain()
    assert problems and all("内容" not in p for p in problems)  # the rows themselves look fine …
    assert any("截断" in p for p in problems)                     # … the anchor does not


def test_a_forged_checkpoint_line_is_detected(chain):
    path = checkpoint_path()
    lines = path.read_text(encoding="utf-8").splitlines()
    forged = json.loads(lines[-1])
    forged["last_id"] = chain[5]
    path.write_text("\n".join([*lines, json.dumps(forged)]) + "\n", encoding="utf-8")
    assert any("签名无效" in p for p in audit.verify_chain())


def test_the_key_is_not_in_the_database(chain, settings):
    from kechuang.core.audit_key import audit_key

    key = audit_key().decode()
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE CAST(detail AS TEXT) LIKE %s OR hash LIKE %s", [f"%{key}%", f"%{key}%"])
        assert cur.fetchone()[0] == 0
