"""Writes of the technology market (keyword-only, typed, each in one transaction).

Citations: 揭榜挂帅 subsidy 50~200 万元 — 南政规〔2025〕2号 （二）; first contact within
3 working days is the platform's service-level rule for brokers (派单 SLA, seed 004).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from kechuang.search.engine import SearchError

from .models import (
    MAX_DESCRIPTION_CHARS,
    Achievement,
    Broker,
    Challenge,
    ChallengeApplication,
    Deal,
    Dispatch,
    Feedback,
    Match,
    Need,
    TechContract,
)
from .workdays import FIRST_CONTACT_WORKING_DAYS, add_working_days

CHALLENGE_SUBSIDY_MIN = Decimal("50")
CHALLENGE_SUBSIDY_MAX = Decimal("200")
CHALLENGE_CITATION = "南政规〔2025〕2号 （二）"
NEGATIVE_FEEDBACK = {Feedback.NOT_APPLICABLE, Feedback.HAS_SOLUTION}
QUERY_DESCRIPTION_CHARS = 500


class TechMarketError(ValueError):
    """A business rule refused the operation; the message names the field."""


def _decimal(value, field: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise TechMarketError(f"{field}: 应为数字，收到 {value!r}") from None
    if not d.is_finite():
        raise TechMarketError(f"{field}: 应为有限数字")
    return d


# --------------------------------------------------------------------------- catalogue
@transaction.atomic
def catalogue_load_csl(*, path: Path | None = None) -> int:
    """Load the shipped CSL records as published achievements (source ``CSL``); idempotent.

    Returns the number of achievements created.
    """
    from kechuang.search.documents import load_corpus

    from .search_index import CSL_CATALOGUE
    docs = load_corpus(path or CSL_CATALOGUE)
    cats = {}
    with open(path or CSL_CATALOGUE, encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            cats[row["id"]] = row.get("discipline") or row.get("category") or ""
    existing = set(Achievement.objects.filter(source="CSL").values_list("source_id", flat=True))
    new = [Achievement(title=d.title, abstract=d.abstract, keywords=list(d.keywords), field=cats.get(d.id, ""),
                       owner_name="CSL 公开论文作者", status=Achievement.Status.PUBLISHED, source="CSL",
                       source_id=d.id, transfer_modes=[])
           for d in docs if d.id not in existing]
    Achievement.objects.bulk_create(new, batch_size=500)
    from kechuang.core.changes import log_bulk
    log_bulk(Achievement, "create", new)
    return len(new)


# --------------------------------------------------------------------------- needs
@transaction.atomic
def need_post(*, enterprise, title: str, description: str, budget=None, deadline: date | None = None,
              field: str = "", is_public: bool = True) -> Need:
    """Post a technology need for ``enterprise`` (township taken from the enterprise)."""
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        raise TechMarketError("需求名称: 不能为空")
    if len(title) > 300:
        raise TechMarketError(f"需求名称: 超过 300 字（{len(title)} 字）")
    if not description:
        raise TechMarketError("需求描述: 不能为空")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise TechMarketError(f"需求描述: 超过 {MAX_DESCRIPTION_CHARS} 字（{len(description)} 字），请精简后再提交")
    if budget not in (None, ""):
        budget = _decimal(budget, "预算")
        if budget < 0:
            raise TechMarketError("预算: 不能为负数")
    else:
        budget = None
    return Need.objects.create(enterprise=enterprise, township=enterprise.township, title=title,
                               description=description, budget=budget, deadline=deadline,
                               field=(field or "").strip(), is_public=is_public)


def need_query_text(need: Need) -> str:
    """The search query of a need: its title and the start of its description."""
    return f"{need.title}。{need.description[:QUERY_DESCRIPTION_CHARS]}"


def _feedback_adjustment(need: Need) -> tuple[set[int], dict[int, float]]:
    """What the ranking learns from feedback.

    Achievements this enterprise marked 不适用/已有方案 are excluded for its needs; every
    achievement's score is multiplied by (1 + 0.1 × (有意向 − 不适用 − 已有方案)) over all
    enterprises' answers, bounded to [0.7, 1.3].
    """
    excluded = set(Match.objects.filter(need__enterprise=need.enterprise, feedback__in=NEGATIVE_FEEDBACK)
                   .values_list("achievement_id", flat=True))
    rows = (Match.objects.exclude(feedback="").values("achievement_id")
            .annotate(pos=Count("id", filter=Q(feedback=Feedback.INTERESTED)),
                      neg=Count("id", filter=Q(feedback__in=NEGATIVE_FEEDBACK))))
    factor = {r["achievement_id"]: min(1.3, max(0.7, 1 + 0.1 * (r["pos"] - r["neg"]))) for r in rows}
    return excluded, factor


@transaction.atomic
def need_match(*, need: Need, k: int = 10) -> list[Match]:
    """Rank published achievements for ``need`` and store them as Match rows (feedback kept)."""
    from .catalogue import catalogue_engine
    engine = catalogue_engine()
    if engine is None:
        return []
    try:
        hits = engine.search(need_query_text(need), k=k * 3)
    except SearchError as exc:
        raise TechMarketError(f"需求描述: {exc}") from None
    by_id = {f"ach-{a.pk}": a for a in Achievement.objects.filter(
        pk__in=[int(h.id.split("-", 1)[1]) for h in hits], status=Achievement.Status.PUBLISHED)}
    excluded, factor = _feedback_adjustment(need)
    ranked = []
    for h in hits:
        a = by_id.get(h.id)
        if a is None or a.pk in excluded:
            continue
        f = factor.get(a.pk, 1.0)
        reasons = list(h.why) + ([f"企业反馈调整 ×{f:.1f}"] if f != 1.0 else [])
        ranked.append((h.score * f, a, reasons))
    ranked.sort(key=lambda t: -t[0])
    kept = {m.achievement_id: m for m in need.matches.all()}
    out = []
    for rank, (score, a, reasons) in enumerate(ranked[:k], start=1):
        m = kept.get(a.pk)
        if m is None:
            m = Match.objects.create(need=need, achievement=a, rank=rank, score=round(score, 4), reasons=reasons)
        else:
            m.rank, m.score, m.reasons = rank, round(score, 4), reasons
            m.save(update_fields=["rank", "score", "reasons"])
        out.append(m)
    return out


@transaction.atomic
def match_feedback(*, match: Match, feedback: str, note: str = "", now: datetime | None = None) -> Match:
    """Record the enterprise's structured answer to a suggestion."""
    if feedback not in Feedback.values:
        labels = "、".join(str(label) for label in Feedback.labels)
        raise TechMarketError(f"反馈: 应为 {labels} 之一，收到 {feedback!r}")
    match.feedback = feedback
    match.feedback_note = (note or "")[:500]
    match.feedback_at = now or timezone.now()
    match.save(update_fields=["feedback", "feedback_note", "feedback_at"])
    return match


