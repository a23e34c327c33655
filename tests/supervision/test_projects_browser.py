"""Browser test of the 科技计划项目 chain (issue 16), every step on the pages: the bureau publishes a
揭榜挂帅 call from a challenge → the enterprise applies and submits with the 科研诚信承诺书 and a 容缺
material under a 信用承诺 → 形式审查 → experts drawn at random on the draw day's seed, the expert of
the applicant's own unit and the one with a declared conflict avoided → the drawn experts score on
their review page (the expert of the applicant's unit sees nothing of it) → ranking → 立项 with the
任务书 → 中期检查 → 验收 → the 50–200 万 reward is a 免申即享 candidate case cited to 南政规〔2025〕2号
一、（二）, which the enterprise finds in its cases and the message centre. The applicant never sees
a reviewer's name."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.supervision.test_supervision_browser import _form, _page

pytestmark = pytest.mark.browser


def _open(page, summary: str):
    page.click(f"summary:has-text('{summary}')")


def test_challenge_call_to_acceptance_to_the_reward_in_mianshen_jixiang(transactional_db, world, client_for, browser,
                                                                         live_server, screenshot):
    from kechuang.policies.models import Case
    from kechuang.policies.reference import load_reference_data
    from kechuang.supervision import projects
    from kechuang.supervision.models import Call, PlanCategory, Project, ReviewAssignment
    from kechuang.techmarket.models import Challenge, Need
    from tests.supervision.helpers import expert_user

    load_reference_data()  # the flush of a transactional test removes the published policies
    today = timezone.localdate()
    need = Need.objects.create(enterprise=world.enterprise_b, title="石材废料高值化利用", description="需求",
                               township=world.enterprise_b.township)
    ch = Challenge.objects.create(need=need, title="石材废料高值化利用揭榜挂帅", published_on=today)
    # the expert pool: one of the applicant's own unit, one with a declared conflict, three free
    own_unit = projects.expert_admit(user=world.staff, name="郑同单位", unit=world.enterprise_a.name, field="材料",
                                     account=expert_user("exp_own"))
    declared = projects.expert_admit(user=world.staff, name="吴利害", unit="厦门某大学", field="材料",
                                     account=expert_user("exp_tie"))
    projects.expert_conflict_add(user=world.staff, expert=declared, unit=world.enterprise_a.name, kind="declared",
                                 reason="曾任该企业技术顾问")
    free = [projects.expert_admit(user=world.staff, name=n, unit=u, field="材料", account=expert_user(a))
            for n, u, a in (("许评审", "集美大学", "exp_1"), ("蔡评审", "福州大学", "exp_2"),
                            ("洪评审", "泉州师范学院", "exp_3"))]

    staff = _page(browser, client_for, world.staff, live_server)
    ent = _page(browser, client_for, world.ent_user_a, live_server)

    # 1. the bureau: a plan category and a call made from the challenge
    staff.goto("/supervision/calls/")
    _open(staff, "计划类别")
    f = _form(staff, "category")
    f.locator("input[name=code]").fill("JBGS")
    f.locator("input[name=name]").fill("揭榜挂帅")
    f.locator("button").click()
    staff.wait_for_selector("text=已添加计划类别")
    _open(staff, "发布申报指南")
    f = _form(staff, "call")
    f.locator("select[name=category]").select_option(str(PlanCategory.objects.get(code="JBGS").pk))
    f.locator("input[name=year]").fill(str(today.year))
    f.locator("input[name=title]").fill("石材废料高值化利用揭榜挂帅项目申报指南")
    f.locator("input[name=opens_on]").fill(today.isoformat())
    f.locator("input[name=closes_on]").fill((today + dt.timedelta(days=30)).isoformat())
    f.locator("input[name=max_amount]").fill("300")
    f.locator("input[name=experts_per_project]").fill("3")
    f.locator("select[name=challenge]").select_option(str(ch.pk))
    f.locator("button").click()
    staff.wait_for_selector("text=已发布申报指南")
    call = Call.objects.get(challenge=ch)

    # 2. the enterprise applies, then submits with the promises and one 容缺 material
    ent.goto(f"/supervision/calls/{call.pk}/")
    _open(ent, "在线申报")
    f = _form(ent, "apply")
    f.locator("input[name=title]").fill("石材废料制备人造岗石关键技术")
    f.locator("input[name=pi_name]").fill("林工")
    f.locator("input[name=requested_amount]").fill("200")
    f.locator("textarea[name=co_applicants]").fill("华侨大学")
    f.locator("button").click()
    ent.wait_for_selector("text=已保存申报书")
    p = Project.objects.get(title="石材废料制备人造岗石关键技术")
    f = _form(ent, "submit")
    f.locator("button").click()                                   # without the 承诺书: refused
    ent.wait_for_selector("text=科研诚信承诺书：提交申报须签署")
    f = _form(ent, "submit")
    f.locator("input[name=integrity_promise]").check()
    f.locator("input[name=missing_name]").fill("第三方财务审计报告")
    f.locator("input[name=missing_due]").fill((today + dt.timedelta(days=10)).isoformat())
    f.locator("button").click()                                   # a 容缺 material needs the 信用承诺
    ent.wait_for_selector("text=有容缺材料时须签署信用承诺")
    f = _form(ent, "submit")
    f.locator("input[name=integrity_promise]").check()
    f.locator("input[name=credit_promise]").check()
    f.locator("input[name=missing_name]").fill("第三方财务审计报告")
    f.locator("input[name=missing_due]").fill((today + dt.timedelta(days=10)).isoformat())
    f.locator("button").click()
    ent.wait_for_selector("text=已办理")
    assert "已签署科研诚信承诺书；已签署信用承诺（容缺办理）" in ent.inner_text("body")
    assert "第三方财务审计报告" in ent.inner_text("body")
    _form(ent, "document").locator("button").click()              # 补交 the material
    ent.wait_for_selector("text=已补交")

    # 3. 形式审查, then the review draw on the day's seed
    staff.goto(f"/supervision/projects/{p.pk}/")
    _form(staff, "formal").locator("select[name=passed]").select_option("1")
    _form(staff, "formal").locator("button").click()
    staff.wait_for_selector("text=专家评审中")
    staff.goto(f"/supervision/calls/{call.pk}/")
    _open(staff, "抽取评审专家")
    f = _form(staff, "draw")
    f.locator("input[name=seed]").fill("20200101-上证收盘3000.00")           # another day's seed: refused
    f.locator("button").click()
    staff.wait_for_selector("text=应以抽取日期")
    _open(staff, "抽取评审专家")
    f = _form(staff, "draw")
    f.locator("input[name=seed]").fill(f"{today:%Y%m%d}-上证收盘3398.21")
    f.locator("button").click()
    staff.wait_for_selector("text=已抽取评审专家")
    drawn = set(ReviewAssignment.objects.filter(project=p).values_list("expert_id", flat=True))
    assert drawn == {e.pk for e in free}                          # both conflicts avoided, 3 of 3 free

    # 4. the drawn experts score on their own review page; the own-unit expert sees nothing
    for e, score in zip(free, ("86", "90", "82"), strict=True):
        rev = _page(browser, client_for, e.account, live_server)
        rev.goto("/supervision/reviews/")
        rev.fill("input[name=score]", score)
        rev.fill("textarea[name=comment]", "技术路线可行，指标明确")
        rev.click("button:has-text('提交评审意见')")
        rev.wait_for_selector("text=已提交评审意见")
        rev.context.close()
    own = _page(browser, client_for, own_unit.account, live_server)
    own.goto("/supervision/reviews/")
    assert "暂无评审任务" in own.inner_text("body")
    assert own.goto(f"/supervision/projects/{p.pk}/").status == 404
    own.context.close()
    staff.goto(f"/supervision/calls/{call.pk}/")
    _form(staff, "rank").locator("button").click()
    staff.wait_for_selector("text=已计算评审得分和排名")
    assert "86.00" in staff.inner_text("table")

    # the applicant sees the score and rank, never a reviewer's name
    ent.goto(f"/supervision/projects/{p.pk}/")
    body = ent.inner_text("body")
    assert "平均得分 86.00，排名第 1" in body
    assert not any(e.name in body for e in (*free, own_unit, declared))

    # 5. 立项 with the 任务书
    staff.goto(f"/supervision/projects/{p.pk}/")
    assert all(e.name in staff.inner_text("body") for e in free)     # the bureau sees who reviewed
    f = _form(staff, "approve")
    f.locator("input[name=approved_amount]").fill("180")
    f.locator("textarea[name=goals]").fill("建成石材废料制备人造岗石示范线一条")
    f.locator("textarea[name=indicators]").fill("示范线1条\n发明专利2件\n废料利用率不低于85%")
    f.locator("textarea[name=budget_lines]").fill("设备费 120\n材料费 60")
    f.locator("input[name=lump_sum]").check()
    f.locator("input[name=start_on]").fill(today.isoformat())
    f.locator("input[name=end_on]").fill((today + dt.timedelta(days=365)).isoformat())
    f.locator("textarea[name=instalments]").fill(
        f"108 {(today + dt.timedelta(days=30)).isoformat()}\n72 {(today + dt.timedelta(days=200)).isoformat()}")
    f.locator("input[name=challenge_subsidy]").fill("150")
    f.locator("button").click()
    staff.wait_for_selector("text=已办理")
    body = staff.inner_text("body")
    assert "实施中" in body and "（经费包干制）" in body and "揭榜挂帅补助 150 万元（验收通过后兑现）" in body

    # 6. 中期检查, then 7. 验收
    _open(staff, "中期检查")
    f = _form(staff, "midterm")
    f.locator("input[name=on]").fill(today.isoformat())
    f.locator("input[name=conclusion]").fill("进度正常，示范线设备已到货")
    f.locator("button").click()
    staff.wait_for_selector("text=进度正常，示范线设备已到货")
    _open(staff, "验收")
    f = _form(staff, "accept")
    f.locator("input[name=indicators_met]").check()
    f.locator("input[name=audit_passed]").check()
    f.locator("input[name=note]").fill("考核指标全部完成，财务审计无问题，通过验收")
    f.locator("button").click()
    staff.wait_for_selector("text=已结题")
    screenshot(staff, "supervision-project-accepted")

    # 8. the reward is a 免申即享 candidate case, cited to its article, on the project page …
    case = Case.objects.get(enterprise=world.enterprise_a, measure__spec__trigger__event="challenge_project_accepted")
    assert case.status == "candidate" and case.amount == 150
    link = staff.locator(f"a[href='/policies/cases/{case.pk}/']")
    assert "南政规〔2025〕2号 一、（二）" in link.inner_text()
    # … in the enterprise's own case list and its message centre
    ent.goto("/policies/cases/")
    row = ent.locator("tr", has=ent.locator("text=重点产业关键技术攻关（揭榜挂帅）项目补助"))
    assert row.count() == 1 and "候选" in row.inner_text()
    ent.goto(f"/policies/cases/{case.pk}/")
    body = ent.inner_text("body")
    assert "南政规〔2025〕2号" in body and "科技计划项目验收" in body and "150" in body
    screenshot(ent, "supervision-reward-case")
    from kechuang.inbox.models import Message

    assert Message.objects.filter(recipient=world.ent_user_a, url=f"/policies/cases/{case.pk}/").exists()
