"""Talent: 免申即认 fires exactly for listed persons who land at an institute in 泉州 and never twice;
nominator quotas; the top-3 competition rule; the graduate allowance paid to the student by months
(南政规〔2025〕2号 (十四)); team counts with the 0.5 rule; person data masked and full views audited."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook
from stdnum.cn import ric

from kechuang.core.models import AuditEvent
from kechuang.core.permissions import PermissionRefused
from kechuang.talent import rules, selectors, services
from kechuang.talent.models import Nominator, Person, Programme, ProgrammeListing, Recognition, Team
from kechuang.techmarket.models import Institute

pytestmark = pytest.mark.django_db


def idn(n: int) -> str:
    first = f"35058319{80 + n % 20:02d}0101{n % 1000:03d}"
    return first + ric.calc_check_digit(first + "0")


@pytest.fixture
def places(db):
    here = Institute.objects.create(name="泉州装备制造研究所", city="泉州")
    away = Institute.objects.create(name="福州某研究院", city="福州")
    national = Programme.objects.create(name="国家级重点人才计划甲", level="national")
    provincial = Programme.objects.create(name="福建省引才“百人计划”", level="provincial")
    return here, away, national, provincial


def _person(world, n, **kw):
    return services.person_register(actor=world.staff, name=f"人才{n}", id_number=idn(n), **kw)


def test_automatic_recognition_fires_for_a_listed_person_who_lands_here_and_never_twice(world, places):
    here, _away, national, _prov = places
    services.listing_add(actor=world.staff, programme=national, year=2025, name="人才1", id_number=idn(1))
    p = _person(world, 1)
    assert not p.recognitions.exists()                      # listed but not landed yet
    made = services.person_land(actor=world.staff, person=p, institute=here, arrived_on=dt.date(2026, 3, 1))
    assert len(made) == 1 and made[0].tier == "B" and made[0].status == "proposed"
    assert "免申即认" in made[0].basis and "国家级重点人才计划甲" in made[0].basis
    # landing again, re-scanning, re-importing the same list: nothing new
    services.person_land(actor=world.staff, person=p, institute=here, arrived_on=dt.date(2026, 3, 2))
    services.automatic_recognition_propose(actor=world.staff, person=p)
    services.listing_add(actor=world.staff, programme=national, year=2025, name="人才1", id_number=idn(1))
    assert Recognition.objects.filter(person=p, channel="automatic").count() == 1


def test_the_database_refuses_a_second_automatic_recognition_of_one_listing(world, places):
    from django.db import IntegrityError, transaction

    here, _away, national, _prov = places
    listing = services.listing_add(actor=world.staff, programme=national, year=2025, name="人才2", id_number=idn(2))
    p = _person(world, 2, institute=here, arrived_on=dt.date(2026, 1, 5))
    with pytest.raises(IntegrityError), transaction.atomic():
        Recognition.objects.create(person=p, listing=listing, tier="B", channel="automatic", year=2026, basis="x")


def test_no_automatic_recognition_for_unlisted_persons_or_institutes_outside_quanzhou(world, places):
    here, away, national, provincial = places
    services.listing_add(actor=world.staff, programme=provincial, year=2024, name="人才3", id_number=idn(3))
    outside = _person(world, 3, institute=away, arrived_on=dt.date(2026, 1, 5))
    unlisted = _person(world, 4, institute=here, arrived_on=dt.date(2026, 1, 5))
    assert not Recognition.objects.filter(person__in=[outside, unlisted]).exists()
    made = services.person_land(actor=world.staff, person=outside, institute=here, arrived_on=dt.date(2026, 2, 1))
    assert [r.tier for r in made] == ["C"]                 # provincial programme → C (待核实 mapping)


def test_a_list_imported_after_landing_proposes_too_and_confirming_sets_validity(world, places):
    here, _away, national, _prov = places
    p = _person(world, 5, institute=here, arrived_on=dt.date(2026, 1, 5))
    services.listing_add(actor=world.staff, programme=national, year=2025, name="人才5", id_number=idn(5))
    rec = p.recognitions.get()
    services.recognition_decide(actor=world.staff, recognition=rec, confirm=True, on=dt.date(2026, 4, 1))
    rec.refresh_from_db()
    assert rec.status == "confirmed" and rec.valid_until == dt.date(2031, 4, 1)
    with pytest.raises(ValidationError, match="不能再处理"):
        services.recognition_decide(actor=world.staff, recognition=rec, confirm=False, note="x")


def test_nominating_expert_over_quota_is_refused(world):
    nominator = Nominator.objects.create(name="陈院士", unit="华侨大学", quota_per_year=2)
    people = [_person(world, 10 + i) for i in range(3)]
    for p in people[:2]:
        services.recognition_nominate(actor=world.staff, person=p, nominator=nominator, tier="D", year=2026)
    with pytest.raises(ValidationError, match="举荐名额（2 名）已用完"):
        services.recognition_nominate(actor=world.staff, person=people[2], nominator=nominator, tier="D", year=2026)
    # the quota is per year
    services.recognition_nominate(actor=world.staff, person=people[2], nominator=nominator, tier="D", year=2027)


@pytest.mark.parametrize("rank, ok", [(3, True), (4, False)])
def test_only_the_top_three_of_a_competition_apply_directly(world, rank, ok):
    p = _person(world, 20)
    if ok:
        rec = services.recognition_by_competition(actor=world.staff, person=p, competition="创新创业大赛", rank=rank,
                                                  tier="D", year=2026)
        assert rec.status == "proposed"
    else:
        with pytest.raises(ValidationError, match="前 3 名"):
            services.recognition_by_competition(actor=world.staff, person=p, competition="创新创业大赛", rank=rank,
                                                tier="D", year=2026)


def test_graduate_allowance_goes_to_the_student_by_months(world):
    student = _person(world, 30)
    master = services.graduate_enrol(actor=world.staff, person=student, degree="master", base=world.enterprise_a,
                                     start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30))
    a = services.graduate_allowance(master, 2026)
    assert a["recipient"] == "人才30" and a["channel"] == world.enterprise_a.name
    assert a["months"] == 6 and a["amount"] == Decimal("0.6")          # 1000 元/月 × 6
    doctor = services.graduate_enrol(actor=world.staff, person=_person(world, 31), degree="doctor",
                                     base=world.enterprise_a, start=dt.date(2025, 9, 1), end=dt.date(2028, 6, 30))
    assert services.graduate_allowance(doctor, 2026)["amount"] == Decimal("2.4")   # 2000 元/月 × 12
    # 南政规〔2025〕2号 is in force from 2025-10-23: September and October 2025 (9 days) earn nothing
    assert services.graduate_allowance(doctor, 2025)["months"] == 2


@pytest.mark.parametrize("start, months", [(dt.date(2026, 3, 17), 10), (dt.date(2026, 3, 18), 9)])
def test_a_part_month_counts_from_15_days(start, months):
    # 17–31 March is 15 days (counts); 18–31 March is 14 (does not)
    assert rules.months_in_year(start, dt.date(2026, 12, 31), 2026) == months


def test_graduate_allowance_is_not_added_to_the_base_enterprises_total(world):
    """(十四) pays the student: the calculator shows the measure for the base but leaves it out of
    the enterprise's total (before: 2 students × 12 months × 0.1 = 2.4 万 were added to it)."""
    from kechuang.enterprises.facts import enterprise_facts
    from kechuang.policies.engine import calculate
    from kechuang.policies.selectors import engine_policies

    facts = enterprise_facts(world.enterprise_a)
    facts["events"] = [{"kind": "postgraduate_trained", "date": "2026-06-30", "degree": "master", "months": 12},
                       {"kind": "postgraduate_trained", "date": "2026-06-30", "degree": "master", "months": 12}]
    result = calculate(facts, 2026, engine_policies())
    allowance = next(o for o in result.outcomes if o.measure.id == rules.ALLOWANCE_MEASURE)
    assert allowance.status == "eligible" and allowance.amount == Decimal("2.4")
    assert not allowance.counted and "个人" in allowance.stacking
    assert result.total == Decimal(0)


