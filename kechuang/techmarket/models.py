"""Technology market (技术市场): catalogue, needs, matches, dispatch, deals, contracts, challenges.

Flow: an enterprise posts a Need → ``match_need`` ranks published Achievements (hybrid
search) into Match rows → the enterprise gives structured feedback → the bureau (or the
automatic rule) dispatches a Match to a Broker (Dispatch, 3-working-day first-contact clock),
or — when no achievement fits — the Need itself, and the broker finds a solution elsewhere
→ the broker advances 对接 → 洽谈 → 签约 → 登记 → a Deal (with the achievement, or with the
solution and its provider written out) and a registered TechContract, whose amounts feed the
township's contract turnover (``selectors.contract_turnover``).
All money in 万元 (Decimal).
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.bounds import (
    COUNT,
    FILE_SIZE,
    MONEY,
    ORDER,
    RATE,
    bounded,
    range_checked,
)
from kechuang.core.roles import Role
from kechuang.core.scoping import ScopedModel

MAX_DESCRIPTION_CHARS = 20_000
SOLUTION_MAX_CHARS = 500    # Deal.solution: a need-level deal's solution and source
PROVIDER_MAX_CHARS = 200    # Deal.provider: as long as TechContract.seller


def _money(label, **kw):
    return models.DecimalField(label, max_digits=16, decimal_places=4, validators=bounded(MONEY), **kw)


class TransferMode(models.TextChoices):
    """成果转化方式 (促进科技成果转化法 第十六条)."""

    TRANSFER = "transfer", _("转让")
    LICENSE = "license", _("许可")
    EQUITY = "equity", _("作价入股")
    USE_FIRST = "use_first", _("先用后转")


@range_checked
class Institute(ScopedModel):
    """大院大所 / research institute with its platforms and experts (public to signed-in users)."""

    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=40, blank=True)
    city = models.CharField(_("所在地"), max_length=60, blank=True)
    platforms = models.JSONField(_("平台"), default=list, blank=True)
    experts = models.JSONField(_("专家"), default=list, blank=True,
                               help_text=_("[{name, title, field}]"))

    class Scope:
        township = None
        enterprise = None
        org_unit = None
        broker = None
        public = Q()

    class Meta:
        verbose_name = _("科研院所")
        verbose_name_plural = _("科研院所")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@range_checked
class Instrument(ScopedModel):
    """A shared research instrument (大型科学仪器) with owner, fee and availability."""

    name = models.CharField(_("名称"), max_length=200)
    owner = models.ForeignKey(Institute, verbose_name=_("所属单位"), on_delete=models.CASCADE,
                              related_name="instruments")
    category = models.CharField(_("类别"), max_length=60, blank=True)
    fee = models.CharField(_("收费标准"), max_length=120, blank=True)
    available = models.BooleanField(_("可预约"), default=True)
    description = models.TextField(_("功能说明"), blank=True)

    class Scope:
        township = None
        enterprise = None
        org_unit = None
        broker = None
        public = Q()

    class Meta:
        verbose_name = _("仪器设备")
        verbose_name_plural = _("仪器设备")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


@range_checked
class Broker(ScopedModel):
    """技术经理人: fields served, institution, capacity (open dispatches at once)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("账号"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="broker_profile")
    name = models.CharField(_("姓名"), max_length=40)
    fields = models.JSONField(_("服务领域"), default=list, blank=True)
    institution = models.CharField(_("所在机构"), max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(_("同时承接上限"), default=5, validators=bounded(COUNT, hi=1000))
    active = models.BooleanField(_("在岗"), default=True)

    class Scope:
        township = None
        enterprise = None
        org_unit = None
        broker = "user"
        public = Q(active=True)

    class Meta:
        verbose_name = _("技术经理人")
        verbose_name_plural = _("技术经理人")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


@range_checked
class Achievement(ScopedModel):
    """A research achievement (科技成果) listed on the market; published ones are public."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEW = "review", _("待审核")
        PUBLISHED = "published", _("已发布")
        EXPIRED = "expired", _("已下架")

    title = models.CharField(_("成果名称"), max_length=300)
    abstract = models.TextField(_("成果简介"), blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    field = models.CharField(_("技术领域"), max_length=60, blank=True, db_index=True)
    maturity = models.PositiveSmallIntegerField(_("成熟度（TRL 1–9）"), null=True, blank=True,
                                                validators=bounded(COUNT, lo=1, hi=9))
    owner_institute = models.ForeignKey(Institute, verbose_name=_("成果单位"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="achievements")
    owner_name = models.CharField(_("成果持有人"), max_length=200, blank=True)
    linked_ip = models.CharField(_("关联知识产权"), max_length=300, blank=True)
    transfer_modes = models.JSONField(_("转化方式"), default=list, blank=True)
    terms = models.TextField(_("转化条件"), blank=True)
    price_min = _money(_("意向价格下限（万元）"), null=True, blank=True)
    price_max = _money(_("意向价格上限（万元）"), null=True, blank=True)
    contact = models.CharField(_("联系方式"), max_length=120, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    moderation_note = models.CharField(_("审核退回原因"), max_length=500, blank=True,
                                       help_text=_("最近一次退回的原因；发布时清空（历次记录见变更记录）"))
    source = models.CharField(_("来源"), max_length=20, default="manual", db_index=True,
                              help_text=_("manual 人工录入、import 表格导入、CSL 公开论文数据集"))
    source_id = models.CharField(_("来源编号"), max_length=60, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Scope:
        township = None
        enterprise = None
        org_unit = None
        broker = None
        public = Q(status="published")

    class Meta:
        verbose_name = _("科技成果")
        verbose_name_plural = _("科技成果")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], condition=~Q(source_id=""),
                                               name="achievement_unique_source_id")]

    def __str__(self) -> str:
        return self.title

    @property
    def search_id(self) -> str:
        """The id used in the search index."""
        return f"ach-{self.pk}"


@range_checked
class Need(ScopedModel):
    """A technology need (技术需求) posted by an enterprise; public ones are visible to all."""

    class Status(models.TextChoices):
        OPEN = "open", _("征集中")
        MATCHED = "matched", _("已对接")
        CLOSED = "closed", _("已关闭")

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="tech_needs")
    township = models.ForeignKey("core.Region", verbose_name=_("所属乡镇"), on_delete=models.PROTECT,
                                 related_name="tech_needs")
    title = models.CharField(_("需求名称"), max_length=300)
    description = models.TextField(_("需求描述"))
    budget = _money(_("预算（万元）"), null=True, blank=True)
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    field = models.CharField(_("技术领域"), max_length=60, blank=True, db_index=True)
    is_public = models.BooleanField(_("公开"), default=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Scope:
        township = "township"
        enterprise = "enterprise"
        org_unit = None
        broker = "dispatches__broker__user"
        public = Q(is_public=True)

    class Meta:
        verbose_name = _("技术需求")
        verbose_name_plural = _("技术需求")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class Feedback(models.TextChoices):
    """The enterprise's structured answer to a suggested achievement."""

    INTERESTED = "interested", _("有意向")
    TOO_EARLY = "too_early", _("太早期")
    NOT_APPLICABLE = "not_applicable", _("不适用")
    PRICE = "price", _("价格不合适")
    HAS_SOLUTION = "has_solution", _("已有方案")
    OTHER = "other", _("其他")


@range_checked
class Match(ScopedModel):
    """A suggested achievement for a need, with score, reasons and the enterprise's feedback."""

    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="matches")
    achievement = models.ForeignKey(Achievement, verbose_name=_("成果"), on_delete=models.CASCADE,
                                    related_name="matches")
    rank = models.PositiveSmallIntegerField(_("排名"), validators=bounded(ORDER))
    score = models.FloatField(_("匹配度"), validators=bounded(RATE, lo=-1000000, hi=1000000))
    reasons = models.JSONField(_("匹配理由"), default=list, blank=True)
    feedback = models.CharField(_("企业反馈"), max_length=20, choices=Feedback.choices, blank=True)
    feedback_note = models.CharField(_("反馈说明"), max_length=500, blank=True)
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Scope:
        township = "need__township"
        enterprise = "need__enterprise"
        org_unit = None
        broker = "dispatch__broker__user"
        public = None

    class Meta:
        verbose_name = _("匹配")
        verbose_name_plural = _("匹配")
        ordering = ["need", "rank"]
        constraints = [models.UniqueConstraint(fields=["need", "achievement"], name="match_unique_pair"),
                       # the target of the dispatch's composite key (match, need): see Dispatch
                       models.UniqueConstraint(fields=["id", "need"], name="match_id_need")]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.achievement}"


