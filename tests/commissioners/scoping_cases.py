"""Scoping cases for every URL of the 科技特派员 module (see tests/scoping/framework.py)."""
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.commissioners.helpers import setup
from tests.scoping.framework import Case


def _pair(name):
    def build(world):
        s = setup(world)
        return {"own": {"pk": s["a"][name].pk}, "foreign": {"pk": s["b"][name].pk}}
    return build


def _listing(marker_a, marker_b):
    def build(world):
        setup(world)
        return {"own": marker_a, "foreign": marker_b}
    return build


def _signed(world):
    from kechuang.commissioners import services
    from tests.commissioners.helpers import SYSTEM

    s = setup(world)
    for key in ("a", "b"):
        pdf = SimpleUploadedFile(f"协议{key}.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        services.agreement_upload_signed(actor=SYSTEM, agreement=s[key]["agreement"], upload=pdf)
    return {"own": {"pk": s["a"]["agreement"].pk}, "foreign": {"pk": s["b"]["agreement"].pk}}


def _attachment(world):
    from kechuang.commissioners import services

    s = setup(world)
    ids = {}
    for key in ("a", "b"):
        jpg = SimpleUploadedFile(f"照片{key}.jpg", b"\xff\xd8\xff\xe0 test", content_type="image/jpeg")
        ids[key] = services.log_attach(actor=s[key]["user"], log=s[key]["log"], upload=jpg).pk
    return {"own": {"pk": ids["a"]}, "foreign": {"pk": ids["b"]}}


def _revoke_b(world):
    from kechuang.commissioners.models import Commissioner

    s = setup(world)
    Commissioner.objects.filter(pk=s["b"]["commissioner"].pk).update(status=Commissioner.Status.REVOKED)
    return s


def _detail(world):
    s = _revoke_b(world)
    return {"own": {"pk": s["a"]["commissioner"].pk}, "foreign": {"pk": s["b"]["commissioner"].pk}}


def _api_list(world):
    _revoke_b(world)
    return {"own": "特派员A", "foreign": "特派员B"}


def _orders(world):
    from kechuang.commissioners import services
    from tests.commissioners.helpers import SYSTEM

    s = setup(world)
    for key in ("a", "b"):
        services.order_place(actor=SYSTEM, item=s[key]["item"], recipient=s[key]["village"], note=f"订单{key}说明")
    return {"own": "订单a说明", "foreign": "订单b说明"}


def _assessed(world):
    from kechuang.commissioners import services
    from tests.commissioners.helpers import SYSTEM

    s = setup(world)
    services.assessment_run(actor=SYSTEM, year=s["a"]["log"].served_on.year)
    return {"own": "特派员A", "foreign": "特派员B"}


def _confirm(world):
    s = setup(world)
    return {"own": {"pk": s["a"]["firm_log"].pk}, "foreign": {"pk": s["b"]["firm_log"].pk},
            "data": {"confirmed": "true", "rating": "5"},
            "unchanged": lambda: type(s["b"]["firm_log"]).objects.get(pk=s["b"]["firm_log"].pk).status == "pending"}


def _from_order(world):
    from kechuang.commissioners import services
    from tests.commissioners.helpers import SYSTEM

    s = setup(world)
    ids = {}
    for key in ("a", "b"):
        o = services.order_place(actor=SYSTEM, item=s[key]["item"], recipient=s[key]["village"], note="")
        services.order_respond(actor=s[key]["user"], order=o, accept=True)
        ids[key] = o.pk
    return {"own": {"pk": ids["a"]}, "foreign": {"pk": ids["b"]}}


def _round(world):
    from kechuang.commissioners import services
    from tests.commissioners.helpers import SYSTEM

    rnd = services.round_open(actor=SYSTEM, year=2026, title="2026年度县级科技特派员选认")
    return {"own": {"pk": rnd.pk}, "foreign": {"pk": 999999}}


CASES: dict = {
    "commissioners_public:roster": Case.public(note="公开名录：已认定、姓名脱敏、无电话"),
    "commissioners:home": Case.listing(_listing("日志a现场指导", "日志b现场指导"),
                                       note="the clerk's logs to confirm are their township's only"),
    "commissioners:roster": Case.global_(note="recognised commissioners are visible to every business role"),
    "commissioners:detail": Case.objects(_detail, actor="comm_a",
                                         note="recognised commissioners are visible to all; a revoked one only to "
                                              "the bureau and its own account"),
    "commissioners:import": Case.role("staff", note="only the bureau imports the province's lists"),
    "commissioners:import_template": Case.role("staff"),
    "commissioners:rounds": Case.global_(note="rounds are public notices to signed-in users"),
    "commissioners:round_detail": Case.objects(_round, note="one round, seen by every business role"),
    "commissioners:needs": Case.listing(_listing("需求a茶园改造", "需求b茶园改造")),
    "commissioners:need_detail": Case.objects(_pair("need")),
    "commissioners:menu": Case.listing(_orders, note="published items are public; orders are the township's own"),
    "commissioners:agreements": Case.listing(_listing("派出单位A", "派出单位B")),
    "commissioners:agreement_from_need": Case.objects(_pair("need")),
    "commissioners:agreement_from_order": Case.objects(_from_order, actor="comm_a"),
    "commissioners:agreement_detail": Case.objects(_pair("agreement"), actor="comm_a"),
    "commissioners:agreement_docx": Case.objects(_pair("agreement"), note="the Word text of own agreements only"),
    "commissioners:agreement_signed": Case.objects(_signed),
    "commissioners:logs": Case.listing(_listing("日志a现场指导", "日志b现场指导"), actor="comm_a"),
    "commissioners:log_detail": Case.objects(_pair("log")),
    "commissioners:log_attachment": Case.objects(_attachment),
    "commissioners:questions": Case.listing(_listing("问题a如何施肥", "问题b如何施肥"), actor="ent_user_a"),
    "commissioners:assessment": Case.listing(_assessed, actor="comm_a", note="a commissioner sees their own result"),
    "commissioners:coverage": Case.listing(_listing("水头镇", "溪美街道")),
    "api:commissioners_api_list": Case.listing(_api_list, actor="comm_a"),
    "api:commissioners_api_needs": Case.listing(_listing("需求a茶园改造", "需求b茶园改造")),
    "api:commissioners_api_logs": Case.listing(_listing("企业日志a", "企业日志b"), actor="ent_user_a"),
    "api:commissioners_api_confirm": Case.objects(_confirm, actor="ent_user_a", method="post",
                                                  note="an enterprise confirms only its own logs"),
    "api:commissioners_api_coverage": Case.listing(_listing("水头镇", "溪美街道")),
}
