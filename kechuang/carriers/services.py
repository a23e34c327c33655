"""Writes of the carriers module. Every service names its actor, calls ``require()`` and runs in
one transaction; every write is change-logged by the core signals."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from kechuang.core.permissions import require

from . import rules
from .models import AnnualReport, Carrier, CarrierLevel, Evaluation, ThirdPartyOperation

REPORT_FIELDS = ("tenants", "new_tenants", "graduated", "tech_sme_tenants", "hnte_tenants", "staff", "mentors",
                 "activities", "patents_granted", "income", "investment_raised")


def _full_clean(obj) -> None:
    obj.full_clean()


@transaction.atomic
def carrier_register(*, actor, name: str, kind: str, operator, township, address: str = "", area_sqm=None,
                     fields: str = "", established_on: dt.date | None = None, in_state_owned_park: bool = False,
                     is_demo: bool = False) -> Carrier:
    """Enter a carrier into the registry (it holds no level until one is recorded)."""
    require(actor, "carriers.carrier.register")
    carrier = Carrier(name=name.strip(), kind=kind, operator=operator, township=township, address=address,
                      area_sqm=area_sqm, fields=fields, established_on=established_on,
                      in_state_owned_park=bool(in_state_owned_park), is_demo=is_demo)
    _full_clean(carrier)
    carrier.save()
    return carrier


def _record_event(actor, carrier: Carrier, level: CarrierLevel) -> None:
    """Record the policy event this step pays on (once), for the operator enterprise."""
    from kechuang.policies.models import PolicyEvent
    from kechuang.policies.services import policy_event_record

    park = rules.park_event(carrier.kind, carrier.in_state_owned_park)
    if park is not None:
        park_source = f"创新载体：{carrier.name} 入驻国有园区"[:200]
        if not PolicyEvent.objects.filter(enterprise=carrier.operator, kind=park[0], source=park_source).exists():
            policy_event_record(user=actor, enterprise=carrier.operator, kind=park[0], date=level.recognized_on,
                                fields={**park[1], "carrier": carrier.name}, source=park_source)
    mapped = rules.EVENTS.get((carrier.kind, level.level))
    if mapped is None:
        return

    source = f"创新载体：{carrier.name} {level.get_level_display()}（{level.document}）"[:200]
    if PolicyEvent.objects.filter(enterprise=carrier.operator, kind=mapped[0], source=source).exists():
        return
    policy_event_record(user=actor, enterprise=carrier.operator, kind=mapped[0], date=level.recognized_on,
                        fields={**mapped[1], "carrier": carrier.name}, source=source)


@transaction.atomic
def carrier_level_record(*, actor, carrier: Carrier, level: str, recognized_on: dt.date, document: str) -> CarrierLevel:
    """Record a filing or recognition. Refused unless the lower step is held where the ladder
    rule applies (逐级); records the policy event the measures pay on."""
    require(actor, "carriers.level.record", carrier)
    carrier = Carrier.objects.select_for_update().get(pk=carrier.pk)
    if carrier.status != Carrier.Status.ACTIVE:
        raise ValidationError({"level": "该载体已撤销，不能再备案或认定。"})
    if not (document or "").strip():
        raise ValidationError({"document": "请填写备案或认定文件的文号。"})
    held = {lv.level: lv.recognized_on for lv in carrier.levels.filter(revoked_on__isnull=True)}
    refusal = rules.ladder_refusal(carrier.kind, level, held, recognized_on)
    if refusal:
        raise ValidationError({"level": refusal})
    step = CarrierLevel(carrier=carrier, level=level, recognized_on=recognized_on, document=document.strip())
    _full_clean(step)
    step.save()
    _record_event(actor, carrier, step)
    return step


@transaction.atomic
def carrier_cancel(*, actor, carrier: Carrier, on: dt.date, reason: str) -> Carrier:
    """Cancel a carrier: its levels are revoked on that date (history kept)."""
    require(actor, "carriers.carrier.cancel", carrier)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写撤销原因。"})
    carrier.status = Carrier.Status.CANCELLED
    carrier.cancelled_on = on
    carrier.cancel_reason = reason.strip()[:300]
    carrier.cancellation_proposed = False
    carrier.save()
    for step in carrier.levels.filter(revoked_on__isnull=True):
        step.revoked_on = on
        step.save()
    return carrier


@transaction.atomic
def annual_report_submit(*, actor, carrier: Carrier, year: int, figures: dict) -> AnnualReport:
    """File (or correct) the year's figures; numbers are bounded by the model."""
    require(actor, "carriers.report.submit", carrier)
    report = AnnualReport.objects.filter(carrier=carrier, year=year).first() or AnnualReport(carrier=carrier, year=year)
    for name in REPORT_FIELDS:
        if name in figures and figures[name] is not None:
            setattr(report, name, figures[name])
    report.submitted_by = actor if getattr(actor, "pk", None) else None
    _full_clean(report)
    report.save()
    return report


@transaction.atomic
def evaluation_run(*, actor, year: int) -> list[Evaluation]:
    """Evaluate every active carrier that filed the year's figures, by the scheme in force for that
    year; a second failing year in a row proposes cancellation. Re-running replaces the year's
    evaluations (idempotent)."""
    require(actor, "carriers.evaluation.run")
    done = []
    reports = AnnualReport.objects.filter(year=year, carrier__status=Carrier.Status.ACTIVE).select_related("carrier")
    for report in reports:
        carrier = report.carrier
        result = rules.score(carrier.kind, year, {f: getattr(report, f) for f in REPORT_FIELDS})
        evaluation, _ = Evaluation.objects.update_or_create(carrier=carrier, year=year, defaults={
            "scheme": result.scheme, "score": result.score, "grade": result.grade, "passed": result.passed,
            "details": result.details})
        previous = Evaluation.objects.filter(carrier=carrier, year=year - 1).first()
        if not result.passed and previous is not None and not previous.passed:
            carrier.cancellation_proposed = True
            carrier.cancellation_note = (f"{year - 1}、{year} 年连续两年评价不合格（{previous.grade}、{result.grade}），"
                                         f"建议撤销（{rules.CANCEL_CITATION}）")[:300]
            carrier.save()
        done.append(evaluation)
    return done


@transaction.atomic
def operation_record(*, actor, carrier: Carrier, operator_name: str, started_on: dt.date,
                     non_fiscal_investment: Decimal, assessed: bool) -> ThirdPartyOperation:
    """Record third-party operation of a filed incubator; once assessed it is the event the 30 %
    measure pays on (南政规〔2025〕2号 (八))."""
    require(actor, "carriers.operation.record", carrier)
    op = ThirdPartyOperation(carrier=carrier, operator_name=operator_name.strip(), started_on=started_on,
                             non_fiscal_investment=non_fiscal_investment, assessed=assessed)
    _full_clean(op)
    op.save()
    if assessed:
        from kechuang.policies.services import policy_event_record

        policy_event_record(user=actor, enterprise=carrier.operator, kind="incubator_third_party_operation",
                            date=started_on, fields={"assessed": True, "non_fiscal_investment": str(non_fiscal_investment),
                                                     "carrier": carrier.name},
                            source=f"创新载体：{carrier.name} 托管运营（{operator_name}）"[:200])
    return op
