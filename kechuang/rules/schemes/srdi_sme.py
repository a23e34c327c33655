"""专精特新中小企业 (srdi_sme): 2022 暂行办法 before 2026-04-01, the 2026 办法 from then on.

2022 (工信部企业〔2022〕63号 第八条): niche ≥ 2 years; last year's R&D ≥ 100 万 and ≥ 3 % of
operating revenue; operating revenue ≥ 1,000 万 (or ≥ 2,000 万 equity in 2 years); and the
provincial score ≥ 60 or a direct ground. 2026 [S]: see ``parameters/srdi_sme.yaml``.
The provincial score cannot be computed from the facts: it is read from
``scheme_scores.srdi_sme`` and is ``missing`` otherwise.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

import numpy as np

from ..params import ParameterSet
from ..verdict import Condition, all_of, any_of
from . import _ladder as L
from ._common import SchemeResult, cond, status
from .innovative_sme import entity_status, explain_checks

SCHEME = "srdi_sme"


def _checks(F, P: ParameterSet, on: _dt.date) -> list:
    last = on.year - 1
    if P.version.id.startswith("srdi-2022"):
        ent = entity_status(F)
        checks = [
            L.Check("srdi_sme.eligible_entity", "主体资格", ent, P["eligible_entity"],
                    lambda: {}),
            L.niche("srdi_sme.niche_market", F, P["niche_years"]),
            L.rd_each_year("srdi_sme.rd_amount", F, P["rd_amount_min"], on,
                           amount=P["rd_amount_min"].value, years=(2,)),
            L.rd_each_year("srdi_sme.rd_ratio", F, P["rd_ratio_min"], on,
                           ratio=P["rd_ratio_min"].value, years=(2,)),
            L.revenue_or_equity("srdi_sme.revenue", F, P["revenue_min"], last),
            L.given_score("srdi_sme.score", F, "score_srdi", P["pass_score"], "srdi_sme"),
        ]
        d = P["direct_confirmation"].value
        Y = on.year
        aw = np.maximum(np.where(F["aw_prov_r3"] >= Y - int(d["award_years"]), F["aw_prov_r3"], 0),
                        np.where(F["aw_nat_r5"] >= Y - int(d["award_years"]), F["aw_nat_r5"], 0))
        rd2 = (F["m_rd_expense"][:, 1:] * F["op"][:, 1:]).sum(1)
        eq2 = (F["m_equity_financing"][:, 1:] * F["op"][:, 1:]).sum(1)
        grounds = np.stack([aw > 0, rd2 >= 2 * int(Decimal(str(d["rd_avg_min"])) * 10**6),
                            eq2 >= int(Decimal(str(d["equity_min"])) * 10**6)])
        texts = (f"近 {d['award_years']} 年获省级科技奖励（排名前 {d['provincial_rank']}）或国家级科技奖励（排名前 {d['national_rank']}）",
                 f"近两年研发费用均值 {d['rd_avg_min']} 万元以上",
                 f"近两年新增股权融资 {d['equity_min']} 万元以上")
        direct = status(grounds.any(0))

        def ex_direct():
            have = [t for t, x in zip(texts, grounds[:, 0], strict=True) if x]
            return {"value": have or None,
                    "detail": ("符合：" + "；".join(have)) if have else "不符合任何直接认定情形（需评分 60 分以上）"}
        checks.append(L.Check("srdi_sme.direct_confirmation", "直接认定情形", direct,
                              P["direct_confirmation"], ex_direct))
        return checks
    return [
        L.prerequisite("srdi_sme.prerequisite", F, P["prerequisite"]),
        L.niche("srdi_sme.niche_market", F, P["niche_years"]),
        L.revenue_or_equity("srdi_sme.revenue", F, P["revenue_min"], last),
        L.main_share("srdi_sme.main_business_share", F, P["main_share_min"], last),
        L.debt_ratio("srdi_sme.debt_ratio", F, P["debt_ratio_max"], last),
        L.rd_each_year("srdi_sme.rd_amount", F, P["rd_amount_min"], on,
                       amount=P["rd_amount_min"].value),
        L.rd_each_year("srdi_sme.rd_ratio", F, P["rd_ratio_min"], on,
                       ratio=P["rd_ratio_min"].value),
        L.class1_ip("srdi_sme.class1_ip", F, P["class1_ip_min"], int(P["class1_ip_min"].value)),
        L.given_score("srdi_sme.score", F, "score_srdi", P["pass_score"], "srdi_sme"),
    ]


def evaluate_columns(F, P: ParameterSet, on: _dt.date) -> SchemeResult:
    """Evaluate every srdi_sme criterion (version in force on ``on``) over ``F``."""
    checks = _checks(F, P, on)
    S = {c.id: c.status for c in checks}
    ids = list(S)
    if "srdi_sme.direct_confirmation" in S:
        base = [i for i in ids if i not in ("srdi_sme.score", "srdi_sme.direct_confirmation")]
        expr = all_of(*base, any_of("srdi_sme.score", "srdi_sme.direct_confirmation"))
    else:
        expr = all_of(*ids)
    return SchemeResult(statuses=S, components={}, score=None, expr=expr,
                        extra={"checks": checks})


def explain(F, P: ParameterSet, on: _dt.date, res: SchemeResult) -> list[Condition]:
    """Conditions of row 0 with value, threshold, citation and an actionable gap."""
    return explain_checks(SCHEME, F, P, res)


_ = cond
