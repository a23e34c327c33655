"""Loading the reference data shipped in data/ (regions, organisation units). Idempotent:
rows are matched on their natural key and saved only when a value differs, so a second run
changes nothing and writes no change-log rows."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from kechuang.core.models import OrgUnit, Region


def _read(name: str):
    path = Path(settings.DATA_DIR) / name
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _upsert(model, lookup: dict, values: dict) -> tuple[object, bool]:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True
    dirty = [k for k, v in values.items() if getattr(obj, k) != v]
    if dirty:
        for key in dirty:
            setattr(obj, key, values[key])
        obj.save(update_fields=dirty)
    return obj, bool(dirty)


def _load_regions(nodes, parent, counter) -> int:
    changed = 0
    for node in nodes:
        counter[0] += 1
        values = {
            "code": node.get("code"),
            "short_name": node.get("short_name", ""),
            "level": node["level"],
            "aliases": list(node.get("aliases", [])),
            "sort_order": counter[0],
            "assessed": bool(node.get("assessed", True)),
        }
        region, did = _upsert(Region, {"parent": parent, "name": node["name"]}, values)
        changed += did
        changed += _load_regions(node.get("children", []), region, counter)
    return changed


@transaction.atomic
def load_reference_data() -> int:
    """Load regions and org units; returns how many rows were created or changed."""
    changed = _load_regions(_read("regions.yaml"), None, [0])
    for order, unit in enumerate(_read("org_units.yaml"), start=1):
        values = {
            "short_name": unit.get("short_name", ""),
            "kind": unit.get("kind", OrgUnit.Kind.BUREAU),
            "aliases": list(unit.get("aliases", [])),
            "sort_order": order,
        }
        _obj, did = _upsert(OrgUnit, {"name": unit["name"]}, values)
        changed += did
    return changed
