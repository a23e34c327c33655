"""科技计划项目 lifecycle: promises and 容缺, 形式审查, experts drawn with conflict avoidance, scores
and ranking, 立项 with the credit check, instalments, 中期, 变更, 验收 → the challenge reward in
免申即享, 终止 with 宽容失败, and who sees what."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.supervision import projects, services
from kechuang.supervision.credit import check_credit
from kechuang.supervision.models import CreditRecord, Project, ReviewAssignment
from tests.supervision.helpers import CALL_OPEN, finance_user, project_world

pytestmark = pytest.mark.django_db
REVIEW_DAY = CALL_OPEN + dt.timedelta(days=40)


def _to_review(world, **kw):
    call, experts, p = project_world(world, **kw)
    projects.document_submitted(user=world.ent_user_a, document=p.missing_documents.get(), on=CALL_OPEN + dt.timedelta(days=5))
    p = projects.project_formal_review(user=world.staff, project=p, passed=True, today=REVIEW_DAY)
    d = projects.review_draw(user=world.staff, call=call, seed="20260411-上证3300.01", seed_source="日期+收盘",
                             today=REVIEW_DAY)
    return call, experts, Project.objects.get(pk=p.pk), d


def _score_all(p, score="85"):
    for a in ReviewAssignment.objects.filter(project=p).select_related("expert__account"):
        projects.review_submit(user=a.expert.account or _bind(a.expert), assignment=a, score=score, comment="方案可行",
                               today=REVIEW_DAY)


def _bind(expert):
    from tests.supervision.helpers import expert_user

    expert.account = expert_user(f"bound{expert.pk}")
    expert.save()
    return expert.account


def _approve(world, p, **kw):
    args = dict(user=world.staff, project=p, approved_amount="150", goals="研制样机一台", indicators=["样机1台", "发明专利2件"],
                budget_lines=[{"item": "设备费", "amount": "100"}, {"item": "材料费", "amount": "50"}],
                start_on=dt.date(2026, 5, 1), end_on=dt.date(2027, 4, 30),
                instalments=[("90", dt.date(2026, 5, 20)), ("60", dt.date(2026, 11, 1))], today=REVIEW_DAY)
    args.update(kw)
    return projects.project_approve(**args)


def test_submission_needs_the_integrity_promise_and_a_credit_promise_for_missing_documents(world):
    call, experts, p = project_world(world)
    assert p.status == "submitted" and p.credit_promise and p.missing_documents.count() == 1
    q = projects.project_create(user=world.ent_user_a, call=call, applicant=world.enterprise_a, title="二", pi_name="王",
                                requested_amount="10")
    with pytest.raises(ValidationError, match="科研诚信承诺书"):
        projects.project_submit(user=world.ent_user_a, project=q, integrity_promise=False, today=CALL_OPEN)
    with pytest.raises(ValidationError, match="信用承诺"):
        projects.project_submit(user=world.ent_user_a, project=q, integrity_promise=True,
                                missing=[("审计报告", CALL_OPEN + dt.timedelta(days=3))], today=CALL_OPEN)
    with pytest.raises(ValidationError, match="申报期"):
        projects.project_submit(user=world.ent_user_a, project=q, integrity_promise=True,
                                today=CALL_OPEN + dt.timedelta(days=31))
    with pytest.raises(PermissionDenied):
        projects.project_create(user=world.ent_user_b, call=call, applicant=world.enterprise_a, title="冒名", pi_name="x",
                                requested_amount="1")
    with pytest.raises(ValidationError, match="上限"):
        projects.project_create(user=world.ent_user_a, call=call, applicant=world.enterprise_a, title="超额",
                                pi_name="x", requested_amount="300.01")


def test_overdue_missing_document_blocks_formal_review(world):
    call, experts, p = project_world(world)
    with pytest.raises(ValidationError, match="逾期未补交"):
        projects.project_formal_review(user=world.staff, project=p, passed=True, today=CALL_OPEN + dt.timedelta(days=21))  # the day after the promised date
    on_due = projects.project_formal_review(user=world.staff, project=p, passed=True, today=CALL_OPEN + dt.timedelta(days=20))
    assert on_due.status == "review"


def test_experts_drawn_without_conflicts(world):
    from kechuang.supervision.models import ExpertConflict

    call, experts, p = project_world(world, n_experts=7)
    projects.expert_conflict_add(user=world.staff, expert=experts[2], unit=world.enterprise_a.name, kind="declared",
                                 reason="亲属任职")
    projects.expert_conflict_add(user=world.staff, expert=experts[3], unit="泉州某大学", kind="collaboration", year=2023)
    projects.expert_conflict_add(user=world.staff, expert=experts[4], unit=world.enterprise_a.name, kind="collaboration",
                                 year=2022)  # more than 3 years before 2026: no longer a conflict
    experts[5].unit = world.enterprise_a.name  # same unit as the applicant
    experts[5].save()
    projects.document_submitted(user=world.ent_user_a, document=p.missing_documents.get())
    projects.project_formal_review(user=world.staff, project=p, passed=True, today=REVIEW_DAY)
    d = projects.review_draw(user=world.staff, call=call, seed=f"{REVIEW_DAY:%Y%m%d}-上证3300.01", seed_source="x",
                         today=REVIEW_DAY)
    drawn = {a.expert_id for a in ReviewAssignment.objects.filter(project=p)}
    assert len(drawn) == 3 and not drawn & {experts[2].pk, experts[3].pk, experts[5].pk}
    assert d.purpose == "review" and d.status == "published"
    assert ExpertConflict.objects.count() == 3
    from kechuang.supervision.draw import verify
    from kechuang.supervision.services import draw_rosters

    assert verify(d.result, draw_rosters(d)) is None


def test_review_draw_refuses_when_too_few_experts(world):
    call, experts, p = project_world(world, n_experts=3)  # one of them works at enterprise_b: fine; need 3 eligible
    experts[0].unit = world.enterprise_a.name
    experts[0].save()
    projects.document_submitted(user=world.ent_user_a, document=p.missing_documents.get())
    projects.project_formal_review(user=world.staff, project=p, passed=True, today=REVIEW_DAY)
    with pytest.raises(ValidationError, match=f"project:{p.pk}"):
        projects.review_draw(user=world.staff, call=call, seed=f"{REVIEW_DAY:%Y%m%d}-上证3300.01", seed_source="x",
                         today=REVIEW_DAY)
    assert not ReviewAssignment.objects.exists()


def test_who_sees_what(world):
    call, experts, p, d = _to_review(world)
    # the applicant sees its project but no review rows (so no reviewer names)
    assert Project.objects.restrict(world.ent_user_a, "view").filter(pk=p.pk).exists()
    assert not ReviewAssignment.objects.restrict(world.ent_user_a, "view").exists()
    assert not Project.objects.restrict(world.ent_user_b, "view").exists()
    # a drawn expert sees the application; an expert of enterprise_b sees nothing of enterprise_b
    a = ReviewAssignment.objects.filter(project=p).select_related("expert").first()
    account = a.expert.account or _bind(a.expert)
    assert Project.objects.restrict(account, "view").filter(pk=p.pk).exists()
    other = ReviewAssignment.objects.restrict(account, "view")
    assert set(other.values_list("expert_id", flat=True)) == {a.expert_id}


def test_expert_never_sees_own_unit_application(world):
    call, experts, p = project_world(world)
    own = projects.project_create(user=world.ent_user_b, call=call, applicant=world.enterprise_b, title="乙项目",
                                  pi_name="乙", requested_amount="10")
    projects.project_submit(user=world.ent_user_b, project=own, integrity_promise=True, today=CALL_OPEN + dt.timedelta(days=2))
    projects.document_submitted(user=world.ent_user_a, document=p.missing_documents.get())
    for x in (p, own):
        projects.project_formal_review(user=world.staff, project=x, passed=True, today=REVIEW_DAY)
    projects.review_draw(user=world.staff, call=call, seed=f"{REVIEW_DAY:%Y%m%d}-上证3300.01", seed_source="x",
                         today=REVIEW_DAY)
    expert_b = experts[1]  # works at enterprise_b
    assert not ReviewAssignment.objects.filter(project=own, expert=expert_b).exists()
    assert not Project.objects.restrict(expert_b.account, "view").filter(pk=own.pk).exists()


def test_full_challenge_flow_reaches_the_redemption_screening(world):
    from kechuang.policies import services as policy_services
    from kechuang.policies.models import Case
    from kechuang.policies.reference import load_reference_data

    call, experts, p, d = _to_review(world, challenge=True)
    with pytest.raises(PermissionDenied):
        projects.review_submit(user=world.ent_user_a, assignment=ReviewAssignment.objects.first(), score="1", comment="x")
    _score_all(p, "88")
    ranked = projects.review_rank(user=world.staff, call=call)
    assert ranked[0].score == Decimal("88.00") and ranked[0].rank == 1
    with pytest.raises(ValidationError, match="50~200"):
        _approve(world, Project.objects.get(pk=p.pk), challenge_subsidy="30")
    p = _approve(world, Project.objects.get(pk=p.pk), challenge_subsidy="120")
    assert p.status == "in_progress" and p.call.challenge.status == "awarded"
    fin = finance_user()
    first = p.instalments.get(seq=1)
    with pytest.raises(ValidationError, match="公示期"):
        projects.instalment_pay(user=fin, instalment=first, today=REVIEW_DAY)
    projects.instalment_pay(user=fin, instalment=first, today=dt.date(2026, 5, 20))
    with pytest.raises(PermissionDenied):
        projects.instalment_pay(user=world.staff, instalment=p.instalments.get(seq=2), today=dt.date(2026, 11, 1))
    projects.project_midterm(user=world.staff, project=p, on=dt.date(2026, 11, 2), conclusion="进度正常")
    ch = projects.change_request(user=world.ent_user_a, project=p, kind="period", new_value="2027-06-30", reason="设备到货延迟")
    projects.change_decide(user=world.staff, change=ch, approve=True, today=dt.date(2026, 12, 1))
    assert Project.objects.get(pk=p.pk).end_on == dt.date(2027, 6, 30)
    with pytest.raises(ValidationError, match="终止"):
        projects.project_accept(user=world.staff, project=p, indicators_met=True, audit_passed=False, note="x",
                                today=dt.date(2027, 7, 10))
    p = projects.project_accept(user=world.staff, project=p, indicators_met=True, audit_passed=True, note="通过验收",
                                today=dt.date(2027, 7, 10))
    assert p.status == "completed" and p.call.challenge.status == "accepted"
    # the acceptance itself screened the enterprise: the reward's 候选 case, cited to its article
    (case,) = projects.challenge_reward_cases(world.staff, p)
    assert (case.status, case.amount, case.year) == ("candidate", Decimal("120"), 2027)
    assert case.measure.citation == "南政规〔2025〕2号 一、（二）" and case.enterprise_id == world.enterprise_a.pk
    assert "科技计划项目验收" in " ".join(case.evidence["data"])
    assert list(projects.challenge_reward_cases(world.ent_user_a, p)) == [case]
    assert not projects.challenge_reward_cases(world.ent_user_b, p).exists()
    # the screening page says why this one-enterprise run was made, and for whom (issue 13 leftover)
    from django.test import Client

    from kechuang.policies.models import ScreeningRun

    run = ScreeningRun.objects.get(enterprise=world.enterprise_a)
    assert run.enterprise_count == 1 and "验收通过" in run.reason
    staff = Client()
    staff.force_login(world.staff)
    page = staff.get("/policies/screening/").content.decode()
    assert f"仅「{world.enterprise_a.name}」：揭榜挂帅项目「{p.title}」（项目编号 {p.pk}）验收通过，即时筛查该企业" in page
    # the bureau's next full run finds the same case unchanged
    load_reference_data()
    policy_services.screening_run(user=world.staff, year=2027)
    case.refresh_from_db()
    assert Case.objects.filter(enterprise=world.enterprise_a, measure=case.measure, year=2027).count() == 1
    assert not case.evidence_changed and case.amount == Decimal("120")


def test_screening_one_enterprise_leaves_the_others_cases_alone(world):
    from kechuang.enterprises.models import Enterprise
    from kechuang.policies import services as policy_services
    from kechuang.policies.models import Case

    for ent in (world.enterprise_a, world.enterprise_b):
        policy_services.policy_event_record(user=world.staff, enterprise=ent, kind="challenge_project_accepted",
                                            date="2026-06-01", fields={"subsidy": "80"}, source="验收")
    policy_services.screening_run(user=world.staff, year=2026)
    b_case = Case.objects.get(enterprise=world.enterprise_b, measure__spec__trigger__event="challenge_project_accepted")
    policy_services.screening_run(user=world.staff, year=2026,
                                  enterprise_qs=Enterprise.objects.filter(pk=world.enterprise_a.pk))
    b_case.refresh_from_db()
    assert not b_case.evidence_changed and "no_longer_eligible" not in b_case.evidence


def test_credit_refuses_approval_and_payment(world):
    call, experts, p, d = _to_review(world)
    _score_all(p)
    projects.review_rank(user=world.staff, call=call)
    rec = services.credit_record_create(user=world.staff, subject_kind="person", subject_name="林工", behaviour="抄袭",
                                        severity="serious", outcome="取消", authority="科技局", basis="19号令",
                                        effective_on=REVIEW_DAY - dt.timedelta(days=1), ends_on=REVIEW_DAY)
    with pytest.raises(ValidationError, match="一票否决"):
        _approve(world, Project.objects.get(pk=p.pk))
    p = _approve(world, Project.objects.get(pk=p.pk), today=REVIEW_DAY + dt.timedelta(days=1))  # the day after the period
    rec.ends_on = None
    rec.save()
    with pytest.raises(ValidationError, match="一票否决"):
        projects.instalment_pay(user=finance_user(), instalment=p.instalments.get(seq=1), today=dt.date(2026, 5, 20))


def test_tolerance_of_failure(world):
    call, experts, p, d = _to_review(world)
    _score_all(p)
    projects.review_rank(user=world.staff, call=call)
    p = _approve(world, Project.objects.get(pk=p.pk))
    p = projects.project_terminate(user=world.staff, project=p, reason="技术路线探索失败", diligent=True,
                                   indicators_met=False, audit_passed=True, today=dt.date(2027, 5, 1))
    assert p.status == "terminated" and not CreditRecord.objects.exists()
    assert check_credit(decision="project_approval", on=dt.date(2027, 5, 2), enterprise=world.enterprise_a).allowed


def test_non_diligent_termination_restricts_new_applications(world):
    call, experts, p, d = _to_review(world)
    _score_all(p)
    projects.review_rank(user=world.staff, call=call)
    p = _approve(world, Project.objects.get(pk=p.pk))
    projects.project_terminate(user=world.staff, project=p, reason="擅自改变研究内容", diligent=False,
                               today=dt.date(2027, 5, 1))
    v = check_credit(decision="project_approval", on=dt.date(2027, 5, 2), enterprise=world.enterprise_a)
    assert not v.allowed and v.until == dt.date(2030, 4, 30)
    assert check_credit(decision="payment", on=dt.date(2027, 5, 2), enterprise=world.enterprise_a).allowed


def test_transitions_declared_once_and_state_checked(world):
    call, experts, p = project_world(world)
    assert dict(projects.allowed_transitions(world.staff, p)) == {"formal_pass": "形式审查通过", "formal_fail": "形式审查不通过"}
    assert projects.allowed_transitions(world.ent_user_a, p) == []
    with pytest.raises(ValidationError, match="不能立项"):
        _approve(world, p)


def test_expert_admission_asks_the_credit_check(world):
    services.credit_record_create(user=world.staff, subject_kind="person", subject_name="赵六", behaviour="评审违规",
                                  severity="serious", outcome="取消资格", authority="科技局", basis="19号令",
                                  effective_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    with pytest.raises(ValidationError, match="专家入库"):
        projects.expert_admit(user=world.staff, name="赵六", unit="某大学", today=dt.date(2026, 12, 31))
    assert projects.expert_admit(user=world.staff, name="赵六", unit="某大学", today=dt.date(2027, 1, 1)).pk


def test_pages_show_names_to_the_bureau_only(world, client_for):
    call, experts, p, d = _to_review(world)
    _score_all(p)
    projects.review_rank(user=world.staff, call=call)
    staff = client_for(world.staff)
    for url in ("/supervision/", "/supervision/calls/", f"/supervision/calls/{call.pk}/", "/supervision/projects/",
                f"/supervision/projects/{p.pk}/", "/supervision/reviews/", "/supervision/experts/"):
        r = staff.get(url)
        assert r.status_code == 200, url
    names = [a.expert.name for a in ReviewAssignment.objects.filter(project=p).select_related("expert")]
    staff_page = staff.get(f"/supervision/projects/{p.pk}/").content.decode()
    assert all(n in staff_page for n in names) and "立项（下达任务书）" in staff_page
    own = client_for(world.ent_user_a).get(f"/supervision/projects/{p.pk}/").content.decode()
    assert "平均得分 85.00" in own and not any(n in own for n in names) and "立项（下达任务书）" not in own
    assert client_for(world.ent_user_b).get(f"/supervision/projects/{p.pk}/").status_code == 404
    # the API the same way: the applicant's answer holds no reviewer, the bureau's names them
    own_api = client_for(world.ent_user_a).get(f"/api/supervision/projects/{p.pk}")
    assert own_api.status_code == 200 and "reviewers" not in own_api.json()
    assert not any(n in json.dumps(own_api.json(), ensure_ascii=False) for n in names)
    assert sorted(client_for(world.staff).get(f"/api/supervision/projects/{p.pk}").json()["reviewers"]) == sorted(names)
    expert_account = ReviewAssignment.objects.filter(project=p).select_related("expert__account").first().expert.account
    assert client_for(expert_account).get("/supervision/reviews/").status_code == 200


def test_apply_and_submit_through_the_pages(world, client_for):
    today = dt.date.today()
    cat = projects.category_create(user=world.staff, code="ZD", name="重点研发")
    call = projects.call_create(user=world.staff, category=cat, year=today.year, title="指南", opens_on=today,
                                closes_on=today + dt.timedelta(days=30), max_amount="100")
    c = client_for(world.ent_user_a)
    r = c.post(f"/supervision/calls/{call.pk}/", {"action": "apply", "title": "网页申报", "pi_name": "陈工",
                                                  "requested_amount": "50", "co_applicants": "甲大学\n乙研究院"})
    p = Project.objects.get(title="网页申报")
    assert r.status_code == 302 and p.co_applicants == ["甲大学", "乙研究院"]
    c.post(f"/supervision/projects/{p.pk}/action/", {"action": "submit", "integrity_promise": "on", "credit_promise": "on",
                                                     "missing_name": "审计报告",
                                                     "missing_due": (today + dt.timedelta(days=10)).isoformat()})
    p.refresh_from_db()
    assert p.status == "submitted" and p.missing_documents.get().name == "审计报告"


def test_board_projects_by_stage_and_category_with_overdue_milestones(world, client_for):
    from kechuang.supervision import selectors

    call, experts, p, d = _to_review(world)
    _score_all(p)
    projects.review_rank(user=world.staff, call=call)
    p = _approve(world, Project.objects.get(pk=p.pk))               # midterm due half-way: 2026-10-30
    on = dt.date(2026, 11, 15)
    b = selectors.projects_dashboard(world.staff, on)
    labels = [label for _v, label in b["project_statuses"]]
    (row,) = b["project_table"]
    assert row["category"] == "重点研发" and row["counts"][labels.index("实施中")] == 1 and sum(row["counts"]) == 1
    what = [o["what"] for o in b["overdue_projects"]]
    assert any(w.startswith("中期检查逾期") for w in what)
    assert any(w.startswith("第1期拨款 90 万元逾期未拨付") for w in what)
    assert any(w.startswith("第2期拨款 60 万元逾期未拨付") for w in what)
    projects.instalment_pay(user=finance_user(), instalment=p.instalments.get(seq=1), today=dt.date(2026, 5, 20))
    projects.project_midterm(user=world.staff, project=p, on=dt.date(2026, 10, 20), conclusion="正常")
    what = [o["what"] for o in selectors.projects_dashboard(world.staff, on)["overdue_projects"]]
    assert len(what) == 1 and what[0].startswith("第2期拨款")
    # the enterprise has no board; the bureau's page shows the table
    assert client_for(world.ent_user_a).get("/supervision/").status_code == 403
    assert "第2期拨款 60 万元逾期未拨付" in client_for(world.staff).get("/supervision/").content.decode()
