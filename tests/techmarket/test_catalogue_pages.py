"""Catalogue pages: achievement detail, 成果审核, 科研机构, 共享仪器, 对接成效."""
import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kechuang.core.models import ChangeLog
from kechuang.core.permissions import PermissionRefused
from kechuang.techmarket import services
from kechuang.techmarket.models import Achievement, Broker, Institute, Instrument, Match
from kechuang.techmarket.views_catalogue import PLATFORM_PARTNER_SHARE, feedback_reasons, outcome_rows
from tests.world import SYSTEM


@pytest.fixture
def stone(db):
    """A published achievement of an institute with transfer terms and a price range."""
    inst = Institute.objects.create(name="华侨大学", kind="高校", city="泉州", platforms=["石材加工技术工程研究中心"],
                                    experts=[{"name": "陈教授", "title": "教授", "field": "智能装备"}])
    return Achievement.objects.create(
        title="石材荒料智能切割系统", abstract="机器视觉识别荒料纹理，优化切割路径。", keywords=["石材", "切割"],
        field="智能装备", maturity=6, owner_institute=inst, linked_ip="ZL202310000001.1 一种石材切割方法",
        transfer_modes=["license", "use_first"], terms="许可期 5 年", price_min=Decimal("30"),
        price_max=Decimal("80"), contact="0595-12345678", status="published", source="manual")


def _page(client, name, **kw):
    r = client.get(reverse(name, kwargs=kw))
    return r.status_code, r.content.decode()


# --------------------------------------------------------------------------- 成果详情
def test_achievement_detail_shows_the_listing(world, client_for, stone):
    status, page = _page(client_for(world.clerk_a), "techmarket:achievement_detail", pk=stone.pk)
    assert status == 200
    for text in ("石材荒料智能切割系统", "机器视觉识别荒料纹理", "TRL 6", "华侨大学", "ZL202310000001.1", "许可",
                 "先用后转", "许可期 5 年", "30.0000 ~ 80.0000", "0595-12345678", "来源：人工录入", "已发布"):
        assert text in page, text
    # the owner side's sections are not shown to a township clerk
    assert "候选企业" not in page and "企业反馈" not in page


def test_achievement_detail_hides_unpublished_rows_from_non_bureau(world, client_for, stone):
    draft = Achievement.objects.create(title="未发布成果", abstract="x", status="review")
    for user in (world.clerk_a, world.ent_user_a, world.broker_a):
        assert client_for(user).get(reverse("techmarket:achievement_detail", args=[draft.pk])).status_code == 404
    assert client_for(world.staff).get(reverse("techmarket:achievement_detail", args=[draft.pk])).status_code == 200
    assert client_for(world.sys_admin).get(reverse("techmarket:achievement_detail",
                                                   args=[stone.pk])).status_code == 403


def test_csl_source_badge(world, client_for):
    csl = Achievement.objects.filter(source="CSL").first()
    assert csl is not None, "the CSL catalogue is loaded by the reference-data step"
    _, page = _page(client_for(world.clerk_a), "techmarket:achievement_detail", pk=csl.pk)
    assert "来源：CSL 公开论文" in page


def test_owner_side_sees_candidates_and_feedback(world, client_for, stone):
    need = services.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="石材荒料切割路径优化",
                              description="寻求石材荒料智能切割技术，减少损耗")
    world.enterprise_b.high_tech_field = "智能装备"
    world.enterprise_b.save()
    m = Match.objects.create(need=need, achievement=stone, rank=1, score=0.8)
    services.match_feedback(user=SYSTEM, match=m, feedback="price", note="报价超出预算")
    status, page = _page(client_for(world.staff), "techmarket:achievement_detail", pk=stone.pk)
    assert status == 200
    assert "候选企业" in page
    # from the need (lexical) and from the registry profile (field)
    assert "水头甲石材有限公司" in page and "需求「石材荒料切割路径优化」" in page
    assert "溪美乙科技有限公司" in page and "企业画像：领域「智能装备」" in page
    # the enterprise's feedback with its note
    assert "价格不合适" in page and "报价超出预算" in page
    assert "价格不合适 1" in page and "有意向 0" in page


