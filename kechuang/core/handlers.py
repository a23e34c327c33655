"""The WSGI handler of the product (``kechuang.wsgi.application``: gunicorn, ``kechuang serve``).

It is Django's own handler but for one thing: on **SQLite** a GET (or HEAD / OPTIONS) request is not
wrapped in a request transaction. ``ATOMIC_REQUESTS`` wraps every view in ``transaction.atomic()``,
and on SQLite every transaction begins ``BEGIN IMMEDIATE`` (settings: so that a writer waits for the
lock instead of failing) — which takes the database's single write lock. Every page view then
queued behind any write in progress: a 免申即享 screening's write of its candidates, an import, a
worker's progress update, and each other. A page that only reads needs no lock in WAL mode; one that
writes does so through services, each its own ``transaction.atomic()`` (the lock is taken only then,
for that write). POST, PUT, PATCH and DELETE keep the request transaction: all or nothing. On
PostgreSQL nothing changes (a transaction there takes no lock until it writes).
"""
from __future__ import annotations

from functools import wraps
from inspect import iscoroutinefunction

from django.core.handlers.wsgi import WSGIHandler
from django.db import connections, transaction

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def reads_without_write_lock(alias: str) -> bool:
    """Whether a safe request runs without a request transaction on database ``alias`` (SQLite)."""
    return connections[alias].vendor == "sqlite"


class KechuangHandler(WSGIHandler):
    """``WSGIHandler`` whose request transactions (``ATOMIC_REQUESTS``) on SQLite cover only the
    requests that may write: see the module docstring."""

    def make_view_atomic(self, view):
        non_atomic = getattr(view, "_non_atomic_requests", set())
        aliases = [alias for alias, s in connections.settings.items()
                   if s["ATOMIC_REQUESTS"] and alias not in non_atomic]
        lock_free = [a for a in aliases if reads_without_write_lock(a)]
        if not lock_free or iscoroutinefunction(view):
            return super().make_view_atomic(view)
        always = view
        for alias in aliases:
            if alias not in lock_free:
                always = transaction.atomic(using=alias)(always)
        unsafe = always
        for alias in lock_free:
            unsafe = transaction.atomic(using=alias)(unsafe)

        @wraps(view)
        def by_method(request, *args, **kwargs):
            return (always if request.method in SAFE_METHODS else unsafe)(request, *args, **kwargs)

        return by_method
