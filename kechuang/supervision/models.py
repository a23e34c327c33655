"""Models of the 项目与监管 module: the 科研信用 database, 双随机 draws (两单两库一细则, draws,
results) and 科技计划项目.

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
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.core.bounds import COUNT, ORDER, YEAR, RangeValidator, bounded
from kechuang.core.roles import Role
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


# =============================================================================================
# 双随机一公开: 两单 (抽查事项清单, 抽查对象名录库), 两库 (检查对象, 执法检查人员), 一细则, draws, results
# =============================================================================================

class BureauOnly:
    """Scope of the bureau's own supervision tables: only 科技局 (and the system) see them."""

    township = None
    enterprise = None
    org_unit = None
    broker = None
    public = None


class ObjectKind(models.TextChoices):
    """Kinds of 检查对象 (seed 004: 科技计划项目实施、科技平台建设、众创孵化基地建设 …)."""

    PROJECT = "project", _("科技计划项目")
    CARRIER = "carrier", _("创新载体（孵化器、众创空间、研发机构等）")
    INSTITUTE = "institute", _("科研机构")
    ENTERPRISE = "enterprise", _("企业")
    VOUCHER = "voucher", _("科技创新券（已兑付）")
    SERVICE_ORG = "service_org", _("科技服务机构")
    OTHER = "other", _("其他")


