"""Write-matrix cases of 科技特派员 (tests/scoping/writes.py) on the commissioners' test world
(tests/commissioners/helpers.py): commissioner A (account comm_a) serves 水头镇, so the 水头镇
clerk and 水头甲's user are the recipients that may act."""
import datetime as dt

from kechuang.core.models import Role
from tests.commissioners.helpers import SYSTEM, setup
from tests.scoping.writes import Write, form, like_scoping, upload, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _a(world):
    return setup(world)["a"]


def _spec(world, **spec):
    return {"users": {Role.COMMISSIONER: _a(world)["user"]}, **spec}


def _detail(world):
    return _spec(world, kwargs={"pk": _a(world)["commissioner"].pk}, data={"action": "revoke", "reason": "不再履职"})


def _rounds(world):
    return _spec(world, data={"year": "2026", "title": "2026年科技特派员选认", "level": "county", "notice": "通知"})


def _round(world):
    from kechuang.commissioners import services

    rnd = services.round_open(actor=SYSTEM, year=2026, title="选认", level="county", notice="")
    return _spec(world, kwargs={"pk": rnd.pk}, data={"action": "advance"})


def _needs(world):
    a = _a(world)
    return _spec(world, data={"recipient": a["firm"].pk, "title": "茶叶加工技术", "description": "需要指导",
                              "field": "农业"})


def _need_assign(world):
    from kechuang.commissioners import services

    a = _a(world)
    need = services.need_post(actor=SYSTEM, recipient=a["village"], title="新需求", description="描述", field="农业")
    return _spec(world, kwargs={"pk": need.pk}, data={"action": "assign", "commissioner": a["commissioner"].pk})


def _menu(world):
    return _spec(world, data={"action": "publish", "kind": "training", "title": "茶园培训", "description": "内容",
                              "commissioner": _a(world)["commissioner"].pk})


AGREEMENT = {"goals": "提高产量", "starts_on": "2026-01-01", "ends_on": "2026-12-31", "deliverables": "培训两次",
             "benefit": "none"}


def _agreement_need(world):
    from kechuang.commissioners import services

    a = _a(world)
    need = services.need_post(actor=SYSTEM, recipient=a["village"], title="协议需求", description="描述", field="农业")
    assignment = services.need_assign(actor=SYSTEM, need=need, commissioner=a["commissioner"])
    services.assignment_respond(actor=a["user"], assignment=assignment, accept=True)
    return _spec(world, kwargs={"pk": need.pk}, data=AGREEMENT)


def _agreement_order(world):
    from kechuang.commissioners import services

    a = _a(world)
    order = services.order_place(actor=SYSTEM, item=a["item"], recipient=a["village"], note="订单")
    services.order_respond(actor=a["user"], order=order, accept=True)
    return _spec(world, kwargs={"pk": order.pk}, data=AGREEMENT)


def _agreement_upload(world):
    a = _a(world)
    return _spec(world, kwargs={"pk": a["agreement"].pk},
                 data=form(signed_on="2026-02-01", file=upload("协议.pdf", b"%PDF-1.4 signed", "application/pdf")))


def _logs(world):
    a = _a(world)
    return _spec(world, data={"recipient": a["village"].pk, "served_on": dt.date.today().isoformat(),
                              "place": "茶园", "content": "现场指导", "days": "1", "people": "5"})


def _log_confirm(world):
    a = _a(world)
    return _spec(world, kwargs={"pk": a["firm_log"].pk}, data={"action": "confirm"})


def _question(world):
    a = _a(world)
    return _spec(world, data={"action": "answer", "question": a["question"].pk, "answer": "春季施肥"})


def _assessment(world):
    setup(world)
    return _spec(world, data={"action": "run", "year": str(dt.date.today().year)})


def _import(world):
    sheet = xlsx(["姓名/名称", "类别", "认定级别", "派出单位", "认定年度", "联系电话"],
                 [["矩阵特派员", "个人", "县级", "南安市农业农村局", 2026, "13700000000"]])
    return _spec(world, data=form(file=upload("特派员.xlsx", sheet, XLSX)))


WRITES = {
    "commissioners:detail": Write.action("commissioners.commissioner.manage", _detail,
                                         note="action=revoke; bind is the same view and permission"),
    "commissioners:import": Write.action("commissioners.commissioner.import", _import),
    "commissioners:rounds": Write.action("commissioners.round.manage", _rounds),
    "commissioners:round_detail": Write.action("commissioners.round.manage", _round,
                                               note="action=advance; apply/recommend/review are the same view with "
                                                    "their own permission"),
    "commissioners:needs": Write.action("commissioners.need.post", _needs,
                                        only={Role.BUREAU_STAFF, Role.ENTERPRISE_USER},
                                        note="for 水头甲 (a firm recipient): the clerk posts for villages"),
    "commissioners:need_detail": Write.action("commissioners.need.assign", _need_assign,
                                              note="action=assign; accept/decline are the commissioner's"),
    "commissioners:menu": Write.action("commissioners.item.publish", _menu,
                                       note="action=publish: a commissioner publishes their own items, the bureau "
                                            "names the commissioner"),
    "commissioners:agreement_from_need": Write.action("commissioners.agreement.manage", _agreement_need),
    "commissioners:agreement_from_order": Write.action("commissioners.agreement.manage", _agreement_order),
    "commissioners:agreement_detail": Write.action("commissioners.agreement.manage", _agreement_upload),
    "commissioners:logs": Write.action("commissioners.log.record", _logs),
    "commissioners:log_detail": Write.action("commissioners.log.confirm", _log_confirm, only={Role.ENTERPRISE_USER},
                                             note="action=confirm of a log served to 水头甲: only the recipient itself "
                                                  "confirms (the clerk confirms village logs); resolve is the bureau's"),
    "commissioners:questions": Write.action("commissioners.question.answer", _question,
                                            note="action=answer; ask is the same view"),
    "commissioners:assessment": Write.action("commissioners.assessment.run", _assessment,
                                             note="action=run; rule and refer are the same view"),
    "api:commissioners_api_confirm": like_scoping("api:commissioners_api_confirm", "commissioners.log.confirm",
                                                  users=lambda w: {Role.COMMISSIONER: _a(w)["user"]},
                                                  only={Role.ENTERPRISE_USER},
                                                  note="a form post, as the page: the recipient 水头甲 confirms its log"),
}
