"""Models of the 项目与监管 module: the 科研信用 database (this file, first part), 双随机 draws and
科技计划项目 (further down as they land).

科研信用 (seed 004 第三章 二 "建立科研信用信息数据库 … 对纳入系统的严重失信行为责任主体实行
'一票否决'"): a ``CreditRecord`` is one finding about an enterprise, an institute, an intermediary
or a person, with the fields a provincial rule lists (责任主体, 失信行为, 处理结果, 处理单位, 处理依据,
生效时间, 惩戒期限), its severity (一般 / 严重), its appeal and the 观察名单 flag. Every decision
of the product asks :func:`kechuang.supervision.credit.check_credit`, never these rows directly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.core.scoping import ScopedModel


class SubjectKind(models.TextChoices):
    """责任主体的类别 (科技部令第19号 names persons, legal persons, review experts, intermediaries)."""

    ENTERPRISE = "enterprise", _("企业")
    INSTITUTE = "institute", _("科研机构")
    INTERMEDIARY = "intermediary", _("中介服务机构")
    PERSON = "person", _("个人")


class Severity(models.TextChoices):
    GENERAL = "general", _("一般失信")
    SERIOUS = "serious", _("严重失信")


class Decision(models.TextChoices):
    """The decisions that consult the one credit check (issue 16 §3)."""

    PROJECT_APPROVAL = "project_approval", _("科技计划项目立项")
    EXPERT_ADMISSION = "expert_admission", _("专家入库")
    PAYMENT = "payment", _("资金兑现、拨付")
    VOUCHER = "voucher", _("创新券申领、兑付")
    QUALIFICATION = "qualification", _("资格认定推荐")
    CHALLENGE_APPLICATION = "challenge_application", _("揭榜挂帅申报")
    COMMISSIONER_RECOGNITION = "commissioner_recognition", _("科技特派员认定")


class AppealState(models.TextChoices):
    NONE = "none", _("未申诉")
    PENDING = "pending", _("申诉处理中")
    UPHELD = "upheld", _("申诉不成立，维持原处理")
    REVOKED = "revoked", _("申诉成立，撤销记录")


def normalize_id_number(value: str) -> str:
    """居民身份证号 as compared: spaces dropped, final x upper-cased."""
    return "".join((value or "").split()).upper()


def id_number_digest(value: str) -> str:
    """The keyed digest the database keeps instead of an ID number (个人信息保护法: the full number
    is never stored; a check with the same number finds the record)."""
    key = ("kechuang-credit-id:" + settings.SECRET_KEY).encode()
    return hmac.new(key, normalize_id_number(value).encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """``350583********123X`` style: first 6 and last 4 characters kept."""
    v = normalize_id_number(value)
    if len(v) <= 10:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_name(name: str) -> str:
    """A person's name as published: the family name and one * per further character (张** )."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


class CreditRecord(ScopedModel):
    """科研信用记录: one finding of research dishonesty (失信行为) about one subject.

    In force from ``effective_on`` through ``ends_on`` (惩戒期限, inclusive; empty = permanent),
    unless an appeal revoked it. A pending appeal does not suspend the record (处理决定在申诉期间
    不停止执行 — 待核实 for the city's own rule). ``restricts`` lists the decisions a 一般 record
    restricts; a 严重 record refuses every decision (一票否决). ``watchlist`` puts the subject on
    the 观察名单: decisions go through, with a warning.
    """

    subject_kind = models.CharField(_("责任主体类别"), max_length=12, choices=SubjectKind.choices)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="research_credit_records")
    subject_name = models.CharField(_("责任主体"), max_length=200)
    subject_code = models.CharField(_("统一社会信用代码/机构代码"), max_length=40, blank=True, db_index=True)
    person_id_digest = models.CharField(_("身份证号摘要"), max_length=64, blank=True, db_index=True)
    person_id_masked = models.CharField(_("身份证号（脱敏）"), max_length=24, blank=True)
    person_unit = models.CharField(_("所在单位"), max_length=200, blank=True)
    behaviour = models.CharField(_("失信行为"), max_length=500)
    severity = models.CharField(_("严重程度"), max_length=8, choices=Severity.choices)
    outcome = models.CharField(_("处理结果"), max_length=500)
    authority = models.CharField(_("处理单位"), max_length=200)
    basis = models.CharField(_("处理依据"), max_length=500)
    effective_on = models.DateField(_("生效时间"))
    ends_on = models.DateField(_("惩戒期限（截止日）"), null=True, blank=True,
                               help_text=_("留空表示永久"))
    restricts = models.JSONField(_("限制的事项"), default=list, blank=True,
                                 help_text=_("一般失信记录限制的决定；严重失信记录一律一票否决"))
    appeal_state = models.CharField(_("申诉状态"), max_length=8, choices=AppealState.choices,
                                    default=AppealState.NONE)
    appeal_filed_on = models.DateField(_("申诉日期"), null=True, blank=True)
    appeal_due_on = models.DateField(_("申诉答复期限"), null=True, blank=True)
    appeal_answer = models.CharField(_("申诉答复"), max_length=500, blank=True)
    watchlist = models.BooleanField(_("列入观察名单"), default=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Scope:
        township = "enterprise__township"
        enterprise = "enterprise"
        org_unit = None
        broker = None
        # 严重失信 records are published (公开信息, personal data masked); revoked ones never are.
        public = Q(severity="serious") & ~Q(appeal_state="revoked")
        anonymous = True

    class Meta:
        verbose_name = _("科研信用记录")
        verbose_name_plural = _("科研信用记录")
        ordering = ["-effective_on", "id"]
        indexes = [models.Index(fields=["subject_kind", "subject_code"], name="credit_subject")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("effective_on")),
                                   name="credit_period_ordered"),
            models.CheckConstraint(condition=Q(severity__in=["general", "serious"]), name="credit_severity_known"),
            models.CheckConstraint(condition=Q(subject_kind__in=["enterprise", "institute", "intermediary", "person"]),
                                   name="credit_subject_kind_known"),
            models.CheckConstraint(condition=~Q(subject_kind="enterprise") | Q(enterprise__isnull=False),
                                   name="credit_enterprise_linked"),
        ]

    def __str__(self) -> str:
        return f"{self.display_subject} {self.get_severity_display()} {self.effective_on}"

    @property
    def display_subject(self) -> str:
        """The subject as shown to people: a person's name masked, an organisation in full."""
        return mask_name(self.subject_name) if self.subject_kind == SubjectKind.PERSON else self.subject_name

    def in_force_on(self, on: dt.date) -> bool:
        """生效时间 ≤ on ≤ 惩戒期限 (both days included) and not revoked on appeal."""
        return (self.appeal_state != AppealState.REVOKED and self.effective_on <= on
                and (self.ends_on is None or on <= self.ends_on))

    def restricts_decision(self, decision: str) -> bool:
        return self.severity == Severity.SERIOUS or decision in (self.restricts or [])

    @staticmethod
    def in_force_q(on: dt.date) -> Q:
        """The same rule as ``in_force_on`` as a query condition."""
        return (Q(effective_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))
                & ~Q(appeal_state=AppealState.REVOKED))
