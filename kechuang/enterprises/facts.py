"""The bridge from the registry to the rules and policy engines: enterprises in the facts format
of contract section 2.

`enterprise_facts(enterprise)` gives one enterprise; `facts_for_population(queryset)` gives many
with six bulk queries in all (enterprises, years, IP, qualifications, credit records of the
registry and of the 科研信用 database), whatever
the number of enterprises — the loader of the 100k-enterprise screening runs. Both build each
object with the same function (`build_facts`), so they cannot disagree.

Values: dates as ISO strings, money as `Decimal` (万元, exact), counts as int. `facts_json()`
writes the JSON document with money as exact JSON numbers.

Fields not kept in the registry (self assessment, standards, awards, conversions …) are left
out, so a scheme that needs them reports `missing` rather than guessing. The credit flags
(`serious_dishonesty`, `abnormal_operation_listed`, `incident_last_year`) follow from the
credit records in force: the registry is where the bureau records them, so no record = false.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kechuang.enterprises import vocab

ENTERPRISE_COLUMNS = (
    "id", "uscc", "name", "township__name", "established_on", "mainland_resident", "employees",
    "tech_staff", "rd_staff", "high_tech_field", "restricted_industry",
)
YEAR_COLUMNS = ("enterprise_id", "year", *vocab.YEAR_MONEY_FIELDS)
IP_COLUMNS = ("enterprise_id", "kind", "granted_on", "expires_on", "acquired_by", "core", "used_for_hnte")
QUAL_COLUMNS = ("enterprise_id", "kind", "first_recognized_on", "valid_from", "valid_until")
CREDIT_COLUMNS = ("enterprise_id", "kind", "occurred_on", "expires_on")

_DISHONESTY = {"research_dishonesty"}
_ABNORMAL = {"abnormal_operation", "serious_illegal"}
_INCIDENT = {"major_incident"}


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Decimal | None) -> Decimal | None:
    """Drop trailing zeros of the stored 4-decimal value (12.5000 → 12.5), keep it exact."""
    if value is None:
        return None
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def build_facts(ent: dict, years: Iterable[dict], ips: Iterable[dict], quals: Iterable[dict],
                credits: Iterable[dict], on: dt.date) -> dict[str, Any]:
    """One facts object (contract 2) from the value rows of one enterprise; `on` is the date the
    credit records are judged on (in force; incidents within the year before)."""
    facts: dict[str, Any] = {
        "name": ent["name"],
        "uscc": ent["uscc"],
        "region": ent["township__name"],
        "mainland_resident": ent["mainland_resident"],
    }
    if ent["established_on"] is not None:
        facts["established_on"] = _iso(ent["established_on"])
    for key in ("employees", "tech_staff", "rd_staff"):
        if ent[key] is not None:
            facts[key] = ent[key]
    htf = (ent["high_tech_field"] or "").strip()
    if htf:
        facts["high_tech_field"] = None if htf == vocab.HIGH_TECH_FIELD_OUTSIDE else htf
    if ent["restricted_industry"] is not None:
        facts["restricted_industry"] = ent["restricted_industry"]
    credits = list(credits)
    in_force = [c for c in credits if c["occurred_on"] <= on and (c["expires_on"] is None or on <= c["expires_on"])]
    year_before = on - dt.timedelta(days=365)
    facts["serious_dishonesty"] = any(c["kind"] in _DISHONESTY for c in in_force)
    facts["abnormal_operation_listed"] = any(c["kind"] in _ABNORMAL for c in in_force)
    facts["incident_last_year"] = any(c["kind"] in _INCIDENT and year_before <= c["occurred_on"] <= on
                                      for c in credits)
    year_items = []
    for y in sorted(years, key=lambda r: r["year"]):
        item: dict[str, Any] = {"year": y["year"]}
        for name in vocab.YEAR_MONEY_FIELDS:
            if y[name] is not None:
                item[name] = _money(y[name])
        year_items.append(item)
    facts["years"] = year_items
    ip_items = []
    for r in ips:
        item = {"kind": r["kind"], "used_for_hnte": r["used_for_hnte"]}
        if r["granted_on"] is not None:
            item["granted_on"] = _iso(r["granted_on"])
        if r["expires_on"] is not None:
            item["expires_on"] = _iso(r["expires_on"])
        if r["acquired_by"]:
            item["acquired_by"] = r["acquired_by"]
        if r["core"] is not None:
            item["core"] = r["core"]
        ip_items.append(item)
    facts["ip_rights"] = ip_items
    facts["qualifications"] = [
        {"kind": q["kind"], **{k: _iso(q[k]) for k in ("first_recognized_on", "valid_from", "valid_until")
                               if q[k] is not None}}
        for q in quals
    ]
    return facts


def enterprise_facts(enterprise, *, on: dt.date | None = None) -> dict[str, Any]:
    """The enterprise as it stands in the database, in the facts format of contract section 2."""
    from kechuang.enterprises.models import Enterprise

    return facts_for_population(Enterprise.objects.filter(pk=enterprise.pk), on=on).facts[0]


@dataclass
class PopulationFacts:
    """Facts of many enterprises, in the queryset's order: `ids[i]` is the pk of `facts[i]`."""

    ids: list[int] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.facts)

    def by_id(self) -> dict[int, dict[str, Any]]:
        """pk → facts."""
        return dict(zip(self.ids, self.facts, strict=True))


