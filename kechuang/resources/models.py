"""Models of the 创新资源 module: 大院大所 profiles, shared large instruments and their bookings,
科技创新券 (scheme parameters, vouchers, redemptions, settlement batches), 科技服务机构 and
金融产品 with loans.

The 大院大所 row itself and the catalogue line of an instrument stay in the technology market
(``techmarket.Institute`` / ``techmarket.Instrument``, used by its pages and matching); this
module adds what the sharing network and the voucher scheme need, one-to-one beside them
(``InstituteProfile``, ``InstrumentProfile``).

Scoping (``ResourceScoped.scope_queryset``): 科技局 sees every row; 科研机构用户 the rows of the
institute its account is bound to (``ResourceAccount``); 科技服务机构用户 its organisation's
rows; 企业用户 its own bookings, vouchers, contracts and loans; 财政局 the voucher and
settlement rows; 乡镇 its enterprises' loans and vouchers; rows marked public (a published
instrument, an institute page, a registered organisation, an active product) are readable by
every signed-in business user, and by anonymous visitors where ``Scope.anonymous`` says so.
All money in 万元 (Decimal).
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.bounds import ORDER, bounded
from kechuang.core.roles import Role
from kechuang.core.scoping import ScopedModel

ZERO = Decimal("0")
MONEY_MAX = Decimal("1000000")       # 100 亿元 in 万元: above any single record here
HOURS_MAX = Decimal("10000")


def _money(label, **kw):
    kw.setdefault("validators", [MinValueValidator(ZERO), MaxValueValidator(MONEY_MAX)])
    return models.DecimalField(label, max_digits=16, decimal_places=4, **kw)


def _money_check(name: str, field: str, nullable: bool = False) -> models.CheckConstraint:
    cond = Q(**{f"{field}__gte": ZERO}) & Q(**{f"{field}__lte": MONEY_MAX})
    if nullable:
        cond = cond | Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(name=name, condition=cond)


SEED_CHAINS = ("石材陶瓷", "水暖厨卫", "鞋服纺织", "半导体", "新材料", "机械装备", "食品茶业", "生物医药")

_ADMIN = {Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN}


def account_of(user):
    """The ``ResourceAccount`` binding an institute or service-organisation user (cached on the user)."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    cached = getattr(user, "_resource_account", False)
    if cached is not False:
        return cached
    acc = ResourceAccount.objects.filter(user_id=user.pk).first()
    try:
        user._resource_account = acc
    except AttributeError:
        pass
    return acc


class ResourceScoped(ScopedModel):
    """Scoping shared by the module's models. ``Scope`` names paths (a string or a tuple of
    strings) to the institute, the service organisation, the enterprise and the township; ``finance``
    lets the 财政局 see all rows; ``public`` is a Q of rows every signed-in business user may view."""

    class Meta:
        abstract = True

    class Scope:
        institute = None
        service_org = None
        enterprise = None
        township = None
        finance = False
        public = None
        anonymous = False

    @classmethod
    def scope_queryset(cls, qs, user, action):
        role = getattr(user, "role", "")
        if role in _ADMIN or not role:
            return qs.none()
        if role == Role.BUREAU_STAFF:
            return qs
        scope = cls.Scope
        if role == Role.FINANCE_OFFICER and getattr(scope, "finance", False):
            return qs if action in ("view", "export", "change") else qs.none()
        cond = None

        def add(paths, value):
            nonlocal cond
            if not paths or value is None:
                return
            for p in (paths,) if isinstance(paths, str) else paths:
                q = Q(**{p: value})
                cond = q if cond is None else cond | q

        if role == Role.INSTITUTE_USER:
            acc = account_of(user)
            add(getattr(scope, "institute", None), acc.institute_id if acc else None)
        elif role == Role.SERVICE_ORG_USER:
            acc = account_of(user)
            add(getattr(scope, "service_org", None), acc.service_org_id if acc else None)
        elif role == Role.ENTERPRISE_USER:
            add(getattr(scope, "enterprise", None), getattr(user, "enterprise_id", None))
        elif role == Role.TOWNSHIP_CLERK and action in ("view", "export"):
            add(getattr(scope, "township", None), getattr(user, "township_id", None))
        public = getattr(scope, "public", None)
        if action == "view" and public is not None:
            cond = public if cond is None else cond | public
        if cond is None:
            return qs.none()
        return qs.filter(cond).distinct()


