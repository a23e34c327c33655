"""Checks shared by the 专精特新 and 小巨人 schemes (both versions).

Each builder returns a :class:`Check`: the status column for the whole population plus
a function that explains row 0 (value, threshold, gap) for the single-case report.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..facts import key_label
from ..params import Param
from ..verdict import Condition
from ._common import FAIL, MISSING, PASS, as_float, cond, money, pct, ratio_ge, ratio_value, status, wan

QUAL_FEATURE = {"hnte": "q_hnte", "tsme": "q_tsme", "innovative_sme": "q_innov",
                "srdi_sme": "q_srdi", "little_giant": "q_lg"}
QUAL_LABEL = {"tsme": "科技型中小企业", "innovative_sme": "创新型中小企业",
              "srdi_sme": "专精特新中小企业", "hnte": "高新技术企业", "little_giant": "专精特新“小巨人”企业"}
# A higher rung of the 优质中小企业 ladder presupposes the lower ones: a valid 小巨人 certificate
# satisfies "已是专精特新中小企业", and either satisfies "已是创新型中小企业".
IMPLIED_BY = {"innovative_sme": ("srdi_sme", "little_giant"), "srdi_sme": ("little_giant",)}


@dataclass
class Check:
    """A named criterion: status column + row-0 explanation."""

    id: str
    label: str
    status: np.ndarray
    param: Param
    explain: Callable[[], dict]

    def condition(self) -> Condition:
        """The Condition of row 0."""
        return cond(self.id, self.label, int(self.status[0]), self.param, **self.explain())


def _fr(x) -> Fraction:
    return Fraction(Decimal(str(x)))


def _wan_int(x) -> int:
    return int(Decimal(str(x)) * 10**6)


def niche(cid: str, F, p: Param) -> Check:
    """从事特定细分市场年限 ≥ p.value."""
    need = int(p.value)
    s = status(F["niche"] >= need, F["niche"] >= 0)

    def ex():
        v = int(F["niche"][0])
        st = int(s[0])
        return {"value": v if v >= 0 else None, "threshold": need,
                "gap": (f"还需在细分市场深耕 {need - v} 年" if st == FAIL else
                        "请填写从事特定细分市场的年数" if st == MISSING else None),
                "missing": ["niche_market_years"] if st == MISSING else []}
    return Check(cid, f"从事特定细分市场 {need} 年以上", s, p, ex)


def prerequisite(cid: str, F, p: Param) -> Check:
    """Holds one of the qualifications ``p.value`` on the evaluation date."""
    kinds = list(p.value)
    accepted = list(dict.fromkeys(kinds + [h for k in kinds for h in IMPLIED_BY.get(k, ())]))
    held = np.zeros(F["employees"].shape[0], dtype=bool)
    for k in accepted:
        held |= F[QUAL_FEATURE[k]]
    s = np.where(held, PASS, np.where(F["qual_given"], FAIL, MISSING)).astype(np.int8)
    names = "或".join(QUAL_LABEL[k] for k in kinds)

    def ex():
        st = int(s[0])
        holding = [QUAL_LABEL[k] for k in accepted if bool(F[QUAL_FEATURE[k]][0])]
        return {"value": bool(held[0]), "threshold": True,
                "detail": ("持有有效的" + "、".join(holding) + "资格") if holding else
                          ("未持有有效的" + names + "资格" if st == FAIL else None),
                "gap": (f"需先取得{names}资格" if st == FAIL else
                        "请在企业库填写已取得的资质" if st == MISSING else None),
                "missing": ["qualifications"] if st == MISSING else []}
    return Check(cid, f"已是{names}", s, p, ex)


def revenue_or_equity(cid: str, F, p: Param, last: int) -> Check:
    """上年度营业收入 ≥ revenue, or 近 N 年新增股权融资 ≥ equity."""
    v = p.value
    orv, orv_h = F["m_operating_revenue"][:, 2], F["h_operating_revenue"][:, 2]
    ny = int(v["equity_years"])
    eq = (F["m_equity_financing"][:, 3 - ny:] * F["op"][:, 3 - ny:]).sum(1)
    rev_ok = orv_h & (orv >= _wan_int(v["revenue"]))
    eq_ok = eq >= _wan_int(v["equity"])
    s = np.where(rev_ok | eq_ok, PASS, np.where(orv_h, FAIL, MISSING)).astype(np.int8)

    def ex():
        st = int(s[0])
        r = money(orv[0]) if orv_h[0] else None
        return {"value": {"operating_revenue": r, "equity_financing": money(eq[0])},
                "threshold": {"operating_revenue": v["revenue"], "equity_financing": v["equity"]},
                "gap": (f"{last} 年营业收入还差 {wan(Decimal(str(v['revenue'])) - r)} 万元"
                        f"（或近 {ny} 年新增股权融资达到 {v['equity']} 万元）" if st == FAIL else
                        f"请填写 {last} 年营业收入" if st == MISSING else None),
                "missing": [f"years[{last}].operating_revenue"] if st == MISSING else []}
    return Check(cid, f"上年度营业收入 {v['revenue']} 万元以上（或近 {ny} 年股权融资 {v['equity']} 万元以上）",
                 s, p, ex)


def revenue_min(cid: str, F, p: Param, last: int) -> Check:
    """上年度营业收入 ≥ p.value 万元."""
    orv, orv_h = F["m_operating_revenue"][:, 2], F["h_operating_revenue"][:, 2]
    s = status(orv >= _wan_int(p.value), orv_h)

    def ex():
        st = int(s[0])
        r = money(orv[0]) if orv_h[0] else None
        return {"value": r, "threshold": p.value,
                "gap": (f"{last} 年营业收入还差 {wan(Decimal(str(p.value)) - r)} 万元" if st == FAIL else
                        f"请填写 {last} 年营业收入" if st == MISSING else None),
                "missing": [f"years[{last}].operating_revenue"] if st == MISSING else []}
    return Check(cid, f"上年度营业收入 {p.value} 万元以上", s, p, ex)


def main_share(cid: str, F, p: Param, last: int) -> Check:
    """主营业务收入 / 营业收入 ≥ p.value (last fiscal year)."""
    fr = _fr(p.value)
    mb, orv = F["m_main_business_revenue"][:, 2], F["m_operating_revenue"][:, 2]
    known = F["h_main_business_revenue"][:, 2] & F["h_operating_revenue"][:, 2]
    s = status((orv > 0) & ratio_ge(mb, orv, fr), known)

    def ex():
        st = int(s[0])
        r = ratio_value(mb[0], orv[0])
        gap = None
        if st == FAIL and int(orv[0]) > 0:
            gap = (f"{last} 年主营业务收入还差 {wan(fr * Fraction(int(orv[0]), 10**6) - Fraction(int(mb[0]), 10**6))} 万元"
                   f"（需占营业收入的 {pct(fr, 0)}）")
        elif st == MISSING:
            gap = f"请填写 {last} 年主营业务收入和营业收入"
        return {"value": as_float(r), "threshold": float(p.value), "gap": gap,
                "missing": [f"years[{last}].main_business_revenue", f"years[{last}].operating_revenue"]
                if st == MISSING else []}
    return Check(cid, f"主营业务收入占营业收入比重不低于 {pct(fr, 0)}", s, p, ex)


def debt_ratio(cid: str, F, p: Param, last: int) -> Check:
    """资产负债率 ≤ p.value (last fiscal year)."""
    fr = _fr(p.value)
    liab, assets = F["m_total_liabilities"][:, 2], F["m_total_assets"][:, 2]
    known = F["h_total_liabilities"][:, 2] & F["h_total_assets"][:, 2]
    s = status((assets > 0) & ~ratio_ge(liab, assets, fr, strict=True), known)

    def ex():
        st = int(s[0])
        r = ratio_value(liab[0], assets[0])
        gap = None
        if st == FAIL and int(assets[0]) > 0:
            excess = Fraction(int(liab[0]), 10**6) - fr * Fraction(int(assets[0]), 10**6)
            gap = f"{last} 年资产负债率 {pct(r)}，需降至 {pct(fr, 0)} 以下（负债需减少约 {wan(excess)} 万元）"
        elif st == MISSING:
            gap = f"请填写 {last} 年资产总额和负债总额"
        return {"value": as_float(r), "threshold": float(p.value), "gap": gap,
                "missing": [f"years[{last}].total_liabilities", f"years[{last}].total_assets"]
                if st == MISSING else []}
    return Check(cid, f"资产负债率不高于 {pct(fr, 0)}", s, p, ex)


def rd_each_year(cid: str, F, p: Param, on: _dt.date, *, amount=None, ratio=None,
                 years=(1, 2)) -> Check:
    """研发费用 each of the given window years ≥ amount and/or ≥ ratio × 营业收入."""
    rd, rd_h = F["m_rd_expense"], F["h_rd_expense"]
    orv, orv_h = F["m_operating_revenue"], F["h_operating_revenue"]
    n = rd.shape[0]
    ok_all = np.ones(n, dtype=bool)
    fail_any = np.zeros(n, dtype=bool)
    for c in years:
        existed = F["op"][:, c]
        ok_c = existed.copy()
        known_c = np.ones(n, dtype=bool)
        if amount is not None:
            ok_c &= rd[:, c] >= _wan_int(amount)
            known_c &= rd_h[:, c] | ~existed
        if ratio is not None:
            ok_c &= (orv[:, c] > 0) & ratio_ge(rd[:, c], orv[:, c], _fr(ratio))
            known_c &= (rd_h[:, c] & orv_h[:, c]) | ~existed
        ok_all &= ok_c
        fail_any |= known_c & ~ok_c
    s = np.where(ok_all, PASS, np.where(fail_any, FAIL, MISSING)).astype(np.int8)
    W = [on.year - 3, on.year - 2, on.year - 1]

    def ex():
        st = int(s[0])
        gaps, missing = [], []
        for c in years:
            if not F["op"][0][c]:
                gaps.append(f"{W[c]} 年尚未成立")
                continue
            r = Fraction(int(rd[0][c]), 10**6)
            if not rd_h[0][c]:
                missing.append(f"years[{W[c]}].rd_expense")
                continue
            need = Fraction(0)
            if amount is not None:
                need = max(need, _fr(amount))
            if ratio is not None:
                if not orv_h[0][c]:
                    missing.append(f"years[{W[c]}].operating_revenue")
                    continue
                need = max(need, _fr(ratio) * Fraction(int(orv[0][c]), 10**6))
            if r < need:
                gaps.append(f"{W[c]} 年研发费用还差 {wan(need - r)} 万元")
        parts = []
        if amount is not None:
            parts.append(f"不低于 {amount} 万元")
        if ratio is not None:
            parts.append(f"不低于营业收入的 {pct(_fr(ratio), 0)}")
        return {"value": [money(rd[0][c]) if rd_h[0][c] else None for c in years],
                "threshold": {"amount": amount, "ratio": None if ratio is None else float(ratio)},
                "gap": ("；".join(gaps) if st == FAIL else
                        ("请补充：" + "、".join(map(key_label, missing))) if st == MISSING else None),
                "detail": "；".join(_rd_year_text(W[c], rd, rd_h, orv, orv_h, c, F) for c in years) or None,
                "missing": missing if st == MISSING else []}
    label = f"近{len(years)}年每年研发费用" if len(years) > 1 else "上年度研发费用"
    if amount is not None:
        label += f"不低于 {amount} 万元"
    if ratio is not None:
        label += ("且" if amount is not None else "") + f"占营业收入比重不低于 {pct(_fr(ratio), 0)}"
    return Check(cid, label, s, p, ex)


def class1_ip(cid: str, F, p: Param, need: int, waiver: np.ndarray | None = None) -> Check:
    """≥ ``need`` valid Class I rights tied to the main products (waiver: passes anyway)."""
    t, tu = F["ip1_T"], F["ip1_T"] + F["ip1_U"]
    s = np.where(t >= need, PASS, np.where(tu >= need, MISSING, FAIL))
    s = np.where(F["ip_given"], s, MISSING)
    if waiver is not None:
        s = np.where(waiver, PASS, s)
    s = s.astype(np.int8)

    def ex():
        st = int(s[0])
        have = int(t[0])
        return {"value": have, "threshold": need,
                "gap": (f"需 {need - have} 项Ⅰ类知识产权（发明专利、集成电路布图设计、植物新品种等，与主导产品相关且在用）"
                        if st == FAIL else
                        ("请填写知识产权清单" if not F["ip_given"][0] else "请注明知识产权是否用于主导产品")
                        if st == MISSING else None),
                "missing": (["ip_rights"] if not F["ip_given"][0] else ["ip_rights[].core"])
                if st == MISSING else []}
    return Check(cid, f"与主导产品相关的有效Ⅰ类知识产权 {need} 项以上", s, p, ex)


def _rd_year_text(year: int, rd, rd_h, orv, orv_h, c: int, F) -> str:
    """The enterprise's own figures for one year: 研发费用 and its share of 营业收入."""
    if not F["op"][0][c]:
        return f"{year} 年尚未成立"
    if not rd_h[0][c]:
        return f"{year} 年研发费用未填"
    text = f"{year} 年研发费用 {money(rd[0][c]).normalize():f} 万元"
    if orv_h[0][c] and int(orv[0][c]) > 0:
        text += f"，占营业收入 {pct(Fraction(int(rd[0][c]), int(orv[0][c])), 2)}"
    return text


def given_score(cid: str, F, column: str, p: Param, key: str) -> Check:
    """A score computed elsewhere (scheme_scores) ≥ p.value."""
    need = int(p.value)
    v = F[column]
    s = status(v >= need, v >= 0)

    def ex():
        st = int(s[0])
        x = int(v[0])
        return {"value": x if x >= 0 else None, "threshold": need,
                "gap": (f"评价得分 {x} 分，还差 {need - x} 分" if st == FAIL else
                        "该评分须按省级或部级评分标准评定，本系统无法计算；请填写主管部门评定的评价得分"
                        if st == MISSING else None),
                "missing": [f"scheme_scores.{key}"] if st == MISSING else []}
    return Check(cid, f"评价得分 {need} 分以上", s, p, ex)
