"""Runs the policy-officer-readable YAML cases in tests/rules/cases/*.yaml.

Each file has ``bases`` (named enterprises) and ``cases``. A case names a base, overrides
some facts (``years`` entries are merged by year; ``~`` removes a key), optionally
``drop``s top-level keys, and states what the verdict must say.
"""

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml

from kechuang.rules.engine import evaluate

CASE_DIR = Path(__file__).with_name("cases")


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if k == "years" and isinstance(v, list):
            years = {y["year"]: y for y in out.get("years", [])}
            for item in v:
                tgt = years.setdefault(item["year"], {"year": item["year"]})
                for fk, fv in item.items():
                    if fv is None:
                        tgt.pop(fk, None)
                    else:
                        tgt[fk] = fv
            out["years"] = list(years.values())
        else:
            out[k] = v
    return out


def _load():
    for path in sorted(CASE_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        bases = doc.get("bases", {})
        for case in doc["cases"]:
            facts = _merge(bases.get(case.get("base"), {}), case.get("facts", {}))
            for k in case.get("drop", []):
                facts.pop(k, None)
            yield pytest.param(case, facts, id=f"{path.stem}: {case['name']}")


def _json_safe(obj):
    """YAML gives floats; the facts JSON would carry the same decimal text."""
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


@pytest.mark.parametrize("case, facts", list(_load()))
def test_case(case, facts):
    on = dt.date.fromisoformat(str(case["date"]))
    v = evaluate(case["scheme"], _json_safe(facts), on).to_json()
    exp = case["expect"]
    conds = {c["id"]: c for c in v["conditions"]}
    if "eligible" in exp:
        assert v["eligible"] == exp["eligible"], v
    if "score" in exp:
        assert v["score"] == exp["score"]
    for k, r in exp.get("components", {}).items():
        assert v["components"][k] == r, (k, v["components"])
    for cid, status in exp.get("conditions", {}).items():
        assert conds[cid]["status"] == status, conds[cid]
    for cid, text in exp.get("gaps", {}).items():
        assert text in (conds[cid]["gap"] or ""), conds[cid]
    for cid, t in exp.get("thresholds", {}).items():
        assert conds[cid]["threshold"] == t, conds[cid]
    for key in exp.get("missing_contains", []):
        assert key in v["missing"], v["missing"]
    if "rules_version_prefix" in exp:
        assert v["rules_version"].startswith(exp["rules_version_prefix"])
