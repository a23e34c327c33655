"""揭榜挂帅: publish → apply → review → award → milestone acceptance, through the pages and the services.

Subsidy 50~200 万元: 南政规〔2025〕2号 一、（二） “对成功申报并通过验收的项目，由市财政给予 50~200 万元的补助”.
"""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from kechuang.core.models import ChangeLog
from kechuang.techmarket import services as s
from kechuang.techmarket.models import Challenge, ChallengeApplication, ChallengeMilestone
from tests.world import SYSTEM

SECRET = "保密：现有产线良率仅 61%"
LATER = (date.today() + timedelta(days=60)).isoformat()   # an application deadline still ahead


@pytest.fixture
def need(world):
    return s.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="石材废料高值化利用", description=SECRET,
                       budget="300", field="新材料", is_public=False)


def _msgs(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_whole_flow_through_the_pages(world, client_for, need):
    staff = client_for(world.staff)
    new = reverse("techmarket:challenge_new")
    # a private need cannot be published without a public summary (its description stays private)
    r = staff.post(new, {"need": need.pk, "published_on": "2026-05-01"})
    assert r.status_code == 400 and "榜单名称: 来源需求未公开" in r.content.decode()
    r = staff.post(new, {"need": need.pk, "published_on": "2026-05-01", "title": "石材锯泥资源化攻关"})
    assert r.status_code == 400 and "榜单内容: 来源需求未公开" in r.content.decode()
    r = staff.post(new, {"need": need.pk, "published_on": "2026-05-01", "deadline": LATER, "title": "石材锯泥资源化攻关",
                         "summary": "石材锯泥制备高性能建材，抗压强度≥40 MPa", "bounty": "300",
                         "milestones": "2026-09-30 完成小试\n2027-03-31 完成中试"})
    ch = Challenge.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("techmarket:challenge_detail", args=[ch.pk])
    # nothing copied from the private need: the field stays empty unless typed
    assert (ch.bounty, ch.field, ch.status, ch.created_by) == (Decimal("300"), "", "open", world.staff)
    assert [m.title for m in ch.milestones.all()] == ["完成小试", "完成中试"]
    url = r["Location"]

    # an enterprise of another township applies online; the issuing enterprise cannot apply to itself
    ent_b = client_for(world.ent_user_b)
    page = ent_b.get(url).content.decode()
    assert "我要揭榜" in page and "揭榜资格" in page and SECRET not in page
    ent_b.post(url, {"action": "apply", "team": "溪美乙联合华侨大学团队", "lead": "王工", "institution": "华侨大学",
                     "members": "王工（高工）、陈教授", "proposal": "锯泥烧结制砖，中试线 1 条"})
    app_b = ChallengeApplication.objects.get(team="溪美乙联合华侨大学团队")
    assert app_b.applicant_enterprise == world.enterprise_b and app_b.submitted_by == world.ent_user_b
    r = client_for(world.ent_user_a).post(url, {"action": "apply", "team": "自家团队", "lead": "李", "proposal": "x"},
                                          follow=True)
    assert "发榜企业不能揭本企业的榜" in _msgs(r)
    # a university team without an account: the bureau enters the paper application (代录)
    staff.post(url, {"action": "apply", "team": "福州大学材料学院团队", "lead": "林教授", "proposal": "地聚物路线"})
    app_f = ChallengeApplication.objects.get(team="福州大学材料学院团队")
    assert app_f.applicant_enterprise is None

    # scoring closes the call, so it waits for the 揭榜截止日期 (issue 13: it used to close it early)
    r = staff.post(url, {"action": "review", "application": app_b.pk, "expert_1": "陈教授", "score_1": "88"},
                   follow=True)
    assert "截止后才能录入评审分" in _msgs(r) and Challenge.objects.get().status == "open"
    Challenge.objects.filter(pk=ch.pk).update(deadline=date.today() - timedelta(days=1))

    # expert review: each expert's score; mean and ranking
    staff.post(url, {"action": "review", "application": app_b.pk, "expert_1": "陈教授", "score_1": "88",
                     "expert_2": "林研究员", "score_2": "91.5", "expert_3": "", "score_3": ""})
    staff.post(url, {"action": "review", "application": app_f.pk, "expert_1": "陈教授", "score_1": "92",
                     "expert_2": "林研究员", "score_2": "95"})
    app_b.refresh_from_db()
    assert app_b.scores == [("陈教授", Decimal("88.00")), ("林研究员", Decimal("91.50"))]
    assert app_b.mean_score == Decimal("89.75")
    assert Challenge.objects.get().status == "review"
    assert [a.team for a in s.challenge_ranking(ch)] == ["福州大学材料学院团队", "溪美乙联合华侨大学团队"]
    page = staff.get(url).content.decode()
    table = page[page.index('id="ranking"'):]
    assert table.index("福州大学材料学院团队") < table.index("溪美乙联合华侨大学团队")
    assert "93.50" in page and "89.75" in page

    # award: the field outside the bounds is named, with the citation
    r = staff.post(url, {"action": "award", "application": app_f.pk, "subsidy": "200.01"}, follow=True)
    assert "补助金额: 应在 50~200 万元之间（南政规〔2025〕2号 一、（二））" in _msgs(r)
    staff.post(url, {"action": "award", "application": app_f.pk, "subsidy": "200"})
    ch.refresh_from_db()
    assert (ch.status, ch.subsidy) == ("awarded", Decimal("200"))
    assert ChallengeApplication.objects.get(pk=app_f.pk).awarded

    # milestones: overdue flag, failed needs a note, all passed → 已验收
    first, second = ch.milestones.all()
    r = staff.post(url, {"action": "milestone_accept", "milestone": first.pk, "result": "failed", "on": "2026-10-10",
                         "note": ""}, follow=True)
    assert "验收意见: 「完成小试」验收未通过时必须填写意见" in _msgs(r)
    staff.post(url, {"action": "milestone_accept", "milestone": first.pk, "result": "failed", "on": "2026-10-10",
                     "note": "抗压强度 35 MPa，未达指标"})
    first.refresh_from_db()
    assert first.acceptance == "failed" and first.is_overdue(date(2026, 10, 10))
    assert not second.is_overdue(date(2026, 10, 10))
    staff.post(url, {"action": "milestone_accept", "milestone": first.pk, "result": "passed", "on": "2026-11-20",
                     "note": "复验 42 MPa"})
    assert Challenge.objects.get().status == "awarded"
    staff.post(url, {"action": "milestone_accept", "milestone": second.pk, "result": "passed", "on": "2027-03-31"})
    assert Challenge.objects.get().status == "accepted"
    page = staff.get(url).content.decode()
    assert "已通过验收，可拨付" in page and "验收通过" in page
    # every step is in the change log
    assert ChangeLog.objects.filter(model="techmarket.Challenge", object_id=str(ch.pk)).count() >= 4


@pytest.mark.parametrize("subsidy,ok", [("49.99", False), ("50", True), ("50.00", True), ("200", True),
                                        ("200.01", False), ("0", False), ("-60", False)])
def test_subsidy_bounds_both_sides(world, need, subsidy, ok):
    ch = s.challenge_publish(user=SYSTEM, need=need, title="石材锯泥资源化攻关", published_on=date(2026, 5, 1), summary="公开内容")
    app = s.challenge_apply(user=SYSTEM, challenge=ch, team="华侨大学团队", lead="陈教授", proposal="方案")
    s.challenge_review(user=SYSTEM, application=app, scores=[("陈教授", 80)])
    if ok:
        assert s.challenge_award(user=SYSTEM, application=app, subsidy=subsidy).subsidy == Decimal(subsidy)
    else:
        with pytest.raises(s.TechMarketError, match=rf"^补助金额: 应在 50~200 万元之间.*收到 {subsidy} 万元"):
            s.challenge_award(user=SYSTEM, application=app, subsidy=subsidy)
        assert Challenge.objects.get().status == "review"


@pytest.mark.parametrize("subsidy,message", [("五十", "补助金额: 应为数字"), ("", "补助金额: 应为数字"),
                                             ("100.00001", "补助金额: 最多 4 位小数")])
def test_subsidy_that_is_not_a_clean_number(world, need, subsidy, message):
    ch = s.challenge_publish(user=SYSTEM, need=need, title="石材锯泥资源化攻关", published_on=date(2026, 5, 1), summary="公开内容")
    app = s.challenge_apply(user=SYSTEM, challenge=ch, team="T", lead="L", proposal="P")
    s.challenge_review(user=SYSTEM, application=app, scores=[90])
    with pytest.raises(s.TechMarketError, match=message):
        s.challenge_award(user=SYSTEM, application=app, subsidy=subsidy)


@pytest.mark.parametrize("scores,message", [
    ([("陈教授", "100.5")], r"专家评分（陈教授）: 应在 0–100 之间，收到 100.5"),
    ([("陈教授", "-1")], r"专家评分（陈教授）: 应在 0–100 之间"),
    ([("陈教授", "优")], r"专家评分（陈教授）: 应为数字"),
    ([("陈教授", "")], r"专家评分（陈教授）: 不能为空"),
    ([("陈教授", 80), ("陈教授", 90)], "专家「陈教授」重复录入"),
    ([], "至少录入一位专家"),
])
def test_bad_scores_name_the_expert(world, need, scores, message):
    ch = s.challenge_publish(user=SYSTEM, need=need, title="石材锯泥资源化攻关", published_on=date(2026, 5, 1), summary="公开内容")
    app = s.challenge_apply(user=SYSTEM, challenge=ch, team="T", lead="L", proposal="P")
    with pytest.raises(s.TechMarketError, match=message):
        s.challenge_review(user=SYSTEM, application=app, scores=scores)


def test_score_boundaries_zero_and_hundred_are_accepted(world, need):
    ch = s.challenge_publish(user=SYSTEM, need=need, title="石材锯泥资源化攻关", published_on=date(2026, 5, 1), summary="公开内容")
    app = s.challenge_apply(user=SYSTEM, challenge=ch, team="T", lead="L", proposal="P")
    s.challenge_review(user=SYSTEM, application=app, scores=[("甲", 0), ("乙", 100)])
    assert app.mean_score == Decimal("50.00")


def test_clerk_and_enterprise_cannot_review_award_or_accept(world, client_for, need):
    ch = s.challenge_publish(user=SYSTEM, need=need, title="石材锯泥资源化攻关", published_on=date(2026, 5, 1), summary="公开内容",
                             milestones=[("样机", "2026-09-30")])
    app = s.challenge_apply(user=SYSTEM, challenge=ch, team="T", lead="L", proposal="P")
    url = reverse("techmarket:challenge_detail", args=[ch.pk])
    for user in (world.clerk_a, world.ent_user_a, world.ent_user_b, world.broker_a):
        c = client_for(user)
        assert c.get(url).status_code == 200
        for data in ({"action": "review", "application": app.pk, "expert_1": "甲", "score_1": "90"},
                     {"action": "award", "application": app.pk, "subsidy": "100"},
                     {"action": "milestone_add", "title": "x", "due": "2026-12-01"},
                     {"action": "milestone_accept", "milestone": ch.milestones.get().pk, "result": "passed",
                      "on": "2026-10-01"},
                     {"action": "close", "reason": "x"}):
            assert c.post(url, data).status_code == 403, (user.username, data["action"])
    assert client_for(world.clerk_a).post(url, {"action": "apply", "team": "镇团队", "lead": "x",
                                                "proposal": "y"}).status_code == 403
    assert client_for(world.ent_user_a).get(reverse("techmarket:challenge_new")).status_code == 403
    app.refresh_from_db()
    assert app.review_scores == [] and not app.awarded
    with pytest.raises(PermissionDenied):
        s.challenge_award(application=app, subsidy="100", user=world.clerk_a)


def test_application_rules(world, need):
    ch = s.challenge_publish(user=SYSTEM, need=need, title="石材锯泥资源化攻关", published_on=date(2026, 5, 1), deadline=date(2026, 6, 30),
                             summary="公开内容")
    with pytest.raises(s.TechMarketError, match="揭榜截止日期: 已于 2026-06-30 截止"):
        s.challenge_apply(user=SYSTEM, challenge=ch, team="T", lead="L", proposal="P", today=date(2026, 7, 1))
    s.challenge_apply(user=SYSTEM, challenge=ch, team="T", lead="L", proposal="P", today=date(2026, 6, 30))
    with pytest.raises(s.TechMarketError, match="「T」已揭此榜"):
        s.challenge_apply(user=SYSTEM, challenge=ch, team="T", lead="L", proposal="P", today=date(2026, 6, 30))
    with pytest.raises(s.TechMarketError, match="团队负责人: 不能为空"):
        s.challenge_apply(user=SYSTEM, challenge=ch, team="U", lead=" ", proposal="P", today=date(2026, 6, 30))
    with pytest.raises(s.TechMarketError, match="揭榜截止日期: 2026-04-30 早于张榜日期"):
        s.challenge_publish(user=SYSTEM, need=need, title="石材锯泥资源化攻关", published_on=date(2026, 5, 1), deadline=date(2026, 4, 30), summary="x")
    with pytest.raises(s.TechMarketError, match="里程碑 1 计划完成日期: 日期格式应为 YYYY-MM-DD"):
        s.challenge_publish(user=SYSTEM, need=need, title="石材锯泥资源化攻关", published_on=date(2026, 5, 1), summary="x", milestones=[("样机", "9月底")])
    with pytest.raises(s.TechMarketError, match="里程碑 1「样机」计划完成日期: 2026-04-30 早于张榜日期 2026-05-01"):
        s.challenge_publish(user=SYSTEM, need=need, title="t", published_on=date(2026, 5, 1), summary="x",
                            milestones=[("样机", "2026-04-30")])
    assert s.challenge_publish(user=SYSTEM, need=need, title="t2", published_on=date(2026, 5, 1), summary="x",
                               milestones=[("样机", "2026-05-01")]).milestones.count() == 1
    with pytest.raises(s.TechMarketError, match="榜额: 应大于 0"):
        s.challenge_publish(user=SYSTEM, need=need, title="石材锯泥资源化攻关", published_on=date(2026, 5, 1), summary="x", bounty="0")


def test_acceptance_only_after_award_and_milestone_overdue(world, need):
    ch = s.challenge_publish(user=SYSTEM, need=need, title="石材锯泥资源化攻关", published_on=date(2026, 5, 1), summary="x",
                             milestones=[("样机", date(2026, 9, 30))])
    ms = ch.milestones.get()
    with pytest.raises(s.TechMarketError, match="揭榜后才能验收"):
        s.challenge_milestone_accept(user=SYSTEM, milestone=ms, passed=True, on=date(2026, 9, 30))
    assert ms.is_overdue(date(2026, 10, 1)) and not ms.is_overdue(date(2026, 9, 30))
    app = s.challenge_apply(user=SYSTEM, challenge=ch, team="T", lead="L", proposal="P")
    s.challenge_review(user=SYSTEM, application=app, scores=[75])
    with pytest.raises(s.TechMarketError, match="当前为「评审中」，不接受揭榜"):
        s.challenge_apply(user=SYSTEM, challenge=ch, team="U", lead="L", proposal="P")
    s.challenge_award(user=SYSTEM, application=app, subsidy="120")
    s.challenge_milestone_accept(user=SYSTEM, milestone=ms, passed=True, on=date(2026, 10, 8))
    ms.refresh_from_db()
    assert not ms.is_overdue(date(2027, 1, 1)) and Challenge.objects.get().status == "accepted"
    with pytest.raises(s.TechMarketError, match="不能再增加里程碑"):
        s.challenge_milestone_add(user=SYSTEM, challenge=ch, title="追加", due=date(2027, 1, 1))


def test_public_page_shows_open_challenges_public_fields_only(world, client_for, need):
    open_ch = s.challenge_publish(user=SYSTEM, need=need, title="石材锯泥资源化攻关", published_on=date(2026, 5, 1), deadline=date.fromisoformat(LATER),
                                  summary="石材锯泥制备高性能建材", bounty="150")
    s.challenge_apply(user=SYSTEM, challenge=open_ch, team="保密团队甲", lead="负责人甲", proposal="保密方案甲")
    other = s.need_post(user=SYSTEM, enterprise=world.enterprise_b, title="溪美需求", description="溪美私密描述", is_public=False)
    awarded = s.challenge_publish(user=SYSTEM, need=other, title="溪美攻关榜", published_on=date(2026, 4, 1), summary="已揭榜的榜单内容")
    a = s.challenge_apply(user=SYSTEM, challenge=awarded, team="T", lead="L", proposal="P")
    s.challenge_review(user=SYSTEM, application=a, scores=[90])
    s.challenge_award(user=SYSTEM, application=a, subsidy="80")
    closed = s.challenge_publish(user=SYSTEM, need=other, title="溪美攻关榜", published_on=date(2026, 4, 1), summary="已撤的榜单内容")
    s.challenge_close(user=SYSTEM, challenge=closed, reason="企业自行解决")

    r = Client().get(reverse("techmarket:public_challenges"))      # anonymous
    page = r.content.decode()
    assert r.status_code == 200
    assert "石材锯泥制备高性能建材" in page and "150 万元" in page and LATER in page
    for private in (SECRET, "石材废料高值化利用", world.enterprise_a.name, "300", "保密团队甲", "保密方案甲",
                    "负责人甲", "已揭榜的榜单内容", "已撤的榜单内容", "溪美私密描述", world.enterprise_b.name):
        assert private not in page, private
    # the detail page still needs a sign-in
    assert Client().get(reverse("techmarket:challenge_detail", args=[open_ch.pk])).status_code == 302


def test_a_public_need_lends_its_title_content_field_and_budget(world):
    pub = s.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="公开需求：锯泥利用", description="公开描述",
                      budget="120", field="新材料")
    ch = s.challenge_publish(user=SYSTEM, need=pub, published_on=date(2026, 5, 1))
    assert (ch.title, ch.summary, ch.field, ch.bounty) == ("公开需求：锯泥利用", "公开描述", "新材料", Decimal("120"))


