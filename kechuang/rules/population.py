"""A population of enterprises held as columns (numpy), the input of the batch path.

The population is a handful of tables, like the database it is loaded from: one row per
enterprise (``ent``), and long tables for fiscal years, IP rights, conversions,
standards, awards, R&D institutions and qualifications, each with an ``ent`` column
giving the row of its enterprise. :meth:`Population.from_facts` builds it from parsed
:class:`~kechuang.rules.facts.Facts` (used by tests and the self-check); the 培育库
pipeline builds it straight from database values.

Encodings: money is ``int64`` in 万元 × 10⁶ (exact to the 分); dates are proleptic
ordinals (``date.toordinal()``), ``-1`` = unknown (``NO_END`` for an open end); tri-state
booleans are ``int8`` with ``-1`` = unknown; enumerations are small integer codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from .facts import MONEY_FIELDS, Facts

SCALE = 10**6
NO_END = 10**8
UNKNOWN = -1

STD_LEVELS = ("international", "national", "industry", "group")
STD_ROLES = ("lead", "participant")
AWARD_LEVELS = ("national", "provincial")
INST_LEVELS = ("national", "provincial", "municipal", "below")
QUAL_KINDS = ("hnte", "tsme", "innovative_sme", "srdi_sme", "little_giant", "above_designated_size")
ACQ_KINDS = ("self", "transfer", "gift", "merger")
BANDS = ("A", "B", "C", "D", "E")

ENT_COLUMNS = {
    # name: (dtype, fill for unknown)
    "est": (np.int64, UNKNOWN),
    "employees": (np.int64, UNKNOWN),
    "tech_staff": (np.int64, UNKNOWN),
    "rd_staff": (np.int64, UNKNOWN),
    "mainland": (np.bool_, True),
    "restricted": (np.int8, UNKNOWN),
    "incident": (np.int8, UNKNOWN),
    "dishonesty": (np.int8, UNKNOWN),
    "abnormal": (np.int8, UNKNOWN),
    "htf": (np.int8, UNKNOWN),          # 1 field given, 0 null (outside), -1 key absent
    "ip_given": (np.bool_, False),
    "conv_given": (np.bool_, False),
    "inst_given": (np.bool_, False),
    "qual_given": (np.bool_, False),
    "sa_tech": (np.int8, UNKNOWN),      # band index 0=A … 4=E
    "sa_core": (np.int8, UNKNOWN),
    "rdm": (np.int16, UNKNOWN),         # 研究开发组织管理水平 self-assessed total
    "niche": (np.int64, UNKNOWN),
    "mshare": (np.int64, UNKNOWN),      # market share × 10⁶
    "mrank": (np.int64, UNKNOWN),
    "strategic": (np.int8, UNKNOWN),
    "score_srdi": (np.int16, UNKNOWN),
    "score_lg": (np.int16, UNKNOWN),
}

TABLE_COLUMNS = {
    "years": ["ent", "year", *MONEY_FIELDS, *(f + "_has" for f in MONEY_FIELDS)],
    "ip": ["ent", "cls", "core", "used", "acq", "granted", "expires"],
    "conv": ["ent", "year", "count"],
    "std": ["ent", "level", "role", "year"],
    "award": ["ent", "level", "rank", "year"],
    "inst": ["ent", "level", "since"],
    "qual": ["ent", "kind", "start", "until"],
}


def money_int(d: Decimal | None) -> int:
    """万元 Decimal → exact int of 万元 × 10⁶ (0 for None)."""
    if d is None:
        return 0
    v = d * SCALE
    if v != v.to_integral_value():
        raise ValueError(f"金额 {d} 超出精度（万元最多 6 位小数）")
    return int(v)


def tri(b: bool | None) -> int:
    """Tri-state code of an optional bool."""
    return UNKNOWN if b is None else int(b)


@dataclass
class Population:
    """Columnar tables of a population of enterprises (see module docstring)."""

    n: int
    ent: dict[str, np.ndarray]
    tables: dict[str, dict[str, np.ndarray]]
    keys: list = field(default_factory=list)

    @classmethod
    def from_facts(cls, facts: Sequence[Facts], keys: Iterable | None = None) -> Population:
        """Transpose parsed facts into columns (no rule logic here: a plain re-encoding)."""
        n = len(facts)
        ent_rows: dict[str, list] = {k: [] for k in ENT_COLUMNS}
        rows: dict[str, dict[str, list]] = {t: {c: [] for c in cols}
                                            for t, cols in TABLE_COLUMNS.items()}
        for i, f in enumerate(facts):
            e = ent_rows
            e["est"].append(f.established_on.toordinal() if f.established_on else UNKNOWN)
            for k in ("employees", "tech_staff", "rd_staff"):
                v = getattr(f, k)
                e[k].append(UNKNOWN if v is None else v)
            e["mainland"].append(f.mainland_resident)
            e["restricted"].append(tri(f.restricted_industry))
            e["incident"].append(tri(f.incident_last_year))
            e["dishonesty"].append(tri(f.serious_dishonesty))
            e["abnormal"].append(tri(f.abnormal_operation_listed))
            e["htf"].append(UNKNOWN if not f.has("high_tech_field")
                            else int(f.high_tech_field is not None))
            e["ip_given"].append(f.has("ip_rights"))
            e["conv_given"].append(f.has("conversions"))
            e["inst_given"].append(f.has("rd_institutions"))
            e["qual_given"].append(f.has("qualifications"))
            sa = f.self_assessment
            e["sa_tech"].append(UNKNOWN if sa.tech_advancement is None
                                else BANDS.index(sa.tech_advancement))
            e["sa_core"].append(UNKNOWN if sa.core_support is None
                                else BANDS.index(sa.core_support))
            e["rdm"].append(UNKNOWN if sa.rd_management is None else sa.rd_management.total)
            e["niche"].append(UNKNOWN if f.niche_market_years is None else f.niche_market_years)
            e["mshare"].append(UNKNOWN if f.main_product_market_share is None
                               else money_int(f.main_product_market_share))
            e["mrank"].append(UNKNOWN if f.market_rank_china is None else f.market_rank_china)
            e["strategic"].append(tri(f.strategic_emerging_industry))
            e["score_srdi"].append(f.scheme_scores.get("srdi_sme", UNKNOWN))
            e["score_lg"].append(f.scheme_scores.get("little_giant", UNKNOWN))

            y = rows["years"]
            for fy in f.years.values():
                y["ent"].append(i)
                y["year"].append(fy.year)
                for m in MONEY_FIELDS:
                    v = getattr(fy, m)
                    y[m].append(money_int(v))
                    y[m + "_has"].append(v is not None)
            ip = rows["ip"]
            for r in f.ip_rights:
                ip["ent"].append(i)
                ip["cls"].append(r.ip_class)
                ip["core"].append(tri(r.core))
                ip["used"].append(r.used_for_hnte)
                ip["acq"].append(UNKNOWN if r.acquired_by is None
                                 else ACQ_KINDS.index(r.acquired_by))
                ip["granted"].append(r.granted_on.toordinal() if r.granted_on else UNKNOWN)
                ip["expires"].append(r.expires_on.toordinal() if r.expires_on else NO_END)
            for c in f.conversions:
                rows["conv"]["ent"].append(i)
                rows["conv"]["year"].append(c.year)
                rows["conv"]["count"].append(c.count)
            for s in f.standards:
                t = rows["std"]
                t["ent"].append(i)
                t["level"].append(STD_LEVELS.index(s.level))
                t["role"].append(STD_ROLES.index(s.role))
                t["year"].append(s.year)
            for a in f.awards:
                t = rows["award"]
                t["ent"].append(i)
                t["level"].append(AWARD_LEVELS.index(a.level))
                t["rank"].append(a.rank)
                t["year"].append(a.year)
            for r in f.rd_institutions:
                t = rows["inst"]
                t["ent"].append(i)
                t["level"].append(INST_LEVELS.index(r.level))
                t["since"].append(r.since.toordinal() if r.since else UNKNOWN)
            for q in f.qualifications:
                t = rows["qual"]
                t["ent"].append(i)
                t["kind"].append(QUAL_KINDS.index(q.kind))
                start = q.valid_from or q.first_recognized_on
                t["start"].append(start.toordinal() if start else UNKNOWN)
                t["until"].append(q.valid_until.toordinal() if q.valid_until else NO_END)
        ent = {k: np.asarray(v, dtype=ENT_COLUMNS[k][0]) for k, v in ent_rows.items()}
        tables = {}
        for t, cols in rows.items():
            tables[t] = {c: np.asarray(v, dtype=np.bool_ if c.endswith("_has") or c == "used"
                                       else np.int64) for c, v in cols.items()}
        return cls(n=n, ent=ent, tables=tables,
                   keys=list(keys) if keys is not None else [f.uscc or f.name for f in facts])

    def take(self, idx: np.ndarray) -> Population:
        """A sub-population of the rows ``idx`` (tables re-indexed)."""
        idx = np.asarray(idx, dtype=np.int64)
        remap = np.full(self.n, -1, dtype=np.int64)
        remap[idx] = np.arange(len(idx))
        tables = {}
        for t, cols in self.tables.items():
            keep = remap[cols["ent"]] >= 0
            tables[t] = {c: v[keep] for c, v in cols.items()}
            tables[t]["ent"] = remap[cols["ent"][keep]]
        return Population(n=len(idx), ent={k: v[idx] for k, v in self.ent.items()},
                          tables=tables, keys=[self.keys[i] for i in idx] if self.keys else [])