def test_team_counts_recompute_with_the_half_rule(world):
    from kechuang.targets.derived import derived_actuals
    from kechuang.targets.models import TargetPlan

    leader = _person(world, 40)
    a_class = TargetPlan.objects.filter(indicator__code="talent_team").values_list("region_id", flat=True)
    assert world.township_a.pk in a_class                 # 水头 holds a team target in 南政办〔2021〕67号
    assert world.township_b.pk in a_class                 # 溪美 too
    for kind, ent, on in (("harbour", world.enterprise_a, dt.date(2026, 5, 1)),
                          ("project_startup", world.enterprise_a, dt.date(2026, 6, 1)),
                          ("project_industry", world.enterprise_b, dt.date(2026, 7, 1))):
        services.team_register(actor=world.staff, name=f"{kind}团队", kind=kind, leader=leader, host=ent,
                               approved_on=on)
    on = dt.date(2026, 12, 31)
    assert derived_actuals("talent_team", 2026, on) == {world.township_a.pk: Decimal("1.5"),
                                                        world.township_b.pk: Decimal("0.5")}
    assert derived_actuals("talent_project", 2026, on) == {world.township_a.pk: Decimal(1), world.township_b.pk: Decimal(1)}
    Team.objects.filter(kind="project_industry").delete()
    assert derived_actuals("talent_team", 2026, on) == {world.township_a.pk: Decimal("1.5")}