# --------------------------------------------------------------------------- dispatch
@dataclass
class BrokerChoice:
    """The broker the dispatch rule picks, and the rule text shown to the bureau."""

    broker: Broker
    rule: str


def open_load(broker: Broker) -> int:
    """Dispatches of ``broker`` not yet done or dropped."""
    return broker.dispatches.exclude(stage__in=[Dispatch.Stage.DONE, Dispatch.Stage.DROPPED]).count()


def dispatch_pick_broker(need: Need) -> BrokerChoice:
    """The rule: active brokers serving the need's field with spare capacity; the lowest load wins
    (ties: fewest total dispatches, then earliest registered). Without a field match, all
    active brokers with spare capacity are candidates."""
    brokers = list(Broker.objects.filter(active=True).order_by("id"))
    loads = {b.pk: open_load(b) for b in brokers}
    free = [b for b in brokers if loads[b.pk] < b.capacity]
    if not free:
        raise TechMarketError("派单: 没有在岗且有余量的技术经理人，请科技局人工指定")
    in_field = [b for b in free if need.field and need.field in (b.fields or [])]
    pool = in_field or free
    totals = {b.pk: b.dispatches.count() for b in pool}
    best = min(pool, key=lambda b: (loads[b.pk], totals[b.pk], b.pk))
    scope = f"领域「{need.field}」" if in_field else "全部领域（无同领域人选）"
    rule = (f"按{scope}与当前负荷自动派单：候选 {len(pool)} 人，选在办件最少者"
            f"（{best.name} 在办 {loads[best.pk]}/{best.capacity} 件）")
    return BrokerChoice(best, rule)