def research_credit_rows(ids=None) -> list[dict]:
    """The 严重 records of the 科研信用 database (kechuang.supervision) as registry credit rows of
    kind ``research_dishonesty``, so ``serious_dishonesty`` follows from both sources (the one
    credit check reads the same records). ``ids=None``: every enterprise."""
    from kechuang.supervision.models import CreditRecord as ResearchRecord

    qs = ResearchRecord.objects.filter(severity="serious", enterprise__isnull=False).exclude(appeal_state="revoked")
    if ids is not None:
        qs = qs.filter(enterprise_id__in=ids)
    return [{"enterprise_id": eid, "kind": "research_dishonesty", "occurred_on": start, "expires_on": end}
            for eid, start, end in qs.values_list("enterprise_id", "effective_on", "ends_on")]


def _grouped(rows: Iterable[dict]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(r["enterprise_id"], []).append(r)
    return out


def facts_for_population(queryset, *, on: dt.date | None = None, chunk: int = 20_000) -> PopulationFacts:
    """Facts of every enterprise of `queryset` (already restricted by the caller) with a handful
    of bulk queries per chunk of `chunk` enterprises (never one query per enterprise)."""
    from kechuang.enterprises.models import CreditRecord, FiscalYear, IPRight, Qualification

    on = on or dt.date.today()
    result = PopulationFacts()
    ents = list(queryset.values(*ENTERPRISE_COLUMNS))
    for start in range(0, len(ents), chunk):
        part = ents[start:start + chunk]
        ids = [e["id"] for e in part]
        years = _grouped(FiscalYear.objects.filter(enterprise_id__in=ids).values(*YEAR_COLUMNS))
        ips = _grouped(IPRight.objects.filter(enterprise_id__in=ids).order_by("enterprise_id", "id").values(*IP_COLUMNS))
        quals = _grouped(Qualification.objects.filter(enterprise_id__in=ids)
                         .order_by("enterprise_id", "kind", "valid_from", "id").values(*QUAL_COLUMNS))
        credits = _grouped(CreditRecord.objects.filter(enterprise_id__in=ids).values(*CREDIT_COLUMNS))
        for row in research_credit_rows(ids):
            credits.setdefault(row["enterprise_id"], []).append(row)
        for e in part:
            pk = e["id"]
            result.ids.append(pk)
            result.facts.append(build_facts(e, years.get(pk, ()), ips.get(pk, ()), quals.get(pk, ()),
                                            credits.get(pk, ()), on))
    return result


_DEC_MARK = "\u2063DEC:"
_DEC_RE = re.compile('"\u2063DEC:(-?[0-9]+(?:\\.[0-9]+)?)"')


def _mark_decimals(value):
    if isinstance(value, Decimal):
        return _DEC_MARK + format(value, "f")
    if isinstance(value, dict):
        return {k: _mark_decimals(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mark_decimals(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def facts_json(facts: Any, *, indent: int | None = 2) -> str:
    """The facts object as one JSON document (money as exact JSON numbers, Chinese unescaped)."""
    text = json.dumps(_mark_decimals(facts), ensure_ascii=False, indent=indent)
    return _DEC_RE.sub(lambda m: m.group(1), text)