# --------------------------------------------------------------------------- accounts
class ResourceAccount(models.Model):
    """Binds a 科研机构用户 to its institute or a 科技服务机构用户 to its organisation (exactly one)."""

    unscoped_reason = "account bindings are read only by the scoping code itself and the bureau's account pages"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE,
                                related_name="resource_account")
    institute = models.ForeignKey("techmarket.Institute", verbose_name=_("科研机构"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="accounts")
    service_org = models.ForeignKey("resources.ServiceOrg", verbose_name=_("科技服务机构"), null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="accounts")

    class Meta:
        verbose_name = _("机构账号绑定")
        verbose_name_plural = _("机构账号绑定")
        constraints = [models.CheckConstraint(
            name="resaccount_exactly_one",
            condition=(Q(institute__isnull=False, service_org__isnull=True)
                       | Q(institute__isnull=True, service_org__isnull=False)))]

    def __str__(self) -> str:
        return f"{self.user} → {self.institute or self.service_org}"


# --------------------------------------------------------------------------- 大院大所
class InstituteProfile(ResourceScoped):
    """The 大院大所 / platform record beside ``techmarket.Institute``: category, level, fields,
    industry chains. Service results are never typed here: ``selectors.institute_results`` counts
    them from bookings, dispatches, deals and registered contracts."""

    class Category(models.TextChoices):
        UNIVERSITY = "university", _("高校")
        INSTITUTE = "institute", _("科研院所")
        NEW_RD = "new_rd", _("新型研发机构")
        PLATFORM = "platform", _("创新平台")

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家级")
        PROVINCIAL = "provincial", _("省级")
        MUNICIPAL = "municipal", _("市级")
        COUNTY = "county", _("县级")
        OTHER = "other", _("其他")

    institute = models.OneToOneField("techmarket.Institute", verbose_name=_("科研机构"), on_delete=models.CASCADE,
                                     related_name="profile")
    category = models.CharField(_("机构类别"), max_length=12, choices=Category.choices)
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices, default=Level.OTHER)
    fields = models.JSONField(_("技术领域"), default=list, blank=True)
    industry_chains = models.JSONField(_("服务产业链"), default=list, blank=True)
    summary = models.TextField(_("简介"), blank=True, max_length=5000)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    published = models.BooleanField(_("公开展示"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope:
        institute = "institute_id"
        public = Q(published=True)
        anonymous = True

    class Meta:
        verbose_name = _("大院大所档案")
        verbose_name_plural = _("大院大所档案")
        ordering = ["institute__name"]

    def __str__(self) -> str:
        return str(self.institute)


# --------------------------------------------------------------------------- 仪器共享
class InstrumentProfile(ResourceScoped):
    """A large instrument's record in the fields of the national sharing network (国家网络管理平台
    重大科研基础设施和大型科研仪器 信息项), one-to-one beside ``techmarket.Instrument``."""

    class SharingMode(models.TextChoices):
        OPEN = "open", _("对外开放共享")
        INTERNAL = "internal", _("内部共享")
        NONE = "none", _("不共享")

    class BookingMode(models.TextChoices):
        APPROVAL = "approval", _("预约须审核")
        INSTANT_PREAPPROVED = "instant", _("预授权用户即时确认")

    instrument = models.OneToOneField("techmarket.Instrument", verbose_name=_("仪器"), on_delete=models.CASCADE,
                                      related_name="profile")
    model_no = models.CharField(_("规格型号"), max_length=100, blank=True)
    maker = models.CharField(_("生产制造商"), max_length=200, blank=True)
    country = models.CharField(_("产地国别"), max_length=40, blank=True)
    value = _money(_("原值（万元）"))
    purchased_on = models.DateField(_("购置日期"), null=True, blank=True)
    location = models.CharField(_("安放地址"), max_length=200, blank=True)
    technical_indicators = models.TextField(_("主要技术指标"), blank=True, max_length=5000)
    main_functions = models.TextField(_("主要功能"), blank=True, max_length=5000)
    sharing_mode = models.CharField(_("共享方式"), max_length=10, choices=SharingMode.choices,
                                    default=SharingMode.OPEN)
    booking_mode = models.CharField(_("预约方式"), max_length=10, choices=BookingMode.choices,
                                    default=BookingMode.APPROVAL)
    operator_required = models.BooleanField(_("须由机组人员操作"), default=True)
    operator_requirement = models.CharField(_("操作人员要求"), max_length=300, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    preapproved = models.ManyToManyField("enterprises.Enterprise", verbose_name=_("预授权企业"), blank=True,
                                         related_name="preapproved_instruments")
    lock_version = models.PositiveBigIntegerField(default=0, editable=False, validators=bounded(ORDER, hi=10**12))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope:
        institute = "instrument__owner_id"
        public = Q(sharing_mode="open")
        anonymous = True

    class Meta:
        verbose_name = _("大型仪器档案")
        verbose_name_plural = _("大型仪器档案")
        ordering = ["instrument__name", "id"]
        constraints = [_money_check("instprofile_value_range", "value"),
                       models.CheckConstraint(name="instprofile_lock_version_range",
                                              condition=Q(lock_version__gte=0, lock_version__lte=10**12))]

    def __str__(self) -> str:
        return str(self.instrument)

    @property
    def large(self) -> bool:
        """原值 ≥ 50 万元 (the threshold of 大型科研仪器 in 国科发基〔2017〕289号)."""
        return self.value >= LARGE_INSTRUMENT_VALUE


LARGE_INSTRUMENT_VALUE = Decimal("50")


class UserCategory(models.TextChoices):
    INTERNAL = "internal", _("内部用户")
    ENTERPRISE = "enterprise", _("企业用户")
    VOUCHER = "voucher", _("创新券用户")


class FeeRule(ResourceScoped):
    """The price of one instrument for one category of user, per hour of use (万元/小时,
    shown in 元)."""

    instrument = models.ForeignKey("techmarket.Instrument", verbose_name=_("仪器"), on_delete=models.CASCADE,
                                   related_name="fee_rules")
    user_category = models.CharField(_("用户类别"), max_length=12, choices=UserCategory.choices)
    price_per_hour = models.DecimalField(_("单价（万元/小时）"), max_digits=10, decimal_places=4,
                                         validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))])
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Scope:
        institute = "instrument__owner_id"
        public = Q()
        anonymous = True

    class Meta:
        verbose_name = _("收费标准")
        verbose_name_plural = _("收费标准")
        ordering = ["instrument_id", "user_category"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "user_category"], name="feerule_one_per_category"),
            models.CheckConstraint(name="feerule_price_range",
                                   condition=Q(price_per_hour__gte=ZERO) & Q(price_per_hour__lte=Decimal("100"))),
        ]

    @property
    def yuan_per_hour(self) -> Decimal:
        return (self.price_per_hour * 10000).quantize(Decimal("1"))


