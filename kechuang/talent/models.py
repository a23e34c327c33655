"""Talent (人才): persons with their employer and programmes, recognition by channel (标准认定、
专家举荐、赛事评审、免申即认), 港湾计划 teams and 高层次人才创新创业项目, and the graduate-student
living allowance paid to the person (南政规〔2025〕2号 (十四)).

Personal data (个人信息保护): the ID number is stored for verification and matching, shown masked;
every full view is audited (core AuditEvent ``personal_data_view``).
"""
from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.core.bounds import MONEY, YEAR, bounded, range_checked
from kechuang.core.scoping import ScopedModel
from kechuang.core.validators import validate_id_number  # noqa: F401  (also named by migrations)


def mask_phone(value: str) -> str:
    value = value or ""
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 8 else ("****" if value else "")


class Education(models.TextChoices):
    DOCTOR = "doctor", _("博士研究生")
    MASTER = "master", _("硕士研究生")
    BACHELOR = "bachelor", _("大学本科")
    OTHER = "other", _("其他")


class Tier(models.TextChoices):
    """人才层次. The 泉州 认定 catalogue's text is not in our seeds: the tiers follow the common A–E
    structure (DOMAIN-NOTES) and the mapping from programmes is a parameter (待核实)."""

    A = "A", _("A类（顶尖人才）")
    B = "B", _("B类（国家级领军人才）")
    C = "C", _("C类（省级领军人才）")
    D = "D", _("D类（市级高层次人才）")
    E = "E", _("E类（市级青年人才）")