@range_checked
class Dispatch(ScopedModel):
    """派单: a need assigned to a broker, through one suggested achievement (``match``) or, when no
    achievement fits, without one (the broker finds the solution elsewhere); steps 对接 → 洽谈 →
    签约 → 登记; first contact due in 3 working days.

    Database rules: a dispatch's match, when it has one, is a suggestion for the same need
    (a composite foreign key on PostgreSQL, triggers on SQLite: migration 0007; a later
    migration that rebuilds the SQLite table drops the triggers — tests/techmarket/test_dispatch_need.py
    checks they are there); a need has at
    most one open dispatch without a match (``dispatch_one_open_unmatched_per_need``) — it may be
    dispatched again once that one is finished or stopped.
    """

    class Stage(models.TextChoices):
        CONTACT = "contact", _("对接")
        NEGOTIATE = "negotiate", _("洽谈")
        SIGN = "sign", _("签约")
        REGISTER = "register", _("登记")
        DONE = "done", _("已完成")
        DROPPED = "dropped", _("已终止")

    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="dispatches")
    match = models.OneToOneField(Match, verbose_name=_("推荐成果"), null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="dispatch",
                                 help_text=_("空：成果库中没有适合的成果，由技术经理人另寻解决方案"))
    broker = models.ForeignKey(Broker, verbose_name=_("技术经理人"), on_delete=models.PROTECT,
                               related_name="dispatches")
    rule = models.CharField(_("派单依据"), max_length=300)
    overridden = models.BooleanField(_("人工改派"), default=False)
    stage = models.CharField(_("环节"), max_length=10, choices=Stage.choices, default=Stage.CONTACT, db_index=True)
    assigned_at = models.DateTimeField(_("派单时间"))
    first_contact_due = models.DateField(_("首次对接期限"))
    first_contact_at = models.DateTimeField(_("首次对接时间"), null=True, blank=True)
    notes = models.JSONField(_("工作记录"), default=list, blank=True)

    class Scope:
        township = "need__township"
        enterprise = "need__enterprise"
        org_unit = None
        broker = "broker__user"
        public = None

    class Meta:
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        ordering = ["-assigned_at", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["need"], condition=Q(match__isnull=True) & ~Q(stage__in=["done", "dropped"]),
            name="dispatch_one_open_unmatched_per_need")]

    def __str__(self) -> str:
        return f"{self.broker} · {self.need}"

    @property
    def achievement(self):
        """The suggested achievement the dispatch started from, or None (need-level dispatch)."""
        return self.match.achievement if self.match_id else None