class MaintenanceWindow(ResourceScoped):
    """A period the instrument cannot be booked (maintenance, calibration)."""

    instrument = models.ForeignKey("techmarket.Instrument", verbose_name=_("仪器"), on_delete=models.CASCADE,
                                   related_name="maintenance_windows")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Scope:
        institute = "instrument__owner_id"
        public = Q()

    class Meta:
        verbose_name = _("维护时段")
        verbose_name_plural = _("维护时段")
        ordering = ["starts_at"]
        constraints = [models.CheckConstraint(name="maint_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at")))]


class Booking(ResourceScoped):
    """One booking of an instrument: 申请 → 审核（预授权用户即时确认）→ 上机 → 下机（实际机时）→ 费用 → 评价.

    Overlapping active bookings of one instrument are refused by the database itself: an
    exclusion constraint on PostgreSQL, a trigger on SQLite (migration 0002)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审核")
        APPROVED = "approved", _("已确认")
        CHECKED_IN = "checked_in", _("使用中")
        COMPLETED = "completed", _("已完成")
        NO_SHOW = "no_show", _("爽约")
        CANCELLED = "cancelled", _("已取消")
        REJECTED = "rejected", _("未通过")

    ACTIVE = ("requested", "approved", "checked_in", "completed")

    instrument = models.ForeignKey("techmarket.Instrument", verbose_name=_("仪器"), on_delete=models.PROTECT,
                                   related_name="bookings")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("预约企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="instrument_bookings")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("预约人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    user_category = models.CharField(_("用户类别"), max_length=12, choices=UserCategory.choices)
    purpose = models.CharField(_("用途"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("预约开始"))
    ends_at = models.DateTimeField(_("预约结束"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.REQUESTED,
                              db_index=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("上机时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("下机时间"), null=True, blank=True)
    actual_hours = models.DecimalField(_("实际机时（小时）"), max_digits=8, decimal_places=2, null=True, blank=True,
                                       validators=[MinValueValidator(ZERO), MaxValueValidator(HOURS_MAX)])
    overrun_hours = models.DecimalField(_("超时（小时）"), max_digits=8, decimal_places=2, default=ZERO,
                                        validators=[MinValueValidator(ZERO), MaxValueValidator(HOURS_MAX)])
    fee = _money(_("费用（万元）"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价（1-5）"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope:
        institute = "instrument__owner_id"
        enterprise = "enterprise_id"
        township = "enterprise__township_id"

    class Meta:
        verbose_name = _("仪器预约")
        verbose_name_plural = _("仪器预约")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["instrument", "starts_at"], name="booking_instr_start")]
        constraints = [
            models.CheckConstraint(name="booking_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
            models.CheckConstraint(name="booking_hours_range",
                                   condition=(Q(actual_hours__isnull=True) | (Q(actual_hours__gte=ZERO)
                                              & Q(actual_hours__lte=HOURS_MAX)))
                                   & Q(overrun_hours__gte=ZERO) & Q(overrun_hours__lte=HOURS_MAX)),
            _money_check("booking_fee_range", "fee", nullable=True),
            models.CheckConstraint(name="booking_rating_range",
                                   condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5))),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.instrument} {local:%Y-%m-%d %H:%M}"

    @property
    def booked_hours(self) -> Decimal:
        return (Decimal((self.ends_at - self.starts_at).total_seconds()) / 3600).quantize(Decimal("0.01"))


# --------------------------------------------------------------------------- 科技服务机构
class ServiceOrg(ResourceScoped):
    """A registered 科技服务机构: kind, qualifications, legal person and shareholders (for the
    related-party check of vouchers), township."""

    class Kind(models.TextChoices):
        TESTING = "testing", _("检测认证")
        TRANSFER = "transfer", _("技术转移")
        IP = "ip", _("知识产权服务")
        CONSULTING = "consulting", _("科技咨询")
        INCUBATION = "incubation", _("孵化服务")

    name = models.CharField(_("机构名称"), max_length=200, unique=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    kind = models.CharField(_("服务类别"), max_length=12, choices=Kind.choices)
    qualifications = models.JSONField(_("资质"), default=list, blank=True)
    legal_person = models.CharField(_("法定代表人"), max_length=40, blank=True)
    shareholders = models.JSONField(_("股东"), default=list, blank=True)
    township = models.ForeignKey("core.Region", verbose_name=_("所在乡镇"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    registered = models.BooleanField(_("已备案"), default=True)
    industry_chains = models.JSONField(_("服务产业链"), default=list, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope:
        service_org = "pk"
        public = Q(registered=True)
        anonymous = True

    class Meta:
        verbose_name = _("科技服务机构")
        verbose_name_plural = _("科技服务机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceOffering(ResourceScoped):
    """One line of a service organisation's catalogue."""

    org = models.ForeignKey(ServiceOrg, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="offerings")
    name = models.CharField(_("服务名称"), max_length=200)
    category = models.CharField(_("服务类别"), max_length=12, choices=ServiceOrg.Kind.choices)
    price_note = models.CharField(_("收费说明"), max_length=200, blank=True)
    description = models.TextField(_("服务内容"), blank=True, max_length=5000)

    class Scope:
        service_org = "org_id"
        public = Q(org__registered=True)
        anonymous = True

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["org_id", "name"]


