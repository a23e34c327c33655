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
from kechuang.rules.population import (
    ACQ_KINDS,
    ENT_COLUMNS,
    NO_END,
    QUAL_KINDS,
    TABLE_COLUMNS,
    UNKNOWN,
    Population,
)

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


def _date_sql(column: str) -> str:
    """SQL giving ``date.toordinal()`` of a date column (NULL → -1), per database vendor."""
    qn = connection.ops.quote_name
    col = qn(column)
    if connection.vendor == "sqlite":
        return f"COALESCE(CAST(julianday({col}) - 1721424.5 AS INTEGER), -1)"
    if connection.vendor == "postgresql":
        return f"COALESCE(({col} - DATE '0001-01-01') + 1, -1)"
    raise NotImplementedError(connection.vendor)


def _int_matrix(rows: list[tuple], width: int) -> np.ndarray:
    """Rows of integers → (len, width) int64 array, without a per-row Python object."""
    from itertools import chain

    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * width)
    return flat.reshape(len(rows), width)


def _columns(exprs: list[str], from_where: str, params) -> list[np.ndarray]:
    """Integer columns of one query, each fetched as a single comma-joined string and parsed
    by numpy (no Python object per row: the loader's main cost on a 2-core machine)."""
    if connection.vendor == "sqlite":
        aggs = ", ".join(f"group_concat({e}, ',')" for e in exprs)
    else:
        aggs = ", ".join(f"string_agg(CAST(({e}) AS TEXT), ',')" for e in exprs)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {aggs} {from_where}", params)
        row = cur.fetchone()
    return [np.fromstring(v, dtype=np.int64, sep=",") if v else np.zeros(0, dtype=np.int64)
            for v in row]


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def load_population(queryset, *, on: dt.date) -> LoadedPopulation:
    """Columns of every enterprise of ``queryset`` (already restricted by the caller)."""
    from kechuang.enterprises.models import CreditRecord, Enterprise, FiscalYear, IPRight, Qualification
    from kechuang.enterprises.vocab import HIGH_TECH_FIELD_OUTSIDE

    qn = connection.ops.quote_name
    sub_sql, sub_params = queryset.order_by().values("pk").query.sql_with_params()
    everything = not queryset.query.where and not queryset.query.is_sliced
    htf = qn("high_tech_field")
    cols = _columns(
        [qn("id"), f"COALESCE({qn('township_id')}, 0)", _date_sql("established_on"),
         f"CASE WHEN {qn('mainland_resident')} THEN 1 ELSE 0 END",
         f"COALESCE({qn('employees')}, -1)", f"COALESCE({qn('tech_staff')}, -1)", f"COALESCE({qn('rd_staff')}, -1)",
         f"CASE WHEN TRIM(COALESCE({htf}, '')) = '' THEN -1 WHEN TRIM({htf}) = %s THEN 0 ELSE 1 END",
         f"CASE WHEN {qn('restricted_industry')} IS NULL THEN -1 WHEN {qn('restricted_industry')} THEN 1 ELSE 0 END"],
        f"FROM {qn(Enterprise._meta.db_table)} WHERE " + ("1 = 1" if everything else f"{qn('id')} IN ({sub_sql})"),
        [HIGH_TECH_FIELD_OUTSIDE, *([] if everything else sub_params)])
    # the %s of the high-tech CASE comes before the subquery's parameters
    order = np.argsort(cols[0], kind="stable")
    cols = [c[order] for c in cols]
    ids = cols[0]
    n = len(ids)
    row_of = {int(pk): i for i, pk in enumerate(ids)}
    ent = {k: np.full(n, fill, dtype=dtype) for k, (dtype, fill) in ENT_COLUMNS.items()}
    town = cols[1]
    ent["est"] = cols[2]
    ent["mainland"] = cols[3] == 1
    ent["employees"], ent["tech_staff"], ent["rd_staff"] = cols[4], cols[5], cols[6]
    ent["htf"] = cols[7].astype(np.int8)
    ent["restricted"] = cols[8].astype(np.int8)
    ent["ip_given"][:] = True
    ent["qual_given"][:] = True

    member = "1 = 1" if everything else f"{qn('enterprise_id')} IN ({sub_sql})"
    member_params = [] if everything else list(sub_params)

    def child_rows(model, columns: str):
        return _rows(f"SELECT {columns} FROM {qn(model._meta.db_table)} WHERE {member}", member_params)

    # credit records → flags (as build_facts: in force on `on`; incidents within the year before)
    for f in ("incident", "dishonesty", "abnormal"):
        ent[f][:] = 0
    year_before = on - dt.timedelta(days=365)
    from kechuang.enterprises.facts import research_credit_rows

    research = [(r["enterprise_id"], r["kind"], r["occurred_on"], r["expires_on"]) for r in research_credit_rows()]
    for eid, kind, occurred, expires in child_rows(
            CreditRecord, "enterprise_id, kind, occurred_on, expires_on") + research:
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

    has_mask = " + ".join(f"(CASE WHEN {qn(m)} IS NULL THEN 0 ELSE {1 << j} END)"
                          for j, m in enumerate(MONEY_FIELDS))
    width = 3 + len(MONEY_FIELDS)
    cols = _columns([qn("enterprise_id"), qn("year"), has_mask,
                     *(f"COALESCE(CAST(ROUND({qn(m)} * 1000000) AS BIGINT), 0)" for m in MONEY_FIELDS)],
                    f"FROM {qn(FiscalYear._meta.db_table)} WHERE {qn('year')} BETWEEN %s AND %s "
                    f"AND {member}", [on.year - 3, on.year - 1, *member_params])
    arr = np.stack(cols, axis=1) if cols[0].size else np.zeros((0, width), dtype=np.int64)
    remap = np.full(int(ids.max()) + 1 if n else 1, -1, dtype=np.int64)
    remap[ids] = np.arange(n)
    years = {"ent": remap[arr[:, 0]], "year": arr[:, 1]}
    for j, m in enumerate(MONEY_FIELDS):
        years[m] = arr[:, 3 + j]
        years[m + "_has"] = (arr[:, 2] >> j) & 1 == 1

    cls_case = "CASE " + " ".join(f"WHEN {qn('kind')} = '{k}' THEN {c}" for k, c in _IP_CLASS.items()) + " ELSE 0 END"
    acq_case = "CASE " + " ".join(f"WHEN {qn('acquired_by')} = '{k}' THEN {i}" for i, k in enumerate(ACQ_KINDS)) + " ELSE -1 END"
    core_sql = f"CASE WHEN {qn('core')} IS NULL THEN -1 WHEN {qn('core')} THEN 1 ELSE 0 END"
    used_sql = f"CASE WHEN {qn('used_for_hnte')} THEN 1 ELSE 0 END"
    cols = _columns([qn("enterprise_id"), cls_case, core_sql, used_sql, acq_case, _date_sql("granted_on"),
                     _date_sql("expires_on")],
                    f"FROM {qn(IPRight._meta.db_table)} WHERE {member}", member_params)
    a = np.stack(cols, axis=1) if cols[0].size else np.zeros((0, 7), dtype=np.int64)
    if (a[:, 1] == 0).any():
        raise ValueError("知识产权类型无法识别（数据库中有未知类型）")
    ip = {"ent": remap[a[:, 0]], "cls": a[:, 1], "core": a[:, 2], "used": a[:, 3] == 1, "acq": a[:, 4],
          "granted": a[:, 5], "expires": np.where(a[:, 6] < 0, NO_END, a[:, 6])}
    kind_case = "CASE " + " ".join(f"WHEN {qn('kind')} = '{k}' THEN {i}" for i, k in enumerate(QUAL_KINDS)) + " ELSE -1 END"
    cols = _columns([qn("enterprise_id"), kind_case, _date_sql("valid_from"), _date_sql("first_recognized_on"),
                     _date_sql("valid_until")],
                    f"FROM {qn(Qualification._meta.db_table)} WHERE {member}", member_params)
    q = np.stack(cols, axis=1) if cols[0].size else np.zeros((0, 5), dtype=np.int64)
    qual = {"ent": remap[q[:, 0]], "kind": q[:, 1],
            "start": np.where(q[:, 2] >= 0, q[:, 2], q[:, 3]),
            "until": np.where(q[:, 4] < 0, NO_END, q[:, 4])}
    if (qual["kind"] < 0).any():
        raise ValueError("资质类型无法识别（数据库中有未知类型）")
    tables = {t: {c: np.zeros(0, dtype=bool if c.endswith("_has") or c == "used" else np.int64)
                  for c in cols} for t, cols in TABLE_COLUMNS.items()}
    tables["years"] = years
    tables["ip"] = ip
    tables["qual"] = qual
    _ = Enterprise
    pop = Population(n=n, ent=ent, tables=tables, keys=list(ids))
    return LoadedPopulation(population=pop, ids=ids, township_ids=town)
