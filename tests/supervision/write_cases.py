"""Write-matrix cases of 项目与监管 (tests/scoping/writes.py), built from its scoping cases."""
import datetime as dt

from kechuang.core.models import Role
from tests.scoping.writes import Write, like_scoping

TODAY = dt.date.today()


def _credit(world):
    return {"data": {"subject_kind": "enterprise", "enterprise_uscc": world.enterprise_a.uscc,
                     "subject_name": world.enterprise_a.name, "behaviour": "虚报材料", "severity": "general",
                     "outcome": "限制申报", "authority": "南安市科技局", "basis": "科技部令第19号",
                     "effective_on": TODAY.isoformat(), "ends_on": (TODAY + dt.timedelta(days=365)).isoformat()}}


def _rosters(world):
    return {"data": {"action": "inspector", "name": "王检查", "unit": "南安市科技局", "cert_no": "闽执2026001"}}


def _experts(world):
    return {"data": {"name": "李专家", "unit": "华侨大学", "field": "新材料", "title": "教授"}}


def _calls(world):
    return {"data": {"action": "category", "code": "matrix", "name": "矩阵计划类别"}}


def _inspections(world):
    from tests.supervision.scoping_cases import _draw

    d, _result = _draw(world)
    return {"data": {"title": "再次抽查", "rule": d.rule_id, "seed_source": "抽取日期 + 上证指数收盘点位",
                     "announced_on": TODAY.isoformat(), "draw_on": TODAY.isoformat()}}


def _apply(world):
    from tests.supervision.scoping_cases import _projects

    p = _projects(world)
    return {"kwargs": {"pk": p["call"].pk}, "data": {"action": "apply", "title": "石材智能切割", "pi_name": "张工",
                                                     "requested_amount": "50", "summary": "摘要"}}

WRITES = {
    "supervision:credit": Write.action("supervision.credit.record", _credit),
    "supervision:rosters": Write.action("supervision.inspection.manage", _rosters,
                                        note="action=inspector; item, rule and sync are the same view"),
    "supervision:experts": Write.action("supervision.expert.manage", _experts),
    "supervision:calls": Write.action("supervision.call.manage", _calls,
                                      note="action=category; a call is the same view"),
    "supervision:inspections": Write.action("supervision.inspection.manage", _inspections),
    "supervision:call_detail": Write.action("supervision.project.apply", _apply, only={Role.ENTERPRISE_USER},
                                            note="action=apply: an enterprise applies for itself here (the bureau "
                                                 "enters paper applications on the project page)"),
    "supervision:credit_appeal": like_scoping("supervision:credit_appeal", "supervision.credit.appeal"),
    "supervision:credit_decide": like_scoping("supervision:credit_decide", "supervision.credit.decide_appeal"),
    "supervision:draw_run": like_scoping("supervision:draw_run", "supervision.inspection.manage"),
    "supervision:result_new": like_scoping("supervision:result_new", "supervision.inspection.record"),
    "supervision:result_action": like_scoping("supervision:result_action", "supervision.inspection.record"),
    "supervision:project_action": like_scoping("supervision:project_action", "supervision.project.apply",
                                               note="action=submit of 水头甲's application (the bureau submits paper "
                                                    "applications)"),
    "supervision:review_submit": like_scoping("supervision:review_submit", "supervision.review.score",
                                              users=lambda w: {Role.EXPERT: w.reviewer}),
}
