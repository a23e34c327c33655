"""科技型中小企业 (tsme): 《科技型中小企业评价办法》国科发政〔2017〕115号.

Conditions 1–4 must hold, and then either the score (≥ 60 with the 科技人员 indicator not
0) or a direct-confirmation ground. Figures are those of the last fiscal year (Y−1).
The enterprise may pick either R&D ratio; the self-check takes the higher one.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from ..facts import key_label
from ..params import ParameterSet
from ..verdict import Condition, all_of, any_of
from ._common import (
    FAIL,
    MISSING,
    PASS,
    SchemeResult,
    as_float,
    band_points,
    ceil_int,
    cond,
    money,
    pct,
    ratio_value,
    status,
    tri_status,
)

SCHEME = "tsme"
CONDITION_IDS = ("tsme.mainland_resident", "tsme.size_limits", "tsme.industry_allowed",
                 "tsme.clean_record", "tsme.score", "tsme.direct_confirmation")
COMPONENT_LABELS = {"tech_staff": "科技人员", "rd": "研发投入", "ip": "科技成果"}


def evaluate_columns(F, P: ParameterSet, on: _dt.date) -> SchemeResult:
    """Evaluate every tsme criterion over the feature columns ``F``."""
    n = F["employees"].shape[0]
    Y = on.year
    S: dict[str, np.ndarray] = {}
    S["tsme.mainland_resident"] = status(F["mainland"])

    emp = F["employees"]
    sales, sales_h = F["m_sales_revenue"][:, 2], F["h_sales_revenue"][:, 2]
    assets, assets_h = F["m_total_assets"][:, 2], F["h_total_assets"][:, 2]
    over = ((emp >= 0) & (emp > int(P["max_employees"].value))) | \
        (sales_h & (sales > int(P["max_sales_revenue"].decimal * 10**6))) | \
        (assets_h & (assets > int(P["max_total_assets"].decimal * 10**6)))
    known = (emp >= 0) & sales_h & assets_h
    S["tsme.size_limits"] = np.where(over, FAIL, np.where(known, PASS, MISSING)).astype(np.int8)

    S["tsme.industry_allowed"] = tri_status(F["restricted"], 0)

    flags = np.stack([F["incident"], F["dishonesty"], F["abnormal"]])
    S["tsme.clean_record"] = np.where((flags == 1).any(0), FAIL,
                                      np.where((flags == 0).all(0), PASS, MISSING)).astype(np.int8)

    # --- score ---
    tech = F["tech_staff"]
    tk = (emp >= 0) & (tech >= 0)
    t_lo, _ = band_points(tech, emp, P["tech_staff_bands"].bands)
    tech_max = P["tech_staff_bands"].bands[0].points_max
    comps = {"tech_staff": (np.where(tk, t_lo, 0), np.where(tk, t_lo, tech_max))}

    rd, rd_h = F["m_rd_expense"][:, 2], F["h_rd_expense"][:, 2]
    cost, cost_h = F["m_cost_expense_total"][:, 2], F["h_cost_expense_total"][:, 2]
    p1, _ = band_points(rd, sales, P["rd_sales_bands"].bands)
    p2, _ = band_points(rd, cost, P["rd_cost_bands"].bands)
    p1 = np.where(sales_h, p1, -1)
    p2 = np.where(cost_h, p2, -1)
    best = np.maximum(p1, p2)
    rd_known = rd_h & (best >= 0)
    rd_max = P["rd_sales_bands"].bands[0].points_max
    comps["rd"] = (np.where(rd_known, best, 0), np.where(rd_known, best, rd_max))

    c1 = int(P["ip_class1_points"].value)
    ones = np.ones(n, dtype=np.int64)
    i_lo, _ = band_points(F["ip2_T"], ones, P["ip_class2_bands"].bands)
    i_hi, _ = band_points(F["ip2_T"] + F["ip2_U"], ones, P["ip_class2_bands"].bands)
    i_lo = np.where(F["ip1_T"] > 0, c1, i_lo)
    i_hi = np.where(F["ip1_T"] + F["ip1_U"] > 0, c1, i_hi)
    comps["ip"] = (np.where(F["ip_given"], i_lo, 0), np.where(F["ip_given"], i_hi, c1))

    lo = comps["tech_staff"][0] + comps["rd"][0] + comps["ip"][0]
    hi = comps["tech_staff"][1] + comps["rd"][1] + comps["ip"][1]
    need = int(P["pass_score"].value)
    tech_zero = comps["tech_staff"][1] == 0
    sc = np.where(tech_zero | (hi < need), FAIL,
                  np.where(lo >= need, PASS, MISSING))
    S["tsme.score"] = sc.astype(np.int8)

    d = P["direct_confirmation"].value
    grounds = np.stack([
        F["q_hnte"],
        (F["aw_nat_r3"] > 0) & (F["aw_nat_r3"] >= Y - int(d["award_years"])),
        F["inst_prov"],
        (F["std_lead_year"] > 0) & (F["std_lead_year"] >= Y - int(d["standard_years"])),
    ])
    S["tsme.direct_confirmation"] = status(grounds.any(0))
    expr = all_of("tsme.mainland_resident", "tsme.size_limits", "tsme.industry_allowed",
                  "tsme.clean_record", any_of("tsme.score", "tsme.direct_confirmation"))
    return SchemeResult(statuses=S, components=comps, score=(lo, hi), expr=expr,
                        extra={"grounds": grounds.T, "p_sales": p1, "p_cost": p2})


def explain(F, P: ParameterSet, on: _dt.date, res: SchemeResult) -> list[Condition]:
    """Conditions of row 0 with value, threshold, citation and an actionable gap."""
    S = {k: int(v[0]) for k, v in res.statuses.items()}
    last = on.year - 1
    out: list[Condition] = []
    out.append(cond("tsme.mainland_resident", "在中国境内（不含港澳台）注册的居民企业",
                    S["tsme.mainland_resident"], P["mainland_resident"],
                    value=bool(F["mainland"][0]), threshold=True,
                    gap="仅境内（不含港澳台）注册的居民企业可参加评价"
                    if S["tsme.mainland_resident"] == FAIL else None))

    emp = int(F["employees"][0])
    sales = F["m_sales_revenue"][0][2] if F["h_sales_revenue"][0][2] else None
    assets = F["m_total_assets"][0][2] if F["h_total_assets"][0][2] else None
    s = S["tsme.size_limits"]
    problems, missing = [], []
    if emp < 0:
        missing.append("employees")
    elif emp > int(P["max_employees"].value):
        problems.append(f"职工总数 {emp} 人超过 {P['max_employees'].value} 人")
    for key, v, p, what in ((f"years[{last}].sales_revenue", sales, P["max_sales_revenue"], "年销售收入"),
                            (f"years[{last}].total_assets", assets, P["max_total_assets"], "资产总额")):
        if v is None:
            missing.append(key)
        elif money(v) > p.decimal:
            problems.append(f"{last} 年{what} {money(v).normalize():f} 万元超过 {p.value} 万元")
    gap = ("超出科技型中小企业规模上限：" + "；".join(problems)) if s == FAIL else \
        ("请补充：" + "、".join(map(key_label, missing))) if s == MISSING else None
    out.append(cond("tsme.size_limits", "职工总数不超过 500 人、年销售收入和资产总额均不超过 2 亿元",
                    s, P["max_employees"], value={"employees": emp if emp >= 0 else None,
                                                  "sales_revenue": money(sales) if sales is not None else None,
                                                  "total_assets": money(assets) if assets is not None else None},
                    threshold={"employees": 500, "sales_revenue": 20000, "total_assets": 20000},
                    gap=gap, missing=missing if s == MISSING else []))

    s = S["tsme.industry_allowed"]
    out.append(cond("tsme.industry_allowed", "产品和服务不属于禁止、限制和淘汰类", s,
                    P["industry_allowed"],
                    gap={FAIL: "产品或服务属于国家禁止、限制或淘汰类，不能参加评价",
                         MISSING: "请说明产品和服务是否属于禁止、限制或淘汰类"}.get(s),
                    missing=["restricted_industry"] if s == MISSING else []))

    s = S["tsme.clean_record"]
    names = {"incident": ("incident_last_year", "重大安全、质量事故或严重环境违法"),
             "dishonesty": ("serious_dishonesty", "科研严重失信"),
             "abnormal": ("abnormal_operation_listed", "列入经营异常名录或严重违法失信企业名单")}
    bad = [t for k, (_, t) in names.items() if F[k][0] == 1]
    unk = [key for k, (key, _) in names.items() if F[k][0] < 0]
    out.append(cond("tsme.clean_record", "无重大事故、严重失信和经营异常记录", s, P["clean_record"],
                    gap=("存在：" + "、".join(bad) + "，需消除后再申请") if s == FAIL else
                    ("请说明：" + "、".join(map(key_label, unk))) if s == MISSING else None,
                    missing=unk if s == MISSING else []))

    s = S["tsme.score"]
    lo, hi = int(res.score[0][0]), int(res.score[1][0])
    need = int(P["pass_score"].value)
    comp = {k: (int(v[0][0]), int(v[1][0])) for k, v in res.components.items()}
    detail = "，".join(f"{COMPONENT_LABELS[k]} {a} 分" if a == b else f"{COMPONENT_LABELS[k]} {a}–{b} 分"
                      for k, (a, b) in comp.items())
    tech = int(F["tech_staff"][0])
    missing = []
    if emp < 0:
        missing.append("employees")
    if tech < 0:
        missing.append("tech_staff")
    if not F["h_rd_expense"][0][2]:
        missing.append(f"years[{last}].rd_expense")
    if not F["h_sales_revenue"][0][2] and not F["h_cost_expense_total"][0][2]:
        missing.append(f"years[{last}].sales_revenue")
    if not F["ip_given"][0]:
        missing.append("ip_rights")
    tips = _score_tips(F, P, comp)
    if s == FAIL and comp["tech_staff"][1] == 0:
        gap = "科技人员指标得分为 0（科技人员不足职工总数的 10%）不能入库；" + tips
    elif s == FAIL:
        gap = f"评价得分最高 {hi} 分，还差 {need - hi} 分；" + tips
    elif s == MISSING:
        gap = "补充数据后才能确定评价得分" + (f"（缺：{'、'.join(map(key_label, missing))}）" if missing else "（请注明知识产权是否与主要产品相关）")
    else:
        gap = None
    out.append(cond("tsme.score", "综合评价得分 60 分以上且科技人员指标得分不为 0", s, P["pass_score"],
                    value={"min": lo, "max": hi}, threshold=need, gap=gap, detail=detail,
                    missing=missing if s == MISSING else []))

    s = S["tsme.direct_confirmation"]
    d = P["direct_confirmation"].value
    g = res.extra["grounds"][0]
    texts = ("拥有有效期内的高新技术企业资格证书",
             f"近 {d['award_years']} 年内获得过国家级科技奖励并在获奖单位中排名前 {d['award_rank']}",
             "拥有经认定的省部级以上研发机构",
             f"近 {d['standard_years']} 年内主导制定过国际标准、国家标准或行业标准")
    have = [t for t, x in zip(texts, g, strict=True) if x]
    out.append(cond("tsme.direct_confirmation", "直接确认情形", s, P["direct_confirmation"],
                    value=have or None, threshold=None,
                    detail=("符合：" + "；".join(have)) if have else "不符合任何直接确认情形（可通过评分入库）",
                    gap=None))
    return out


def _score_tips(F, P, comp) -> str:
    tips = []
    emp, tech = int(F["employees"][0]), int(F["tech_staff"][0])
    bands = P["tech_staff_bands"].bands
    if emp > 0 and tech >= 0 and comp["tech_staff"][0] < bands[0].points_max:
        nxt = next(b for b in reversed(bands) if b.points_min > comp["tech_staff"][0])
        need = ceil_int(nxt.minimum * emp)
        tips.append(f"科技人员增加 {need - tech} 人可达 {pct(nxt.minimum, 0)}（{nxt.points_min} 分）")
    if F["h_rd_expense"][0][2] and F["h_sales_revenue"][0][2] and comp["rd"][0] < 50:
        sales = int(F["m_sales_revenue"][0][2])
        rd = int(F["m_rd_expense"][0][2])
        if sales > 0:
            rb = P["rd_sales_bands"].bands
            nxt = next(b for b in reversed(rb) if b.points_min > comp["rd"][0])
            from fractions import Fraction
            short = nxt.minimum * Fraction(sales, 10**6) - Fraction(rd, 10**6)
            if short > 0:
                from ._common import wan
                tips.append(f"研发费用再增加 {wan(short)} 万元可达销售收入的 {pct(nxt.minimum, 0)}（{nxt.points_min} 分）")
    if comp["ip"][0] < 30:
        tips.append("取得 1 项Ⅰ类知识产权（如发明专利）可得 30 分")
    return "；".join(tips) if tips else ""


_ = (as_float, ratio_value)