def test_search_results_link_to_the_detail_page(world, client_for, hashing_search, stone):
    page = client_for(world.clerk_a).get(reverse("techmarket:search"), {"q": "石材荒料切割"}).content.decode()
    assert reverse("techmarket:achievement_detail", args=[stone.pk]) in page


# --------------------------------------------------------------------------- 成果审核
@pytest.fixture
def submitted(db):
    inst = Institute.objects.create(name="中科院海西研究院", kind="大院大所")
    return Achievement.objects.create(title="玄武岩纤维增强石材复合板", abstract="玄武岩纤维与石材薄板复合，抗折强度提高。",
                                      keywords=["玄武岩纤维", "复合板"], field="新材料", owner_institute=inst,
                                      status="review", source="import")


def test_moderation_is_for_the_bureau_only(world, client_for, submitted):
    url = reverse("techmarket:moderation")
    for user in (world.clerk_a, world.ent_user_a, world.broker_a, world.liaison_a, world.sys_admin):
        c = client_for(user)
        assert c.get(url).status_code == 403
        assert c.post(url, {"action": "publish", "achievement": submitted.pk}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "review"
    page = client_for(world.staff).get(url).content.decode()
    assert "玄武岩纤维增强石材复合板" in page and "待审核（1）" in page


def test_publish_makes_the_achievement_findable(world, client_for, hashing_search, submitted):
    clerk = client_for(world.clerk_a)
    query = {"q": "玄武岩纤维 复合板"}
    assert "玄武岩纤维增强石材复合板" not in clerk.get(reverse("techmarket:search"), query).content.decode()
    staff = client_for(world.staff)
    r = staff.post(reverse("techmarket:moderation"), {"action": "publish", "achievement": submitted.pk})
    assert r.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "published"
    log = ChangeLog.objects.filter(model="techmarket.Achievement", object_id=str(submitted.pk)).latest("id")
    assert (log.source, log.actor, log.after["status"]) == ("成果审核：发布", "staff", "published")
    page = clerk.get(reverse("techmarket:search"), query).content.decode()
    assert "玄武岩纤维增强石材复合板" in page
    assert reverse("techmarket:achievement_detail", args=[submitted.pk]) in page


def test_publish_queues_the_index_job_which_writes_a_new_version(world, hashing_search, submitted,
                                                                  django_capture_on_commit_callbacks, settings):
    from kechuang.jobs.models import Job
    from kechuang.jobs.worker import run_pending
    from kechuang.search.embedders import get_embedder
    from kechuang.techmarket.catalogue import _catalogue_dir, current_version, index_root

    settings.KECHUANG_SEARCH_INDEX_INLINE = False   # the production path: the job, not the search
    with django_capture_on_commit_callbacks(execute=True):
        services.achievement_publish(user=world.staff, achievement=submitted)
    job = Job.objects.get(kind="techmarket.search_index")
    assert job.state == "queued" and job.started_by is None
    run_pending()
    job.refresh_from_db()
    assert job.state == "done", job.error
    version = current_version()
    prints = json.loads((_catalogue_dir(index_root(), get_embedder()) / version / "fingerprints.json").read_text())
    assert submitted.search_id in prints


def test_reject_requires_a_reason(world, client_for, submitted):
    staff = client_for(world.staff)
    for reason in ("", "   "):
        r = staff.post(reverse("techmarket:moderation"), {"action": "reject", "achievement": submitted.pk,
                                                          "reason": reason})
        assert r.status_code == 400
        assert "退回原因: 不能为空" in r.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "review"
    too_long = "原" * (services.REJECT_REASON_MAX_CHARS + 1)
    r = staff.post(reverse("techmarket:moderation"), {"action": "reject", "achievement": submitted.pk,
                                                      "reason": too_long})
    assert r.status_code == 400 and f"超过 {services.REJECT_REASON_MAX_CHARS} 字" in r.content.decode()
    # exactly the limit is accepted
    r = staff.post(reverse("techmarket:moderation"), {"action": "reject", "achievement": submitted.pk,
                                                      "reason": too_long[:-1]})
    assert r.status_code == 302


def test_reject_with_reason_goes_back_to_draft_and_the_reason_is_shown(world, client_for, submitted):
    staff = client_for(world.staff)
    r = staff.post(reverse("techmarket:moderation"), {"action": "reject", "achievement": submitted.pk,
                                                      "reason": "缺少知识产权证明"})
    assert r.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "draft"
    log = ChangeLog.objects.filter(model="techmarket.Achievement", object_id=str(submitted.pk)).latest("id")
    assert log.source == "成果审核：退回" and log.after["status"] == "draft"
    assert log.after["moderation_note"] == submitted.moderation_note == "缺少知识产权证明"
    page = staff.get(reverse("techmarket:moderation")).content.decode()
    assert "待审核（0）" in page and "缺少知识产权证明" in page
    detail = staff.get(reverse("techmarket:achievement_detail", args=[submitted.pk])).content.decode()
    assert "审核记录" in detail and "缺少知识产权证明" in detail
    # a draft is not "submitted": it cannot be sent back again, but the bureau may publish it
    with pytest.raises(services.TechMarketError, match="只有待审核的成果可以退回"):
        services.achievement_reject(user=world.staff, achievement=submitted, reason="再退一次")
    services.achievement_publish(user=world.staff, achievement=submitted)
    submitted.refresh_from_db()
    assert submitted.status == "published" and submitted.moderation_note == ""
    # the history keeps the reason of the earlier 退回 after publication cleared the field
    detail = staff.get(reverse("techmarket:achievement_detail", args=[submitted.pk])).content.decode()
    assert "缺少知识产权证明" in detail


def test_publish_refusals(world, submitted, stone):
    with pytest.raises(PermissionRefused, match="您没有权限审核科技成果"):
        services.achievement_publish(user=world.clerk_a, achievement=submitted)
    with pytest.raises(PermissionRefused, match="您没有权限审核科技成果"):
        services.achievement_reject(user=world.ent_user_a, achievement=submitted, reason="x")
    with pytest.raises(PermissionRefused, match="操作必须指明操作人"):
        services.achievement_publish(user=None, achievement=submitted)
    with pytest.raises(services.TechMarketError, match="当前为「已发布」"):
        services.achievement_publish(user=world.staff, achievement=stone)
    empty = Achievement.objects.create(title="无简介成果", abstract=" ", status="review")
    with pytest.raises(services.TechMarketError, match="成果简介: 「无简介成果」没有成果简介"):
        services.achievement_publish(user=world.staff, achievement=empty)
    empty.refresh_from_db()
    assert empty.status == "review"


def test_moderation_bad_post(world, client_for, submitted):
    staff = client_for(world.staff)
    r = staff.post(reverse("techmarket:moderation"), {"action": "publish", "achievement": "abc"})
    assert r.status_code == 400 and "未指定要审核的成果" in r.content.decode()
    r = staff.post(reverse("techmarket:moderation"), {"action": "erase", "achievement": submitted.pk})
    assert r.status_code == 400 and "未知操作" in r.content.decode()
    assert staff.post(reverse("techmarket:moderation"), {"action": "publish", "achievement": 999999}).status_code == 404


# --------------------------------------------------------------------------- 科研机构 / 共享仪器
def test_institutes_and_detail(world, client_for, stone):
    inst = stone.owner_institute
    Achievement.objects.create(title="华侨大学草稿成果", abstract="x", owner_institute=inst, status="draft")
    Instrument.objects.create(name="场发射扫描电子显微镜", owner=inst, category="分析测试", fee="400 元/小时")
    c = client_for(world.ent_user_b)
    status, page = _page(c, "techmarket:institutes")
    assert status == 200 and "华侨大学" in page and "石材加工技术工程研究中心" in page
    status, page = _page(c, "techmarket:institute_detail", pk=inst.pk)
    assert status == 200
    for text in ("陈教授", "教授", "智能装备", "场发射扫描电子显微镜", "400 元/小时", "石材荒料智能切割系统"):
        assert text in page, text
    assert "华侨大学草稿成果" not in page
    assert _page(client_for(world.staff), "techmarket:institute_detail", pk=inst.pk)[1].count("华侨大学草稿成果") == 1
    assert _page(c, "techmarket:institute_detail", pk=999999)[0] == 404


def test_instruments_filters(world, client_for):
    a = Institute.objects.create(name="甲研究院")
    b = Institute.objects.create(name="乙研究院")
    Instrument.objects.create(name="X射线衍射仪", owner=a, category="分析测试", available=True)
    Instrument.objects.create(name="三坐标测量机", owner=b, category="计量检测", available=True)
    Instrument.objects.create(name="激光粒度仪", owner=a, category="分析测试", available=False)
    c = client_for(world.clerk_b)
    page = c.get(reverse("techmarket:instruments")).content.decode()
    assert all(n in page for n in ("X射线衍射仪", "三坐标测量机", "激光粒度仪")) and "共 3 台" in page
    page = c.get(reverse("techmarket:instruments"), {"category": "分析测试"}).content.decode()
    assert "X射线衍射仪" in page and "激光粒度仪" in page and "三坐标测量机" not in page
    page = c.get(reverse("techmarket:instruments"), {"category": "分析测试", "available": "yes"}).content.decode()
    assert "X射线衍射仪" in page and "激光粒度仪" not in page
    page = c.get(reverse("techmarket:instruments"), {"available": "no"}).content.decode()
    assert "激光粒度仪" in page and "X射线衍射仪" not in page and "暂停预约" in page
    r = c.get(reverse("techmarket:instruments"), {"available": "maybe"})
    assert r.status_code == 400 and "可预约: 应为" in r.content.decode()


# --------------------------------------------------------------------------- 对接成效
def _deal(need, achievement, broker, no):
    m = Match.objects.create(need=need, achievement=achievement, rank=1, score=0.9)
    services.match_feedback(user=SYSTEM, match=m, feedback="interested")
    d = services.dispatch_assign(user=SYSTEM, match=m, broker=broker, reason="测试")
    services.dispatch_advance(user=SYSTEM, dispatch=d)
    services.dispatch_advance(user=SYSTEM, dispatch=d)
    deal = services.deal_sign(user=SYSTEM, dispatch=d, amount="40", signed_on=date(2026, 3, 1))
    services.contract_register(user=SYSTEM, deal=deal, contract_type="license", registered_on=date(2026, 3, 2),
                               registration_no=no)


@pytest.fixture
def outcomes_world(world, stone):
    """新材料: 5 needs, one reaches a registered contract (20.0 %, the platforms' fifth exactly);
    智能装备: 6 needs, one deal without a contract (16.7 %), one suggestion answered 不适用, one 太早期;
    one need without a field, never matched."""
    broker = Broker.objects.create(user=world.broker_a, name="张经理", fields=["新材料"])
    material = [services.need_post(user=SYSTEM, enterprise=world.enterprise_a, title=f"新材料需求{i}", description="d",
                                   field="新材料") for i in range(5)]
    _deal(material[0], stone, broker, "REG-1")
    Match.objects.create(need=material[1], achievement=stone, rank=1, score=0.5)  # suggested, unanswered
    equip = [services.need_post(user=SYSTEM, enterprise=world.enterprise_b, title=f"装备需求{i}", description="d",
                                field="智能装备") for i in range(6)]
    m = Match.objects.create(need=equip[0], achievement=stone, rank=1, score=0.7)
    services.match_feedback(user=SYSTEM, match=m, feedback="interested")
    d = services.dispatch_assign(user=SYSTEM, match=m, broker=broker, reason="测试")
    services.dispatch_advance(user=SYSTEM, dispatch=d)
    services.dispatch_advance(user=SYSTEM, dispatch=d)
    services.deal_sign(user=SYSTEM, dispatch=d, amount="15", signed_on=date(2026, 3, 5))
    services.match_feedback(user=SYSTEM, match=Match.objects.create(need=equip[1], achievement=stone, rank=1, score=0.4),
                            feedback="not_applicable")
    services.match_feedback(user=SYSTEM, match=Match.objects.create(need=equip[2], achievement=stone, rank=1, score=0.3),
                            feedback="too_early")
    services.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="未分类需求", description="d")
    return world


