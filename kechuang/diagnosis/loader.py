"""Load the registry straight into columns (a :class:`~kechuang.rules.population.Population`).

The single-case path reads an enterprise through ``kechuang.enterprises.facts`` (dicts →
``parse_facts``); this loader reads the same tables with one query per table and turns the
rows into numpy columns without building per-enterprise objects. It encodes the registry
exactly as ``build_facts`` does (credit records → flags, ``不属于`` → high-tech field null,
IP list and qualifications always given, conversions/standards/awards not kept), and a
test proves both give the same features.

Money is read as ``ROUND(x × 10⁶)`` integers in SQL (exact for the 4-decimal columns).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import connection

from kechuang.rules.facts import MONEY_FIELDS
from kechuang.rules.population import (ACQ_KINDS, ENT_COLUMNS, NO_END, QUAL_KINDS, TABLE_COLUMNS,
                                       UNKNOWN, Population)

_DISHONESTY = ("research_dishonesty",)
_ABNORMAL = ("abnormal_operation", "serious_illegal")
_INCIDENT = ("major_incident",)
_IP_CLASS = {"invention_patent": 1, "plant_variety": 1, "national_crop_variety": 1,
             "national_new_drug": 1, "tcm_protected_variety_1": 1, "ic_layout": 1,
             "utility_model": 2, "design_patent": 2, "software_copyright": 2}


@dataclass
class LoadedPopulation:
    """The population plus the registry keys of its rows."""

    population: Population
    ids: np.ndarray          # enterprise pk per row
    township_ids: np.ndarray  # core.Region pk per row


def _ordinal(v) -> int:
    if v is None:
        return UNKNOWN
    if isinstance(v, str):
        v = dt.date.fromisoformat(v[:10])
    return v.toordinal()


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def load_population(queryset, *, on: dt.date) -> LoadedPopulation:
    """Columns of every enterprise of ``queryset`` (already restricted by the caller)."""
    from kechuang.enterprises.models import (CreditRecord, Enterprise, FiscalYear, IPRight,
                                             Qualification)
    from kechuang.enterprises.vocab import HIGH_TECH_FIELD_OUTSIDE

    qn = connection.ops.quote_name
    ents = list(queryset.order_by("pk").values_list(
        "pk", "township_id", "established_on", "mainland_resident", "employees", "tech_staff",
        "rd_staff", "high_tech_field", "restricted_industry"))
    n = len(ents)
    ids = np.fromiter((e[0] for e in ents), dtype=np.int64, count=n)
    row_of = {int(pk): i for i, pk in enumerate(ids)}
    ent = {k: np.full(n, fill, dtype=dtype) for k, (dtype, fill) in ENT_COLUMNS.items()}
    town = np.fromiter((e[1] or 0 for e in ents), dtype=np.int64, count=n)
    ent["est"] = np.fromiter((_ordinal(e[2]) for e in ents), dtype=np.int64, count=n)
    ent["mainland"] = np.fromiter((bool(e[3]) for e in ents), dtype=bool, count=n)
    for j, k in ((4, "employees"), (5, "tech_staff"), (6, "rd_staff")):
        ent[k] = np.fromiter((UNKNOWN if e[j] is None else e[j] for e in ents), dtype=np.int64, count=n)
    ent["htf"] = np.fromiter((UNKNOWN if not (e[7] or "").strip() else
                              int((e[7] or "").strip() != HIGH_TECH_FIELD_OUTSIDE) for e in ents),
                             dtype=np.int8, count=n)
    ent["restricted"] = np.fromiter((UNKNOWN if e[8] is None else int(e[8]) for e in ents),
                                    dtype=np.int8, count=n)
    ent["ip_given"][:] = True
    ent["qual_given"][:] = True

    sub_sql, sub_params = queryset.order_by().values("pk").query.sql_with_params()

    def child_rows(model, columns: str):
        return _rows(f"SELECT {columns} FROM {qn(model._meta.db_table)} "
                     f"WHERE {qn('enterprise_id')} IN ({sub_sql})", sub_params)

    # credit records → flags (as build_facts: in force on `on`; incidents within the year before)
    for f in ("incident", "dishonesty", "abnormal"):
        ent[f][:] = 0
    year_before = on - dt.timedelta(days=365)
    for eid, kind, occurred, expires in child_rows(
            CreditRecord, "enterprise_id, kind, occurred_on, expires_on"):
        i = row_of.get(int(eid))
        if i is None:
            continue
        occ = dt.date.fromisoformat(occurred) if isinstance(occurred, str) else occurred
        exp = (dt.date.fromisoformat(expires) if isinstance(expires, str) else expires) if expires else None
        in_force = occ <= on and (exp is None or on <= exp)
        if in_force and kind in _DISHONESTY:
            ent["dishonesty"][i] = 1
        if in_force and kind in _ABNORMAL:
            ent["abnormal"][i] = 1
        if kind in _INCIDENT and year_before <= occ <= on:
            ent["incident"][i] = 1

    money_cols = ", ".join(
        f"COALESCE(CAST(ROUND({qn(m)} * 1000000) AS BIGINT), 0), "
        f"CASE WHEN {qn(m)} IS NULL THEN 0 ELSE 1 END" for m in MONEY_FIELDS)
    yr = child_rows(FiscalYear, f"enterprise_id, year, {money_cols}")
    arr = np.array(yr, dtype=np.int64).reshape(len(yr), 2 + 2 * len(MONEY_FIELDS))
    remap = np.full(int(ids.max()) + 1 if n else 1, -1, dtype=np.int64)
    remap[ids] = np.arange(n)
    years = {"ent": remap[arr[:, 0]] if len(yr) else np.zeros(0, np.int64), "year": arr[:, 1]}
    for j, m in enumerate(MONEY_FIELDS):
        years[m] = arr[:, 2 + 2 * j]
        years[m + "_has"] = arr[:, 3 + 2 * j].astype(bool)

    ip_rows = child_rows(IPRight, "enterprise_id, kind, core, used_for_hnte, acquired_by, granted_on, expires_on")
    m = len(ip_rows)
    ip = {
        "ent": np.fromiter((remap[int(r[0])] for r in ip_rows), dtype=np.int64, count=m),
        "cls": np.fromiter((_IP_CLASS[r[1]] for r in ip_rows), dtype=np.int64, count=m),
        "core": np.fromiter((UNKNOWN if r[2] is None else int(r[2]) for r in ip_rows), dtype=np.int64, count=m),
        "used": np.fromiter((bool(r[3]) for r in ip_rows), dtype=bool, count=m),
        "acq": np.fromiter((ACQ_KINDS.index(r[4]) if r[4] else UNKNOWN for r in ip_rows), dtype=np.int64, count=m),
        "granted": np.fromiter((_ordinal(r[5]) for r in ip_rows), dtype=np.int64, count=m),
        "expires": np.fromiter((NO_END if r[6] is None else _ordinal(r[6]) for r in ip_rows), dtype=np.int64, count=m),
    }
    q_rows = child_rows(Qualification, "enterprise_id, kind, valid_from, first_recognized_on, valid_until")
    k = len(q_rows)
    qual = {
        "ent": np.fromiter((remap[int(r[0])] for r in q_rows), dtype=np.int64, count=k),
        "kind": np.fromiter((QUAL_KINDS.index(r[1]) for r in q_rows), dtype=np.int64, count=k),
        "start": np.fromiter((_ordinal(r[2] or r[3]) for r in q_rows), dtype=np.int64, count=k),
        "until": np.fromiter((NO_END if r[4] is None else _ordinal(r[4]) for r in q_rows), dtype=np.int64, count=k),
    }
    tables = {t: {c: np.zeros(0, dtype=bool if c.endswith("_has") or c == "used" else np.int64)
                  for c in cols} for t, cols in TABLE_COLUMNS.items()}
    tables["years"] = years
    tables["ip"] = ip
    tables["qual"] = qual
    _ = Enterprise
    pop = Population(n=n, ent=ent, tables=tables, keys=list(ids))
    return LoadedPopulation(population=pop, ids=ids, township_ids=town)
