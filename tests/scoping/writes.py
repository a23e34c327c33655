"""The write-permission matrix: every route that changes data × every role and anonymous.

`test_write_matrix.py` enumerates the write routes itself:

- pages: every URL of the URL conf whose view accepts POST/PUT/PATCH/DELETE (a class view with
  such a method, or a function view whose source or decorators read ``request.POST``/``FILES``/
  ``body``/``method``: ``require_POST``, ``require_http_methods``);
- API: every POST/PUT/PATCH/DELETE operation of the django-ninja schemas (``api`` and
  ``public_api``), named ``<namespace>:<operationId>`` like its URL.

Each app declares, in ``tests/<app>/write_cases.py``, ``WRITES = {name: Write(...)}``. A write
route without a case fails the suite. Kinds of case:

- ``Write.action(perm, build)``: the action needs the named permission of
  ``kechuang.core.permissions.PERMISSIONS``; the roles allowed are *derived from that table*.
  ``build(world)`` makes the rows the action needs (in scope of every allowed role's matrix user)
  and returns ``{"kwargs": {...}, "data": {...} or callable, "json": bool, "method": "post",
  "users": {Role: user}}``. Every role and anonymous then sends the request, each inside a
  savepoint rolled back afterwards:
  allowed → 200/201/204/302 and the database changed; refused → 403/404 (anonymous: 403/401 or
  a redirect to sign-in) and the database unchanged. A 405 never passes.
  ``only=`` narrows the derived roles for an object rule (e.g. only the drawn expert scores);
  the note says why.
- ``Write.no_change(note)``: the route accepts POST but stores nothing (a calculator, a
  self-check): every role's and anonymous' POST leaves the database unchanged and is never a 500.
- ``Write.elsewhere(note)``: sign-in, sign-out, second factor and password change act on the
  session's own account; the note names the test that covers them.

"The database changed" is a digest over every model table (row count, highest id, the newest
``updated_at`` where the table has one, and the number of INSERT/UPDATE/DELETE statements that
touched it: SQLite temporary triggers, PostgreSQL's per-transaction counters); the audit table and
sessions are left out (a refusal is audited by design, a request touches its session).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclass
class Write:
    kind: str
    perm: str = ""
    build: Callable | None = None
    only: frozenset | None = None
    note: str = ""
    audited: bool = False

    @classmethod
    def action(cls, perm: str, build: Callable, only=None, note: str = "", audited: bool = False):
        """``audited=True``: the action's only record is an audit row (a full view of personal
        data), so for the allowed roles a new audit row counts as the change."""
        return cls("action", perm=perm, build=build, only=frozenset(only) if only is not None else None, note=note,
                   audited=audited)

    @classmethod
    def no_change(cls, note: str, build: Callable | None = None):
        return cls("no_change", build=build, note=note)

    @classmethod
    def elsewhere(cls, note: str):
        return cls("elsewhere", note=note)


# ---- enumerating the write routes ------------------------------------------------------------

_WRITE_MARKERS = ("request.POST", "request.FILES", "request.body", "request.method", "require_POST",
                  "require_http_methods", "require_safe")


def _accepts_writes(callback) -> bool:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return any(hasattr(view_class, m) for m in WRITE_METHODS)
    f = callback
    while hasattr(f, "__wrapped__"):
        f = f.__wrapped__
    try:
        source = inspect.getsource(f)
    except (OSError, TypeError):
        return True  # cannot tell: it needs a case
    return any(marker in source for marker in _WRITE_MARKERS)


def page_write_routes() -> list[str]:
    """URL names (outside the APIs and the Django admin) whose view accepts a write method."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                if ns.split(":")[0] in ("admin", "api", "public_api"):
                    continue
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and _accepts_writes(p.callback):
                found.append(f"{prefix}{p.name}" if p.name else f"{prefix}<unnamed {p.pattern}>")

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def api_write_operations() -> dict[str, str]:
    """``{"<namespace>:<url name>": method}`` for every write operation of both django-ninja APIs
    (the operations their OpenAPI schemas are generated from)."""
    from kechuang.api import api, public_api

    out = {}
    for ninja_api in (api, public_api):
        for _prefix, router in ninja_api._routers:
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    methods = [m.lower() for m in operation.methods if m.lower() in WRITE_METHODS]
                    if not methods:
                        continue
                    url_name = getattr(operation, "url_name", None) or ninja_api.get_operation_url_name(
                        operation, router=router)
                    out[f"{ninja_api.urls_namespace}:{url_name}"] = methods[0]
    return out


# ---- the database digest ---------------------------------------------------------------------

