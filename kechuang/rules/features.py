"""Features: the numbers the criteria look at, for one date, as columns.

Two independent extractors produce the same dictionary of numpy arrays:

- :func:`features_from_facts` — the single-case path: plain Python over one
  :class:`~kechuang.rules.facts.Facts`, returning arrays of length 1;
- :func:`features_from_population` — the batch path: grouped numpy operations over a
  :class:`~kechuang.rules.population.Population`.

The criteria (``schemes/*.py``) are written once over these columns, so a property test
that both extractors (and therefore both verdicts) agree proves batch = single.

The fiscal window is the three years before the evaluation year (``W = [Y-3, Y-2, Y-1]``,
columns 0, 1, 2 of the ``(N, 3)`` money arrays): 国科发火〔2016〕32号 第十一条（五）
"近三个会计年度"; ``op`` marks the window years in which the firm already existed (实际经营期).
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from .facts import MONEY_FIELDS, Facts
from .population import (
    ACQ_KINDS,
    AWARD_LEVELS,
    BANDS,
    INST_LEVELS,
    NO_END,
    STD_LEVELS,
    UNKNOWN,
    Population,
    money_int,
    tri,
)

Features = dict[str, np.ndarray]

_EPOCH = _dt.date(1970, 1, 1).toordinal()
_STD_COUNTED = (STD_LEVELS.index("international"), STD_LEVELS.index("national"),
                STD_LEVELS.index("industry"))
_PROV_PLUS = (INST_LEVELS.index("national"), INST_LEVELS.index("provincial"))
_QUAL_FEATURES = {"hnte": "q_hnte", "tsme": "q_tsme", "innovative_sme": "q_innov",
                  "srdi_sme": "q_srdi", "little_giant": "q_lg"}
_PASSTHROUGH = ("employees", "tech_staff", "rd_staff", "mainland", "restricted", "incident",
                "dishonesty", "abnormal", "htf", "ip_given", "conv_given", "inst_given", "qual_given",
                "sa_tech", "sa_core", "rdm", "niche", "mshare", "mrank", "strategic",
                "score_srdi", "score_lg")
IP_COUNTS = ("ip1_T", "ip1_U", "ip2_T", "ip2_U", "hip2_T", "hip2_U", "ip1_self_T",
             "hip_self_TU")
YEAR_FEATURES = ("std_lead_year", "aw_nat_r3", "aw_nat_r5", "aw_nat_any", "aw_prov_r3",
                 "aw_prov_any")


def window(on: _dt.date) -> list[int]:
    """The three fiscal years before the evaluation year."""
    return [on.year - 3, on.year - 2, on.year - 1]


# --- single path --------------------------------------------------------------------

def features_from_facts(f: Facts, on: _dt.date) -> Features:
    """Features of one enterprise (arrays of length 1), computed in plain Python."""
    Y, ON = on.year, on.toordinal()
    W = window(on)
    out: dict[str, object] = {}
    est = f.established_on
    out["est_known"] = est is not None
    out["age_days"] = (on - est).days if est else 0
    out["op"] = [est is None or est.year <= y for y in W]
    out["employees"] = UNKNOWN if f.employees is None else f.employees
    out["tech_staff"] = UNKNOWN if f.tech_staff is None else f.tech_staff
    out["rd_staff"] = UNKNOWN if f.rd_staff is None else f.rd_staff
    out["mainland"] = f.mainland_resident
    out["restricted"] = tri(f.restricted_industry)
    out["incident"] = tri(f.incident_last_year)
    out["dishonesty"] = tri(f.serious_dishonesty)
    out["abnormal"] = tri(f.abnormal_operation_listed)
    out["htf"] = UNKNOWN if not f.has("high_tech_field") else int(f.high_tech_field is not None)
    out["ip_given"] = f.has("ip_rights")
    out["conv_given"] = f.has("conversions")
    out["inst_given"] = f.has("rd_institutions")
    out["qual_given"] = f.has("qualifications")
    sa = f.self_assessment
    out["sa_tech"] = UNKNOWN if sa.tech_advancement is None else BANDS.index(sa.tech_advancement)
    out["sa_core"] = UNKNOWN if sa.core_support is None else BANDS.index(sa.core_support)
    out["rdm"] = UNKNOWN if sa.rd_management is None else sa.rd_management.total
    out["niche"] = UNKNOWN if f.niche_market_years is None else f.niche_market_years
    out["mshare"] = (UNKNOWN if f.main_product_market_share is None
                     else money_int(f.main_product_market_share))
    out["mrank"] = UNKNOWN if f.market_rank_china is None else f.market_rank_china
    out["strategic"] = tri(f.strategic_emerging_industry)
    out["score_srdi"] = f.scheme_scores.get("srdi_sme", UNKNOWN)
    out["score_lg"] = f.scheme_scores.get("little_giant", UNKNOWN)

    for m in MONEY_FIELDS:
        vals, has = [], []
        for y in W:
            fy = f.years.get(y)
            v = getattr(fy, m) if fy else None
            vals.append(money_int(v))
            has.append(v is not None)
        out["m_" + m] = vals
        out["h_" + m] = has

    counts = dict.fromkeys(IP_COUNTS, 0)
    for r in f.ip_rights:
        if not r.valid_on(on) or r.core is False:
            continue
        core_t = r.core is True
        hnte_usable = r.ip_class == 1 or not r.used_for_hnte
        if r.ip_class == 1:
            counts["ip1_T" if core_t else "ip1_U"] += 1
            if core_t and r.acquired_by == "self":
                counts["ip1_self_T"] += 1
        else:
            counts["ip2_T" if core_t else "ip2_U"] += 1
            if hnte_usable:
                counts["hip2_T" if core_t else "hip2_U"] += 1
        if hnte_usable and r.acquired_by in ("self", None):
            counts["hip_self_TU"] += 1
    out.update(counts)

    out["conv_sum"] = sum(c.count for c in f.conversions if c.year in W)
    out["std_part"] = any(s.level in ("international", "national", "industry") and s.year <= Y
                          for s in f.standards)

    def latest(years):
        ys = [y for y in years if y <= Y]
        return max(ys) if ys else 0

    out["std_lead_year"] = latest(s.year for s in f.standards if s.role == "lead"
                                  and s.level in ("international", "national", "industry"))
    out["aw_nat_r3"] = latest(a.year for a in f.awards if a.level == "national" and a.rank <= 3)
    out["aw_nat_r5"] = latest(a.year for a in f.awards if a.level == "national" and a.rank <= 5)
    out["aw_nat_any"] = latest(a.year for a in f.awards if a.level == "national")
    out["aw_prov_r3"] = latest(a.year for a in f.awards if a.level == "provincial" and a.rank <= 3)
    out["aw_prov_any"] = latest(a.year for a in f.awards if a.level == "provincial")
    started = [r for r in f.rd_institutions if r.since is None or r.since <= on]
    out["inst_any"] = bool(started)
    out["inst_prov"] = any(r.level in ("national", "provincial") for r in started)
    for kind, name in _QUAL_FEATURES.items():
        out[name] = f.holds(kind, on)
    _ = ON
    return {k: np.asarray([v]) for k, v in out.items()}


# --- batch path ---------------------------------------------------------------------

def _years_of(ordinals: np.ndarray) -> np.ndarray:
    return (ordinals - _EPOCH).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _count(ent: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(ent[mask], minlength=n).astype(np.int64)


def _latest(ent: np.ndarray, year: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=np.int64)
    np.maximum.at(out, ent[mask], year[mask])
    return out


def features_from_population(pop: Population, on: _dt.date) -> Features:
    """Features of every enterprise of ``pop`` (arrays of length ``pop.n``), vectorised."""
    n, Y, ON = pop.n, on.year, on.toordinal()
    W = np.asarray(window(on), dtype=np.int64)
    e = pop.ent
    F: Features = {}
    est = e["est"]
    known = est != UNKNOWN
    F["est_known"] = known
    F["age_days"] = np.where(known, ON - est, 0).astype(np.int64)
    est_year = np.where(known, _years_of(np.where(known, est, _EPOCH)), 0)
    F["op"] = ~known[:, None] | (est_year[:, None] <= W[None, :])
    for k in _PASSTHROUGH:
        F[k] = e[k]

    t = pop.tables["years"]
    col = t["year"] - W[0]
    inw = (col >= 0) & (col < 3)
    ent_w, col_w = t["ent"][inw], col[inw]
    for m in MONEY_FIELDS:
        vals = np.zeros((n, 3), dtype=np.int64)
        has = np.zeros((n, 3), dtype=bool)
        vals[ent_w, col_w] = t[m][inw]
        has[ent_w, col_w] = t[m + "_has"][inw]
        F["m_" + m] = vals
        F["h_" + m] = has

    ip = pop.tables["ip"]
    valid = (ip["granted"] <= ON) & (ip["expires"] >= ON) & (ip["core"] != 0)
    core_t = ip["core"] == 1
    c1 = ip["cls"] == 1
    usable = c1 | ~ip["used"]
    self_acq = ip["acq"] == ACQ_KINDS.index("self")
    ent = ip["ent"]
    F["ip1_T"] = _count(ent, valid & c1 & core_t, n)
    F["ip1_U"] = _count(ent, valid & c1 & ~core_t, n)
    F["ip2_T"] = _count(ent, valid & ~c1 & core_t, n)
    F["ip2_U"] = _count(ent, valid & ~c1 & ~core_t, n)
    F["hip2_T"] = _count(ent, valid & ~c1 & usable & core_t, n)
    F["hip2_U"] = _count(ent, valid & ~c1 & usable & ~core_t, n)
    F["ip1_self_T"] = _count(ent, valid & c1 & core_t & self_acq, n)
    F["hip_self_TU"] = _count(ent, valid & usable & (self_acq | (ip["acq"] == UNKNOWN)), n)

    cv = pop.tables["conv"]
    m = (cv["year"] >= W[0]) & (cv["year"] <= W[2])
    F["conv_sum"] = np.bincount(cv["ent"][m], weights=cv["count"][m], minlength=n).astype(np.int64) \
        if m.any() else np.zeros(n, dtype=np.int64)

    sd = pop.tables["std"]
    counted = np.isin(sd["level"], _STD_COUNTED) & (sd["year"] <= Y)
    F["std_part"] = _count(sd["ent"], counted, n) > 0
    F["std_lead_year"] = _latest(sd["ent"], sd["year"], counted & (sd["role"] == 0), n)

    aw = pop.tables["award"]
    past = aw["year"] <= Y
    nat = aw["level"] == AWARD_LEVELS.index("national")
    prov = aw["level"] == AWARD_LEVELS.index("provincial")
    F["aw_nat_r3"] = _latest(aw["ent"], aw["year"], past & nat & (aw["rank"] <= 3), n)
    F["aw_nat_r5"] = _latest(aw["ent"], aw["year"], past & nat & (aw["rank"] <= 5), n)
    F["aw_nat_any"] = _latest(aw["ent"], aw["year"], past & nat, n)
    F["aw_prov_r3"] = _latest(aw["ent"], aw["year"], past & prov & (aw["rank"] <= 3), n)
    F["aw_prov_any"] = _latest(aw["ent"], aw["year"], past & prov, n)

    it = pop.tables["inst"]
    started = it["since"] <= ON  # UNKNOWN (-1) counts as started
    F["inst_any"] = _count(it["ent"], started, n) > 0
    F["inst_prov"] = _count(it["ent"], started & np.isin(it["level"], _PROV_PLUS), n) > 0

    q = pop.tables["qual"]
    inforce = (q["start"] <= ON) & (q["until"] >= ON)
    from .population import QUAL_KINDS
    for kind, name in _QUAL_FEATURES.items():
        F[name] = _count(q["ent"], inforce & (q["kind"] == QUAL_KINDS.index(kind)), n) > 0
    _ = NO_END
    return F