@transaction.atomic
def dispatch_assign(*, match: Match, broker: Broker | None = None, reason: str = "",
                    now: datetime | None = None, holidays=()) -> Dispatch:
    """Assign ``match`` to a broker by the rule, or to ``broker`` when the bureau overrides it."""
    if hasattr(match, "dispatch"):
        raise TechMarketError("派单: 该匹配已派单")
    now = now or timezone.now()
    if broker is None:
        choice = dispatch_pick_broker(match.need)
        broker, rule, overridden = choice.broker, choice.rule, False
    else:
        if not broker.active:
            raise TechMarketError(f"技术经理人: {broker.name} 不在岗")
        rule, overridden = f"科技局人工指定：{reason or '未填写理由'}", True
    due = add_working_days(timezone.localdate(now) if timezone.is_aware(now) else now.date(),
                           FIRST_CONTACT_WORKING_DAYS, holidays)
    d = Dispatch.objects.create(match=match, broker=broker, rule=rule, overridden=overridden, assigned_at=now,
                                first_contact_due=due)
    if match.need.status == Need.Status.OPEN:
        match.need.status = Need.Status.MATCHED
        match.need.save(update_fields=["status"])
    return d


_NEXT = {Dispatch.Stage.CONTACT: Dispatch.Stage.NEGOTIATE, Dispatch.Stage.NEGOTIATE: Dispatch.Stage.SIGN}


@transaction.atomic
def dispatch_note(*, dispatch: Dispatch, text: str, author: str = "", now: datetime | None = None) -> Dispatch:
    """Add a work note; the first note while in 对接 counts as the first contact."""
    if not (text or "").strip():
        raise TechMarketError("工作记录: 不能为空")
    now = now or timezone.now()
    dispatch.notes = list(dispatch.notes) + [{"at": now.isoformat(), "author": author, "stage": dispatch.stage,
                                              "text": text.strip()[:2000]}]
    fields = ["notes"]
    if dispatch.first_contact_at is None:
        dispatch.first_contact_at = now
        fields.append("first_contact_at")
    dispatch.save(update_fields=fields)
    return dispatch


@transaction.atomic
def dispatch_advance(*, dispatch: Dispatch, now: datetime | None = None) -> Dispatch:
    """Move 对接 → 洽谈 → 签约 (签约 → 登记 happens through ``deal_sign``, 登记 → 完成 through ``contract_register``)."""
    nxt = _NEXT.get(dispatch.stage)
    if nxt is None:
        raise TechMarketError(f"环节: 当前为「{dispatch.get_stage_display()}」，请通过签约或登记推进")
    if dispatch.first_contact_at is None:
        dispatch.first_contact_at = now or timezone.now()
    dispatch.stage = nxt
    dispatch.save(update_fields=["stage", "first_contact_at"])
    return dispatch


def dispatch_is_overdue(dispatch: Dispatch, today: date) -> bool:
    """True when no first contact was recorded and the 3-working-day deadline has passed."""
    return dispatch.first_contact_at is None and today > dispatch.first_contact_due