class ServiceContract(ResourceScoped):
    """A registered service contract between an enterprise and a registered service organisation
    (what a voucher may pay besides an instrument booking)."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("已登记")
        COMPLETED = "completed", _("已完成")
        TERMINATED = "terminated", _("已终止")

    org = models.ForeignKey(ServiceOrg, verbose_name=_("服务机构"), on_delete=models.PROTECT, related_name="contracts")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="service_contracts")
    title = models.CharField(_("服务内容"), max_length=300)
    category = models.CharField(_("服务类别"), max_length=12, choices=ServiceOrg.Kind.choices)
    amount = _money(_("合同金额（万元）"))
    signed_on = models.DateField(_("签订日期"))
    registration_no = models.CharField(_("登记编号"), max_length=40, unique=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    rating = models.PositiveSmallIntegerField(_("企业评价（1-5）"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope:
        service_org = "org_id"
        enterprise = "enterprise_id"
        township = "enterprise__township_id"

    class Meta:
        verbose_name = _("服务合同")
        verbose_name_plural = _("服务合同")
        ordering = ["-signed_on", "-id"]
        constraints = [_money_check("svccontract_amount_range", "amount"),
                       models.CheckConstraint(name="svccontract_rating_range",
                                              condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)))]

    def __str__(self) -> str:
        return f"{self.registration_no} {self.title}"


class Complaint(ResourceScoped):
    """An enterprise's complaint about a service organisation (part of its performance)."""

    org = models.ForeignKey(ServiceOrg, verbose_name=_("服务机构"), on_delete=models.CASCADE, related_name="complaints")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+")
    text = models.CharField(_("投诉内容"), max_length=1000)
    resolved = models.BooleanField(_("已处理"), default=False)
    created_at = models.DateTimeField(_("投诉时间"), default=timezone.now)

    class Scope:
        service_org = "org_id"
        enterprise = "enterprise_id"

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-created_at"]


