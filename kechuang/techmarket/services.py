"""Writes of the technology market (keyword-only, typed, each in one transaction).

Citations: 揭榜挂帅 subsidy 50~200 万元 — 南政规〔2025〕2号 一、（二）“推进重点产业关键技术攻关”
(paid for projects that pass acceptance); first contact within 3 working days is the
platform's service-level rule for brokers (派单 SLA, seed 004), counted on the State Council
holiday calendar (data/techmarket/holidays.yaml).
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

from kechuang.core.models import Role
from kechuang.core.permissions import PermissionRefused, account, require
from kechuang.core.uploads import MAGIC, UploadError, check_file
from kechuang.core.uploads import max_bytes as upload_max_bytes
from kechuang.search.engine import SearchError
from kechuang.search.relevance import FLOOR as RELEVANCE_FLOOR

from .models import (
    MAX_DESCRIPTION_CHARS,
    PROVIDER_MAX_CHARS,
    SOLUTION_MAX_CHARS,
    Achievement,
    Broker,
    Challenge,
    ChallengeApplication,
    ChallengeMilestone,
    Deal,
    Dispatch,
    DispatchAttachment,
    Feedback,
    Match,
    Need,
    TechContract,
)
from .workdays import FIRST_CONTACT_WORKING_DAYS, HolidayCalendar, shipped_calendar

CHALLENGE_SUBSIDY_MIN = Decimal("50")
CHALLENGE_SUBSIDY_MAX = Decimal("200")
CHALLENGE_CITATION = "南政规〔2025〕2号 一、（二）"
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

    from .catalogue import CSL_CATALOGUE
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
    # bulk_create sends no post_save: ``kechuang serve`` queues the first index build (ensure_index)
    return len(new)


# --------------------------------------------------------------------------- needs
@transaction.atomic
def need_post(*, user, enterprise, title: str, description: str, budget=None, deadline: date | None = None,
              field: str = "", is_public: bool = True) -> Need:
    """Post a technology need for ``enterprise`` (township taken from the enterprise): an enterprise
    user for its own enterprise (or a command)."""
    require(user, "techmarket.need.post", enterprise)
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
def need_match(*, user, need: Need, k: int = 10) -> list[Match]:
    """Rank published achievements for ``need`` and store them as Match rows (feedback kept).

    Only achievements whose calibrated relevance reaches ``relevance.FLOOR`` are suggested
    (kechuang/search/relevance.py, docs/search.md): when none does, the list is empty and the
    need page says that no achievement fits and offers dispatch to a broker. Earlier
    suggestions that no longer qualify are removed unless the enterprise answered them or they
    were dispatched (then they stay, ranked after the current ones).
    """
    require(user, "techmarket.need.match", need)
    from .catalogue import catalogue_engine
    engine = catalogue_engine()
    if engine is None:
        return []
    try:
        hits = engine.search(need_query_text(need), k=k * 3)
    except SearchError as exc:
        raise TechMarketError(f"需求描述: {exc}") from None
    hits = [h for h in hits if h.relevance is None or h.relevance >= RELEVANCE_FLOOR]
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
        m = kept.pop(a.pk, None)
        if m is None:
            m = Match.objects.create(need=need, achievement=a, rank=rank, score=round(min(score, 1.0), 4), reasons=reasons)
        else:
            m.rank, m.score, m.reasons = rank, round(min(score, 1.0), 4), reasons
            m.save(update_fields=["rank", "score", "reasons"])
        out.append(m)
    stale = sorted(kept.values(), key=lambda m: m.rank)
    answered = [m for m in stale if m.feedback or hasattr(m, "dispatch")]
    Match.objects.filter(pk__in=[m.pk for m in stale if m not in answered]).delete()
    for rank, m in enumerate(answered, start=len(out) + 1):
        m.rank = rank
        m.save(update_fields=["rank"])
    return out


@transaction.atomic
def match_feedback(*, user, match: Match, feedback: str, note: str = "", now: datetime | None = None) -> Match:
    """Record the enterprise's structured answer to a suggestion."""
    require(user, "techmarket.match.feedback", match.need)
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


