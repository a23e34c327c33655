"""科技特派员 (science and technology commissioners): registry and yearly selection, 订单式 needs and
菜单式 service items, 三方协议, countersigned service logs, 网上科技特派员 Q&A, assessment and 后补助.

Seed 004 第一章 四 and 第二章第五节 三、四; seed 000 附件1 第7项; the procedure follows DB35/T 2019-2021
《科技特派员服务规范》 (service procedure, three-party agreement, quality control, assessment).

Row scoping (``scope_queryset`` on every model, one helper ``_scope``):
- 科技局 sees all rows;
- a commissioner (Role.COMMISSIONER, bound by ``Commissioner.account``) sees their own
  commissioner row, needs assigned to them, their items, agreements, logs and questions;
- a 乡镇填报员 sees the rows whose recipient (服务对象) lies in their township;
- an enterprise user sees the rows whose recipient is their enterprise;
- recognised commissioners and published menu items are viewable by every signed-in business role.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.core.bounds import FILE_SIZE, MONEY, bounded
from kechuang.core.models import Role
from kechuang.core.scoping import ScopedModel

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_PEOPLE = 100_000          # people served by one service record
MAX_DAYS = Decimal("31")      # service days in one record


def _money(label, **kw):
    return models.DecimalField(label, max_digits=14, decimal_places=4, **kw)


class Kind(models.TextChoices):
    """三类科技特派员 (seed 004: 个人、团队、法人)."""

    INDIVIDUAL = "individual", _("个人科技特派员")
    TEAM = "team", _("团队科技特派员")
    LEGAL = "legal", _("法人科技特派员")


class Level(models.TextChoices):
    COUNTY = "county", _("县级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")


# 服务领域: farming and the 二三产业 the seed extends service to (第二章第五节 三).
FIELDS = ["农业", "林业", "畜牧水产", "加工制造", "社会治理", "文旅康养", "数字经济", "金融服务", "其他"]
FARMING_FIELDS = frozenset({"农业", "林业", "畜牧水产"})


def _scope(qs, user, action, *, commissioner: str | None, township: str | None, enterprise: str | None,
           public: Q | None = None):
    """The one scoping rule of this app (see module docstring); paths are relative to ``qs.model``."""
    role = getattr(user, "role", "")
    if role == Role.BUREAU_STAFF:
        return qs
    cond = None
    if role == Role.COMMISSIONER and commissioner:
        cond = Q(account=user.pk) if commissioner == "self" else Q(**{f"{commissioner}__account": user.pk})
    elif role == Role.TOWNSHIP_CLERK and township and user.township_id:
        cond = Q(**{township: user.township_id})
    elif role == Role.ENTERPRISE_USER and enterprise and user.enterprise_id:
        cond = Q(**{enterprise: user.enterprise_id})
    if action == "view" and public is not None and role not in {Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN, ""}:
        cond = public if cond is None else (cond | public)
    if cond is None:
        return qs.none()
    return qs.filter(cond).distinct()


class Village(ScopedModel):
    """A 行政村 under a township (the Region tree stops at townships); for 乡镇(村)全覆盖."""

    township = models.ForeignKey("core.Region", verbose_name=_("所属乡镇"), on_delete=models.PROTECT,
                                 related_name="commissioner_villages")
    name = models.CharField(_("村名"), max_length=60)
    demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("行政村")
        verbose_name_plural = _("行政村")
        ordering = ["township_id", "name"]
        constraints = [models.UniqueConstraint(fields=["township", "name"], name="comm_village_unique")]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        return _scope(qs, user, action, commissioner=None, township="township", enterprise=None, public=Q())

    def __str__(self) -> str:
        return f"{self.township.name}{self.name}"


class Commissioner(ScopedModel):
    """A 科技特派员: a person, a team (members, one leader) or a legal person (an organisation)."""

    class Status(models.TextChoices):
        RECOGNISED = "recognised", _("已认定")
        EXPIRED = "expired", _("已到期")
        REVOKED = "revoked", _("已撤销")

    name = models.CharField(_("姓名/团队/单位名称"), max_length=120)
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)
    level = models.CharField(_("认定级别"), max_length=10, choices=Level.choices, default=Level.COUNTY)
    source = models.CharField(_("选派来源"), max_length=40, default="本地",
                              help_text=_("本地，或跨区域来源如“北京”“台湾”"))
    dispatch_unit = models.CharField(_("派出单位"), max_length=120)
    title = models.CharField(_("职称/职务"), max_length=60, blank=True)
    expertise = models.TextField(_("专业特长"), blank=True, max_length=2000)
    fields = models.JSONField(_("服务领域"), default=list, blank=True)
    industries = models.CharField(_("服务产业"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    organisation = models.CharField(_("法人单位"), max_length=120, blank=True)
    townships = models.ManyToManyField("core.Region", verbose_name=_("服务乡镇"), blank=True,
                                       related_name="commissioners")
    villages = models.ManyToManyField(Village, verbose_name=_("服务村"), blank=True, related_name="commissioners")
    recognised_year = models.PositiveIntegerField(
        _("认定年度"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)])
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.RECOGNISED)
    account = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("登录账户"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="commissioner")
    demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("科技特派员")
        verbose_name_plural = _("科技特派员")
        ordering = ["-recognised_year", "name", "id"]
        constraints = [
            models.CheckConstraint(name="comm_commissioner_year",
                                   condition=Q(recognised_year__gte=MIN_YEAR, recognised_year__lte=MAX_YEAR)),
            models.CheckConstraint(name="comm_commissioner_kind", condition=Q(kind__in=Kind.values)),
            models.CheckConstraint(name="comm_commissioner_level", condition=Q(level__in=Level.values)),
        ]
        indexes = [models.Index(fields=["status", "recognised_year"])]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """Recognised commissioners are viewable by every business role; own row for a commissioner."""
        return _scope(qs, user, action, commissioner="self", township=None, enterprise=None,
                      public=Q(status=cls.Status.RECOGNISED))

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: dt.date) -> bool:
        return self.status == self.Status.RECOGNISED and self.valid_until >= day

    @property
    def masked_name(self) -> str:
        """A person's name shown as 张** on public pages; teams and legal persons in full."""
        if self.kind != Kind.INDIVIDUAL or len(self.name) < 2:
            return self.name
        return self.name[0] + "*" * (len(self.name) - 1)

    @property
    def masked_phone(self) -> str:
        p = self.phone or ""
        return p[:3] + "****" + p[-4:] if len(p) >= 11 else ("*" * len(p))

    @property
    def fields_label(self) -> str:
        return "、".join(self.fields or []) or "—"


