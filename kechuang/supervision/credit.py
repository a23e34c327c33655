"""The one credit check (科研信用 一票否决) that every decision of the product asks.

Seed 004 (明政办〔2021〕62号 第三章 二): "建立科研信用信息数据库 … 对纳入系统的严重失信行为责任主体
实行'一票否决'". Before this module the redemption workflow had its own ``credit_veto``; now
立项, 专家入库, 兑现/拨付, 创新券, 资格推荐, 揭榜申报 and 特派员认定 all call :func:`check_credit`.

Stable signature (other apps call it; keep it)::

    check_credit(*, decision, on, enterprise=None, uscc=None, person_id_number=None,
                 person_name=None, institute=None, intermediary=None) -> CreditVerdict

- ``decision``: a :class:`~kechuang.supervision.models.Decision` value ("project_approval",
  "expert_admission", "payment", "voucher", "qualification", "challenge_application",
  "commissioner_recognition"); an unknown value raises ``ValueError``.
- ``on``: the date the decision is taken; a record counts when 生效时间 ≤ on ≤ 惩戒期限 (both
  days included; the day after the 惩戒期限 it no longer counts) and no appeal revoked it.
- the subject, any of: ``enterprise`` (an ``enterprises.Enterprise``), ``uscc`` (统一社会信用代码
  of an enterprise, institute or intermediary), ``person_id_number`` (居民身份证号; compared
  through a keyed digest, never stored), ``person_name`` (used only when no ID number is given,
  and then matches only records kept without an ID number), ``institute`` / ``intermediary``
  (a code or name string, or an object with ``uscc`` / ``code`` / ``name``). Several may be
  given (a project checks its applicant unit and its PI in one call); a record of any of them
  counts.

Sources consulted, in one place:
1. the 科研信用 database (:class:`~kechuang.supervision.models.CreditRecord`): a 严重 record
   refuses every decision (一票否决); a 一般 record refuses the decisions it ``restricts``;
   ``watchlist`` (观察名单) adds a warning but refuses nothing;
2. the enterprise registry's credit records (``enterprises.CreditRecord``, from 信用中国,
   市场监管 …): effect 一票否决 refuses every decision, 限制申报 refuses the application-type
   decisions (``RESTRICT_DECISIONS``), 警示 adds a warning.

The verdict names the record, the rule and the end date; ``message`` is the Chinese sentence a
refusal shows. The check reads; it writes nothing and needs no actor (the calling service has
already passed ``require``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from kechuang.supervision.models import CreditRecord, Decision, Severity, id_number_digest

#: The rule a 严重 record or a registry 一票否决 applies.
SERIOUS_RULE = ("明政办〔2021〕62号《三明市“十四五”科技创新发展专项规划》第三章 二：对纳入系统的"
                "严重失信行为责任主体实行“一票否决”")
#: The rule a 一般 record applies to the decisions it restricts.
GENERAL_RULE = "科研失信行为处理决定所列限制措施（在惩戒期限内限制相关申报、承担或资格）"
#: The rule of the registry's 限制申报 effect.
REGISTRY_RESTRICT_RULE = "企业信用记录“限制申报”：惩戒期限内不得申报项目、资格或资金"
#: Decisions a registry 限制申报 record refuses (payments of already granted money are not refused).
RESTRICT_DECISIONS = frozenset({Decision.PROJECT_APPROVAL, Decision.VOUCHER, Decision.QUALIFICATION,
                                Decision.CHALLENGE_APPLICATION, Decision.COMMISSIONER_RECOGNITION})
#: The decisions a new 一般 record restricts unless the 处理决定 says otherwise (限制申报/承担).
DEFAULT_GENERAL_RESTRICTS = (Decision.PROJECT_APPROVAL, Decision.CHALLENGE_APPLICATION)


@dataclass(frozen=True)
class CreditVerdict:
    """The answer of :func:`check_credit`.

    ``allowed``: whether the decision may go ahead. ``record``: the refusing record (a
    supervision or registry CreditRecord), or None. ``rule``: the rule applied. ``until``: the
    end of the refusing record's 惩戒期限 (None = permanent or no refusal). ``message``: the Chinese
    sentence to show (empty when allowed without warnings). ``warnings``: 观察名单 and 警示 notes.
    ``records``: every record in force that concerns the subject (for the decision-maker's page).
    """

    allowed: bool
    decision: str
    on: dt.date
    record: object | None = None
    rule: str = ""
    until: dt.date | None = None
    message: str = ""
    warnings: tuple[str, ...] = ()
    records: tuple = field(default=(), compare=False)

    def __bool__(self) -> bool:  # `if check_credit(...):` reads as "allowed"
        return self.allowed

    @property
    def decision_label(self) -> str:
        return Decision(self.decision).label


def _code_and_name(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, str):
        return obj.strip(), obj.strip()
    code = getattr(obj, "uscc", "") or getattr(obj, "code", "") or ""
    return str(code).strip(), str(getattr(obj, "name", "") or "").strip()


def _subject_q(*, enterprise, uscc, person_id_number, person_name, institute, intermediary) -> Q | None:
    q = Q(pk__in=[])
    any_subject = False
    if enterprise is not None:
        any_subject = True
        q |= Q(enterprise_id=enterprise.pk)
        if getattr(enterprise, "uscc", ""):
            q |= Q(subject_code=enterprise.uscc)
    if uscc:
        any_subject = True
        q |= Q(subject_code=uscc.strip().upper())
    for kind, obj in (("institute", institute), ("intermediary", intermediary)):
        code, name = _code_and_name(obj)
        if code or name:
            any_subject = True
            q |= Q(subject_kind=kind) & ((Q(subject_code=code) if code else Q(pk__in=[]))
                                         | (Q(subject_name=name) if name else Q(pk__in=[])))
    if person_id_number:
        any_subject = True
        q |= Q(subject_kind="person", person_id_digest=id_number_digest(person_id_number))
    elif person_name:
        any_subject = True
        q |= Q(subject_kind="person", person_id_digest="", subject_name=person_name.strip())
    return q if any_subject else None


def _registry_records(enterprise, uscc, on: dt.date) -> list:
    from kechuang.enterprises.models import CreditRecord as RegistryRecord

    cond = Q(pk__in=[])
    if enterprise is not None:
        cond |= Q(enterprise_id=enterprise.pk)
    if uscc:
        cond |= Q(enterprise__uscc=uscc.strip().upper())
    qs = (RegistryRecord.objects.filter(cond, occurred_on__lte=on).exclude(expires_on__lt=on)
          .exclude(effect="none").select_related("enterprise").order_by("-occurred_on", "-id"))
    return list(qs)


def _until(d: dt.date | None) -> str:
    return f"惩戒期限至 {d.isoformat()}" if d else "惩戒期限：永久"


def check_credit(*, decision: str, on: dt.date, enterprise=None, uscc: str | None = None,
                 person_id_number: str | None = None, person_name: str | None = None,
                 institute=None, intermediary=None) -> CreditVerdict:
    """Whether ``decision`` may be taken on ``on`` for the subject(s) given; see the module text
    for the parameters, the sources and the rules. Raises ``ValueError`` for an unknown decision
    or when no subject is given."""
    try:
        decision = Decision(decision)
    except ValueError:
        raise ValueError(f"未知的信用核查事项 {decision!r}") from None
    if isinstance(on, dt.datetime):
        on = on.date()
    q = _subject_q(enterprise=enterprise, uscc=uscc, person_id_number=person_id_number, person_name=person_name,
                   institute=institute, intermediary=intermediary)
    if q is None:
        raise ValueError("信用核查须指明主体（企业、统一社会信用代码、身份证号、姓名或机构）")
    research = list(CreditRecord.objects.filter(q).filter(CreditRecord.in_force_q(on))
                    .order_by("-severity", "-effective_on", "-id"))  # "serious" > "general"
    registry = _registry_records(enterprise, uscc, on) if (enterprise is not None or uscc) else []
    return _judge(decision, on, research, registry)


def _judge(decision: Decision, on: dt.date, research: Iterable[CreditRecord], registry: Iterable) -> CreditVerdict:
    research, registry = list(research), list(registry)
    warnings: list[str] = []
    refusal = None
    for rec in research:
        if rec.watchlist:
            warnings.append(f"{rec.display_subject} 列入科研信用观察名单（{rec.behaviour}）")
        if refusal is None and rec.restricts_decision(decision):
            rule = SERIOUS_RULE if rec.severity == Severity.SERIOUS else GENERAL_RULE
            what = "严重失信记录，一票否决" if rec.severity == Severity.SERIOUS else "一般失信记录，限制该事项"
            refusal = (rec, rule, rec.ends_on,
                       f"信用核查未通过：{rec.display_subject} 有{what}——{rec.behaviour}（处理单位：{rec.authority}，"
                       f"依据：{rec.basis}，{rec.effective_on.isoformat()} 起，{_until(rec.ends_on)}），"
                       f"不能办理“{decision.label}”。")
    for rec in registry:
        label = rec.get_kind_display()
        source = rec.source or "未注明"
        if rec.effect == "warning":
            warnings.append(f"{rec.enterprise.name} 有信用警示记录：{label}（来源：{source}）")
            continue
        if refusal is not None:
            continue
        if rec.effect == "veto":
            refusal = (rec, SERIOUS_RULE, rec.expires_on,
                       f"信用核查未通过：存在一票否决记录 {label}（{rec.occurred_on}，来源：{source}，"
                       f"{_until(rec.expires_on)}），不能办理“{decision.label}”。")
        elif rec.effect == "restrict" and decision in RESTRICT_DECISIONS:
            refusal = (rec, REGISTRY_RESTRICT_RULE, rec.expires_on,
                       f"信用核查未通过：存在限制申报记录 {label}（{rec.occurred_on}，来源：{source}，"
                       f"{_until(rec.expires_on)}），不能办理“{decision.label}”。")
    records = tuple(research) + tuple(registry)
    if refusal is None:
        msg = "；".join(warnings)
        return CreditVerdict(True, decision.value, on, message=msg, warnings=tuple(warnings), records=records)
    rec, rule, until, msg = refusal
    return CreditVerdict(False, decision.value, on, record=rec, rule=rule, until=until, message=msg,
                         warnings=tuple(warnings), records=records)


def serious_enterprise_ids(on: dt.date, enterprise_ids: Iterable[int] | None = None) -> set[int]:
    """Enterprises with a 严重 科研失信 record in force on ``on`` (the registry facts' flag
    ``serious_dishonesty`` follows from it as well as from the registry's own records)."""
    qs = CreditRecord.objects.filter(CreditRecord.in_force_q(on), severity=Severity.SERIOUS,
                                     enterprise__isnull=False)
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=list(enterprise_ids))
    return set(qs.values_list("enterprise_id", flat=True))


def refusals_for_enterprises(*, decision: str, on: dt.date, enterprise_ids: Iterable[int]) -> dict[int, CreditVerdict]:
    """:func:`check_credit` for many enterprises at once (the 免申即享 screening of a population):
    enterprise id → the refusing verdict, for the refused ones only. Two queries in all."""
    from kechuang.enterprises.models import CreditRecord as RegistryRecord

    decision = Decision(decision)
    ids = list(enterprise_ids)
    research: dict[int, list] = {}
    for rec in (CreditRecord.objects.filter(CreditRecord.in_force_q(on), enterprise_id__in=ids)
                .order_by("-severity", "-effective_on", "-id")):
        research.setdefault(rec.enterprise_id, []).append(rec)
    registry: dict[int, list] = {}
    for rec in (RegistryRecord.objects.filter(enterprise_id__in=ids, occurred_on__lte=on).exclude(expires_on__lt=on)
                .exclude(effect__in=["none", "warning"]).select_related("enterprise").order_by("-occurred_on", "-id")):
        registry.setdefault(rec.enterprise_id, []).append(rec)
    out = {}
    for eid in set(research) | set(registry):
        v = _judge(decision, on, research.get(eid, ()), registry.get(eid, ()))
        if not v.allowed:
            out[eid] = v
    return out
