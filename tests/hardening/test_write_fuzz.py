"""Issue 11 items 4–5, made systematic for writes: hostile values in every form POST and every
django-ninja write operation, sent by a signed-in user of a role allowed to post there.

Where the targets come from (so a new form or write operation is fuzzed without editing this file):

* every URL of the scoping matrix (``tests/<app>/scoping_cases.py``) is opened by the case's own
  actor with the case's own rows (``build(world)``); every ``<form method="post">`` on the page is
  a target, its fields and default values read from the HTML as a browser would submit them;
* a POST-only case (``method="post"``) is a target with the case's own data;
* every POST/PUT/PATCH/DELETE of both APIs is a target, its body built from the OpenAPI schema
  (and the case's data where the matrix has one), sent by the case's actor and by the bureau;
* every write route of the write-permission matrix (``tests/<app>/write_cases.py``) is a target
  with its case's rows and valid data, sent by a user of a role the permission table allows.

Each example replaces one field (or drops it, or poisons every field at once) with a hostile value:
1e309, 1e20, NaN, −1, 25-digit integers, 100k characters, control characters, HTML/script, wrong
types. Expected: never a 5xx; a refusal is a Chinese sentence (a 400/422 body, or a field error
next to the field). Afterwards every page and API list the actors can open still answers without
a 5xx and never carries the injected ``<script>`` unescaped (no stored value poisons a page).

Deterministic (``derandomize``) and bounded: at most ``BUDGET_S`` seconds of requests.
"""

from __future__ import annotations

import json
import os
import re
import time
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: seconds of fuzzing (a longer run to hunt: KECHUANG_FUZZ_BUDGET_S=600 KECHUANG_FUZZ_EXAMPLES=20000)
BUDGET_S = int(os.environ.get("KECHUANG_FUZZ_BUDGET_S", "80"))
EXAMPLES = int(os.environ.get("KECHUANG_FUZZ_EXAMPLES", "3000"))
MARKER = "<script>kc_fuzz()</script>"
HOSTILE = ["1e309", "-1e309", "1e20", "NaN", "-1", "9" * 25, "-" + "9" * 25, "x" * 100_000, "\x00\x01\x1b\x7f",
           "a\x00b", MARKER, "\"><img src=x onerror=kc_fuzz()>", "=1+2", "", " ", "abc", "0001-01-01",
           "2000-02-30", "99999-01-01", "１２", "true", "[]", "{}"]
#: JSON-level hostile values for API bodies (wrong types included)
JSON_HOSTILE = [1e20, -1, 10**25, -(10**25), "1e309", "NaN", "x" * 100_000, "\x00", MARKER, None, True, [], {},
                [1, 2], {"a": 1}, "0001-01-01", "abc", 1.5]
#: raw JSON texts json.loads accepts but that are not finite numbers
RAW_NUMBERS = ["1e309", "-1e309", "NaN", "Infinity"]
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ERRORLIST = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)
_LI = re.compile(r"<li[^>]*>(.*?)</li>", re.S)


# ---- reading forms out of a page ----------------------------------------------------------------