@range_checked
class Deal(ScopedModel):
    """A signed deal between the need's enterprise and the technology's provider: the owner of a
    listed achievement, or — for a need no achievement fitted — the provider the broker found,
    with the solution written out (one of the two is required: ``deal_achievement_or_solution``)."""

    dispatch = models.OneToOneField(Dispatch, verbose_name=_("派单"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="deal")
    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.PROTECT, related_name="deals")
    achievement = models.ForeignKey(Achievement, verbose_name=_("成果"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="deals")
    solution = models.CharField(_("解决方案及来源"), max_length=SOLUTION_MAX_CHARS, blank=True,
                                help_text=_("成果库之外找到的方案：技术内容与来源（不超过 500 字）"))
    provider = models.CharField(_("技术提供方"), max_length=PROVIDER_MAX_CHARS, blank=True,
                                help_text=_("方案的提供单位或个人，技术合同的卖方"))
    amount = _money(_("成交金额（万元）"))
    signed_on = models.DateField(_("签约日期"))

    class Scope:
        township = "need__township"
        enterprise = "need__enterprise"
        org_unit = None
        broker = "dispatch__broker__user"
        public = None

    class Meta:
        verbose_name = _("成交")
        verbose_name_plural = _("成交")
        ordering = ["-signed_on", "-id"]
        constraints = [models.CheckConstraint(
            condition=Q(achievement__isnull=False) | (~Q(solution="") & ~Q(provider="")),
            name="deal_achievement_or_solution")]

    def __str__(self) -> str:
        return f"{self.need} · {self.achievement or self.provider}"

    @property
    def seller(self) -> str:
        """The technology side of the deal: the achievement's owner, or the provider found."""
        a = self.achievement
        if a is None:
            return self.provider
        return (a.owner_institute.name if a.owner_institute_id else a.owner_name) or "成果持有方"


@range_checked
class TechContract(ScopedModel):
    """技术合同认定登记: type, amount, parties, township, registration date, linked deal."""

    class Type(models.TextChoices):
        DEVELOPMENT = "development", _("技术开发")
        TRANSFER = "transfer", _("技术转让")
        LICENSE = "license", _("技术许可")
        CONSULTING = "consulting", _("技术咨询")
        SERVICE = "service", _("技术服务")

    deal = models.OneToOneField(Deal, verbose_name=_("成交"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="contract")
    contract_type = models.CharField(_("合同类型"), max_length=12, choices=Type.choices)
    title = models.CharField(_("合同名称"), max_length=300)
    amount = _money(_("合同成交额（万元）"))
    seller = models.CharField(_("卖方（技术方）"), max_length=200)
    buyer = models.CharField(_("买方（委托方）"), max_length=200)
    township = models.ForeignKey("core.Region", verbose_name=_("所属乡镇"), on_delete=models.PROTECT,
                                 related_name="tech_contracts")
    registered_on = models.DateField(_("登记日期"), db_index=True)
    registration_no = models.CharField(_("登记编号"), max_length=40, unique=True)

    class Scope:
        township = "township"
        enterprise = "deal__need__enterprise"
        org_unit = None
        broker = "deal__dispatch__broker__user"
        public = None

    class Meta:
        verbose_name = _("技术合同")
        verbose_name_plural = _("技术合同")
        ordering = ["-registered_on", "-id"]
        indexes = [models.Index(fields=["township", "registered_on"], name="contract_township_date")]

    def __str__(self) -> str:
        return f"{self.registration_no} {self.title}"


@range_checked
class Challenge(ScopedModel):
    """揭榜挂帅 榜单 published by the bureau from a need.

    Public fields (shown without sign-in while the challenge is open): title, summary, field,
    application deadline, bounty, status. The source need, its enterprise and budget are not
    public. Subsidy on award 50~200 万元, paid for projects that pass acceptance
    (南政规〔2025〕2号 一、（二））.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("张榜中")
        REVIEW = "review", _("评审中")
        AWARDED = "awarded", _("已揭榜")
        ACCEPTED = "accepted", _("已验收")
        CLOSED = "closed", _("已撤榜")

    need = models.ForeignKey(Need, verbose_name=_("来源需求"), on_delete=models.PROTECT, related_name="challenges")
    title = models.CharField(_("榜单名称"), max_length=300)
    summary = models.TextField(_("榜单内容（公开）"), blank=True,
                               help_text=_("攻关目标与技术指标；张榜期间向社会公开，请勿填写企业商业秘密"))
    field = models.CharField(_("技术领域"), max_length=60, blank=True)
    bounty = _money(_("榜额（万元）"), null=True, blank=True,
                    help_text=_("发榜企业承诺投入的攻关经费"))
    deadline = models.DateField(_("揭榜截止日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    subsidy = _money(_("补助金额（万元）"), null=True, blank=True)
    published_on = models.DateField(_("张榜日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发榜人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Scope:
        township = "need__township"
        enterprise = "need__enterprise"
        org_unit = None
        broker = None
        anonymous = True   # the public list page shows open challenges' public fields only

        @staticmethod
        def public():
            """Public from the 张榜日期 on, until withdrawn: a 榜单 dated tomorrow is seen today by the
            bureau, the need's township and the issuing enterprise only."""
            return ~Q(status="closed") & Q(published_on__lte=timezone.localdate())

    class Meta:
        verbose_name = _("揭榜挂帅榜单")
        verbose_name_plural = _("揭榜挂帅榜单")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


@range_checked
class ChallengeApplication(ScopedModel):
    """A team's application (揭榜申请): team, lead, members, proposal, expert scores.

    ``review_scores`` is a list of ``{"expert": name, "score": "88.00"}`` entered by the bureau.
    Seen by the bureau, the clerk of the need's township, the issuing enterprise and the
    applying enterprise; never public.
    """

    challenge = models.ForeignKey(Challenge, verbose_name=_("榜单"), on_delete=models.CASCADE,
                                  related_name="applications")
    team = models.CharField(_("揭榜团队"), max_length=200)
    lead = models.CharField(_("团队负责人"), max_length=60, blank=True)
    members = models.TextField(_("团队成员"), blank=True)
    institution = models.CharField(_("依托单位"), max_length=200, blank=True)
    contact = models.CharField(_("联系方式"), max_length=120, blank=True)
    proposal = models.TextField(_("方案摘要"), blank=True)
    applicant_enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("申报企业"), null=True,
                                             blank=True, on_delete=models.SET_NULL,
                                             related_name="challenge_applications")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    review_scores = models.JSONField(_("专家评分"), default=list, blank=True)
    awarded = models.BooleanField(_("揭榜成功"), default=False)

    class Scope:
        township = "challenge__need__township"
        enterprise = "challenge__need__enterprise"
        org_unit = None
        broker = None
        public = None

    @classmethod
    def scope_queryset(cls, qs, user, action):
        """Bureau: all. Clerk: the need's township. Enterprise user: applications to its own
        challenges and its own applications (view only for the latter). Others: none."""
        role = getattr(user, "role", "")
        if role == Role.BUREAU_STAFF:
            return qs
        if role == Role.TOWNSHIP_CLERK and user.township_id:
            return qs.filter(challenge__need__township_id=user.township_id)
        if role == Role.ENTERPRISE_USER and user.enterprise_id:
            own = Q(challenge__need__enterprise_id=user.enterprise_id)
            if action in ("view", "export"):
                own |= Q(applicant_enterprise_id=user.enterprise_id)
            return qs.filter(own)
        return qs.none()

    class Meta:
        verbose_name = _("揭榜申请")
        verbose_name_plural = _("揭榜申请")
        ordering = ["challenge", "id"]
        constraints = [models.UniqueConstraint(fields=["challenge", "team"], name="challenge_unique_team")]

    def __str__(self) -> str:
        return f"{self.team} · {self.challenge}"

    @property
    def scores(self) -> list[tuple[str, Decimal]]:
        """(expert, score) pairs; older rows stored bare numbers and get 专家1, 专家2, …"""
        out = []
        for i, s in enumerate(self.review_scores or [], start=1):
            if isinstance(s, dict):
                out.append((s.get("expert") or f"专家{i}", Decimal(str(s["score"]))))
            else:
                out.append((f"专家{i}", Decimal(str(s))))
        return out

    @property
    def mean_score(self) -> Decimal | None:
        """Mean of the expert scores (Decimal, 2 places), None before review."""
        scores = self.scores
        if not scores:
            return None
        total = sum(v for _, v in scores)
        return (total / len(scores)).quantize(Decimal("0.01"))


@range_checked
class ChallengeMilestone(ScopedModel):
    """A milestone of an awarded challenge with its due date and acceptance (验收)."""

    class Acceptance(models.TextChoices):
        PENDING = "pending", _("待验收")
        PASSED = "passed", _("验收通过")
        FAILED = "failed", _("验收未通过")

    challenge = models.ForeignKey(Challenge, verbose_name=_("榜单"), on_delete=models.CASCADE,
                                  related_name="milestones")
    title = models.CharField(_("里程碑"), max_length=200)
    due = models.DateField(_("计划完成日期"))
    acceptance = models.CharField(_("验收结果"), max_length=10, choices=Acceptance.choices,
                                  default=Acceptance.PENDING)
    note = models.CharField(_("验收意见"), max_length=1000, blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("验收人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Scope:
        township = "challenge__need__township"
        enterprise = "challenge__need__enterprise"
        org_unit = None
        broker = None
        public = ~Q(challenge__status="closed")

    class Meta:
        verbose_name = _("揭榜里程碑")
        verbose_name_plural = _("揭榜里程碑")
        ordering = ["challenge", "due", "id"]

    def __str__(self) -> str:
        return f"{self.challenge} · {self.title}"

    def is_overdue(self, today) -> bool:
        """Past its due date without a passed acceptance."""
        return self.acceptance != self.Acceptance.PASSED and today > self.due


def _dispatch_attachment_path(instance, filename: str) -> str:
    from pathlib import PurePath
    from uuid import uuid4
    return f"techmarket/dispatch/{instance.dispatch_id}/{uuid4().hex}{PurePath(filename).suffix.lower()}"


@range_checked
class DispatchAttachment(ScopedModel):
    """A file the broker uploads on a dispatch (signed contract scan, meeting minutes)."""

    dispatch = models.ForeignKey(Dispatch, verbose_name=_("派单"), on_delete=models.CASCADE,
                                 related_name="attachments")
    file = models.FileField(_("附件"), upload_to=_dispatch_attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类别"), max_length=40, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), validators=bounded(FILE_SIZE))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Scope:
        township = "dispatch__need__township"
        enterprise = "dispatch__need__enterprise"
        org_unit = None
        broker = "dispatch__broker__user"
        public = None

    class Meta:
        verbose_name = _("派单附件")
        verbose_name_plural = _("派单附件")
        ordering = ["dispatch", "-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name
