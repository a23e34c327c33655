"""The generated write-permission matrix (issue 11 "Done means"): see writes.py."""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from kechuang.core.models import Role
from kechuang.core.permissions import PERMISSIONS
from tests.scoping.writes import (
    Write,
    api_write_operations,
    db_digest,
    digest_difference,
    install_write_counters,
    page_write_routes,
)

TESTS_DIR = Path(__file__).resolve().parent.parent

#: The matrix user of each role (attributes of tests.world.World); the roles without one get a
#: fresh account bound to nothing unless the case's build names one (``"users"``).
ROLE_USERS = {
    Role.BUREAU_STAFF: "staff", Role.TOWNSHIP_CLERK: "clerk_a", Role.DEPT_LIAISON: "liaison_a",
    Role.ENTERPRISE_USER: "ent_user_a", Role.BROKER: "broker_a", Role.FINANCE_OFFICER: "finance",
    Role.SYS_ADMIN: "sys_admin", Role.SEC_ADMIN: "sec_admin", Role.AUDIT_ADMIN: "audit_admin",
}
ANONYMOUS = "anonymous"

#: Write routes whose case is not written yet. The list can only shrink: an entry that has a
#: case, or is no longer a write route, fails the suite.
PENDING: set[str] = set()


def all_writes() -> dict[str, Write]:
    cases: dict[str, Write] = {}
    for info in pkgutil.iter_modules([str(TESTS_DIR)]):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{info.name}.write_cases")
        except ModuleNotFoundError as exc:
            if exc.name == f"tests.{info.name}.write_cases":
                continue
            raise
        for name, case in module.WRITES.items():
            assert name not in cases, f"two write cases for {name}"
            cases[name] = case
    return cases


WRITES = all_writes()
API_WRITES = api_write_operations()
WRITE_ROUTES = sorted(set(page_write_routes()) | set(API_WRITES))


def test_every_write_route_has_a_case():
    missing = [n for n in WRITE_ROUTES if n not in WRITES and n not in PENDING]
    assert not missing, ("write routes without a case in tests/<app>/write_cases.py (say which permission "
                         "they need and build the rows they act on): " + ", ".join(missing))
    stale = [n for n in WRITES if n not in WRITE_ROUTES]
    assert not stale, "write cases for routes that take no writes (or no longer exist): " + ", ".join(stale)
    done = sorted(PENDING & (set(WRITES) | (PENDING - set(WRITE_ROUTES))))
    assert not done, "remove from PENDING (they have a case or are gone): " + ", ".join(done)


def test_cases_name_real_permissions():
    for name, case in WRITES.items():
        if case.kind != "action":
            continue
        assert case.perm in PERMISSIONS, (name, case.perm)
        if case.only is not None:
            assert case.only <= PERMISSIONS[case.perm].roles, (name, "only= must narrow the table's roles")
            assert case.note, (name, "say why only= narrows the table's roles")


def _allowed_roles(case: Write) -> frozenset:
    return case.only if case.only is not None else PERMISSIONS[case.perm].roles


def matrix_users(world) -> dict:
    """The acting user of every role (``world.matrix_users``, made once per world): the World's
    user of that role, or a fresh account bound to nothing."""
    from tests.world import World

    if "matrix_users" not in world.__dict__:
        users = {role: getattr(world, attr) for role, attr in ROLE_USERS.items()}
        for role in Role:
            if role not in users:
                users[role] = World.user(f"matrix_{role.value}", role)
        world.__dict__["matrix_users"] = users
    return world.__dict__["matrix_users"]


def _send(client, name, spec):
    url = reverse(name, kwargs=spec.get("kwargs", {}))
    method = API_WRITES.get(name) or spec.get("method", "post")
    data = spec.get("data", {})
    if callable(data):
        data = data()
    if spec.get("json", name in API_WRITES):   # API operations take JSON unless the case says a form
        return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")
    if method == "post":
        return client.post(url, data=data)
    return getattr(client, method)(url, data=data, content_type="application/x-www-form-urlencoded")


def _refused_status_ok(who, response) -> bool:
    status = response.status_code
    if who == ANONYMOUS:
        return status in (401, 403) or (status == 302 and response["Location"].startswith("/login/"))
    return status in (403, 404)


MATRIX = [n for n in WRITE_ROUTES if n in WRITES and WRITES[n].kind != "elsewhere"]


@pytest.mark.parametrize("name", MATRIX)
def test_write_matrix(name, world, client_for):
    case = WRITES[name]
    matrix_users(world)
    spec = (case.build(world) if case.build else {}) or {}
    users = {**matrix_users(world), **spec.get("users", {})}
    clients = {role: client_for(user) for role, user in users.items()}
    clients[ANONYMOUS] = Client()
    install_write_counters()
    allowed = _allowed_roles(case) if case.kind == "action" else frozenset()
    failures = []
    for who, client in clients.items():
        sid = transaction.savepoint()
        try:
            before = db_digest()
            response = _send(client, name, spec)
            after = db_digest()
            changed = digest_difference(before, after, audit=case.audited and who in allowed)
        finally:
            transaction.savepoint_rollback(sid)
        status = response.status_code
        label = who if who == ANONYMOUS else Role(who).label
        if status >= 500 or status == 405:
            failures.append(f"{label}: HTTP {status}")
        elif case.kind == "no_change":
            if changed:
                failures.append(f"{label}: stored {changed} (HTTP {status})")
        elif who in allowed:
            if status not in (200, 201, 204, 302):
                failures.append(f"{label} (allowed): HTTP {status}")
            elif not changed:
                failures.append(f"{label} (allowed): HTTP {status} but nothing changed"
                                f"{_errors(response)}")
        else:
            if not _refused_status_ok(who, response):
                failures.append(f"{label} (refused): HTTP {status}, expected 403/404")
            if changed:
                failures.append(f"{label} (refused): the database changed: {changed}")
    assert not failures, f"{name} [{case.perm or case.kind}]:\n  " + "\n  ".join(failures)


def _errors(response) -> str:
    """Form errors of a 200 page that stored nothing (to tell a wrong case from a defect)."""
    if response.status_code != 200:
        return ""
    text = response.content.decode("utf-8", "replace")
    import re

    found = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)</', text)[:3]
    return (" — " + "; ".join(s.strip() for s in found)) if found else ""