class _Forms(HTMLParser):
    """The POST forms of a page: [(action, [(name, kind, default, options)])]."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list, bool]] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = (a.get("action") or "", [], "multipart" in (a.get("enctype") or ""))
                self.forms.append(self._form)
            else:
                self._form = None
            return
        if self._form is None or not a.get("name"):
            return
        fields = self._form[1]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                if kind == "submit":
                    fields.append((a["name"], "submit", a.get("value", ""), None))
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                fields.append((a["name"], kind + "-off", a.get("value", "on"), None))
                return
            fields.append((a["name"], kind, a.get("value", ""), None))
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            fields.append((a["name"], "submit", a.get("value", ""), None))
        elif tag == "select":
            self._select = [a["name"], "select", None, []]
            fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select[3].append(a.get("value", ""))
            if "selected" in a or self._select[2] is None:
                self._select[2] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = [a["name"], "textarea", "", None]
            fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _plausible(name: str, kind: str, options) -> str:
    """A value a careful user would type into an empty field, so that the other fields of a form
    are valid and one hostile value reaches the service and the database, not only the form."""
    low = name.lower()
    if kind == "select":
        return next((o for o in options or [] if o), "")
    if kind in ("hidden", "password"):
        return ""
    if kind == "date" or low.endswith(("_on", "date", "_at")) or low in ("on", "start", "end"):
        return "2025-06-30"
    if kind == "email" or "email" in low:
        return "fuzz@example.cn"
    if kind == "tel" or "phone" in low or "mobile" in low:
        return "13800000000"
    if kind == "url" or low.endswith("url"):
        return "https://example.cn/"
    if low in ("year", "year_from", "year_to") or low.endswith("_year"):
        return "2025"
    if kind == "number" or any(k in low for k in ("amount", "count", "days", "people", "rate", "ratio",
                                                   "value", "price", "budget", "bounty", "employees", "score")):
        return "1"
    if "uscc" in low or "credit_code" in low:
        return "91350583MA2Y0RAAA0"
    return f"测试{name}"[:30]


def post_forms(html: str, page_url: str):
    """[(action url, baseline data, field names, multipart)] of the page's POST forms."""
    parser = _Forms()
    parser.feed(html)
    out = []
    for action, fields, multipart in parser.forms:
        url = urljoin(page_url, action or page_url)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or not parts.path.startswith("/") or "logout" in parts.path:
            continue
        data: dict[str, list] = {}
        names = []
        submit_seen = False
        for name, kind, default, _options in fields:
            if name == "csrfmiddlewaretoken":
                continue
            if kind == "submit":
                if not submit_seen:   # the first submit button, as a browser pressing Enter
                    data.setdefault(name, []).append(default)
                    submit_seen = True
                continue
            if kind.endswith("-off") or kind == "file":
                names.append(name)
                continue
            data.setdefault(name, []).append(default or _plausible(name, kind, _options))
            names.append(name)
        out.append((parts.path + (f"?{parts.query}" if parts.query else ""), data, sorted(set(names)), multipart))
    return out


# ---- the targets --------------------------------------------------------------------------------

def _api_write_ops():
    """{url name: (method, path template, body kind, schema)} of every write operation of both APIs."""
    from kechuang.api import api, public_api

    out = {}
    for which in (api, public_api):
        schema = which.get_openapi_schema(path_prefix="/")
        comps = schema.get("components", {}).get("schemas", {})
        by_id = {op["operationId"]: (method, path, op) for path, ops in schema["paths"].items()
                 for method, op in ops.items() if method in ("post", "put", "patch", "delete")}
        for _prefix, router in which._routers:
            for _path, view in router.path_operations.items():
                for op in view.operations:
                    name = getattr(op, "url_name", None)
                    writes = [m for m in op.methods if m in ("POST", "PUT", "PATCH", "DELETE")]
                    if not name or not writes:
                        continue
                    match = next((v for k, v in by_id.items() if k.endswith(op.view_func.__name__)), None)
                    if match is None:
                        continue
                    method, _p, spec = match
                    content = spec.get("requestBody", {}).get("content", {})
                    kind = "json" if "application/json" in content else (
                        "form" if content else "none")
                    body = next(iter(content.values()), {}).get("schema", {}) if content else {}
                    out[f"{which.urls_namespace}:{name}"] = (method, kind, _resolve(body, comps))
    return out


def _resolve(schema, comps, depth=0):
    if depth > 6:
        return {}
    if "$ref" in schema:
        return _resolve(comps.get(schema["$ref"].rsplit("/", 1)[-1], {}), comps, depth + 1)
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], comps, depth + 1)
    if schema.get("type") == "object" or "properties" in schema:
        return {"type": "object", "properties": {k: _resolve(v, comps, depth + 1)
                                                 for k, v in schema.get("properties", {}).items()},
                "required": schema.get("required", [])}
    if "anyOf" in schema:
        first = next((s for s in schema["anyOf"] if s.get("type") != "null"), {})
        return _resolve(first, comps, depth + 1)
    if schema.get("type") == "array":
        return {"type": "array", "items": _resolve(schema.get("items", {}), comps, depth + 1)}
    return schema