def test_withdrawn_challenge_leaves_other_townships_view(world, client_for, need):
    ch = s.challenge_publish(user=SYSTEM, need=need, title="石材锯泥资源化攻关", published_on=date(2026, 5, 1), summary="x")
    url = reverse("techmarket:challenge_detail", args=[ch.pk])
    assert client_for(world.clerk_b).get(url).status_code == 200      # open: public to signed-in users
    s.challenge_close(challenge=ch, reason="需求取消", user=world.staff)
    assert client_for(world.clerk_b).get(url).status_code == 404
    assert client_for(world.clerk_a).get(url).status_code == 200      # the need's own township
    log = ChangeLog.objects.filter(model="techmarket.Challenge", object_id=str(ch.pk)).order_by("-id").first()
    assert log.source == "撤榜：需求取消"


def test_applications_are_visible_to_the_parties_only(world, client_for, need):
    ch = s.challenge_publish(user=SYSTEM, need=need, title="石材锯泥资源化攻关", published_on=date(2026, 5, 1), summary="x")
    s.challenge_apply(challenge=ch, team="乙企业团队", lead="L", proposal="乙的方案细节", user=world.ent_user_b)
    url = reverse("techmarket:challenge_detail", args=[ch.pk])
    for user, sees in ((world.staff, True), (world.clerk_a, True), (world.ent_user_a, True), (world.ent_user_b, True),
                       (world.clerk_b, False), (world.broker_a, False)):
        assert ("乙的方案细节" in client_for(user).get(url).content.decode()) is sees, user.username
    assert ChallengeMilestone.objects.count() == 0


