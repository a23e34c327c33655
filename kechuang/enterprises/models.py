"""Enterprise registry (企业库): enterprises, their fiscal-year figures, IP rights, qualifications
and credit records. Every model is scoped (a township clerk sees the enterprises of their
township, an enterprise user only their own enterprise) and change-logged by the core."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.bounds import COUNT, MONEY, SIGNED_MONEY, YEAR, bounded, range_checked
from kechuang.core.scoping import ScopedModel
from kechuang.enterprises import vocab
from kechuang.rules.vocabulary import YEAR_MONEY


def _choices(table: dict[str, str]) -> list[tuple[str, str]]:
    return list(table.items())


def validate_uscc(value: str) -> None:
    """Django validator: a 统一社会信用代码 with a correct GB 32100-2015 check character."""
    from stdnum.cn import uscc
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError(_("统一社会信用代码无效：%(why)s"), params={"why": uscc_reason(value, exc)}) from exc


def uscc_reason(value: str, exc) -> str:
    """A Chinese reason for an invalid USCC."""
    from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

    if isinstance(exc, InvalidLength):
        return f"应为 18 位，实际 {len(value)} 位"
    if isinstance(exc, InvalidChecksum):
        return "校验位错误"
    if isinstance(exc, InvalidFormat):
        return "含有不允许的字符"
    return "格式不正确"


def name_initials(name: str) -> str:
    """Lower-case pinyin initials of an enterprise name (南安石材 → nass), for search."""
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="default")
    return "".join(ch[0] for ch in letters if ch and ch[0].isascii() and ch[0].isalnum()).lower()[:60]


@range_checked
class Enterprise(ScopedModel):
    """An enterprise registered in a township, identified by its 统一社会信用代码."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    township = models.ForeignKey("core.Region", verbose_name=_("所属乡镇"), on_delete=models.PROTECT,
                                 related_name="enterprises")
    address = models.CharField(_("注册地址"), max_length=200, blank=True)
    industry_code = models.CharField(_("行业代码"), max_length=5, blank=True, db_index=True,
                                     help_text=_("国民经济行业分类（GB/T 4754-2017）代码，如 C3032"))
    established_on = models.DateField(_("成立日期"), null=True, blank=True, db_index=True)
    size_class = models.CharField(_("企业规模"), max_length=8, blank=True, db_index=True,
                                  choices=_choices(vocab.SIZE_CLASSES))
    employees = models.PositiveIntegerField(_("职工总数"), null=True, blank=True, validators=bounded(COUNT))
    tech_staff = models.PositiveIntegerField(_("科技人员数"), null=True, blank=True, validators=bounded(COUNT))
    rd_staff = models.PositiveIntegerField(_("研发人员数"), null=True, blank=True, validators=bounded(COUNT))
    high_tech_field = models.CharField(_("高新技术领域"), max_length=100, blank=True,
                                       help_text=_("《国家重点支持的高新技术领域》所属领域；填“不属于”表示不在领域内；空白表示未知"))
    mainland_resident = models.BooleanField(_("境内居民企业"), default=True)
    restricted_industry = models.BooleanField(_("属限制/淘汰类产业"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    initials = models.CharField(_("名称拼音首字母"), max_length=60, blank=True, db_index=True, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Scope:
        township = "township"
        enterprise = "pk"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["township", "name"], name="ent_township_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.initials = name_initials(self.name)
        super().save(*args, **kwargs)

    @property
    def industry_group(self) -> str:
        """The seed documents' industry group (石材陶瓷 …) of the industry code, or ""."""
        return vocab.INDUSTRY_GROUPS.get(self.industry_code, "")

    @property
    def masked_phone(self) -> str:
        """The contact phone with its middle digits hidden (138****5678)."""
        phone = self.contact_phone or ""
        if len(phone) <= 4:
            return "*" * len(phone)
        keep = 3 if len(phone) >= 11 else 2
        return phone[:keep] + "*" * (len(phone) - keep - 4) + phone[-4:]


class _EnterpriseChild(ScopedModel):
    """Base of the rows that belong to one enterprise (scoped through it)."""

    class Scope:
        township = "enterprise__township"
        enterprise = "enterprise"
        org_unit = None
        broker = None
        public = None

    class Meta:
        abstract = True


#: the year figures' labels (the template's headers) and bounds come from the one vocabulary
_YEAR = {f.name: f for f in YEAR_MONEY}


def _money(field):
    return models.DecimalField(field.column, max_digits=16, decimal_places=4, null=True, blank=True,
                               validators=bounded(SIGNED_MONEY if field.negative_allowed else MONEY))


@range_checked
class FiscalYear(_EnterpriseChild):
    """One fiscal year's figures of an enterprise, all money in 万元 (contract 2 `years[]`)."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="fiscal_years")
    year = models.PositiveSmallIntegerField(_("年度"), validators=bounded(YEAR))
    sales_revenue = _money(_YEAR["sales_revenue"])
    operating_revenue = _money(_YEAR["operating_revenue"])
    main_business_revenue = _money(_YEAR["main_business_revenue"])
    total_income = _money(_YEAR["total_income"])
    hitech_revenue = _money(_YEAR["hitech_revenue"])
    rd_expense = _money(_YEAR["rd_expense"])
    rd_expense_domestic = _money(_YEAR["rd_expense_domestic"])
    cost_expense_total = _money(_YEAR["cost_expense_total"])
    total_assets = _money(_YEAR["total_assets"])
    total_liabilities = _money(_YEAR["total_liabilities"])
    net_assets = _money(_YEAR["net_assets"])
    net_profit = _money(_YEAR["net_profit"])
    equity_financing = _money(_YEAR["equity_financing"])

    class Meta:
        verbose_name = _("年度数据")
        verbose_name_plural = _("年度数据")
        ordering = ["enterprise", "year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="fiscal_year_unique")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}·{self.year}年度"


@range_checked
class IPRight(_EnterpriseChild):
    """An intellectual-property right (contract 2 `ip_rights[]`); Class I/II follows from `kind`."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="ip_rights")
    kind = models.CharField(_("类型"), max_length=32, choices=_choices(vocab.IP_KINDS))
    number = models.CharField(_("编号"), max_length=60, blank=True, help_text=_("专利号、登记号等"))
    title = models.CharField(_("名称"), max_length=200, blank=True)
    granted_on = models.DateField(_("授权日期"), null=True, blank=True)
    expires_on = models.DateField(_("到期日期"), null=True, blank=True)
    acquired_by = models.CharField(_("获得方式"), max_length=10, blank=True, choices=_choices(vocab.ACQUISITION))
    core = models.BooleanField(_("是否核心"), null=True, blank=True)
    used_for_hnte = models.BooleanField(_("已用于高企申报"), default=False)

    class Meta:
        verbose_name = _("知识产权")
        verbose_name_plural = _("知识产权")
        ordering = ["enterprise", "-granted_on", "id"]
        indexes = [models.Index(fields=["enterprise", "kind"], name="ip_enterprise_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number or self.title}".strip()

    @property
    def ip_class(self) -> int:
        """1 = Ⅰ类, 2 = Ⅱ类 (国科发火〔2016〕195号 四（二）)."""
        return vocab.IP_CLASS[self.kind]


@range_checked
class Qualification(_EnterpriseChild):
    """A recognised qualification (高企, 科小, 创新型, 专精特新, 小巨人, 规上) with its validity."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="qualifications")
    kind = models.CharField(_("资质类型"), max_length=24, choices=_choices(vocab.QUALIFICATION_KINDS), db_index=True)
    certificate_no = models.CharField(_("证书编号"), max_length=60, blank=True)
    first_recognized_on = models.DateField(_("首次认定日期"), null=True, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_until = models.DateField(_("有效期止"), null=True, blank=True, db_index=True)
    issuing_level = models.CharField(_("认定层级"), max_length=12, blank=True, choices=_choices(vocab.ISSUING_LEVELS))

    class Meta:
        verbose_name = _("资质")
        verbose_name_plural = _("资质")
        ordering = ["enterprise", "kind", "-valid_from", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.certificate_no}".strip()

    def is_valid_on(self, on: dt.date) -> bool:
        """Valid on `on`: valid_from ≤ on ≤ valid_until (open ends allowed)."""
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_until is None or on <= self.valid_until)

    def days_left(self, on: dt.date) -> int | None:
        """Days from `on` to the end of validity (negative when expired; None when open-ended)."""
        return None if self.valid_until is None else (self.valid_until - on).days


@range_checked
class CreditRecord(_EnterpriseChild):
    """A credit record: research dishonesty, abnormal-operation listing, major incident … with its
    effect (一票否决 …) and the date it stops applying."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="credit_records")
    kind = models.CharField(_("记录类型"), max_length=24, choices=_choices(vocab.CREDIT_KINDS))
    occurred_on = models.DateField(_("发生日期"))
    source = models.CharField(_("来源"), max_length=100, blank=True, help_text=_("如 信用中国、市场监管局"))
    effect = models.CharField(_("影响"), max_length=10, choices=_choices(vocab.CREDIT_EFFECTS), default="warning")
    expires_on = models.DateField(_("失效日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["enterprise", "-occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"

    def active_on(self, on: dt.date) -> bool:
        """In force on `on`: occurred on/before it and not yet expired."""
        return self.occurred_on <= on and (self.expires_on is None or on <= self.expires_on)
