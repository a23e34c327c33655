"""Columnar population for the vectorised screening (免申即享).

A :class:`Population` holds the facts of many enterprises as numpy columns: money as
int64 分 (exact, never float), dates as int64 days since 1970-01-01, enumerations as
codes, ``MISSING`` where a value is absent. It is built from :class:`Enterprise` views
(:meth:`Population.from_enterprises`) or directly from database rows
(:meth:`Population.from_rows`, used by the Django screening run).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as _dc_field
from decimal import Decimal
from typing import Any

import numpy as np

from .events import EVENT_KINDS
from .facts_adapter import Enterprise
from .money import to_units

MISSING = np.iinfo(np.int64).min
EPOCH = dt.date(1970, 1, 1)
MONEY_YEAR_FIELDS = ("operating_revenue", "rd_expense")


def day(d: dt.date | None) -> int:
    """Days since 1970-01-01, or MISSING."""
    return MISSING if d is None else (d - EPOCH).days


def years_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each day number (MISSING stays MISSING)."""
    out = np.full(days.shape, MISSING, dtype=np.int64)
    ok = days != MISSING
    out[ok] = days[ok].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return out


def encode_value(kind: str, name: str, value: Any) -> int:
    """Encode one event field value as int64 (bool 0/1, enum index, money 分, int)."""
    if value is None:
        return MISSING
    typ = EVENT_KINDS[kind][1].get(name)
    if typ == "bool":
        return int(bool(value))
    if typ == "money":
        return to_units(value if isinstance(value, Decimal) else Decimal(str(value)))
    if typ == "int":
        return int(value)
    if isinstance(typ, frozenset):
        return sorted(typ).index(value)
    raise KeyError(f"{kind}.{name}")


@dataclass
class EventColumns:
    """All events of one kind: owner index, day, and encoded fields."""

    ent: np.ndarray
    day: np.ndarray
    fields: dict[str, np.ndarray]

    @property
    def year(self) -> np.ndarray:
        """Calendar year of each event."""
        return years_of(self.day)


@dataclass
class QualColumns:
    """All qualification records of one kind."""

    ent: np.ndarray
    first: np.ndarray
    vfrom: np.ndarray
    vuntil: np.ndarray


@dataclass
class Population:
    """Facts of ``n`` enterprises as columns."""

    n: int
    ids: list[Any]
    established: np.ndarray
    events: dict[str, EventColumns]
    quals: dict[str, QualColumns]
    year_list: np.ndarray  # sorted fiscal years present
    money: dict[str, np.ndarray] = _dc_field(default_factory=dict)  # field → [n, len(year_list)] int64

    def fiscal(self, name: str, year: int) -> np.ndarray:
        """Column of ``name`` for fiscal ``year`` (MISSING where absent)."""
        idx = np.searchsorted(self.year_list, year)
        if idx < len(self.year_list) and self.year_list[idx] == year:
            return self.money[name][:, idx]
        return np.full(self.n, MISSING, dtype=np.int64)

    def event_cols(self, kind: str) -> EventColumns:
        """Events of ``kind`` (empty columns when none)."""
        if kind in self.events:
            return self.events[kind]
        empty = np.zeros(0, dtype=np.int64)
        return EventColumns(empty, empty, {})

    def qual_cols(self, kind: str) -> QualColumns:
        """Qualification records of ``kind`` (empty columns when none)."""
        if kind in self.quals:
            return self.quals[kind]
        empty = np.zeros(0, dtype=np.int64)
        return QualColumns(empty, empty, empty, empty)

    @classmethod
    def from_rows(cls, ids: Sequence[Any], established: Iterable[dt.date | None],
                  years: Iterable[tuple[int, int, str, Decimal | None]],
                  quals: Iterable[tuple[int, str, dt.date | None, dt.date | None, dt.date | None]],
                  events: Iterable[tuple[int, str, dt.date, dict]]) -> Population:
        """Build from plain rows: ``years`` (ent, year, field, value), ``quals`` (ent, kind, first,
        from, until), ``events`` (ent, kind, date, fields). ``ent`` indexes ``ids``."""
        n = len(ids)
        est = np.fromiter((day(d) for d in established), dtype=np.int64, count=n)
        yrows = [(e, y, f, v) for e, y, f, v in years if f in MONEY_YEAR_FIELDS and v is not None]
        year_list = np.array(sorted({y for _, y, _, _ in yrows}), dtype=np.int64)
        money = {f: np.full((n, len(year_list)), MISSING, dtype=np.int64) for f in MONEY_YEAR_FIELDS}
        if yrows:
            e_arr = np.array([r[0] for r in yrows], dtype=np.int64)
            y_idx = np.searchsorted(year_list, np.array([r[1] for r in yrows], dtype=np.int64))
            vals = np.array([to_units(r[3]) for r in yrows], dtype=np.int64)
            for f in MONEY_YEAR_FIELDS:
                sel = np.array([r[2] == f for r in yrows])
                money[f][e_arr[sel], y_idx[sel]] = vals[sel]
        qd: dict[str, list] = {}
        for e, kind, first, vfrom, vuntil in quals:
            qd.setdefault(kind, []).append((e, day(first), day(vfrom), day(vuntil)))
        qcols = {k: QualColumns(*(np.array(c, dtype=np.int64) for c in zip(*rows, strict=True))) for k, rows in qd.items()}
        ed: dict[str, list] = {}
        for e, kind, when, fields in events:
            ed.setdefault(kind, []).append((e, day(when), fields))
        ecols = {}
        for kind, rows in ed.items():
            names = EVENT_KINDS[kind][1]
            ecols[kind] = EventColumns(
                np.array([r[0] for r in rows], dtype=np.int64), np.array([r[1] for r in rows], dtype=np.int64),
                {name: np.array([encode_value(kind, name, r[2].get(name)) for r in rows], dtype=np.int64)
                 for name in names})
        return cls(n, list(ids), est, ecols, qcols, year_list, money)

    @classmethod
    def from_enterprises(cls, ents: Sequence[Enterprise], ids: Sequence[Any] | None = None) -> Population:
        """Build from validated :class:`Enterprise` views."""
        ids = list(ids) if ids is not None else list(range(len(ents)))
        years = ((i, y, f, getattr(yf, f)) for i, e in enumerate(ents) for y, yf in e.years.items()
                 for f in MONEY_YEAR_FIELDS)
        quals = ((i, q.kind, q.first_recognized_on, q.valid_from, q.valid_until)
                 for i, e in enumerate(ents) for q in e.qualifications)
        events = ((i, ev.kind, ev.date, ev.fields) for i, e in enumerate(ents) for ev in e.events)
        return cls.from_rows(ids, (e.established_on for e in ents), years, quals, events)
