"""Demo carriers for `kechuang serve --demo` (marked demo): incubators on the ladder, a 众创空间,
a 新型研发机构 and a 中试 platform, two years of figures and their evaluations, dated relative to
today so the current year always has something to show."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

DEMO = [
    # name, kind, fields, ladder [(level, years ago, document)], figures (last year, the year before)
    ("南安市石材产业科技企业孵化器", "incubator", "石材陶瓷、智能装备",
     [("filed", 4, "南科〔{y}〕12号"), ("quanzhou", 3, "泉科〔{y}〕33号"), ("provincial", 0, "闽科高〔{y}〕8号")],
     ({"tenants": 46, "new_tenants": 12, "graduated": 4, "tech_sme_tenants": 18, "hnte_tenants": 4,
       "staff": 9, "mentors": 8, "activities": 14, "patents_granted": 26, "income": "620",
       "investment_raised": "880"},
      {"tenants": 40, "new_tenants": 10, "graduated": 3, "tech_sme_tenants": 15, "hnte_tenants": 3,
       "staff": 8, "mentors": 7, "activities": 12, "patents_granted": 20, "income": "540",
       "investment_raised": "600"})),
    ("水暖厨卫众创空间", "maker_space", "水暖厨卫、工业设计",
     [("filed", 2, "南科〔{y}〕21号")],
     ({"tenants": 6, "new_tenants": 1, "graduated": 0, "tech_sme_tenants": 1, "hnte_tenants": 0,
       "staff": 2, "mentors": 1, "activities": 2, "patents_granted": 1, "income": "35", "investment_raised": "0"},
      {"tenants": 7, "new_tenants": 1, "graduated": 0, "tech_sme_tenants": 1, "hnte_tenants": 0,
       "staff": 2, "mentors": 1, "activities": 1, "patents_granted": 2, "income": "40", "investment_raised": "0"})),
    ("南安芯谷半导体新型研发机构", "new_rd", "半导体、新材料",
     [("quanzhou", 2, "泉科〔{y}〕51号")],
     ({"tenants": 22, "staff": 35, "patents_granted": 14, "income": "1800", "activities": 9},
      {"tenants": 18, "staff": 30, "patents_granted": 10, "income": "1500", "activities": 8})),
    ("鞋服新材料中试验证平台", "pilot", "鞋服、新材料", [],
     ({"tenants": 12, "staff": 10, "patents_granted": 3, "income": "260", "activities": 4},
      {"tenants": 9, "staff": 9, "patents_granted": 2, "income": "210", "activities": 3})),
]


def _actor():
    from kechuang.core.permissions import system_actor

    return system_actor("command:serve --demo (创新载体演示数据)")


def load_demo(stdout=None) -> None:
    """Create the demo carriers once, operated by demo enterprises of several townships."""
    from kechuang.enterprises.models import Enterprise

    from . import services
    from .models import Carrier

    if Carrier.objects.filter(is_demo=True).exists():
        return
    operators = list(Enterprise.objects.filter(is_demo=True).select_related("township").order_by("id")[:len(DEMO)])
    if len(operators) < len(DEMO):
        return
    actor = _actor()
    today = dt.date.today()
    for (name, kind, fields, ladder, figures), operator in zip(DEMO, operators, strict=True):
        carrier = services.carrier_register(actor=actor, name=name, kind=kind, operator=operator,
                                            township=operator.township, fields=fields, is_demo=True,
                                            address=f"{operator.township.name}创新大道 {len(name)} 号",
                                            established_on=dt.date(today.year - 5, 3, 1))
        for level, years_ago, document in ladder:   # this year's step a month ago, so its reward shows
            on = dt.date(today.year - years_ago, 6, 18) if years_ago else today - dt.timedelta(days=30)
            services.carrier_level_record(actor=actor, carrier=carrier, level=level, recognized_on=on,
                                          document=document.format(y=on.year))
        for offset, year_figures in enumerate(figures, start=1):
            services.annual_report_submit(actor=actor, carrier=carrier, year=today.year - offset,
                                          figures={k: Decimal(v) if isinstance(v, str) else v
                                                   for k, v in year_figures.items()})
    for offset in (2, 1):
        services.evaluation_run(actor=actor, year=today.year - offset)
    if stdout is not None:
        stdout.write(f"创新载体演示数据：{len(DEMO)} 家载体，两年年度数据与评价\n")


def load_demo_activity(stdout=None) -> None:
    """The demo enterprise account operates a carrier too, so its pages are not empty."""
    from kechuang.core.models import User

    from . import services
    from .models import Carrier

    account = User.objects.filter(username="qiye_demo").select_related("enterprise__township").first()
    if account is None or account.enterprise is None or Carrier.objects.filter(operator=account.enterprise).exists():
        return
    ent = account.enterprise
    today = dt.date.today()
    carrier = services.carrier_register(actor=_actor(), name=f"{ent.name[:20]}企业研发中心", kind="rd_center",
                                        operator=ent, township=ent.township, fields="企业技术研发", is_demo=True,
                                        established_on=dt.date(today.year - 3, 1, 10))
    services.annual_report_submit(actor=_actor(), carrier=carrier, year=today.year - 1,
                                  figures={"tenants": 3, "staff": 12, "patents_granted": 5, "income": Decimal("300"),
                                           "activities": 2})
