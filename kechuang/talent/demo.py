"""Demo talent data for `kechuang serve --demo` (marked demo; the ID numbers are generated, valid
in form only): an imported provincial list, a listed expert who lands at an institute in 泉州 (a
免申即认 proposal waiting for the bureau), a nominating expert, teams and projects of this year,
and graduate students at a joint-training base."""
from __future__ import annotations

import datetime as dt


def _id_number(n: int) -> str:
    from stdnum.cn import ric

    first = f"35058319{85 + n % 10:02d}0615{n:03d}"
    return first + ric.calc_check_digit(first + "0")


def load_demo(stdout=None) -> None:
    from kechuang.core.permissions import system_actor
    from kechuang.enterprises.models import Enterprise
    from kechuang.techmarket.models import Institute

    from . import services
    from .models import Nominator, Person, Programme

    if Person.objects.filter(is_demo=True).exists():
        return
    hosts = list(Enterprise.objects.filter(is_demo=True).select_related("township").order_by("id")[5:8])
    institute = Institute.objects.filter(city__contains="泉州").first() or Institute.objects.first()
    if len(hosts) < 3 or institute is None:
        return
    actor = system_actor("command:serve --demo (人才演示数据)")
    today = dt.date.today()
    programme, _ = Programme.objects.get_or_create(name="福建省引进高层次创新创业人才（演示）",
                                                   defaults={"level": "provincial"})
    services.listing_add(actor=actor, programme=programme, year=today.year - 1, name="林志远", id_number=_id_number(1))
    people = [
        services.person_register(actor=actor, name="林志远", id_number=_id_number(1), education="doctor", title="研究员",
                                 is_demo=True, phone="13900000001"),
        services.person_register(actor=actor, name="陈雅琳", id_number=_id_number(2), education="doctor",
                                 title="高级工程师", employer=hosts[0], is_demo=True, phone="13900000002"),
        services.person_register(actor=actor, name="黄俊杰", id_number=_id_number(3), education="master",
                                 employer=hosts[1], is_demo=True),
        services.person_register(actor=actor, name="郑晓婷", id_number=_id_number(4), education="master",
                                 employer=hosts[2], is_demo=True),
    ]
    # the listed expert lands at an institute in 泉州: a 免申即认 proposal for the bureau
    services.person_land(actor=actor, person=people[0], institute=institute,
                         arrived_on=today - dt.timedelta(days=20))
    Nominator.objects.get_or_create(name="王院士（演示）", unit="华侨大学", defaults={"quota_per_year": 2})
    services.team_register(actor=actor, name="石材智能切割港湾计划团队（演示）", kind="harbour", leader=people[1],
                           host=hosts[0], approved_on=dt.date(today.year, 4, 20), project="石材智能切割装备",
                           members=[people[2]])
    services.team_register(actor=actor, name="卫浴无铅铜合金创新创业项目（演示）", kind="project_industry",
                           leader=people[2], host=hosts[1], approved_on=dt.date(today.year, 6, 8),
                           project="无铅铜合金铸造工艺")
    services.graduate_enrol(actor=actor, person=people[3], degree="master", base=hosts[2],
                            start=dt.date(today.year - 1, 9, 1), end=dt.date(today.year + 1, 6, 30))
    if stdout is not None:
        stdout.write("人才演示数据：4 名人才、1 条免申即认建议、1 个港湾计划团队、1 个创新创业项目、1 名在南培养研究生\n")
