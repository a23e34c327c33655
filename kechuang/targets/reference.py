"""Loading the targets reference data shipped in data/targets/ into the database (idempotent).

Indicators, the plans of 南政办〔2021〕67号 and 明政办〔2021〕62号 (rules, not pre-computed
numbers), the findings of the declared-total check, and the task ledger. Rows are matched on
their natural keys and saved only when a value differs, so a second run writes nothing.
"""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from kechuang.core.models import OrgUnit, Region
from kechuang.core.reference import _upsert  # the same idempotent upsert as the core reference data

from .indicators import load_indicators
from .ledger import load_task_specs
from .models import Indicator, PlanDocument, PlanFinding, TargetPlan, Task
from .numbers import TargetDataError
from .plans import DATA_DIR, PLAN_FILES, load_plan_file

TOWNSHIP_UNITS = "各乡镇（街道、开发区）"
# default assessment weights (platform parameters; 南政办〔2021〕67号 sets no scoring method)
DEFAULT_WEIGHTS = {"rd_investment": 25, "hnte_count": 25, "provincial_platform": 10, "quanzhou_platform": 10,
                   "talent_team": 10, "tech_contract_turnover": 10, "invention_patents_per_10k": 10}
# the department that reports an indicator for every township (others: the township itself)
REPORTING_ORG = {"invention_patents_per_10k": "市市场监管局", "tech_contract_turnover": "市科技局"}


def resolve_region(name: str, region_name_hint: str) -> Region:
    """A plan's unit name (溪美, 雪峰开发区, 三明市) → Region; raises TargetDataError when unknown."""
    region = Region.resolve(name)
    if region is None:
        raise TargetDataError(f"{region_name_hint}：未知的责任单位“{name}”")
    return region


@transaction.atomic
def load_reference_data() -> int:
    """Load indicators, plans, findings and tasks; returns how many rows were created or changed."""
    changed = 0
    indicators = load_indicators(DATA_DIR / "indicators.yaml")
    by_code = {}
    for order, ind in enumerate(indicators.values(), start=1):
        created = not Indicator.objects.filter(code=ind.id).exists()
        obj, did = _upsert(Indicator, {"code": ind.id}, {
            "name": ind.name, "unit": ind.unit, "kind": ind.kind, "direction": ind.direction,
            "aggregation": ind.aggregation, "decimals": ind.decimals, "citation": ind.citation[:200],
            "note": ind.note, "sort_order": order})
        if created:
            # defaults only for a new indicator: the bureau's later choices (a weight of 0, another
            # reporting department) survive every migrate
            obj.weight = Decimal(DEFAULT_WEIGHTS.get(ind.id, 0))
            obj.reporting_org = OrgUnit.resolve(REPORTING_ORG[ind.id]) if ind.id in REPORTING_ORG else None
            obj.save(update_fields=["weight", "reporting_org"])
        by_code[ind.id] = obj
        changed += did
    for name in PLAN_FILES:
        plan = load_plan_file(DATA_DIR / name, indicators)
        years = [y for e in plan.entries for y in (*e.targets, *(e.period or ()))]
        _doc, did = _upsert(PlanDocument, {"document": plan.document}, {
            "title": plan.title[:200], "issuer": plan.issuer[:100], "issued_on": plan.issued_on,
            "first_year": min(years), "last_year": max(years), "origin": PlanDocument.Origin.SHIPPED})
        changed += did
        for e in plan.entries:
            region = resolve_region(e.unit, f"{plan.document} 表 {e.table}")
            values = {
                "table": e.table, "citation": e.citation[:200], "source_unit_name": e.unit, "rule": e.rule,
                "values": {str(y): str(v) for y, v in e.targets.items()} if e.rule == "values" else {},
                "base": e.base, "base_year": e.base_year, "base_is": e.base_is or "", "growth": e.growth,
                "to_year": max(e.targets) if e.rule == "growth" else None, "decimals": e.decimals,
                "period_from": e.period[0] if e.period else None, "period_to": e.period[1] if e.period else None,
                "period_total": e.period_total, "no_separate_target": list(e.no_separate_target),
                "baseline_year": e.baseline[0] if e.baseline else None,
                "baseline_value": e.baseline[1] if e.baseline else None,
            }
            _obj, did = _upsert(TargetPlan, {"document": plan.document, "indicator": by_code[e.indicator],
                                             "region": region}, values)
            changed += did
        for f in plan.findings:
            _obj, did = _upsert(PlanFinding, {"document": plan.document, "table": f.table, "code": f.code,
                                              "message": f.message},
                                {"declared": f.declared, "computed": f.computed})
            changed += did
    for order, spec in enumerate(load_task_specs(), start=1):
        others = []
        leads, shared = [], []
        for names, bucket in ((spec.lead_units, leads), (spec.responsible_units, shared)):
            for unit_name in names:
                unit = OrgUnit.resolve(unit_name)
                if unit is None:
                    others.append(unit_name)
                else:
                    bucket.append(unit)
        task, did = _upsert(Task, {"code": spec.code}, {
            "source": spec.source, "group": spec.group, "title": spec.title[:200],
            "description": spec.description, "other_units": "、".join(others)[:200],
            "townships_involved": TOWNSHIP_UNITS in others, "due": spec.due, "sort_order": order})
        changed += did
        if did or not task.lead_units.exists() and not task.responsible_units.exists():
            # tasks of 附件1 name only 责任单位: the first one listed leads
            task.lead_units.set(leads or shared[:1])
            task.responsible_units.set([u for u in shared if u not in (leads or shared[:1])])
    return changed
