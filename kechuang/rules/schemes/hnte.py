"""高新技术企业 (hnte): 国科发火〔2016〕32号 第十一条 + 工作指引 国科发火〔2016〕195号.

Eight conditions, all required (``hnte.rd_ratio`` and ``hnte.rd_domestic_share`` are the
two halves of 第十一条（五）). The innovation score is a range: expert-judged items use the
band the enterprise's self-assessment names, or their full span when it names none.
"""

from __future__ import annotations

import datetime as _dt
from fractions import Fraction

import numpy as np

from ..facts import key_label
from ..params import ParameterSet
from ..verdict import Condition, all_of
from ._common import (
    BORDERLINE,
    FAIL,
    MISSING,
    PASS,
    SchemeResult,
    as_float,
    band_points,
    ceil_int,
    cond,
    growth_band,
    money,
    pct,
    ratio_ge,
    ratio_value,
    status,
    sum_window,
    tri_status,
    wan,
    year_keys,
)

SCHEME = "hnte"
CONDITION_IDS = ("hnte.registered_1y", "hnte.ip_ownership", "hnte.high_tech_field",
                 "hnte.tech_staff_ratio", "hnte.rd_ratio", "hnte.rd_domestic_share",
                 "hnte.hitech_revenue_share", "hnte.innovation_score", "hnte.no_incident")
COMPONENT_LABELS = {"ip": "知识产权", "conversion": "科技成果转化能力",
                    "rd_management": "研究开发组织管理水平", "growth": "企业成长性"}