def test_a_project_outside_an_a_class_township_does_not_count_as_a_team(world, monkeypatch):
    from kechuang.targets.derived import derived_actuals

    monkeypatch.setattr(selectors, "a_class_townships", lambda: set())
    services.team_register(actor=world.staff, name="项目", kind="project_innovation", leader=_person(world, 41),
                           host=world.enterprise_a, approved_on=dt.date(2026, 5, 1))
    assert derived_actuals("talent_team", 2026, dt.date(2026, 12, 31)) == {}


def test_person_data_is_masked_and_a_full_view_is_audited(world, client_for):
    p = _person(world, 50, employer=world.enterprise_a, phone="13912345678")
    clerk = client_for(world.clerk_a).get(f"/talent/persons/{p.pk}/").content.decode()
    assert p.id_number not in clerk and p.masked_id in clerk and "13912345678" not in clerk
    assert "查看完整号码" not in clerk
    assert client_for(world.clerk_a).post(f"/talent/persons/{p.pk}/reveal/").status_code == 403
    assert client_for(world.clerk_b).get(f"/talent/persons/{p.pk}/").status_code == 404   # other township
    staff = client_for(world.staff)
    before = AuditEvent.objects.filter(kind="personal_data_view").count()
    shown = staff.post(f"/talent/persons/{p.pk}/reveal/").content.decode()
    assert p.id_number in shown
    assert AuditEvent.objects.filter(kind="personal_data_view").count() == before + 1


def test_the_change_log_never_holds_the_id_number_in_clear(world):
    from kechuang.core.models import ChangeLog

    p = _person(world, 51)
    logged = ChangeLog.objects.filter(model__icontains="person", object_id=str(p.pk)).get()
    assert p.id_number not in str(logged.after)


def test_only_the_bureau_registers_persons(world):
    with pytest.raises(PermissionRefused):
        services.person_register(actor=world.clerk_a, name="x", id_number=idn(60))
    with pytest.raises(PermissionRefused):
        services.person_register(actor=None, name="x", id_number=idn(60))