class TeamMember(ScopedModel):
    """A member of a 团队科技特派员 (one is the leader)."""

    commissioner = models.ForeignKey(Commissioner, verbose_name=_("团队"), on_delete=models.CASCADE,
                                     related_name="members")
    name = models.CharField(_("姓名"), max_length=60)
    unit = models.CharField(_("工作单位"), max_length=120, blank=True)
    speciality = models.CharField(_("专业"), max_length=120, blank=True)
    is_leader = models.BooleanField(_("团队负责人"), default=False)

    class Meta:
        verbose_name = _("团队成员")
        verbose_name_plural = _("团队成员")
        ordering = ["-is_leader", "id"]
        constraints = [models.UniqueConstraint(fields=["commissioner"], condition=Q(is_leader=True),
                                               name="comm_team_one_leader")]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        return _scope(qs, user, action, commissioner="commissioner", township=None, enterprise=None,
                      public=Q(commissioner__status=Commissioner.Status.RECOGNISED))


class Recognition(ScopedModel):
    """One year's recognition of a commissioner (history across years)."""

    commissioner = models.ForeignKey(Commissioner, verbose_name=_("科技特派员"), on_delete=models.CASCADE,
                                     related_name="recognitions")
    year = models.PositiveIntegerField(_("年度"), validators=[MinValueValidator(MIN_YEAR),
                                                            MaxValueValidator(MAX_YEAR)])
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    valid_until = models.DateField(_("有效期至"))
    basis = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("选认轮次、省级名单文件等"))

    class Meta:
        verbose_name = _("认定记录")
        verbose_name_plural = _("认定记录")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["commissioner", "year", "level"], name="comm_recognition_unique"),
            models.CheckConstraint(name="comm_recognition_year", condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR)),
        ]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        return _scope(qs, user, action, commissioner="commissioner", township=None, enterprise=None,
                      public=Q(commissioner__status=Commissioner.Status.RECOGNISED))


