"""Benefits that reach the person (issue 17 item 3): tier benefits with 就高不重复 (in a year and
across years), the graduate allowance as the student's own case by months, the 引才 reward to the
recruiting organisation, the 导师团队 reward to the team — all computed by the policy calculator
and entering the one redemption flow (policies.Case with a payee, ``case_refer``)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kechuang.core.permissions import PermissionRefused
from kechuang.policies import services as policy_services
from kechuang.policies.models import Case, PolicyEvent
from kechuang.talent import benefits, services
from kechuang.talent.models import Recognition
from kechuang.techmarket.models import Institute

from .test_talent import _person

pytestmark = pytest.mark.django_db


def _recognise(world, person, tier, on):
    rec = Recognition.objects.create(person=person, tier=tier, channel="standard", year=on.year, basis="标准认定")
    return services.recognition_decide(actor=world.staff, recognition=rec, confirm=True, on=on)


def _by(rows, measure_code):
    return next(b for b in rows if b.measure_code == measure_code)


def test_tier_benefit_highest_tier_only_in_one_year_with_the_reason(world):
    p = _person(world, 40)
    _recognise(world, p, "D", dt.date(2026, 3, 1))
    _recognise(world, p, "B", dt.date(2026, 9, 1))
    rows = benefits.person_tier_benefits(p, 2026)
    b, d = _by(rows, "quanzhou-talent-tiers.B"), _by(rows, "quanzhou-talent-tiers.D")
    assert b.counted and b.amount == Decimal("100") and b.recipient_kind == "person"
    assert not d.counted and d.amount == 0 and "就高" in d.reason and "不重复" in d.reason
    assert "就高" in b.reason


def test_tier_benefit_across_years_pays_the_difference_once_and_a_lower_tier_nothing(world):
    p = _person(world, 41)
    _recognise(world, p, "C", dt.date(2026, 3, 1))
    [c] = benefits.benefits_refer(actor=world.staff, year=2026)
    assert c.payee_kind == "person" and c.enterprise_id is None and c.amount == Decimal("50")
    _recognise(world, p, "B", dt.date(2027, 3, 1))
    [b] = benefits.person_tier_benefits(p, 2027)
    assert b.counted and b.amount == Decimal("50") and "补足差额" in b.reason       # 100 − 50
    _recognise(world, p, "D", dt.date(2028, 3, 1))
    benefits.benefits_refer(actor=world.staff, year=2027)
    [d] = benefits.person_tier_benefits(p, 2028)
    assert not d.counted and d.amount == 0 and "就高不重复" in d.reason


def test_refer_is_idempotent_and_cases_are_the_payees_not_an_enterprises(world):
    p = _person(world, 42)
    _recognise(world, p, "E", dt.date(2026, 5, 1))
    first = benefits.benefits_refer(actor=world.staff, year=2026)
    again = benefits.benefits_refer(actor=world.staff, year=2026)
    assert [c.pk for c in first] == [c.pk for c in again]
    case = Case.objects.get(payee_ref=f"talent.person:{p.pk}")
    assert case.payee_display == "人才42（个人）" and case.evidence["stacking"] == "发给人才本人"
    assert p.id_number not in str(case.evidence) and p.id_number not in str(case.credit_subjects)
    # the one redemption flow: 核实 with the credit check
    policy_services.case_verify(user=world.staff, case=case)
    case.refresh_from_db()
    assert case.status == "verified" and case.approved_amount == Decimal("10")


def test_graduate_allowance_is_the_students_case_by_months_not_the_bases(world):
    student = _person(world, 43)
    services.graduate_enrol(actor=world.staff, person=student, degree="doctor", base=world.enterprise_a,
                            start=dt.date(2026, 3, 1), end=dt.date(2026, 8, 31))
    services.graduate_enrol(actor=world.staff, person=student, degree="master", base=world.enterprise_a,
                            start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 28))
    benefits.benefits_refer(actor=world.staff, year=2026)
    case = Case.objects.get(payee_ref=f"talent.person:{student.pk}", measure__code="nanan-2025-2.14c")
    assert case.enterprise_id is None and case.payee_kind == "person" and case.payee_name == "人才43"
    assert case.amount == Decimal("1.4")           # 2 × 0.1 (master) + 6 × 0.2 (doctor)
    assert world.enterprise_a.name in case.evidence["channel"]
    assert not Case.objects.filter(enterprise=world.enterprise_a, measure__code="nanan-2025-2.14c").exists()


def test_graduate_months_before_the_policy_take_effect_earn_nothing(world):
    student = _person(world, 44)
    services.graduate_enrol(actor=world.staff, person=student, degree="master", base=world.enterprise_a,
                            start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    b = benefits.graduate_benefit(student, 2025)
    assert b.amount == Decimal("0.2")              # from 2025-10-23: November and December


def test_recruitment_reward_goes_to_the_institute_or_as_the_enterprises_event(world):
    inst = Institute.objects.create(name="泉州某研究院", city="泉州")
    a, b, c = _person(world, 45), _person(world, 46), _person(world, 47)
    services.recruitment_record(actor=world.staff, person=a, institute=inst, recruited_on=dt.date(2026, 4, 1),
                                approved_amount="10")
    services.recruitment_record(actor=world.staff, person=b, institute=inst, recruited_on=dt.date(2026, 6, 1),
                                approved_amount="6")
    services.recruitment_record(actor=world.staff, person=c, enterprise=world.enterprise_a,
                                recruited_on=dt.date(2026, 6, 1), approved_amount="8")
    with pytest.raises(ValidationError, match="10 万元"):
        services.recruitment_record(actor=world.staff, person=_person(world, 48), institute=inst,
                                    recruited_on=dt.date(2026, 6, 1), approved_amount="10.5")
    with pytest.raises(ValidationError, match="不重复"):
        services.recruitment_record(actor=world.staff, person=a, institute=inst, recruited_on=dt.date(2026, 7, 1),
                                    approved_amount="1")
    benefits.benefits_refer(actor=world.staff, year=2026)
    case = Case.objects.get(payee_ref=f"talent.institute:{inst.pk}")
    assert case.payee_kind == "institution" and case.amount == Decimal("16")
    assert "人才45" in " ".join(case.evidence["data"])
    ev = PolicyEvent.objects.get(enterprise=world.enterprise_a, kind="talent_recruited_by_org")
    assert ev.fields["approved_amount"] == "8"
    benefits.benefits_refer(actor=world.staff, year=2026)
    assert PolicyEvent.objects.filter(enterprise=world.enterprise_a, kind="talent_recruited_by_org").count() == 1


def test_mentor_team_reward_goes_to_the_team_within_100(world):
    leader = _person(world, 49)
    with pytest.raises(ValidationError, match="100 万元"):
        services.mentor_award_record(actor=world.staff, name="材料导师团队", base=world.enterprise_a, leader=leader,
                                     year=2026, approved_amount="120")
    award = services.mentor_award_record(actor=world.staff, name="材料导师团队", base=world.enterprise_a,
                                         leader=leader, year=2026, approved_amount="60")
    benefits.benefits_refer(actor=world.staff, year=2026)
    case = Case.objects.get(payee_ref=f"talent.mentor:{award.pk}")
    assert case.payee_kind == "team" and case.amount == Decimal("60") and "材料导师团队" in case.payee_name


def test_only_the_bureau_records_rewards_and_refers(world):
    p = _person(world, 50)
    with pytest.raises(PermissionRefused):
        services.recruitment_record(actor=world.ent_user_a, person=p, enterprise=world.enterprise_a,
                                    recruited_on=dt.date(2026, 4, 1), approved_amount="5")
    with pytest.raises(PermissionRefused):
        benefits.benefits_refer(actor=world.clerk_a, year=2026)


def test_benefits_page_shows_each_recipient_and_the_reason_and_refers(world, client_for):
    p = _person(world, 51, employer=world.enterprise_a)
    _recognise(world, p, "D", dt.date(2026, 3, 1))
    _recognise(world, p, "C", dt.date(2026, 8, 1))
    staff = client_for(world.staff)
    page = staff.get("/talent/benefits/?year=2026").content.decode()
    assert "人才51" in page and "C类" in page and "不发放" in page and "就高" in page
    assert p.id_number not in page
    assert staff.post("/talent/benefits/refer/", {"year": 2026}).status_code == 302
    case = Case.objects.get(payee_ref=f"talent.person:{p.pk}")
    assert case.amount == Decimal("50") and case.measure.code == "quanzhou-talent-tiers.C"
    assert "候选" in staff.get("/talent/benefits/?year=2026").content.decode()
    clerk_b = client_for(world.clerk_b).get("/talent/benefits/?year=2026").content.decode()
    assert "人才51" not in clerk_b
    assert client_for(world.clerk_a).post("/talent/benefits/refer/", {"year": 2026}).status_code == 403


def test_api_is_scoped_and_masks_person_data(world, client_for):
    p = _person(world, 52, employer=world.enterprise_a, phone="13912345678")
    q = _person(world, 53, employer=world.enterprise_b)
    rec = Recognition.objects.create(person=p, tier="C", channel="competition", year=2026, basis="赛事评审")
    body = client_for(world.clerk_a).get("/api/talent/persons/").json()
    assert [x["name"] for x in body["items"]] == ["人才52"]
    text = str(body)
    assert p.id_number not in text and "13912345678" not in text and p.masked_id in text
    assert client_for(world.clerk_a).get(f"/api/talent/persons/{q.pk}").status_code == 404
    staff = client_for(world.staff)
    services.recognition_decide(actor=world.staff, recognition=rec, confirm=True)
    assert staff.get(f"/api/talent/persons/{p.pk}").json()["recognitions"][0]["status"] == "已认定"
    rows = staff.get("/api/talent/benefits/", {"year": rec.year}).json()["items"]
    assert any(x["recipient"] == "人才52" and x["paid"] and x["amount"] == "50" for x in rows), rows
    assert staff.get("/api/talent/benefits/", {"year": 99999}).status_code == 422


@pytest.mark.parametrize("who", ["clerk_a", "ent_user_a"])
def test_person_data_is_masked_for_every_role_that_does_not_need_it(world, client_for, who):
    """Roles that see persons (the employer's township, the employer) get masked ID and phone on
    every face — list, detail, teams, benefits, API; the full view is the bureau's only."""
    p = _person(world, 54, employer=world.enterprise_a, phone="13912345678")
    services.team_register(actor=world.staff, name="掩码团队", kind="harbour", leader=p, host=world.enterprise_a,
                           approved_on=dt.date(2026, 3, 1))
    client = client_for(getattr(world, who))
    for url in ("/talent/persons/", f"/talent/persons/{p.pk}/", "/talent/teams/", "/talent/benefits/",
                "/api/talent/persons/", f"/api/talent/persons/{p.pk}", "/api/talent/teams/"):
        response = client.get(url)
        assert response.status_code == 200, (who, url)
        text = response.content.decode()
        assert p.id_number not in text and "13912345678" not in text, (who, url)
    assert client.post(f"/talent/persons/{p.pk}/reveal/").status_code in (403, 404)


@pytest.mark.parametrize("who", ["liaison_a", "broker_a", "finance", "sys_admin", "audit_admin"])
def test_roles_without_a_need_see_no_person_at_all(world, client_for, who):
    p = _person(world, 55, employer=world.enterprise_a)
    client = client_for(getattr(world, who))
    for url in ("/talent/persons/", f"/talent/persons/{p.pk}/", "/api/talent/persons/", "/talent/benefits/"):
        assert client.get(url).status_code in (302, 403, 404), (who, url)
