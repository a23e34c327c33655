"""The audit log cannot be changed through the application or the database, and a hash chain
exposes tampering (SECURITY.md 安全审计)."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kechuang.core import audit
from kechuang.core.audit_guards import install_audit_guards, remove_audit_guards
from kechuang.core.models import AuditEvent, AuditLogError


@pytest.fixture
def guards(db):
    install_audit_guards()
    yield
    remove_audit_guards()


def test_orm_refuses_update_and_delete(db):
    event = audit.record(AuditEvent.Kind.LOGIN, username="u1")
    event.outcome = "failure"
    with pytest.raises(AuditLogError):
        event.save()
    with pytest.raises(AuditLogError):
        event.delete()
    with pytest.raises(AuditLogError):
        AuditEvent.objects.filter(pk=event.pk).update(outcome="x")
    with pytest.raises(AuditLogError):
        AuditEvent.objects.all().delete()


def test_database_refuses_update_and_early_delete(guards):
    event = audit.record(AuditEvent.Kind.LOGIN, username="u1")
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET outcome='x' WHERE id=%s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE id=%s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, outcome="success").exists()


def test_chain_detects_a_changed_row(db):
    for i in range(3):
        audit.record(AuditEvent.Kind.LOGIN, username=f"u{i}")
    assert audit.verify_chain() == []
    middle = AuditEvent.objects.order_by("id")[1]
    with connection.cursor() as cur:  # tampering behind the application's back
        cur.execute(f"UPDATE {AuditEvent._meta.db_table} SET username='mallory' WHERE id=%s", [middle.pk])
    problems = audit.verify_chain()
    assert any(f"#{middle.pk}" in p for p in problems)


def test_chain_detects_a_removed_row(db):
    for i in range(3):
        audit.record(AuditEvent.Kind.LOGIN, username=f"u{i}")
    middle = AuditEvent.objects.order_by("id")[1]
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id=%s", [middle.pk])
    assert audit.verify_chain()


def test_purge_keeps_at_least_180_days(guards):
    with pytest.raises(ValueError):
        audit.purge_older_than(179)
    old = audit.record(AuditEvent.Kind.LOGIN, username="old")
    recent = audit.record(AuditEvent.Kind.LOGIN, username="recent")
    remove_audit_guards()  # backdate one row (test set-up only), then protect again
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {AuditEvent._meta.db_table} SET at=%s WHERE id=%s",
                    [timezone.now() - dt.timedelta(days=181), old.pk])
    install_audit_guards()
    assert audit.purge_older_than(180) == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    assert AuditEvent.objects.filter(kind="purge").exists()


def test_failed_audit_write_fails_the_action(world, monkeypatch):
    from django.test import Client

    from tests.world import PASSWORD

    def broken(*args, **kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(AuditEvent, "save", broken)
    client = Client(raise_request_exception=False)
    r = client.post("/login/", {"username": "clerk_a", "password": PASSWORD})
    assert r.status_code == 500
    assert client.get("/").status_code == 302  # not signed in
