"""Scoping cases of the 项目与监管 pages: the board, inspections and rosters are the bureau's; an
enterprise user sees and appeals its own credit records only (serious ones are public anyway);
the public pages need no sign-in."""
from __future__ import annotations

import datetime as dt

from tests.scoping.framework import Case


def _credit(world):
    from kechuang.supervision import services

    out = {}
    for key, ent in (("a", world.enterprise_a), ("b", world.enterprise_b)):
        out[key] = services.credit_record_create(
            user=world.staff, subject_kind="enterprise", enterprise=ent, subject_name=ent.name,
            behaviour=f"失信行为{key}", severity="general", outcome="限制申报", authority="科技局", basis="依据",
            effective_on=dt.date.today() - dt.timedelta(days=5), ends_on=dt.date.today() + dt.timedelta(days=300))
    return out


def _credit_list(world):
    _credit(world)
    return {"kwargs": {}, "query": {}, "own": "失信行为a", "foreign": "失信行为b"}


def _credit_detail(world):
    c = _credit(world)
    return {"own": {"pk": c["a"].pk}, "foreign": {"pk": c["b"].pk}}


def _credit_appeal(world):
    from kechuang.supervision.models import CreditRecord

    c = _credit(world)
    return {"own": {"pk": c["a"].pk}, "foreign": {"pk": c["b"].pk},
            "unchanged": lambda: CreditRecord.objects.get(pk=c["b"].pk).appeal_state == "none"}


def _credit_decide(world):
    from kechuang.supervision import services

    c = _credit(world)
    services.credit_appeal_file(user=world.staff, record=c["a"])
    return {"kwargs": {"pk": c["a"].pk}, "data": {"revoke": "0", "answer": "维持"}}


def _draw(world):
    from tests.supervision.helpers import inspection_world

    d, result = inspection_world(world, today=dt.date.today())
    return d, result


def _draw_detail(world):
    d, _ = _draw(world)
    return {"kwargs": {"pk": d.pk}, "data": {}}


def _draw_run(world):
    from kechuang.supervision import services

    d, _ = _draw(world)
    today = dt.date.today()
    new = services.draw_announce(user=world.staff, title="再抽", rule=d.rule, seed="s2", seed_source="x",
                                 announced_on=today, draw_on=today)
    return {"kwargs": {"pk": new.pk}, "data": {}}


def _result_new(world):
    d, _ = _draw(world)
    return {"kwargs": {"pk": d.pk}, "data": {"object_ref": d.result["drawn"][1]["object"],
                                             "inspected_on": dt.date.today().isoformat(), "outcome": "pass",
                                             "finding": "良好", "basis": "58号"}}


def _result_action(world):
    _, r = _draw(world)
    return {"kwargs": {"pk": r.pk}, "data": {"action": "rectified", "on": dt.date.today().isoformat(),
                                             "note": "已整改"}}


CASES: dict = {
    "supervision:home": Case.role("staff", note="the bureau's board"),
    "supervision:credit": Case.listing(_credit_list, actor="ent_user_a",
                                       note="an enterprise sees its own records and the public serious ones"),
    "supervision:credit_detail": Case.objects(_credit_detail, actor="ent_user_a"),
    "supervision:credit_appeal": Case.objects(_credit_appeal, actor="ent_user_a", method="post",
                                              note="an enterprise appeals its own record only"),
    "supervision:credit_decide": Case.role("staff", method="post", build=_credit_decide,
                                           note="only the bureau answers appeals"),
    "supervision:inspections": Case.role("staff", note="draws are run by the bureau; the public page shows them"),
    "supervision:rosters": Case.role("staff", note="两单两库一细则 are the bureau's"),
    "supervision:draw_detail": Case.role("staff", build=_draw_detail),
    "supervision:draw_run": Case.role("staff", method="post", build=_draw_run),
    "supervision:result_new": Case.role("staff", method="post", build=_result_new),
    "supervision:result_action": Case.role("staff", method="post", build=_result_action),
    "supervision_public:inspections": Case.public(note="contract section 8"),
    "supervision_public:credit": Case.public(note="contract section 8"),
    "supervision_public:inspection_file": Case.public(kwargs={"pk": 999999, "name": "draw.json"}, expect=(200, 404),
                                                      note="rosters and draw of published draws, to re-run"),
}