def test_a_challenge_is_public_from_its_publication_day_not_before(world, client, need):
    tomorrow = date.today() + timedelta(days=1)
    s.challenge_publish(user=SYSTEM, need=need, title="明日张榜的攻关榜", published_on=tomorrow, summary="明天才公开的内容")
    s.challenge_publish(user=SYSTEM, need=need, title="今日张榜的攻关榜", published_on=date.today(), summary="今天公开的内容")
    page = client.get(reverse("techmarket:public_challenges")).content.decode()
    assert "今日张榜的攻关榜" in page and "明日张榜的攻关榜" not in page


def test_a_challenge_dated_tomorrow_is_seen_by_its_parties_only(world, client_for, client, need):
    """Issue 13 item 6, walked again: the public page waited for the 张榜日期, but every signed-in
    user saw tomorrow's 榜单 in the list and another enterprise could 揭榜 it a day early."""
    tomorrow = date.today() + timedelta(days=1)
    ch = s.challenge_publish(user=SYSTEM, need=need, title="明日张榜的攻关榜", published_on=tomorrow,
                             summary="明天才公开的内容", deadline=tomorrow + timedelta(days=30))
    lst, url = reverse("techmarket:challenges"), reverse("techmarket:challenge_detail", args=[ch.pk])
    for user, sees in ((world.staff, True), (world.ent_user_a, True), (world.clerk_a, True),
                       (world.ent_user_b, False), (world.clerk_b, False), (world.broker_a, False)):
        c = client_for(user)
        assert ("明日张榜的攻关榜" in c.get(lst).content.decode()) is sees, user.username
        assert c.get(url).status_code == (200 if sees else 404), user.username
    assert "明日张榜的攻关榜" not in client.get(reverse("techmarket:public_challenges")).content.decode()
    page = client_for(world.staff).get(url).content.decode()
    assert "待张榜" in page and f"{tomorrow:%Y-%m-%d} 张榜，此前不公开" in page and "我要揭榜" not in page
    r = client_for(world.staff).post(reverse("techmarket:challenge_new"), {
        "need": need.pk, "title": "后天张榜的攻关榜", "summary": "内容", "published_on": (tomorrow + timedelta(days=1)).isoformat()},
        follow=True)
    assert f"已保存，{tomorrow + timedelta(days=1):%Y-%m-%d} 张榜（此前不公开）" in r.content.decode()
    with pytest.raises(s.TechMarketError, match="张榜后才能揭榜"):
        s.challenge_apply(challenge=ch, team="抢先团队", lead="王", proposal="x", user=world.ent_user_b)
    # on its day it is public to everyone and open to 揭榜
    s.challenge_apply(challenge=ch, team="准时团队", lead="王", proposal="x", user=world.ent_user_b, today=tomorrow)


