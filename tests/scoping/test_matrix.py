"""Walk every URL of the app and check its scoping case (see framework.py)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.scoping.framework import Case, response_text

TESTS_DIR = Path(__file__).resolve().parent.parent


def all_url_names() -> list[str]:
    names = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern):
                names.append(f"{prefix}{p.name}" if p.name else f"{prefix}<unnamed {p.pattern}>")

    walk(get_resolver().url_patterns, "")
    return sorted(set(names))


def all_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for info in pkgutil.iter_modules([str(TESTS_DIR)]):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{info.name}.scoping_cases")
        except ModuleNotFoundError as exc:
            if exc.name == f"tests.{info.name}.scoping_cases":
                continue
            raise
        for name, case in module.CASES.items():
            assert name not in cases, f"two scoping cases for {name}"
            cases[name] = case
    return cases


URL_NAMES = [n for n in all_url_names() if not n.startswith("admin:")]
CASES = all_cases()


def test_every_url_has_a_scoping_case():
    missing = [n for n in URL_NAMES if n not in CASES]
    assert not missing, (
        "URLs without a scoping case (add them to tests/<app>/scoping_cases.py): " + ", ".join(missing)
    )
    stale = [n for n in CASES if n not in URL_NAMES]
    assert not stale, "scoping cases for URLs that no longer exist: " + ", ".join(stale)


def test_public_allowlist_is_exactly_the_public_cases(db):
    """Anonymous users reach only the URLs whose case is public; everything else asks for login."""
    anonymous = Client()
    for name in URL_NAMES:
        case = CASES.get(name)
        if case is None or case.kind == "object" or case.kind == "list" or case.build is not None:
            kwargs = None
        else:
            kwargs = case.kwargs
        if kwargs is None:
            continue  # object URLs need rows; anonymous access to them is checked below
        response = anonymous.get(reverse(name, kwargs=kwargs))
        if case.kind == "public":
            assert response.status_code in case.expect, (name, response.status_code)
        else:
            assert response.status_code in (302, 401), (name, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/login/"), (name, response["Location"])


@pytest.mark.parametrize("name", [n for n in URL_NAMES if n in CASES])
def test_scoping_case(name, world, client_for):
    case = CASES[name]
    actor = getattr(world, case.actor)
    client = client_for(actor)
    if case.kind == "public":
        return  # covered by the allowlist test
    if case.kind == "global":
        response = client.get(reverse(name, kwargs=case.kwargs))
        assert response.status_code in case.expect, (name, response.status_code)
        return
    if case.kind == "role":
        spec = case.build(world) if case.build else {"kwargs": case.kwargs, "data": {}}
        url = reverse(name, kwargs=spec.get("kwargs", {}))
        response = getattr(client, case.method)(url, data=spec.get("data", {}))
        assert response.status_code in (403, 404), (name, response.status_code)
        allowed = client_for(getattr(world, case.allowed))
        status = getattr(allowed, case.method)(url, data=spec.get("data", {})).status_code
        assert status in ((200,) if case.method == "get" else (200, 302)), (name, status)
        return
    spec = case.build(world)
    if case.kind == "object":
        data = spec.get("data", {})
        extra = {}
        if spec.get("json"):   # a JSON API body
            import json

            data, extra = json.dumps(data), {"content_type": "application/json"}

        def call(url, who=client):
            return getattr(who, case.method)(url, data=data, **extra)

        own = call(reverse(name, kwargs=spec["own"]))
        assert own.status_code in (200, 302), (name, "own row refused", own.status_code)
        anonymous = call(reverse(name, kwargs=spec["foreign"]), Client())
        assert anonymous.status_code in (302, 401, 403, 404), (name, "anonymous", anonymous.status_code)
        foreign = call(reverse(name, kwargs=spec["foreign"]))
        assert foreign.status_code in (403, 404), (name, "foreign row reached", foreign.status_code)
        check = spec.get("unchanged")
        if check is not None:
            assert check(), (name, "foreign row was changed")
        return
    if case.kind == "list":
        response = client.get(reverse(name, kwargs=spec.get("kwargs", {})), data=spec.get("query", {}))
        assert response.status_code == 200, (name, response.status_code)
        text = response_text(response)
        assert spec["own"] in text, (name, "own row missing: the case proves nothing")
        assert spec["foreign"] not in text, (name, "foreign row visible")
        return
    raise AssertionError(f"unknown case kind {case.kind}")


def test_admin_site_refuses_business_users(world, client_for):
    """Every admin page sends business roles away; only the matching administrator gets in."""
    clerk = client_for(world.clerk_a)
    staff = client_for(world.staff)
    for model, _model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert clerk.get(url).status_code in (302, 403), url
        assert staff.get(url).status_code in (302, 403), url
    assert clerk.get(reverse("admin:index")).status_code in (302, 403)
