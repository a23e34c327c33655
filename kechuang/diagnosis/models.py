"""Recorded 培育库 (cultivation pipeline) runs and their per-enterprise results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.bounds import (
    COUNT,
    DURATION_MS,
    PERCENT,
    RATE,
    bounded,
    range_checked,
)
from kechuang.core.roles import Role
from kechuang.core.scoping import ScopedModel

SCHEME_ORDER = ("hnte", "tsme", "innovative_sme", "srdi_sme", "little_giant")

#: ladder rungs (梯次): the highest qualification held on the run date.
RUNGS = (
    (0, "尚未入库"),
    (1, "科技型中小企业"),
    (2, "创新型中小企业"),
    (3, "专精特新中小企业"),
    (4, "高新技术企业"),
    (5, "专精特新“小巨人”企业"),
)


@range_checked
class DiagnosisRun(ScopedModel):
    """One run of the pre-diagnosis over the registry: when, on which date, which rules."""

    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    evaluated_on = models.DateField(_("评价日期"))
    rules_versions = models.JSONField(_("规则版本"), default=dict, blank=True)
    enterprise_count = models.PositiveIntegerField(_("企业数"), default=0, validators=bounded(COUNT))
    duration_ms = models.PositiveIntegerField(_("用时（毫秒）"), default=0, validators=bounded(DURATION_MS))
    timings = models.JSONField(_("分步用时"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("培育库运行")
        verbose_name_plural = _("培育库运行")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"培育库运行 #{self.pk}（{self.evaluated_on}）"

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """Run metadata (no enterprise rows): bureau staff see and start runs; township clerks
        view them (their results are scoped separately); nobody else."""
        role = getattr(user, "role", "")
        if role == Role.BUREAU_STAFF:
            return qs
        if role == Role.TOWNSHIP_CLERK and action in ("view", "export"):
            return qs
        return qs.none()


@range_checked
class DiagnosisResult(ScopedModel):
    """Where one enterprise stood in one run: ladder rung, 高企培育库, per-scheme outcome."""

    change_log = False  # derived and regenerable; the run row itself is logged

    # FK indexes left out on purpose: every read filters by run, served by the composite
    # indexes below; fewer indexes keep storing 100,000 rows per run fast.
    run = models.ForeignKey(DiagnosisRun, verbose_name=_("运行"), on_delete=models.CASCADE,
                            related_name="results", db_index=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"),
                                   on_delete=models.CASCADE, related_name="+", db_index=False)
    township = models.ForeignKey("core.Region", verbose_name=_("所属乡镇"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+", db_index=False)
    rung = models.PositiveSmallIntegerField(_("梯次"), choices=RUNGS, default=0, validators=bounded(COUNT, hi=20))
    hnte_pool = models.BooleanField(_("高企培育库"), default=False)
    target_scheme = models.CharField(_("下一目标"), max_length=16, blank=True)
    top_condition = models.CharField(_("首要差距条件"), max_length=48, blank=True)
    hnte_eligible = models.SmallIntegerField(_("高企结论"), default=-1, validators=bounded(RATE, lo=-1, hi=1))
    tsme_eligible = models.SmallIntegerField(_("科小结论"), default=-1, validators=bounded(RATE, lo=-1, hi=1))
    innovative_sme_eligible = models.SmallIntegerField(_("创新型结论"), default=-1, validators=bounded(RATE, lo=-1, hi=1))
    srdi_sme_eligible = models.SmallIntegerField(_("专精特新结论"), default=-1, validators=bounded(RATE, lo=-1, hi=1))
    little_giant_eligible = models.SmallIntegerField(_("小巨人结论"), default=-1, validators=bounded(RATE, lo=-1, hi=1))
    hnte_score_min = models.SmallIntegerField(_("高企评分下限"), null=True, blank=True, validators=bounded(PERCENT, lo=0, hi=100))
    hnte_score_max = models.SmallIntegerField(_("高企评分上限"), null=True, blank=True, validators=bounded(PERCENT, lo=0, hi=100))
    tsme_score_min = models.SmallIntegerField(_("科小评分下限"), null=True, blank=True, validators=bounded(PERCENT, lo=0, hi=100))
    tsme_score_max = models.SmallIntegerField(_("科小评分上限"), null=True, blank=True, validators=bounded(PERCENT, lo=0, hi=100))
    statuses = models.CharField(_("各条件结论"), max_length=80, blank=True,
                                help_text=_("按方案顺序，每个条件一个字母：P 符合、F 不符合、B 待判断、M 缺数据"))

    class Scope:
        township = "township"
        enterprise = "enterprise"
        org_unit = None
        broker = None
        public = None

    class Meta:
        verbose_name = _("预诊断结果")
        verbose_name_plural = _("预诊断结果")
        indexes = [models.Index(fields=["run", "township", "rung"]),
                   models.Index(fields=["run", "hnte_pool"])]
        constraints = [models.UniqueConstraint(fields=["run", "enterprise"], name="diagnosis_result_unique")]

    def eligible(self, scheme: str) -> bool | None:
        """Tri-state eligibility of ``scheme``."""
        v = getattr(self, f"{scheme}_eligible")
        return None if v < 0 else bool(v)
