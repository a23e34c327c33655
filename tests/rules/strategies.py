"""Hypothesis strategies for random enterprise facts (JSON-shaped dicts)."""

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from kechuang.rules.facts import IP_CLASS, QUALIFICATION_KINDS

MONEY_FIELDS = ("sales_revenue", "operating_revenue", "main_business_revenue", "total_income",
                "hitech_revenue", "rd_expense", "rd_expense_domestic", "cost_expense_total",
                "total_assets", "total_liabilities", "net_assets", "net_profit",
                "equity_financing")

# amounts around the texts' thresholds (万元) plus arbitrary ones
money = st.one_of(
    st.none(),
    st.sampled_from([0, 1, 50, 100, 500, 1000, 1500, 2000, 3000, 5000, 6000, 8000, 10000,
                     20000, 20001]).map(Decimal),
    st.decimals(min_value=0, max_value=30000, places=2, allow_nan=False, allow_infinity=False),
)
dates = st.dates(min_value=dt.date(2012, 1, 1), max_value=dt.date(2027, 12, 31))
opt_bool = st.one_of(st.none(), st.booleans())


@st.composite
def year_item(draw, year):
    item = {"year": year}
    for f in MONEY_FIELDS:
        v = draw(money)
        if v is not None:
            item[f] = v
    if "rd_expense" in item and "rd_expense_domestic" in item and item["rd_expense_domestic"] > item["rd_expense"]:
        item["rd_expense_domestic"] = item["rd_expense"]
    if "total_income" in item and "hitech_revenue" in item and item["hitech_revenue"] > item["total_income"]:
        item["hitech_revenue"] = item["total_income"]
    if "net_assets" in item and draw(st.booleans()):
        item["net_assets"] = -item["net_assets"]
    return item


@st.composite
def ip_item(draw):
    granted = draw(st.one_of(st.none(), dates))
    d = {"kind": draw(st.sampled_from(sorted(IP_CLASS))),
         "granted_on": granted.isoformat() if granted else None,
         "acquired_by": draw(st.sampled_from([None, "self", "transfer", "gift", "merger"])),
         "core": draw(opt_bool), "used_for_hnte": draw(st.booleans())}
    if granted and draw(st.booleans()):
        d["expires_on"] = (granted + dt.timedelta(days=draw(st.integers(0, 7000)))).isoformat()
    return d


@st.composite
def facts_dict(draw):
    f: dict = {}
    if draw(st.booleans()) or True:
        est = draw(st.one_of(st.none(), dates))
        if est:
            f["established_on"] = est.isoformat()
    emp = draw(st.one_of(st.none(), st.integers(0, 600)))
    if emp is not None:
        f["employees"] = emp
        f["tech_staff"] = draw(st.integers(0, emp))
        f["rd_staff"] = draw(st.integers(0, emp))
    for k in ("mainland_resident", "restricted_industry", "incident_last_year",
              "serious_dishonesty", "abnormal_operation_listed", "strategic_emerging_industry"):
        v = draw(opt_bool)
        if v is not None:
            f[k] = v
    htf = draw(st.sampled_from(["absent", "null", "field"]))
    if htf != "absent":
        f["high_tech_field"] = None if htf == "null" else "新材料"
    years = draw(st.lists(st.integers(2019, 2026), unique=True, max_size=5))
    f["years"] = [draw(year_item(y)) for y in years]
    if draw(st.integers(0, 4)):
        f["ip_rights"] = draw(st.lists(ip_item(), max_size=7))
    if draw(st.integers(0, 3)):
        f["conversions"] = [{"year": y, "count": draw(st.integers(0, 8))}
                            for y in draw(st.lists(st.integers(2020, 2026), unique=True, max_size=4))]
    sa = {}
    for k in ("tech_advancement", "core_support"):
        b = draw(st.sampled_from([None, "A", "B", "C", "D", "E"]))
        if b:
            sa[k] = b
    if draw(st.booleans()):
        sa["rd_management"] = {"system": draw(st.integers(0, 6)), "institution": draw(st.integers(0, 6)),
                               "conversion_incentive": draw(st.integers(0, 4)),
                               "talent": draw(st.integers(0, 4))}
    if sa:
        f["self_assessment"] = sa
    f["standards"] = [{"level": draw(st.sampled_from(["international", "national", "industry", "group"])),
                       "role": draw(st.sampled_from(["lead", "participant"])),
                       "year": draw(st.integers(2015, 2027))} for _ in range(draw(st.integers(0, 2)))]
    f["awards"] = [{"level": draw(st.sampled_from(["national", "provincial"])),
                    "rank": draw(st.integers(1, 7)), "year": draw(st.integers(2015, 2027))}
                   for _ in range(draw(st.integers(0, 2)))]
    if draw(st.booleans()):
        f["rd_institutions"] = [{"level": draw(st.sampled_from(["national", "provincial", "municipal", "below"])),
                                 "kind": "企业技术中心",
                                 "since": draw(st.one_of(st.none(), dates.map(dt.date.isoformat)))}
                                for _ in range(draw(st.integers(0, 2)))]
    if draw(st.booleans()):
        quals = []
        for _ in range(draw(st.integers(0, 3))):
            start = draw(dates)
            quals.append({"kind": draw(st.sampled_from(sorted(QUALIFICATION_KINDS))),
                          "valid_from": start.isoformat(),
                          "valid_until": (start + dt.timedelta(days=draw(st.integers(0, 1500)))).isoformat()})
        f["qualifications"] = quals
    for k, s in (("niche_market_years", st.integers(0, 6)), ("market_rank_china", st.integers(1, 6)),
                 ("main_product_market_share", st.sampled_from([Decimal("0.05"), Decimal("0.1"), Decimal("0.0999"), Decimal("0.3")]))):
        v = draw(st.one_of(st.none(), s))
        if v is not None:
            f[k] = v
    scores = {}
    for k in ("srdi_sme", "little_giant"):
        v = draw(st.one_of(st.none(), st.integers(40, 80)))
        if v is not None:
            scores[k] = v
    if scores:
        f["scheme_scores"] = scores
    return f


eval_dates = st.sampled_from([dt.date(2025, 6, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 1),
                              dt.date(2026, 9, 15), dt.date(2027, 1, 1)])
