"""Dispatch of a need no achievement fits (issue 13: "say plainly that no achievement fits and offer
dispatch to a broker"): the bureau dispatches the need itself by the same rule, the broker is told,
finds a solution outside the catalogue and carries it to a deal and a registered contract; the
database keeps a dispatch's match on its own need and one open need-level dispatch per need."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kechuang.core.models import ChangeLog
from kechuang.core.vocabulary import readable_changes
from kechuang.inbox.models import Message
from kechuang.techmarket import services as s
from kechuang.techmarket.models import Achievement, Broker, Deal, Dispatch, Match, Need
from kechuang.techmarket.selectors import contract_turnover
from kechuang.techmarket.views_catalogue import outcome_rows
from tests.world import SYSTEM

FAUCET = ("卫浴水龙头铜合金铸件无铅化", "铜合金铸件需要无铅化，寻找低铅黄铜配方与铸造工艺。")


@pytest.fixture
def brokers(world):
    b1 = Broker.objects.create(user=world.broker_a, name="张经理", fields=["新材料"], capacity=3)
    b2 = Broker.objects.create(user=world.broker_b, name="李经理", fields=["智能装备"], capacity=3)
    return b1, b2


def _need(world, enterprise=None, **kw):
    return s.need_post(user=SYSTEM, enterprise=enterprise or world.enterprise_a, title=kw.pop("title", FAUCET[0]),
                       description=FAUCET[1], field="新材料", is_public=False, **kw)


def test_no_fit_need_dispatched_to_contract(world, brokers, client_for):
    need = _need(world)
    staff = client_for(world.staff)
    page = staff.get(reverse("techmarket:need_detail", args=[need.pk])).content.decode()
    assert "成果库中没有适合这项需求的成果" in page
    assert "按派单规则将派给 <b>张经理</b>" in page and "派给技术经理人" in page

    monday = timezone.make_aware(datetime(2026, 3, 2, 9, 0))
    d = s.dispatch_assign(user=SYSTEM, need=need, now=monday)
    assert (d.need, d.match, d.achievement, d.broker) == (need, None, None, brokers[0])     # the same rule
    assert d.rule.startswith("成果库中没有适合的成果") and "领域「新材料」" in d.rule
    assert d.first_contact_due == date(2026, 3, 5)
    assert Need.objects.get(pk=need.pk).status == "matched"
    msg = Message.objects.get(recipient=world.broker_a)
    assert msg.title == f"新的派单：{FAUCET[0]}" and "另寻" in msg.body and "2026年03月05日" in msg.body
    assert msg.url == reverse("techmarket:dispatch_detail", args=[d.pk])
    assert not Message.objects.filter(recipient=world.broker_b).exists()

    bench = client_for(world.broker_a).get(reverse("techmarket:workbench")).content.decode()
    assert FAUCET[0] in bench and "无适合成果" in bench
    assert FAUCET[0] not in client_for(world.broker_b).get(reverse("techmarket:workbench")).content.decode()
    detail = client_for(world.broker_a).get(reverse("techmarket:dispatch_detail", args=[d.pk])).content.decode()
    assert "成果库中没有适合的成果" in detail and "None" not in detail

    s.dispatch_note(user=SYSTEM, dispatch=d, text="已电话联系企业", now=monday)
    s.dispatch_advance(user=SYSTEM, dispatch=d)
    s.dispatch_advance(user=SYSTEM, dispatch=d)
    with pytest.raises(s.TechMarketError, match="解决方案及来源: 不能为空"):
        s.deal_sign(user=SYSTEM, dispatch=d, amount="30", signed_on=date(2026, 3, 20), provider="福州大学")
    with pytest.raises(s.TechMarketError, match="技术提供方: 不能为空"):
        s.deal_sign(user=SYSTEM, dispatch=d, amount="30", signed_on=date(2026, 3, 20), solution="无铅黄铜配方")
    with pytest.raises(s.TechMarketError, match="解决方案及来源: 超过 500 字"):
        s.deal_sign(user=SYSTEM, dispatch=d, amount="30", signed_on=date(2026, 3, 20), provider="福州大学",
                    solution="方" * 501)
    deal = s.deal_sign(user=SYSTEM, dispatch=d, amount="30", signed_on=date(2026, 3, 20), provider="福州大学材料学院",
                       solution="铋黄铜低铅配方与低压铸造工艺，来源：福州大学材料学院课题组")
    assert deal.achievement is None and deal.need == need
    c = s.contract_register(user=SYSTEM, deal=deal, contract_type="development", registered_on=date(2026, 3, 25),
                            registration_no="3505832026000099")
    assert (c.seller, c.buyer, c.township, c.amount) == ("福州大学材料学院", world.enterprise_a.name,
                                                        world.township_a, Decimal("30"))
    assert c.title == f"{FAUCET[0]}（福州大学材料学院）"
    assert Dispatch.objects.get(pk=d.pk).stage == "done"
    assert contract_turnover(township=world.township_a, start=date(2026, 1, 1), end=date(2026, 3, 31)) == 30

    # 对接成效 counts it: dispatched (without an achievement), a deal, a contract
    rows, total = outcome_rows(world.staff)
    row = {r["field"]: r for r in rows}["新材料"]
    assert (row["listings"], row["with_match"], row["dispatched"], row["dispatched_unmatched"], row["with_deal"],
            row["contracts"]) == (1, 0, 1, 1, 1, 1)
    page = staff.get(reverse("techmarket:outcomes")).content.decode()
    assert "其中无适合成果" in page
    page = client_for(world.ent_user_a).get(reverse("techmarket:need_detail", args=[need.pk])).content.decode()
    assert "张经理" in page and "已完成" in page


def test_dispatch_rules(world, brokers):
    need = _need(world)
    with pytest.raises(TypeError):
        s.dispatch_assign(user=SYSTEM)
    with pytest.raises(s.PermissionRefused):
        s.dispatch_assign(user=world.ent_user_a, need=need)
    with pytest.raises(s.PermissionRefused):
        s.dispatch_assign(user=world.clerk_a, need=need)
    d = s.dispatch_assign(user=world.staff, need=need, broker=brokers[1], reason="熟悉铸造企业")
    assert d.overridden and "熟悉铸造企业" in d.rule and d.broker == brokers[1]
    with pytest.raises(s.TechMarketError, match="已派给技术经理人 李经理（对接）"):
        s.dispatch_assign(user=SYSTEM, need=need)
    with pytest.raises(s.TechMarketError, match="改派理由: 超过 200 字"):
        s.dispatch_assign(user=SYSTEM, need=_need(world, title="另一项"), broker=brokers[0], reason="理" * 201)
    # stopped: the need may be dispatched again
    Dispatch.objects.filter(pk=d.pk).update(stage="dropped")
    again = s.dispatch_assign(user=SYSTEM, need=need)
    assert again.broker == brokers[0]
    Need.objects.filter(pk=need.pk).update(status="closed")
    Dispatch.objects.filter(pk=again.pk).update(stage="dropped")
    with pytest.raises(s.TechMarketError, match="已关闭"):
        s.dispatch_assign(user=SYSTEM, need=Need.objects.get(pk=need.pk))


def test_database_keeps_dispatches_consistent(world, brokers):
    """The rules hold for writes that bypass the services (on SQLite and PostgreSQL alike): a
    dispatch's match belongs to its need (composite key / triggers, migration 0007), one open
    need-level dispatch per need, a deal has an achievement or a written solution."""
    b1 = brokers[0]
    need, other = _need(world), _need(world, title="另一项需求")
    ach = Achievement.objects.create(title="石材切割", status="published")
    m_other = Match.objects.create(need=other, achievement=ach, rank=1, score=0.9)
    row = dict(broker=b1, rule="测试", assigned_at=timezone.now(), first_contact_due=date(2026, 3, 5))
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(need=need, match=m_other, **row)
    ok = Dispatch.objects.create(need=other, match=m_other, **row)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.filter(pk=ok.pk).update(need=need)
    with pytest.raises(IntegrityError), transaction.atomic():
        Match.objects.filter(pk=m_other.pk).update(need=need)
    first = Dispatch.objects.create(need=need, **row)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(need=need, **row)
    Dispatch.objects.filter(pk=first.pk).update(stage="done")
    Dispatch.objects.create(need=need, **row)                        # after the first is finished
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.create(need=need, amount=1, signed_on=date(2026, 3, 1), provider="某大学")
    Deal.objects.create(need=need, amount=1, signed_on=date(2026, 3, 1), provider="某大学", solution="方案")


def test_scoping_of_need_level_dispatches(world, brokers):
    d = s.dispatch_assign(user=SYSTEM, need=_need(world))
    for user, sees in ((world.staff, True), (world.broker_a, True), (world.broker_b, False), (world.clerk_a, True),
                       (world.clerk_b, False), (world.ent_user_a, True), (world.ent_user_b, False)):
        assert Dispatch.objects.restrict(user).filter(pk=d.pk).exists() is sees, user
    # the broker reaches the (private) need through the dispatch
    assert Need.objects.restrict(world.broker_a).filter(pk=d.need_id).exists()
    assert not Need.objects.restrict(world.broker_b).filter(pk=d.need_id).exists()


def test_change_log_shows_the_new_fields_in_words(world, brokers, client_for):
    d = s.dispatch_assign(user=SYSTEM, need=_need(world))
    entry = ChangeLog.objects.filter(model="techmarket.Dispatch", object_id=str(d.pk), action="create").get()
    shown = dict((label, new) for label, _old, new in readable_changes(entry))
    assert shown["需求"] == FAUCET[0] and shown["技术经理人"] == "张经理"
    assert shown.get("推荐成果", "（空）") == "（空）"      # a creation lists the fields it filled
    for _ in range(2):
        s.dispatch_advance(user=SYSTEM, dispatch=d)
    deal = s.deal_sign(user=SYSTEM, dispatch=d, amount="5", signed_on=date(2026, 3, 1), provider="华侨大学",
                       solution="锯泥烧结")
    entry = ChangeLog.objects.filter(model="techmarket.Deal", object_id=str(deal.pk), action="create").get()
    shown = dict((label, new) for label, _old, new in readable_changes(entry))
    assert (shown["解决方案及来源"], shown["技术提供方"], shown.get("成果", "（空）")) == ("锯泥烧结", "华侨大学", "（空）")
    page = client_for(world.staff).get(reverse("core:changes", args=["techmarket.Deal", deal.pk])).content.decode()
    assert "解决方案及来源" in page and "锯泥烧结" in page and "solution" not in page and "provider" not in page


def test_need_page_dispatch_button(world, brokers, client_for):
    need = _need(world)
    owner = client_for(world.ent_user_a).get(reverse("techmarket:need_detail", args=[need.pk])).content.decode()
    assert "成果库中没有适合这项需求的成果" in owner and 'id="dispatch-need"' not in owner
    url = reverse("techmarket:need_dispatch", args=[need.pk])
    assert client_for(world.ent_user_a).post(url).status_code == 403
    assert client_for(world.clerk_a).post(url).status_code == 403
    assert client_for(world.staff).get(url).status_code == 405
    staff = client_for(world.staff)
    r = staff.post(url, {"broker_id": "abc"}, follow=True)
    assert "技术经理人: 请从列表中选择" in r.content.decode() and not Dispatch.objects.exists()
    r = staff.post(url, {"broker_id": "", "reason": ""}, follow=True)
    page = r.content.decode()
    assert "已派给技术经理人 张经理" in page and 'id="dispatch-need"' not in page and 'id="need-dispatches"' in page
    r = staff.post(url, follow=True)
    assert "办结或终止后才能再派" in r.content.decode() and Dispatch.objects.count() == 1


def test_bureau_stops_a_dispatch_and_dispatches_the_need_again(world, brokers, client_for):
    need = _need(world)
    d = s.dispatch_assign(user=SYSTEM, need=need)
    url = reverse("techmarket:dispatch_detail", args=[d.pk])
    assert 'id="drop-dispatch"' not in client_for(world.broker_a).get(url).content.decode()
    with pytest.raises(s.PermissionRefused):
        s.dispatch_drop(user=world.broker_a, dispatch=d, reason="找不到合作方")
    with pytest.raises(s.TechMarketError, match="终止理由: 不能为空"):
        s.dispatch_drop(user=world.staff, dispatch=d, reason=" ")
    staff = client_for(world.staff)
    assert 'id="drop-dispatch"' in staff.get(url).content.decode()
    page = staff.post(url, {"action": "drop", "reason": "企业已自行解决"}, follow=True).content.decode()
    d.refresh_from_db()
    assert d.stage == "dropped" and d.notes[-1]["text"] == "终止派单：企业已自行解决"
    assert "已终止" in page and 'id="drop-dispatch"' not in page
    assert Message.objects.filter(recipient=world.broker_a, title=f"派单已终止：{FAUCET[0]}").exists()
    with pytest.raises(s.TechMarketError, match="不能终止"):
        s.dispatch_drop(user=world.staff, dispatch=d, reason="再次终止")
    page = staff.get(reverse("techmarket:need_detail", args=[need.pk])).content.decode()
    assert 'id="dispatch-need"' in page and "已终止" in page
    again = s.dispatch_assign(user=world.staff, need=need)
    assert again.broker == brokers[0] and again.pk != d.pk
