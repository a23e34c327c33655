"""Reads of the carriers module: every query goes through the scoping choke point, and the
derived counts the targets module reads (platforms by township and year)."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db.models import Prefetch, Q

from .models import LEVEL_ORDER, Carrier, CarrierKind, CarrierLevel, Level

# The carrier-related measures of 南政规〔2025〕2号 (八)(十四), shown on a carrier's page.
CARRIER_MEASURE_PREFIXES = ("nanan-2025-2.8", "nanan-2025-2.10", "nanan-2025-2.14a", "nanan-2025-2.14b")


def carriers_for(user, *, kind: str = "", level: str = "", township_id: int | None = None, q: str = ""):
    """Carriers ``user`` may see, with their levels prefetched, optionally filtered."""
    qs = (Carrier.objects.restrict(user, "view").select_related("operator", "township")
          .prefetch_related(Prefetch("levels", queryset=CarrierLevel.objects.order_by("recognized_on", "id"))))
    if kind:
        qs = qs.filter(kind=kind)
    if township_id:
        qs = qs.filter(township_id=township_id)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(operator__name__icontains=q) | Q(fields__icontains=q))
    if level:
        higher = LEVEL_ORDER[LEVEL_ORDER.index(level) + 1:] if level in LEVEL_ORDER else []
        qs = qs.filter(levels__level=level, levels__revoked_on__isnull=True).exclude(
            levels__level__in=higher, levels__revoked_on__isnull=True).distinct()
    return qs


def public_carriers():
    """The open-data list (contract section 8): active carriers and their current level."""
    from django.contrib.auth.models import AnonymousUser

    return carriers_for(AnonymousUser()).filter(status=Carrier.Status.ACTIVE)


def public_item(carrier: Carrier) -> dict:
    current = carrier.current_level()
    return {
        "id": carrier.pk, "name": carrier.name, "kind": carrier.get_kind_display(),
        "level": current.get_level_display() if current else "未备案",
        "level_since": current.recognized_on.isoformat() if current else None,
        "document": current.document if current else "",
        "operator": carrier.operator.name, "township": carrier.township.name,
        "fields": carrier.fields, "address": carrier.address,
        "history": [{"level": lv.get_level_display(), "date": lv.recognized_on.isoformat(), "document": lv.document,
                     "revoked_on": lv.revoked_on.isoformat() if lv.revoked_on else None}
                    for lv in carrier.levels.all()],
    }


def carrier_benefits(carrier: Carrier, year: int):
    """The operator's outcomes under the carrier measures for ``year``, from its recorded events
    (the same calculator and stacking rule as the policy pages)."""
    from kechuang.enterprises.facts import enterprise_facts
    from kechuang.policies.engine import calculate
    from kechuang.policies.models import PolicyEvent
    from kechuang.policies.selectors import engine_policies

    facts = enterprise_facts(carrier.operator)
    facts["events"] = [{**e.fields, "kind": e.kind, "date": e.date.isoformat()}
                       for e in PolicyEvent.objects.filter(enterprise=carrier.operator)]
    result = calculate(facts, year, engine_policies())
    outcomes = [o for o in result.outcomes if o.measure.id.startswith(CARRIER_MEASURE_PREFIXES)
                and o.status == "eligible"]
    return result, outcomes


# ---- derived actuals for the targets module -------------------------------------------------

RESEARCH_PLATFORM_KINDS = (CarrierKind.NEW_RD_INSTITUTION, CarrierKind.KEY_LAB, CarrierKind.RD_CENTER,
                           CarrierKind.ACADEMICIAN_WORKSTATION, CarrierKind.TALENT_LAB, CarrierKind.PILOT_PLATFORM,
                           CarrierKind.POC_CENTER)
INNOVATION_PLATFORM_KINDS = (*RESEARCH_PLATFORM_KINDS, CarrierKind.INCUBATOR)


def _new_recognitions(year: int, on: dt.date, kinds, levels) -> dict[int, Decimal]:
    """Carriers of ``kinds`` newly recognised at one of ``levels`` from 1 January of ``year`` up to
    ``on``, counted once per carrier, by township."""
    end = min(on, dt.date(year, 12, 31))
    rows = (CarrierLevel.objects.filter(carrier__kind__in=kinds, level__in=levels,
                                        recognized_on__gte=dt.date(year, 1, 1), recognized_on__lte=end)
            .values_list("carrier_id", "carrier__township_id").distinct())
    counts = Counter(township for _carrier, township in rows)
    return {rid: Decimal(n) for rid, n in counts.items()}


def provincial_platforms(year: int, on: dt.date) -> dict[int, Decimal]:
    """省级以上科研平台 (南政办〔2021〕67号 附件2 备注: 新型研发机构、重点实验室、企业技术中心、院士工作站等)."""
    return _new_recognitions(year, on, RESEARCH_PLATFORM_KINDS, (Level.PROVINCIAL, Level.NATIONAL))


def quanzhou_platforms(year: int, on: dt.date) -> dict[int, Decimal]:
    """泉州市级科研平台 newly recognised in the year."""
    return _new_recognitions(year, on, RESEARCH_PLATFORM_KINDS, (Level.QUANZHOU,))


def new_provincial_innovation_platforms(year: int, on: dt.date) -> dict[int, Decimal]:
    """新增省级以上创新平台 (明政办〔2021〕62号 第五节, incubators included)."""
    return _new_recognitions(year, on, INNOVATION_PLATFORM_KINDS, (Level.PROVINCIAL, Level.NATIONAL))
