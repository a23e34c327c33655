"""Need → match → feedback → dispatch → deal → registered contract → township turnover."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kechuang.techmarket import services as s
from kechuang.techmarket.models import Achievement, Broker, Dispatch, Need, TechContract
from kechuang.techmarket.selectors import (
    contract_turnover,
    contract_turnover_by_township,
    match_outcomes_by_field,
)
from kechuang.techmarket.views_catalogue import outcome_rows
from kechuang.techmarket.workdays import add_working_days
from tests.world import SYSTEM


@pytest.fixture
def market(world, hashing_search):
    mk = lambda **kw: Achievement.objects.create(status="published", **kw)  # noqa: E731
    dye = mk(title="低温活性染料匀染技术", abstract="一种棉织物低温活性染料染色工艺，匀染性好，节水节能。",
             keywords=["活性染料", "匀染性", "低温染色"], field="新材料", maturity=7, owner_name="福州大学")
    stone = mk(title="石材荒料智能切割系统", abstract="基于机器视觉的石材荒料切割路径优化。",
               keywords=["石材", "机器视觉"], field="智能装备", maturity=6, owner_name="华侨大学")
    mk(title="茶叶揉捻机", abstract="茶叶揉捻自动化设备。", keywords=["茶叶加工"], field="智能装备")
    Achievement.objects.create(title="未发布的活性染料成果", abstract="活性染料", keywords=["活性染料"])
    b1 = Broker.objects.create(user=world.broker_a, name="张经理", fields=["新材料"], capacity=2)
    b2 = Broker.objects.create(user=world.broker_b, name="李经理", fields=["智能装备", "新材料"], capacity=2)
    return {"dye": dye, "stone": stone, "b1": b1, "b2": b2}


def test_full_flow_reaches_township_turnover(world, market):
    need = s.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="棉织物染色不均匀",
                       description="我司棉织物活性染料染色匀染性差，希望引进低温匀染技术。", budget="80", field="新材料")
    assert need.township == world.township_a
    matches = s.need_match(user=SYSTEM, need=need, k=3)
    assert matches[0].achievement == market["dye"]
    assert all(m.achievement.status == "published" for m in matches)
    assert any("活性染料" in r for r in matches[0].reasons)
    s.match_feedback(user=SYSTEM, match=matches[0], feedback="interested", note="请尽快联系")

    monday = timezone.make_aware(datetime(2026, 3, 2, 9, 0))
    d = s.dispatch_assign(user=SYSTEM, match=matches[0], now=monday)
    assert d.broker == market["b1"] and not d.overridden        # same field, lowest load, earliest
    assert "新材料" in d.rule and "在办 0/2" in d.rule
    assert d.first_contact_due == date(2026, 3, 5)              # 3 working days after Monday
    assert Need.objects.get(pk=need.pk).status == "matched"
    assert s.dispatch_is_overdue(d, date(2026, 3, 5)) is False
    assert s.dispatch_is_overdue(d, date(2026, 3, 6)) is True
    s.dispatch_note(user=SYSTEM, dispatch=d, text="已电话联系双方", author="张经理", now=monday)
    assert s.dispatch_is_overdue(d, date(2026, 3, 6)) is False
    s.dispatch_advance(user=SYSTEM, dispatch=d)                               # 对接 → 洽谈
    s.dispatch_advance(user=SYSTEM, dispatch=d)                               # 洽谈 → 签约
    with pytest.raises(s.TechMarketError, match="请通过签约或登记推进"):
        s.dispatch_advance(user=SYSTEM, dispatch=d)
    deal = s.deal_sign(user=SYSTEM, dispatch=d, amount="60.5", signed_on=date(2026, 3, 20))
    assert Dispatch.objects.get(pk=d.pk).stage == "register"
    c = s.contract_register(user=SYSTEM, deal=deal, contract_type="transfer", registered_on=date(2026, 3, 25),
                            registration_no="3505832026000001")
    assert (c.buyer, c.seller, c.township, c.amount) == (world.enterprise_a.name, "福州大学", world.township_a,
                                                        Decimal("60.5"))
    assert Dispatch.objects.get(pk=d.pk).stage == "done"
    q1 = dict(start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert contract_turnover(township=world.township_a, **q1) == Decimal("60.5")
    assert contract_turnover(township=world.township_b, **q1) == Decimal("0")
    assert contract_turnover(township=world.township_a, start=date(2026, 3, 26), end=date(2026, 6, 30)) == 0
    assert contract_turnover_by_township(**q1) == {world.township_a.pk: Decimal("60.5")}
    assert {r["field"]: r for r in match_outcomes_by_field()}["新材料"]["suggestions"] == len(matches)
    rows, total = outcome_rows(world.staff)
    outcome = {r["field"]: r for r in rows}["新材料"]
    assert (outcome["dispatched"], outcome["deals"], outcome["with_deal"], outcome["contracts"]) == (1, 1, 1, 1)
    assert outcome["suggestions"] == len(matches) and total["deals"] == 1
    # scoping: township B's clerk sees no contract of A; A's broker sees their dispatch only
    assert not TechContract.objects.restrict(world.clerk_b).exists()
    assert TechContract.objects.restrict(world.clerk_a).count() == 1
    assert list(Dispatch.objects.restrict(world.broker_a)) == [d]
    assert not Dispatch.objects.restrict(world.broker_b).exists()


def test_dispatch_balances_load_and_can_be_overridden(world, market):
    need = s.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="石材切割", description="石材荒料切割损耗大", field="新材料")
    ms = s.need_match(user=SYSTEM, need=need, k=3)
    d1 = s.dispatch_assign(user=SYSTEM, match=ms[0])
    d2 = s.dispatch_assign(user=SYSTEM, match=ms[1])
    assert {d1.broker, d2.broker} == {market["b1"], market["b2"]}    # second goes to the one with less load
    d3 = s.dispatch_assign(user=SYSTEM, match=ms[2], broker=market["b1"], reason="熟悉该企业")
    assert d3.overridden and "熟悉该企业" in d3.rule
    with pytest.raises(s.TechMarketError, match="已派单"):
        s.dispatch_assign(user=SYSTEM, match=ms[0])


def test_negative_feedback_excludes_achievement_for_that_enterprise(world, market):
    need = s.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="活性染料匀染", description="活性染料匀染性")
    first = s.need_match(user=SYSTEM, need=need, k=3)[0]
    assert first.achievement == market["dye"]
    s.match_feedback(user=SYSTEM, match=first, feedback="has_solution")
    need2 = s.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="活性染料匀染", description="活性染料匀染性")
    assert market["dye"] not in [m.achievement for m in s.need_match(user=SYSTEM, need=need2, k=3)]
    need3 = s.need_post(user=SYSTEM, enterprise=world.enterprise_b, title="活性染料匀染", description="活性染料匀染性")
    m3 = s.need_match(user=SYSTEM, need=need3, k=3)
    assert m3[0].achievement == market["dye"] and any("企业反馈调整 ×0.9" in r for r in m3[0].reasons)
    with pytest.raises(s.TechMarketError, match="反馈: 应为"):
        s.match_feedback(user=SYSTEM, match=m3[0], feedback="maybe")


@pytest.mark.parametrize("kwargs,message", [
    ({"title": "", "description": "x"}, "需求名称: 不能为空"),
    ({"title": "t", "description": "  "}, "需求描述: 不能为空"),
    ({"title": "t", "description": "需" * 20_001}, "需求描述: 超过 20000 字"),
    ({"title": "t", "description": "x", "budget": "abc"}, "预算: 应为数字"),
    ({"title": "t", "description": "x", "budget": "-1"}, "预算: 不能为负数"),
])
def test_need_validation(world, kwargs, message):
    with pytest.raises(s.TechMarketError, match=message):
        s.need_post(user=SYSTEM, enterprise=world.enterprise_a, **kwargs)


def test_ten_megabyte_description_is_refused_quickly(world):
    with pytest.raises(s.TechMarketError, match="需求描述: 超过 20000 字"):
        s.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="t", description="需" * 10_000_000)
    assert not Need.objects.exists()


def test_challenge_subsidy_bounds(world):
    need = s.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="石材废料高值化", description="石材废料利用")
    ch = s.challenge_publish(user=SYSTEM, need=need, published_on=date(2026, 5, 1))
    app = s.challenge_apply(user=SYSTEM, challenge=ch, team="华侨大学团队", lead="陈教授", proposal="锯泥烧结")
    with pytest.raises(s.TechMarketError, match="尚未经专家评审"):
        s.challenge_award(user=SYSTEM, application=app, subsidy="100")
    s.challenge_review(user=SYSTEM, application=app, scores=[88, "91.5"])
    assert app.mean_score == Decimal("89.75")
    for bad in ("49.99", "200.01"):
        with pytest.raises(s.TechMarketError, match=r"50~200 万元.*南政规〔2025〕2号"):
            s.challenge_award(user=SYSTEM, application=app, subsidy=bad)
    assert s.challenge_award(user=SYSTEM, application=app, subsidy="50").subsidy == Decimal("50")
    ch2 = s.challenge_publish(user=SYSTEM, need=need, published_on=date(2026, 5, 1))
    app2 = s.challenge_apply(user=SYSTEM, challenge=ch2, team="B", lead="L", proposal="P")
    s.challenge_review(user=SYSTEM, application=app2, scores=[70])
    assert s.challenge_award(user=SYSTEM, application=app2, subsidy="200").subsidy == Decimal("200")


def test_working_days():
    assert add_working_days(date(2026, 3, 6), 3) == date(2026, 3, 11)       # Friday → Wednesday
    assert add_working_days(date(2026, 3, 2), 3, holidays={date(2026, 3, 3)}) == date(2026, 3, 6)
    assert add_working_days(date(2026, 3, 6), 1, makeup_days={date(2026, 3, 7)}) == date(2026, 3, 7)


def test_achievement_candidate_enterprises(world, market):
    s.need_post(user=SYSTEM, enterprise=world.enterprise_b, title="活性染料匀染", description="棉布活性染料染色不匀")
    s.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="石材切割", description="荒料切割损耗大")
    world.enterprise_a.high_tech_field = "新材料"
    world.enterprise_a.save()
    from kechuang.techmarket.selectors import achievement_candidates
    cands = achievement_candidates(achievement=market["dye"])
    assert [c["name"] for c in cands] == [world.enterprise_b.name, world.enterprise_a.name]
    assert "需求「活性染料匀染」" in cands[0]["why"][0]
    assert cands[1]["why"] == ["企业画像：领域「新材料」"]
    # through the choke point: township A's clerk does not see B's private need
    s.need_post(user=SYSTEM, enterprise=world.enterprise_b, title="活性染料固色", description="活性染料", is_public=False)
    seen = achievement_candidates(achievement=market["dye"], user=world.clerk_a)
    assert all("活性染料固色" not in w for c in seen for w in c["why"])


def test_need_resources_experts_and_instruments(world, market):
    from kechuang.techmarket.models import Institute, Instrument
    from kechuang.techmarket.selectors import need_resources
    hqu = Institute.objects.create(name="华侨大学", platforms=["石材加工技术工程研究中心"],
                                   experts=[{"name": "陈教授", "title": "教授", "field": "石材加工"},
                                            {"name": "吴教授", "title": "教授", "field": "纺织染整"}])
    Instrument.objects.create(name="激光粒度分析仪", owner=hqu, category="分析测试", description="石材粉体粒度测定")
    Instrument.objects.create(name="色差仪", owner=hqu, category="分析测试", description="织物染色色差测定", available=False)
    need = s.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="石材加工粉尘", description="石材粉体粒度偏大")
    res = need_resources(need=need)
    assert [e["name"] for e in res["experts"]][:1] == ["陈教授"]
    assert [i["name"] for i in res["instruments"]] == ["激光粒度分析仪"]      # unavailable ones are left out
    assert res["instruments"][0]["why"]