# --------------------------------------------------------------------------- 科技创新券
class VoucherScheme(ResourceScoped):
    """The parameters of one year's 科技创新券 as dated data. The bureau's 管理规定 amounts are not
    in our texts: every number carries ``note`` (待核实) until the bureau confirms it."""

    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    effective_from = models.DateField(_("施行日期"))
    effective_to = models.DateField(_("截止日期"))
    per_application_cap = _money(_("单次申领上限（万元）"))
    per_year_cap = _money(_("每家企业年度上限（万元）"))
    share_covered = models.DecimalField(_("抵扣比例"), max_digits=5, decimal_places=4,
                                        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("1"))])
    validity_days = models.PositiveSmallIntegerField(_("有效期（天）"), validators=[MinValueValidator(1),
                                                                                   MaxValueValidator(1000)])
    eligible_qualifications = models.JSONField(_("可申领的企业类型"), default=list, blank=True)
    allow_small_unqualified = models.BooleanField(_("规下小微企业可申领"), default=True)
    categories = models.JSONField(_("可用服务类别"), default=list, blank=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=300, default="待核实：金额、比例与有效期为假设参数，待科技局按现行管理规定核实")

    class Scope:
        public = Q()

    class Meta:
        verbose_name = _("创新券参数")
        verbose_name_plural = _("创新券参数")
        ordering = ["-effective_from"]
        constraints = [
            _money_check("scheme_app_cap_range", "per_application_cap"),
            _money_check("scheme_year_cap_range", "per_year_cap"),
            models.CheckConstraint(name="scheme_share_range", condition=Q(share_covered__gte=ZERO)
                                   & Q(share_covered__lte=Decimal("1"))),
            models.CheckConstraint(name="scheme_validity_range",
                                   condition=Q(validity_days__gte=1) & Q(validity_days__lte=1000)),
            models.CheckConstraint(name="scheme_dates", condition=Q(effective_to__gte=models.F("effective_from"))),
            models.CheckConstraint(name="scheme_year_range", condition=Q(year__gte=2000) & Q(year__lte=2100)),
        ]

    def __str__(self) -> str:
        return self.name