def _sample(schema):
    """A plausible value for a JSON schema (the baseline a field's hostile value replaces)."""
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {k: _sample(v) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [_sample(schema.get("items", {}))]
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return "2025-06-30"
    if schema.get("format") == "date-time":
        return "2025-06-30T10:00:00"
    return "测试"


def _cases():
    from tests.scoping.test_matrix import CASES

    return CASES


ROLES = ["staff", "clerk_a", "liaison_a", "ent_user_a", "broker_a", "finance", "sys_admin", "sec_admin",
         "audit_admin"]


class Clients(dict):
    def __init__(self, world, client_for):
        super().__init__()
        self.world, self.client_for = world, client_for

    def __missing__(self, actor):
        if actor == "anonymous":
            self[actor] = Client()
        elif actor.startswith("user:"):
            from kechuang.core.models import User

            self[actor] = self.client_for(User.objects.get(pk=int(actor[5:])))
        else:
            self[actor] = self.client_for(getattr(self.world, actor))
        return self[actor]


def _write_case_target(name, world, api_ops):
    """The target of a write-matrix case (``tests/<app>/write_cases.py``): its own rows and valid
    data, sent by a user of a role the permission table allows."""
    from tests.scoping.test_write_matrix import API_WRITES, WRITES, _allowed_roles, matrix_users

    case = WRITES[name]
    spec = (case.build(world) if case.build else {}) or {}
    users = {**matrix_users(world), **spec.get("users", {})}
    allowed = sorted(_allowed_roles(case), key=str)
    if not allowed:
        return None
    user = users[allowed[0]]
    url = reverse(name, kwargs=spec.get("kwargs", {}))
    method = API_WRITES.get(name) or spec.get("method", "post")
    data = spec.get("data", {})
    sample = data() if callable(data) else data
    if spec.get("json", name in API_WRITES):
        return (method, url, f"user:{user.pk}", sample, sorted(sample) if isinstance(sample, dict) else [], "json")
    if not isinstance(sample, dict):
        return None

    def fresh(data=data):   # uploads are read once: a new file object for every request
        made = data() if callable(data) else data
        return {k: v if isinstance(v, list) else [v] for k, v in made.items()}

    return (method, url, f"user:{user.pk}", fresh, sorted(sample), "form")


def collect_targets(names, world, clients: Clients, api_ops, log):
    """(targets, pages, failed names) for the scoping cases ``names``: targets are
    (method, url, actor name, data, fields, encoding) of every write the case's actor reaches, pages
    [(url, actor name)] display stored values; a case whose rows collide with another case's rows
    (both build the same fixed rows) is returned in ``failed`` for the next round."""
    from django.urls import resolve

    cases = _cases()
    targets, pages, failed = [], [], []
    for name in names:
        if name.startswith("write:"):
            try:
                with transaction.atomic():
                    target = _write_case_target(name[6:], world, api_ops)
            except Exception as exc:
                failed.append(name)
                log.append(f"{name}: {type(exc).__name__}")
                continue
            if target is not None:
                targets.append(target)
            continue
        case = cases[name]
        actor = "anonymous" if case.kind == "public" else (case.allowed or case.actor)
        spec = {}
        if case.build is not None:
            try:
                with transaction.atomic():
                    spec = case.build(world) or {}
            except Exception as exc:
                failed.append(name)
                log.append(f"{name}: {type(exc).__name__}")
                continue
        kwargs = (spec.get("own") if case.kind == "object" else spec.get("kwargs", case.kwargs)) or {}
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
        if name in api_ops:
            method, kind, body_schema = api_ops[name]
            data = spec.get("data") or (_sample(body_schema) if kind != "none" else {})
            fields = sorted(data) if isinstance(data, dict) else []
            for who in dict.fromkeys([actor, "staff"]):
                if who != "anonymous":
                    targets.append((method, url, who, data, fields, kind))
            continue
        if case.method == "post":
            data = {k: v if isinstance(v, list) else [v] for k, v in (spec.get("data") or {}).items()}
            targets.append(("post", url, actor, data, sorted(data), "form"))
            continue
        if url.startswith("/api/"):
            pages.append((url, actor))
            continue
        # a page without rows of its own (a form, a list) is opened by every role: each finds its forms
        for who in ([actor] + [r for r in ROLES if r != actor] if case.kind == "global" else [actor]):
            try:
                response = clients[who].get(url, spec.get("query", {}))
            except Exception as exc:
                raise AssertionError(f"GET {url} as {who} raised {exc!r}") from exc
            assert response.status_code < 500, (url, who, response.status_code)
            if response.status_code != 200:
                continue
            if case.kind != "global":
                pages.append((url, who))   # pages, lists and exports: they display stored values
            if "html" not in response.get("Content-Type", ""):
                continue
            for action, data, fields, multipart in post_forms(response.content.decode("utf-8", "replace"), url):
                try:
                    match = resolve(urlsplit(action).path)
                except Exception:
                    continue
                if match.url_name and "logout" in match.url_name:
                    continue
                targets.append(("post", action, who, data, fields, "multipart" if multipart else "form"))
    # one target per (action, field set): the first role that reached it posts there
    seen, unique = set(), []
    for t in targets:
        key = (t[0], urlsplit(t[1]).path, tuple(t[4]), t[2] if t[5] == "json" else "")
        if key not in seen:
            seen.add(key)
            unique.append(t)
    return unique, sorted(set(pages)), failed


def _chinese(text: str) -> bool:
    return bool(_HAN.search(text))


def check_answer(response, where) -> str | None:
    """None when the answer is acceptable, else what is wrong."""
    status = response.status_code
    if status >= 500:
        return f"{status}"
    body = b"" if getattr(response, "streaming", False) else response.content
    text = body.decode("utf-8", "replace")
    if "json" in response.get("Content-Type", ""):
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    if status in (400, 422) and not _chinese(text):
        return f"{status} without a Chinese sentence: {text[:200]!r}"
    ctype = response.get("Content-Type", "")
    if "html" in ctype:
        if MARKER in text:
            return "the injected <script> came back unescaped"
        for block in _ERRORLIST.findall(text):
            for item in _LI.findall(block):
                plain = re.sub(r"<[^>]+>", "", item).strip()
                if plain and not _chinese(plain):
                    return f"field error not in Chinese: {plain[:120]!r}"
    return None


def _send(c: Client, method, url, data, kind):
    if kind == "json":
        body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        return getattr(c, method)(url, body, content_type="application/json")
    if kind == "none":
        return getattr(c, method)(url)
    return getattr(c, method)(url, data)


def _mutate_form(data, fields: list, field_i: int, value: str, mode: int) -> dict:
    out = {k: list(v) for k, v in (data() if callable(data) else data).items()}
    if not fields:
        out["x"] = [value]
        return out
    name = fields[field_i % len(fields)]
    if mode == 0:
        out[name] = [value]
    elif mode == 1:
        out.pop(name, None)
    elif mode == 2:
        for f in fields:
            out[f] = [value]
    else:
        out[name] = [value, value]   # a repeated field
    return out


def _mutate_json(data, fields: list, field_i: int, value, mode: int):
    """A JSON body (as text, so that raw 1e309/NaN can be sent) with one field poisoned."""
    if not isinstance(data, dict) or not fields:
        return json.dumps(value) if mode != 1 else "not json {"
    out = dict(data)
    name = fields[field_i % len(fields)]
    if mode == 1:
        out.pop(name, None)
        return json.dumps(out, ensure_ascii=False)
    if mode == 2:
        for f in fields:
            out[f] = value
    else:
        out[name] = value
    text = json.dumps(out, ensure_ascii=False, allow_nan=True)
    if isinstance(value, str) and value in RAW_NUMBERS:   # a raw non-finite JSON number
        text = text.replace(json.dumps(value), value)
    return text


class _RollBack(Exception):
    pass


@pytest.mark.django_db
def test_fuzz_every_form_post_and_api_write(world, client_for):
    cases = _cases()
    api_ops = _api_write_ops()
    clients = Clients(world, client_for)
    names = [n for n in sorted(cases) if not n.startswith("admin:")
             and not n.endswith(("logout", "openapi-json", "openapi-view"))]
    # and every write route of the write-permission matrix, with its case's rows and valid data
    from tests.scoping.test_write_matrix import WRITES

    names += [f"write:{n}" for n, w in sorted(WRITES.items()) if w.kind == "action"]
    started = time.monotonic()
    seen = {"requests": 0, "problems": [], "targets": 0, "forms": 0, "api": 0, "probed": 0, "rounds": 0,
            "signed_out": 0}
    log: list[str] = []

    def record(response, what):
        seen["requests"] += 1
        wrong = check_answer(response, what)
        if wrong:
            seen["problems"].append((*what, wrong))
        if (what[2] != "anonymous" and response.status_code in (301, 302)
                and urlsplit(response.get("Location", "")).path.startswith("/login")):
            # a signed-in actor sent to the login page fuzzed nothing (its session was rolled back)
            seen["signed_out"] += 1

    def fuzz(targets, until):
        @settings(max_examples=min(EXAMPLES, 40 * len(targets)), deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(i=st.integers(min_value=0, max_value=len(targets) - 1),
               field_i=st.integers(min_value=0, max_value=40),
               value=st.integers(min_value=0, max_value=10**6), mode=st.sampled_from([0, 0, 0, 1, 2, 3]))
        def probe(i, field_i, value, mode):
            if time.monotonic() > until:
                return
            method, url, actor, data, fields, kind = targets[i]
            seen["probed"] += 1
            if kind == "json":
                hostile = JSON_HOSTILE + RAW_NUMBERS
                body = _mutate_json(data, fields, field_i, hostile[value % len(hostile)], mode)
            else:
                body = _mutate_form(data, fields, field_i, HOSTILE[value % len(HOSTILE)], mode)
            try:
                with transaction.atomic():
                    response = _send(clients[actor], method, url, body, kind)
            except Exception as exc:   # an exception the test client re-raised is a 500 to the user
                seen["problems"].append((method, url, actor, f"raised {type(exc).__name__}: {str(exc)[:300]}"))
                return
            field = fields[field_i % len(fields)] if fields else ""
            record(response, (method, url, actor, field, mode))

        probe()

    def one_round(round_names, until_share):
        """Build the cases, fuzz their writes, check their pages; then roll it all back — with what
        the round left in memory: the rows the builders memoise on the world (``matrix_users``, a
        market …) and the signed-in clients (their sessions are rows too), so that the next round
        builds its cases afresh and signs its actors in again instead of acting on rows that no
        longer exist (the three write-matrix cases never reached, and later rounds' actors were
        signed out)."""
        failed: list[str] = []
        memo = set(world.__dict__)
        try:
            with transaction.atomic():
                t0 = time.monotonic()
                targets, pages, failed = collect_targets(round_names, world, clients, api_ops, log)
                if len(round_names) > 1:
                    log.append(f"{len(round_names)} cases: {len(targets)} targets, {len(pages)} pages, "
                               f"collected in {time.monotonic() - t0:.1f} s")
                seen["targets"] += len(targets)
                seen["api"] += sum(1 for t in targets if t[1].startswith("/api/"))
                seen["forms"] += sum(1 for t in targets if not t[1].startswith("/api/"))
                if targets:
                    fuzz(targets, time.monotonic() + until_share(len(failed)))
                # nothing stored may break a page: every page the actors (and the bureau) open
                for url, actor in pages:
                    for who in dict.fromkeys([actor, "staff"] if "/api/" not in url else [actor]):
                        try:
                            response = clients[who].get(url)
                        except Exception as exc:
                            seen["problems"].append(("get", url, who, f"raised {type(exc).__name__}: {exc!s:.200}"))
                            continue
                        record(response, ("get", url, who))
                raise _RollBack
        except _RollBack:
            pass
        finally:
            for key in set(world.__dict__) - memo:
                del world.__dict__[key]
            clients.clear()
        return failed

    def left():
        return max(0.0, BUDGET_S - (time.monotonic() - started))

    # one round with every case; the cases whose rows collide with another case's (both build the
    # same fixed rows) are then built and fuzzed one by one, each in a clean database
    failed = one_round(names, lambda n_failed: left() * 0.75 if n_failed else left())
    seen["rounds"] = 1
    remaining = []   # cases that could not be built even alone, in a clean database
    for k, name in enumerate(failed):
        # every case gets its round (at least a second of fuzzing), also when the budget is spent
        seen["rounds"] += 1
        remaining += one_round([name], lambda _n, k=k: max(1.0, left() / (len(failed) - k)))
    print(f"write fuzz: {seen['targets']} targets ({seen['forms']} forms, {seen['api']} API writes) in "
          f"{seen['rounds']} rounds, {seen['probed']} hostile writes, {seen['requests']} requests in "
          f"{time.monotonic() - started:.0f} s, {len(seen['problems'])} problems, {seen['signed_out']} signed out; "
          f"cases not reached: {remaining}")
    if os.environ.get("KECHUANG_FUZZ_REPORT"):
        with open(os.environ["KECHUANG_FUZZ_REPORT"], "w") as fh:
            fh.write("\n".join(repr(p) for p in seen["problems"]) + "\n" + "\n".join(log))
    assert not seen["problems"], seen["problems"][:15]
    assert remaining == [], f"write-matrix cases not fuzzed: {remaining}"
    assert seen["signed_out"] == 0, f"{seen['signed_out']} requests of signed-in actors went to the login page"
    assert seen["forms"] > 60 and seen["api"] >= 15, seen   # the walker really found the writes
