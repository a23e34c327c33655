"""The talent rules, each with its source; pure functions except ``allowance_rates`` (which reads
the published policy measure so the rates live in one place, the policy data).

Parameters our texts do not fix are marked 待核实 and listed in docs/talent.md.
"""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

# 免申即认 (seed 002 下一步 三: “对意向落地在泉大院大所的国家、省级重点人才计划或相当条件人才，直接纳入对应层次
# 市级人才比照服务”). The tier that corresponds to each programme level is 待核实 (the 泉州 认定目录 is not in
# our texts).
AUTOMATIC_CITATION = "泉州市科技局 2024 年工作总结 下一步 三（推行高层次人才“预认定”“免申即认”）"
TIER_BY_PROGRAMME_LEVEL = {"national": "B", "provincial": "C"}          # 待核实
RECOGNITION_VALID_YEARS = 5                                             # 待核实
# Places of 泉州市 (its districts and counties): an institute there is “在泉”.
QUANZHOU_PLACES = ("泉州", "鲤城", "丰泽", "洛江", "泉港", "石狮", "晋江", "南安", "惠安", "安溪", "永春", "德化",
                   "台商投资区", "金门")

# 专家举荐制 (seed 002 三、二是: “被举荐人才可直接确认为高层次人才”); the quota is per nominator and year.
NOMINATION_CITATION = "泉州市科技局 2024 年工作总结 三、二是（专家举荐制）"
# 赛事评审制 (ibid.: “赛事前三名可直接申报认定市高层次人才”).
COMPETITION_CITATION = "泉州市科技局 2024 年工作总结 三、二是（赛事评审制：赛事前三名可直接申报认定）"
COMPETITION_TOP = 3
# 自主认定 (ibid.: 高企与研发平台自主认定); quotas and the highest tier per pilot are the bureau's data.
SELF_CITATION = "泉州市科技局 2024 年工作总结 三、二是（企业、研发平台自主认定）"

# 研究生生活补贴 (南政规〔2025〕2号 (十四)): a month counts when the student was here at least this many days
# of it (the text says “1000 元/月、2000 元/月” and is silent on part months: 待核实).
ALLOWANCE_MEASURE = "nanan-2025-2.14c"
# 就高不重复 across years (the tier benefits): a person recognised at a higher tier in a later year
# receives the difference to what earlier tier benefits paid; the texts say only “就高，不重复”
# (南政规〔2025〕2号 stacking principle), the top-up reading is 待核实.
TIER_TOP_UP = "按“就高，从优，不重复”补足差额，待核实"
MIN_DAYS_FOR_A_MONTH = 15                                              # 待核实


def in_quanzhou(place: str) -> bool:
    return any(p in (place or "") for p in QUANZHOU_PLACES)


def valid_until(decided: dt.date) -> dt.date:
    try:
        return decided.replace(year=decided.year + RECOGNITION_VALID_YEARS)
    except ValueError:   # 29 February
        return decided.replace(year=decided.year + RECOGNITION_VALID_YEARS, day=28)


def employment_precheck(*, social_security: str, contract: str, tax: str) -> list[str]:
    """The most common reason an application fails (DOMAIN-NOTES: 28 % of a 2025 review): 社保,
    劳动合同 and 个税 naming different employers. Returns the problems in plain words; [] when
    they agree."""
    names = {"社保缴纳单位": (social_security or "").strip(), "劳动合同签订单位": (contract or "").strip(),
             "个税扣缴单位": (tax or "").strip()}
    missing = [k for k, v in names.items() if not v]
    if missing:
        return [f"请填写{'、'.join(missing)}：认定时三者须为同一用人单位。"]
    distinct = set(names.values())
    if len(distinct) == 1:
        return []
    listed = "；".join(f"{k}：{v}" for k, v in names.items())
    return [f"社保、劳动合同、个税不是同一单位（{listed}）。认定要求三者一致，请先办理社保或个税的单位变更，"
            f"或提供劳动合同所在单位的缴纳证明。"]


def months_in_year(start: dt.date, end: dt.date, year: int) -> int:
    """Months of ``year`` the student was here for at least MIN_DAYS_FOR_A_MONTH days."""
    months = 0
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        lo, hi = max(first, start), min(last, end)
        if hi >= lo and (hi - lo).days + 1 >= min(MIN_DAYS_FOR_A_MONTH, (last - first).days + 1):
            months += 1
    return months


def allowance_rates() -> dict[str, Decimal]:
    """{"master": 0.1, "doctor": 0.2} 万元 per month, read from the published measure (十四)."""
    from kechuang.policies.selectors import engine_policies

    for policy in engine_policies():
        for measure in policy.measures:
            if measure.id == ALLOWANCE_MEASURE:
                return {k: Decimal(v) for k, v in measure.benefit.rates.items()}
    raise LookupError("政策库中没有研究生生活补贴措施（南政规〔2025〕2号 （十四））")