class InspectionItem(ScopedModel):
    """抽查事项清单: one item with its legal basis and the kind of objects it applies to."""

    code = models.CharField(_("事项编号"), max_length=30, unique=True)
    name = models.CharField(_("抽查事项"), max_length=200)
    object_kind = models.CharField(_("检查对象类别"), max_length=12, choices=ObjectKind.choices)
    basis = models.CharField(_("抽查依据"), max_length=500)
    content = models.CharField(_("检查内容"), max_length=500, blank=True)
    method = models.CharField(_("检查方式"), max_length=100, blank=True, help_text=_("如 书面检查、实地核查"))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    Scope = BureauOnly

    class Meta:
        verbose_name = _("抽查事项")
        verbose_name_plural = _("抽查事项清单")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class InspectionObject(ScopedModel):
    """检查对象名录库: one object, built from the rows of the system (projects, carriers, institutes,
    enterprises …); ``ref`` names the source row (``carrier:12``), ``unit`` its organisation (for
    回避)."""

    kind = models.CharField(_("对象类别"), max_length=12, choices=ObjectKind.choices)
    ref = models.CharField(_("来源"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    unit = models.CharField(_("所属单位"), max_length=200, blank=True, help_text=_("统一社会信用代码或机构代码"))
    active = models.BooleanField(_("在库"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    Scope = BureauOnly

    class Meta:
        verbose_name = _("检查对象")
        verbose_name_plural = _("检查对象名录库")
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Inspector(ScopedModel):
    """执法检查人员名录库: a person with their unit and 执法证号 (law-enforcement certificate)."""

    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("所在单位"), max_length=200)
    cert_no = models.CharField(_("执法证号"), max_length=40, unique=True)
    account = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("系统账户"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="inspector")
    active = models.BooleanField(_("在库"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    Scope = BureauOnly

    class Meta:
        verbose_name = _("执法检查人员")
        verbose_name_plural = _("执法检查人员名录库")
        ordering = ["unit", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"

    @property
    def roster_id(self) -> str:
        """The id this inspector has in a draw's roster (the 执法证号)."""
        return self.cert_no


class InspectorConflict(ScopedModel):
    """A declared conflict of interest (利害关系声明) between an inspector and an object: 回避."""

    inspector = models.ForeignKey(Inspector, verbose_name=_("检查人员"), on_delete=models.CASCADE,
                                  related_name="conflicts")
    target = models.ForeignKey(InspectionObject, verbose_name=_("检查对象"), on_delete=models.CASCADE,
                               related_name="conflicts")
    reason = models.CharField(_("回避理由"), max_length=200)

    Scope = BureauOnly

    class Meta:
        verbose_name = _("回避声明")
        verbose_name_plural = _("回避声明")
        constraints = [models.UniqueConstraint(fields=["inspector", "target"], name="one_conflict_per_pair")]

    def __str__(self) -> str:
        return f"{self.inspector} ↔ {self.target}"


class InspectionRule(ScopedModel):
    """一细则: how one item is drawn — ratio, inspectors per object (at least 2), frequency, 回避."""

    name = models.CharField(_("细则名称"), max_length=200)
    item = models.ForeignKey(InspectionItem, verbose_name=_("抽查事项"), on_delete=models.PROTECT,
                             related_name="rules")
    ratio = models.DecimalField(_("抽查比例"), max_digits=5, decimal_places=4,
                                validators=[RangeValidator(Decimal("0.0001"), 1)],
                                help_text=_("小数，如 0.05 表示 5%；不低于 5%（地方通行做法，待核实）"))
    per_object = models.PositiveSmallIntegerField(_("每个对象检查人员数"), default=2, validators=bounded(COUNT, lo=2, hi=10))
    frequency_per_year = models.PositiveSmallIntegerField(_("每年抽查次数"), default=1, validators=bounded(COUNT, lo=1, hi=12))
    recusal = models.CharField(_("回避规则"), max_length=500,
                               default="检查人员与检查对象同单位的回避；申报了利益冲突的回避")
    basis = models.CharField(_("制定依据"), max_length=300, default="国办发〔2015〕58号")
    is_demo = models.BooleanField(_("演示数据"), default=False)

    Scope = BureauOnly

    class Meta:
        verbose_name = _("抽查细则")
        verbose_name_plural = _("抽查细则")
        ordering = ["item", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ratio__gt=0, ratio__lte=1), name="rule_ratio_range"),
            models.CheckConstraint(condition=Q(per_object__gte=2, per_object__lte=10), name="rule_per_object_range"),
            models.CheckConstraint(condition=Q(frequency_per_year__gte=1, frequency_per_year__lte=12),
                                   name="rule_frequency_range"),
        ]

    def __str__(self) -> str:
        return self.name


class DrawPurpose(models.TextChoices):
    INSPECTION = "inspection", _("双随机抽查")
    REVIEW = "review", _("项目评审专家抽取")


class Draw(ScopedModel):
    """One draw by lot. Announced first (the seed and how it is formed, published before the draw
    date), then run from a snapshot of the rosters and published; once published the row is
    immutable (``save`` and ``delete`` refuse), so anyone can re-run it with
    ``kechuang supervision verify`` against the rosters kept here."""

    class Status(models.TextChoices):
        ANNOUNCED = "announced", _("已公告种子")
        PUBLISHED = "published", _("已抽取并公布")

    purpose = models.CharField(_("用途"), max_length=12, choices=DrawPurpose.choices, default=DrawPurpose.INSPECTION)
    title = models.CharField(_("名称"), max_length=200)
    rule = models.ForeignKey(InspectionRule, verbose_name=_("抽查细则"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="draws")
    seed = models.CharField(_("随机种子"), max_length=200, blank=True,
                            help_text=_("抽取当日录入：抽取日期加当日公开的数值，如 20261204-上证收盘3421.55"))
    seed_source = models.CharField(_("种子的形成方式"), max_length=300,
                                   help_text=_("如 抽取日期加抽取当日上证指数收盘点位，事先公告"))
    seed_entered_at = models.DateTimeField(_("种子录入时间"), null=True, blank=True)
    announced_on = models.DateField(_("公告日期"))
    draw_on = models.DateField(_("抽取日期"))
    ratio = models.DecimalField(_("抽查比例"), max_digits=5, decimal_places=4,
                                validators=[RangeValidator(Decimal("0.0001"), 1)])
    per_object = models.PositiveSmallIntegerField(_("每个对象人数"), validators=bounded(COUNT, lo=1, hi=10))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ANNOUNCED)
    objects_roster = models.JSONField(_("检查对象名录（快照）"), default=list, blank=True)
    inspectors_roster = models.JSONField(_("检查人员名录（快照）"), default=list, blank=True)
    conflicts_roster = models.JSONField(_("回避声明（快照）"), default=list, blank=True)
    input_digest = models.CharField(_("名录摘要"), max_length=64, blank=True)
    result = models.JSONField(_("抽取结果"), default=dict, blank=True)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope(BureauOnly):
        public = Q(status="published", purpose="inspection")
        anonymous = True

    class Meta:
        verbose_name = _("随机抽取")
        verbose_name_plural = _("随机抽取")
        ordering = ["-draw_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ratio__gt=0, ratio__lte=1), name="draw_ratio_range"),
            models.CheckConstraint(condition=Q(per_object__gte=1, per_object__lte=10), name="draw_per_object_range"),
            models.CheckConstraint(condition=Q(draw_on__gte=models.F("announced_on")), name="draw_after_announcement"),
            models.CheckConstraint(condition=Q(status="announced") | ~Q(seed=""), name="draw_published_has_seed"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.pk and Draw.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            from django.core.exceptions import ValidationError

            raise ValidationError("已公布的抽取记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED:
            from django.core.exceptions import ValidationError

            raise ValidationError("已公布的抽取记录不可删除")
        return super().delete(*args, **kwargs)


class Outcome(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    RECTIFY = "rectify", _("责令整改")


class InspectionResult(ScopedModel):
    """The result of one drawn object of a published draw: 合格 / 不合格 / 责令整改 with the basis,
    rectification follow-up, and 公示 (due within 20 working days of entry)."""

    draw = models.ForeignKey(Draw, verbose_name=_("抽取"), on_delete=models.PROTECT, related_name="results")
    object_ref = models.CharField(_("检查对象编号"), max_length=40)
    object_name = models.CharField(_("检查对象"), max_length=200)
    inspected_on = models.DateField(_("检查日期"))
    outcome = models.CharField(_("检查结果"), max_length=8, choices=Outcome.choices)
    finding = models.CharField(_("检查情况"), max_length=1000)
    basis = models.CharField(_("处理依据"), max_length=500)
    entered_on = models.DateField(_("录入日期"))
    publish_due = models.DateField(_("公示期限"))
    publicized_on = models.DateField(_("公示日期"), null=True, blank=True)
    rectify_due = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    rectify_note = models.CharField(_("整改复查情况"), max_length=1000, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope(BureauOnly):
        public = Q(publicized_on__isnull=False)
        anonymous = True

    class Meta:
        verbose_name = _("抽查结果")
        verbose_name_plural = _("抽查结果")
        ordering = ["draw", "object_ref"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "object_ref"], name="one_result_per_drawn_object"),
            models.CheckConstraint(condition=~Q(outcome="rectify") | Q(rectify_due__isnull=False),
                                   name="rectify_has_due_date"),
            models.CheckConstraint(condition=Q(publish_due__gte=models.F("entered_on")), name="publish_due_after_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.object_name} {self.get_outcome_display()}"


# =============================================================================================
# 科技计划项目: plan categories and calls (指南), applications with 科研诚信承诺 and 信用承诺+容缺,
# 形式审查, expert review (experts drawn with conflict avoidance), 立项 with 任务书 and 公示, 拨款
# instalments, 中期检查, 变更, 验收 → 结题 / 终止 / 撤销, 宽容失败.
# =============================================================================================

def _money(label, **kw):
    return models.DecimalField(label, max_digits=14, decimal_places=4, **kw)


MAX_PROJECT_MONEY = 100_000  # 万元 (10 亿): a bound no municipal project reaches


class PlanCategory(ScopedModel):
    """科技计划类别 (e.g. 重点研发、揭榜挂帅、产学研合作), as data."""

    code = models.CharField(_("类别代码"), max_length=30, unique=True)
    name = models.CharField(_("计划类别"), max_length=100)
    description = models.CharField(_("说明"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope(BureauOnly):
        public = Q()

    class Meta:
        verbose_name = _("计划类别")
        verbose_name_plural = _("计划类别")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Call(ScopedModel):
    """申报指南 (call for applications) of one category and year. A call made from a 揭榜挂帅 榜单
    (``challenge``) turns that challenge into projects through this flow."""

    category = models.ForeignKey(PlanCategory, verbose_name=_("计划类别"), on_delete=models.PROTECT,
                                 related_name="calls")
    year = models.PositiveSmallIntegerField(_("年度"), validators=bounded(YEAR, lo=2000))
    title = models.CharField(_("指南名称"), max_length=200)
    guide = models.TextField(_("指南内容"), blank=True)
    opens_on = models.DateField(_("申报开始"))
    closes_on = models.DateField(_("申报截止"))
    max_amount = _money(_("单项资助上限（万元）"), validators=[MinValueValidator(0), MaxValueValidator(MAX_PROJECT_MONEY)])
    experts_per_project = models.PositiveSmallIntegerField(_("每项评审专家数"), default=3, validators=bounded(COUNT, lo=3, hi=15))
    required_documents = models.JSONField(_("申报材料清单"), default=list, blank=True)
    challenge = models.OneToOneField("techmarket.Challenge", verbose_name=_("揭榜挂帅榜单"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="call")
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope(BureauOnly):
        public = Q()

    class Meta:
        verbose_name = _("申报指南")
        verbose_name_plural = _("申报指南")
        ordering = ["-year", "-opens_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="call_dates_ordered"),
            models.CheckConstraint(condition=Q(max_amount__gte=0, max_amount__lte=MAX_PROJECT_MONEY),
                                   name="call_amount_range"),
            models.CheckConstraint(condition=Q(experts_per_project__gte=3, experts_per_project__lte=15),
                                   name="call_experts_range"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="call_year_range"),
        ]

    def __str__(self) -> str:
        return self.title


class Expert(ScopedModel):
    """评审专家库: one expert with unit and field, bound to a user of role EXPERT (``account``).
    Admitted only when the credit check (专家入库) passes."""

    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("工作单位"), max_length=200)
    field = models.CharField(_("专业领域"), max_length=100, blank=True)
    title = models.CharField(_("职称"), max_length=50, blank=True)
    person_id_digest = models.CharField(_("身份证号摘要"), max_length=64, blank=True)
    account = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("系统账户"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="expert")
    admitted_on = models.DateField(_("入库日期"))
    active = models.BooleanField(_("在库"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    Scope = BureauOnly

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家库")
        ordering = ["unit", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class ExpertConflict(ScopedModel):
    """An expert's tie to a unit: a declared conflict (any time) or a collaboration (counts for 3
    years). Units are compared by name with the applicant and the co-applicants."""

    class Kind(models.TextChoices):
        DECLARED = "declared", _("本人申报的利益关系")
        COLLABORATION = "collaboration", _("近三年合作")

    expert = models.ForeignKey(Expert, verbose_name=_("专家"), on_delete=models.CASCADE, related_name="conflicts")
    unit = models.CharField(_("单位"), max_length=200)
    kind = models.CharField(_("类型"), max_length=14, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("合作年份"), null=True, blank=True, validators=bounded(YEAR))
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    Scope = BureauOnly

    class Meta:
        verbose_name = _("专家回避关系")
        verbose_name_plural = _("专家回避关系")
        constraints = [models.CheckConstraint(condition=~Q(kind="collaboration") | Q(year__isnull=False),
                                              name="collaboration_has_year"),
                       models.CheckConstraint(condition=Q(year__isnull=True) | Q(year__gte=1949, year__lte=2100),
                                              name="conflict_year_range")]

    def __str__(self) -> str:
        return f"{self.expert.name} ↔ {self.unit}"


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已提交")
    REVIEW = "review", _("专家评审中")
    REJECTED = "rejected", _("未立项")
    IN_PROGRESS = "in_progress", _("实施中")
    COMPLETED = "completed", _("已结题")
    TERMINATED = "terminated", _("已终止")
    REVOKED = "revoked", _("已撤销")


class Project(ScopedModel):
    """科技计划项目 from application to closure. Transitions are declared once in
    :data:`kechuang.supervision.projects.TRANSITIONS` (source states, target, permission)."""

    INSPECTABLE = ("in_progress", "completed")

    call = models.ForeignKey(Call, verbose_name=_("申报指南"), on_delete=models.PROTECT, related_name="projects")
    applicant = models.ForeignKey("enterprises.Enterprise", verbose_name=_("申报单位"), on_delete=models.PROTECT,
                                  related_name="plan_projects")
    title = models.CharField(_("项目名称"), max_length=200)
    pi_name = models.CharField(_("项目负责人"), max_length=50)
    co_applicants = models.JSONField(_("合作单位"), default=list, blank=True)
    summary = models.TextField(_("项目摘要"), blank=True)
    requested_amount = _money(_("申请资助（万元）"),
                              validators=[MinValueValidator(0), MaxValueValidator(MAX_PROJECT_MONEY)])
    integrity_promise = models.BooleanField(_("已签署科研诚信承诺书"), default=False)
    credit_promise = models.BooleanField(_("已签署信用承诺（容缺办理）"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    formal_note = models.CharField(_("形式审查意见"), max_length=500, blank=True)
    review_draw = models.ForeignKey(Draw, verbose_name=_("专家抽取"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="projects")
    score = models.DecimalField(_("评审得分"), max_digits=5, decimal_places=2, null=True, blank=True,
                                validators=[RangeValidator(0, 100)])
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True, validators=bounded(ORDER, lo=1))
    # 任务书
    goals = models.TextField(_("任务目标"), blank=True)
    indicators = models.JSONField(_("考核指标"), default=list, blank=True)
    budget_lines = models.JSONField(_("预算科目"), default=list, blank=True)
    lump_sum = models.BooleanField(_("经费包干制"), default=False)
    approved_amount = _money(_("立项资助（万元）"), null=True, blank=True,
                             validators=[MinValueValidator(0), MaxValueValidator(MAX_PROJECT_MONEY)])
    approved_on = models.DateField(_("立项日期"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("立项公示截止"), null=True, blank=True)
    start_on = models.DateField(_("实施开始"), null=True, blank=True)
    end_on = models.DateField(_("实施结束"), null=True, blank=True)
    midterm_due = models.DateField(_("中期检查期限"), null=True, blank=True)
    midterm_on = models.DateField(_("中期检查日期"), null=True, blank=True)
    midterm_conclusion = models.CharField(_("中期检查结论"), max_length=500, blank=True)
    closed_on = models.DateField(_("结题/终止日期"), null=True, blank=True)
    indicators_met = models.BooleanField(_("考核指标完成"), null=True, blank=True)
    audit_passed = models.BooleanField(_("财务审计通过"), null=True, blank=True)
    closing_note = models.CharField(_("验收/终止/撤销意见"), max_length=1000, blank=True)
    diligent = models.BooleanField(_("认定勤勉尽责"), null=True, blank=True)
    challenge_subsidy = _money(_("揭榜挂帅补助（万元）"), null=True, blank=True,
                               validators=[MinValueValidator(50), MaxValueValidator(200)])
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope:
        township = "applicant__township"
        enterprise = "applicant"
        org_unit = None
        broker = None
        public = None

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """Bureau: all. Enterprise: its own applications. Township clerk: its township's (view).
        Expert: the applications assigned to them for review — never one of their own unit (view).
        Finance officer: approved projects (view, for 拨款). Others: none."""
        role = getattr(user, "role", "")
        view = action in ("view", "export")
        if role == Role.BUREAU_STAFF:
            return qs
        if role == Role.ENTERPRISE_USER and user.enterprise_id:
            return qs.filter(applicant_id=user.enterprise_id)
        if role == Role.TOWNSHIP_CLERK and user.township_id and view:
            return qs.filter(applicant__township_id=user.township_id)
        if role == Role.EXPERT and view:
            expert = Expert.objects.filter(account_id=user.pk).first()
            if expert is None:
                return qs.none()
            return qs.filter(reviews__expert=expert).exclude(applicant__name=expert.unit).distinct()
        if role == Role.FINANCE_OFFICER and view:
            return qs.filter(status__in=cls.INSPECTABLE)
        return qs.none()

    class Meta:
        verbose_name = _("科技计划项目")
        verbose_name_plural = _("科技计划项目")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(requested_amount__gte=0, requested_amount__lte=MAX_PROJECT_MONEY),
                                   name="project_requested_range"),
            models.CheckConstraint(condition=Q(approved_amount__isnull=True)
                                   | Q(approved_amount__gte=0, approved_amount__lte=MAX_PROJECT_MONEY),
                                   name="project_approved_range"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                                   name="project_score_range"),
            models.CheckConstraint(condition=Q(rank__isnull=True) | Q(rank__gte=1, rank__lte=int(ORDER.hi)),
                                   name="project_rank_range"),
            models.CheckConstraint(condition=Q(challenge_subsidy__isnull=True)
                                   | Q(challenge_subsidy__gte=50, challenge_subsidy__lte=200),
                                   name="project_challenge_subsidy_range"),
            models.CheckConstraint(condition=Q(status="draft") | Q(integrity_promise=True),
                                   name="project_submitted_with_promise"),
        ]

    def __str__(self) -> str:
        return self.title


class MissingDocument(ScopedModel):
    """信用承诺+容缺办理: a document missing at submission, promised by ``due_on``."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE,
                                related_name="missing_documents")
    name = models.CharField(_("容缺材料"), max_length=200)
    due_on = models.DateField(_("承诺补交期限"))
    submitted_on = models.DateField(_("补交日期"), null=True, blank=True)

    class Scope:
        township = "project__applicant__township"
        enterprise = "project__applicant"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("容缺材料")
        verbose_name_plural = _("容缺材料")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.name


class ReviewAssignment(ScopedModel):
    """One drawn expert's review of one application: score 0–100 and comment. Only the bureau and
    the expert themself see it (the applicant sees the average score, never the names)."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="reviews")
    expert = models.ForeignKey(Expert, verbose_name=_("专家"), on_delete=models.PROTECT, related_name="reviews")
    score = models.DecimalField(_("评分"), max_digits=5, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(0), MaxValueValidator(100)])
    comment = models.CharField(_("评审意见"), max_length=2000, blank=True)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)

    class Scope(BureauOnly):
        pass

    @classmethod
    def scope_queryset(cls, qs, user, action):
        role = getattr(user, "role", "")
        if role == Role.BUREAU_STAFF:
            return qs
        if role == Role.EXPERT:
            return qs.filter(expert__account_id=user.pk)
        return qs.none()

    class Meta:
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "expert"], name="one_review_per_expert"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                                   name="review_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.expert}"


class Instalment(ScopedModel):
    """拨款 instalment of an approved project; paid by the finance side after the credit check."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="instalments")
    seq = models.PositiveSmallIntegerField(_("期次"), validators=bounded(COUNT, lo=1, hi=100))
    amount = _money(_("金额（万元）"), validators=[MinValueValidator(0), MaxValueValidator(MAX_PROJECT_MONEY)])
    planned_on = models.DateField(_("计划拨付日期"))
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    condition = models.CharField(_("拨付条件"), max_length=200, blank=True)

    class Scope:
        township = "project__applicant__township"
        enterprise = "project__applicant"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("拨款")
        verbose_name_plural = _("拨款")
        ordering = ["project", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["project", "seq"], name="one_instalment_per_seq"),
            models.CheckConstraint(condition=Q(amount__gte=0, amount__lte=MAX_PROJECT_MONEY), name="instalment_range"),
            models.CheckConstraint(condition=Q(seq__gte=1, seq__lte=100), name="instalment_seq_range"),
        ]

    def __str__(self) -> str:
        return f"{self.project} 第{self.seq}期"


class ChangeRequest(ScopedModel):
    """变更 (负责人、实施期限、预算) requested by the applicant, approved or refused by the bureau."""

    class Kind(models.TextChoices):
        PI = "pi", _("项目负责人")
        PERIOD = "period", _("实施期限")
        BUDGET = "budget", _("预算调整")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("不予批准")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("变更事项"), max_length=8, choices=Kind.choices)
    new_value = models.CharField(_("变更为"), max_length=500)
    reason = models.CharField(_("理由"), max_length=500)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)

    class Scope:
        township = "project__applicant__township"
        enterprise = "project__applicant"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("项目变更")
        verbose_name_plural = _("项目变更")
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()}"
