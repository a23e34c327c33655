"""Scoping cases of the carriers pages: a township clerk sees carriers of their township (and the
public list), an enterprise user those it operates; only the bureau registers, records levels,
cancels and evaluates."""
from datetime import date

from tests.scoping.framework import Case


def _carriers(world):
    from kechuang.carriers import services

    out = {}
    for key, ent in (("a", world.enterprise_a), ("b", world.enterprise_b)):
        c = services.carrier_register(actor=world.staff, name=f"载体{key}", kind="incubator", operator=ent,
                                      township=ent.township)
        services.annual_report_submit(actor=world.staff, carrier=c, year=2025, figures={"tenants": 7})
        out[key] = c
    # cancelled carriers leave the public rows, so only the clerk's own township's is visible
    services.carrier_cancel(actor=world.staff, carrier=out["b"], on=date(2026, 1, 5), reason="测试撤销")
    return out


def _detail(world):
    c = _carriers(world)
    return {"own": {"pk": c["a"].pk}, "foreign": {"pk": c["b"].pk}}


def _list(world):
    _carriers(world)
    return {"kwargs": {}, "query": {}, "own": "载体a", "foreign": "载体b"}


def _report(world):
    c = _carriers(world)
    return {"own": {"pk": c["a"].pk}, "foreign": {"pk": c["b"].pk},
            "data": {"year": 2025, "tenants": 9}}


def _api_report(world):
    from kechuang.carriers.models import AnnualReport

    c = _carriers(world)
    return {"own": {"carrier_id": c["a"].pk}, "foreign": {"carrier_id": c["b"].pk}, "json": True,
            "data": {"year": 2025, "tenants": 11},
            "unchanged": lambda: AnnualReport.objects.get(carrier=c["b"], year=2025).tenants == 7}


def _action(data):
    def build(world):
        c = _carriers(world)
        return {"kwargs": {"pk": c["a"].pk}, "data": data}
    return build


CASES: dict = {
    "carriers:list": Case.listing(_list, note="active carriers are public to signed-in users; cancelled ones only in scope"),
    "carriers:detail": Case.objects(_detail),
    "carriers:new": Case.role("staff", note="only the bureau registers carriers"),
    "carriers:import": Case.role("staff", note="only the bureau imports yearly figures"),
    "carriers:evaluations": Case.role("staff", note="only the bureau runs and reads evaluations"),
    "carriers:level": Case.role("staff", method="post", build=_action(
        {"level": "filed", "recognized_on": "2026-03-01", "document": "南科〔2026〕1号"}),
        note="POST only: the bureau records filings and recognitions"),
    "carriers:cancel": Case.role("staff", method="post", build=_action({"on": "2026-03-01", "reason": "撤销"}),
                                 note="POST only: the bureau cancels"),
    "carriers:operation": Case.role("staff", method="post", build=_action(
        {"operator_name": "托管机构", "started_on": "2026-03-01", "non_fiscal_investment": "10"}),
        note="POST only: the bureau records 托管运营"),
    "carriers:report": Case.objects(_report, actor="ent_user_a", method="post",
                                    note="the operator files its own carrier's figures, not another's"),
    "api:carriers_api_list": Case.listing(_list),
    "api:carriers_api_report": Case.objects(_api_report, actor="ent_user_a", method="post",
                                            note="JSON: the operator files its own carrier's figures"),
    "carriers_public:carriers": Case.public(note="公开信息: active carriers and their current level"),
}