class SelectionRound(ScopedModel):
    """A yearly 选认 round: 征集 → 申报 → 派出单位推荐 → 评审 → 认定公示 → 认定."""

    class Stage(models.TextChoices):
        CALL = "call", _("发布通知")
        APPLY = "apply", _("申报")
        RECOMMEND = "recommend", _("派出单位推荐")
        REVIEW = "review", _("评审")
        PUBLICITY = "publicity", _("认定公示")
        DONE = "done", _("已认定")

    year = models.PositiveIntegerField(_("年度"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)])
    title = models.CharField(_("名称"), max_length=120)
    level = models.CharField(_("认定级别"), max_length=10, choices=Level.choices, default=Level.COUNTY)
    notice = models.TextField(_("通知内容"), blank=True, max_length=5000)
    stage = models.CharField(_("环节"), max_length=12, choices=Stage.choices, default=Stage.CALL)
    publicity_from = models.DateField(_("公示开始"), null=True, blank=True)
    publicity_days = models.PositiveIntegerField(_("公示天数"), default=5, validators=[MaxValueValidator(60)],
                                                 help_text=_("待核实：本地文件未规定公示期，默认 5 个工作日"))
    demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("选认轮次")
        verbose_name_plural = _("选认轮次")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(name="comm_round_year", condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR)),
            models.CheckConstraint(name="comm_round_days", condition=Q(publicity_days__lte=60)),
        ]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        return _scope(qs, user, action, commissioner=None, township=None, enterprise=None, public=Q())

    def __str__(self) -> str:
        return self.title


class Application(ScopedModel):
    """One application in a round, carried through recommendation and review to recognition."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已申报")
        RECOMMENDED = "recommended", _("派出单位已推荐")
        NOT_RECOMMENDED = "not_recommended", _("派出单位不推荐")
        APPROVED = "approved", _("评审通过")
        REJECTED = "rejected", _("评审未通过")
        RECOGNISED = "recognised", _("已认定")

    round = models.ForeignKey(SelectionRound, verbose_name=_("轮次"), on_delete=models.CASCADE,
                              related_name="applications")
    name = models.CharField(_("申报人/团队/单位"), max_length=120)
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)
    source = models.CharField(_("选派来源"), max_length=40, default="本地")
    dispatch_unit = models.CharField(_("派出单位"), max_length=120)
    expertise = models.TextField(_("专业特长"), blank=True, max_length=2000)
    fields = models.JSONField(_("服务领域"), default=list, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    townships = models.ManyToManyField("core.Region", verbose_name=_("拟服务乡镇"), blank=True, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    recommendation = models.TextField(_("推荐意见"), blank=True, max_length=2000)
    review_score = models.DecimalField(_("评审得分"), max_digits=5, decimal_places=2, null=True, blank=True,
                                       validators=[MinValueValidator(0), MaxValueValidator(100)])
    review_note = models.TextField(_("评审意见"), blank=True, max_length=2000)
    commissioner = models.ForeignKey(Commissioner, verbose_name=_("认定后的特派员"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申报账户"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("选认申报")
        verbose_name_plural = _("选认申报")
        ordering = ["round_id", "id"]
        constraints = [models.CheckConstraint(
            name="comm_application_score",
            condition=Q(review_score__isnull=True) | Q(review_score__gte=0, review_score__lte=100))]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        role = getattr(user, "role", "")
        if role == Role.COMMISSIONER:
            return qs.filter(Q(applicant=user) | Q(commissioner__account=user))
        return _scope(qs, user, action, commissioner=None, township=None, enterprise=None)


class Recipient(ScopedModel):
    """A 服务对象: a township, a village, a cooperative or an enterprise."""

    class Kind(models.TextChoices):
        TOWNSHIP = "township", _("乡镇")
        VILLAGE = "village", _("村")
        COOPERATIVE = "cooperative", _("合作社")
        ENTERPRISE = "enterprise", _("企业")

    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=120)
    township = models.ForeignKey("core.Region", verbose_name=_("所在乡镇"), on_delete=models.PROTECT,
                                 related_name="commissioner_recipients")
    village = models.ForeignKey(Village, verbose_name=_("所在村"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="recipients")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="commissioner_recipients")
    contact = models.CharField(_("联系人"), max_length=40, blank=True)
    demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("服务对象")
        verbose_name_plural = _("服务对象")
        ordering = ["township_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["township", "kind", "name"], name="comm_recipient_unique"),
            models.CheckConstraint(name="comm_recipient_enterprise",
                                   condition=~Q(kind="enterprise") | Q(enterprise__isnull=False)),
            models.CheckConstraint(name="comm_recipient_village",
                                   condition=~Q(kind="village") | Q(village__isnull=False)),
        ]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        return _scope(qs, user, action, commissioner=None, township="township", enterprise="enterprise")

    def __str__(self) -> str:
        return self.name

    def is_confirmer(self, user) -> bool:
        """Who confirms services for this recipient: the enterprise's users for an enterprise, the
        township's clerk for a township, village or cooperative (they hold no accounts of their own)."""
        role = getattr(user, "role", "")
        if self.kind == self.Kind.ENTERPRISE:
            return role == Role.ENTERPRISE_USER and user.enterprise_id == self.enterprise_id
        return role == Role.TOWNSHIP_CLERK and user.township_id == self.township_id


