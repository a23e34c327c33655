"""The commissioners' test world: two commissioner accounts (A serves 水头镇, B serves 溪美街道) on
top of tests/world.py, needs, agreements and service logs on each side.

``World.comm_a`` / ``World.comm_b`` are added here (lazily, per world) so the scoping matrix can
name a commissioner as the acting user without changing the shared World."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kechuang.core.models import Role
from kechuang.core.permissions import system_actor
from tests.world import World

SYSTEM = system_actor("command:test")


def setup(world) -> dict:
    """Build (once per world) commissioners, recipients, needs, agreements and logs of A and B."""
    cached = world.__dict__.get("_commissioners")
    if cached is not None:
        return cached
    from kechuang.commissioners import services

    year = timezone.localdate().year
    out = {}
    for key, town, ent, clerk, ent_user in (("a", world.township_a, world.enterprise_a, world.clerk_a, world.ent_user_a),
                                            ("b", world.township_b, world.enterprise_b, world.clerk_b, world.ent_user_b)):
        user = World.user(f"comm_{key}", Role.COMMISSIONER)
        c = services.commissioner_register(
            actor=SYSTEM, name=f"特派员{key.upper()}", dispatch_unit=f"派出单位{key.upper()}", year=year,
            level="county", expertise=f"茶树栽培 病虫害防治 {key}", fields=["农业"], townships=[town],
            villages=[(town, f"{key}村")], account=user, phone="13812345678")
        village = services.recipient_for(actor=SYSTEM, kind="village", township=town, village=f"{key}村")
        firm = services.recipient_for(actor=SYSTEM, kind="enterprise", enterprise=ent)
        need = services.need_post(actor=SYSTEM, recipient=village, title=f"需求{key}茶园改造", description=f"需求{key}描述",
                                  field="农业")
        assignment = services.need_assign(actor=SYSTEM, need=need, commissioner=c)
        services.assignment_respond(actor=user, assignment=assignment, accept=True)
        agreement = services.agreement_create(
            actor=SYSTEM, commissioner=c, recipient=village, need=need, goals=f"协议{key}目标",
            starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31), deliverables=f"协议{key}成果",
            benefit="share", share_ratio="0.1")
        today = timezone.localdate()
        log = services.log_record(actor=SYSTEM, commissioner=c, recipient=village, served_on=today, place=f"{key}村茶园",
                                  content=f"日志{key}现场指导", days=1, people=10, agreement=agreement)
        firm_log = services.log_record(actor=SYSTEM, commissioner=c, recipient=firm, served_on=today, place="车间",
                                       content=f"企业日志{key}", days=1, people=3)
        item = services.item_publish(actor=SYSTEM, commissioner=c, kind="training", title=f"菜单{key}培训",
                                     description=f"菜单{key}内容")
        question = services.question_ask(actor=SYSTEM, recipient=firm, commissioner=c, text=f"问题{key}如何施肥")
        out[key] = dict(user=user, commissioner=c, village=village, firm=firm, need=need, assignment=assignment,
                        agreement=agreement, log=log, firm_log=firm_log, item=item, question=question,
                        clerk=clerk, ent_user=ent_user)
    world.__dict__["_commissioners"] = out
    return out


def _comm_user(key):
    return property(lambda self: setup(self)[key]["user"])


World.comm_a = _comm_user("a")
World.comm_b = _comm_user("b")
