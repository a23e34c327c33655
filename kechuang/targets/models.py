"""Targets (目标任务): indicators, target plans as rules, reporting periods, reports with review
and history, and the task ledger (工作台账)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.core.bounds import (
    COUNT,
    INDICATOR_VALUE,
    ORDER,
    PERCENT,
    RATE,
    YEAR,
    bounded,
    range_checked,
)
from kechuang.core.roles import Role
from kechuang.core.scoping import ScopedModel

from .plans import PlanEntry


@range_checked
class Indicator(models.Model):
    """An indicator of 南政办〔2021〕67号 附件2 or 明政办〔2021〕62号 (reference data, readable by all)."""

    unscoped_reason = "指标定义是公开的参考数据"

    class Kind(models.TextChoices):
        FLOW = "flow", _("流量")
        STOCK = "stock", _("存量")
        RATIO = "ratio", _("比率")

    code = models.CharField(_("指标代码"), max_length=40, unique=True)
    name = models.CharField(_("指标名称"), max_length=120)
    unit = models.CharField(_("单位"), max_length=20)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    direction = models.CharField(_("方向"), max_length=8, default="higher")
    aggregation = models.CharField(_("汇总方式"), max_length=16, default="sum")
    decimals = models.PositiveSmallIntegerField(_("小数位数"), default=0, validators=bounded(COUNT, hi=6))
    citation = models.CharField(_("出处"), max_length=200)
    note = models.TextField(_("说明"), blank=True)
    reporting_org = models.ForeignKey("core.OrgUnit", verbose_name=_("数据报送部门"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="reported_indicators")
    weight = models.DecimalField(_("考核权重"), max_digits=6, decimal_places=2, default=Decimal("0"), validators=bounded(PERCENT))
    sort_order = models.PositiveIntegerField(_("排序"), default=0, validators=bounded(ORDER))

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


@range_checked
class PlanDocument(models.Model):
    """One target plan document (a 任务分解表 of one period, e.g. 南政办〔2021〕67号 附件2 for
    2021—2025, or the 十五五 plan for 2026—2030 the bureau enters in the product). Its
    TargetPlan rows share its 文号; the years it covers decide which plan gives a year's target."""

    unscoped_reason = "目标任务分解表是公开印发的文件内容"

    class Origin(models.TextChoices):
        SHIPPED = "shipped", _("随系统提供")
        FORM = "form", _("页面录入")
        WORKBOOK = "workbook", _("Excel 导入")
        DEMO = "demo", _("演示数据")

    document = models.CharField(_("文号"), max_length=60, unique=True)
    title = models.CharField(_("文件标题"), max_length=200)
    issuer = models.CharField(_("发文机关"), max_length=100, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    first_year = models.PositiveSmallIntegerField(_("起始年"), validators=bounded(YEAR))
    last_year = models.PositiveSmallIntegerField(_("终止年"), validators=bounded(YEAR))
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices, default=Origin.FORM)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    entered_by = models.ForeignKey("core.User", verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("目标任务文件")
        verbose_name_plural = _("目标任务文件")
        ordering = ["-first_year", "document"]
        constraints = [models.CheckConstraint(condition=Q(first_year__lte=models.F("last_year")),
                                              name="plandocument_years_ordered")]

    def __str__(self) -> str:
        return f"{self.title}（{self.document}）"

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @property
    def span(self) -> str:
        return f"{self.first_year}—{self.last_year}年"


@range_checked
class TargetPlan(models.Model):
    """The target rule of one region for one indicator in one document, stored as the source gives
    it: yearly values, base + growth, or a period total (see kechuang/targets/plans.py)."""

    unscoped_reason = "目标任务分解表是公开印发的文件内容"

    class Rule(models.TextChoices):
        VALUES = "values", _("逐年数值")
        GROWTH = "growth", _("基数＋增长率")
        PERIOD_TOTAL = "period_total", _("期间合计")

    document = models.CharField(_("文号"), max_length=60)
    table = models.CharField(_("分解表"), max_length=40)
    citation = models.CharField(_("出处"), max_length=200)
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="plans")
    region = models.ForeignKey("core.Region", verbose_name=_("责任单位"), on_delete=models.PROTECT,
                               related_name="target_plans")
    source_unit_name = models.CharField(_("源表单位名"), max_length=30)
    rule = models.CharField(_("规则"), max_length=16, choices=Rule.choices)
    values = models.JSONField(_("逐年目标"), default=dict, blank=True)
    base = models.DecimalField(_("基数"), max_digits=16, decimal_places=4, null=True, blank=True, validators=bounded(INDICATOR_VALUE))
    base_year = models.PositiveSmallIntegerField(_("基数年份"), null=True, blank=True, validators=bounded(YEAR))
    base_is = models.CharField(_("基数性质"), max_length=8, blank=True)
    growth = models.DecimalField(_("年增长率"), max_digits=8, decimal_places=4, null=True, blank=True, validators=bounded(RATE))
    to_year = models.PositiveSmallIntegerField(_("终止年"), null=True, blank=True, validators=bounded(YEAR))
    decimals = models.PositiveSmallIntegerField(_("小数位数"), default=0, validators=bounded(COUNT, hi=6))
    period_from = models.PositiveSmallIntegerField(_("期间起"), null=True, blank=True, validators=bounded(YEAR))
    period_to = models.PositiveSmallIntegerField(_("期间止"), null=True, blank=True, validators=bounded(YEAR))
    period_total = models.DecimalField(_("期间合计"), max_digits=16, decimal_places=4, null=True, blank=True, validators=bounded(INDICATOR_VALUE))
    no_separate_target = models.JSONField(_("不再另下指标年份"), default=list, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("基期年份"), null=True, blank=True, validators=bounded(YEAR))
    baseline_value = models.DecimalField(_("基期值"), max_digits=16, decimal_places=4, null=True, blank=True, validators=bounded(INDICATOR_VALUE))

    class Meta:
        verbose_name = _("目标任务")
        verbose_name_plural = _("目标任务")
        ordering = ["indicator__sort_order", "region__sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["document", "indicator", "region"],
                                               name="targetplan_unique_document_indicator_region")]

    def __str__(self) -> str:
        return f"{self.document} {self.region} {self.indicator}"

    def to_entry(self) -> PlanEntry:
        """The pure plan entry (targets computed from the stored rule)."""
        from .series import generate_series

        targets = {int(y): Decimal(v) for y, v in (self.values or {}).items()}
        if self.rule == self.Rule.GROWTH:
            targets = generate_series(self.base, self.growth, self.base_year, self.to_year, self.decimals)
            if self.base_is == "actual":
                targets.pop(self.base_year)
        baseline = (self.baseline_year, self.baseline_value) if self.baseline_year else None
        period = (self.period_from, self.period_to) if self.period_from else None
        return PlanEntry(document=self.document, table=self.table, unit=self.source_unit_name,
                         indicator=self.indicator.code, rule=self.rule, citation=self.citation,
                         targets=targets, period=period, period_total=self.period_total,
                         no_separate_target=tuple(self.no_separate_target or ()), baseline=baseline,
                         base=self.base, base_year=self.base_year, base_is=self.base_is or None,
                         growth=self.growth, decimals=self.decimals)