class Person(ScopedModel):
    """A person the talent policies concern: employer (an enterprise in the registry or a research
    institute), education, title, the date they landed here."""

    name = models.CharField(_("姓名"), max_length=60)
    id_number = models.CharField(_("居民身份证号码"), max_length=18, unique=True, validators=[validate_id_number])
    education = models.CharField(_("学历"), max_length=10, choices=Education.choices, default=Education.OTHER)
    title = models.CharField(_("职称"), max_length=60, blank=True)
    employer = models.ForeignKey("enterprises.Enterprise", verbose_name=_("工作单位（企业）"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="talents")
    institute = models.ForeignKey("techmarket.Institute", verbose_name=_("工作单位（科研院所）"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="talents")
    arrived_on = models.DateField(_("来泉（落地）日期"), null=True, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Scope:
        township = "employer__township"
        enterprise = "employer"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("人才")
        verbose_name_plural = _("人才")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id(self) -> str:
        from kechuang.supervision.models import mask_id_number

        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def workplace(self) -> str:
        return str(self.employer or self.institute or "未登记")


class Programme(models.Model):
    """An upper-level talent programme whose list the bureau imports (国家级 / 省级重点人才计划)."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家级")
        PROVINCIAL = "provincial", _("省级")

    unscoped_reason = "上级人才计划的名称与层级是公开信息"

    name = models.CharField(_("人才计划"), max_length=120, unique=True)
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices)

    class Meta:
        verbose_name = _("上级人才计划")
        verbose_name_plural = _("上级人才计划")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class ProgrammeListing(ScopedModel):
    """One person on an imported programme list (matched to persons by ID number); personal data,
    visible to the bureau only."""

    programme = models.ForeignKey(Programme, verbose_name=_("人才计划"), on_delete=models.CASCADE,
                                  related_name="listings")
    year = models.PositiveSmallIntegerField(_("入选年度"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    name = models.CharField(_("姓名"), max_length=60)
    id_number = models.CharField(_("居民身份证号码"), max_length=18, validators=[validate_id_number])

    class Scope:
        township = None
        enterprise = None
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("人才计划名单")
        verbose_name_plural = _("人才计划名单")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "id_number"], name="talent_listing_once"),
            models.CheckConstraint(name="talent_listing_year_range", condition=Q(year__gte=1990, year__lte=2100)),
        ]


class Nominator(models.Model):
    """A registered nominating expert (专家举荐制) with a yearly quota."""

    unscoped_reason = "举荐专家名单及其名额由科技局公布"

    name = models.CharField(_("举荐专家"), max_length=60)
    unit = models.CharField(_("单位"), max_length=120)
    quota_per_year = models.PositiveSmallIntegerField(_("每年举荐名额"), default=2,
                                                      validators=[MinValueValidator(1), MaxValueValidator(20)])

    class Meta:
        verbose_name = _("举荐专家")
        verbose_name_plural = _("举荐专家")
        constraints = [models.CheckConstraint(name="talent_nominator_quota_range",
                                              condition=Q(quota_per_year__gte=1, quota_per_year__lte=20))]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class PilotOrg(ScopedModel):
    """An enterprise or research platform piloting 自主认定 (seed 002 三、二是: 高企与研发平台自主认定),
    with its yearly quota and the highest tier it may recognise."""

    enterprise = models.OneToOneField("enterprises.Enterprise", verbose_name=_("试点单位"), on_delete=models.CASCADE,
                                      related_name="talent_pilot")
    quota_per_year = models.PositiveSmallIntegerField(_("每年自主认定名额"), default=5,
                                                      validators=[MinValueValidator(1), MaxValueValidator(200)])
    highest_tier = models.CharField(_("可认定的最高层次"), max_length=1, choices=Tier.choices, default=Tier.D)

    class Scope:
        township = "enterprise__township"
        enterprise = "enterprise"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("自主认定试点单位")
        verbose_name_plural = _("自主认定试点单位")
        constraints = [models.CheckConstraint(name="talent_pilot_quota_range",
                                              condition=Q(quota_per_year__gte=1, quota_per_year__lte=200))]

    def __str__(self) -> str:
        return str(self.enterprise)


class Recognition(ScopedModel):
    """A recognition of a person at a tier through one channel; 免申即认 ones start as proposals the
    bureau confirms (like 免申即享)."""

    class Channel(models.TextChoices):
        STANDARD = "standard", _("标准认定")
        NOMINATION = "nomination", _("专家举荐")
        COMPETITION = "competition", _("赛事评审")
        SELF = "self", _("自主认定")
        AUTOMATIC = "automatic", _("免申即认")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待确认")
        CONFIRMED = "confirmed", _("已认定")
        REJECTED = "rejected", _("不予认定")

    person = models.ForeignKey(Person, verbose_name=_("人才"), on_delete=models.CASCADE, related_name="recognitions")
    tier = models.CharField(_("层次"), max_length=1, choices=Tier.choices)
    channel = models.CharField(_("认定渠道"), max_length=12, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    basis = models.CharField(_("认定依据"), max_length=300)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    nominator = models.ForeignKey(Nominator, verbose_name=_("举荐专家"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="nominations")
    listing = models.ForeignKey(ProgrammeListing, verbose_name=_("所依据的人才计划名单"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="recognitions")
    pilot = models.ForeignKey(PilotOrg, verbose_name=_("自主认定单位"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="recognitions")
    decided_note = models.CharField(_("处理意见"), max_length=300, blank=True)
    decided_on = models.DateField(_("认定日期"), null=True, blank=True)

    class Scope:
        township = "person__employer__township"
        enterprise = "person__employer"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("人才认定")
        verbose_name_plural = _("人才认定")
        ordering = ["-year", "-id"]
        constraints = [
            # 免申即认 fires once per person and listing, never twice
            models.UniqueConstraint(fields=["person", "listing"], condition=Q(channel="automatic"),
                                    name="talent_automatic_once_per_listing"),
            models.CheckConstraint(name="talent_recognition_year_range", condition=Q(year__gte=2000, year__lte=2100)),
        ]


class Team(ScopedModel):
    """港湾计划 talent team or 高层次人才创新创业项目 (three tracks), hosted by an enterprise in a township."""

    class Kind(models.TextChoices):
        HARBOUR = "harbour", _("港湾计划人才团队")
        PROJECT_STARTUP = "project_startup", _("高层次人才创新创业项目（创业类）")
        PROJECT_INNOVATION = "project_innovation", _("高层次人才创新创业项目（创新类）")
        PROJECT_INDUSTRY = "project_industry", _("高层次人才创新创业项目（产业化类）")

    name = models.CharField(_("团队/项目名称"), max_length=120)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    leader = models.ForeignKey(Person, verbose_name=_("带头人"), on_delete=models.PROTECT, related_name="led_teams")
    members = models.ManyToManyField(Person, verbose_name=_("成员"), blank=True, related_name="teams")
    host = models.ForeignKey("enterprises.Enterprise", verbose_name=_("依托企业"), on_delete=models.PROTECT,
                             related_name="talent_teams")
    township = models.ForeignKey("core.Region", verbose_name=_("所属乡镇"), on_delete=models.PROTECT,
                                 related_name="talent_teams")
    approved_on = models.DateField(_("立项/入选日期"))
    project = models.CharField(_("项目"), max_length=200, blank=True)
    plan_project = models.OneToOneField("supervision.Project", verbose_name=_("科技计划项目（里程碑与验收）"),
                                        null=True, blank=True, on_delete=models.SET_NULL, related_name="talent_team")

    class Scope:
        township = "township"
        enterprise = "host"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("人才团队与项目")
        verbose_name_plural = _("人才团队与项目")
        ordering = ["-approved_on", "id"]

    @property
    def is_project(self) -> bool:
        return self.kind != self.Kind.HARBOUR


class GraduateStudent(ScopedModel):
    """A graduate student trained here at a joint-training base (研究生联合培养基地): the living
    allowance goes to the student, by months enrolled (南政规〔2025〕2号 (十四))."""

    person = models.ForeignKey(Person, verbose_name=_("研究生"), on_delete=models.CASCADE, related_name="studies")
    degree = models.CharField(_("培养层次"), max_length=10,
                              choices=[(Education.MASTER, _("硕士研究生")), (Education.DOCTOR, _("博士研究生"))])
    base = models.ForeignKey("enterprises.Enterprise", verbose_name=_("联合培养基地（发放渠道）"),
                             on_delete=models.PROTECT, related_name="graduate_students")
    start = models.DateField(_("在南培养起始日"))
    end = models.DateField(_("在南培养截止日"))

    class Scope:
        township = "base__township"
        enterprise = "base"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("在南培养研究生")
        verbose_name_plural = _("在南培养研究生")
        ordering = ["-start", "id"]
        constraints = [models.CheckConstraint(name="talent_study_period_ordered", condition=Q(end__gte=models.F("start")))]


@range_checked
class Recruitment(ScopedModel):
    """机构引才 (南政规〔2025〕2号 (十四) “支持机构引才，最高给予 10 万元/人的一次性奖励”): a person
    brought here by an organisation — an enterprise of the registry or a research institute. The
    reward goes to that organisation, never to the person; the amount is the bureau's approval
    within 10 万元 per person."""

    person = models.ForeignKey(Person, verbose_name=_("引进人才"), on_delete=models.PROTECT,
                               related_name="recruitments")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("引才机构（企业）"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="talent_recruitments")
    institute = models.ForeignKey("techmarket.Institute", verbose_name=_("引才机构（科研院所）"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="talent_recruitments")
    recruited_on = models.DateField(_("引进日期"))
    approved_amount = models.DecimalField(_("核定奖励（万元）"), max_digits=16, decimal_places=6,
                                          validators=bounded(MONEY))

    class Scope:
        township = "enterprise__township"
        enterprise = "enterprise"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("机构引才")
        verbose_name_plural = _("机构引才")
        ordering = ["-recruited_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], name="talent_recruitment_once_per_person"),
            models.CheckConstraint(name="talent_recruitment_one_org",
                                   condition=(Q(enterprise__isnull=False, institute__isnull=True)
                                              | Q(enterprise__isnull=True, institute__isnull=False))),
        ]

    @property
    def organisation(self) -> str:
        return str(self.enterprise or self.institute)


@range_checked
class MentorAward(ScopedModel):
    """研究生联合培养导师团队创新奖励 (南政规〔2025〕2号 (十四) “给予导师团队最高 100 万元的创新奖励”):
    one year's award of a joint-training base's mentor team, paid to the team (the leader receives
    it for the team); the amount is the bureau's approval within 100 万元."""

    name = models.CharField(_("导师团队"), max_length=120)
    base = models.ForeignKey("enterprises.Enterprise", verbose_name=_("联合培养基地"), on_delete=models.PROTECT,
                             related_name="mentor_awards")
    leader = models.ForeignKey(Person, verbose_name=_("团队负责人"), on_delete=models.PROTECT,
                               related_name="mentor_awards")
    year = models.PositiveSmallIntegerField(_("年度"), validators=bounded(YEAR))
    approved_amount = models.DecimalField(_("核定奖励（万元）"), max_digits=16, decimal_places=6,
                                          validators=bounded(MONEY))

    class Scope:
        township = "base__township"
        enterprise = "base"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("导师团队创新奖励")
        verbose_name_plural = _("导师团队创新奖励")
        ordering = ["-year", "id"]
        constraints = [models.UniqueConstraint(fields=["base", "name", "year"], name="talent_mentor_award_once")]
