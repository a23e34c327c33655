"""Shared fixtures: a world with two townships, a user of every role, and logged-in clients."""

from __future__ import annotations

import os

# Tests flush tables between transactional tests; the audit-table triggers are installed and
# checked explicitly by tests/core/test_audit.py instead.
os.environ.setdefault("KECHUANG_AUDIT_DB_GUARDS", "0")

import pytest  # noqa: E402

from tests.world import World  # noqa: E402


@pytest.fixture
def world(db) -> World:
    """Two townships (水头镇 = A, 溪美街道 = B), users of every role, one enterprise in each."""
    return World.build()


@pytest.fixture
def client_for(client):
    """`client_for(user)` returns a Django test client signed in as `user` (second factor done)."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        session = c.session
        session["otp_verified"] = True
        session.save()
        return c

    return make


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """PBKDF2 at its production cost makes each test user take ~0.5 s; tests use a fast hasher.
    tests/core/test_passwords.py checks that the product's own settings hash with PBKDF2."""
    from django.conf import settings

    original = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    settings.PASSWORD_HASHERS = original