OPEN_STAGES_EXCLUDED = (Dispatch.Stage.DONE, Dispatch.Stage.DROPPED)


def need_open_dispatch(need: Need) -> Dispatch | None:
    """The need's open dispatch without an achievement (at most one: a database constraint)."""
    return (need.dispatches.filter(match__isnull=True).exclude(stage__in=OPEN_STAGES_EXCLUDED)
            .select_related("broker").first())


@transaction.atomic
def dispatch_assign(*, user, match: Match | None = None, need: Need | None = None, broker: Broker | None = None,
                    reason: str = "", now: datetime | None = None, calendar: HolidayCalendar | None = None
                    ) -> Dispatch:
    """Assign a suggestion (``match``) — or, when no achievement fits, the ``need`` itself — to a
    broker by the rule, or to ``broker`` when the bureau overrides it (with a reason).

    A need-level dispatch asks the broker to find a solution outside the catalogue; a need has
    at most one open such dispatch. The first contact is due 3 working days after the
    assignment day, counted on ``calendar`` (default: the shipped State Council holiday
    calendar, so 国庆/春节 and 调休上班日 count right). The broker is told in the message centre.
    """
    if (match is None) == (need is None):
        raise TypeError("dispatch_assign: give either match or need")
    need = match.need if match is not None else need
    require(user, "techmarket.dispatch.assign", need)
    if match is not None and hasattr(match, "dispatch"):
        raise TechMarketError("派单: 该匹配已派单")
    if match is None:
        if need.status == Need.Status.CLOSED:
            raise TechMarketError(f"派单: 需求「{need.title}」已关闭")
        current = need_open_dispatch(need)
        if current is not None:
            raise TechMarketError(f"派单: 该需求已派给技术经理人 {current.broker.name}"
                                  f"（{current.get_stage_display()}），办结或终止后才能再派")
    now = now or timezone.now()
    if broker is None:
        choice = dispatch_pick_broker(need)
        broker, rule, overridden = choice.broker, choice.rule, False
    else:
        if not broker.active:
            raise TechMarketError(f"技术经理人: {broker.name} 不在岗")
        reason = _text(reason, "改派理由", max_chars=200)
        rule, overridden = f"科技局人工指定：{reason or '未填写理由'}", True
    if match is None:
        rule = f"成果库中没有适合的成果，派单由技术经理人另寻解决方案。{rule}"[:300]
    calendar = calendar or shipped_calendar()
    due = calendar.add_working_days(timezone.localdate(now) if timezone.is_aware(now) else now.date(),
                                    FIRST_CONTACT_WORKING_DAYS)
    d = Dispatch.objects.create(need=need, match=match, broker=broker, rule=rule, overridden=overridden,
                                assigned_at=now, first_contact_due=due)
    if need.status == Need.Status.OPEN:
        need.status = Need.Status.MATCHED
        need.save(update_fields=["status"])
    _notify_broker(d)
    return d


def _notify_broker(d: Dispatch) -> None:
    """Tell the broker of a new dispatch in the message centre (once per dispatch)."""
    if not d.broker.user_id:
        return
    from django.urls import reverse

    from kechuang.inbox.services import notify
    what = (f"推荐成果：{d.match.achievement.title}" if d.match_id
            else "成果库中没有适合的成果，请另寻高校院所或企业的解决方案")
    notify(d.broker.user, f"新的派单：{d.need.title}",
           f"{d.need.enterprise.name}的技术需求。{what}。请于 {d.first_contact_due:%Y年%m月%d日} 前完成首次对接"
           f"（{FIRST_CONTACT_WORKING_DAYS} 个工作日）。",
           reverse("techmarket:dispatch_detail", args=[d.pk]), "todo", dedupe_key=f"dispatch-{d.pk}-assigned")


DROP_REASON_MAX_CHARS = 200


