"""Screening runs from the database and the redemption workflow (候选 → 核实 → 确认 → 公示 → 拨付)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.policies import services
from kechuang.policies.models import Case, Measure, PolicyDocument
from kechuang.policies.reference import load_reference_data

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


@pytest.fixture()
def loaded(world):
    load_reference_data()
    return world


def _event(world, ent, kind, date, **fields):
    return services.policy_event_record(user=world.staff, enterprise=ent, kind=kind, date=date, fields=fields,
                                        source="省科技厅认定名单")


def test_reference_data_loads_once(loaded):
    assert PolicyDocument.objects.filter(code="nanan-2025-2", status="published").exists()
    assert Measure.objects.filter(policy__code="nanan-2025-2").count() == 37
    assert load_reference_data() == 0  # idempotent


def test_screening_creates_candidates_with_evidence_and_is_idempotent(loaded):
    w = loaded
    _event(w, w.enterprise_a, "hnte_recognized", "2026-03-01", first_time=True)
    _event(w, w.enterprise_b, "hnte_recognized", "2025-10-22")  # before 施行: nothing
    run = services.screening_run(user=w.staff, year=2026)
    cases = list(Case.objects.all())
    assert [(c.enterprise_id, c.measure.code, c.amount) for c in cases] == [
        (w.enterprise_a.pk, "nanan-2025-2.1a", Decimal("10"))]
    ev = cases[0].evidence
    assert ev["citation"] == "南政规〔2025〕2号 一、（一）"
    assert any("省科技厅认定名单" in line for line in ev["data"])
    assert ev["conditions"][0]["status"] == "pass"
    assert (run.candidate_count, run.new_count) == (1, 1)
    run2 = services.screening_run(user=w.staff, year=2026)
    assert Case.objects.count() == 1 and (run2.new_count, run2.changed_count) == (0, 0)


def test_changed_evidence_is_flagged(loaded):
    w = loaded
    e = _event(w, w.enterprise_a, "challenge_project_accepted", "2026-03-01", subsidy=80)
    services.screening_run(user=w.staff, year=2026)
    e.fields = {"subsidy": "120"}
    e.save()
    run = services.screening_run(user=w.staff, year=2026)
    case = Case.objects.get()
    assert run.changed_count == 1 and case.evidence_changed and case.amount == Decimal("120")
    e.delete()
    services.screening_run(user=w.staff, year=2026)
    assert "no_longer_eligible" in Case.objects.get().evidence


def test_only_bureau_runs_screening(loaded):
    with pytest.raises(PermissionDenied):
        services.screening_run(user=loaded.clerk_a, year=2026)


def _case(world, kind="hnte_recognized", **fields):
    _event(world, world.enterprise_a, kind, "2026-03-01", **fields)
    services.screening_run(user=world.staff, year=2026)
    return Case.objects.get()


def test_full_workflow_to_payment(loaded):
    w = loaded
    case = _case(w)
    services.case_verify(user=w.staff, case=case, today=TODAY)
    assert case.confirm_deadline == TODAY + dt.timedelta(days=services.CONFIRM_DAYS)
    with pytest.raises(ValidationError, match="收款账户"):
        services.case_confirm(user=w.ent_user_a, case=case, bank_account="12ab", bank_name="农行", today=TODAY)
    with pytest.raises(PermissionDenied):
        services.case_confirm(user=w.ent_user_b, case=case, bank_account="6228480012345678", bank_name="农行")
    services.case_confirm(user=w.ent_user_a, case=case, bank_account="6228 4800 1234 5678", bank_name="农行南安支行",
                          today=TODAY)
    services.case_publicize(user=w.staff, case=case, today=TODAY)
    with pytest.raises(ValidationError, match="公示期未满"):
        services.case_disburse(user=w.finance, case=case, today=TODAY + dt.timedelta(days=4))
    with pytest.raises(PermissionDenied):
        services.case_disburse(user=w.staff, case=case, today=TODAY + dt.timedelta(days=5))
    services.case_disburse(user=w.finance, case=case, today=TODAY + dt.timedelta(days=5))
    assert case.status == "paid" and case.paid_on == TODAY + dt.timedelta(days=5)


def test_range_measure_needs_an_approved_amount_within_range(loaded):
    w = loaded
    case = _case(w, "challenge_project_accepted")
    with pytest.raises(ValidationError, match="核定金额"):
        services.case_verify(user=w.staff, case=case, today=TODAY)
    with pytest.raises(ValidationError, match="超出"):
        services.case_verify(user=w.staff, case=case, approved_amount=Decimal("200.01"), today=TODAY)
    services.case_verify(user=w.staff, case=case, approved_amount=Decimal("150"), today=TODAY)
    assert case.approved_amount == Decimal("150")


def test_silence_past_deadline_counts_as_giving_up(loaded):
    w = loaded
    case = _case(w)
    services.case_verify(user=w.staff, case=case, today=TODAY)
    deadline = case.confirm_deadline
    assert services.cases_expire_silence(user=w.staff, today=deadline) == 0
    assert services.cases_expire_silence(user=w.staff, today=deadline + dt.timedelta(days=1)) == 1
    case.refresh_from_db()
    assert case.status == "waived" and "逾期未确认" in case.reason


def test_dispute_pauses_the_case(loaded):
    w = loaded
    case = _case(w)
    d = services.dispute_raise(user=w.ent_user_a, case=case, text="认定日期应为2026-02-28")
    with pytest.raises(ValidationError, match="异议"):
        services.case_verify(user=w.staff, case=case, today=TODAY)
    services.dispute_resolve(user=w.staff, dispute=d, resolution="已核对，日期无误")
    case.refresh_from_db()
    assert not case.paused
    services.case_verify(user=w.staff, case=case, today=TODAY)


def test_reject_needs_a_reason(loaded):
    w = loaded
    case = _case(w)
    with pytest.raises(ValidationError, match="原因"):
        services.case_reject(user=w.staff, case=case, reason=" ")
    services.case_reject(user=w.staff, case=case, reason="重复申报")
    assert case.status == "rejected"


def test_bad_event_is_refused(loaded):
    w = loaded
    with pytest.raises(ValidationError, match="level"):
        _event(w, w.enterprise_a, "incubator_recognized", "2026-03-01", level="county")
    with pytest.raises(ValidationError, match="date"):
        _event(w, w.enterprise_a, "incubator_filed", "2026-02-30")


def test_credit_veto_stops_payment(loaded):
    from kechuang.enterprises.models import CreditRecord

    w = loaded
    case = _case(w)
    services.case_verify(user=w.staff, case=case, today=TODAY)
    services.case_confirm(user=w.ent_user_a, case=case, bank_account="6228480012345678", bank_name="农行", today=TODAY)
    services.case_publicize(user=w.staff, case=case, today=TODAY)
    CreditRecord.objects.create(enterprise=w.enterprise_a, kind="research_dishonesty", occurred_on=TODAY,
                                effect="veto", source="信用中国")
    services.case_disburse(user=w.finance, case=case, today=TODAY + dt.timedelta(days=6))
    assert case.status == "rejected" and "一票否决" in case.reason and "信用中国" in case.reason


def test_expired_veto_does_not_stop_payment(loaded):
    from kechuang.enterprises.models import CreditRecord

    w = loaded
    case = _case(w)
    services.case_verify(user=w.staff, case=case, today=TODAY)
    services.case_confirm(user=w.ent_user_a, case=case, bank_account="6228480012345678", bank_name="农行", today=TODAY)
    services.case_publicize(user=w.staff, case=case, today=TODAY)
    CreditRecord.objects.create(enterprise=w.enterprise_a, kind="research_dishonesty", occurred_on=dt.date(2020, 1, 1),
                                effect="veto", expires_on=dt.date(2025, 12, 31))
    services.case_disburse(user=w.finance, case=case, today=TODAY + dt.timedelta(days=6))
    assert case.status == "paid"


def test_screening_reads_registry_years_and_qualifications(loaded):
    from kechuang.enterprises.models import FiscalYear, Qualification

    w = loaded
    for y, rev in ((2024, Decimal("150000")), (2025, Decimal("210000"))):
        FiscalYear.objects.create(enterprise=w.enterprise_a, year=y, operating_revenue=rev)
    Qualification.objects.create(enterprise=w.enterprise_a, kind="hnte", first_recognized_on=dt.date(2024, 1, 1),
                                 valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2026, 12, 31))
    services.screening_run(user=w.staff, year=2026)
    case = Case.objects.get(measure__code="quanzhou-hnte-3.1a")
    assert case.amount == Decimal("50") and any("企业库年度数据" in d for d in case.evidence["data"])


def test_workflow_transitions_are_change_logged(loaded):
    from kechuang.core.models import ChangeLog

    w = loaded
    case = _case(w)
    services.case_verify(user=w.staff, case=case, today=TODAY)
    entry = ChangeLog.objects.filter(model="policies.Case", object_id=str(case.pk)).latest("id")
    assert entry.before["status"] == "candidate" and entry.after["status"] == "verified"


def test_demo_is_idempotent(loaded):
    from kechuang.policies.demo import load_demo
    from kechuang.policies.models import PolicyEvent

    loaded.enterprise_a.is_demo = True
    loaded.enterprise_a.save()
    load_demo()
    n = PolicyEvent.objects.count()
    assert n == 1 and Case.objects.filter(enterprise=loaded.enterprise_a).exists()
    load_demo()
    assert PolicyEvent.objects.count() == n


@pytest.mark.parametrize("values", [
    [Decimal("0.000001"), Decimal("123456.789012"), None, Decimal("200000.01")],
    [0.000001, 123456.789012, None, 200000.01, 5],
    ["0.5", None],
])
def test_database_money_to_units_is_exact(values):
    from kechuang.policies.engine.money import to_units
    from kechuang.policies.population import MISSING, _money_units

    got = list(_money_units(values))
    want = [MISSING if v is None else to_units(Decimal(str(v))) for v in values]
    assert got == want
