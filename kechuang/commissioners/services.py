"""Writes of the 科技特派员 module. Every service takes the acting ``actor`` (a user or
``system_actor(...)``) and calls ``require`` first; every write is change-logged by the model
signals. Errors people can fix are ``CommissionerError(field, message)``.
"""
from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from kechuang.core.models import Region, Role
from kechuang.core.permissions import PermissionRefused, is_system, require

from .models import (
    FIELDS,
    Agreement,
    Application,
    Assessment,
    AssessmentRule,
    Assignment,
    Commissioner,
    Kind,
    Level,
    LogAttachment,
    Need,
    Question,
    Recipient,
    Recognition,
    SelectionRound,
    ServiceItem,
    ServiceLog,
    ServiceOrder,
    TeamMember,
    Village,
)


class CommissionerError(ValueError):
    """A fixable input problem; ``str()`` is ``字段: 原因`` in Chinese."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def _text(value, field: str, *, required: bool = False, max_chars: int = 200) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise CommissionerError(field, "不能为空")
    if len(value) > max_chars:
        raise CommissionerError(field, f"超过 {max_chars} 字（{len(value)} 字）")
    return value


def _fields(values) -> list[str]:
    if isinstance(values, str):
        values = [v for v in values.replace("，", "；").replace(",", "；").replace("、", "；").split("；")]
    out = []
    for v in values or []:
        v = (v or "").strip()
        if not v:
            continue
        if v not in FIELDS:
            raise CommissionerError("服务领域", f"「{v}」不在 {'、'.join(FIELDS)} 之中")
        if v not in out:
            out.append(v)
    return out


def _commissioner_of(actor) -> Commissioner:
    """The commissioner row bound to a commissioner account."""
    c = Commissioner.objects.filter(account_id=getattr(actor, "pk", None)).first()
    if c is None:
        raise PermissionRefused("commissioners.log.record", "您的账户尚未绑定科技特派员，请联系科技局。")
    return c


# --------------------------------------------------------------------------- the one credit check
def credit_check(commissioner: Commissioner, on: dt.date, *, decision: str = "commissioner_recognition") -> str | None:
    """The one call into the 科研信用 check (``kechuang.supervision.credit.check_credit``) for a
    commissioner: ``None`` when clear, otherwise the Chinese sentence that blocks recognition
    (``decision="commissioner_recognition"``) or a 后补助 payment (``decision="payment"``).

    Subjects: a legal-person commissioner by its organisation (as an institute name); a person by
    name; a team by its leader's and members' names. The module stores no ID numbers, so a name
    matches only credit records kept without an ID number (the check's own rule)."""
    from kechuang.supervision.credit import check_credit

    if commissioner.kind == Kind.LEGAL:
        subjects = [{"institute": commissioner.organisation or commissioner.name}]
    elif commissioner.kind == Kind.TEAM and commissioner.pk:
        subjects = [{"person_name": m.name} for m in commissioner.members.all()] or [{"person_name": commissioner.name}]
    else:
        subjects = [{"person_name": commissioner.name}]
    for subject in subjects:
        verdict = check_credit(decision=decision, on=on, **subject)
        if not verdict.allowed:
            return verdict.message or "科研信用核查未通过"
    return None


# --------------------------------------------------------------------------- message centre
def _tell(users, title: str, url_name: str, pk: int, *, kind: str = "todo", key: str = "", body: str = "") -> None:
    """Put a message in the recipients' message centre (kechuang.inbox); never blocks the workflow."""
    from django.urls import reverse

    from kechuang.inbox.services import notify

    name = url_name if ":" in url_name else f"commissioners:{url_name}"
    notify(users, title, body, reverse(name, args=[pk]), kind, dedupe_key=key)


def _confirmers(recipient: Recipient):
    """The accounts that confirm services for ``recipient`` (see ``Recipient.is_confirmer``)."""
    from kechuang.core.models import User

    if recipient.kind == Recipient.Kind.ENTERPRISE:
        return list(User.objects.filter(role=Role.ENTERPRISE_USER, enterprise_id=recipient.enterprise_id, is_active=True))
    return list(User.objects.filter(role=Role.TOWNSHIP_CLERK, township_id=recipient.township_id, is_active=True))


def _bureau():
    from kechuang.core.models import User

    return list(User.objects.filter(role=Role.BUREAU_STAFF, is_active=True))


# --------------------------------------------------------------------------- registry
def _region(value, field="服务乡镇") -> Region:
    if isinstance(value, Region):
        return value
    text = str(value or "").strip()
    region = Region.objects.filter(pk=int(text)).first() if text.isdigit() else Region.resolve(text)
    if region is None or not region.is_township_level:
        raise CommissionerError(field, f"「{value}」不是本市的乡镇（街道）")
    return region


def village_get_or_create(*, township: Region, name: str, demo: bool = False) -> Village:
    name = _text(name, "村", required=True, max_chars=60)
    village, _ = Village.objects.get_or_create(township=township, name=name, defaults={"demo": demo})
    return village


@transaction.atomic
def commissioner_register(*, actor, name: str, kind: str = Kind.INDIVIDUAL, level: str = Level.COUNTY,
                          dispatch_unit: str, year: int, valid_until: dt.date | None = None, source: str = "本地",
                          expertise: str = "", fields=(), industries: str = "", phone: str = "",
                          organisation: str = "", title: str = "", townships=(), villages=(), members=(),
                          account=None, basis: str = "", demo: bool = False) -> Commissioner:
    """登记 (or renew) a recognised commissioner and record this year's recognition.

    ``members`` for a team: [{"name", "unit", "speciality", "is_leader"}], exactly one leader.
    ``villages``: [(township, village name)]. A commissioner with the same name and 派出单位 is
    renewed (history kept in ``Recognition``)."""
    require(actor, "commissioners.commissioner.manage")
    name = _text(name, "姓名/名称", required=True, max_chars=120)
    if kind not in Kind.values:
        raise CommissionerError("类别", f"应为 {'、'.join(str(x) for x in Kind.labels)} 之一")
    if level not in Level.values:
        raise CommissionerError("认定级别", f"应为 {'、'.join(str(x) for x in Level.labels)} 之一")
    dispatch_unit = _text(dispatch_unit, "派出单位", required=True, max_chars=120)
    if not (2000 <= int(year) <= 2100):
        raise CommissionerError("认定年度", "应在 2000–2100 之间")
    valid_until = valid_until or dt.date(int(year), 12, 31)
    if kind == Kind.TEAM:
        leaders = [m for m in members if m.get("is_leader")]
        if not members or len(leaders) != 1:
            raise CommissionerError("团队成员", "团队科技特派员应登记成员，并且只有一名团队负责人")
    if kind == Kind.LEGAL and not (organisation or "").strip():
        organisation = name
    values = dict(kind=kind, level=level, source=_text(source, "选派来源", max_chars=40) or "本地",
                  expertise=_text(expertise, "专业特长", max_chars=2000), fields=_fields(fields),
                  industries=_text(industries, "服务产业"), phone=_text(phone, "联系电话", max_chars=20),
                  organisation=_text(organisation, "法人单位", max_chars=120), title=_text(title, "职称", max_chars=60),
                  recognised_year=int(year), valid_until=valid_until, status=Commissioner.Status.RECOGNISED,
                  demo=demo)
    if account is not None:
        if account.role != Role.COMMISSIONER:
            raise CommissionerError("登录账户", "只能绑定“科技特派员”角色的账户")
        values["account"] = account
    c = Commissioner.objects.filter(name=name, dispatch_unit=dispatch_unit).first()
    if c is None:
        c = Commissioner.objects.create(name=name, dispatch_unit=dispatch_unit, **values)
    else:
        for k, v in values.items():
            setattr(c, k, v)
        c.full_clean(exclude=["account"])
        c.save()
    if townships:
        c.townships.set([_region(t) for t in townships])
    if villages:
        c.villages.set([village_get_or_create(township=_region(t), name=v, demo=demo) for t, v in villages])
        c.townships.add(*{v.township for v in c.villages.all()})
    if kind == Kind.TEAM:
        c.members.all().delete()
        for m in members:
            TeamMember.objects.create(commissioner=c, name=_text(m.get("name"), "成员姓名", required=True, max_chars=60),
                                      unit=_text(m.get("unit"), "成员单位", max_chars=120),
                                      speciality=_text(m.get("speciality"), "成员专业", max_chars=120),
                                      is_leader=bool(m.get("is_leader")))
    Recognition.objects.update_or_create(commissioner=c, year=int(year), level=level,
                                         defaults={"valid_until": valid_until, "basis": basis[:200]})
    return c


@transaction.atomic
def commissioner_bind_account(*, actor, commissioner: Commissioner, username: str) -> Commissioner:
    """Bind a 科技特派员-role account (created by the system administrator) to a commissioner row."""
    from kechuang.core.models import User

    require(actor, "commissioners.commissioner.manage", commissioner)
    user = User.objects.filter(username__iexact=(username or "").strip()).first()
    if user is None:
        raise CommissionerError("登录账户", f"没有账户「{username}」")
    if user.role != Role.COMMISSIONER:
        raise CommissionerError("登录账户", "只能绑定“科技特派员”角色的账户（请系统管理员先创建）")
    other = Commissioner.objects.filter(account=user).exclude(pk=commissioner.pk).first()
    if other is not None:
        raise CommissionerError("登录账户", f"该账户已绑定 {other.name}")
    commissioner.account = user
    commissioner.save()
    return commissioner


@transaction.atomic
def commissioner_revoke(*, actor, commissioner: Commissioner, reason: str) -> Commissioner:
    """撤销认定 (e.g. after an assessment of 不合格 or a credit record); kept in the registry."""
    require(actor, "commissioners.commissioner.manage", commissioner)
    _text(reason, "撤销理由", required=True, max_chars=200)
    commissioner.status = Commissioner.Status.REVOKED
    commissioner.save()
    commissioner.recognitions.filter(year=commissioner.recognised_year).update(
        basis=f"已撤销：{reason.strip()[:180]}")
    return commissioner


# --------------------------------------------------------------------------- selection rounds
ROUND_FLOW = [s.value for s in SelectionRound.Stage]


@transaction.atomic
def round_open(*, actor, year: int, title: str, level: str = Level.COUNTY, notice: str = "",
               demo: bool = False) -> SelectionRound:
    """发布选认通知 for a year."""
    require(actor, "commissioners.round.manage")
    if level not in Level.values:
        raise CommissionerError("认定级别", "应为 县级、市级、省级 之一")
    return SelectionRound.objects.create(year=int(year), title=_text(title, "名称", required=True, max_chars=120),
                                         level=level, notice=_text(notice, "通知内容", max_chars=5000), demo=demo)


@transaction.atomic
def round_advance(*, actor, rnd: SelectionRound, today: dt.date | None = None) -> SelectionRound:
    """Move the round to its next stage; entering 认定公示 fixes the publicity start; leaving it
    (→ 已认定) recognises every approved application."""
    require(actor, "commissioners.round.manage", rnd)
    i = ROUND_FLOW.index(rnd.stage)
    if i + 1 >= len(ROUND_FLOW):
        raise CommissionerError("环节", "本轮选认已结束")
    nxt = ROUND_FLOW[i + 1]
    today = today or timezone.localdate()
    if nxt == SelectionRound.Stage.REVIEW and rnd.applications.filter(status=Application.Status.SUBMITTED).exists():
        raise CommissionerError("派出单位推荐", "还有申报未录入派出单位推荐意见")
    if nxt == SelectionRound.Stage.PUBLICITY:
        if rnd.applications.filter(status=Application.Status.RECOMMENDED).exists():
            raise CommissionerError("评审", "还有推荐的申报未评审")
        rnd.publicity_from = today
    if nxt == SelectionRound.Stage.DONE:
        end = (rnd.publicity_from or today) + dt.timedelta(days=rnd.publicity_days)
        if today < end:
            raise CommissionerError("认定公示", f"公示期至 {end.isoformat()}，公示期满后才能认定")
        for app in rnd.applications.filter(status=Application.Status.APPROVED):
            _recognise(actor, rnd, app)
    rnd.stage = nxt
    rnd.save()
    return rnd


def _recognise(actor, rnd: SelectionRound, app: Application) -> None:
    c = commissioner_register(actor=actor, name=app.name, kind=app.kind, level=rnd.level,
                              dispatch_unit=app.dispatch_unit, year=rnd.year, source=app.source,
                              expertise=app.expertise, fields=app.fields, phone=app.phone,
                              townships=list(app.townships.all()), basis=rnd.title,
                              members=[{"name": app.name, "is_leader": True}] if app.kind == Kind.TEAM else (),
                              demo=rnd.demo)
    if app.applicant_id and app.applicant.role == Role.COMMISSIONER and c.account_id is None:
        c.account = app.applicant
        c.save(update_fields=["account"])
    app.status = Application.Status.RECOGNISED
    app.commissioner = c
    app.save()


@transaction.atomic
def application_submit(*, actor, rnd: SelectionRound, name: str, dispatch_unit: str, kind: str = Kind.INDIVIDUAL,
                       source: str = "本地", expertise: str = "", fields=(), phone: str = "",
                       townships=()) -> Application:
    """申报 in a round that is in its 申报 stage."""
    require(actor, "commissioners.application.submit")
    if rnd.stage != SelectionRound.Stage.APPLY:
        raise CommissionerError("环节", f"本轮当前为「{rnd.get_stage_display()}」，不在申报期")
    if kind not in Kind.values:
        raise CommissionerError("类别", "应为 个人、团队、法人 之一")
    app = Application.objects.create(
        round=rnd, name=_text(name, "申报人", required=True, max_chars=120), kind=kind,
        source=_text(source, "选派来源", max_chars=40) or "本地",
        dispatch_unit=_text(dispatch_unit, "派出单位", required=True, max_chars=120),
        expertise=_text(expertise, "专业特长", max_chars=2000), fields=_fields(fields),
        phone=_text(phone, "联系电话", max_chars=20), applicant=None if is_system(actor) else actor)
    if townships:
        app.townships.set([_region(t) for t in townships])
    return app


@transaction.atomic
def application_recommend(*, actor, app: Application, recommended: bool, opinion: str = "") -> Application:
    """Record the 派出单位's recommendation (or refusal)."""
    require(actor, "commissioners.application.recommend", app)
    if app.round.stage != SelectionRound.Stage.RECOMMEND:
        raise CommissionerError("环节", "本轮不在派出单位推荐环节")
    if app.status not in (Application.Status.SUBMITTED, Application.Status.RECOMMENDED,
                          Application.Status.NOT_RECOMMENDED):
        raise CommissionerError("状态", "该申报已评审")
    app.recommendation = _text(opinion, "推荐意见", required=not recommended, max_chars=2000)
    app.status = Application.Status.RECOMMENDED if recommended else Application.Status.NOT_RECOMMENDED
    app.save()
    return app


@transaction.atomic
def application_review(*, actor, app: Application, approved: bool, score=None, note: str = "",
                       today: dt.date | None = None) -> Application:
    """评审: approve or reject a recommended application; a 科研严重失信 subject is refused."""
    require(actor, "commissioners.application.review", app)
    if app.round.stage != SelectionRound.Stage.REVIEW:
        raise CommissionerError("环节", "本轮不在评审环节")
    if app.status not in (Application.Status.RECOMMENDED, Application.Status.APPROVED, Application.Status.REJECTED):
        raise CommissionerError("状态", "只有派出单位推荐的申报才能评审")
    if score not in (None, ""):
        try:
            score = Decimal(str(score))
        except InvalidOperation:
            raise CommissionerError("评审得分", "应为 0–100 的数字") from None
        if not (0 <= score <= 100):
            raise CommissionerError("评审得分", "应在 0–100 之间")
        app.review_score = score
    if approved:
        blocked = credit_check(Commissioner(name=app.name, kind=app.kind, organisation=app.name),
                               today or timezone.localdate())
        if blocked:
            raise CommissionerError("信用核查", f"不予认定：{blocked}")
    app.review_note = _text(note, "评审意见", required=not approved, max_chars=2000)
    app.status = Application.Status.APPROVED if approved else Application.Status.REJECTED
    app.save()
    return app


# --------------------------------------------------------------------------- recipients, 订单式
def recipient_for(*, actor, kind: str, name: str = "", township=None, village: str = "", enterprise=None,
                  contact: str = "", demo: bool = False) -> Recipient:
    """The 服务对象 row (created on first use). A township clerk acts for their own township only;
    an enterprise user for their own enterprise only."""
    role = getattr(actor, "role", "")
    if kind not in Recipient.Kind.values:
        raise CommissionerError("服务对象类别", "应为 乡镇、村、合作社、企业 之一")
    if kind == Recipient.Kind.ENTERPRISE:
        if role == Role.ENTERPRISE_USER:
            enterprise = actor.enterprise
        if enterprise is None:
            raise CommissionerError("服务对象", "请选择企业")
        township = enterprise.township
        name = enterprise.name
        if township is None:
            raise CommissionerError("服务对象", "该企业未登记所属乡镇")
    else:
        if role == Role.ENTERPRISE_USER:
            raise PermissionRefused("commissioners.need.post", "企业用户只能以本企业名义发布需求。")
        township = actor.township if role == Role.TOWNSHIP_CLERK else _region(township, "所在乡镇")
    v = None
    if kind == Recipient.Kind.VILLAGE:
        v = village_get_or_create(township=township, name=village or name, demo=demo)
        name = v.name
    elif village:
        v = village_get_or_create(township=township, name=village, demo=demo)
    if kind == Recipient.Kind.TOWNSHIP:
        name = township.name
    name = _text(name, "服务对象名称", required=True, max_chars=120)
    r, _ = Recipient.objects.get_or_create(township=township, kind=kind, name=name, defaults={
        "village": v, "enterprise": enterprise, "contact": _text(contact, "联系人", max_chars=40), "demo": demo})
    return r


@transaction.atomic
def need_post(*, actor, recipient: Recipient, title: str, description: str, field: str = "",
              posted_on: dt.date | None = None, demo: bool = False) -> Need:
    """A township, village, cooperative or enterprise posts an 订单式 need."""
    require(actor, "commissioners.need.post")
    if not is_system(actor) and actor.role != Role.BUREAU_STAFF and not recipient.is_confirmer(actor):
        raise PermissionRefused("commissioners.need.post", "只能为本乡镇（村）或本企业发布需求。")
    if field and field not in FIELDS:
        raise CommissionerError("所属领域", f"应为 {'、'.join(FIELDS)} 之一")
    return Need.objects.create(recipient=recipient, title=_text(title, "需求名称", required=True),
                               description=_text(description, "需求描述", required=True, max_chars=5000),
                               field=field, posted_by=None if is_system(actor) else actor,
                               posted_on=posted_on or timezone.localdate(), demo=demo)


@transaction.atomic
def need_assign(*, actor, need: Need, commissioner: Commissioner, score=0) -> Assignment:
    """The bureau or the township assigns a proposed commissioner to the need."""
    require(actor, "commissioners.need.assign", need)
    if need.status in (Need.Status.ACCEPTED, Need.Status.CLOSED):
        raise CommissionerError("状态", f"需求当前为「{need.get_status_display()}」，不能再指派")
    if not commissioner.is_active_on(timezone.localdate()):
        raise CommissionerError("科技特派员", f"{commissioner.name} 不在认定有效期内")
    if need.assignments.filter(commissioner=commissioner, status=Assignment.Status.PENDING).exists():
        raise CommissionerError("科技特派员", f"已指派给 {commissioner.name}，等待回复")
    score = max(Decimal("0"), min(Decimal("1"), Decimal(str(score)).quantize(Decimal("0.0001"))))
    a = Assignment.objects.create(need=need, commissioner=commissioner, score=score,
                                  assigned_by=None if is_system(actor) else actor)
    need.status = Need.Status.ASSIGNED
    need.save()
    _tell(commissioner.account, f"新的需求指派：{need.title}", "need_detail", need.pk, key=f"comm-assign-{a.pk}",
          body=f"{need.recipient.name}的需求，请接受或写明理由谢绝。")
    return a


@transaction.atomic
def assignment_respond(*, actor, assignment: Assignment, accept: bool, reason: str = "") -> Assignment:
    """The commissioner accepts, or declines with a reason (the need returns to 待对接)."""
    require(actor, "commissioners.assignment.respond", assignment)
    if assignment.status != Assignment.Status.PENDING:
        raise CommissionerError("状态", "该指派已回复")
    reason = "" if accept else _text(reason, "谢绝理由", required=True, max_chars=1000)
    assignment.responded_at = timezone.now()
    need = assignment.need
    if accept:
        assignment.status = Assignment.Status.ACCEPTED
        need.status = Need.Status.ACCEPTED
    else:
        assignment.status = Assignment.Status.DECLINED
        assignment.reason = reason
        if not need.assignments.filter(status=Assignment.Status.PENDING).exclude(pk=assignment.pk).exists():
            need.status = Need.Status.OPEN
    assignment.save()
    need.save()
    if not accept:
        _tell(assignment.assigned_by or _bureau(), f"特派员谢绝了需求：{need.title}", "need_detail", need.pk,
              key=f"comm-decline-{assignment.pk}", body=f"{assignment.commissioner.name}：{reason}，请另行指派。")
    return assignment


# --------------------------------------------------------------------------- 菜单式
@transaction.atomic
def item_publish(*, actor, kind: str, title: str, description: str, available: str = "",
                 commissioner: Commissioner | None = None, demo: bool = False) -> ServiceItem:
    """A commissioner publishes a menu item (the bureau may publish for one)."""
    require(actor, "commissioners.item.publish")
    if getattr(actor, "role", "") == Role.COMMISSIONER:
        commissioner = _commissioner_of(actor)
    if commissioner is None:
        raise CommissionerError("科技特派员", "请选择科技特派员")
    if kind not in ServiceItem.Kind.values:
        raise CommissionerError("服务类型", f"应为 {'、'.join(str(x) for x in ServiceItem.Kind.labels)} 之一")
    return ServiceItem.objects.create(commissioner=commissioner, kind=kind, title=_text(title, "服务名称", required=True),
                                      description=_text(description, "服务内容", required=True, max_chars=3000),
                                      available=_text(available, "可服务时间", max_chars=120), demo=demo)


@transaction.atomic
def item_withdraw(*, actor, item: ServiceItem) -> ServiceItem:
    require(actor, "commissioners.item.publish", item)
    item.status = ServiceItem.Status.WITHDRAWN
    item.save()
    return item


@transaction.atomic
def order_place(*, actor, item: ServiceItem, recipient: Recipient, note: str = "") -> ServiceOrder:
    """A recipient orders from the menu."""
    require(actor, "commissioners.order.place")
    if not is_system(actor) and not recipient.is_confirmer(actor):
        raise PermissionRefused("commissioners.order.place", "只能为本乡镇（村）或本企业点单。")
    if item.status != ServiceItem.Status.PUBLISHED:
        raise CommissionerError("服务", "该服务已下架")
    order = ServiceOrder.objects.create(item=item, recipient=recipient, note=_text(note, "说明", max_chars=1000),
                                        ordered_by=None if is_system(actor) else actor)
    from django.urls import reverse

    from kechuang.inbox.services import notify

    notify(item.commissioner.account, f"新的服务订单：{item.title}", f"{recipient.name}点单。",
           reverse("commissioners:menu"), "todo", dedupe_key=f"comm-order-{order.pk}")
    return order


@transaction.atomic
def order_respond(*, actor, order: ServiceOrder, accept: bool, reason: str = "") -> ServiceOrder:
    require(actor, "commissioners.order.respond", order)
    if order.status != ServiceOrder.Status.ORDERED:
        raise CommissionerError("状态", "该订单已处理")
    reason = "" if accept else _text(reason, "谢绝理由", required=True, max_chars=1000)
    order.status = ServiceOrder.Status.ACCEPTED if accept else ServiceOrder.Status.DECLINED
    order.reason = reason
    order.save()
    return order


# --------------------------------------------------------------------------- 三方协议
def _ratio(value, field):
    if value in (None, ""):
        return None
    try:
        v = Decimal(str(value))
    except InvalidOperation:
        raise CommissionerError(field, "应为 0–1 之间的小数（如 0.05 表示 5%）") from None
    if not (0 <= v <= 1):
        raise CommissionerError(field, "应为 0–1 之间的小数（如 0.05 表示 5%）")
    return v


@transaction.atomic
def agreement_create(*, actor, commissioner: Commissioner, recipient: Recipient, goals: str, starts_on: dt.date,
                     ends_on: dt.date, deliverables: str, rights: str = "", benefit: str = Agreement.Benefit.NONE,
                     equity_ratio=None, share_ratio=None, need: Need | None = None,
                     order: ServiceOrder | None = None, demo: bool = False) -> Agreement:
    """Record the three-party agreement's fields (the Word document is generated from them)."""
    require(actor, "commissioners.agreement.manage")
    role = getattr(actor, "role", "")
    if role == Role.COMMISSIONER and commissioner.account_id != actor.pk:
        raise PermissionRefused("commissioners.agreement.manage", "只能为本人的服务签订协议。")
    if role == Role.TOWNSHIP_CLERK and recipient.township_id != actor.township_id:
        raise PermissionRefused("commissioners.agreement.manage", "该服务对象不在您的乡镇。")
    if not starts_on or not ends_on or ends_on < starts_on:
        raise CommissionerError("服务期", "服务期止不能早于服务期起")
    if benefit not in Agreement.Benefit.values:
        raise CommissionerError("利益联结方式", "应为 无、技术入股、利益分成、技术入股并利益分成 之一")
    equity = _ratio(equity_ratio, "技术入股比例")
    share = _ratio(share_ratio, "利益分成比例")
    if benefit in (Agreement.Benefit.EQUITY, Agreement.Benefit.BOTH) and equity is None:
        raise CommissionerError("技术入股比例", "选择技术入股时应填写入股比例")
    if benefit in (Agreement.Benefit.SHARE, Agreement.Benefit.BOTH) and share is None:
        raise CommissionerError("利益分成比例", "选择利益分成时应填写分成比例")
    return Agreement.objects.create(
        commissioner=commissioner, recipient=recipient, need=need, order=order,
        dispatch_unit=commissioner.dispatch_unit, goals=_text(goals, "服务目标", required=True, max_chars=3000),
        starts_on=starts_on, ends_on=ends_on,
        deliverables=_text(deliverables, "服务内容与成果", required=True, max_chars=3000),
        rights=_text(rights, "三方权利义务", max_chars=3000), benefit=benefit, equity_ratio=equity, share_ratio=share,
        demo=demo)


DEFAULT_RIGHTS = (
    "甲方（派出单位）支持乙方按本协议开展服务，保障其工作时间和待遇；",
    "乙方（科技特派员）按约定提供技术服务，如实记录服务日志，不得以服务名义谋取不正当利益；",
    "丙方（服务对象）提供必要的工作条件，及时确认服务记录并如实反馈服务成效。",
)


def agreement_docx(agreement: Agreement) -> bytes:
    """The 三方协议 as a Word document (A4, 公文 margins) from the recorded fields."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    style = doc.styles["Normal"]
    style.font.name = "仿宋"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    style.font.size = Pt(16)
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run("科技特派员服务三方协议")
    run.bold = True
    run.font.size = Pt(22)
    a = agreement
    c = a.commissioner
    rows = [
        ("甲方（派出单位）", a.dispatch_unit),
        ("乙方（科技特派员）", f"{c.name}（{c.get_kind_display()}，{c.get_level_display()}）"),
        ("丙方（服务对象）", f"{a.recipient.name}（{a.recipient.get_kind_display()}，{a.recipient.township.name}）"),
        ("服务期限", f"{a.starts_on:%Y年%m月%d日} 至 {a.ends_on:%Y年%m月%d日}"),
    ]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for k, v in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = k, v
    sections = [("一、服务目标", a.goals), ("二、服务内容与成果", a.deliverables),
                ("三、三方权利义务", a.rights or "\n".join(DEFAULT_RIGHTS))]
    benefit = a.get_benefit_display()
    if a.equity_ratio is not None:
        benefit += f"；技术入股比例 {a.equity_ratio * 100:.2f}%"
    if a.share_ratio is not None:
        benefit += f"；利益分成比例 {a.share_ratio * 100:.2f}%"
    sections.append(("四、利益联结（利益共同体）", benefit))
    sections.append(("五、服务记录与考核", "乙方每次服务后在平台记录服务日志，经丙方确认后计入年度考核；"
                                        "丙方有异议的，由科技局核实处理，处理前不计入考核。"))
    for heading, body in sections:
        p = doc.add_paragraph()
        p.add_run(heading).bold = True
        for line in (body or "").splitlines() or [""]:
            doc.add_paragraph(line)
    doc.add_paragraph("")
    sign = doc.add_table(rows=1, cols=3)
    for cell, who in zip(sign.rows[0].cells, ("甲方（盖章）", "乙方（签字）", "丙方（盖章/签字）"), strict=True):
        cell.text = f"{who}\n\n日期：    年  月  日"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _check_upload(upload) -> None:
    """Type (extension and content), size: the dispatch attachments' rules."""
    from kechuang.techmarket.services import TechMarketError
    from kechuang.techmarket.services import _check_upload as check

    try:
        check(upload)
    except TechMarketError as exc:
        raise CommissionerError("附件", str(exc).split(": ", 1)[-1]) from None


@transaction.atomic
def agreement_upload_signed(*, actor, agreement: Agreement, upload, signed_on: dt.date | None = None) -> Agreement:
    """Upload the signed copy; the agreement becomes 已签署."""
    require(actor, "commissioners.agreement.manage", agreement)
    _check_upload(upload)
    agreement.signed_name = Path(upload.name).name[:200]
    agreement.signed_file.save(agreement.signed_name, upload, save=False)
    agreement.signed_on = signed_on or timezone.localdate()
    agreement.status = Agreement.Status.SIGNED
    agreement.save()
    return agreement


# --------------------------------------------------------------------------- service logs
def _decimal(value, field, default=None):
    if value in (None, ""):
        return default
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise CommissionerError(field, "应为数字") from None


@transaction.atomic
def log_record(*, actor, recipient: Recipient, served_on: dt.date, place: str, content: str, days=1, people=0,
               field: str = "", online: bool = False, agreement: Agreement | None = None,
               latitude=None, longitude=None, commissioner: Commissioner | None = None,
               today: dt.date | None = None, demo: bool = False) -> ServiceLog:
    """The commissioner records one service; it waits for the recipient's confirmation."""
    require(actor, "commissioners.log.record")
    if not is_system(actor):
        commissioner = _commissioner_of(actor)
    if commissioner is None:
        raise CommissionerError("科技特派员", "请指明科技特派员")
    today = today or timezone.localdate()
    if served_on is None or served_on > today:
        raise CommissionerError("服务日期", "不能晚于今天")
    if agreement is not None and (agreement.commissioner_id != commissioner.pk or agreement.recipient_id != recipient.pk):
        raise CommissionerError("三方协议", "协议与本次服务的特派员或服务对象不一致")
    days = _decimal(days, "服务天数", Decimal("1"))
    if not (Decimal("0.5") <= days <= Decimal("31")):
        raise CommissionerError("服务天数", "应在 0.5–31 天之间")
    try:
        people = int(people or 0)
    except (TypeError, ValueError):
        raise CommissionerError("服务人数", "应为整数") from None
    if not (0 <= people <= 100_000):
        raise CommissionerError("服务人数", "应在 0–100000 之间")
    if field and field not in FIELDS:
        raise CommissionerError("服务领域", f"应为 {'、'.join(FIELDS)} 之一")
    lat, lng = _decimal(latitude, "纬度"), _decimal(longitude, "经度")
    if lat is not None and not (-90 <= lat <= 90):
        raise CommissionerError("纬度", "应在 -90–90 之间")
    if lng is not None and not (-180 <= lng <= 180):
        raise CommissionerError("经度", "应在 -180–180 之间")
    log = ServiceLog.objects.create(
        commissioner=commissioner, recipient=recipient, agreement=agreement, served_on=served_on, days=days,
        place=_text(place, "服务地点", required=not online, max_chars=200) or "网上服务",
        content=_text(content, "服务内容", required=True, max_chars=3000),
        field=field or (commissioner.fields[0] if commissioner.fields else ""), people=people, online=online,
        latitude=lat.quantize(Decimal("0.000001")) if lat is not None else None,
        longitude=lng.quantize(Decimal("0.000001")) if lng is not None else None, demo=demo)
    # the recipient's confirmers get a 待办 in the message centre
    _tell(_confirmers(recipient), f"请确认科技特派员服务：{commissioner.name} {served_on.isoformat()}", "log_detail",
          log.pk, key=f"comm-log-{log.pk}", body=f"{log.content[:100]}。确认后计入考核；与事实不符请选择“有异议”。")
    return log


@transaction.atomic
def log_attach(*, actor, log: ServiceLog, upload) -> LogAttachment:
    """A photo or file for a log (the commissioner, before confirmation)."""
    require(actor, "commissioners.log.record", log)
    if log.status != ServiceLog.Status.PENDING:
        raise CommissionerError("状态", "已确认的服务日志不能再添加附件")
    _check_upload(upload)
    if log.attachments.count() >= 20:
        raise CommissionerError("附件", "每条服务日志最多 20 个附件")
    name = Path(upload.name).name[:200]
    return LogAttachment.objects.create(log=log, file=upload, name=name, size=upload.size)


@transaction.atomic
def log_confirm(*, actor, log: ServiceLog, confirmed: bool, reason: str = "", rating=None, income_increase=None,
                new_varieties=0, new_techniques=0) -> ServiceLog:
    """The recipient confirms (确认) or disputes (有异议) a log. Only the recipient's own confirmer
    may do it: the enterprise's user, or the township's clerk for a township, village or cooperative."""
    require(actor, "commissioners.log.confirm", log)
    if not is_system(actor) and not log.recipient.is_confirmer(actor):
        raise PermissionRefused("commissioners.log.confirm", "只有服务对象本身可以确认这条服务记录。")
    if log.status != ServiceLog.Status.PENDING:
        raise CommissionerError("状态", f"该服务日志当前为「{log.get_status_display()}」，不能再确认")
    if confirmed:
        if rating not in (None, ""):
            try:
                rating = int(rating)
            except (TypeError, ValueError):
                raise CommissionerError("满意度评价", "应为 1–5 的整数") from None
            if not 1 <= rating <= 5:
                raise CommissionerError("满意度评价", "应为 1–5 的整数")
            log.rating = rating
        income = _decimal(income_increase, "增收（万元）", Decimal("0"))
        if not (0 <= income <= 100000):
            raise CommissionerError("增收（万元）", "应在 0–100000 万元之间")
        log.income_increase = income
        for attr, label in (("new_varieties", "引进新品种"), ("new_techniques", "推广新技术")):
            try:
                n = int(locals()[attr] or 0)
            except (TypeError, ValueError):
                raise CommissionerError(label, "应为整数") from None
            if not 0 <= n <= 1000:
                raise CommissionerError(label, "应在 0–1000 之间")
            setattr(log, attr, n)
        log.status = ServiceLog.Status.CONFIRMED
    else:
        log.dispute_reason = _text(reason, "异议内容", required=True, max_chars=1000)
        log.status = ServiceLog.Status.DISPUTED
    log.confirmed_by = None if is_system(actor) else actor
    log.confirmed_at = timezone.now()
    log.save()
    if log.status == ServiceLog.Status.DISPUTED:
        _tell(_bureau(), f"服务日志有异议：{log.commissioner.name}", "log_detail", log.pk, key=f"comm-dispute-{log.pk}",
              body=log.dispute_reason[:200])
    return log


@transaction.atomic
def log_resolve(*, actor, log: ServiceLog, counts: bool, resolution: str) -> ServiceLog:
    """The bureau resolves a disputed log: it counts (异议不成立) or is rejected (异议成立)."""
    require(actor, "commissioners.log.resolve", log)
    if log.status != ServiceLog.Status.DISPUTED:
        raise CommissionerError("状态", "只有有异议的服务日志需要处理")
    log.resolution = _text(resolution, "处理意见", required=True, max_chars=1000)
    log.status = ServiceLog.Status.CONFIRMED if counts else ServiceLog.Status.REJECTED
    log.save()
    return log


# --------------------------------------------------------------------------- 网上科技特派员
@transaction.atomic
def question_ask(*, actor, recipient: Recipient, commissioner: Commissioner, text: str) -> Question:
    require(actor, "commissioners.question.ask")
    if not is_system(actor) and not recipient.is_confirmer(actor):
        raise PermissionRefused("commissioners.question.ask", "只能以本乡镇（村）或本企业名义提问。")
    if not commissioner.is_active_on(timezone.localdate()):
        raise CommissionerError("科技特派员", "该特派员不在认定有效期内")
    q = Question.objects.create(recipient=recipient, commissioner=commissioner,
                                text=_text(text, "问题", required=True, max_chars=2000),
                                asked_by=None if is_system(actor) else actor)
    from django.urls import reverse

    from kechuang.inbox.services import notify

    notify(commissioner.account, "新的网上咨询", q.text[:200], reverse("commissioners:questions"), "todo",
           dedupe_key=f"comm-question-{q.pk}")
    return q


@transaction.atomic
def question_answer(*, actor, question: Question, answer: str, today: dt.date | None = None) -> Question:
    """The commissioner answers; an online service log is created, counted once the asker confirms."""
    require(actor, "commissioners.question.answer", question)
    if question.answered_at is not None:
        raise CommissionerError("状态", "该问题已解答")
    question.answer = _text(answer, "解答", required=True, max_chars=5000)
    question.answered_at = timezone.now()
    question.log = log_record(actor=actor, recipient=question.recipient, served_on=today or timezone.localdate(),
                              place="网上科技特派员", content=f"网上解答：{question.text[:200]}", days=Decimal("0.5"),
                              people=1, online=True, commissioner=question.commissioner, today=today)
    question.save()
    return question


# --------------------------------------------------------------------------- assessment, 后补助
@transaction.atomic
def assessment_run(*, actor, year: int, on: dt.date | None = None) -> list[Assessment]:
    """Assess every commissioner recognised in ``year`` from confirmed logs only, with the rule in
    force on ``on`` (default 31 December of the year), and compute the 后补助."""
    from . import selectors

    require(actor, "commissioners.assessment.run")
    on = on or dt.date(int(year), 12, 31)
    rule, params = selectors.rule_on(on)
    out = []
    locked = set(Assessment.objects.filter(year=int(year), case__isnull=False).exclude(
        case__status="candidate").values_list("commissioner_id", flat=True))
    for row in selectors.assessment_rows(year=int(year), params=params):
        if row["commissioner_id"] in locked:   # its 后补助 is in the redemption flow beyond 候选: kept as referred
            out.append(Assessment.objects.get(commissioner_id=row["commissioner_id"], year=int(year)))
            continue
        subsidy = Decimal(str(params["subsidy"].get(row["grade"], "0")))
        a, _ = Assessment.objects.update_or_create(commissioner_id=row["commissioner_id"], year=int(year), defaults={
            "rule": rule, "figures": row["figures"], "score": row["score"], "grade": row["grade"],
            "subsidy": subsidy, "payment": Assessment.Payment.PAYABLE if subsidy > 0 else Assessment.Payment.NONE,
            "payment_note": ""})
        if subsidy > 0:
            blocked = credit_check(a.commissioner, on, decision="payment")
            if blocked:
                a.payment, a.payment_note = Assessment.Payment.BLOCKED, blocked[:300]
                a.save()
        if a.case_id:   # a 候选 case follows the recomputed amount (or is withdrawn when none is due)
            if subsidy > 0:
                a = subsidy_refer(actor=actor, assessment=a, today=on if on < timezone.localdate() else None)
            else:
                from kechuang.policies.services import case_reject

                case_reject(user=actor, case=a.case, reason=f"{year}年度重新考核后等次为“{a.grade}”，无后补助")
                a.payment, a.payment_note = Assessment.Payment.NONE, "重新考核后无后补助，原兑现案件不予兑现"
                a.save()
        out.append(a)
    return out


#: The 后补助 measure in the policies module (the 专项资金管理办法 is named in seed 004 第一章 四 but
#: its text, 文号, 施行日期 and amounts are not in our texts: 待核实).
SUBSIDY_POLICY = {
    "code": "sanming-kjtpy-fund", "doc_no": "（文号待核实）", "title": "关于三明市科技特派员专项资金管理办法",
    "issuer": "三明市（发文机关待核实）", "level": "市", "region": "三明市",
    "effective": dt.date(2021, 12, 21),
    "source": "seed 004 明政办〔2021〕62号 第一章 四 提及；原文不在现有文本中",
    "parameters": [{"id": "kjtpy_fund_text", "value": None, "verified": False, "note": (
        "《关于三明市科技特派员专项资金管理办法》见于明政办〔2021〕62号第一章 四，原文、文号、施行日期和后补助标准"
        "均不在现有文本中：施行日期暂取明政办〔2021〕62号的生成日期 2021-12-21（该办法此前已出台），"
        "金额按科技特派员年度考核参数（待核实）计算，待市科技局、财政局核定。")}],
}
SUBSIDY_MEASURE = {
    "code": "sanming-kjtpy-fund.houbuzhu", "article": "（条款待核实）", "title": "科技特派员后补助",
    "text": ("先后制定出台了……《关于三明市科技特派员专项资金管理办法》等一系列政策措施（明政办〔2021〕62号 第一章 四）。"
             "后补助按科技特派员年度考核等次核定，只计服务对象已确认的服务，标准待核实。"),
    "citation": "明政办〔2021〕62号 第一章 四；《关于三明市科技特派员专项资金管理办法》（原文待核实）",
    "kind": "mechanism",
    "spec": {"benefit": {"kind": "mechanism", "description": "按科技特派员年度考核结果核定的后补助，由科技特派员模块计算后"
                                                          "转入兑现流程，不面向企业筛查"}, "recipient": "person"},
    "lead_units": ["市科技局"], "responsible_units": ["市财政局"],
}


def subsidy_measure():
    """The policies measure the 后补助 cases hang on (created once, in 审核中 status: its text is
    待核实, so it never enters the enterprise screening)."""
    from kechuang.policies.models import Measure, PolicyDocument

    doc = PolicyDocument.objects.filter(code=SUBSIDY_POLICY["code"]).first()
    if doc is None:
        doc = PolicyDocument.objects.create(status=PolicyDocument.Status.REVIEW, **SUBSIDY_POLICY)
    m = Measure.objects.filter(policy=doc, code=SUBSIDY_MEASURE["code"]).first()
    if m is None:
        m = Measure.objects.create(policy=doc, order=1, **SUBSIDY_MEASURE)
    return m


def _subsidy_subjects(c: Commissioner) -> list[dict]:
    """The credit-check subjects of a commissioner (as ``credit_check``): organisation, members, name."""
    if c.kind == Kind.LEGAL:
        return [{"institute": c.organisation or c.name}]
    if c.kind == Kind.TEAM:
        return [{"person_name": m.name} for m in c.members.all()] or [{"person_name": c.name}]
    return [{"person_name": c.name}]


def _subsidy_evidence(a: Assessment) -> dict:
    f, rule = a.figures or {}, a.rule
    citation = rule.citation if rule else "待核实（默认参数，待科技局按专项资金管理办法核定）"
    unverified = rule is None or rule.unverified
    since = rule.effective_from.isoformat() if rule else "默认参数"
    data = [f"{a.year}年经服务对象确认的服务日志 {f.get('logs', 0)} 条、服务 {f.get('days', 0)} 天、服务对象 "
            f"{f.get('recipients', 0)} 个、服务成效 {f.get('results', 0)} 项、满意度 {f.get('rating', 0)}（来源：科技特派员服务日志）",
            f"考核得分 {a.score} 分，等次“{a.grade}”（考核参数：{since}，{citation}）"]
    return {
        "source": "commissioners.assessment", "assessment": a.pk, "commissioner": a.commissioner_id,
        "citation": SUBSIDY_MEASURE["citation"], "window": f"{a.year}年度",
        "basis": (f"年度考核等次“{a.grade}”，后补助标准 {a.subsidy.normalize():f} 万元"
                  + ("（标准待核实）" if unverified else "")),
        "conditions": [
            {"label": "年度考核等次", "status": "pass", "detail": f"{a.score} 分，{a.grade}"},
            {"label": "只计服务对象已确认的服务", "status": "pass",
             "detail": f"已确认服务 {f.get('days', 0)} 天，服务对象 {f.get('recipients', 0)} 个"},
        ],
        "data": data, "unverified": unverified,
    }


@transaction.atomic
def subsidy_refer(*, actor, assessment: Assessment, today: dt.date | None = None) -> Assessment:
    """转入兑现流程: a 后补助 computed by the assessment becomes a 候选 case of the policies module's
    redemption flow (核实 by the bureau with the one credit check, 确认 and bank account by the
    commissioner, 公示, 拨付 by the 财政局 with the credit check again). This module never marks it
    paid; the assessment shows the case's state."""
    from kechuang.policies.services import case_refer

    require(actor, "commissioners.subsidy.refer", assessment)
    if assessment.subsidy <= 0:
        raise CommissionerError("后补助", "本年度考核没有后补助，无需转入兑现流程")
    c = assessment.commissioner
    case, _created = case_refer(
        user=actor, measure=subsidy_measure(), year=assessment.year, payee_kind="commissioner",
        payee_name=c.name, payee_ref=f"commissioner:{c.pk}", amount=assessment.subsidy,
        evidence=_subsidy_evidence(assessment), credit_subjects=_subsidy_subjects(c), payee_user=c.account,
        today=today)
    assessment.case = case
    assessment.payment = Assessment.Payment.REFERRED
    assessment.payment_note = ""
    assessment.save()
    if c.account_id:
        _tell([c.account], f"{assessment.year}年度后补助已转入兑现流程", "policies:case", case.pk, kind="notice",
              key=f"comm-subsidy-{case.pk}", body="科技局核实后，请在确认期限内确认并填写收款账户。")
    return assessment


def subsidy_refer_year(*, actor, year: int, today: dt.date | None = None) -> list[Assessment]:
    """Refer every 后补助 of ``year`` not yet referred (credit-refused ones too: 核实 refuses them
    with the record named, as the redemption flow does for enterprises)."""
    require(actor, "commissioners.subsidy.refer")
    out = []
    for a in Assessment.objects.filter(year=int(year), subsidy__gt=0, case__isnull=True).select_related(
            "commissioner", "rule"):
        out.append(subsidy_refer(actor=actor, assessment=a, today=today))
    return out


@transaction.atomic
def rule_add(*, actor, effective_from: dt.date, weights: dict, grade_lines: dict, subsidy: dict,
             targets: dict | None = None, citation: str = "待核实", unverified: bool = True) -> AssessmentRule:
    """A new dated assessment rule: weights in [0, 1] adding up to 1, targets > 0, grade lines in
    [0, 100] with 优秀 above 合格, subsidies (万元) ≥ 0; one rule per effective date."""
    require(actor, "commissioners.assessment.run")
    if not effective_from:
        raise CommissionerError("生效日期", "不能为空")
    if AssessmentRule.objects.filter(effective_from=effective_from).exists():
        raise CommissionerError("生效日期", f"{effective_from.isoformat()} 已有考核参数")

    def num(value, field, low=None, high=None, above=None):
        d = _decimal(value, field)
        if d is None or (low is not None and d < low) or (high is not None and d > high) or \
                (above is not None and d <= above):
            bounds = f"大于 {above}" if above is not None else f"{low}–{high if high is not None else '∞'}"
            raise CommissionerError(field, f"应为 {bounds} 的数字，收到「{value}」")
        return d

    labels = {"days": "服务天数", "recipients": "服务对象数", "results": "服务成效", "rating": "满意度"}
    w = {k: num(weights.get(k, 0), f"权重（{labels[k]}）", 0, 1) for k in labels}
    if sum(w.values()) != 1:
        raise CommissionerError("权重", f"合计应为 1，现为 {sum(w.values())}")
    t = {k: num((targets or {}).get(k, 1), f"满分基准（{labels[k]}）", above=0) for k in ("days", "recipients", "results")}
    g = {k: num(grade_lines.get(k), f"{k}分数线", 0, 100) for k in ("优秀", "合格")}
    if g["优秀"] <= g["合格"]:
        raise CommissionerError("等次分数线", "优秀分数线应高于合格分数线")
    sub = {k: num(subsidy.get(k, 0), f"后补助（{k}）", 0, 10_000) for k in ("优秀", "合格", "不合格")}
    return AssessmentRule.objects.create(
        effective_from=effective_from, weights={k: str(v) for k, v in w.items()},
        targets={k: str(v) for k, v in t.items()}, grade_lines={k: str(v) for k, v in g.items()},
        subsidy={k: str(v) for k, v in sub.items()}, citation=_text(citation, "依据", max_chars=200) or "待核实",
        unverified=unverified)


def quantize_score(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