@transaction.atomic
def dispatch_drop(*, user, dispatch: Dispatch, reason: str, now: datetime | None = None) -> Dispatch:
    """终止 an open dispatch before the deal (the broker found no partner, the enterprise withdrew):
    the bureau, with a reason (≤ 200 字) kept in the work log. A need whose dispatch without an
    achievement was stopped may be dispatched again; the broker is told."""
    require(user, "techmarket.dispatch.assign", dispatch.need)
    if dispatch.stage in OPEN_STAGES_EXCLUDED or getattr(dispatch, "deal", None) is not None:
        raise TechMarketError(f"环节: 当前为「{dispatch.get_stage_display()}」，不能终止")
    reason = _text(reason, "终止理由", required=True, max_chars=DROP_REASON_MAX_CHARS)
    now = now or timezone.now()
    dispatch.notes = list(dispatch.notes) + [{"at": now.isoformat(), "author": "科技局", "stage": dispatch.stage,
                                              "text": f"终止派单：{reason}"}]
    dispatch.stage = Dispatch.Stage.DROPPED
    dispatch.save(update_fields=["notes", "stage"])
    if dispatch.broker.user_id:
        from django.urls import reverse

        from kechuang.inbox.services import notify
        notify(dispatch.broker.user, f"派单已终止：{dispatch.need.title}", f"科技局终止了这件派单：{reason}",
               reverse("techmarket:dispatch_detail", args=[dispatch.pk]), "notice",
               dedupe_key=f"dispatch-{dispatch.pk}-dropped")
    return dispatch


_NEXT = {Dispatch.Stage.CONTACT: Dispatch.Stage.NEGOTIATE, Dispatch.Stage.NEGOTIATE: Dispatch.Stage.SIGN}


@transaction.atomic
def dispatch_note(*, user, dispatch: Dispatch, text: str, author: str = "", now: datetime | None = None
                  ) -> Dispatch:
    """Add a work note; the first note while in 对接 counts as the first contact."""
    require(user, "techmarket.dispatch.work", dispatch)
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
def dispatch_advance(*, user, dispatch: Dispatch, now: datetime | None = None) -> Dispatch:
    """Move 对接 → 洽谈 → 签约 (签约 → 登记 happens through ``deal_sign``, 登记 → 完成 through ``contract_register``)."""
    require(user, "techmarket.dispatch.work", dispatch)
    nxt = _NEXT.get(dispatch.stage)
    if nxt is None:
        raise TechMarketError(f"环节: 当前为「{dispatch.get_stage_display()}」，请通过签约或登记推进")
    if dispatch.first_contact_at is None:
        dispatch.first_contact_at = now or timezone.now()
    dispatch.stage = nxt
    dispatch.save(update_fields=["stage", "first_contact_at"])
    return dispatch


def dispatch_overdue_working_days(dispatch: Dispatch, today: date, calendar: HolidayCalendar | None = None) -> int:
    """Working days past the first-contact deadline without a recorded first contact (0 = not overdue).

    Counted on the holiday calendar: a deadline on the last working day before 国庆 becomes
    overdue on the first working day after the holiday, not during it.
    """
    if dispatch.first_contact_at is not None:
        return 0
    return (calendar or shipped_calendar()).working_days_between(dispatch.first_contact_due, today)


def dispatch_is_overdue(dispatch: Dispatch, today: date, calendar: HolidayCalendar | None = None) -> bool:
    """True when no first contact was recorded and at least one working day has passed since the deadline."""
    return dispatch_overdue_working_days(dispatch, today, calendar) > 0


def dispatch_clock_caveat(dispatch: Dispatch, today: date | None = None,
                          calendar: HolidayCalendar | None = None) -> str:
    """A warning when the dispatch's clock spans a year whose holidays are missing or unchecked ('' otherwise)."""
    start = timezone.localdate(dispatch.assigned_at) if timezone.is_aware(dispatch.assigned_at) \
        else dispatch.assigned_at.date()
    end = dispatch.first_contact_due
    if dispatch.first_contact_at is None and today is not None:   # the overdue count runs until today
        end = max(end, today)
    return (calendar or shipped_calendar()).caveat(start, end)