@range_checked
class PlanFinding(models.Model):
    """A problem the import found in a plan table (a declared 合计 that does not match its rows)."""

    unscoped_reason = "对公开分解表的核对结果"

    document = models.CharField(_("文号"), max_length=60)
    table = models.CharField(_("分解表"), max_length=40)
    code = models.CharField(_("问题类型"), max_length=30)
    message = models.TextField(_("说明"))
    declared = models.DecimalField(_("源表合计"), max_digits=16, decimal_places=4, null=True, validators=bounded(INDICATOR_VALUE))
    computed = models.DecimalField(_("逐行合计"), max_digits=16, decimal_places=4, null=True, validators=bounded(INDICATOR_VALUE))

    class Meta:
        verbose_name = _("任务分解表问题")
        verbose_name_plural = _("任务分解表问题")
        constraints = [models.UniqueConstraint(fields=["document", "table", "code", "message"],
                                               name="planfinding_unique")]


@range_checked
class Period(models.Model):
    """A reporting period: 上半年 (晾晒) or 全年 (考核) of a year, with its reporting deadline."""

    unscoped_reason = "填报期是公开的日程"

    class Kind(models.TextChoices):
        HALF = "H1", _("上半年")
        ANNUAL = "FY", _("全年")

    class Status(models.TextChoices):
        OPEN = "open", _("填报中")
        CLOSED = "closed", _("已关闭")

    year = models.PositiveSmallIntegerField(_("年度"), validators=bounded(YEAR))
    kind = models.CharField(_("期别"), max_length=2, choices=Kind.choices)
    starts_on = models.DateField(_("起始日"))
    ends_on = models.DateField(_("截止日"))
    deadline = models.DateField(_("填报截止"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("填报期")
        verbose_name_plural = _("填报期")
        ordering = ["-year", "-kind"]
        constraints = [models.UniqueConstraint(fields=["year", "kind"], name="period_unique_year_kind")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """2023年上半年 / 2023年度."""
        return f"{self.year}年上半年" if self.kind == self.Kind.HALF else f"{self.year}年度"


@range_checked
class Report(ScopedModel):
    """A reported actual of one township for one indicator in one period (current version).

    A township clerk reports for their own township; a department liaison for the indicators
    their department reports. Every submission, approval and return is kept in ReportRevision.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已通过")
        RETURNED = "returned", _("已退回")

    period = models.ForeignKey(Period, verbose_name=_("填报期"), on_delete=models.PROTECT, related_name="reports")
    region = models.ForeignKey("core.Region", verbose_name=_("乡镇（街道）"), on_delete=models.PROTECT,
                               related_name="target_reports")
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="reports")
    value = models.DecimalField(_("完成值"), max_digits=16, decimal_places=4, validators=bounded(INDICATOR_VALUE))
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    version = models.PositiveIntegerField(_("版本"), default=1, validators=bounded(ORDER))
    submitted_by = models.ForeignKey("core.User", verbose_name=_("填报人"), null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("填报时间"))
    overdue = models.BooleanField(_("逾期填报"), default=False)
    reviewed_by = models.ForeignKey("core.User", verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)

    class Scope:
        township = "region"
        org_unit = "indicator__reporting_org"
        enterprise = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("填报")
        verbose_name_plural = _("填报")
        ordering = ["period", "region__sort_order", "indicator__sort_order"]
        constraints = [models.UniqueConstraint(fields=["period", "region", "indicator"],
                                               name="report_unique_period_region_indicator")]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"{self.period} {self.region} {self.indicator}"


@range_checked
class ReportRevision(ScopedModel):
    """One step in a report's history: a submission (value), an approval or a return (reason)."""

    class Scope:
        township = "report__region"
        org_unit = "report__indicator__reporting_org"
        enterprise = None
        broker = None
        public = None


    class Action(models.TextChoices):
        SUBMIT = "submit", _("填报")
        CORRECT = "correct", _("更正")
        APPROVE = "approve", _("通过")
        RETURN = "return", _("退回")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("版本"), validators=bounded(ORDER))
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    value = models.DecimalField(_("完成值"), max_digits=16, decimal_places=4, validators=bounded(INDICATOR_VALUE))
    note = models.TextField(_("说明"), blank=True)
    by = models.ForeignKey("core.User", verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("填报记录")
        verbose_name_plural = _("填报记录")
        ordering = ["report", "at", "id"]


def _evidence_path(instance, filename: str) -> str:
    return f"targets/evidence/{instance.report.period.year}/{instance.report_id}/{filename}"


@range_checked
class ReportAttachment(ScopedModel):
    """Evidence uploaded with a report (证明材料)."""

    class Scope:
        township = "report__region"
        org_unit = "report__indicator__reporting_org"
        enterprise = None
        broker = None
        public = None


    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to=_evidence_path)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")


@range_checked
class Task(ScopedModel):
    """A 工作台账 task: a task of 附件1 or a measure of 南政规〔2025〕2号 with its units."""

    code = models.CharField(_("编号"), max_length=40, unique=True)
    source = models.CharField(_("出处"), max_length=80)
    group = models.CharField(_("类别"), max_length=40, blank=True)
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    lead_units = models.ManyToManyField("core.OrgUnit", verbose_name=_("牵头单位"), related_name="led_tasks",
                                        blank=True)
    responsible_units = models.ManyToManyField("core.OrgUnit", verbose_name=_("责任单位"),
                                               related_name="shared_tasks", blank=True)
    other_units = models.CharField(_("其他责任主体"), max_length=200, blank=True)
    townships_involved = models.BooleanField(_("各乡镇（街道、开发区）参与"), default=False)
    responsible_leader = models.CharField(_("责任领导"), max_length=60, blank=True)
    responsible_person = models.CharField(_("具体责任人"), max_length=60, blank=True)
    due = models.DateField(_("完成时限"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0, validators=bounded(ORDER))

    class Scope:
        township = None
        org_unit = "lead_units"
        enterprise = None
        broker = None
        public = None

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """Staff: all; a liaison: tasks their unit leads or shares (change: only as lead unit)."""
        role = getattr(user, "role", "")
        if role == Role.BUREAU_STAFF:
            return qs
        if role == Role.DEPT_LIAISON and user.org_unit_id:
            if action in ("view", "export"):
                cond = Q(lead_units=user.org_unit_id) | Q(responsible_units=user.org_unit_id)
            else:
                cond = Q(lead_units=user.org_unit_id)
            return qs.filter(pk__in=cls.objects.filter(cond).values("pk"))
        if role == Role.TOWNSHIP_CLERK and action in ("view", "export"):
            return qs.filter(townships_involved=True)
        return qs.none()

    class Meta:
        verbose_name = _("台账任务")
        verbose_name_plural = _("台账任务")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.title


@range_checked
class Milestone(ScopedModel):
    """A dated node (节点计划) of a task, marked done by the owning unit."""

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """Rows of the tasks the user may act on (see Task.scope_queryset)."""
        return qs.filter(task__in=Task.scope_queryset(Task.objects.all(), user, action))


    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    due = models.DateField(_("计划完成"))
    done_on = models.DateField(_("实际完成"), null=True, blank=True)

    class Meta:
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        ordering = ["due", "id"]


@range_checked
class ProgressUpdate(ScopedModel):
    """A progress note of a task by its owning unit."""

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """Rows of the tasks the user may act on (see Task.scope_queryset)."""
        return qs.filter(task__in=Task.scope_queryset(Task.objects.all(), user, action))


    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0, validators=bounded(PERCENT))
    by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("进展")
        verbose_name_plural = _("进展")
        ordering = ["-at", "-id"]