def test_before_the_deadline_the_page_offers_no_scoring_and_the_challenge_stays_public(world, client_for, client,
                                                                                      need):
    ch = s.challenge_publish(user=SYSTEM, need=need, title="仍在张榜的攻关榜", published_on=date.today(),
                             summary="公开内容", deadline=date.today() + timedelta(days=10))
    app = s.challenge_apply(challenge=ch, team="乙团队", lead="王", proposal="x", user=world.ent_user_b)
    url = reverse("techmarket:challenge_detail", args=[ch.pk])
    page = client_for(world.staff).get(url).content.decode()
    assert "截止后再录入专家评分" in page and "保存评分" not in page and "确定由" not in page
    r = client_for(world.staff).post(url, {"action": "review", "application": app.pk, "expert_1": "陈", "score_1": "90"},
                                     follow=True)
    assert "截止后才能录入评审分" in _msgs(r)
    ch.refresh_from_db()
    assert ch.status == "open" and not ChallengeApplication.objects.get(pk=app.pk).review_scores
    assert "仍在张榜的攻关榜" in client.get(reverse("techmarket:public_challenges")).content.decode()
    # the day after the deadline the scores are entered and the call moves to 评审中 (off the public list)
    Challenge.objects.filter(pk=ch.pk).update(deadline=date.today() - timedelta(days=1))
    assert "保存评分" in client_for(world.staff).get(url).content.decode()
    s.challenge_review(application=ChallengeApplication.objects.get(pk=app.pk), scores=[("陈", "90")], user=world.staff)
    assert Challenge.objects.get(pk=ch.pk).status == "review"
    assert "仍在张榜的攻关榜" not in client.get(reverse("techmarket:public_challenges")).content.decode()
