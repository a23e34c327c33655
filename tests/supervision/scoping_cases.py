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
    from django.utils import timezone

    today = timezone.localdate()
    new = services.draw_announce(user=world.staff, title="再抽", rule=d.rule, seed_source="x",
                                 announced_on=today, draw_on=today)
    return {"kwargs": {"pk": new.pk}, "data": {"seed": f"{today:%Y%m%d}-上证3300.01"}}


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


# --- 科技计划项目 -------------------------------------------------------------------------------

def _projects(world):
    from kechuang.supervision import projects

    today = dt.date.today()
    cat = projects.category_create(user=world.staff, code="ZD", name="重点研发")
    call = projects.call_create(user=world.staff, category=cat, year=today.year, title="指南", opens_on=today,
                                closes_on=today + dt.timedelta(days=30), max_amount="100")
    out = {"call": call}
    for key, ent, user in (("a", world.enterprise_a, world.ent_user_a), ("b", world.enterprise_b, world.ent_user_b)):
        out[key] = projects.project_create(user=user, call=call, applicant=ent, title=f"项目{key}号", pi_name="负责人",
                                           requested_amount="10")
    return out


def _project_list(world):
    _projects(world)
    return {"kwargs": {}, "query": {}, "own": "项目a号", "foreign": "项目b号"}


def _call_detail(world):
    p = _projects(world)
    return {"kwargs": {"pk": p["call"].pk}, "query": {}, "own": "项目a号", "foreign": "项目b号"}


def _project_detail(world):
    p = _projects(world)
    return {"own": {"pk": p["a"].pk}, "foreign": {"pk": p["b"].pk}}


def _project_submit(world):
    from kechuang.supervision.models import Project

    p = _projects(world)
    return {"own": {"pk": p["a"].pk}, "foreign": {"pk": p["b"].pk},
            "data": {"action": "submit", "integrity_promise": "on"},
            "unchanged": lambda: Project.objects.get(pk=p["b"].pk).status == "draft"}


def _review_submit(world):
    from kechuang.core.models import Role
    from kechuang.supervision import projects
    from kechuang.supervision.models import ReviewAssignment
    from tests.world import World

    p = _projects(world)
    today = dt.date.today()
    projects.project_submit(user=world.ent_user_a, project=p["a"], integrity_promise=True, today=today)
    projects.project_formal_review(user=world.staff, project=p["a"], passed=True, today=today)
    for i in range(3):
        account = World.user(f"exp{i}", Role.EXPERT)
        projects.expert_admit(user=world.staff, name=f"专家{i}", unit=f"大学{i}", account=account, today=today)
        world.reviewer = account
    projects.review_draw(user=world.staff, call=p["call"], seed=f"{today:%Y%m%d}-上证3300.01", seed_source="x",
                         today=today)
    a = ReviewAssignment.objects.get(expert__account=world.reviewer)
    return {"kwargs": {"pk": a.pk}, "data": {"score": "80", "comment": "可行"}}


CASES.update({
    "supervision:calls": Case.global_(note="calls are published to every signed-in user"),
    "supervision:call_detail": Case.listing(_call_detail, note="a call lists only the applications in the user's scope"),
    "supervision:projects": Case.listing(_project_list),
    "supervision:project_detail": Case.objects(_project_detail),
    "supervision:project_action": Case.objects(_project_submit, actor="ent_user_a", method="post",
                                               note="an enterprise acts on its own application only"),
    "supervision:reviews": Case.global_(note="lists only the signed-in expert's own assignments"),
    "supervision:review_submit": Case.role("reviewer", method="post", build=_review_submit,
                                           note="only the drawn expert scores their assignment"),
    "supervision:experts": Case.role("staff", note="the expert pool is the bureau's"),
})


def _api_credit(world):
    return {"kwargs": {}, "data": {"decision": "payment", "uscc": world.enterprise_a.uscc}}


CASES.update({
    "api:supervision_api_projects": Case.listing(_project_list),
    "api:supervision_api_project": Case.objects(lambda w: {k: {"project_id": v["pk"]} for k, v in _project_detail(w).items()}),
    "api:supervision_api_credit_check": Case.role("staff", build=_api_credit, note="the bureau and finance ask the check"),
})
