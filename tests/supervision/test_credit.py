"""The one credit check (科研信用 一票否决): boundaries of the 惩戒期限, subjects, severities, the
registry's records, appeals, and its use by the redemption workflow and the registry facts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.core.permissions import system_actor
from kechuang.supervision import services
from kechuang.supervision.credit import SERIOUS_RULE, check_credit
from kechuang.supervision.models import CreditRecord, Decision

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 3, 1), dt.date(2027, 2, 28)
PERSON_ID = "11010519491231002X"  # the GB 11643 example number (valid check digit)


def _record(world, **kw):
    base = dict(user=world.staff, subject_kind="enterprise", enterprise=world.enterprise_a,
                subject_name=world.enterprise_a.name, behaviour="伪造科技计划项目验收材料", severity="serious",
                outcome="取消项目立项，追回财政资金", authority="南安市科学技术局", basis="科技部令第19号 第八条",
                effective_on=START, ends_on=END)
    base.update(kw)
    return services.credit_record_create(**base)


@pytest.mark.parametrize("decision", Decision.values)
def test_serious_record_vetoes_every_decision_through_its_last_day(world, decision):
    rec = _record(world)
    before = check_credit(decision=decision, on=START - dt.timedelta(days=1), enterprise=world.enterprise_a)
    first = check_credit(decision=decision, on=START, enterprise=world.enterprise_a)
    day_before_end = check_credit(decision=decision, on=END - dt.timedelta(days=1), enterprise=world.enterprise_a)
    last = check_credit(decision=decision, on=END, enterprise=world.enterprise_a)
    day_after = check_credit(decision=decision, on=END + dt.timedelta(days=1), enterprise=world.enterprise_a)
    assert before.allowed and day_after.allowed
    assert not first.allowed and not day_before_end.allowed and not last.allowed
    assert last.record == rec and last.until == END and last.rule == SERIOUS_RULE
    assert "一票否决" in last.message and "2027-02-28" in last.message and str(Decision(decision).label) in last.message


def test_general_record_restricts_only_its_decisions(world):
    _record(world, severity="general", restricts=["project_approval"])
    on = dt.date(2026, 1, 5)
    assert not check_credit(decision="project_approval", on=on, enterprise=world.enterprise_a).allowed
    v = check_credit(decision="payment", on=on, enterprise=world.enterprise_a)
    assert v.allowed and v.record is None
    assert check_credit(decision="project_approval", on=on, enterprise=world.enterprise_b).allowed


def test_default_general_restricts_application_and_challenge(world):
    _record(world, severity="general")
    on = dt.date(2026, 1, 5)
    assert not check_credit(decision="challenge_application", on=on, uscc=world.enterprise_a.uscc).allowed
    assert check_credit(decision="voucher", on=on, uscc=world.enterprise_a.uscc).allowed


def test_permanent_record_never_ends(world):
    _record(world, ends_on=None)
    v = check_credit(decision="payment", on=dt.date(2099, 1, 1), enterprise=world.enterprise_a)
    assert not v.allowed and v.until is None and "永久" in v.message


def test_person_by_id_number_never_stored_and_masked(world):
    rec = _record(world, subject_kind="person", enterprise=None, subject_name="王小明", person_id_number=PERSON_ID,
                  person_unit="某大学")
    assert PERSON_ID not in str(CreditRecord.objects.filter(pk=rec.pk).values().get())
    assert rec.person_id_masked == "110105********002X" and rec.display_subject == "王**"
    on = dt.date(2026, 1, 5)
    v = check_credit(decision="expert_admission", on=on, person_id_number=PERSON_ID.lower())
    assert not v.allowed and "王**" in v.message and "王小明" not in v.message
    assert check_credit(decision="expert_admission", on=on, person_id_number="110105194912310037").allowed
    # a name alone does not match a record kept with an ID number (namesakes)
    assert check_credit(decision="expert_admission", on=on, person_name="王小明").allowed


def test_person_by_name_when_record_has_no_id(world):
    _record(world, subject_kind="person", enterprise=None, subject_name="李四")
    assert not check_credit(decision="commissioner_recognition", on=dt.date(2026, 1, 5), person_name="李四").allowed


def test_institute_by_code_or_name(world):
    _record(world, subject_kind="institute", enterprise=None, subject_name="某研究院", subject_code="12350000MB0000000X")
    on = dt.date(2026, 1, 5)
    assert not check_credit(decision="voucher", on=on, institute="某研究院").allowed
    assert not check_credit(decision="voucher", on=on, uscc="12350000mb0000000x").allowed
    assert check_credit(decision="voucher", on=on, intermediary="某研究院").allowed


def test_unknown_decision_and_missing_subject_are_errors(world):
    with pytest.raises(ValueError):
        check_credit(decision="lottery", on=START, enterprise=world.enterprise_a)
    with pytest.raises(ValueError):
        check_credit(decision="payment", on=START)


def test_registry_records_count_too(world):
    from kechuang.enterprises.models import CreditRecord as Registry

    on = dt.date(2026, 6, 1)
    Registry.objects.create(enterprise=world.enterprise_a, kind="abnormal_operation", occurred_on=on,
                            effect="restrict", source="市场监管局", expires_on=on + dt.timedelta(days=10))
    assert not check_credit(decision="voucher", on=on, enterprise=world.enterprise_a).allowed
    assert check_credit(decision="payment", on=on, enterprise=world.enterprise_a).allowed  # restrict ≠ veto
    assert check_credit(decision="voucher", on=on + dt.timedelta(days=11), enterprise=world.enterprise_a).allowed
    Registry.objects.create(enterprise=world.enterprise_b, kind="other", occurred_on=on, effect="warning", source="x")
    v = check_credit(decision="payment", on=on, enterprise=world.enterprise_b)
    assert v.allowed and v.warnings and "警示" in v.message


def test_appeal_due_in_working_days_and_revocation(world):
    rec = _record(world)
    on = dt.date(2026, 9, 28)  # Monday before 国庆
    rec = services.credit_appeal_file(user=world.ent_user_a, record=rec, on=on)
    assert rec.appeal_state == "pending" and rec.appeal_due_on > on + dt.timedelta(days=28)  # holidays skipped
    assert not check_credit(decision="payment", on=on, enterprise=world.enterprise_a).allowed  # not suspended
    with pytest.raises(ValidationError):
        services.credit_appeal_file(user=world.ent_user_a, record=rec, on=on)
    with pytest.raises(PermissionDenied):
        services.credit_appeal_decide(user=world.ent_user_a, record=rec, revoke=True, answer="x")
    services.credit_appeal_decide(user=world.staff, record=rec, revoke=True, answer="经复核，证据不足", watchlist=True)
    v = check_credit(decision="payment", on=on, enterprise=world.enterprise_a)
    assert v.allowed


def test_watchlist_warns_but_allows(world):
    _record(world, severity="general", restricts=[], watchlist=True)
    v = check_credit(decision="payment", on=dt.date(2026, 1, 5), enterprise=world.enterprise_a)
    assert v.allowed and "观察名单" in v.message


def test_foreign_enterprise_user_cannot_appeal(world):
    rec = _record(world)
    with pytest.raises(PermissionDenied):
        services.credit_appeal_file(user=world.ent_user_b, record=rec, on=dt.date(2026, 1, 5))


def test_record_validation(world):
    with pytest.raises(ValidationError, match="惩戒期限"):
        _record(world, ends_on=START - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="企业"):
        _record(world, enterprise=None)
    with pytest.raises(ValidationError, match="身份证号"):
        _record(world, subject_kind="person", enterprise=None, subject_name="张三", person_id_number="110105194912310021")
    with pytest.raises(PermissionDenied):
        _record(world, user=world.clerk_a)
    assert _record(world, user=system_actor("command:test")).pk


def test_registry_facts_follow_the_research_database(world):
    from kechuang.enterprises.facts import enterprise_facts

    _record(world)
    assert enterprise_facts(world.enterprise_a, on=END)["serious_dishonesty"] is True
    assert enterprise_facts(world.enterprise_a, on=END + dt.timedelta(days=1))["serious_dishonesty"] is False
    assert enterprise_facts(world.enterprise_b, on=END)["serious_dishonesty"] is False


def test_diagnosis_loader_agrees_with_facts(world):
    from kechuang.diagnosis.loader import load_population
    from kechuang.enterprises.models import Enterprise

    _record(world)
    pop = load_population(Enterprise.objects.all(), on=END)
    flags = dict(zip([int(i) for i in pop.ids], [int(x) for x in pop.population.ent["dishonesty"]], strict=True))
    assert flags == {world.enterprise_a.pk: 1, world.enterprise_b.pk: 0}


# --- the redemption workflow (免申即享) asks the same check ---------------------------------------

def _screened_case(world):
    from kechuang.policies import services as policy_services
    from kechuang.policies.models import Case
    from kechuang.policies.reference import load_reference_data

    load_reference_data()
    policy_services.policy_event_record(user=world.staff, enterprise=world.enterprise_a, kind="hnte_recognized",
                                        date="2026-03-01", fields={"first_time": True}, source="省科技厅认定名单")
    policy_services.screening_run(user=world.staff, year=2026)
    return Case.objects.get()


def test_screening_notes_the_refusal_and_verification_refuses(world):
    from kechuang.policies import services as policy_services

    _record(world, ends_on=None)
    case = _screened_case(world)
    assert case.evidence["credit"]["allowed"] is False and "一票否决" in case.evidence["credit"]["message"]
    with pytest.raises(ValidationError, match="一票否决"):
        policy_services.case_verify(user=world.staff, case=case, today=dt.date(2026, 6, 1))


def test_payment_refused_by_a_research_record_in_force_and_not_the_day_after(world):
    from kechuang.policies import services as policy_services

    case = _screened_case(world)
    today = dt.date(2026, 6, 1)
    policy_services.case_verify(user=world.staff, case=case, today=today)
    policy_services.case_confirm(user=world.ent_user_a, case=case, bank_account="6228480012345678", bank_name="农行",
                                 today=today)
    policy_services.case_publicize(user=world.staff, case=case, today=today)
    pay_day = today + dt.timedelta(days=6)
    _record(world, effective_on=dt.date(2025, 1, 1), ends_on=pay_day)
    policy_services.case_disburse(user=world.finance, case=case, today=pay_day)
    assert case.status == "rejected" and "一票否决" in case.reason and "明政办〔2021〕62号" in case.reason


def test_payment_goes_through_the_day_after_the_period(world):
    from kechuang.policies import services as policy_services

    case = _screened_case(world)
    today = dt.date(2026, 6, 1)
    policy_services.case_verify(user=world.staff, case=case, today=today)
    policy_services.case_confirm(user=world.ent_user_a, case=case, bank_account="6228480012345678", bank_name="农行",
                                 today=today)
    policy_services.case_publicize(user=world.staff, case=case, today=today)
    pay_day = today + dt.timedelta(days=6)
    _record(world, effective_on=dt.date(2025, 1, 1), ends_on=pay_day - dt.timedelta(days=1))
    policy_services.case_disburse(user=world.finance, case=case, today=pay_day)
    assert case.status == "paid"