class Need(ScopedModel):
    """订单式需求: a recipient posts what it needs; commissioners are proposed and one assigned."""

    class Status(models.TextChoices):
        OPEN = "open", _("待对接")
        ASSIGNED = "assigned", _("已指派")
        ACCEPTED = "accepted", _("特派员已接单")
        CLOSED = "closed", _("已关闭")

    recipient = models.ForeignKey(Recipient, verbose_name=_("服务对象"), on_delete=models.PROTECT,
                                  related_name="needs")
    title = models.CharField(_("需求名称"), max_length=200)
    description = models.TextField(_("需求描述"), max_length=5000)
    field = models.CharField(_("所属领域"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    posted_on = models.DateField(_("发布日期"), default=dt.date.today)
    demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("订单式需求")
        verbose_name_plural = _("订单式需求")
        ordering = ["-posted_on", "-id"]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """A commissioner sees the needs assigned to them (and may view open ones to offer help)."""
        return _scope(qs, user, action, commissioner="assignments__commissioner", township="recipient__township",
                      enterprise="recipient__enterprise")

    def __str__(self) -> str:
        return self.title


class Assignment(ScopedModel):
    """A need given to a commissioner, who accepts or declines with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待回复")
        ACCEPTED = "accepted", _("已接受")
        DECLINED = "declined", _("已谢绝")

    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="assignments")
    commissioner = models.ForeignKey(Commissioner, verbose_name=_("科技特派员"), on_delete=models.PROTECT,
                                     related_name="assignments")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(_("谢绝理由"), blank=True, max_length=1000)
    score = models.DecimalField(_("推荐得分"), max_digits=6, decimal_places=4, default=0,
                                validators=[MinValueValidator(0), MaxValueValidator(1)])
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("指派人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("需求指派")
        verbose_name_plural = _("需求指派")
        ordering = ["-assigned_at"]
        constraints = [
            models.CheckConstraint(name="comm_assignment_score", condition=Q(score__gte=0, score__lte=1)),
            models.CheckConstraint(name="comm_assignment_reason",
                                   condition=~Q(status="declined") | ~Q(reason="")),
        ]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        return _scope(qs, user, action, commissioner="commissioner", township="need__recipient__township",
                      enterprise="need__recipient__enterprise")


class ServiceItem(ScopedModel):
    """菜单式服务: what a commissioner offers (training, on-site guidance, testing, …) and when."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("技术培训")
        ONSITE = "onsite", _("现场指导")
        TESTING = "testing", _("检验检测")
        PRODUCT = "product", _("产品研发")
        CONSULT = "consult", _("咨询诊断")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已下架")

    commissioner = models.ForeignKey(Commissioner, verbose_name=_("科技特派员"), on_delete=models.CASCADE,
                                     related_name="items")
    kind = models.CharField(_("服务类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("服务名称"), max_length=200)
    description = models.TextField(_("服务内容"), max_length=3000)
    available = models.CharField(_("可服务时间"), max_length=120, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("菜单式服务")
        verbose_name_plural = _("菜单式服务")
        ordering = ["-id"]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        return _scope(qs, user, action, commissioner="commissioner", township=None, enterprise=None,
                      public=Q(status=cls.Status.PUBLISHED))

    def __str__(self) -> str:
        return self.title


class ServiceOrder(ScopedModel):
    """A recipient orders an item from the menu."""

    class Status(models.TextChoices):
        ORDERED = "ordered", _("已下单")
        ACCEPTED = "accepted", _("已接单")
        DECLINED = "declined", _("已谢绝")

    item = models.ForeignKey(ServiceItem, verbose_name=_("服务"), on_delete=models.PROTECT, related_name="orders")
    recipient = models.ForeignKey(Recipient, verbose_name=_("服务对象"), on_delete=models.PROTECT,
                                  related_name="orders")
    note = models.TextField(_("说明"), blank=True, max_length=1000)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ORDERED)
    reason = models.TextField(_("谢绝理由"), blank=True, max_length=1000)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("下单人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    ordered_at = models.DateTimeField(_("下单时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务订单")
        verbose_name_plural = _("服务订单")
        ordering = ["-ordered_at"]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        return _scope(qs, user, action, commissioner="item__commissioner", township="recipient__township",
                      enterprise="recipient__enterprise")


class Agreement(ScopedModel):
    """三方协议 between the 派出单位, the commissioner and the recipient (DB35/T 2019-2021)."""

    class Benefit(models.TextChoices):
        NONE = "none", _("无（公益服务）")
        EQUITY = "equity", _("技术入股")
        SHARE = "share", _("利益分成")
        BOTH = "both", _("技术入股并利益分成")

    class Status(models.TextChoices):
        DRAFT = "draft", _("待签署")
        SIGNED = "signed", _("已签署")

    commissioner = models.ForeignKey(Commissioner, verbose_name=_("科技特派员"), on_delete=models.PROTECT,
                                     related_name="agreements")
    recipient = models.ForeignKey(Recipient, verbose_name=_("服务对象"), on_delete=models.PROTECT,
                                  related_name="agreements")
    need = models.ForeignKey(Need, verbose_name=_("来源需求"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="agreements")
    order = models.ForeignKey(ServiceOrder, verbose_name=_("来源订单"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="agreements")
    dispatch_unit = models.CharField(_("派出单位"), max_length=120)
    goals = models.TextField(_("服务目标"), max_length=3000)
    starts_on = models.DateField(_("服务期起"))
    ends_on = models.DateField(_("服务期止"))
    deliverables = models.TextField(_("服务内容与成果"), max_length=3000)
    rights = models.TextField(_("三方权利义务"), blank=True, max_length=3000)
    benefit = models.CharField(_("利益联结方式"), max_length=8, choices=Benefit.choices, default=Benefit.NONE)
    equity_ratio = models.DecimalField(_("技术入股比例"), max_digits=5, decimal_places=4, null=True, blank=True,
                                       validators=[MinValueValidator(0), MaxValueValidator(1)])
    share_ratio = models.DecimalField(_("利益分成比例"), max_digits=5, decimal_places=4, null=True, blank=True,
                                      validators=[MinValueValidator(0), MaxValueValidator(1)])
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    signed_file = models.FileField(_("签署件"), upload_to="commissioners/agreements/%Y/", blank=True)
    signed_name = models.CharField(_("签署件文件名"), max_length=200, blank=True)
    signed_on = models.DateField(_("签署日期"), null=True, blank=True)
    demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("三方协议")
        verbose_name_plural = _("三方协议")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="comm_agreement_period", condition=Q(ends_on__gte=models.F("starts_on"))),
            models.CheckConstraint(name="comm_agreement_equity",
                                   condition=Q(equity_ratio__isnull=True) | Q(equity_ratio__gte=0, equity_ratio__lte=1)),
            models.CheckConstraint(name="comm_agreement_share",
                                   condition=Q(share_ratio__isnull=True) | Q(share_ratio__gte=0, share_ratio__lte=1)),
        ]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        return _scope(qs, user, action, commissioner="commissioner", township="recipient__township",
                      enterprise="recipient__enterprise")

    def __str__(self) -> str:
        return f"{self.commissioner} · {self.recipient}"


class ServiceLog(ScopedModel):
    """One service by a commissioner. It counts (assessment, subsidy, coverage) only once the
    recipient confirmed it; a disputed log is excluded until the bureau resolves it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待服务对象确认")
        CONFIRMED = "confirmed", _("服务对象已确认")
        DISPUTED = "disputed", _("服务对象有异议")
        REJECTED = "rejected", _("异议成立，不予计入")

    commissioner = models.ForeignKey(Commissioner, verbose_name=_("科技特派员"), on_delete=models.PROTECT,
                                     related_name="logs")
    recipient = models.ForeignKey(Recipient, verbose_name=_("服务对象"), on_delete=models.PROTECT, related_name="logs")
    agreement = models.ForeignKey(Agreement, verbose_name=_("三方协议"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="logs")
    served_on = models.DateField(_("服务日期"))
    days = models.DecimalField(_("服务天数"), max_digits=4, decimal_places=1, default=Decimal("1"),
                               validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_DAYS)])
    place = models.CharField(_("服务地点"), max_length=200)
    content = models.TextField(_("服务内容"), max_length=3000)
    field = models.CharField(_("服务领域"), max_length=20, blank=True)
    people = models.PositiveIntegerField(_("服务人数"), default=0, validators=[MaxValueValidator(MAX_PEOPLE)])
    online = models.BooleanField(_("网上服务"), default=False)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    status = models.CharField(_("确认状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    dispute_reason = models.TextField(_("异议内容"), blank=True, max_length=1000)
    resolution = models.TextField(_("异议处理意见"), blank=True, max_length=1000)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # results the recipient reports when confirming (DB35/T: 服务成效)
    income_increase = _money(_("增收（万元）"), default=Decimal("0"),
                             validators=[MinValueValidator(0), MaxValueValidator(Decimal("100000"))])
    new_varieties = models.PositiveIntegerField(_("引进新品种"), default=0, validators=[MaxValueValidator(1000)])
    new_techniques = models.PositiveIntegerField(_("推广新技术"), default=0, validators=[MaxValueValidator(1000)])
    rating = models.PositiveSmallIntegerField(_("满意度评价"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务日志")
        verbose_name_plural = _("服务日志")
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(name="comm_log_days", condition=Q(days__gte=Decimal("0.5"), days__lte=MAX_DAYS)),
            models.CheckConstraint(name="comm_log_people", condition=Q(people__lte=MAX_PEOPLE)),
            models.CheckConstraint(name="comm_log_income",
                                   condition=Q(income_increase__gte=0, income_increase__lte=Decimal("100000"))),
            models.CheckConstraint(name="comm_log_counts", condition=Q(new_varieties__lte=1000, new_techniques__lte=1000)),
            models.CheckConstraint(name="comm_log_rating",
                                   condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5)),
            models.CheckConstraint(name="comm_log_lat", condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90)),
            models.CheckConstraint(name="comm_log_lng",
                                   condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180)),
        ]
        indexes = [models.Index(fields=["status", "served_on"])]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        return _scope(qs, user, action, commissioner="commissioner", township="recipient__township",
                      enterprise="recipient__enterprise")

    def __str__(self) -> str:
        return f"{self.commissioner} {self.served_on} {self.recipient}"

    @property
    def counts(self) -> bool:
        return self.status == self.Status.CONFIRMED


class LogAttachment(ScopedModel):
    """A photo or file of a service log (type and size checked like dispatch attachments)."""

    log = models.ForeignKey(ServiceLog, verbose_name=_("服务日志"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to="commissioners/logs/%Y/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"), validators=bounded(FILE_SIZE))

    class Meta:
        verbose_name = _("服务日志附件")
        verbose_name_plural = _("服务日志附件")
        constraints = [models.CheckConstraint(name="comm_attachment_size_range",
                                              condition=Q(size__gte=0, size__lte=int(FILE_SIZE.hi)))]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        return _scope(qs, user, action, commissioner="log__commissioner", township="log__recipient__township",
                      enterprise="log__recipient__enterprise")


class Question(ScopedModel):
    """网上科技特派员: a recipient asks online, a commissioner answers; the answer becomes an online
    service log that counts once the asker confirms it."""

    recipient = models.ForeignKey(Recipient, verbose_name=_("提问方"), on_delete=models.PROTECT,
                                  related_name="questions")
    commissioner = models.ForeignKey(Commissioner, verbose_name=_("科技特派员"), on_delete=models.PROTECT,
                                     related_name="questions")
    text = models.TextField(_("问题"), max_length=2000)
    answer = models.TextField(_("解答"), blank=True, max_length=5000)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提问人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    asked_at = models.DateTimeField(_("提问时间"), auto_now_add=True)
    answered_at = models.DateTimeField(_("解答时间"), null=True, blank=True)
    log = models.OneToOneField(ServiceLog, verbose_name=_("服务日志"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="question")

    class Meta:
        verbose_name = _("网上咨询")
        verbose_name_plural = _("网上咨询")
        ordering = ["-asked_at"]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        return _scope(qs, user, action, commissioner="commissioner", township="recipient__township",
                      enterprise="recipient__enterprise")


class AssessmentRule(ScopedModel):
    """Dated assessment weights, grade lines and 后补助 amounts (the 专项资金管理办法's numbers are not
    in our texts: every value is a parameter marked 待核实 until the bureau enters the adopted one)."""

    effective_from = models.DateField(_("生效日期"), unique=True)
    weights = models.JSONField(_("权重"), help_text=_("{days, recipients, results, rating}，合计 1"))
    targets = models.JSONField(_("满分基准"), default=dict, blank=True,
                               help_text=_("{days: 30, recipients: 5, results: 3}：达到即得该项满分"))
    grade_lines = models.JSONField(_("等次分数线"), help_text=_("{优秀: 85, 合格: 60}"))
    subsidy = models.JSONField(_("后补助标准（万元）"), help_text=_("{优秀: \"2\", 合格: \"1\", 不合格: \"0\"}"))
    citation = models.CharField(_("依据"), max_length=200, default="待核实")
    unverified = models.BooleanField(_("待核实"), default=True)

    class Meta:
        verbose_name = _("考核参数")
        verbose_name_plural = _("考核参数")
        ordering = ["-effective_from"]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        return _scope(qs, user, action, commissioner=None, township=None, enterprise=None, public=Q())


class Assessment(ScopedModel):
    """A commissioner's yearly assessment, computed from confirmed logs only."""

    class Payment(models.TextChoices):
        NONE = "none", _("无后补助")
        PAYABLE = "payable", _("待转入兑现流程")
        BLOCKED = "blocked", _("信用核查未通过")
        REFERRED = "referred", _("已转入兑现流程")
        PAID = "paid", _("已拨付")   # rows from before the redemption flow took the 后补助 over

    commissioner = models.ForeignKey(Commissioner, verbose_name=_("科技特派员"), on_delete=models.CASCADE,
                                     related_name="assessments")
    year = models.PositiveIntegerField(_("年度"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)])
    rule = models.ForeignKey(AssessmentRule, verbose_name=_("考核参数"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    figures = models.JSONField(_("考核数据"), default=dict)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2,
                                validators=[MinValueValidator(0), MaxValueValidator(100)])
    grade = models.CharField(_("等次"), max_length=8)
    subsidy = _money(_("后补助（万元）"), default=Decimal("0"), validators=bounded(MONEY))
    payment = models.CharField(_("拨付状态"), max_length=8, choices=Payment.choices, default=Payment.NONE)
    payment_note = models.CharField(_("拨付说明"), max_length=300, blank=True)
    case = models.OneToOneField("policies.Case", verbose_name=_("兑现案件"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="commissioner_assessment")
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["-year", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["commissioner", "year"], name="comm_assessment_unique"),
            models.CheckConstraint(name="comm_assessment_score", condition=Q(score__gte=0, score__lte=100)),
            models.CheckConstraint(name="comm_assessment_subsidy", condition=Q(subsidy__gte=0, subsidy__lte=MONEY.hi)),
            models.CheckConstraint(name="comm_assessment_year_range",
                                   condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR)),
        ]

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """The finance bureau sees every assessment (it pays the 后补助); a commissioner their own."""
        if getattr(user, "role", "") == Role.FINANCE_OFFICER and action in ("view", "export", "change"):
            return qs
        return _scope(qs, user, action, commissioner="commissioner", township=None, enterprise=None)

    @property
    def payment_words(self) -> str:
        """The 后补助's state in words: the redemption case's state once referred."""
        if self.case_id:
            return f"兑现案件：{self.case.get_status_display()}"
        return self.get_payment_display()