def _sheet(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["人才计划", "层级", "入选年度", "姓名", "居民身份证号码"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.size = len(buf.getvalue())
    return buf


def test_listing_import_is_all_or_nothing_with_row_errors(world, places):
    from kechuang.talent.imports import import_listings

    here = places[0]
    _person(world, 70, institute=here, arrived_on=dt.date(2026, 1, 5))
    bad = import_listings(actor=world.staff, upload=_sheet([
        ["省级计划乙", "省级", 2025, "人才70", idn(70)],
        ["省级计划乙", "市级", 2025, "某人", idn(71)],
        ["省级计划乙", "省级", "二〇二五", "某人", "350583198001011234"]]))
    assert not bad.ok and not ProgrammeListing.objects.exists()
    assert any(e.startswith("第3行 层级") for e in bad.errors)
    assert any(e.startswith("第4行 入选年度") for e in bad.errors)
    assert any(e.startswith("第4行 居民身份证号码") for e in bad.errors)
    good = import_listings(actor=world.staff, upload=_sheet([["省级计划乙", "省级", 2025, "人才70", idn(70)],
                                                              ["省级计划乙", "省级", 2025, "人才71", idn(71)]]))
    assert good.ok and good.created == 2 and good.proposals == 1
    again = import_listings(actor=world.staff, upload=_sheet([["省级计划乙", "省级", 2025, "人才70", idn(70)]]))
    assert again.created == 0 and again.existing == 1 and again.proposals == 0


def test_employment_precheck_explains_the_mismatch():
    assert rules.employment_precheck(social_security="甲公司", contract="甲公司", tax="甲公司") == []
    problems = rules.employment_precheck(social_security="甲公司", contract="乙公司", tax="甲公司")
    assert len(problems) == 1 and "不是同一单位" in problems[0] and "劳动合同签订单位：乙公司" in problems[0]
    assert "请填写个税扣缴单位" in rules.employment_precheck(social_security="甲", contract="甲", tax="")[0]


def test_person_id_number_is_validated():
    with pytest.raises(ValidationError):
        Person(name="x", id_number="350583198001011234").full_clean()


def test_a_serious_research_misconduct_record_refuses_recognition_until_it_ends(world, places):
    """The one credit check (supervision) before a recognition; the day after 惩戒期限 it passes."""
    from kechuang.supervision import services as supervision

    here, _away, national, _prov = places
    # an ID number the credit record's own validator accepts (region code 350521)
    first = "35052119850615001"
    number = first + ric.calc_check_digit(first + "0")
    services.listing_add(actor=world.staff, programme=national, year=2025, name="失信者", id_number=number)
    p = services.person_register(actor=world.staff, name="失信者", id_number=number, institute=here,
                                 arrived_on=dt.date(2026, 1, 5))
    supervision.credit_record_create(user=world.staff, subject_kind="person", subject_name="失信者",
                                     behaviour="论文造假", severity="serious", outcome="取消项目", authority="市科技局",
                                     basis="科研失信行为调查处理规则", effective_on=dt.date(2025, 1, 1),
                                     ends_on=dt.date(2026, 6, 30), person_id_number=number)
    rec = p.recognitions.get()
    with pytest.raises(ValidationError, match="信用核查未通过"):
        services.recognition_decide(actor=world.staff, recognition=rec, confirm=True, on=dt.date(2026, 6, 30))
    services.recognition_decide(actor=world.staff, recognition=rec, confirm=True, on=dt.date(2026, 7, 1))
    rec.refresh_from_db()
    assert rec.status == "confirmed"


def test_self_recognition_by_a_pilot_enterprise_within_quota_and_tier(world):
    from kechuang.talent.models import PilotOrg

    PilotOrg.objects.create(enterprise=world.enterprise_a, quota_per_year=1, highest_tier="D")
    own = _person(world, 80, employer=world.enterprise_a)
    second = _person(world, 81, employer=world.enterprise_a)
    elsewhere = _person(world, 82, employer=world.enterprise_b)
    with pytest.raises(ValidationError, match="最高可自主认定D类"):
        services.recognition_self(actor=world.ent_user_a, person=own, tier="C", year=2026)
    rec = services.recognition_self(actor=world.ent_user_a, person=own, tier="D", year=2026)
    assert rec.status == "confirmed" and rec.channel == "self"
    with pytest.raises(ValidationError, match="名额（1 名）已用完"):
        services.recognition_self(actor=world.ent_user_a, person=second, tier="E", year=2026)
    with pytest.raises(PermissionRefused):       # another enterprise's employee
        services.recognition_self(actor=world.ent_user_a, person=elsewhere, tier="E", year=2026)
    with pytest.raises(ValidationError, match="不是自主认定试点单位"):
        services.recognition_self(actor=world.ent_user_b, person=elsewhere, tier="E", year=2026)


def test_a_nanan_id_number_is_accepted_everywhere(world):
    """南安市 is 350583; python-stdnum's place list lacks it, so the region code is not checked
    (the credit records used to refuse every 南安 resident's number)."""
    from kechuang.supervision import services as supervision

    number = idn(90)
    assert number.startswith("350583")
    Person(name="南安人", id_number=number).full_clean()
    rec = supervision.credit_record_create(
        user=world.staff, subject_kind="person", subject_name="南安人", behaviour="x", severity="general",
        outcome="警示", authority="市科技局", basis="规则", effective_on=dt.date(2026, 1, 1), person_id_number=number)
    assert rec.person_id_masked.startswith("350583")


def test_tabs_link_only_pages_the_role_may_open(world, client_for):
    page = client_for(world.clerk_a).get("/talent/persons/").content.decode()
    assert 'href="/talent/"' not in page and 'href="/talent/teams/"' in page
    assert client_for(world.clerk_a).get("/talent/").status_code == 403
    assert 'href="/talent/"' in client_for(world.staff).get("/talent/persons/").content.decode()
