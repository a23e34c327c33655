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
    d = services.draw_announce(user=s, title="2026年资金使用双随机抽查", rule=rule, seed="20260907-上证3400.12",
                               seed_source="抽取日期+上证收盘", announced_on=today - dt.timedelta(days=3), draw_on=today)
    d = services.draw_run(user=s, draw_row=d, today=today)
    result = None
    if publish:
        first = d.result["drawn"][0]["object"]
        result = services.result_record(user=s, draw_row=d, object_ref=first, inspected_on=today, outcome="rectify",
                                        finding="台账不全", basis="国办发〔2015〕58号", rectify_due=today + dt.timedelta(days=30),
                                        today=today)
        services.result_publicize(user=s, result=result, today=today)
    return d, result
