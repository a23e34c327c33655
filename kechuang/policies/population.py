"""Population columns straight from the database (a few bulk queries, no per-row ORM objects).

Reads ``enterprises.Enterprise`` and, when the registry provides them, its yearly figures and
qualification records (model names ``FiscalYear`` / ``Qualification`` with the field names of
contract section 2), plus this app's :class:`PolicyEvent` rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps

from kechuang.rules.facts import Qualification, YearFigures

from .engine.columns import MONEY_YEAR_FIELDS, Population
from .engine.events import EVENT_KINDS, parse_events
from .engine.events import PolicyEvent as EnginePolicyEvent
from .engine.facts_adapter import Enterprise as EngineEnterprise
from .models import PolicyEvent


def _registry_model(name: str):
    try:
        return apps.get_model("enterprises", name)
    except LookupError:
        return None


@dataclass
class DbPopulation:
    """The columns plus the raw rows kept for explaining candidates."""

    population: Population
    enterprise_ids: list[int]
    townships: list[int | None]
    years: list[tuple]
    quals: list[tuple]
    events: list[tuple]  # (ent, kind, date, fields, source, pk)
    established: list = None  # type: ignore[assignment]

    def enterprise(self, i: int) -> EngineEnterprise:
        """The engine view of enterprise ``i`` rebuilt from the rows (for the evidence trace)."""
        if not hasattr(self, "_groups"):
            groups: dict = defaultdict(lambda: ([], [], []))
            for row in self.years:
                groups[row[0]][0].append(row)
            for row in self.quals:
                groups[row[0]][1].append(row)
            for row in self.events:
                groups[row[0]][2].append(row)
            self._groups = groups
        yrows, qrows, erows = self._groups.get(i, ([], [], []))
        yrs: dict = defaultdict(dict)
        for _e, y, f, v in yrows:
            yrs[y][f] = v
        evs = []
        for _e, kind, date, fields, _source, pk in erows:
            parsed = parse_events([{**fields, "kind": kind, "date": date}])[0]
            evs.append(EnginePolicyEvent(index=pk, kind=kind, date=date, fields=parsed.fields))
        return EngineEnterprise(
            name=None, uscc=None, region=None,
            established_on=self.established[i] if self.established else None,
            years={y: YearFigures(year=y, **vals) for y, vals in sorted(yrs.items())},
            qualifications=tuple(Qualification(kind=k, first_recognized_on=f, valid_from=vf, valid_until=vu)
                                 for _e, k, f, vf, vu in qrows),
            events=tuple(evs))

    def event_sources(self, i: int) -> dict[int, str]:
        """Data source of each policy event (by primary key) of enterprise ``i``."""
        self.enterprise(i)
        return {row[5]: row[4] for row in self._groups.get(i, ([], [], []))[2]}


def load_population(enterprise_qs=None) -> DbPopulation:
    """Columns of every enterprise of ``enterprise_qs`` (default: all) for the screening."""
    Enterprise = apps.get_model("enterprises", "Enterprise")
    qs = enterprise_qs if enterprise_qs is not None else Enterprise.objects.all()
    has_est = any(f.name == "established_on" for f in Enterprise._meta.get_fields())
    cols = ["id", "township_id"] + (["established_on"] if has_est else [])
    rows = list(qs.order_by("id").values_list(*cols))
    ids = [r[0] for r in rows]
    index = {pk: i for i, pk in enumerate(ids)}
    established = [r[2] if has_est else None for r in rows]
    years: list[tuple] = []
    FiscalYear = _registry_model("FiscalYear")
    if FiscalYear is not None:
        names = {f.name for f in FiscalYear._meta.get_fields()}
        fields = [f for f in MONEY_YEAR_FIELDS if f in names]
        fy_qs = FiscalYear.objects.all() if enterprise_qs is None else FiscalYear.objects.filter(
            enterprise_id__in=qs.values("id"))
        for row in fy_qs.values_list(
                "enterprise_id", "year", *fields).iterator(chunk_size=20000):
            i = index.get(row[0])
            if i is None:
                continue
            for f, v in zip(fields, row[2:], strict=True):
                if v is not None:
                    years.append((i, row[1], f, v))
    quals: list[tuple] = []
    QualModel = _registry_model("Qualification")
    if QualModel is not None:
        q_qs = QualModel.objects.all() if enterprise_qs is None else QualModel.objects.filter(
            enterprise_id__in=qs.values("id"))
        for e, kind, first, vf, vu in q_qs.values_list(
                "enterprise_id", "kind", "first_recognized_on", "valid_from", "valid_until").iterator(chunk_size=20000):
            if e in index:
                quals.append((index[e], kind, first, vf, vu))
    events: list[tuple] = []
    for e, kind, date, fields, source, pk in PolicyEvent.objects.filter(
            kind__in=list(EVENT_KINDS)).values_list("enterprise_id", "kind", "date", "fields", "source", "pk"):
        if e in index:
            events.append((index[e], kind, date, fields or {}, source, pk))
    pop = Population.from_rows(ids, established, years, quals,
                               ((e, k, d, f) for e, k, d, f, _s, _p in events))
    return DbPopulation(pop, ids, [r[1] for r in rows], years, quals, events, established)
