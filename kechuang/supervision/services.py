"""Writes of the 项目与监管 module. Every service takes the acting ``user`` (a person or
``system_actor(...)``), calls ``require`` first and runs in one transaction; the change log
records every write (ScopedModel signals).

科研信用: ``credit_record_create``, ``credit_appeal_file``, ``credit_appeal_decide``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.permissions import require
from kechuang.supervision.credit import DEFAULT_GENERAL_RESTRICTS
from kechuang.supervision.models import (
    AppealState,
    CreditRecord,
    Decision,
    Severity,
    SubjectKind,
    id_number_digest,
    mask_id_number,
)

#: 申诉答复期限: 20 working days (one provincial rule; 待核实 for the city's own).
APPEAL_ANSWER_WORKING_DAYS = 20


def _calendar():
    from kechuang.techmarket.workdays import shipped_calendar

    return shipped_calendar()


def _required(value, label: str) -> str:
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        raise ValidationError(f"{label}：必填")
    return value


@transaction.atomic
def credit_record_create(*, user, subject_kind: str, subject_name: str, behaviour: str, severity: str,
                         outcome: str, authority: str, basis: str, effective_on: dt.date,
                         ends_on: dt.date | None = None, enterprise=None, subject_code: str = "",
                         person_id_number: str = "", person_unit: str = "", restricts=None,
                         watchlist: bool = False, is_demo: bool = False) -> CreditRecord:
    """录入一条科研信用记录. A 一般 record restricts ``restricts`` (default: 立项 and 揭榜申报);
    a 严重 record refuses every decision. A person's ID number is kept only as a keyed digest and
    a masked form."""
    require(user, "supervision.credit.record")
    if subject_kind not in SubjectKind.values:
        raise ValidationError("责任主体类别：应为企业、科研机构、中介服务机构或个人")
    if severity not in Severity.values:
        raise ValidationError("严重程度：应为一般失信或严重失信")
    for value, label in ((subject_name, "责任主体"), (behaviour, "失信行为"), (outcome, "处理结果"),
                         (authority, "处理单位"), (basis, "处理依据"), (effective_on, "生效时间")):
        _required(value, label)
    if ends_on is not None and ends_on < effective_on:
        raise ValidationError("惩戒期限：不能早于生效时间")
    if subject_kind == SubjectKind.ENTERPRISE:
        if enterprise is None:
            raise ValidationError("企业：责任主体为企业时须选择企业库中的企业")
        subject_code = subject_code or enterprise.uscc
    restricts = list(DEFAULT_GENERAL_RESTRICTS if restricts is None else restricts)
    bad = [r for r in restricts if r not in Decision.values]
    if bad:
        raise ValidationError(f"限制的事项：无法识别 {bad[0]}")
    digest = masked = ""
    if person_id_number:
        if subject_kind != SubjectKind.PERSON:
            raise ValidationError("身份证号：仅个人记录填写")
        from stdnum.cn import ric

        if not ric.is_valid(person_id_number.strip()):
            raise ValidationError("身份证号：校验未通过")
        digest, masked = id_number_digest(person_id_number), mask_id_number(person_id_number)
    return CreditRecord.objects.create(
        subject_kind=subject_kind, enterprise=enterprise, subject_name=subject_name.strip(),
        subject_code=(subject_code or "").strip().upper(), person_id_digest=digest, person_id_masked=masked,
        person_unit=person_unit.strip(), behaviour=behaviour.strip(), severity=severity, outcome=outcome.strip(),
        authority=authority.strip(), basis=basis.strip(), effective_on=effective_on, ends_on=ends_on,
        restricts=[str(r) for r in restricts], watchlist=watchlist, is_demo=is_demo)


@transaction.atomic
def credit_appeal_file(*, user, record: CreditRecord, on: dt.date | None = None) -> CreditRecord:
    """申诉: within the 惩戒期限 only; the answer is due 20 working days later (working-day
    calendar). The record stays in force meanwhile."""
    require(user, "supervision.credit.appeal", record)
    on = on or timezone.localdate()
    if record.appeal_state != AppealState.NONE:
        raise ValidationError(f"该记录已{record.get_appeal_state_display()}，不能重复申诉")
    if not record.in_force_on(on):
        raise ValidationError("申诉须在惩戒期限内提出")
    record.appeal_state = AppealState.PENDING
    record.appeal_filed_on = on
    record.appeal_due_on = _calendar().add_working_days(on, APPEAL_ANSWER_WORKING_DAYS)
    record.save()
    return record


@transaction.atomic
def credit_appeal_decide(*, user, record: CreditRecord, revoke: bool, answer: str,
                         watchlist: bool = False) -> CreditRecord:
    """答复申诉: 撤销 (the record stops counting) or 维持; ``watchlist`` puts the subject on the
    观察名单 when the facts remain unclear."""
    require(user, "supervision.credit.decide_appeal", record)
    if record.appeal_state != AppealState.PENDING:
        raise ValidationError("该记录没有待答复的申诉")
    record.appeal_answer = _required(answer, "答复意见")
    record.appeal_state = AppealState.REVOKED if revoke else AppealState.UPHELD
    record.watchlist = record.watchlist or watchlist
    record.save()
    return record