@transaction.atomic
def deal_sign(*, dispatch: Dispatch, amount, signed_on: date) -> Deal:
    """Record the signed deal of a dispatch in 签约; the dispatch moves to 登记."""
    if dispatch.stage != Dispatch.Stage.SIGN:
        raise TechMarketError(f"环节: 应在「签约」环节签约，当前为「{dispatch.get_stage_display()}」")
    amount = _decimal(amount, "成交金额")
    if amount <= 0:
        raise TechMarketError("成交金额: 应大于 0")
    deal = Deal.objects.create(dispatch=dispatch, need=dispatch.match.need, achievement=dispatch.match.achievement,
                               amount=amount, signed_on=signed_on)
    dispatch.stage = Dispatch.Stage.REGISTER
    dispatch.save(update_fields=["stage"])
    return deal


@transaction.atomic
def contract_register(*, deal: Deal, contract_type: str, registered_on: date, registration_no: str,
                      amount=None, title: str = "") -> TechContract:
    """认定登记 the contract of a deal: parties, township and amount come from the deal (no re-typing)."""
    if contract_type not in TechContract.Type.values:
        raise TechMarketError(f"合同类型: 应为 {'、'.join(str(x) for x in TechContract.Type.labels)} 之一")
    if not (registration_no or "").strip():
        raise TechMarketError("登记编号: 不能为空")
    if TechContract.objects.filter(registration_no=registration_no.strip()).exists():
        raise TechMarketError(f"登记编号: {registration_no} 已存在")
    amount = deal.amount if amount in (None, "") else _decimal(amount, "合同成交额")
    if amount < 0:
        raise TechMarketError("合同成交额: 不能为负数")
    a = deal.achievement
    contract = TechContract.objects.create(
        deal=deal, contract_type=contract_type, title=title or f"{a.title}（{deal.need.title}）"[:300], amount=amount,
        seller=(a.owner_institute.name if a.owner_institute else a.owner_name) or "成果持有方",
        buyer=deal.need.enterprise.name, township=deal.need.township, registered_on=registered_on,
        registration_no=registration_no.strip())
    if deal.dispatch_id:
        deal.dispatch.stage = Dispatch.Stage.DONE
        deal.dispatch.save(update_fields=["stage"])
    return contract


# --------------------------------------------------------------------------- 揭榜挂帅
@transaction.atomic
def challenge_publish(*, need: Need, title: str = "", published_on: date, milestones=()) -> Challenge:
    """Put a need on the 揭榜挂帅 list (榜单)."""
    return Challenge.objects.create(need=need, title=(title or need.title)[:300], published_on=published_on,
                                    milestones=list(milestones))


@transaction.atomic
def challenge_apply(*, challenge: Challenge, team: str, proposal: str = "") -> ChallengeApplication:
    """A team applies to an open challenge."""
    if challenge.status != Challenge.Status.OPEN:
        raise TechMarketError(f"榜单: 「{challenge.title}」当前不接受揭榜")
    if not (team or "").strip():
        raise TechMarketError("揭榜团队: 不能为空")
    return ChallengeApplication.objects.create(challenge=challenge, team=team.strip(), proposal=proposal)


@transaction.atomic
def challenge_review(*, application: ChallengeApplication, scores) -> ChallengeApplication:
    """Record the experts' scores (each 0–100)."""
    vals = [_decimal(s, "专家评分") for s in scores]
    if not vals or any(v < 0 or v > 100 for v in vals):
        raise TechMarketError("专家评分: 每项应在 0–100 之间，且至少一项")
    application.review_scores = [str(v) for v in vals]
    application.save(update_fields=["review_scores"])
    if application.challenge.status == Challenge.Status.OPEN:
        application.challenge.status = Challenge.Status.REVIEW
        application.challenge.save(update_fields=["status"])
    return application


