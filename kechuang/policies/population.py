"""Population columns straight from the database (a few bulk queries, no per-row ORM objects).

Reads ``enterprises.Enterprise`` and, when the registry provides them, its yearly figures and
qualification records (``FiscalYear`` / ``Qualification`` with the field names of contract
section 2), plus this app's :class:`PolicyEvent` rows. Yearly money goes straight from the
database cursor into int64 分 columns (no per-value Decimal objects); the candidates' own rows
are rebuilt as exact Decimals for the evidence trace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as _dc_field
from decimal import Decimal

import numpy as np
from django.apps import apps
from django.db import connections

from kechuang.rules.facts import Qualification, YearFigures

from .engine.columns import MISSING, MONEY_YEAR_FIELDS, Population
from .engine.events import EVENT_KINDS, parse_events
from .engine.events import PolicyEvent as EnginePolicyEvent
from .engine.facts_adapter import Enterprise as EngineEnterprise
from .engine.money import SCALE, from_units, to_units
from .models import PolicyEvent


def _registry_model(name: str):
    try:
        return apps.get_model("enterprises", name)
    except LookupError:
        return None


def _raw_rows(qs, *fields) -> list[tuple]:
    """Rows of ``qs.values_list(*fields)`` read from the cursor without Django's per-value converters."""
    sql, params = qs.values_list(*fields).query.sql_with_params()
    with connections[qs.db].cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _as_date(value):
    """A date from the cursor: SQLite gives ISO text, PostgreSQL a date."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _money_units(values: list) -> np.ndarray:
    """Database money values (Decimal, int, float or text, None) → int64 分, MISSING for None.

    SQLite hands back NUMERIC values as int/float; they carry at most 6 decimals of 万元, so
    rounding value × 10⁶ to the nearest integer recovers the stored amount exactly. Decimals
    (PostgreSQL) and text are converted exactly.
    """
    out = np.full(len(values), MISSING, dtype=np.int64)
    sample = next((v for v in values if v is not None), None)
    if sample is None:
        return out
    if isinstance(sample, (int, float)) and not isinstance(sample, bool):
        arr = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
        ok = ~np.isnan(arr)
        out[ok] = np.rint(arr[ok] * SCALE).astype(np.int64)
        return out
    for k, v in enumerate(values):
        if v is not None:
            out[k] = to_units(v if isinstance(v, Decimal) else Decimal(str(v)))
    return out


@dataclass
class DbPopulation:
    """The columns plus the rows needed to explain candidates."""

    population: Population
    enterprise_ids: list[int]
    townships: list[int | None]
    quals: list[tuple]
    events: list[tuple]  # (ent, kind, date, fields, source, pk)
    established: list = _dc_field(default_factory=list)
    _groups: dict = _dc_field(default_factory=dict)

    def prepare(self, indices) -> None:
        """Group the qualification and event rows of the enterprises ``indices`` (the candidates)."""
        wanted = set(indices)
        groups: dict = {i: ([], []) for i in wanted}
        for row in self.quals:
            if row[0] in wanted:
                groups[row[0]][0].append(row)
        for row in self.events:
            if row[0] in wanted:
                groups[row[0]][1].append(row)
        self._groups.update(groups)

    def enterprise(self, i: int) -> EngineEnterprise:
        """The engine view of enterprise ``i`` rebuilt from the rows (for the evidence trace)."""
        if i not in self._groups:
            self.prepare([i])
        qrows, erows = self._groups[i]
        pop = self.population
        years = {}
        for k, y in enumerate(pop.year_list):
            vals = {f: from_units(int(pop.money[f][i, k])) for f in MONEY_YEAR_FIELDS
                    if pop.money[f][i, k] != MISSING}
            if vals:
                years[int(y)] = YearFigures(year=int(y), **vals)
        evs = []
        for _e, kind, date, fields, _source, pk in erows:
            parsed = parse_events([{**fields, "kind": kind, "date": date}])[0]
            evs.append(EnginePolicyEvent(index=pk, kind=kind, date=date, fields=parsed.fields))
        return EngineEnterprise(
            name=None, uscc=None, region=None,
            established_on=self.established[i] if self.established else None,
            years=years,
            qualifications=tuple(Qualification(kind=k, first_recognized_on=f, valid_from=vf, valid_until=vu)
                                 for _e, k, f, vf, vu in qrows),
            events=tuple(evs))

    def event_sources(self, i: int) -> dict[int, str]:
        """Data source of each policy event (by primary key) of enterprise ``i``."""
        if i not in self._groups:
            self.prepare([i])
        return {row[5]: row[4] for row in self._groups[i][1]}


def load_population(enterprise_qs=None) -> DbPopulation:
    """Columns of every enterprise of ``enterprise_qs`` (default: all) for the screening."""
    Enterprise = apps.get_model("enterprises", "Enterprise")
    qs = enterprise_qs if enterprise_qs is not None else Enterprise.objects.all()
    has_est = any(f.name == "established_on" for f in Enterprise._meta.get_fields())
    cols = ["id", "township_id"] + (["established_on"] if has_est else [])
    rows = _raw_rows(qs.order_by("id"), *cols)
    ids = [r[0] for r in rows]
    n = len(ids)
    index = {pk: i for i, pk in enumerate(ids)}
    established = [_as_date(r[2]) if has_est else None for r in rows]
    year_list = np.zeros(0, dtype=np.int64)
    money = {f: np.full((n, 0), MISSING, dtype=np.int64) for f in MONEY_YEAR_FIELDS}
    FiscalYear = _registry_model("FiscalYear")
    if FiscalYear is not None:
        names = {f.name for f in FiscalYear._meta.get_fields()}
        fields = [f for f in MONEY_YEAR_FIELDS if f in names]
        fy_qs = FiscalYear.objects.all() if enterprise_qs is None else FiscalYear.objects.filter(
            enterprise_id__in=qs.values("id"))
        yrows = _raw_rows(fy_qs, "enterprise_id", "year", *fields)
        ent = np.fromiter((index.get(r[0], -1) for r in yrows), dtype=np.int64, count=len(yrows))
        yr = np.fromiter((int(r[1]) for r in yrows), dtype=np.int64, count=len(yrows))
        keep = ent >= 0
        year_list = np.unique(yr[keep])
        col = np.searchsorted(year_list, yr[keep])
        for k, f in enumerate(fields):
            units = _money_units([r[2 + k] for r in yrows])[keep]
            mat = np.full((n, len(year_list)), MISSING, dtype=np.int64)
            mat[ent[keep], col] = units
            money[f] = mat
        for f in MONEY_YEAR_FIELDS:
            if f not in fields:
                money[f] = np.full((n, len(year_list)), MISSING, dtype=np.int64)
    quals: list[tuple] = []
    QualModel = _registry_model("Qualification")
    if QualModel is not None:
        q_qs = QualModel.objects.all() if enterprise_qs is None else QualModel.objects.filter(
            enterprise_id__in=qs.values("id"))
        for e, kind, first, vf, vu in _raw_rows(q_qs, "enterprise_id", "kind", "first_recognized_on", "valid_from",
                                                "valid_until"):
            if e in index:
                quals.append((index[e], kind, _as_date(first), _as_date(vf), _as_date(vu)))
    events: list[tuple] = []
    for e, kind, date, fields_, source, pk in PolicyEvent.objects.filter(
            kind__in=list(EVENT_KINDS)).values_list("enterprise_id", "kind", "date", "fields", "source", "pk"):
        if e in index:
            events.append((index[e], kind, date, fields_ or {}, source, pk))
    pop = Population.from_rows(ids, established, (), quals, ((e, k, d, f) for e, k, d, f, _s, _p in events))
    pop.year_list, pop.money = year_list, money
    return DbPopulation(pop, ids, [r[1] for r in rows], quals, events, established)