def _judged(band_idx: np.ndarray, table: dict) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) points of a self-assessed band letter; full span (E lo … A hi) if absent."""
    letters = "ABCDE"
    lo_t = np.array([table[c][0] for c in letters] + [table["E"][0]], dtype=np.int64)
    hi_t = np.array([table[c][1] for c in letters] + [table["A"][1]], dtype=np.int64)
    idx = np.where(band_idx < 0, 5, band_idx).astype(np.int64)
    return lo_t[idx], hi_t[idx]


def _rd_threshold(F, P: ParameterSet):
    """Per-row R&D ratio threshold (as numerator/denominator columns) by latest sales."""
    sales_last = F["m_sales_revenue"][:, 2]
    small = P["revenue_small_max"].decimal * 10**6
    medium = P["revenue_medium_max"].decimal * 10**6
    fr = [P["rd_ratio_small"].fraction, P["rd_ratio_medium"].fraction, P["rd_ratio_large"].fraction]
    tier = np.where(sales_last <= int(small), 0, np.where(sales_last <= int(medium), 1, 2))
    num = np.array([f.numerator for f in fr], dtype=np.int64)[tier]
    den = np.array([f.denominator for f in fr], dtype=np.int64)[tier]
    return tier, num, den


def evaluate_columns(F, P: ParameterSet, on: _dt.date) -> SchemeResult:
    """Evaluate every hnte criterion over the feature columns ``F``."""
    S: dict[str, np.ndarray] = {}
    n_op = F["op"].sum(1)

    S["hnte.registered_1y"] = status(F["age_days"] >= int(P["registered_min_days"].value),
                                     F["est_known"])

    ip_T = F["ip1_T"] + F["hip2_T"]
    ip_U = F["ip1_U"] + F["hip2_U"]
    own = np.where(ip_T > 0, PASS, np.where(ip_U > 0, MISSING, FAIL))
    S["hnte.ip_ownership"] = np.where(F["ip_given"], own, MISSING).astype(np.int8)

    S["hnte.high_tech_field"] = tri_status(F["htf"], 1)

    emp, tech = F["employees"], F["tech_staff"]
    S["hnte.tech_staff_ratio"] = status(
        (emp > 0) & ratio_ge(tech, emp, P["tech_staff_ratio"].fraction),
        (emp >= 0) & (tech >= 0))

    rd, rd_ok = sum_window(F, "rd_expense")
    sales, sales_ok = sum_window(F, "sales_revenue")
    tier, tnum, tden = _rd_threshold(F, P)
    rd_pass = (sales > 0) & (n_op > 0) & (rd * tden >= sales * tnum)
    S["hnte.rd_ratio"] = status(rd_pass, rd_ok & sales_ok)

    dom, dom_ok = sum_window(F, "rd_expense_domestic")
    S["hnte.rd_domestic_share"] = status(
        (rd > 0) & ratio_ge(dom, rd, P["rd_domestic_share"].fraction), dom_ok & rd_ok)

    hi, hi_has = F["m_hitech_revenue"][:, 2], F["h_hitech_revenue"][:, 2]
    ti, ti_has = F["m_total_income"][:, 2], F["h_total_income"][:, 2]
    S["hnte.hitech_revenue_share"] = status(
        (ti > 0) & ratio_ge(hi, ti, P["hitech_revenue_share"].fraction), hi_has & ti_has)

    # --- innovation capability (工作指引) ---
    comps: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    judged = P["ip_judgement_bands"].value
    t_lo, t_hi = _judged(F["sa_tech"], judged)
    c_lo, c_hi = _judged(F["sa_core"], judged)
    any_T, any_TU = ip_T > 0, (ip_T + ip_U) > 0
    # quantity: Class I ≥ 1 → A; else Class II bands
    c1 = P["ip_class1_points"].value
    q_lo, _ = band_points(F["hip2_T"], np.ones_like(ip_T), P["ip_class2_bands"].bands)
    _, q_hi = band_points(F["hip2_T"] + F["hip2_U"], np.ones_like(ip_T), P["ip_class2_bands"].bands)
    q_lo = np.where(F["ip1_T"] > 0, c1[0], q_lo)
    q_hi = np.where(F["ip1_T"] + F["ip1_U"] > 0, c1[1], q_hi)
    a_self, a_other = P["ip_acquisition_self"].value, P["ip_acquisition_other"].value
    acq_lo = np.where(any_T, min(a_self[0], a_other[0]), 0)
    acq_hi = np.where(F["hip_self_TU"] > 0, a_self[1], np.where(any_TU, a_other[1], 0))
    bonus = P["ip_standard_bonus"].value
    b_lo = np.where(F["std_part"], bonus[0], 0)
    b_hi = np.where(F["std_part"], bonus[1], 0)
    cap = int(P["ip_max"].value)
    ip_lo = np.minimum(cap, np.where(any_T, t_lo + c_lo, 0) + q_lo + acq_lo + b_lo)
    ip_hi = np.minimum(cap, np.where(any_TU, t_hi + c_hi, 0) + q_hi + acq_hi + b_hi)
    ip_missing = ~F["ip_given"]
    ip_lo = np.where(ip_missing, 0, ip_lo)
    ip_hi = np.where(ip_missing, cap, ip_hi)
    comps["ip"] = (ip_lo, ip_hi)

    conv_bands = P["conversion_bands"].bands
    divisor = np.maximum(n_op, 1)
    cv_lo, cv_hi = band_points(F["conv_sum"], divisor, conv_bands)
    conv_max = conv_bands[0].points_max
    cv_missing = ~F["conv_given"]
    comps["conversion"] = (np.where(cv_missing, 0, cv_lo), np.where(cv_missing, conv_max, cv_hi))

    rdm_max = int(P["rd_management_max"].value)
    comps["rd_management"] = (np.where(F["rdm"] >= 0, F["rdm"], 0).astype(np.int64),
                              np.where(F["rdm"] >= 0, F["rdm"], rdm_max).astype(np.int64))

    g_bands = P["growth_bands"].bands
    g_max = g_bands[0].points_max
    g_lo = np.zeros(len(n_op), dtype=np.int64)
    g_hi = np.zeros(len(n_op), dtype=np.int64)
    g_missing = np.zeros(len(n_op), dtype=bool)
    for fld in ("net_assets", "sales_revenue"):
        v = F["m_" + fld]
        _, complete = sum_window(F, fld)
        y1, y2, y3 = v[:, 0], v[:, 1], v[:, 2]
        three, two = n_op == 3, n_op == 2
        mode_avg = three & (y1 > 0) & (y2 > 0)
        mode_two3 = three & (y1 == 0) & (y2 > 0)
        mode_two2 = two & (y2 > 0)
        ya = np.where(mode_two3, y2, y2)
        yb = y3
        lo, hi = growth_band(mode_avg, mode_two3 | mode_two2, y1, y2, y3, ya, yb, g_bands)
        g_lo += np.where(complete, lo, 0)
        g_hi += np.where(complete, hi, g_max)
        g_missing |= ~complete
    comps["growth"] = (g_lo, g_hi)

    s_lo = sum(c[0] for c in comps.values())
    s_hi = sum(c[1] for c in comps.values())
    need = int(P["innovation_pass_score"].value)
    S["hnte.innovation_score"] = _innovation_status(s_lo, s_hi, need,
                                                    ip_missing | cv_missing | g_missing)

    S["hnte.no_incident"] = tri_status(F["incident"], 0)
    S = {k: S[k] for k in CONDITION_IDS}
    return SchemeResult(statuses=S, components=comps, score=(s_lo, s_hi),
                        expr=all_of(*CONDITION_IDS),
                        extra={"tier": tier, "ip_missing": ip_missing, "cv_missing": cv_missing,
                               "g_missing": g_missing})


def _innovation_status(lo, hi, need, missing):
    s = np.where(lo >= need, PASS, np.where(hi < need, FAIL, BORDERLINE))
    return np.where(missing & (s != FAIL), MISSING, s).astype(np.int8)


# --- explanation (single case) -------------------------------------------------------

def explain(F, P: ParameterSet, on: _dt.date, res: SchemeResult) -> list[Condition]:
    """Conditions of row 0 with value, threshold, citation and an actionable gap."""
    S = {k: int(v[0]) for k, v in res.statuses.items()}
    out: list[Condition] = []
    W = [on.year - 3, on.year - 2, on.year - 1]
    n_op = int(F["op"][0].sum())
    win_years = [W[c] for c in range(3) if F["op"][0][c]]
    win_text = "、".join(str(y) for y in win_years) or "无"

    # 1 registered
    p = P["registered_min_days"]
    s = S["hnte.registered_1y"]
    age = int(F["age_days"][0])
    gap = None
    if s == FAIL:
        ready = on + _dt.timedelta(days=int(p.value) - age)
        gap = f"成立满一年后方可申报：最早 {ready.isoformat()}（还需 {int(p.value) - age} 天）"
    elif s == MISSING:
        gap = "请填写注册成立日期"
    out.append(cond("hnte.registered_1y", "注册成立一年以上", s, p,
                    value=age if F["est_known"][0] else None, threshold=int(p.value),
                    gap=gap, missing=["established_on"] if s == MISSING else [],
                    detail=f"已成立 {age} 天" if F["est_known"][0] else None))

    # 2 IP ownership
    p = P["ip_ownership"]
    s = S["hnte.ip_ownership"]
    n_t = int(F["ip1_T"][0] + F["hip2_T"][0])
    n_u = int(F["ip1_U"][0] + F["hip2_U"][0])
    gap = {FAIL: "需至少 1 项对主要产品（服务）发挥核心支持作用的有效知识产权（自主研发、受让、受赠或并购取得；已用于以往高企申报的Ⅱ类知识产权不能再用）",
           MISSING: ("请注明知识产权是否支撑主要产品（core）" if F["ip_given"][0]
                     else "请填写知识产权清单")}.get(s)
    out.append(cond("hnte.ip_ownership", "拥有核心支持主要产品的知识产权", s, p,
                    value=n_t, threshold=1, gap=gap,
                    detail=f"可用于本次申报的核心知识产权 {n_t} 项（Ⅰ类 {int(F['ip1_T'][0])} 项）"
                    + (f"，另有 {n_u} 项未注明是否核心" if n_u else ""),
                    missing=(["ip_rights[].core"] if F["ip_given"][0] else ["ip_rights"])
                    if s == MISSING else []))

    # 3 high-tech field
    p = P["high_tech_field"]
    s = S["hnte.high_tech_field"]
    out.append(cond("hnte.high_tech_field", "核心技术属于国家重点支持的高新技术领域", s, p,
                    value=None, threshold=None,
                    gap={FAIL: "核心技术不在《国家重点支持的高新技术领域》内，需调整主营产品或技术方向",
                         MISSING: "请填写核心技术所属的高新技术领域"}.get(s),
                    missing=["high_tech_field"] if s == MISSING else []))

    # 4 tech staff
    p = P["tech_staff_ratio"]
    s = S["hnte.tech_staff_ratio"]
    emp, tech = int(F["employees"][0]), int(F["tech_staff"][0])
    r = ratio_value(tech, emp) if emp >= 0 and tech >= 0 else None
    gap = None
    if s == FAIL:
        need = ceil_int(p.fraction * emp) if emp > 0 else 1
        gap = f"还需 {need - tech} 名科技人员（按现有职工 {emp} 人计，科技人员需达到 {need} 人）"
    elif s == MISSING:
        gap = "请填写职工总数和科技人员数"
    out.append(cond("hnte.tech_staff_ratio", "科技人员占职工总数比例", s, p,
                    value=as_float(r), threshold=float(p.value), gap=gap,
                    detail=f"科技人员 {tech} 人 / 职工 {emp} 人 = {pct(r)}" if r is not None else None,
                    missing=[k for k, v in (("employees", emp), ("tech_staff", tech)) if v < 0]))

    # 5a R&D ratio
    tier = int(res.extra["tier"][0])
    p = P[("rd_ratio_small", "rd_ratio_medium", "rd_ratio_large")[tier]]
    s = S["hnte.rd_ratio"]
    rd, _ = sum_window(F, "rd_expense")
    sales, _ = sum_window(F, "sales_revenue")
    rd_d, sales_d = money(rd[0]), money(sales[0])
    r = ratio_value(rd[0], sales[0])
    gap = None
    if s == FAIL:
        if int(sales[0]) <= 0:
            gap = f"近三个会计年度（{win_text}）无销售收入，无法满足研发费用比例要求"
        else:
            short = p.fraction * Fraction(int(sales[0]), 10**6) - Fraction(int(rd[0]), 10**6)
            gap = f"近三年研发费用还差 {wan(short)} 万元（{win_text} 年合计需达到销售收入的 {pct(p.fraction, 0)}）"
    elif s == MISSING:
        gap = "请补充近三个会计年度的研发费用和销售收入"
    tier_text = ("最近一年销售收入不超过 5,000 万元", "最近一年销售收入 5,000 万元至 2 亿元",
                 "最近一年销售收入超过 2 亿元")[tier]
    lacking = year_keys(on, F, "rd_expense") + year_keys(on, F, "sales_revenue")
    lacking_years = sorted({k[6:10] for k in lacking})
    if lacking_years:  # never call a partial sum "三年合计": say which years are missing
        given = [str(y) for y in win_years if str(y) not in lacking_years]
        detail = (f"缺少 {'、'.join(lacking_years)} 年的研发费用或销售收入数据"
                  + (f"；已填 {'、'.join(given)} 年研发费用 {rd_d.normalize():f} 万元、销售收入 "
                     f"{sales_d.normalize():f} 万元" if given else ""))
        gap = f"请补充 {'、'.join(lacking_years)} 年的研发费用和销售收入" if s == MISSING else gap
    else:
        detail = (f"{win_text} 年研发费用合计 {rd_d.normalize():f} 万元 / 销售收入合计 "
                  f"{sales_d.normalize():f} 万元 = {pct(r, 2)}；{tier_text}，要求 ≥ {pct(p.fraction, 0)}"
                  + ("（实际经营不足三年，按实际经营期计算）" if n_op < 3 else ""))
    out.append(cond("hnte.rd_ratio", "近三年研发费用占销售收入比例", s, p,
                    value=as_float(r), threshold=float(p.value), gap=gap, detail=detail, missing=lacking))

    # 5b domestic R&D
    p = P["rd_domestic_share"]
    s = S["hnte.rd_domestic_share"]
    dom, _ = sum_window(F, "rd_expense_domestic")
    r = ratio_value(dom[0], rd[0])
    gap = None
    if s == FAIL:
        if int(rd[0]) <= 0:
            gap = "近三年无研发费用"
        else:
            short = p.fraction * Fraction(int(rd[0]), 10**6) - Fraction(int(dom[0]), 10**6)
            gap = f"境内研发费用还差 {wan(short)} 万元（需占全部研发费用的 {pct(p.fraction, 0)}）"
    elif s == MISSING:
        gap = "请补充近三年的境内研发费用"
    out.append(cond("hnte.rd_domestic_share", "境内研发费用占全部研发费用比例", s, p,
                    value=as_float(r), threshold=float(p.value), gap=gap,
                    detail=(f"境内研发费用合计 {money(dom[0]).normalize():f} 万元 / 研发费用合计 "
                            f"{rd_d.normalize():f} 万元 = {pct(r)}") if r is not None and s != MISSING else None,
                    missing=year_keys(on, F, "rd_expense_domestic") + year_keys(on, F, "rd_expense")))

    # 6 hitech revenue
    p = P["hitech_revenue_share"]
    s = S["hnte.hitech_revenue_share"]
    hi, ti = int(F["m_hitech_revenue"][0][2]), int(F["m_total_income"][0][2])
    r = ratio_value(hi, ti)
    gap = None
    if s == FAIL:
        if ti <= 0:
            gap = f"{W[2]} 年总收入为 0"
        else:
            short = p.fraction * Fraction(ti, 10**6) - Fraction(hi, 10**6)
            gap = f"{W[2]} 年高新技术产品（服务）收入还差 {wan(short)} 万元（需占总收入的 {pct(p.fraction, 0)}）"
    elif s == MISSING:
        gap = f"请补充 {W[2]} 年的高新技术产品（服务）收入和总收入"
    out.append(cond("hnte.hitech_revenue_share", "近一年高新技术产品（服务）收入占总收入比例", s, p,
                    value=as_float(r), threshold=float(p.value), gap=gap,
                    detail=(f"{W[2]} 年高新技术产品（服务）收入 {money(hi).normalize():f} 万元 / 总收入 "
                            f"{money(ti).normalize():f} 万元 = {pct(r)}") if r is not None and s != MISSING else None,
                    missing=[k for k, c in ((f"years[{W[2]}].hitech_revenue", "h_hitech_revenue"),
                                            (f"years[{W[2]}].total_income", "h_total_income"))
                             if not F[c][0][2]]))

    # 7 innovation score
    p = P["innovation_pass_score"]
    s = S["hnte.innovation_score"]
    lo, hi_ = int(res.score[0][0]), int(res.score[1][0])
    need = int(p.value)
    parts = "，".join(f"{COMPONENT_LABELS[k]} {int(v[0][0])}–{int(v[1][0])} 分"
                     for k, v in res.components.items())
    missing_keys = []
    if res.extra["ip_missing"][0]:
        missing_keys.append("ip_rights")
    if res.extra["cv_missing"][0]:
        missing_keys.append("conversions")
    if res.extra["g_missing"][0]:
        missing_keys += year_keys(on, F, "net_assets") + year_keys(on, F, "sales_revenue")
    headroom = _best_headroom(res, P)
    if s == FAIL:
        gap = f"创新能力评价最高约 {hi_} 分，还差至少 {need - hi_} 分；{headroom}"
    elif s == BORDERLINE:
        gap = f"创新能力评价预计 {lo}–{hi_} 分，是否达到 {need} 分取决于专家评判；{headroom}"
    elif s == MISSING:
        gap = "补充数据后才能确定创新能力评价得分（缺：" + "、".join(map(key_label, missing_keys)) + "）"
    else:
        gap = None
    out.append(cond("hnte.innovation_score", "企业创新能力评价得分", s, p,
                    value={"min": lo, "max": hi_}, threshold=need, gap=gap,
                    detail=parts, missing=missing_keys))

    # 8 incident
    p = P["no_incident"]
    s = S["hnte.no_incident"]
    out.append(cond("hnte.no_incident", "申请前一年内无重大安全、质量事故或严重环境违法行为", s, p,
                    gap={FAIL: "申请前一年内发生过重大安全、质量事故或严重环境违法行为，需满一年后再申报",
                         MISSING: "请说明近一年是否发生重大安全、质量事故或严重环境违法行为"}.get(s),
                    missing=["incident_last_year"] if s == MISSING else []))
    return out


def _best_headroom(res: SchemeResult, P: ParameterSet) -> str:
    """Suggest where points are easiest to gain (component with most room)."""
    maxima = {"ip": int(P["ip_max"].value),
              "conversion": P["conversion_bands"].bands[0].points_max,
              "rd_management": int(P["rd_management_max"].value),
              "growth": 2 * P["growth_bands"].bands[0].points_max}
    room = {k: maxima[k] - int(v[1][0]) for k, v in res.components.items()}
    k = max(room, key=lambda x: room[x])
    tips = {"ip": "优先增加与主要产品相关的Ⅰ类知识产权（如发明专利）",
            "conversion": "加强科技成果转化，近三年年均转化 5 项以上可得 25–30 分",
            "rd_management": "完善研发组织管理：研发费用辅助账、研发机构、产学研合作、成果转化激励和人才制度",
            "growth": "净资产和销售收入的增长率是成长性得分的依据"}
    return f"提分空间最大的是“{COMPONENT_LABELS[k]}”（还有 {room[k]} 分空间）：{tips[k]}"