@transaction.atomic
def challenge_award(*, application: ChallengeApplication, subsidy) -> Challenge:
    """Award the challenge to a reviewed application with a subsidy of 50~200 万元 (南政规〔2025〕2号 （二）)."""
    subsidy = _decimal(subsidy, "补助金额")
    if not (CHALLENGE_SUBSIDY_MIN <= subsidy <= CHALLENGE_SUBSIDY_MAX):
        raise TechMarketError(f"补助金额: 应在 {CHALLENGE_SUBSIDY_MIN}~{CHALLENGE_SUBSIDY_MAX} 万元之间"
                              f"（{CHALLENGE_CITATION}），收到 {subsidy}")
    if not application.review_scores:
        raise TechMarketError("揭榜申请: 尚未经专家评审")
    ch = application.challenge
    if ch.status in (Challenge.Status.AWARDED, Challenge.Status.ACCEPTED):
        raise TechMarketError(f"榜单: 「{ch.title}」已揭榜")
    application.awarded = True
    application.save(update_fields=["awarded"])
    ch.status, ch.subsidy = Challenge.Status.AWARDED, subsidy
    ch.save(update_fields=["status", "subsidy"])
    return ch


# --------------------------------------------------------------------------- 成果审核 (moderation)
MODERATION_PUBLISH_SOURCE = "成果审核：发布"
MODERATION_REJECT_PREFIX = "成果审核退回："
# The reason travels in the change log's ``source`` column (200 characters) next to the status change.
REJECT_REASON_MAX_CHARS = 180


def _require_moderator(user) -> None:
    if getattr(user, "role", "") != "bureau_staff":
        raise TechMarketError("成果审核: 只有科技局工作人员可以审核科技成果")


def _refresh_catalogue_index() -> None:
    """Bring the persisted search index in step with the published rows (after commit)."""
    import logging

    from .catalogue import catalogue_engine
    try:
        catalogue_engine()
    except Exception:  # the index is rebuilt incrementally by the next search anyway
        logging.getLogger(__name__).exception("techmarket: search index refresh after publish failed")


@transaction.atomic
def achievement_publish(*, user, achievement: Achievement) -> Achievement:
    """Publish a draft or submitted (待审核) achievement; it enters the search index on commit.

    Only bureau staff moderate. The status change is change-logged with the source
    ``成果审核：发布``. A title and an abstract (成果简介) are required, since the listing
    is found through them.
    """
    _require_moderator(user)
    from kechuang.core.changes import change_context
    a = Achievement.objects.get(pk=achievement.pk)
    if a.status not in (Achievement.Status.DRAFT, Achievement.Status.REVIEW):
        raise TechMarketError(f"成果状态: 「{a.title}」当前为「{a.get_status_display()}」，"
                              "只有草稿或待审核的成果可以发布")
    if not a.title.strip():
        raise TechMarketError("成果名称: 不能为空，请补充后再发布")
    if not a.abstract.strip():
        raise TechMarketError(f"成果简介: 「{a.title}」没有成果简介，请补充后再发布")
    with change_context(user=user, source=MODERATION_PUBLISH_SOURCE):
        a.status = Achievement.Status.PUBLISHED
        a.save(update_fields=["status"])
    transaction.on_commit(_refresh_catalogue_index)
    return a


@transaction.atomic
def achievement_reject(*, user, achievement: Achievement, reason: str) -> Achievement:
    """Send a submitted (待审核) achievement back to draft with a required reason.

    The reason is recorded in the change log entry of the status change (source
    ``成果审核退回：<reason>``), where the owner side reads it.
    """
    _require_moderator(user)
    from kechuang.core.changes import change_context
    a = Achievement.objects.get(pk=achievement.pk)
    reason = " ".join((reason or "").split())
    if not reason:
        raise TechMarketError(f"退回原因: 不能为空，请写明「{a.title}」不予发布的原因")
    if len(reason) > REJECT_REASON_MAX_CHARS:
        raise TechMarketError(f"退回原因: 超过 {REJECT_REASON_MAX_CHARS} 字（{len(reason)} 字），请精简")
    if a.status != Achievement.Status.REVIEW:
        raise TechMarketError(f"成果状态: 「{a.title}」当前为「{a.get_status_display()}」，只有待审核的成果可以退回")
    with change_context(user=user, source=f"{MODERATION_REJECT_PREFIX}{reason}"):
        a.status = Achievement.Status.DRAFT
        a.save(update_fields=["status"])
    return a
