"""Load the shipped policies (``data/policies/*.yaml``) into the database after ``migrate``.

Idempotent: a policy whose code already exists is left as it is (bureau staff may have edited
it; their edits are change-logged and win over the shipped file). A second run changes nothing.
"""

from __future__ import annotations

from django.db import transaction

from .engine.loader import DATA_DIR, load_policy_file
from .models import Measure, PolicyDocument


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@transaction.atomic
def load_reference_data(directory=None) -> int:
    """Create the policies of ``directory`` (default the shipped data) that are not in the database yet.

    Returns the number of policies created.
    """
    import yaml

    created = 0
    for path in sorted((directory or DATA_DIR).glob("*.yaml")):
        policy = load_policy_file(path)  # validates the whole file first
        if PolicyDocument.objects.filter(code=policy.id).exists():
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        p = doc["policy"]
        record = PolicyDocument.objects.create(
            code=policy.id, doc_no=policy.doc_no, title=policy.title, issuer=policy.issuer, level=policy.level,
            region=policy.region, effective=policy.effective, expiry=policy.expiry, status=policy.status,
            stacking_principle=policy.stacking_principle, source=policy.source,
            parameters=_jsonable(doc.get("parameters") or []), review=_jsonable(p.get("review") or {}),
            full_text="\n".join(f"{m['article']} {m.get('text', '')}" for m in doc.get("measures") or []))
        for order, m in enumerate(doc.get("measures") or []):
            spec = {k: _jsonable(v) for k, v in m.items()
                    if k not in ("id", "article", "title", "text", "citation", "kind", "lead_units",
                                 "responsible_units")}
            Measure.objects.create(policy=record, code=m["id"], order=order, article=m["article"], title=m["title"],
                                   text=m.get("text", ""), citation=m["citation"], kind=m["kind"], spec=spec,
                                   lead_units=m.get("lead_units") or [],
                                   responsible_units=m.get("responsible_units") or [])
        created += 1
    return created
