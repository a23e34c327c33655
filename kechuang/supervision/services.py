"""Writes of the 项目与监管 module. Every service takes the acting ``user`` (a person or
``system_actor(...)``), calls ``require`` first and runs in one transaction; the change log
records every write (ScopedModel signals).

科研信用: ``credit_record_create``, ``credit_appeal_file``, ``credit_appeal_decide``.
双随机一公开: 两单两库一细则 (``inspection_item_create``, ``objects_sync``, ``inspector_create``,
``conflict_declare``, ``inspection_rule_create``), ``draw_announce`` → ``draw_run`` (published,
immutable), ``result_record`` → ``result_publicize``, ``result_rectified``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.permissions import require
from kechuang.supervision.credit import DEFAULT_GENERAL_RESTRICTS
from kechuang.supervision.draw import CannotStaff, DrawInputError, make_rosters
from kechuang.supervision.draw import draw as run_draw
from kechuang.supervision.models import (
    AppealState,
    CreditRecord,
    Decision,
    Draw,
    DrawPurpose,
    InspectionItem,
    InspectionObject,
    InspectionResult,
    InspectionRule,
    Inspector,
    InspectorConflict,
    ObjectKind,
    Outcome,
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
        from kechuang.core.validators import validate_id_number

        try:
            validate_id_number(person_id_number.strip().upper())
        except ValidationError:
            raise ValidationError("身份证号：校验未通过") from None
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


# =============================================================================================
# 双随机一公开
# =============================================================================================

#: 抽查结果公示期限: within 20 working days of the result (local practice, 待核实 for the city's own rule)
PUBLISH_WORKING_DAYS = 20
#: lowest ratio a 细则 may set (at least 5 % of objects: local practice, 待核实)
MIN_RATIO = Decimal("0.05")


@transaction.atomic
def inspection_item_create(*, user, code: str, name: str, object_kind: str, basis: str, content: str = "",
                           method: str = "", is_demo: bool = False) -> InspectionItem:
    """抽查事项清单: add an item; the legal basis is required."""
    require(user, "supervision.inspection.manage")
    for value, label in ((code, "事项编号"), (name, "抽查事项"), (basis, "抽查依据")):
        _required(value, label)
    if object_kind not in ObjectKind.values:
        raise ValidationError("检查对象类别：无法识别")
    if InspectionItem.objects.filter(code=code.strip()).exists():
        raise ValidationError(f"事项编号：{code} 已存在")
    return InspectionItem.objects.create(code=code.strip(), name=name.strip(), object_kind=object_kind,
                                         basis=basis.strip(), content=content.strip(), method=method.strip(),
                                         is_demo=is_demo)


@transaction.atomic
def inspection_rule_create(*, user, item: InspectionItem, name: str, ratio, per_object: int = 2,
                           frequency_per_year: int = 1, recusal: str = "", basis: str = "",
                           is_demo: bool = False) -> InspectionRule:
    """一细则: ratio ≥ 5 %, at least 2 inspectors per object, 1–12 draws a year."""
    require(user, "supervision.inspection.manage")
    _required(name, "细则名称")
    ratio = Decimal(str(ratio))
    if not (MIN_RATIO <= ratio <= 1):
        raise ValidationError(f"抽查比例：应在 {MIN_RATIO} 到 1 之间")
    if not (2 <= int(per_object) <= 10):
        raise ValidationError("每个对象检查人员数：至少 2 名，至多 10 名")
    if not (1 <= int(frequency_per_year) <= 12):
        raise ValidationError("每年抽查次数：应为 1~12")
    kw = {"recusal": recusal.strip()} if recusal.strip() else {}
    if basis.strip():
        kw["basis"] = basis.strip()
    return InspectionRule.objects.create(item=item, name=name.strip(), ratio=ratio, per_object=int(per_object),
                                         frequency_per_year=int(frequency_per_year), is_demo=is_demo, **kw)


@transaction.atomic
def inspector_create(*, user, name: str, unit: str, cert_no: str, account=None, is_demo: bool = False) -> Inspector:
    """执法检查人员名录库: a person with unit and 执法证号."""
    require(user, "supervision.inspection.manage")
    for value, label in ((name, "姓名"), (unit, "所在单位"), (cert_no, "执法证号")):
        _required(value, label)
    if Inspector.objects.filter(cert_no=cert_no.strip()).exists():
        raise ValidationError(f"执法证号：{cert_no} 已在名录库中")
    return Inspector.objects.create(name=name.strip(), unit=unit.strip(), cert_no=cert_no.strip(), account=account,
                                    is_demo=is_demo)


@transaction.atomic
def conflict_declare(*, user, inspector: Inspector, target: InspectionObject, reason: str) -> InspectorConflict:
    """利害关系声明 (回避): the inspector will not be drawn for that object."""
    require(user, "supervision.inspection.manage")
    _required(reason, "回避理由")
    obj, _ = InspectorConflict.objects.get_or_create(inspector=inspector, target=target,
                                                     defaults={"reason": reason.strip()})
    return obj


def _object_sources():
    """(kind, ref, name, unit) of every row the system can inspect, whatever exists now:
    科技计划项目 in implementation, active carriers, research institutes, enterprises that received
    政策兑现 money, 科技创新券 that were redeemed, 科技服务机构 on record."""
    from django.apps import apps

    rows = []
    Project = apps.get_model("supervision", "Project") if _has_model("supervision", "Project") else None
    if Project is not None:
        for p in Project.objects.filter(status__in=Project.INSPECTABLE).select_related("applicant"):
            rows.append((ObjectKind.PROJECT, f"project:{p.pk}", p.title, p.applicant.uscc))
    if _has_model("carriers", "Carrier"):
        Carrier = apps.get_model("carriers", "Carrier")
        for c in Carrier.objects.filter(status="active").select_related("operator"):
            rows.append((ObjectKind.CARRIER, f"carrier:{c.pk}", c.name, c.operator.uscc))
    if _has_model("techmarket", "Institute"):
        for i in apps.get_model("techmarket", "Institute").objects.all():
            rows.append((ObjectKind.INSTITUTE, f"institute:{i.pk}", i.name, i.name))
    if _has_model("policies", "Case"):
        Case = apps.get_model("policies", "Case")
        for eid, name, uscc in (Case.objects.filter(status="paid", enterprise__isnull=False).values_list(
                "enterprise_id", "enterprise__name", "enterprise__uscc").distinct()):
            rows.append((ObjectKind.ENTERPRISE, f"enterprise:{eid}", name, uscc))
    if _has_model("resources", "Voucher"):
        # 科技创新券 that were used (at least one 兑付): the enterprise's use of public money; and the
        # 科技服务机构 on record (备案), who are paid through the vouchers' 通兑 settlement
        Voucher = apps.get_model("resources", "Voucher")
        for v in (Voucher.objects.filter(redemptions__isnull=False).distinct()
                  .select_related("enterprise").order_by("pk")):
            label = v.number or f"申请{v.pk}"
            rows.append((ObjectKind.VOUCHER, f"voucher:{v.pk}", f"创新券{label}（{v.enterprise.name}）",
                         v.enterprise.uscc))
        for org in apps.get_model("resources", "ServiceOrg").objects.filter(registered=True).order_by("pk"):
            rows.append((ObjectKind.SERVICE_ORG, f"service_org:{org.pk}", org.name, org.uscc or org.name))
    return rows


def _has_model(app: str, model: str) -> bool:
    from django.apps import apps

    try:
        apps.get_model(app, model)
    except LookupError:
        return False
    return True


@transaction.atomic
def objects_sync(*, user, is_demo: bool = False) -> dict:
    """检查对象名录库 from the rows of the system: new rows added, changed names/units updated, rows
    whose source is gone leave the library (``active`` false). Returns counts."""
    require(user, "supervision.inspection.manage")
    current = {o.ref: o for o in InspectionObject.objects.all()}
    seen, added, updated = set(), 0, 0
    for kind, ref, name, unit in _object_sources():
        seen.add(ref)
        o = current.get(ref)
        if o is None:
            InspectionObject.objects.create(kind=kind, ref=ref, name=name[:200], unit=unit or "", is_demo=is_demo)
            added += 1
        elif (o.name, o.unit, o.active) != (name[:200], unit or "", True):
            o.name, o.unit, o.active = name[:200], unit or "", True
            o.save()
            updated += 1
    gone = 0
    for ref, o in current.items():
        if ref not in seen and o.active and not o.ref.startswith("manual:"):
            o.active = False
            o.save()
            gone += 1
    return {"added": added, "updated": updated, "removed": gone}


@transaction.atomic
def draw_announce(*, user, title: str, seed_source: str, announced_on: dt.date, draw_on: dt.date,
                  rule: InspectionRule | None = None, purpose: str = DrawPurpose.INSPECTION, ratio=None,
                  per_object: int | None = None, is_demo: bool = False) -> Draw:
    """公告: the draw date and *how* the seed will be formed (e.g. 抽取日期 + 当日上证指数收盘点位) are
    published in advance; the seed's value itself does not exist yet — it is entered on the draw day
    (:func:`draw_run`), so no one can choose it beforehand (RFC 3797)."""
    require(user, "supervision.inspection.manage")
    for value, label in ((title, "名称"), (seed_source, "种子的形成方式")):
        _required(value, label)
    if draw_on < announced_on:
        raise ValidationError("抽取日期：不能早于公告日期")
    if purpose == DrawPurpose.INSPECTION:
        if rule is None:
            raise ValidationError("抽查细则：必选")
        ratio, per_object = rule.ratio, rule.per_object
    ratio = Decimal(str(ratio))
    if not (0 < ratio <= 1):
        raise ValidationError("抽取比例：应大于 0 且不超过 1")
    return Draw.objects.create(purpose=purpose, title=title.strip(), rule=rule, seed="",
                               seed_source=seed_source.strip(), announced_on=announced_on, draw_on=draw_on,
                               ratio=ratio, per_object=int(per_object), is_demo=is_demo)


def check_seed(seed: str, draw_on: dt.date) -> str:
    """The seed entered on the draw day: it begins with the draw date (YYYYMMDD) followed by the public
    value of that day, e.g. ``20261204-上证收盘3421.55`` — a value prepared for another day is refused."""
    seed = (seed or "").strip()
    if not seed:
        raise ValidationError("随机种子：必填（抽取当日按公告的形成方式录入）")
    if len(seed) > 200 or any(ord(ch) < 32 for ch in seed):
        raise ValidationError("随机种子：不超过 200 个字符，不含控制字符")
    prefix = f"{draw_on:%Y%m%d}"
    if not seed.startswith(prefix) or len(seed) <= len(prefix):
        raise ValidationError(f"随机种子：应以抽取日期 {prefix} 开头，后接抽取当日公开的数值，"
                              f"如 {prefix}-上证收盘3421.55")
    return seed


def inspection_rosters(rule: InspectionRule) -> tuple[list, list, list]:
    """The roster rows a draw of ``rule`` takes now: objects of the item's kind in the library,
    active inspectors (id = 执法证号), declared conflicts."""
    objs = [[o.ref, o.name, o.unit] for o in InspectionObject.objects.filter(active=True, kind=rule.item.object_kind)]
    insp = [[i.cert_no, i.name, i.unit] for i in Inspector.objects.filter(active=True)]
    conf = [[c.inspector.cert_no, c.target.ref, c.reason]
            for c in InspectorConflict.objects.filter(inspector__active=True).select_related("inspector", "target")]
    return objs, insp, conf


@transaction.atomic
def draw_run(*, user, draw_row: Draw, seed: str, today: dt.date | None = None, objects=None, inspectors=None,
             conflicts=None) -> Draw:
    """Run an announced draw on its draw date with the seed entered that day (see
    :func:`check_seed`) and the rosters as they stand (or the rosters given, for expert draws), and
    publish it with the seed and the time it was entered; the row is immutable afterwards. A drawn
    object that cannot be staffed refuses the whole draw, naming it. A draw day that passed without
    a draw needs a new announcement."""
    require(user, "supervision.inspection.manage")
    today = today or timezone.localdate()
    draw_row = Draw.objects.select_for_update().get(pk=draw_row.pk)
    if draw_row.status != Draw.Status.ANNOUNCED:
        raise ValidationError("该抽取已经公布，不能重抽")
    if today < draw_row.draw_on:
        raise ValidationError(f"未到公告的抽取日期（{draw_row.draw_on}）")
    if today > draw_row.draw_on:
        raise ValidationError(f"公告的抽取日期（{draw_row.draw_on}）已过：种子须在抽取当日录入，请重新公告抽取日期")
    seed = check_seed(seed, draw_row.draw_on)
    if objects is None:
        objects, inspectors, conflicts = inspection_rosters(draw_row.rule)
    rosters = make_rosters(objects, inspectors, conflicts or [])
    try:
        result = run_draw(rosters, seed=seed, ratio=str(draw_row.ratio.normalize()),
                          per_object=draw_row.per_object)
    except CannotStaff as exc:
        raise ValidationError(str(exc)) from None
    except DrawInputError as exc:
        raise ValidationError(str(exc)) from None
    draw_row.seed, draw_row.seed_entered_at = seed, timezone.now()
    draw_row.objects_roster = [[r.id, r.name, r.unit] for r in rosters.objects]
    draw_row.inspectors_roster = [[r.id, r.name, r.unit] for r in rosters.inspectors]
    draw_row.conflicts_roster = [[c.inspector_id, c.object_id, c.reason] for c in rosters.conflicts]
    draw_row.input_digest = result.input_digest
    draw_row.result = result.to_json()
    draw_row.status = Draw.Status.PUBLISHED
    draw_row.published_on = today
    draw_row.save()
    return draw_row


def draw_rosters(draw_row: Draw):
    """The rosters a published draw was run on (for verify and the public CSV downloads)."""
    return make_rosters(draw_row.objects_roster, draw_row.inspectors_roster, draw_row.conflicts_roster)


@transaction.atomic
def result_record(*, user, draw_row: Draw, object_ref: str, inspected_on: dt.date, outcome: str, finding: str,
                  basis: str, rectify_due: dt.date | None = None, today: dt.date | None = None,
                  is_demo: bool = False) -> InspectionResult:
    """Record the result of one drawn object: 合格 / 不合格 / 责令整改 (with a 整改期限), the basis;
    the 公示 is due 20 working days after entry."""
    require(user, "supervision.inspection.record")
    today = today or timezone.localdate()
    if draw_row.status != Draw.Status.PUBLISHED or draw_row.purpose != DrawPurpose.INSPECTION:
        raise ValidationError("只能为已公布的双随机抽查录入结果")
    drawn = {d["object"] for d in draw_row.result.get("drawn", [])}
    if object_ref not in drawn:
        raise ValidationError(f"检查对象：{object_ref} 不在本次抽中的对象中")
    if outcome not in Outcome.values:
        raise ValidationError("检查结果：应为合格、不合格或责令整改")
    _required(finding, "检查情况")
    _required(basis, "处理依据")
    if outcome == Outcome.RECTIFY and rectify_due is None:
        raise ValidationError("整改期限：责令整改时必填")
    if inspected_on < draw_row.draw_on or inspected_on > today:
        raise ValidationError("检查日期：应在抽取日期之后、不晚于今天")
    if InspectionResult.objects.filter(draw=draw_row, object_ref=object_ref).exists():
        raise ValidationError(f"检查对象：{object_ref} 的结果已录入")
    name = next((r[1] for r in draw_row.objects_roster if r[0] == object_ref), object_ref)
    return InspectionResult.objects.create(
        draw=draw_row, object_ref=object_ref, object_name=name, inspected_on=inspected_on, outcome=outcome,
        finding=finding.strip(), basis=basis.strip(), entered_on=today,
        publish_due=_calendar().add_working_days(today, PUBLISH_WORKING_DAYS),
        rectify_due=rectify_due if outcome == Outcome.RECTIFY else None, is_demo=is_demo)


@transaction.atomic
def result_publicize(*, user, result: InspectionResult, today: dt.date | None = None) -> InspectionResult:
    """公示 a result on /public/inspections/ (due within 20 working days of entry; a late 公示 is
    still made, and the dashboard shows it as overdue)."""
    require(user, "supervision.inspection.record")
    if result.publicized_on:
        raise ValidationError("该结果已公示")
    result.publicized_on = today or timezone.localdate()
    result.save()
    return result


@transaction.atomic
def result_rectified(*, user, result: InspectionResult, on: dt.date, note: str) -> InspectionResult:
    """整改复查: the rectification was checked on ``on``."""
    require(user, "supervision.inspection.record")
    if result.outcome != Outcome.RECTIFY:
        raise ValidationError("只有“责令整改”的结果需要整改复查")
    result.rectified_on = on
    result.rectify_note = _required(note, "整改复查情况")
    result.save()
    return result