def test_outcome_figures_are_computed_from_rows(outcomes_world):
    rows, total = outcome_rows(outcomes_world.staff)
    by = {r["field"]: r for r in rows}
    assert set(by) == {"新材料", "智能装备", "未分类"}
    m, e, u = by["新材料"], by["智能装备"], by["未分类"]
    assert (m["listings"], m["with_match"], m["suggestions"], m["answered"], m["with_interest"], m["dispatched"],
            m["with_deal"], m["deals"], m["contracts"]) == (5, 2, 2, 1, 1, 1, 1, 1, 1)
    assert (e["listings"], e["with_match"], e["suggestions"], e["answered"], e["with_interest"], e["dispatched"],
            e["with_deal"], e["deals"], e["contracts"]) == (6, 3, 3, 3, 1, 1, 1, 1, 0)
    assert (u["listings"], u["with_match"], u["with_deal"]) == (1, 0, 0)
    # shares on both sides of the platforms' "about a fifth"
    assert m["share"] == Decimal("20.0") and m["above_platforms"] is True
    assert e["share"] == Decimal("16.7") and e["above_platforms"] is False
    assert u["share"] == Decimal("0.0")
    assert PLATFORM_PARTNER_SHARE == Decimal("20")
    assert (total["listings"], total["with_deal"], total["contracts"], total["share"]) == (12, 2, 1, Decimal("16.7"))
    labels, reasons = feedback_reasons(outcomes_world.staff)
    by = {r["field"]: dict(zip(labels, r["counts"], strict=True)) for r in reasons}
    assert by["智能装备"]["有意向"] == 1 and by["智能装备"]["不适用"] == 1 and by["智能装备"]["太早期"] == 1
    assert by["新材料"] == {"有意向": 1, "太早期": 0, "不适用": 0, "价格不合适": 0, "已有方案": 0, "其他": 0}


