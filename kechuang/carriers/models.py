"""Innovation carriers (创新载体): incubators, 众创空间, 星创天地, 新型研发机构, 中试 and other
platforms, with a level ladder that keeps its history (本级备案 → 泉州级 → 省级 → 国家级), a yearly
data intake shaped like the 火炬统计 annual report, and evaluations by a dated scoring scheme.

Rules and their sources are in ``kechuang/carriers/rules.py``; the policy events a recognition
records (南政规〔2025〕2号 (八)(十四)) are made by ``services.carrier_level_record``.
All money in 万元 (Decimal).
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.core.scoping import ScopedModel

MAX_MONEY = Decimal("10000000")      # 万元: 1 000 亿, far above any carrier's figures
MAX_COUNT = 1_000_000
MAX_AREA = Decimal("10000000")       # 平方米


def _money(label, **kw):
    return models.DecimalField(label, max_digits=14, decimal_places=2,
                               validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_MONEY)], **kw)


def _count(label, **kw):
    return models.PositiveIntegerField(label, validators=[MaxValueValidator(MAX_COUNT)], default=0, **kw)


class CarrierKind(models.TextChoices):
    INCUBATOR = "incubator", _("科技企业孵化器")
    MAKER_SPACE = "maker_space", _("众创空间")
    STAR_SPACE = "star_space", _("星创天地")
    NEW_RD_INSTITUTION = "new_rd", _("新型研发机构")
    PILOT_PLATFORM = "pilot", _("中试验证平台")
    POC_CENTER = "poc", _("概念验证中心")
    ACADEMICIAN_WORKSTATION = "academician", _("院士（专家）工作站")
    TALENT_LAB = "talent_lab", _("特级人才创新实验室")
    KEY_LAB = "key_lab", _("重点实验室")
    RD_CENTER = "rd_center", _("企业研发中心（技术中心）")


class Level(models.TextChoices):
    """The ladder, lowest first (南政规〔2025〕2号 (八) “本级备案+逐级认定”)."""

    FILED = "filed", _("本级备案")
    QUANZHOU = "quanzhou", _("泉州级")
    PROVINCIAL = "provincial", _("省级")
    NATIONAL = "national", _("国家级")


LEVEL_ORDER = [Level.FILED, Level.QUANZHOU, Level.PROVINCIAL, Level.NATIONAL]


class Carrier(ScopedModel):
    """One carrier: who runs it, where, what it covers, and whether it is still in operation."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("运营中")
        CANCELLED = "cancelled", _("已撤销")

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类别"), max_length=20, choices=CarrierKind.choices)
    operator = models.ForeignKey("enterprises.Enterprise", verbose_name=_("运营主体"), on_delete=models.PROTECT,
                                 related_name="carriers")
    township = models.ForeignKey("core.Region", verbose_name=_("所属乡镇"), on_delete=models.PROTECT,
                                 related_name="carriers")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    area_sqm = models.DecimalField(_("场地面积（平方米）"), max_digits=12, decimal_places=2, null=True, blank=True,
                                   validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_AREA)])
    fields = models.CharField(_("服务领域"), max_length=200, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    in_state_owned_park = models.BooleanField(_("入驻国有园区"), default=False,
                                              help_text=_("中试验证平台、概念验证中心入驻国有园区的，享受（十）租金减免等支持"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    cancelled_on = models.DateField(_("撤销日期"), null=True, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    cancellation_proposed = models.BooleanField(_("建议撤销"), default=False)
    cancellation_note = models.CharField(_("建议撤销的理由"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope:
        township = "township"
        enterprise = "operator"
        org_unit = None
        broker = None
        public = Q(status="active")
        anonymous = True

    class Meta:
        verbose_name = _("创新载体")
        verbose_name_plural = _("创新载体")
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="carrier_unique_name_kind"),
            models.CheckConstraint(name="carrier_area_range",
                                   condition=Q(area_sqm__isnull=True) | Q(area_sqm__gte=0, area_sqm__lte=MAX_AREA)),
            models.CheckConstraint(name="carrier_cancel_dated",
                                   condition=Q(status="active") | Q(cancelled_on__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.name

    def current_level(self) -> CarrierLevel | None:
        """The highest level in force (not revoked); None when nothing is recorded."""
        held = {lv.level: lv for lv in self.levels.all() if lv.revoked_on is None}
        for level in reversed(LEVEL_ORDER):
            if level in held:
                return held[level]
        return None


class CarrierLevel(ScopedModel):
    """One step of the ladder with its date and document; revoked steps stay as history."""

    carrier = models.ForeignKey(Carrier, verbose_name=_("载体"), on_delete=models.CASCADE, related_name="levels")
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices)
    recognized_on = models.DateField(_("备案/认定日期"))
    document = models.CharField(_("文件文号"), max_length=120)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)

    class Scope:
        township = "carrier__township"
        enterprise = "carrier__operator"
        org_unit = None
        broker = None
        public = Q(carrier__status="active")
        anonymous = True

    class Meta:
        verbose_name = _("载体级别")
        verbose_name_plural = _("载体级别")
        ordering = ["recognized_on", "id"]
        constraints = [models.UniqueConstraint(fields=["carrier", "level"], name="carrier_level_once")]

    def __str__(self) -> str:
        return f"{self.carrier} {self.get_level_display()}"


class AnnualReport(ScopedModel):
    """The yearly data intake, shaped like the 火炬统计 annual report of an incubator."""

    carrier = models.ForeignKey(Carrier, verbose_name=_("载体"), on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    tenants = _count(_("在孵（服务）企业数"))
    new_tenants = _count(_("当年新增在孵企业数"))
    graduated = _count(_("当年毕业企业数"))
    tech_sme_tenants = _count(_("在孵科技型中小企业数"))
    hnte_tenants = _count(_("在孵高新技术企业数"))
    staff = _count(_("管理服务人员数"))
    mentors = _count(_("创业导师数"))
    activities = _count(_("当年举办创新创业活动场次"))
    patents_granted = _count(_("在孵企业当年知识产权授权数"))
    income = _money(_("载体总收入（万元）"), default=Decimal(0))
    investment_raised = _money(_("在孵企业当年获得投融资（万元）"), default=Decimal(0))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("填报时间"), auto_now=True)

    class Scope:
        township = "carrier__township"
        enterprise = "carrier__operator"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("载体年度数据")
        verbose_name_plural = _("载体年度数据")
        ordering = ["-year", "carrier_id"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "year"], name="carrier_report_once_a_year"),
            models.CheckConstraint(name="carrier_report_ranges", condition=(
                Q(year__gte=2000, year__lte=2100) & Q(income__gte=0, income__lte=MAX_MONEY)
                & Q(investment_raised__gte=0, investment_raised__lte=MAX_MONEY)
                & Q(tenants__lte=MAX_COUNT) & Q(new_tenants__lte=MAX_COUNT) & Q(graduated__lte=MAX_COUNT)
                & Q(tech_sme_tenants__lte=MAX_COUNT) & Q(hnte_tenants__lte=MAX_COUNT) & Q(staff__lte=MAX_COUNT)
                & Q(mentors__lte=MAX_COUNT) & Q(activities__lte=MAX_COUNT) & Q(patents_granted__lte=MAX_COUNT))),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.year}年度"


class Evaluation(ScopedModel):
    """The yearly evaluation of one carrier by the scoring scheme in force for that year."""

    carrier = models.ForeignKey(Carrier, verbose_name=_("载体"), on_delete=models.CASCADE,
                                related_name="evaluations")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    scheme = models.CharField(_("评价办法版本"), max_length=60)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1,
                                validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    grade = models.CharField(_("等级"), max_length=2)
    passed = models.BooleanField(_("合格"))
    details = models.JSONField(_("评分明细"), default=list, blank=True)

    class Scope:
        township = "carrier__township"
        enterprise = "carrier__operator"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("载体年度评价")
        verbose_name_plural = _("载体年度评价")
        ordering = ["-year", "carrier_id"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "year"], name="carrier_evaluation_once_a_year"),
            models.CheckConstraint(name="carrier_evaluation_score_range", condition=Q(score__gte=0, score__lte=100)),
            models.CheckConstraint(name="carrier_evaluation_year_range", condition=Q(year__gte=2000, year__lte=2100)),
        ]


class ThirdPartyOperation(ScopedModel):
    """托管运营: a filed incubator run by a third-party professional organisation, with the
    non-fiscal money it put in (南政规〔2025〕2号 (八): 30 %, at most 100 万元, after assessment)."""

    carrier = models.ForeignKey(Carrier, verbose_name=_("载体"), on_delete=models.CASCADE,
                                related_name="operations")
    operator_name = models.CharField(_("托管运营机构"), max_length=120)
    started_on = models.DateField(_("托管开始日期"))
    non_fiscal_investment = _money(_("非财政直接投入（万元）"))
    assessed = models.BooleanField(_("经考核合格"), default=False)

    class Scope:
        township = "carrier__township"
        enterprise = "carrier__operator"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("托管运营")
        verbose_name_plural = _("托管运营")
        ordering = ["-started_on", "id"]
        constraints = [models.CheckConstraint(
            name="carrier_operation_investment_range",
            condition=Q(non_fiscal_investment__gte=0, non_fiscal_investment__lte=MAX_MONEY))]
