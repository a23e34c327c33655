"""创新型中小企业 (innovative_sme): 工信部企业〔2022〕63号 附件1 评价标准.

Either the score path (total ≥ 60 with 创新能力 ≥ 20, 成长性 ≥ 15, 专业化 ≥ 15) or a direct
ground; from 2026-04-01 the same criteria are applied under the 2026 办法, unverified.
Figures are those of the last fiscal year (Y−1); growth compares Y−1 with Y−2.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..facts import key_label
from ..params import ParameterSet
from ..verdict import Condition, all_of, any_of
from ._common import (
    FAIL,
    MISSING,
    PASS,
    SchemeResult,
    band_points,
    cond,
    growth_two_ge,
    money,
    pct,
    range_status,
    ratio_ge,
    ratio_value,
    status,
)

SCHEME = "innovative_sme"
CONDITION_IDS = ("innovative_sme.eligible_entity", "innovative_sme.score",
                 "innovative_sme.innovation_min", "innovative_sme.growth_min",
                 "innovative_sme.specialization_min", "innovative_sme.direct_confirmation")
COMPONENT_LABELS = {"innovation": "创新能力", "growth": "成长性", "specialization": "专业化"}


def _fr(x) -> Fraction:
    return Fraction(Decimal(str(x)))


def entity_status(F) -> np.ndarray:
    """境内注册、非禁止限制类、未列入异常/失信名单 (shared by the 梯度培育 schemes)."""
    bad = ~F["mainland"] | (F["restricted"] == 1) | (F["abnormal"] == 1)
    good = F["mainland"] & (F["restricted"] == 0) & (F["abnormal"] == 0)
    return np.where(bad, FAIL, np.where(good, PASS, MISSING)).astype(np.int8)


def debt_points(F, spec) -> tuple[np.ndarray, np.ndarray]:
    """(points, known) of the 资产负债率 indicator of the last fiscal year."""
    liab, assets = F["m_total_liabilities"][:, 2], F["m_total_assets"][:, 2]
    known = F["h_total_liabilities"][:, 2] & F["h_total_assets"][:, 2]
    pos = assets > 0
    at_least_low = ratio_ge(liab, assets, _fr(spec["low"]))
    above_high = ratio_ge(liab, assets, _fr(spec["high"]), strict=True)
    pts = np.where(~pos | above_high, 0,
                   np.where(at_least_low, spec["mid_points"], spec["low_points"]))
    return pts.astype(np.int64), known


def evaluate_columns(F, P: ParameterSet, on: _dt.date) -> SchemeResult:
    """Evaluate every innovative_sme criterion over the feature columns ``F``."""
    Y = on.year
    n = F["employees"].shape[0]
    S: dict[str, np.ndarray] = {}
    S["innovative_sme.eligible_entity"] = entity_status(F)

    ipp = P["ip_points"].value
    c1_T, c1_TU = F["ip1_T"] > 0, (F["ip1_T"] + F["ip1_U"]) > 0
    c2_T, c2_TU = F["ip2_T"] > 0, (F["ip2_T"] + F["ip2_U"]) > 0
    ip_lo = np.where(F["ip1_self_T"] > 0, ipp["self_class1"],
                     np.where(c1_T, ipp["class1"], np.where(c2_T, ipp["class2"], 0)))
    ip_hi = np.where(c1_TU, ipp["high_value_class1"], np.where(c2_TU, ipp["class2"], 0))
    ip_miss = ~F["ip_given"]
    ip_lo = np.where(ip_miss, 0, ip_lo)
    ip_hi = np.where(ip_miss, ipp["high_value_class1"], ip_hi)

    rd, orv = F["m_rd_expense"][:, 2], F["m_operating_revenue"][:, 2]
    rd_known = F["h_rd_expense"][:, 2] & F["h_operating_revenue"][:, 2]
    rd_pts, _ = band_points(rd, orv, P["rd_ratio_bands"].bands)
    rd_max = P["rd_ratio_bands"].bands[0].points_max
    rd_lo, rd_hi = np.where(rd_known, rd_pts, 0), np.where(rd_known, rd_pts, rd_max)

    mb = F["m_main_business_revenue"]
    mbh = F["h_main_business_revenue"]
    existed_prev = F["op"][:, 1]
    g_known = mbh[:, 2] & (mbh[:, 1] | ~existed_prev)
    ya, yb = mb[:, 1], mb[:, 2]
    g_pts = np.zeros(n, dtype=np.int64)
    ok = existed_prev & (ya > 0)
    for b in reversed(P["main_growth_bands"].bands):
        g_pts[ok & growth_two_ge(ya, yb, b.minimum, b.strict)] = b.points_min
    g_max = P["main_growth_bands"].bands[0].points_max
    mg_lo, mg_hi = np.where(g_known, g_pts, 0), np.where(g_known, g_pts, g_max)

    dspec = P["debt_ratio"].value
    d_pts, d_known = debt_points(F, dspec)
    db_lo, db_hi = np.where(d_known, d_pts, 0), np.where(d_known, d_pts, dspec["low_points"])

    sp = P["strategic_points"].value
    st_lo = np.where(F["strategic"] == 1, sp["in_field"], sp["other"])
    st_hi = np.where(F["strategic"] == 0, sp["other"], sp["in_field"])

    ms_known = F["h_main_business_revenue"][:, 2] & F["h_operating_revenue"][:, 2]
    ms_pts, _ = band_points(mb[:, 2], orv, P["main_share_bands"].bands)
    ms_max = P["main_share_bands"].bands[0].points_max
    ms_lo, ms_hi = np.where(ms_known, ms_pts, 0), np.where(ms_known, ms_pts, ms_max)

    comps = {"innovation": (ip_lo + rd_lo, ip_hi + rd_hi),
             "growth": (mg_lo + db_lo, mg_hi + db_hi),
             "specialization": (st_lo + ms_lo, st_hi + ms_hi)}
    miss = {"innovation": ip_miss | ~rd_known, "growth": ~g_known | ~d_known,
            "specialization": (F["strategic"] < 0) | ~ms_known}
    lo = sum(c[0] for c in comps.values())
    hi = sum(c[1] for c in comps.values())
    any_miss = miss["innovation"] | miss["growth"] | miss["specialization"]
    S["innovative_sme.score"] = range_status(lo, hi, int(P["pass_score"].value), any_miss)
    for k, pname in (("innovation", "innovation_min"), ("growth", "growth_min"),
                     ("specialization", "specialization_min")):
        S[f"innovative_sme.{pname}"] = range_status(comps[k][0], comps[k][1],
                                                    int(P[pname].value), miss[k])

    d = P["direct_confirmation"].value
    eq_years = int(d["equity_years"])
    eq = (F["m_equity_financing"][:, 3 - eq_years:] * F["op"][:, 3 - eq_years:]).sum(1)
    aw_y = np.maximum(F["aw_nat_any"], F["aw_prov_any"])
    grounds = np.stack([
        (aw_y > 0) & (aw_y >= Y - int(d["award_years"])),
        F["q_hnte"],
        F["inst_prov"],
        eq >= int(Decimal(str(d["equity_min"])) * 10**6),
    ])
    S["innovative_sme.direct_confirmation"] = status(grounds.any(0))
    S = {k: S[k] for k in CONDITION_IDS}
    expr = all_of("innovative_sme.eligible_entity",
                  any_of(all_of("innovative_sme.score", "innovative_sme.innovation_min",
                                "innovative_sme.growth_min", "innovative_sme.specialization_min"),
                         "innovative_sme.direct_confirmation"))
    return SchemeResult(statuses=S, components=comps, score=(lo, hi), expr=expr,
                        extra={"grounds": grounds.T, "equity": eq,
                               "parts": np.stack([ip_lo, ip_hi, rd_lo, rd_hi, mg_lo, mg_hi,
                                                  db_lo, db_hi, st_lo, st_hi, ms_lo, ms_hi], 1)})


def explain(F, P: ParameterSet, on: _dt.date, res: SchemeResult) -> list[Condition]:
    """Conditions of row 0 with value, threshold, citation and an actionable gap."""
    S = {k: int(v[0]) for k, v in res.statuses.items()}
    last = on.year - 1
    out = [entity_condition("innovative_sme", F, P, S["innovative_sme.eligible_entity"])]
    parts = res.extra["parts"][0]
    names = ("知识产权", "研发费用占营业收入比重", "主营业务收入增长率", "资产负债率",
             "主导产品所属领域", "主营业务收入占营业收入比重")
    pieces = []
    for i, nm in enumerate(names):
        a, b = int(parts[2 * i]), int(parts[2 * i + 1])
        pieces.append(f"{nm} {a} 分" if a == b else f"{nm} {a}–{b} 分")
    lo, hi = int(res.score[0][0]), int(res.score[1][0])
    need = int(P["pass_score"].value)
    s = S["innovative_sme.score"]
    missing = _missing_keys(F, on)
    tips = _tips(F, P, parts, last)
    gap = None
    if s == FAIL:
        gap = f"评价得分最高 {hi} 分，还差 {need - hi} 分；{tips}"
    elif s == MISSING:
        gap = "补充数据后才能确定得分（缺：" + "、".join(map(key_label, missing)) + "）"
    elif s != PASS:
        gap = f"得分 {lo}–{hi} 分，取决于知识产权是否属“高价值”等专家判断；{tips}"
    out.append(cond("innovative_sme.score", "评价得分 60 分以上", s, P["pass_score"],
                    value={"min": lo, "max": hi}, threshold=need, gap=gap,
                    detail="；".join(pieces), missing=missing if s == MISSING else []))
    for k, pname, label in (("innovation", "innovation_min", "创新能力指标得分"),
                            ("growth", "growth_min", "成长性指标得分"),
                            ("specialization", "specialization_min", "专业化指标得分")):
        a, b = int(res.components[k][0][0]), int(res.components[k][1][0])
        p = P[pname]
        s = S[f"innovative_sme.{pname}"]
        g = None
        if s == FAIL:
            g = f"{label}最高 {b} 分，需不低于 {p.value} 分，还差 {int(p.value) - b} 分"
        elif s == MISSING:
            g = "补充数据后才能确定"
        out.append(cond(f"innovative_sme.{pname}", f"{label}不低于 {p.value} 分", s, p,
                        value={"min": a, "max": b}, threshold=int(p.value), gap=g))
    d = P["direct_confirmation"].value
    texts = (f"近 {d['award_years']} 年获得国家级或省级科技奖励",
             "拥有有效期内的高新技术企业资格",
             "拥有经认定的省部级以上研发机构",
             f"近 {d['equity_years']} 年新增股权融资总额（实缴）{d['equity_min']} 万元以上")
    have = [t for t, x in zip(texts, res.extra["grounds"][0], strict=True) if x]
    out.append(cond("innovative_sme.direct_confirmation", "直接认定情形",
                    S["innovative_sme.direct_confirmation"], P["direct_confirmation"],
                    value=have or None,
                    detail=("符合：" + "；".join(have)) if have else "不符合任何直接认定情形（可通过评分认定）"))
    return out


def entity_condition(scheme: str, F, P: ParameterSet, s: int) -> Condition:
    """The shared 主体资格 condition of the 梯度培育 schemes, explained."""
    unk = [k for k, c in (("restricted_industry", "restricted"),
                          ("abnormal_operation_listed", "abnormal")) if F[c][0] < 0]
    bad = []
    if not F["mainland"][0]:
        bad.append("非境内注册企业")
    if F["restricted"][0] == 1:
        bad.append("产品（服务）属于禁止、限制或淘汰类")
    if F["abnormal"][0] == 1:
        bad.append("列入经营异常名录或严重失信主体名单")
    return cond(f"{scheme}.eligible_entity", "主体资格（境内注册，非禁止限制类，无异常失信记录）",
                s, P["eligible_entity"],
                gap=("不符合：" + "、".join(bad)) if s == FAIL else
                ("请说明：" + "、".join(map(key_label, unk))) if s == MISSING else None,
                missing=unk if s == MISSING else [])


def _missing_keys(F, on) -> list[str]:
    last = on.year - 1
    out = []
    if not F["ip_given"][0]:
        out.append("ip_rights")
    for fld in ("rd_expense", "operating_revenue", "main_business_revenue",
                "total_liabilities", "total_assets"):
        if not F["h_" + fld][0][2]:
            out.append(f"years[{last}].{fld}")
    if F["op"][0][1] and not F["h_main_business_revenue"][0][1]:
        out.append(f"years[{last - 1}].main_business_revenue")
    if F["strategic"][0] < 0:
        out.append("strategic_emerging_industry")
    return out


def _tips(F, P, parts, last) -> str:
    tips = []
    orv = int(F["m_operating_revenue"][0][2])
    rd = int(F["m_rd_expense"][0][2])
    if F["h_operating_revenue"][0][2] and F["h_rd_expense"][0][2] and orv > 0 and int(parts[2]) < 20:
        b = next(b for b in reversed(P["rd_ratio_bands"].bands) if b.points_min > int(parts[2]))
        short = b.minimum * Fraction(orv, 10**6) - Fraction(rd, 10**6)
        from ._common import wan
        tips.append(f"研发费用再增加 {wan(short)} 万元可达营业收入的 {pct(b.minimum, 0)}（{b.points_min} 分）")
    if int(parts[1]) < 10:
        tips.append("取得与主导产品相关的Ⅰ类知识产权（如发明专利）可得 10–20 分")
    return "；".join(tips) or "提升主营业务占比和增长率"


_ = (money, ratio_value)


def explain_checks(scheme: str, F, P: ParameterSet, res: SchemeResult) -> list[Condition]:
    """Conditions of row 0 for a scheme built from named checks (专精特新, 小巨人): each check
    explains itself, except the shared 主体资格 one."""
    out = []
    for c in res.extra["checks"]:
        if c.id.endswith(".eligible_entity"):
            out.append(entity_condition(scheme, F, P, int(c.status[0])))
        else:
            out.append(c.condition())
    return out