class Voucher(ResourceScoped):
    """One enterprise's 科技创新券: applied → issued (券号, face value, balance, valid until,
    categories, mode) → used by redemptions; or rejected."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("待审核")
        ISSUED = "issued", _("已发放")
        REJECTED = "rejected", _("未通过")
        REVOKED = "revoked", _("已作废")

    class Mode(models.TextChoices):
        GENERAL = "general", _("通用（企业先付后报）")
        EXCHANGE = "exchange", _("通兑（服务方凭券结算）")

    scheme = models.ForeignKey(VoucherScheme, verbose_name=_("参数"), on_delete=models.PROTECT, related_name="vouchers")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="vouchers")
    number = models.CharField(_("券号"), max_length=24, unique=True, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.APPLIED, db_index=True)
    mode = models.CharField(_("兑付方式"), max_length=10, choices=Mode.choices, default=Mode.EXCHANGE)
    requested_amount = _money(_("申请金额（万元）"))
    face_value = _money(_("面额（万元）"), default=ZERO)
    balance = _money(_("余额（万元）"), default=ZERO)
    categories = models.JSONField(_("可用服务类别"), default=list, blank=True)
    purpose = models.CharField(_("用途说明"), max_length=500, blank=True)
    legal_person = models.CharField(_("企业法定代表人"), max_length=40, blank=True)
    shareholders = models.JSONField(_("企业股东"), default=list, blank=True)
    eligibility = models.JSONField(_("资格核验"), default=list, blank=True)
    applied_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope:
        enterprise = "enterprise_id"
        township = "enterprise__township_id"
        finance = True

    class Meta:
        verbose_name = _("科技创新券")
        verbose_name_plural = _("科技创新券")
        ordering = ["-applied_at", "-id"]
        constraints = [
            _money_check("voucher_requested_range", "requested_amount"),
            _money_check("voucher_face_range", "face_value"),
            models.CheckConstraint(name="voucher_balance_within_face",
                                   condition=Q(balance__gte=ZERO) & Q(balance__lte=models.F("face_value"))),
        ]

    def __str__(self) -> str:
        return self.number or f"申请#{self.pk}"


class SettlementBatch(ResourceScoped):
    """A batch of redemptions handed to finance for payment, with the evidence of each."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交财政")
        PAID = "paid", _("已拨付")

    number = models.CharField(_("批次号"), max_length=24, unique=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    total = _money(_("合计（万元）"), default=ZERO)
    paid_at = models.DateTimeField(_("拨付时间"), null=True, blank=True)

    class Scope:
        finance = True

    class Meta:
        verbose_name = _("结算批次")
        verbose_name_plural = _("结算批次")
        ordering = ["-created_at", "-id"]
        constraints = [_money_check("batch_total_range", "total")]

    def __str__(self) -> str:
        return self.number


class Redemption(ResourceScoped):
    """Use of a voucher against one real booking or one registered service contract. A booking or a
    contract is redeemed at most once (unique), and the voucher's balance is debited with a
    conditional update (never below zero)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待结算")
        SETTLED = "settled", _("已结算")

    voucher = models.ForeignKey(Voucher, verbose_name=_("创新券"), on_delete=models.PROTECT, related_name="redemptions")
    booking = models.OneToOneField(Booking, verbose_name=_("仪器预约"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="redemption")
    contract = models.OneToOneField(ServiceContract, verbose_name=_("服务合同"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="redemption")
    provider_name = models.CharField(_("服务方"), max_length=200)
    provider_institute = models.ForeignKey("techmarket.Institute", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    provider_org = models.ForeignKey(ServiceOrg, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    fee = _money(_("服务费用（万元）"))
    amount = _money(_("抵扣金额（万元）"))
    mode = models.CharField(_("兑付方式"), max_length=10, choices=Voucher.Mode.choices)
    payee = models.CharField(_("收款方"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    batch = models.ForeignKey(SettlementBatch, verbose_name=_("结算批次"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="redemptions")
    created_at = models.DateTimeField(_("兑付申请时间"), default=timezone.now)

    class Scope:
        enterprise = "voucher__enterprise_id"
        institute = "provider_institute_id"
        service_org = "provider_org_id"
        township = "voucher__enterprise__township_id"
        finance = True

    class Meta:
        verbose_name = _("创新券兑付")
        verbose_name_plural = _("创新券兑付")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="redemption_one_target",
                                   condition=(Q(booking__isnull=False, contract__isnull=True)
                                              | Q(booking__isnull=True, contract__isnull=False))),
            _money_check("redemption_fee_range", "fee"),
            _money_check("redemption_amount_range", "amount"),
            models.CheckConstraint(name="redemption_amount_within_fee", condition=Q(amount__lte=models.F("fee"))),
        ]


# --------------------------------------------------------------------------- 金融产品
class FinancialProduct(ResourceScoped):
    """A 科技金融 product: bank, amount range and conditions as data over enterprise facts
    (``conditions``: [{"fact", "op", "value", "label"}], evaluated by ``finance.fits``)."""

    class Kind(models.TextChoices):
        TECH_LOAN = "tech_loan", _("科技贷")
        INNOVATION_FUND = "innovation_fund", _("技术创新基金白名单")
        ANGEL_FUND = "angel_fund", _("科创天使基金")
        BANK = "bank", _("银行产品")

    name = models.CharField(_("产品名称"), max_length=200, unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    provider = models.CharField(_("金融机构"), max_length=200)
    min_amount = _money(_("额度下限（万元）"), default=ZERO)
    max_amount = _money(_("额度上限（万元）"))
    rate_note = models.CharField(_("利率/费率说明"), max_length=200, blank=True)
    conditions = models.JSONField(_("准入条件"), default=list, blank=True)
    description = models.TextField(_("产品说明"), blank=True, max_length=5000)
    active = models.BooleanField(_("在售"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope:
        public = Q(active=True)

    class Meta:
        verbose_name = _("金融产品")
        verbose_name_plural = _("金融产品")
        ordering = ["kind", "name"]
        constraints = [_money_check("product_min_range", "min_amount"), _money_check("product_max_range", "max_amount"),
                       models.CheckConstraint(name="product_min_le_max", condition=Q(min_amount__lte=models.F("max_amount")))]

    def __str__(self) -> str:
        return self.name


class Loan(ResourceScoped):
    """A loan (or investment) granted to an enterprise under a product, recorded by the bureau."""

    product = models.ForeignKey(FinancialProduct, verbose_name=_("产品"), on_delete=models.PROTECT, related_name="loans")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="loans")
    amount = _money(_("放款金额（万元）"))
    granted_on = models.DateField(_("放款日期"), db_index=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope:
        enterprise = "enterprise_id"
        township = "enterprise__township_id"
        finance = True

    class Meta:
        verbose_name = _("放款记录")
        verbose_name_plural = _("放款记录")
        ordering = ["-granted_on", "-id"]
        constraints = [_money_check("loan_amount_range", "amount")]