def test_outcomes_page_is_for_the_bureau(outcomes_world, client_for):
    w = outcomes_world
    for user in (w.clerk_a, w.ent_user_a, w.broker_a, w.liaison_a, w.sys_admin):
        assert client_for(user).get(reverse("techmarket:outcomes")).status_code == 403
    status, page = _page(client_for(w.staff), "techmarket:outcomes")
    assert status == 200
    assert "20.0%" in page and "16.7%" in page and "约五分之一" in page
    assert 'id="outcomes-data"' in page and "techmarket/outcomes.js" in page
    data = json.loads(page.split('id="outcomes-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert data["fields"] == ["智能装备", "新材料", "未分类"]
    assert data["series"][0] == {"name": "发布需求", "data": [6, 5, 1]}


def test_tabs_show_bureau_tabs_only_to_the_bureau(world, client_for):
    staff_page = _page(client_for(world.staff), "techmarket:institutes")[1]
    clerk_page = _page(client_for(world.clerk_a), "techmarket:institutes")[1]
    for page in (staff_page, clerk_page):
        assert "科研机构" in page and "共享仪器" in page
    assert "成果审核" in staff_page and "对接成效" in staff_page
    assert "成果审核" not in clerk_page and "对接成效" not in clerk_page


def test_search_results_read_their_institutes_in_the_same_query(world, client_for, hashing_search, stone):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(3):
        inst = Institute.objects.create(name=f"石材研究院{i}", kind="高校")
        Achievement.objects.create(title=f"石材荒料切割工艺{i}", abstract="石材切割。", keywords=["石材"], field="智能装备",
                                   owner_institute=inst, status="published", source="manual")
    client = client_for(world.clerk_a)
    client.get(reverse("techmarket:search"), {"q": "石材荒料切割"})
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("techmarket:search"), {"q": "石材荒料切割"}).content.decode()
    assert "华侨大学" in page and "石材研究院2" in page
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT "techmarket_institute"')]
