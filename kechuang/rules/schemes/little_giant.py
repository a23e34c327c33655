"""专精特新“小巨人”企业 (little_giant): 2022 暂行办法 before 2026-04-01, 2026 办法 after.

2022 (工信部企业〔2022〕63号 第九条): 专 niche ≥ 3 years, main business ≥ 70 %, 2-year
main-business growth ≥ 5 %, debt ratio ≤ 70 %; 特 market share ≥ 10 %; 新 R&D intensity by
revenue band, own R&D institution, ≥ 2 Class I rights. 2026 [S]: see the YAML file.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..params import ParameterSet
from ..verdict import Condition, all_of
from . import _ladder as L
from ._common import (
    FAIL,
    MISSING,
    PASS,
    SchemeResult,
    growth_avg_ge,
    growth_two_ge,
    money,
    pct,
    ratio_ge,
    status,
    wan,
)
from .innovative_sme import entity_status, explain_checks

SCHEME = "little_giant"


def _i(x) -> int:
    return int(Decimal(str(x)) * 10**6)


def _fr(x) -> Fraction:
    return Fraction(Decimal(str(x)))


def _growth(F, p, on) -> L.Check:
    spec = p.value
    t = _fr(spec["rate"])
    mb, h = F["m_main_business_revenue"], F["h_main_business_revenue"]
    op = F["op"]
    existed = op.all(1)
    known = (h | ~op).all(1)
    y1, y2, y3 = mb[:, 0], mb[:, 1], mb[:, 2]
    if spec["formula"] == "average":
        ok = existed & (y1 > 0) & (y2 > 0) & growth_avg_ge(y1, y2, y3, t)
        label = f"近两年主营业务收入平均增长率不低于 {pct(t, 0)}"
    else:
        ok = existed & (y1 > 0) & growth_two_ge(y1, y3, (1 + t) ** 2 - 1)
        label = f"近两年主营业务收入复合增长率不低于 {pct(t, 0)}"
    s = status(ok, known)
    W = [on.year - 3, on.year - 2, on.year - 1]

    def ex():
        st = int(s[0])
        a, b, c = (Fraction(int(v), 10**6) for v in (y1[0], y2[0], y3[0]))
        g = None
        if existed[0] and a > 0 and b > 0:
            g = (b / a + c / b) / 2 - 1 if spec["formula"] == "average" else None
        gap = None
        if st == FAIL:
            if not existed[0]:
                gap = "成立不足三个会计年度，无法计算近两年增长率"
            elif spec["formula"] == "compound" and a > 0:
                gap = f"{W[2]} 年主营业务收入需达到 {wan((1 + t) ** 2 * a)} 万元（还差 {wan((1 + t) ** 2 * a - c)} 万元）"
            else:
                gap = f"主营业务收入增长率需不低于 {pct(t, 0)}" + (f"（目前 {pct(g)}）" if g is not None else "")
        elif st == MISSING:
            gap = f"请补充 {W[0]}–{W[2]} 年主营业务收入"
        return {"value": None if g is None else round(float(g), 4), "threshold": float(t), "gap": gap,
                "missing": [f"years[{W[k]}].main_business_revenue" for k in range(3)
                            if op[0][k] and not h[0][k]] if st == MISSING else []}
    return L.Check("little_giant.growth", label, s, p, ex)


def _market(F, p) -> L.Check:
    v = p.value
    share_ok = (F["mshare"] >= 0) & (F["mshare"] >= _i(v["share"]))
    rank = v.get("rank")
    ok = share_ok
    known = F["mshare"] >= 0
    if rank is not None:
        ok = ok | ((F["mrank"] > 0) & (F["mrank"] <= int(rank)))
        known = known | (F["mrank"] > 0)
    s = np.where(ok, PASS, np.where(known, FAIL, MISSING)).astype(np.int8)
    label = f"主导产品细分市场占有率不低于 {pct(_fr(v['share']), 0)}" + (f"或国内排名前 {rank}" if rank else "")

    def ex():
        st = int(s[0])
        share = money(F["mshare"][0]) if F["mshare"][0] >= 0 else None
        return {"value": {"share": None if share is None else float(share),
                          "rank": int(F["mrank"][0]) if F["mrank"][0] > 0 else None},
                "threshold": {"share": float(v["share"]), "rank": rank},
                "gap": (f"市场占有率需提升到 {pct(_fr(v['share']), 0)} 以上" if st == FAIL else
                        "请填写主导产品细分市场占有率" if st == MISSING else None),
                "missing": ["main_product_market_share"] if st == MISSING else []}
    return L.Check("little_giant.market_position", label, s, p, ex)


def _rd_2022(F, p, on) -> L.Check:
    v = p.value
    orv, orv_h = F["m_operating_revenue"][:, 2], F["h_operating_revenue"][:, 2]
    large = orv >= _i(v["large_revenue"])
    medium = ~large & (orv >= _i(v["medium_revenue"]))
    big = L.rd_each_year("x", F, p, on, ratio=v["large_ratio"])
    mid = L.rd_each_year("x", F, p, on, ratio=v["medium_ratio"])
    eq2 = (F["m_equity_financing"][:, 1:] * F["op"][:, 1:]).sum(1)
    rd2 = (F["m_rd_expense"][:, 1:] * F["op"][:, 1:]).sum(1)
    rd2_known = (F["h_rd_expense"][:, 1:] | ~F["op"][:, 1:]).all(1)
    staff_known = (F["rd_staff"] >= 0) & (F["employees"] >= 0)
    staff_ok = (F["employees"] > 0) & ratio_ge(F["rd_staff"], F["employees"], _fr(v["small_rd_staff"]))
    sm_ok = (eq2 >= _i(v["small_equity"])) & (rd2 >= _i(v["small_rd"])) & staff_ok
    sm_fail = (rd2_known & (rd2 < _i(v["small_rd"]))) | (staff_known & ~staff_ok) | (eq2 < _i(v["small_equity"]))
    sm = np.where(sm_ok, PASS, np.where(sm_fail, FAIL, MISSING))
    s = np.where(large, big.status, np.where(medium, mid.status, sm))
    s = np.where(orv_h, s, MISSING).astype(np.int8)

    def ex():
        st = int(s[0])
        if not orv_h[0]:
            return {"gap": f"请填写 {on.year - 1} 年营业收入", "missing": [f"years[{on.year - 1}].operating_revenue"]}
        if large[0] or medium[0]:
            d = (big if large[0] else mid).explain()
            d["detail"] = ("营业收入 1 亿元以上：" if large[0] else "营业收入 5000 万–1 亿元：") + (d.get("detail") or "")
            return d
        gaps = []
        if eq2[0] < _i(v["small_equity"]):
            gaps.append(f"近两年新增股权融资还差 {wan(Decimal(str(v['small_equity'])) - money(eq2[0]))} 万元")
        if rd2[0] < _i(v["small_rd"]):
            gaps.append(f"近两年研发费用还差 {wan(Decimal(str(v['small_rd'])) - money(rd2[0]))} 万元")
        if staff_known[0] and not staff_ok[0]:
            need = -(-int(F["employees"][0]) * _fr(v["small_rd_staff"]).numerator // _fr(v["small_rd_staff"]).denominator)
            gaps.append(f"还需 {need - int(F['rd_staff'][0])} 名研发人员")
        return {"detail": "营业收入 5000 万元以下：需近两年股权融资 8000 万元以上、研发费用 3000 万元以上且研发人员占比 50% 以上",
                "gap": "；".join(gaps) if st == FAIL else ("请补充研发人员数和近两年研发费用" if st == MISSING else None),
                "missing": (["rd_staff", "employees"] if st == MISSING else [])}
    return L.Check("little_giant.rd", "研发投入（按营业收入分档）", s, p, ex)


def _rd_2026(F, p, on) -> L.Check:
    v = p.value
    each = L.rd_each_year("x", F, p, on, ratio=v["ratio"])
    rd2 = (F["m_rd_expense"][:, 1:] * F["op"][:, 1:]).sum(1)
    rd2_known = (F["h_rd_expense"][:, 1:] | ~F["op"][:, 1:]).all(1)
    tot_ok = rd2 >= _i(v["total_2y"])
    s = np.where((each.status == PASS) & tot_ok, PASS,
                 np.where((each.status == FAIL) | (rd2_known & ~tot_ok), FAIL, MISSING)).astype(np.int8)

    def ex():
        d = each.explain()
        gaps = [d["gap"]] if d.get("gap") and int(s[0]) == FAIL and int(each.status[0]) == FAIL else []
        if not tot_ok[0] and rd2_known[0]:
            gaps.append(f"近两年研发费用合计还差 {wan(Decimal(str(v['total_2y'])) - money(rd2[0]))} 万元")
        if int(s[0]) == FAIL:
            d["gap"] = "；".join(gaps)
        return d
    return L.Check("little_giant.rd", f"近两年研发费用合计 {v['total_2y']} 万元以上且每年占营业收入 {pct(_fr(v['ratio']), 0)} 以上",
                   s, p, ex)


def _institution(F, p) -> L.Check:
    s = np.where(F["inst_any"], PASS, np.where(F["inst_given"], FAIL, MISSING)).astype(np.int8)

    def ex():
        st = int(s[0])
        return {"gap": ("需自建或与高校、科研机构联合建立研发机构" if st == FAIL else
                        "请填写研发机构情况" if st == MISSING else None),
                "missing": ["rd_institutions"] if st == MISSING else []}
    return L.Check("little_giant.rd_institution", "自建或联合建立研发机构", s, p, ex)


def _checks(F, P: ParameterSet, on: _dt.date) -> list:
    last = on.year - 1
    if P.version.id.startswith("little-giant-2022"):
        return [
            L.Check("little_giant.eligible_entity", "主体资格", entity_status(F), P["eligible_entity"], dict),
            L.niche("little_giant.niche_market", F, P["niche_years"]),
            L.main_share("little_giant.main_business_share", F, P["main_share_min"], last),
            _growth(F, P["growth_min"], on),
            L.debt_ratio("little_giant.debt_ratio", F, P["debt_ratio_max"], last),
            _market(F, P["market"]),
            _rd_2022(F, P["rd"], on),
            _institution(F, P["rd_institution"]),
            L.class1_ip("little_giant.class1_ip", F, P["class1_ip_min"],
                        int(P["class1_ip_min"].value["count"])),
        ]
    spec = P["class1_ip_min"].value
    waiver = (F["aw_nat_r3"] > 0) if spec.get("award_waiver") else None
    return [
        L.prerequisite("little_giant.prerequisite", F, P["prerequisite"]),
        L.niche("little_giant.niche_market", F, P["niche_years"]),
        L.revenue_min("little_giant.revenue", F, P["revenue_min"], last),
        L.main_share("little_giant.main_business_share", F, P["main_share_min"], last),
        _growth(F, P["growth_min"], on),
        L.debt_ratio("little_giant.debt_ratio", F, P["debt_ratio_max"], last),
        _rd_2026(F, P["rd"], on),
        L.class1_ip("little_giant.class1_ip", F, P["class1_ip_min"], int(spec["count"]), waiver),
        _market(F, P["market"]),
        L.given_score("little_giant.score", F, "score_lg", P["pass_score"], "little_giant"),
    ]


def evaluate_columns(F, P: ParameterSet, on: _dt.date) -> SchemeResult:
    """Evaluate every little_giant criterion (version in force on ``on``) over ``F``."""
    checks = _checks(F, P, on)
    S = {c.id: c.status for c in checks}
    return SchemeResult(statuses=S, components={}, score=None, expr=all_of(*S),
                        extra={"checks": checks})


def explain(F, P: ParameterSet, on: _dt.date, res: SchemeResult) -> list[Condition]:
    """Conditions of row 0 with value, threshold, citation and an actionable gap."""
    return explain_checks(SCHEME, F, P, res)


_ = (FAIL, MISSING)
