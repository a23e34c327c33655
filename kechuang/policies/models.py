"""Policy engine models: policies and measures (editable, change-logged), policy events,
免申即享 screening runs, redemption cases (候选 → 核实 → 企业确认/放弃 → 公示 → 拨付/不予兑现)
and disputes (异议).

Policies and measures are the database copy of the reviewed YAML in ``data/policies``
(loaded idempotently after migrate); the engine reads them back through
:meth:`PolicyDocument.to_engine`. Bureau staff edit them; every save is change-logged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.core.bounds import (
    COUNT,
    DURATION_S,
    MONEY,
    ORDER,
    YEAR,
    bounded,
    range_checked,
)
from kechuang.core.scoping import ScopedModel

from .engine.model import Policy, policy_from_dict


@range_checked
class PolicyDocument(ScopedModel):
    """A policy document (文号, level, validity, lifecycle status). Drafts of the 政策沙盘 point to ``based_on``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEW = "review", _("审核中")
        PUBLISHED = "published", _("已发布")
        EXPIRED = "expired", _("已失效")

    class Level(models.TextChoices):
        NATIONAL = "国家", _("国家")
        PROVINCE = "省", _("省")
        CITY = "市", _("市")
        COUNTY = "县", _("县")

    code = models.CharField(_("编号"), max_length=64, unique=True)
    doc_no = models.CharField(_("文号"), max_length=120)
    title = models.CharField(_("标题"), max_length=200)
    issuer = models.CharField(_("发文机关"), max_length=120)
    level = models.CharField(_("层级"), max_length=4, choices=Level.choices)
    region = models.CharField(_("适用地区"), max_length=60, blank=True)
    effective = models.DateField(_("施行日期"))
    expiry = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    stacking_principle = models.TextField(_("叠加原则"), blank=True)
    full_text = models.TextField(_("全文"), blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    parameters = models.JSONField(_("参数与假设"), default=list, blank=True)
    review = models.JSONField(_("审核记录"), default=dict, blank=True)
    is_sandbox = models.BooleanField(_("沙盘草稿"), default=False)
    based_on = models.ForeignKey("self", verbose_name=_("复制自"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="sandbox_drafts")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Scope:
        township = None
        org_unit = None
        enterprise = None
        broker = None
        public = Q(status="published", is_sandbox=False)
        anonymous = True

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")
        ordering = ["level", "code"]

    def __str__(self) -> str:
        return f"{self.doc_no} {self.title}"

    def to_document(self) -> dict:
        """The YAML-shaped document of this policy and its measures."""
        return {
            "policy": {"id": self.code, "doc_no": self.doc_no, "title": self.title, "issuer": self.issuer,
                       "level": self.level, "region": self.region, "effective": self.effective,
                       "expiry": self.expiry, "status": self.status,
                       "stacking_principle": self.stacking_principle, "review": self.review,
                       "source": self.source},
            "parameters": self.parameters,
            "measures": [m.to_dict() for m in self.measures.all()],
        }

    def to_engine(self) -> Policy:
        """The engine's :class:`Policy` (validated like the YAML)."""
        return policy_from_dict(self.to_document(), where=self.code)


@range_checked
class Measure(ScopedModel):
    """One measure (条/款) of a policy; ``spec`` holds trigger, conditions, benefit and stacking as in the YAML."""

    policy = models.ForeignKey(PolicyDocument, verbose_name=_("政策文件"), on_delete=models.CASCADE,
                               related_name="measures")
    code = models.CharField(_("措施编号"), max_length=64)
    order = models.PositiveIntegerField(_("顺序"), default=0, validators=bounded(ORDER))
    article = models.CharField(_("条款"), max_length=40)
    title = models.CharField(_("措施名称"), max_length=200)
    text = models.TextField(_("原文"), blank=True)
    citation = models.CharField(_("引用"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20)
    spec = models.JSONField(_("规则"), default=dict)
    lead_units = models.JSONField(_("牵头单位"), default=list, blank=True)
    responsible_units = models.JSONField(_("责任单位"), default=list, blank=True)

    class Scope:
        township = None
        org_unit = None
        enterprise = None
        broker = None
        public = Q(policy__status="published", policy__is_sandbox=False)
        anonymous = True

    class Meta:
        verbose_name = _("政策措施")
        verbose_name_plural = _("政策措施")
        ordering = ["policy", "order"]
        constraints = [models.UniqueConstraint(fields=["policy", "code"], name="policies_measure_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def to_dict(self) -> dict:
        """The YAML-shaped mapping of this measure."""
        return {"id": self.code, "article": self.article, "title": self.title, "text": self.text,
                "citation": self.citation, "kind": self.kind, **self.spec,
                "lead_units": self.lead_units, "responsible_units": self.responsible_units}


@range_checked
class PolicyEvent(ScopedModel):
    """Something that happened to an enterprise that a measure reacts to (认定、验收、备案…), with its data source."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="policy_events")
    kind = models.CharField(_("事件类型"), max_length=60)
    date = models.DateField(_("日期"))
    fields = models.JSONField(_("附加数据"), default=dict, blank=True)
    source = models.CharField(_("数据来源"), max_length=200, blank=True)

    class Scope:
        township = "enterprise__township"
        enterprise = "enterprise"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("政策事件")
        verbose_name_plural = _("政策事件")
        ordering = ["-date", "id"]
        indexes = [models.Index(fields=["kind", "date"])]

    @property
    def kind_label(self) -> str:
        """The event kind in words (the engine's table of event kinds)."""
        from kechuang.policies.engine.events import EVENT_KINDS

        return EVENT_KINDS[self.kind][0] if self.kind in EVENT_KINDS else "其他事件"


@range_checked
class ScreeningRun(ScopedModel):
    """One 免申即享 screening run for a year: over all enterprises (the bureau's run), or over one
    enterprise after an event the platform recorded for it (``enterprise`` set); ``reason`` says in
    words why the run was made, for the screening page."""

    year = models.PositiveIntegerField(_("年度"), validators=bounded(YEAR))
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("筛查范围（仅此企业）"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("筛查原因"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    enterprise_count = models.PositiveIntegerField(_("企业数"), default=0, validators=bounded(COUNT))
    candidate_count = models.PositiveIntegerField(_("候选数"), default=0, validators=bounded(COUNT))
    new_count = models.PositiveIntegerField(_("新增"), default=0, validators=bounded(COUNT))
    changed_count = models.PositiveIntegerField(_("证据变化"), default=0, validators=bounded(COUNT))
    seconds = models.FloatField(_("耗时（秒）"), default=0, validators=bounded(DURATION_S))
    policies = models.JSONField(_("所用政策"), default=list)

    class Scope:
        township = None
        org_unit = None
        enterprise = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("免申即享筛查")
        verbose_name_plural = _("免申即享筛查")
        ordering = ["-started_at"]

    @property
    def scope_display(self) -> str:
        """范围 in words: 全部企业, or the one enterprise."""
        if self.enterprise_id is None:
            return "全部企业"
        return f"仅「{self.enterprise.name}」"


@range_checked
class Case(ScopedModel):
    """A redemption case (兑现案件) of one enterprise, measure and year, created by screening.

    Creation by a screening run is derived data (the run row itself is logged), so the model opts
    out of the automatic change log; every workflow transition is logged explicitly by
    :mod:`kechuang.policies.services` (who, when, before and after).
    """

    change_log = False

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("候选")
        VERIFIED = "verified", _("已核实")
        CONFIRMED = "confirmed", _("企业已确认")
        WAIVED = "waived", _("企业放弃")
        PUBLICIZED = "publicized", _("公示中")
        PAID = "paid", _("已拨付")
        REJECTED = "rejected", _("不予兑现")

    class PayeeKind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        COMMISSIONER = "commissioner", _("科技特派员")
        PERSON = "person", _("个人")
        TEAM = "team", _("团队")
        INSTITUTION = "institution", _("机构")

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="policy_cases", null=True, blank=True)
    # A case of another module's computed subsidy (e.g. the 科技特派员后补助): no enterprise; the payee
    # is named here, ``payee_user`` confirms the wish and the bank account, and ``credit_subjects``
    # are the keyword arguments of the one credit check (kechuang.supervision.credit.check_credit).
    payee_kind = models.CharField(_("兑现对象类别"), max_length=12, choices=PayeeKind.choices,
                                  default=PayeeKind.ENTERPRISE)
    payee_name = models.CharField(_("兑现对象"), max_length=200, blank=True)
    payee_ref = models.CharField(_("兑现对象编号"), max_length=64, blank=True)
    payee_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("兑现对象账户"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="payee_cases")
    credit_subjects = models.JSONField(_("信用核查主体"), default=list, blank=True)
    measure = models.ForeignKey(Measure, verbose_name=_("措施"), on_delete=models.PROTECT, related_name="cases")
    year = models.PositiveIntegerField(_("年度"), validators=bounded(YEAR))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.CANDIDATE)
    paused = models.BooleanField(_("异议暂停"), default=False)
    amount = models.DecimalField(_("金额（万元）"), max_digits=16, decimal_places=6, validators=bounded(MONEY))
    amount_max = models.DecimalField(_("最高金额（万元）"), max_digits=16, decimal_places=6, null=True, blank=True, validators=bounded(MONEY))
    approved_amount = models.DecimalField(_("核定金额（万元）"), max_digits=16, decimal_places=6, null=True, blank=True, validators=bounded(MONEY))
    evidence = models.JSONField(_("证据"), default=dict)
    evidence_hash = models.CharField(_("证据摘要"), max_length=64)
    evidence_changed = models.BooleanField(_("证据有变化"), default=False)
    last_run = models.ForeignKey(ScreeningRun, verbose_name=_("最近筛查"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="cases")
    confirm_deadline = models.DateField(_("确认截止日"), null=True, blank=True)
    bank_account = models.CharField(_("收款账户"), max_length=60, blank=True)
    bank_name = models.CharField(_("开户行"), max_length=100, blank=True)
    reason = models.TextField(_("说明/不予兑现原因"), blank=True)
    publicized_on = models.DateField(_("公示日期"), null=True, blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Scope:
        township = "enterprise__township"
        enterprise = "enterprise"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("兑现案件")
        verbose_name_plural = _("兑现案件")
        ordering = ["-year", "enterprise_id", "measure_id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "measure", "year"],
                                               name="policies_case_unique"),
                       models.UniqueConstraint(fields=["payee_ref", "measure", "year"],
                                               condition=Q(enterprise__isnull=True),
                                               name="policies_case_payee_unique"),
                       models.CheckConstraint(condition=Q(enterprise__isnull=False) | ~Q(payee_ref=""),
                                              name="policies_case_has_payee")]
        indexes = [models.Index(fields=["year", "status"])]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """科技局 all; 乡镇 its township's; 企业 its own; the 财政局 officer the publicized and later cases."""
        return scope_cases(qs, user, "enterprise")

    def __str__(self) -> str:
        return f"{self.payee_display} · {self.measure.title} · {self.year}"

    @property
    def payee_display(self) -> str:
        """Who is paid, in words: the enterprise's name or the named payee (with its kind)."""
        if self.enterprise_id:
            return self.enterprise.name
        return f"{self.payee_name}（{self.get_payee_kind_display()}）"

    @property
    def payee_township(self) -> str:
        township = self.enterprise.township if self.enterprise_id else None
        return township.name if township else ""


def scope_cases(qs, user, path: str):
    """Row scoping of cases (``path`` = the path from the row to the enterprise)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    from kechuang.core.models import Role

    role = getattr(user, "role", "")
    if role == Role.BUREAU_STAFF:
        return qs
    if role == Role.TOWNSHIP_CLERK and user.township_id:
        return qs.filter(**{f"{path}__township_id": user.township_id})
    if role == Role.ENTERPRISE_USER and user.enterprise_id:
        return qs.filter(**{f"{path}_id": user.enterprise_id})
    prefix = "" if path == "enterprise" else "case__"
    if role == Role.FINANCE_OFFICER:
        return qs.filter(**{f"{prefix}status__in": ["publicized", "paid", "rejected"]})
    if role == Role.COMMISSIONER:  # a 科技特派员 the cases of their own 后补助
        return qs.filter(**{f"{prefix}payee_user": user})
    return qs.none()


def is_finance(user) -> bool:
    """True for a 财政局工作人员 (Role.FINANCE_OFFICER, who disburses)."""
    from kechuang.core.models import Role

    return getattr(user, "role", "") == Role.FINANCE_OFFICER


@range_checked
class Dispute(ScopedModel):
    """An enterprise's objection (异议) to the data a case used; pauses the case until resolved."""

    case = models.ForeignKey(Case, verbose_name=_("兑现案件"), on_delete=models.CASCADE, related_name="disputes")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    text = models.TextField(_("异议内容"))
    resolved = models.BooleanField(_("已处理"), default=False)
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """As the case it belongs to."""
        return scope_cases(qs, user, "case__enterprise")

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-raised_at"]


def _proxy_letter_path(instance, filename: str) -> str:
    from pathlib import PurePath
    from uuid import uuid4

    return f"policies/proxy/{instance.case_id}/{uuid4().hex}{PurePath(filename).suffix.lower()}"


class ProxyAuthorization(ScopedModel):
    """代办授权: the enterprise's authorisation for the 科技局 to act on its behalf on one 免申即享
    case (confirm the wish to redeem and enter the receiving bank account, or declare a waiver).

    Either an uploaded 授权书 (scan of the signed and sealed letter) or the enterprise's written
    request (the text of its letter, e-mail or form, with who signed it). Without one the bureau
    may not confirm or waive for the enterprise (policies.services.case_confirm / case_waive).
    Shown in the case's 办理记录; every row is change-logged."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("授权书（上传扫描件）")
        REQUEST = "request", _("企业书面申请")

    case = models.ForeignKey(Case, verbose_name=_("兑现案件"), on_delete=models.CASCADE,
                             related_name="proxy_authorizations")
    kind = models.CharField(_("授权方式"), max_length=10, choices=Kind.choices)
    signed_by = models.CharField(_("企业签署人"), max_length=60)
    letter = models.FileField(_("授权书"), upload_to=_proxy_letter_path, blank=True)
    letter_name = models.CharField(_("授权书文件名"), max_length=200, blank=True)
    request_text = models.TextField(_("书面申请内容"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"))
    used_for = models.CharField(_("已用于"), max_length=20, blank=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """As the case it belongs to."""
        return scope_cases(qs, user, "case__enterprise")

    class Meta:
        verbose_name = _("代办授权")
        verbose_name_plural = _("代办授权")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="policies_proxy_letter_or_request",
                condition=(models.Q(kind="letter") & ~models.Q(letter=""))
                | (models.Q(kind="request") & ~models.Q(request_text="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.signed_by}）"