_IGNORED_TABLES = {"django_session", "core_auditevent"}
_TABLES: list | None = None
_DIGEST_SQL: str | None = None


def _tables() -> list[tuple]:
    """(table, pk column, updated_at column or None) of every managed model table."""
    global _TABLES
    if _TABLES is None:
        from django.apps import apps
        from django.db import connection

        existing = set(connection.introspection.table_names())
        found = {}
        for model in apps.get_models(include_auto_created=True):
            opts = model._meta
            if opts.db_table in _IGNORED_TABLES or opts.db_table not in existing or not opts.managed or opts.proxy:
                continue
            stamp = next((f.column for f in opts.concrete_fields if f.name in ("updated_at", "modified_at")), None)
            found[opts.db_table] = (opts.db_table, opts.pk.column, stamp)
        _TABLES = sorted(found.values())
    return _TABLES


def _digest_sql() -> str:
    global _DIGEST_SQL
    if _DIGEST_SQL is None:
        from django.db import connection

        qn = connection.ops.quote_name
        parts = []
        for table, pk, stamp in _tables():
            stamp_sql = f"CAST(MAX({qn(stamp)}) AS TEXT)" if stamp else "''"
            # MAX of the text form: PostgreSQL has no MAX(uuid); the count and the write counters
            # see every new row anyway
            parts.append(f"SELECT '{table}', COUNT(*), MAX(CAST({qn(pk)} AS TEXT)), {stamp_sql} FROM {qn(table)}")
        _DIGEST_SQL = " UNION ALL ".join(parts)
    return _DIGEST_SQL


def install_write_counters() -> None:
    """Count every INSERT/UPDATE/DELETE per table, so an update that leaves counts, ids and
    timestamps alone (``queryset.update(read_at=...)``) is seen too: SQLite temporary triggers
    (created inside the test's transaction, gone with it); PostgreSQL's own per-transaction
    counters (``pg_stat_xact_user_tables``)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS kc_writes (t TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0)")
        for table, _pk, _stamp in _tables():
            cursor.execute("INSERT OR IGNORE INTO temp.kc_writes (t) VALUES (%s)", [table])
            for event in ("INSERT", "UPDATE", "DELETE"):
                cursor.execute(f'CREATE TEMP TRIGGER IF NOT EXISTS "kcw_{table}_{event}" AFTER {event} ON main."{table}" '
                               f"BEGIN UPDATE kc_writes SET n = n + 1 WHERE t = '{table}'; END")


def db_digest() -> dict:
    """{table: (rows, highest id, newest updated_at, writes)} of every model table but audit and
    sessions."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_digest_sql())
        out = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
        if connection.vendor == "sqlite":
            cursor.execute("SELECT t, n FROM temp.kc_writes")
        else:
            cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        for table, n in cursor.fetchall():
            if table in out:
                out[table] = (*out[table], n)
        cursor.execute("SELECT COUNT(*) FROM core_auditevent")
        out[AUDIT] = cursor.fetchone()
    return out


AUDIT = "(audit rows)"


def digest_difference(before: dict, after: dict, *, audit: bool = False) -> list[str]:
    """Tables whose digest differs; the audit rows only with ``audit=True``."""
    return sorted(t for t in set(before) | set(after)
                  if before.get(t) != after.get(t) and (audit or t != AUDIT))


# ---- helpers for the cases -------------------------------------------------------------------

def upload(name: str, content: bytes | Callable, content_type: str = "application/octet-stream"):
    """A fresh uploaded file for every request (a file object is consumed by the first)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make():
        data = content() if callable(content) else content
        return SimpleUploadedFile(name, data, content_type=content_type)
    return make


def form(**fields):
    """Form data whose values may be callables (uploads), evaluated for each request."""
    def make():
        return {k: (v() if callable(v) else v) for k, v in fields.items()}
    return make


def xlsx(header: list, rows: list) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def like_scoping(name: str, perm: str, *, only=None, note: str = "", users: Callable | None = None,
                 data=None, audited: bool = False) -> Write:
    """A write case built from the URL's scoping case (tests/<app>/scoping_cases.py): its "own"
    row (or its kwargs) and its POST data; ``users(world)`` names the matrix user of a role."""
    def build(world):
        from tests.scoping.test_matrix import CASES

        spec = CASES[name].build(world)
        out = {"kwargs": spec["own"] if "own" in spec else spec.get("kwargs", {}),
               "data": data if data is not None else spec.get("data", {})}
        if name.startswith(("api:", "public_api:")):
            out["json"] = bool(spec.get("json"))
        if users is not None:
            out["users"] = users(world)
        return out
    return Write.action(perm, build, only=only, note=note, audited=audited)
