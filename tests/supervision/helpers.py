"""Builders shared by the supervision tests and scoping cases."""
from __future__ import annotations

import datetime as dt

from kechuang.supervision import services
from kechuang.supervision.models import InspectionObject

DRAW_DAY = dt.date(2026, 9, 7)  # a Monday


def inspection_world(world, *, n_objects=10, today=DRAW_DAY, publish=True):
    """Items, a rule, 4 inspectors, ``n_objects`` objects, one published draw and (optionally) a
    publicised result of its first object."""
    s = world.staff
    for i in range(n_objects):
        InspectionObject.objects.create(kind="enterprise", ref=f"manual:o{i}", name=f"检查对象{i}号", unit=f"U{i % 3}")
    item = services.inspection_item_create(user=s, code="NA-KJ-001", name="政策资金使用情况检查", object_kind="enterprise",
                                           basis="国办发〔2015〕58号")
    rule = services.inspection_rule_create(user=s, item=item, name="资金使用抽查细则", ratio="0.2", per_object=2)
    for i in range(4):
        services.inspector_create(user=s, name=f"检查员{i}", unit=f"局{i % 2}", cert_no=f"闽执{i:04d}")
    d = services.draw_announce(user=s, title="2026年资金使用双随机抽查", rule=rule,
                               seed_source="抽取日期+抽取当日上证收盘", announced_on=today - dt.timedelta(days=3),
                               draw_on=today)
    d = services.draw_run(user=s, draw_row=d, seed=f"{today:%Y%m%d}-上证3400.12", today=today)
    result = None
    if publish:
        first = d.result["drawn"][0]["object"]
        result = services.result_record(user=s, draw_row=d, object_ref=first, inspected_on=today, outcome="rectify",
                                        finding="台账不全", basis="国办发〔2015〕58号", rectify_due=today + dt.timedelta(days=30),
                                        today=today)
        services.result_publicize(user=s, result=result, today=today)
    return d, result


CALL_OPEN = dt.date(2026, 3, 2)


def expert_user(username: str):
    from kechuang.core.models import Role
    from tests.world import World

    return World.user(username, Role.EXPERT)


def finance_user(username: str = "finance"):
    """The world's 财政局 account (the shared test world has one since issue 11)."""
    from kechuang.core.models import Role, User
    from tests.world import World

    return User.objects.filter(username=username).first() or World.user(username, Role.FINANCE_OFFICER)


def project_world(world, *, challenge: bool = False, n_experts: int = 6):
    """A category and call (optionally from a 揭榜挂帅 challenge), ``n_experts`` experts (the first
    bound to an expert account, one working at enterprise_b), and an application of enterprise_a
    submitted with a 容缺 document."""
    from kechuang.supervision import projects

    s = world.staff
    cat = projects.category_create(user=s, code="JBGS" if challenge else "ZDYF", name="揭榜挂帅" if challenge else "重点研发")
    ch = None
    if challenge:
        from kechuang.techmarket.models import Challenge, Need

        need = Need.objects.create(enterprise=world.enterprise_b, title="高端石材智能切割", description="需求",
                                   township=world.enterprise_b.township)
        ch = Challenge.objects.create(need=need, title="石材智能切割揭榜挂帅", published_on=CALL_OPEN)
    call = projects.call_create(user=s, category=cat, year=2026, title="2026年度指南", opens_on=CALL_OPEN,
                                closes_on=CALL_OPEN + dt.timedelta(days=30), max_amount="300", challenge=ch)
    experts = []
    for i in range(n_experts):
        unit = world.enterprise_b.name if i == 1 else f"大学{i}"
        experts.append(projects.expert_admit(user=s, name=f"专家{i}", unit=unit, field="材料",
                                             account=expert_user(f"expert{i}") if i in (0, 1) else None,
                                             today=CALL_OPEN))
    p = projects.project_create(user=world.ent_user_a, call=call, applicant=world.enterprise_a, title="智能切割装备研发",
                                pi_name="林工", requested_amount="200", co_applicants=["泉州某大学"])
    p = projects.project_submit(user=world.ent_user_a, project=p, integrity_promise=True, credit_promise=True,
                                missing=[("财务审计报告", CALL_OPEN + dt.timedelta(days=20))],
                                today=CALL_OPEN + dt.timedelta(days=1))
    return call, experts, p

