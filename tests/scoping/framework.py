"""The scoping matrix: every URL of the app must have a case saying how row scoping applies.

Each product app lists its cases in `tests/<app>/scoping_cases.py` as `CASES = {url_name: Case}`.
`test_matrix.py` walks Django's URL resolver and fails for any URL name without a case, so a new
view cannot be added without saying (and proving) how it is scoped.

Kinds of case:
- Case.public(): on the public allowlist; anonymous users may open it.
- Case.global_(kwargs=...): signed-in page without per-unit rows (reference data, forms).
- Case.objects(build): detail/edit/download of one row. `build(world)` returns
  {"own": kwargs, "foreign": kwargs} (and optionally "data" for POST). The actor (default the
  township clerk of 水头镇) must get 200 on own, 403/404 on foreign — for GET and, with
  method="post", for POST (with "json": True in the spec, "data" is sent as a JSON body).
- Case.listing(build): list/export/count/chart/API list. `build(world)` returns
  {"kwargs": {...}, "query": {...}, "own": "marker text", "foreign": "marker text"}: the actor's
  response (HTML, JSON, .xlsx or .docx, read as text) contains the own marker and not the foreign.
- Case.role(allowed="audit_admin", kwargs=...): only one role may open it; the clerk gets 403.
  With method="post" and build(world) -> {"kwargs", "data"}: a POST-only action of one role.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Case:
    kind: str
    build: Callable | None = None
    actor: str = "clerk_a"
    method: str = "get"
    allowed: str = ""
    kwargs: dict = field(default_factory=dict)
    note: str = ""
    expect: tuple = (200, 302, 405)

    @classmethod
    def public(cls, kwargs=None, note="", expect=(200, 405)):
        return cls("public", kwargs=kwargs or {}, note=note, expect=expect)

    @classmethod
    def global_(cls, kwargs=None, note="", expect=(200, 302, 405)):
        return cls("global", kwargs=kwargs or {}, note=note, expect=expect)

    @classmethod
    def objects(cls, build, actor="clerk_a", method="get", note=""):
        return cls("object", build=build, actor=actor, method=method, note=note)

    @classmethod
    def listing(cls, build, actor="clerk_a", note=""):
        return cls("list", build=build, actor=actor, note=note)

    @classmethod
    def role(cls, allowed, kwargs=None, note="", method="get", build=None):
        """Only ``allowed`` may use the URL. For a POST-only action give ``method="post"`` and
        ``build(world) -> {"kwargs": ..., "data": ...}``: the clerk's POST is refused (403/404) and
        the allowed role's POST succeeds (200/302)."""
        return cls("role", allowed=allowed, kwargs=kwargs or {}, note=note, method=method, build=build)


def response_text(response) -> str:
    """The readable text of a response: HTML/JSON as decoded, xlsx/docx by their XML parts."""
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    ctype = response.get("Content-Type", "")
    if content[:2] == b"PK":  # Office Open XML: read cell values / paragraphs as text
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            names = zf.namelist()
        if any(n.startswith("xl/") for n in names):
            from openpyxl import load_workbook

            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            return "\n".join(" ".join("" if v is None else str(v) for v in row)
                             for ws in wb.worksheets for row in ws.iter_rows(values_only=True))
        if any(n.startswith("word/") for n in names):
            from docx import Document

            doc = Document(io.BytesIO(content))
            cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
            return "\n".join([p.text for p in doc.paragraphs] + cells)
        return ""
    text = content.decode("utf-8", "replace")
    if "json" in ctype:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text