DISPATCH_ATTACHMENTS_PER_DISPATCH = 50
DISPATCH_ATTACHMENT_TYPES = {suffix: MAGIC[suffix] for suffix in
                             (".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".zip")}


def __getattr__(name):
    if name == "DISPATCH_ATTACHMENT_MAX_BYTES":  # one limit: settings.KECHUANG_UPLOAD_MAX_BYTES
        return upload_max_bytes()
    raise AttributeError(name)


def _check_upload(upload) -> str:
    """Validate name, type (extension and content), emptiness and size (kechuang.core.uploads)."""
    try:
        return check_file(upload, DISPATCH_ATTACHMENT_TYPES, what="附件")
    except UploadError as exc:
        raise TechMarketError(str(exc)) from None


@transaction.atomic
def dispatch_attach(*, dispatch: Dispatch, upload, user, kind: str = "", now: datetime | None = None
                    ) -> DispatchAttachment:
    """The broker (or bureau staff) attaches a file to a dispatch: signed contract scan, minutes, ….

    Allowed: PDF, OFD, JPG, PNG, Word, Excel, ZIP (extension and content checked), at most
    20 MB each and 50 per dispatch. The row is change-logged; downloads go through the scoped
    ``techmarket:dispatch_attachment`` view.
    """
    require(user, "techmarket.dispatch.work", dispatch)
    _check_upload(upload)
    if dispatch.attachments.count() >= DISPATCH_ATTACHMENTS_PER_DISPATCH:
        raise TechMarketError(f"附件: 每件派单最多 {DISPATCH_ATTACHMENTS_PER_DISPATCH} 个附件")
    name = Path(upload.name).name[:200]
    return DispatchAttachment.objects.create(dispatch=dispatch, file=upload, name=name,
                                             kind=_text(kind, "附件类别", max_chars=40), size=upload.size,
                                             uploaded_by=account(user), uploaded_at=now or timezone.now())


@transaction.atomic
def deal_sign(*, user, dispatch: Dispatch, amount, signed_on: date, solution: str = "", provider: str = "") -> Deal:
    """Record the signed deal of a dispatch in 签约; the dispatch moves to 登记.

    A dispatch without an achievement (no achievement fitted the need) needs the solution the
    broker found and its provider written out (解决方案及来源 ≤ 500 字, 技术提供方 ≤ 200 字);
    the provider becomes the contract's seller.
    """
    require(user, "techmarket.dispatch.work", dispatch)
    if dispatch.stage != Dispatch.Stage.SIGN:
        raise TechMarketError(f"环节: 应在「签约」环节签约，当前为「{dispatch.get_stage_display()}」")
    amount = _decimal(amount, "成交金额")
    if amount <= 0:
        raise TechMarketError("成交金额: 应大于 0")
    achievement = dispatch.achievement
    required = achievement is None
    solution = _text(solution, "解决方案及来源", required=required, max_chars=SOLUTION_MAX_CHARS)
    provider = _text(provider, "技术提供方", required=required, max_chars=PROVIDER_MAX_CHARS)
    deal = Deal.objects.create(dispatch=dispatch, need=dispatch.need, achievement=achievement, solution=solution,
                               provider=provider, amount=amount, signed_on=signed_on)
    dispatch.stage = Dispatch.Stage.REGISTER
    dispatch.save(update_fields=["stage"])
    return deal


@transaction.atomic
def contract_register(*, user, deal: Deal, contract_type: str, registered_on: date, registration_no: str,
                      amount=None, title: str = "") -> TechContract:
    """认定登记 the contract of a deal: parties, township and amount come from the deal (no re-typing);
    the seller is the achievement's owner or, for a deal without an achievement, its provider."""
    require(user, "techmarket.dispatch.work", deal.dispatch if deal.dispatch_id else None)
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
    default_title = f"{a.title}（{deal.need.title}）" if a is not None else f"{deal.need.title}（{deal.provider}）"
    contract = TechContract.objects.create(
        deal=deal, contract_type=contract_type, title=(title or default_title)[:300], amount=amount,
        seller=deal.seller[:200], buyer=deal.need.enterprise.name, township=deal.need.township,
        registered_on=registered_on, registration_no=registration_no.strip())
    if deal.dispatch_id:
        deal.dispatch.stage = Dispatch.Stage.DONE
        deal.dispatch.save(update_fields=["stage"])
    return contract


# --------------------------------------------------------------------------- 揭榜挂帅
CHALLENGE_TEXT_MAX_CHARS = 5_000


def _text(value, field: str, *, required: bool = False, max_chars: int = 300) -> str:
    value = (value or "").strip()
    if required and not value:
        raise TechMarketError(f"{field}: 不能为空")
    if len(value) > max_chars:
        raise TechMarketError(f"{field}: 超过 {max_chars} 字（{len(value)} 字）")
    return value


def _milestone_rows(milestones) -> list[tuple[str, date]]:
    """Accept (title, due) pairs or {"title", "due"} dicts; due as date or YYYY-MM-DD."""
    rows = []
    for i, m in enumerate(milestones or (), start=1):
        title, due = (m.get("title"), m.get("due")) if isinstance(m, dict) else m
        title = _text(title, f"里程碑 {i} 名称", required=True, max_chars=200)
        if isinstance(due, str):
            try:
                due = date.fromisoformat(due.strip())
            except ValueError:
                raise TechMarketError(f"里程碑 {i} 计划完成日期: 日期格式应为 YYYY-MM-DD，收到 {due!r}") from None
        if not isinstance(due, date):
            raise TechMarketError(f"里程碑 {i} 计划完成日期: 不能为空")
        rows.append((title, due))
    return rows


@transaction.atomic
def challenge_publish(*, need: Need, published_on: date, title: str = "", summary: str = "", field: str = "",
                      bounty=None, deadline: date | None = None, milestones=(), user) -> Challenge:
    """The bureau puts a need on the 揭榜挂帅 list (榜单).

    Title, summary, field and bounty are public while the challenge is open. For a public need
    they default to the need's; for a private need title and summary must be written and
    nothing is copied from it. ``milestones`` are (title, due) pairs, more can be added later.
    """
    require(user, "techmarket.challenge.publish")
    # a private need lends nothing to the public page: title and content must be written for it
    private = not need.is_public
    title = _text(title, "榜单名称")
    if not title and private:
        raise TechMarketError("榜单名称: 来源需求未公开，请填写可以向社会公开的榜单名称")
    title = _text(title or need.title, "榜单名称", required=True)
    summary = _text(summary, "榜单内容", max_chars=CHALLENGE_TEXT_MAX_CHARS)
    if not summary:
        if private:
            raise TechMarketError("榜单内容: 来源需求未公开，请填写可以向社会公开的攻关目标与技术指标")
        summary = need.description[:CHALLENGE_TEXT_MAX_CHARS]
    if bounty not in (None, ""):
        bounty = _decimal(bounty, "榜额")
        if bounty <= 0:
            raise TechMarketError(f"榜额: 应大于 0，收到 {bounty}")
    else:
        bounty = None if private else need.budget
    field = field or ("" if private else need.field)
    if deadline is not None and deadline < published_on:
        raise TechMarketError(f"揭榜截止日期: {deadline} 早于张榜日期 {published_on}")
    rows = _milestone_rows(milestones)
    for i, (t, due) in enumerate(rows, start=1):
        if due < published_on:
            raise TechMarketError(f"里程碑 {i}「{t}」计划完成日期: {due} 早于张榜日期 {published_on}")
    ch = Challenge.objects.create(need=need, title=title, summary=summary, field=_text(field, "技术领域", max_chars=60),
                                  bounty=bounty, deadline=deadline, published_on=published_on,
                                  created_by=user if getattr(user, "pk", None) else None)
    for t, due in rows:
        ChallengeMilestone.objects.create(challenge=ch, title=t, due=due)
    return ch


@transaction.atomic
def challenge_apply(*, challenge: Challenge, team: str, lead: str, proposal: str, members: str = "",
                    institution: str = "", contact: str = "", user, today: date | None = None,
                    now: datetime | None = None) -> ChallengeApplication:
    """A team applies (揭榜) to an open challenge before its deadline.

    Who may apply: a signed-in enterprise user for its enterprise (not the issuing enterprise),
    alone or with partner institutes; university and institute teams without an account hand
    in a paper application that bureau staff enter (代录). Other roles: 403.
    """
    require(user, "techmarket.challenge.apply")
    applicant = None
    if getattr(user, "role", None) == Role.ENTERPRISE_USER:
        if not user.enterprise_id:
            raise PermissionRefused("techmarket.challenge.apply", "企业用户未绑定企业，不能揭榜。")
        if user.enterprise_id == challenge.need.enterprise_id:
            raise TechMarketError("揭榜团队: 发榜企业不能揭本企业的榜")
        applicant = user.enterprise
    if challenge.status != Challenge.Status.OPEN:
        raise TechMarketError(f"榜单: 「{challenge.title}」当前为「{challenge.get_status_display()}」，不接受揭榜")
    today = today or timezone.localdate()
    if today < challenge.published_on:
        raise TechMarketError(f"张榜日期: 榜单于 {challenge.published_on} 张榜，张榜后才能揭榜")
    if challenge.deadline and today > challenge.deadline:
        raise TechMarketError(f"揭榜截止日期: 已于 {challenge.deadline} 截止")
    team = _text(team, "揭榜团队", required=True, max_chars=200)
    if challenge.applications.filter(team=team).exists():
        raise TechMarketError(f"揭榜团队: 「{team}」已揭此榜，请勿重复申请")
    return ChallengeApplication.objects.create(
        challenge=challenge, team=team, lead=_text(lead, "团队负责人", required=True, max_chars=60),
        members=_text(members, "团队成员", max_chars=2000), institution=_text(institution, "依托单位", max_chars=200),
        contact=_text(contact, "联系方式", max_chars=120),
        proposal=_text(proposal, "方案摘要", required=True, max_chars=CHALLENGE_TEXT_MAX_CHARS),
        applicant_enterprise=applicant, submitted_by=user if getattr(user, "pk", None) else None,
        submitted_at=now or timezone.now())


def _score_pairs(scores) -> list[tuple[str, Decimal]]:
    """Normalise scores: numbers (named 专家1…), (expert, score) pairs or {"expert", "score"} dicts."""
    pairs = []
    for i, s in enumerate(scores or (), start=1):
        if isinstance(s, dict):
            expert, value = s.get("expert"), s.get("score")
        elif isinstance(s, (list, tuple)):
            expert, value = s
        else:
            expert, value = f"专家{i}", s
        expert = _text(expert, f"专家评分第 {i} 行 专家姓名", required=True, max_chars=40)
        if value in (None, ""):
            raise TechMarketError(f"专家评分（{expert}）: 不能为空")
        v = _decimal(value, f"专家评分（{expert}）")
        if v < 0 or v > 100:
            raise TechMarketError(f"专家评分（{expert}）: 应在 0–100 之间，收到 {v}")
        if v.as_tuple().exponent < -2:
            raise TechMarketError(f"专家评分（{expert}）: 最多 2 位小数，收到 {v}")
        pairs.append((expert, v.quantize(Decimal("0.01"))))
    if not pairs:
        raise TechMarketError("专家评分: 至少录入一位专家的评分")
    names = [e for e, _ in pairs]
    dup = next((e for e in names if names.count(e) > 1), None)
    if dup:
        raise TechMarketError(f"专家评分: 专家「{dup}」重复录入")
    return pairs


@transaction.atomic
def challenge_review(*, application: ChallengeApplication, scores, user) -> ChallengeApplication:
    """The bureau enters each expert's score (0–100) for an application; replaces earlier scores.

    The first review closes the call (张榜中 → 评审中), so it is refused until the 揭榜截止日期
    has passed; no review after the award.
    """
    require(user, "techmarket.challenge.manage")
    ch = application.challenge
    if ch.status not in (Challenge.Status.OPEN, Challenge.Status.REVIEW):
        raise TechMarketError(f"榜单: 「{ch.title}」当前为「{ch.get_status_display()}」，不能再评审")
    today = timezone.localdate()
    if ch.status == Challenge.Status.OPEN and ch.deadline and today <= ch.deadline:
        # scoring closes the call; while teams may still apply (through the deadline day) it must not
        raise TechMarketError(f"专家评分: 揭榜截止日期 {ch.deadline} 之前仍在张榜，截止后才能录入评审分")
    application.review_scores = [{"expert": e, "score": str(v)} for e, v in _score_pairs(scores)]
    application.save(update_fields=["review_scores"])
    if ch.status == Challenge.Status.OPEN:
        ch.status = Challenge.Status.REVIEW
        ch.save(update_fields=["status"])
    return application


def challenge_ranking(challenge: Challenge) -> list[ChallengeApplication]:
    """Applications of ``challenge`` by mean expert score (highest first; unreviewed last)."""
    apps = list(challenge.applications.all())
    return sorted(apps, key=lambda a: (a.mean_score is None, -(a.mean_score or 0), a.pk))


@transaction.atomic
def challenge_award(*, application: ChallengeApplication, subsidy, user) -> Challenge:
    """Award the challenge to a reviewed application with a subsidy of 50~200 万元 (南政规〔2025〕2号 一、（二）).

    The subsidy is the amount approved on award; under the same clause it is paid for
    projects that pass acceptance (all milestones 验收通过 → 已验收).
    """
    require(user, "techmarket.challenge.manage")
    subsidy = _decimal(subsidy, "补助金额")
    if not (CHALLENGE_SUBSIDY_MIN <= subsidy <= CHALLENGE_SUBSIDY_MAX):
        raise TechMarketError(f"补助金额: 应在 {CHALLENGE_SUBSIDY_MIN}~{CHALLENGE_SUBSIDY_MAX} 万元之间"
                              f"（{CHALLENGE_CITATION}），收到 {subsidy} 万元")
    if subsidy.as_tuple().exponent < -4:
        raise TechMarketError(f"补助金额: 最多 4 位小数（万元），收到 {subsidy}")
    if not application.review_scores:
        raise TechMarketError(f"揭榜申请: 「{application.team}」尚未经专家评审")
    ch = application.challenge
    if ch.status in (Challenge.Status.AWARDED, Challenge.Status.ACCEPTED):
        raise TechMarketError(f"榜单: 「{ch.title}」已揭榜")
    if ch.status == Challenge.Status.CLOSED:
        raise TechMarketError(f"榜单: 「{ch.title}」已撤榜")
    application.awarded = True
    application.save(update_fields=["awarded"])
    ch.status, ch.subsidy = Challenge.Status.AWARDED, subsidy
    ch.save(update_fields=["status", "subsidy"])
    return ch


@transaction.atomic
def challenge_milestone_add(*, challenge: Challenge, title: str, due, user) -> ChallengeMilestone:
    """Add a milestone (title, planned date) to a challenge that is not yet accepted or withdrawn."""
    require(user, "techmarket.challenge.manage")
    if challenge.status in (Challenge.Status.ACCEPTED, Challenge.Status.CLOSED):
        raise TechMarketError(f"榜单: 「{challenge.title}」当前为「{challenge.get_status_display()}」，不能再增加里程碑")
    (t, d), = _milestone_rows([(title, due)])
    if d < challenge.published_on:
        raise TechMarketError(f"计划完成日期: {d} 早于张榜日期 {challenge.published_on}")
    return ChallengeMilestone.objects.create(challenge=challenge, title=t, due=d)


@transaction.atomic
def challenge_milestone_accept(*, milestone: ChallengeMilestone, passed: bool, on: date, note: str = "",
                               user) -> ChallengeMilestone:
    """验收 a milestone of an awarded challenge: passed, or failed with a note (may be re-inspected).

    When every milestone has passed the challenge becomes 已验收, the condition for paying
    the subsidy (南政规〔2025〕2号 一、（二） “对成功申报并通过验收的项目”).
    """
    require(user, "techmarket.challenge.manage")
    ch = milestone.challenge
    if ch.status != Challenge.Status.AWARDED:
        raise TechMarketError(f"榜单: 「{ch.title}」当前为「{ch.get_status_display()}」，揭榜后才能验收")
    if milestone.acceptance == ChallengeMilestone.Acceptance.PASSED:
        raise TechMarketError(f"里程碑: 「{milestone.title}」已验收通过")
    note = _text(note, "验收意见", max_chars=1000)
    if not passed and not note:
        raise TechMarketError(f"验收意见: 「{milestone.title}」验收未通过时必须填写意见")
    milestone.acceptance = ChallengeMilestone.Acceptance.PASSED if passed else ChallengeMilestone.Acceptance.FAILED
    milestone.note, milestone.accepted_on = note, on
    milestone.accepted_by = user if getattr(user, "pk", None) else None
    milestone.save(update_fields=["acceptance", "note", "accepted_on", "accepted_by"])
    if passed and not ch.milestones.exclude(acceptance=ChallengeMilestone.Acceptance.PASSED).exists():
        ch.status = Challenge.Status.ACCEPTED
        ch.save(update_fields=["status"])
    return milestone


@transaction.atomic
def challenge_close(*, challenge: Challenge, reason: str, user) -> Challenge:
    """撤榜: withdraw a challenge before the award; it leaves every list (not public any more)."""
    require(user, "techmarket.challenge.manage")
    if challenge.status not in (Challenge.Status.OPEN, Challenge.Status.REVIEW):
        raise TechMarketError(f"榜单: 「{challenge.title}」当前为「{challenge.get_status_display()}」，不能撤榜")
    reason = _text(reason, "撤榜理由", required=True, max_chars=180)
    from kechuang.core.changes import change_context
    with change_context(user=user if getattr(user, "pk", None) else None, source=f"撤榜：{reason}"):
        challenge.status = Challenge.Status.CLOSED
        challenge.save(update_fields=["status"])
    return challenge


# --------------------------------------------------------------------------- 成果审核 (moderation)
MODERATION_PUBLISH_SOURCE = "成果审核：发布"
MODERATION_REJECT_SOURCE = "成果审核：退回"
REJECT_REASON_MAX_CHARS = 500   # Achievement.moderation_note


@transaction.atomic
def achievement_publish(*, user, achievement: Achievement) -> Achievement:
    """Publish a draft or submitted (待审核) achievement; it enters the search index on commit.

    Only bureau staff moderate. The status change is change-logged with the source
    ``成果审核：发布``. A title and an abstract (成果简介) are required, since the listing
    is found through them.
    """
    require(user, "techmarket.achievement.moderate")
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
        a.moderation_note = ""
        a.save(update_fields=["status", "moderation_note"])
    return a


@transaction.atomic
def achievement_reject(*, user, achievement: Achievement, reason: str) -> Achievement:
    """Send a submitted (待审核) achievement back to draft with a required reason.

    The reason is kept in ``moderation_note`` (the latest one); each 退回 is a change-log
    entry with the source ``成果审核：退回`` whose snapshot holds that reason.
    """
    require(user, "techmarket.achievement.moderate")
    from kechuang.core.changes import change_context
    a = Achievement.objects.get(pk=achievement.pk)
    reason = " ".join((reason or "").split())
    if not reason:
        raise TechMarketError(f"退回原因: 不能为空，请写明「{a.title}」不予发布的原因")
    if len(reason) > REJECT_REASON_MAX_CHARS:
        raise TechMarketError(f"退回原因: 超过 {REJECT_REASON_MAX_CHARS} 字（{len(reason)} 字），请精简")
    if a.status != Achievement.Status.REVIEW:
        raise TechMarketError(f"成果状态: 「{a.title}」当前为「{a.get_status_display()}」，只有待审核的成果可以退回")
    with change_context(user=user, source=MODERATION_REJECT_SOURCE):
        a.status = Achievement.Status.DRAFT
        a.moderation_note = reason
        a.save(update_fields=["status", "moderation_note"])
    return a
