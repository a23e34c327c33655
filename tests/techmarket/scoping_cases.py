"""Scoping cases for the technology-market URLs (see tests/scoping/framework.py)."""
from datetime import date

from tests.scoping.framework import Case
from tests.world import SYSTEM


def _market(world):
    """Needs, matches, dispatches and contracts in both townships (private needs, so rows are not public)."""
    from kechuang.techmarket import services
    from kechuang.techmarket.models import Achievement, Broker, Match

    ach = Achievement.objects.create(title="石材荒料切割技术", abstract="切割", keywords=["石材"], status="published")
    b1 = Broker.objects.create(user=world.broker_a, name="甲经理", fields=[])
    b2 = Broker.objects.create(user=world.broker_b, name="乙经理", fields=[])
    out = {}
    for key, ent, broker, title, no, amount in (
            ("a", world.enterprise_a, b1, "水头甲需求切割", "C-A-1", "111.1"),
            ("b", world.enterprise_b, b2, "溪美乙需求抛光", "C-B-1", "222.2")):
        need = services.need_post(user=SYSTEM, enterprise=ent, title=title, description=title, is_public=False)
        m = Match.objects.create(need=need, achievement=ach, rank=1, score=0.9)
        d = services.dispatch_assign(user=SYSTEM, match=m, broker=broker, reason="测试")
        services.dispatch_advance(user=SYSTEM, dispatch=d)
        services.dispatch_advance(user=SYSTEM, dispatch=d)
        deal = services.deal_sign(user=SYSTEM, dispatch=d, amount=amount, signed_on=date.today())
        services.contract_register(user=SYSTEM, deal=deal, contract_type="development", registered_on=date.today(),
                                   registration_no=no, title=f"合同{title}")
        out[key] = {"need": need, "dispatch": d}
    return out


def _needs(world):
    _market(world)
    return {"own": "水头甲需求切割", "foreign": "溪美乙需求抛光"}


def _need_detail(world):
    m = _market(world)
    return {"own": {"pk": m["a"]["need"].pk}, "foreign": {"pk": m["b"]["need"].pk}}


def _workbench(world):
    _market(world)
    return {"own": "水头甲需求切割", "foreign": "溪美乙需求抛光"}


def _dispatch_detail(world):
    m = _market(world)
    return {"own": {"pk": m["a"]["dispatch"].pk}, "foreign": {"pk": m["b"]["dispatch"].pk}}


def _need_dispatch(world):
    """A need of 水头甲 that no achievement fits; the clerk may not dispatch it, the bureau may."""
    from kechuang.techmarket import services

    _market(world)
    need = services.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="水头甲无适合成果的需求",
                              description="铜合金铸件无铅化", is_public=False)
    return {"kwargs": {"pk": need.pk}, "data": {}}


def _contracts(world):
    _market(world)
    return {"own": "合同水头甲需求切割", "foreign": "合同溪美乙需求抛光"}


CASES = {
    "techmarket:search": Case.global_(note="published achievements are public listings"),
    "techmarket:needs": Case.listing(_needs, note="a clerk sees the needs of their township (and public ones)"),
    "techmarket:need_new": Case.role("ent_user_a", note="only enterprise users post needs"),
    "techmarket:need_detail": Case.objects(_need_detail),
    "techmarket:need_dispatch": Case.role("staff", method="post", build=_need_dispatch,
                                          note="派单 is the bureau's (techmarket.dispatch.assign)"),
    "techmarket:workbench": Case.listing(_workbench, actor="broker_a", note="a broker sees their own dispatches"),
    "techmarket:dispatch_detail": Case.objects(_dispatch_detail, actor="broker_a"),
    "techmarket:contracts": Case.listing(_contracts, note="a clerk sees the contracts of their township"),
    "techmarket:challenges": Case.global_(note="the 揭榜挂帅 list is public to signed-in users"),
    "techmarket:import": Case.role("staff", note="bulk import is for the bureau"),
}

from tests.techmarket import scoping_cases_catalogue, scoping_cases_challenges  # noqa: E402

CASES.update(scoping_cases_catalogue.CASES)
CASES.update(scoping_cases_challenges.CASES)
