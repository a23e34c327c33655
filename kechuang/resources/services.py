"""Writes of the 创新资源 module (keyword-only, each in one transaction, each behind ``require``).

Booking: 申请 → 审核（预授权企业即时确认）→ 上机 → 下机（实际机时、超时）→ 费用 → 评价; 爽约 after
the grace period frees the slot. Overlaps are refused by the database (migration 0002); the
service checks first only to give a clear sentence.

创新券: 申请（registry eligibility + the one credit check）→ 审核发放（券号、面额、有效期、类别）→
兑付 against a completed booking or a registered service contract (通用: the enterprise is
reimbursed; 通兑: the provider is paid) → 结算批次 → 拨付. The balance is debited with one
conditional UPDATE (``balance >= amount``) and a booking or contract is redeemed at most once
(unique), so parallel redemptions can neither overdraw nor double-spend.

Parameters the texts do not give are marked 待核实 here and in docs/resources.md.
"""
from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from kechuang.core.changes import log_bulk
from kechuang.core.permissions import is_system, require
from kechuang.core.roles import Role
from kechuang.core.scoping import can as scoped_can

from .models import (
    Booking,
    Complaint,
    FeeRule,
    InstrumentProfile,
    Loan,
    MaintenanceWindow,
    Redemption,
    ServiceContract,
    ServiceOrg,
    SettlementBatch,
    UserCategory,
    Voucher,
    VoucherScheme,
    account_of,
)

CENT = Decimal("0.0001")            # 1 元 in 万元
HOUR = Decimal("0.01")
# 待核实: the bureau's booking rules are not in our texts; these are the platform's working values.
MAX_BOOKING_HOURS = 72               # one booking spans at most three days
CHECK_IN_EARLY_MINUTES = 30          # check-in allowed from 30 minutes before the start
NO_SHOW_GRACE_MINUTES = 30           # no check-in 30 minutes after the start → 爽约
NO_SHOW_LIMIT = 3                    # 3 爽约 within 90 days → instant confirmation withdrawn
NO_SHOW_WINDOW_DAYS = 90
PAST_TOLERANCE_MINUTES = 15          # a request may start up to 15 minutes ago (walk-in)

BOOKING_CATEGORY = "instrument"      # the voucher service category of an instrument booking
VOUCHER_CATEGORIES = {
    "instrument": "大型仪器共享", "testing": "检测认证", "transfer": "技术转移",
    "ip": "知识产权服务", "consulting": "科技咨询", "incubation": "孵化服务",
}


class ResourceError(ValueError):
    """A refused or invalid request: ``field`` names what was wrong, ``message`` says why in Chinese."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")

    def __str__(self) -> str:
        return self.message


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _now(at=None):
    return at or timezone.now()


def _today(on=None) -> dt.date:
    return on or timezone.localdate()


@contextmanager
def _serialised_atomic():
    """An atomic block that serialises writers on SQLite (BEGIN IMMEDIATE when it is the outermost
    block; inside a request's transaction the database's single-writer lock and the trigger do the
    serialising). PostgreSQL relies on row locks, conditional updates and constraints."""
    conn = transaction.get_connection()
    if conn.vendor == "sqlite" and not conn.in_atomic_block:
        old = conn.transaction_mode
        conn.transaction_mode = "IMMEDIATE"
        try:
            with transaction.atomic():
                conn.transaction_mode = old
                yield
        finally:
            conn.transaction_mode = old
    else:
        with transaction.atomic():
            yield


# A PostgreSQL deadlock between concurrent writers (two overlapping bookings each waiting on the
# other's exclusion-constraint check) aborts one of them; the aborted call is run again a few times,
# with a random pause so that the retries do not meet again in step.
DEADLOCK_ATTEMPTS = 5


def is_deadlock(exc: BaseException) -> bool:
    """Whether ``exc`` is PostgreSQL's "deadlock detected" (SQLSTATE 40P01)."""
    return getattr(exc.__cause__, "sqlstate", None) == "40P01"


def _retrying(fn, attempts: int = 200):
    """Run ``fn`` again when SQLite reports the database (or, in the in-memory test database, a
    table) locked, or PostgreSQL aborted it as a deadlock victim (up to DEADLOCK_ATTEMPTS times);
    only outside an outer transaction, where a retry starts afresh. Nothing is written before the
    failing statement's transaction rolls back, so a retry is safe."""
    import random

    conn = transaction.get_connection()
    deadlocks = 0
    for i in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            locked = conn.vendor == "sqlite" and "locked" in str(exc)
            deadlock = is_deadlock(exc)
            deadlocks += deadlock
            if (not (locked or deadlock) or conn.in_atomic_block or i == attempts - 1
                    or deadlocks >= DEADLOCK_ATTEMPTS):
                if locked or deadlock:
                    raise ResourceError("database", "系统繁忙，请稍后重试") from exc
                raise
            time.sleep(random.uniform(0.01, 0.05) if deadlock else 0.005 * (1 + i % 7))
    raise AssertionError("unreachable")


def _retry_locked(func):
    """Decorator: the whole service call is retried under ``_retrying`` (see there)."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return _retrying(lambda: func(*args, **kwargs))

    return wrapper


# --------------------------------------------------------------------------- notifications
def _institute_users(institute_id):
    from kechuang.core.models import User

    return list(User.objects.filter(resource_account__institute_id=institute_id, is_active=True))


def _enterprise_users(enterprise_id):
    from kechuang.core.models import User

    return list(User.objects.filter(enterprise_id=enterprise_id, is_active=True))


def _bureau_users():
    from kechuang.core.models import User

    return list(User.objects.filter(role=Role.BUREAU_STAFF, is_active=True))


def _notify(users, title: str, url_name: str, pk: int, kind: str = "notice") -> None:
    """A message in the recipients' message centre (kechuang.inbox)."""
    from django.urls import reverse

    from kechuang.inbox.services import notify

    notify(users, title, url=reverse(url_name, args=[pk]), kind=kind)


# --------------------------------------------------------------------------- credit (one call)
def credit_refusal(enterprise, on: dt.date) -> str:
    """The one credit check (``kechuang.supervision.credit.check_credit``, decision 创新券) for a
    voucher application, issue or use: '' when allowed, otherwise the Chinese sentence."""
    from kechuang.supervision.credit import check_credit

    verdict = check_credit(decision="voucher", on=on, enterprise=enterprise)
    return "" if verdict.allowed else (verdict.message or "信用核查未通过，不能申领或使用创新券")


# --------------------------------------------------------------------------- instruments
def instrument_profile_save(*, actor, instrument, fees: dict | None = None, **fields) -> InstrumentProfile:
    """Create or update an instrument's sharing record and its fee rules ({category: 万元/小时})."""
    require(actor, "resources.instrument.manage", instrument.owner.profile if hasattr(instrument.owner, "profile")
            else None)
    if getattr(actor, "role", "") == Role.INSTITUTE_USER:
        acc = account_of(actor)
        if acc is None or acc.institute_id != instrument.owner_id:
            raise ResourceError("instrument", "只能维护本单位的仪器")
    with transaction.atomic():
        profile, _ = InstrumentProfile.objects.get_or_create(instrument=instrument, defaults={"value": Decimal("0")})
        for k, v in fields.items():
            setattr(profile, k, v)
        profile.full_clean(exclude=["instrument", "preapproved"])
        profile.save()
        for category, price in (fees or {}).items():
            if category not in UserCategory.values:
                raise ResourceError("fees", f"未知的用户类别 {category}")
            rule, _ = FeeRule.objects.get_or_create(instrument=instrument, user_category=category,
                                                    defaults={"price_per_hour": Decimal(price)})
            if rule.price_per_hour != Decimal(price):
                rule.price_per_hour = Decimal(price)
                rule.full_clean()
                rule.save()
    return profile


def maintenance_add(*, actor, instrument, starts_at, ends_at, reason: str = "") -> MaintenanceWindow:
    """A maintenance window; existing active bookings inside it are not touched (the page lists them)."""
    require(actor, "resources.instrument.manage")
    _own_institute(actor, instrument)
    if ends_at <= starts_at:
        raise ResourceError("ends_at", "结束时间应晚于开始时间")
    return MaintenanceWindow.objects.create(instrument=instrument, starts_at=starts_at, ends_at=ends_at, reason=reason)


def _own_institute(actor, instrument) -> None:
    if getattr(actor, "role", "") == Role.INSTITUTE_USER:
        acc = account_of(actor)
        if acc is None or acc.institute_id != instrument.owner_id:
            raise ResourceError("instrument", "该仪器不属于您所在的单位")


def price_for(instrument, category: str) -> Decimal | None:
    """万元/小时 for a user category; 创新券 users fall back to the enterprise price."""
    rules = {r.user_category: r.price_per_hour for r in FeeRule.objects.filter(instrument=instrument)}
    if category in rules:
        return rules[category]
    if category == UserCategory.VOUCHER:
        return rules.get(UserCategory.ENTERPRISE)
    return None


def recent_no_shows(enterprise, at=None) -> int:
    since = _now(at) - dt.timedelta(days=NO_SHOW_WINDOW_DAYS)
    return Booking.objects.filter(enterprise=enterprise, status=Booking.Status.NO_SHOW, starts_at__gte=since).count()


# --------------------------------------------------------------------------- bookings
@_retry_locked
def booking_request(*, actor, instrument, starts_at, ends_at, purpose: str = "", use_voucher: bool = False,
                    at=None) -> Booking:
    """Request a slot. Refused: not shared, in the past, longer than 72 h, inside maintenance, or
    overlapping another active booking (the database refuses that even under concurrency).
    Confirmed at once for enterprises the instrument pre-approves (while they have fewer than 3
    爽约 in 90 days) and for the owner institute's own users."""
    require(actor, "resources.booking.request")
    now = _now(at)
    role = getattr(actor, "role", "")
    profile = InstrumentProfile.objects.filter(instrument=instrument).first()
    if profile is None or profile.sharing_mode == InstrumentProfile.SharingMode.NONE:
        raise ResourceError("instrument", "该仪器未开放共享，不能预约")
    enterprise = None
    if role == Role.INSTITUTE_USER:
        acc = account_of(actor)
        if acc is None or acc.institute_id != instrument.owner_id:
            raise ResourceError("instrument", "科研机构用户只能预约本单位的仪器")
        category = UserCategory.INTERNAL
    else:
        if profile.sharing_mode != InstrumentProfile.SharingMode.OPEN:
            raise ResourceError("instrument", "该仪器仅限内部共享")
        enterprise = getattr(actor, "enterprise", None)
        if enterprise is None:
            raise ResourceError("enterprise", "预约须以企业身份提出")
        category = UserCategory.VOUCHER if use_voucher else UserCategory.ENTERPRISE
        if use_voucher and not Voucher.objects.filter(enterprise=enterprise, status=Voucher.Status.ISSUED,
                                                      balance__gt=0, valid_until__gte=timezone.localdate(now)).exists():
            raise ResourceError("use_voucher", "没有可用的科技创新券（已发放、未过期且有余额）")
    if starts_at is None or ends_at is None:
        raise ResourceError("starts_at", "请填写预约开始和结束时间")
    if ends_at <= starts_at:
        raise ResourceError("ends_at", "结束时间应晚于开始时间")
    if starts_at < now - dt.timedelta(minutes=PAST_TOLERANCE_MINUTES):
        raise ResourceError("starts_at", "开始时间已过，不能预约")
    if ends_at - starts_at > dt.timedelta(hours=MAX_BOOKING_HOURS):
        raise ResourceError("ends_at", f"单次预约不超过 {MAX_BOOKING_HOURS} 小时")
    if MaintenanceWindow.objects.filter(instrument=instrument, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise ResourceError("starts_at", "该时段仪器维护，不能预约")
    instant = role == Role.INSTITUTE_USER or (
        profile.booking_mode == InstrumentProfile.BookingMode.INSTANT_PREAPPROVED
        and profile.preapproved.filter(pk=enterprise.pk).exists()
        and recent_no_shows(enterprise, now) < NO_SHOW_LIMIT)

    def write():
        with _serialised_atomic():
            if Booking.objects.filter(instrument=instrument, status__in=Booking.ACTIVE,
                                      starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
                raise ResourceError("starts_at", "该时段已被预约，请选择其他时间")
            try:
                with transaction.atomic():
                    booking = Booking.objects.create(
                        instrument=instrument, enterprise=enterprise,
                        booked_by=None if is_system(actor) else actor, user_category=category,
                        purpose=purpose[:300], starts_at=starts_at, ends_at=ends_at,
                        status=Booking.Status.APPROVED if instant else Booking.Status.REQUESTED,
                        decided_at=now if instant else None,
                        decision_note="预授权用户，系统即时确认" if instant else "")
                    if not instant:
                        _notify(_institute_users(instrument.owner_id), f"待审核仪器预约：{instrument.name}",
                                "resources:booking_detail", booking.pk, kind="todo")
                    return booking
            except IntegrityError as exc:
                if "overlap" in str(exc) or "booking_no_overlap" in str(exc):
                    raise ResourceError("starts_at", "该时段已被预约，请选择其他时间") from exc
                raise

    return write()


def _operate(actor, perm: str, booking: Booking) -> None:
    require(actor, perm, booking)


def booking_decide(*, actor, booking: Booking, approve: bool, note: str = "", at=None) -> Booking:
    """审核: approve or reject a requested booking (the owner institute or the bureau)."""
    _operate(actor, "resources.booking.approve", booking)
    with transaction.atomic():
        b = Booking.objects.select_for_update().get(pk=booking.pk)
        if b.status != Booking.Status.REQUESTED:
            raise ResourceError("status", f"预约当前为“{b.get_status_display()}”，不能审核")
        b.status = Booking.Status.APPROVED if approve else Booking.Status.REJECTED
        b.decided_at = _now(at)
        b.decision_note = note[:300]
        b.save()
        if b.enterprise_id:
            _notify(_enterprise_users(b.enterprise_id), f"仪器预约{'已确认' if approve else '未通过'}：{b.instrument.name}",
                    "resources:booking_detail", b.pk)
    return b


def booking_check_in(*, actor, booking: Booking, at=None) -> Booking:
    """上机: from 30 minutes before the start until the end of the slot."""
    _operate(actor, "resources.booking.operate", booking)
    now = _now(at)
    with transaction.atomic():
        b = Booking.objects.select_for_update().get(pk=booking.pk)
        if b.status != Booking.Status.APPROVED:
            raise ResourceError("status", f"预约当前为“{b.get_status_display()}”，不能上机")
        if now < b.starts_at - dt.timedelta(minutes=CHECK_IN_EARLY_MINUTES):
            raise ResourceError("at", f"最早可在预约开始前 {CHECK_IN_EARLY_MINUTES} 分钟上机")
        if now >= b.ends_at:
            raise ResourceError("at", "预约时段已结束，不能上机（可登记爽约）")
        b.status = Booking.Status.CHECKED_IN
        b.checked_in_at = now
        b.save()
    return b


def booking_check_out(*, actor, booking: Booking, at=None, actual_hours=None) -> Booking:
    """下机: actual hours (from check-in to check-out unless given), overrun past the booked end,
    fee = actual hours × the price of the user's category."""
    _operate(actor, "resources.booking.operate", booking)
    now = _now(at)
    with transaction.atomic():
        b = Booking.objects.select_for_update().get(pk=booking.pk)
        if b.status != Booking.Status.CHECKED_IN:
            raise ResourceError("status", f"预约当前为“{b.get_status_display()}”，不能下机")
        if now < b.checked_in_at:
            raise ResourceError("at", "下机时间不能早于上机时间")
        measured = Decimal((now - b.checked_in_at).total_seconds()) / 3600
        hours = Decimal(actual_hours) if actual_hours not in (None, "") else measured
        if hours < 0 or hours > Decimal("10000"):
            raise ResourceError("actual_hours", "实际机时应在 0 到 10000 小时之间")
        hours = hours.quantize(HOUR, rounding=ROUND_HALF_UP)
        overrun = max(Decimal(0), Decimal((now - b.ends_at).total_seconds()) / 3600).quantize(HOUR, rounding=ROUND_HALF_UP)
        price = price_for(b.instrument, b.user_category)
        if price is None:
            raise ResourceError("fee", "该仪器没有此类用户的收费标准，请先维护收费标准")
        b.status = Booking.Status.COMPLETED
        b.checked_out_at = now
        b.actual_hours = hours
        b.overrun_hours = overrun
        b.fee = _money(hours * price)
        b.save()
    return b


def booking_no_show(*, actor, booking: Booking, at=None) -> Booking:
    """爽约: an approved booking with no check-in 30 minutes after its start; frees the slot."""
    _operate(actor, "resources.booking.operate", booking)
    now = _now(at)
    with transaction.atomic():
        b = Booking.objects.select_for_update().get(pk=booking.pk)
        if b.status != Booking.Status.APPROVED:
            raise ResourceError("status", f"预约当前为“{b.get_status_display()}”，不能登记爽约")
        if now < b.starts_at + dt.timedelta(minutes=NO_SHOW_GRACE_MINUTES):
            raise ResourceError("at", f"开始后 {NO_SHOW_GRACE_MINUTES} 分钟仍未上机才可登记爽约")
        b.status = Booking.Status.NO_SHOW
        b.save()
    return b


def booking_cancel(*, actor, booking: Booking, at=None) -> Booking:
    """取消 a booking not yet started (the enterprise, the institute or the bureau)."""
    _operate(actor, "resources.booking.cancel", booking)
    with transaction.atomic():
        b = Booking.objects.select_for_update().get(pk=booking.pk)
        if b.status not in (Booking.Status.REQUESTED, Booking.Status.APPROVED):
            raise ResourceError("status", f"预约当前为“{b.get_status_display()}”，不能取消")
        b.status = Booking.Status.CANCELLED
        b.save()
    return b


def booking_evaluate(*, actor, booking: Booking, rating: int, comment: str = "") -> Booking:
    """评价: the booking enterprise rates a completed session 1–5."""
    _operate(actor, "resources.booking.evaluate", booking)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise ResourceError("rating", "评价应为 1 到 5 的整数") from None
    if not 1 <= rating <= 5:
        raise ResourceError("rating", "评价应为 1 到 5 的整数")
    with transaction.atomic():
        b = Booking.objects.select_for_update().get(pk=booking.pk)
        if b.status != Booking.Status.COMPLETED:
            raise ResourceError("status", "只能评价已完成的预约")
        b.rating = rating
        b.comment = comment[:500]
        b.save()
    return b


# --------------------------------------------------------------------------- 创新券
def current_scheme(on=None) -> VoucherScheme | None:
    on = _today(on)
    return VoucherScheme.objects.filter(effective_from__lte=on, effective_to__gte=on).order_by("-effective_from").first()


def voucher_eligibility(enterprise, scheme: VoucherScheme, on=None) -> list[dict]:
    """The named checks of eligibility, each {name, ok, detail}: registry qualification or 规下小微,
    and the credit check."""
    from kechuang.enterprises.models import Qualification

    on = _today(on)
    held = set(Qualification.objects.filter(enterprise=enterprise).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on)).values_list("kind", flat=True))
    wanted = set(scheme.eligible_qualifications or [])
    from kechuang.enterprises.vocab import QUALIFICATION_KINDS

    hits = sorted(held & wanted)
    small = enterprise.size_class in ("small", "micro") and "above_designated_size" not in held
    if hits:
        qual = {"name": "企业类型", "ok": True,
                "detail": "企业库登记为" + "、".join(QUALIFICATION_KINDS.get(k, k) for k in hits)}
    elif scheme.allow_small_unqualified and small:
        qual = {"name": "企业类型", "ok": True, "detail": f"企业库登记为规下{enterprise.get_size_class_display()}企业"}
    else:
        names = "、".join(QUALIFICATION_KINDS.get(k, k) for k in sorted(wanted)) or "—"
        qual = {"name": "企业类型", "ok": False,
                "detail": f"企业库中没有有效的{names}资质，也不是规下小微企业"}
    refusal = credit_refusal(enterprise, on)
    credit = {"name": "信用核查", "ok": not refusal, "detail": refusal or "无失信记录"}
    return [qual, credit]


def _year_total(enterprise, year: int, exclude_pk=None) -> Decimal:
    qs = Voucher.objects.filter(enterprise=enterprise, scheme__year=year).exclude(
        status__in=[Voucher.Status.REJECTED, Voucher.Status.REVOKED])
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    issued = qs.filter(status=Voucher.Status.ISSUED).aggregate(s=Sum("face_value"))["s"] or Decimal(0)
    pending = qs.filter(status=Voucher.Status.APPLIED).aggregate(s=Sum("requested_amount"))["s"] or Decimal(0)
    return issued + pending


@_retry_locked
def voucher_apply(*, actor, amount, purpose: str = "", mode: str = Voucher.Mode.EXCHANGE, categories=None,
                  legal_person: str = "", shareholders=None, on=None) -> Voucher:
    """An enterprise applies under the scheme in force. Refused when no scheme is in force, over the
    per-application or per-year cap, not eligible by the registry, or vetoed by the credit check."""
    require(actor, "resources.voucher.apply")
    enterprise = getattr(actor, "enterprise", None)
    if enterprise is None:
        raise ResourceError("enterprise", "申领须以企业身份提出")
    on = _today(on)
    scheme = current_scheme(on)
    if scheme is None:
        raise ResourceError("scheme", "当前没有施行中的创新券参数，暂不受理申领")
    try:
        amount = _money(amount)
    except Exception:
        raise ResourceError("amount", "申请金额应为数字（万元）") from None
    if amount <= 0:
        raise ResourceError("amount", "申请金额应大于 0")
    if amount > scheme.per_application_cap:
        raise ResourceError("amount", f"超过单次申领上限 {scheme.per_application_cap.normalize():f} 万元")
    if mode not in Voucher.Mode.values:
        raise ResourceError("mode", "兑付方式应为通用或通兑")
    categories = list(categories or scheme.categories or list(VOUCHER_CATEGORIES))
    bad = [c for c in categories if c not in (scheme.categories or VOUCHER_CATEGORIES)]
    if bad:
        raise ResourceError("categories", "不在本年度创新券支持的服务类别内：" + "、".join(bad))
    checks = voucher_eligibility(enterprise, scheme, on)
    failed = [c for c in checks if not c["ok"]]
    if failed:
        raise ResourceError("eligibility", "；".join(f"{c['name']}：{c['detail']}" for c in failed))

    def write():
        with _serialised_atomic():
            used = _year_total(enterprise, scheme.year)
            if used + amount > scheme.per_year_cap:
                raise ResourceError("amount", f"超过年度上限：本年度已申领 {used.normalize():f} 万元，"
                                              f"上限 {scheme.per_year_cap.normalize():f} 万元")
            v = Voucher.objects.create(
                scheme=scheme, enterprise=enterprise, mode=mode, requested_amount=amount, categories=categories,
                purpose=purpose[:500], legal_person=legal_person[:40],
                shareholders=[s for s in (shareholders or []) if s], eligibility=checks,
                applied_at=timezone.now())
            _notify(_bureau_users(), f"待审核科技创新券：{enterprise.name}", "resources:voucher_detail", v.pk, kind="todo")
            return v

    return write()


def voucher_decide(*, actor, voucher: Voucher, approve: bool, amount=None, note: str = "", on=None) -> Voucher:
    """审核: issue (券号 KJQ<year><id>, face value ≤ requested, valid for the scheme's days) or reject.
    The credit check is asked again on the day of issue."""
    require(actor, "resources.voucher.approve", voucher)
    on = _today(on)
    with transaction.atomic():
        v = Voucher.objects.select_for_update().select_related("scheme", "enterprise").get(pk=voucher.pk)
        if v.status != Voucher.Status.APPLIED:
            raise ResourceError("status", f"创新券当前为“{v.get_status_display()}”，不能审核")
        v.decided_at = timezone.now()
        v.decision_note = note[:300]
        if not approve:
            v.status = Voucher.Status.REJECTED
            v.save()
            _notify(_enterprise_users(v.enterprise_id), "科技创新券申领未通过", "resources:voucher_detail", v.pk)
            return v
        refusal = credit_refusal(v.enterprise, on)
        if refusal:
            raise ResourceError("credit", refusal)
        face = _money(amount) if amount not in (None, "") else v.requested_amount
        if face <= 0 or face > v.requested_amount:
            raise ResourceError("amount", "核定面额应大于 0 且不超过申请金额")
        v.status = Voucher.Status.ISSUED
        v.face_value = face
        v.balance = face
        v.valid_until = on + dt.timedelta(days=v.scheme.validity_days)
        v.number = f"KJQ{v.scheme.year}{v.pk:06d}"
        v.save()
        _notify(_enterprise_users(v.enterprise_id), f"科技创新券已发放：{v.number}，面额 {face.normalize():f} 万元",
                "resources:voucher_detail", v.pk)
    return v


def _norm(name: str) -> str:
    return "".join(str(name or "").split())


def related_party(voucher: Voucher, *, org: ServiceOrg | None = None, institute=None) -> str:
    """'' or the reason the enterprise and the provider are related parties (shared legal person
    or shareholder, or one holds shares of the other)."""
    ent_people = {_norm(voucher.legal_person)} | {_norm(s) for s in voucher.shareholders or []}
    ent_people.discard("")
    ent_names = {_norm(voucher.enterprise.name), _norm(voucher.enterprise.uscc)}
    if org is not None:
        org_people = {_norm(org.legal_person)} | {_norm(s) for s in org.shareholders or []}
        org_people.discard("")
        common = ent_people & org_people
        if common:
            return f"企业与服务机构存在共同的法定代表人或股东（{'、'.join(sorted(common))}），属关联方，不能使用创新券"
        if ent_names & org_people:
            return "企业持有服务机构股份，属关联方，不能使用创新券"
        if {_norm(org.name), _norm(org.uscc)} - {""} & ent_people:
            return "服务机构持有企业股份，属关联方，不能使用创新券"
    if institute is not None and _norm(institute.name) in ent_people:
        return "科研机构持有企业股份，属关联方，不能使用创新券"
    return ""


def _record_policy_event(voucher: Voucher, redemption: Redemption, category: str, on: dt.date) -> None:
    """The redemption as a policy event of the enterprise (``voucher_redeemed``: amount, fee,
    category), so that a county's top-up for voucher users is a measure of data that 免申即享
    screening finds (issue 14); recorded in the redemption's transaction, by the system."""
    from kechuang.core.permissions import system_actor
    from kechuang.policies.services import policy_event_record

    policy_event_record(user=system_actor("resources:voucher_redeem"), enterprise=voucher.enterprise,
                        kind="voucher_redeemed", date=on.isoformat(),
                        fields={"amount": format(redemption.amount.normalize(), "f"),
                                "fee": format(redemption.fee.normalize(), "f"),
                                **({"category": category} if category in VOUCHER_CATEGORIES else {})},
                        source=f"科技创新券兑付：券号 {voucher.number}（兑付编号 {redemption.pk}，"
                               f"服务方 {redemption.provider_name}）"[:200])


@_retry_locked
def voucher_redeem(*, actor, voucher: Voucher, booking: Booking | None = None,
                   contract: ServiceContract | None = None, amount=None, on=None) -> Redemption:
    """Use a voucher against a completed booking or a registered service contract of the same
    enterprise. The amount covered is the fee × the scheme's share, at most the balance. Refused:
    not issued, expired, category not allowed, related party, credit veto, balance exhausted, or
    the booking/contract already redeemed."""
    require(actor, "resources.voucher.redeem")
    if (booking is None) == (contract is None):
        raise ResourceError("target", "须指明一项仪器预约或一份服务合同")
    on = _today(on)
    role = getattr(actor, "role", "")
    v = Voucher.objects.select_related("scheme", "enterprise").get(pk=voucher.pk)
    # who may present this redemption: the enterprise itself, or the provider of the service
    if role == Role.ENTERPRISE_USER and v.enterprise_id != getattr(actor, "enterprise_id", None):
        raise ResourceError("voucher", "只能使用本企业的创新券")
    if booking is not None:
        booking = Booking.objects.select_related("instrument__owner").get(pk=booking.pk)
        if role == Role.INSTITUTE_USER and not scoped_can(actor, booking, "change"):
            raise ResourceError("booking", "只能为本单位仪器的预约申请兑付")
        if role == Role.SERVICE_ORG_USER:
            raise ResourceError("booking", "科技服务机构不能为仪器预约申请兑付")
    if contract is not None:
        contract = ServiceContract.objects.select_related("org").get(pk=contract.pk)
        if role == Role.SERVICE_ORG_USER and not scoped_can(actor, contract, "change"):
            raise ResourceError("contract", "只能为本机构的服务合同申请兑付")
        if role == Role.INSTITUTE_USER:
            raise ResourceError("contract", "科研机构不能为服务机构的合同申请兑付")
    if v.status != Voucher.Status.ISSUED:
        raise ResourceError("voucher", f"创新券当前为“{v.get_status_display()}”，不能使用")
    if v.valid_until is None or on > v.valid_until:
        raise ResourceError("voucher", f"创新券已于 {v.valid_until} 过期，不能使用")
    if booking is not None:
        if booking.enterprise_id != v.enterprise_id:
            raise ResourceError("booking", "该预约不是持券企业的预约")
        if booking.status != Booking.Status.COMPLETED or not booking.fee:
            raise ResourceError("booking", "只能对已下机并计费的预约使用创新券")
        category, fee = BOOKING_CATEGORY, booking.fee
        provider_institute, provider_org = booking.instrument.owner, None
        provider_name = booking.instrument.owner.name
        reason = related_party(v, institute=provider_institute)
    else:
        if contract.enterprise_id != v.enterprise_id:
            raise ResourceError("contract", "该合同不是持券企业的合同")
        if contract.status == ServiceContract.Status.TERMINATED:
            raise ResourceError("contract", "合同已终止，不能使用创新券")
        if not contract.org.registered:
            raise ResourceError("contract", "服务机构未备案，不能使用创新券")
        category, fee = contract.category, contract.amount
        provider_institute, provider_org = None, contract.org
        provider_name = contract.org.name
        reason = related_party(v, org=provider_org)
    if v.categories and category not in v.categories:
        raise ResourceError("category", f"该券不能用于“{VOUCHER_CATEGORIES.get(category, category)}”服务")
    if reason:
        raise ResourceError("related_party", reason)
    refusal = credit_refusal(v.enterprise, on)
    if refusal:
        raise ResourceError("credit", refusal)
    limit = _money(fee * v.scheme.share_covered)
    if amount in (None, ""):
        want = min(limit, v.balance)
    else:
        want = _money(amount)
        if want > limit:
            raise ResourceError("amount", f"超过可抵扣上限 {limit.normalize():f} 万元（费用的"
                                          f"{(v.scheme.share_covered * 100).normalize():f}%）")
    if want <= 0:
        raise ResourceError("amount", "创新券余额不足")
    payee = v.enterprise.name if v.mode == Voucher.Mode.GENERAL else provider_name

    def write():
        with _serialised_atomic():
            if Redemption.objects.filter(Q(booking=booking) if booking else Q(contract=contract)).exists():
                raise ResourceError("target", "该服务已使用过创新券，不能重复兑付")
            updated = (Voucher.objects.filter(pk=v.pk, status=Voucher.Status.ISSUED, balance__gte=want)
                       .update(balance=F("balance") - want))
            if updated != 1:
                raise ResourceError("amount", "创新券余额不足")
            try:
                with transaction.atomic():
                    r = Redemption.objects.create(
                        voucher=v, booking=booking, contract=contract, provider_name=provider_name,
                        provider_institute=provider_institute, provider_org=provider_org, fee=fee, amount=want,
                        mode=v.mode, payee=payee)
            except IntegrityError as exc:
                raise ResourceError("target", "该服务已使用过创新券，不能重复兑付") from exc
            log_bulk(Voucher, "update", Voucher.objects.filter(pk=v.pk), before={v.pk: {"balance": str(v.balance)}})
            _record_policy_event(v, r, category, on)
            return r

    return write()


def settlement_create(*, actor, redemptions=None) -> SettlementBatch:
    """A settlement batch of the pending redemptions (or the ones given) for finance."""
    require(actor, "resources.voucher.settle")
    with transaction.atomic():
        qs = Redemption.objects.select_for_update().filter(status=Redemption.Status.PENDING, batch__isnull=True)
        if redemptions is not None:
            qs = qs.filter(pk__in=[r.pk for r in redemptions])
        rows = list(qs)
        if not rows:
            raise ResourceError("redemptions", "没有待结算的兑付记录")
        total = sum((r.amount for r in rows), Decimal(0))
        stamp = timezone.localtime()
        seq = SettlementBatch.objects.filter(number__startswith=f"JS{stamp:%Y%m%d}").count() + 1
        batch = SettlementBatch.objects.create(number=f"JS{stamp:%Y%m%d}{seq:03d}", total=total)
        Redemption.objects.filter(pk__in=[r.pk for r in rows]).update(batch=batch)
        log_bulk(Redemption, "update", Redemption.objects.filter(pk__in=[r.pk for r in rows]))
    return batch


def settlement_pay(*, actor, batch: SettlementBatch, at=None) -> SettlementBatch:
    """财政拨付: the batch is paid and its redemptions are settled."""
    require(actor, "resources.voucher.pay", batch)
    with transaction.atomic():
        b = SettlementBatch.objects.select_for_update().get(pk=batch.pk)
        if b.status != SettlementBatch.Status.SUBMITTED:
            raise ResourceError("status", "该批次已拨付")
        b.status = SettlementBatch.Status.PAID
        b.paid_at = _now(at)
        b.save()
        qs = Redemption.objects.filter(batch=b)
        qs.update(status=Redemption.Status.SETTLED)
        log_bulk(Redemption, "update", qs)
    return b


# --------------------------------------------------------------------------- service organisations
def service_contract_register(*, actor, org: ServiceOrg, enterprise, title: str, category: str, amount,
                              signed_on: dt.date, registration_no: str) -> ServiceContract:
    """登记 a service contract between an enterprise and a registered service organisation."""
    require(actor, "resources.service_contract.register", org)
    if not org.registered:
        raise ResourceError("org", "服务机构未备案，不能登记合同")
    if category not in ServiceOrg.Kind.values:
        raise ResourceError("category", "服务类别不正确")
    try:
        amount = _money(amount)
    except Exception:
        raise ResourceError("amount", "合同金额应为数字（万元）") from None
    if amount <= 0:
        raise ResourceError("amount", "合同金额应大于 0")
    if ServiceContract.objects.filter(registration_no=registration_no).exists():
        raise ResourceError("registration_no", "登记编号已存在")
    c = ServiceContract(org=org, enterprise=enterprise, title=title, category=category, amount=amount,
                        signed_on=signed_on, registration_no=registration_no)
    c.full_clean()
    c.save()
    return c


def complaint_file(*, actor, org: ServiceOrg, text: str) -> Complaint:
    require(actor, "resources.complaint.file")
    text = (text or "").strip()
    if not text:
        raise ResourceError("text", "请填写投诉内容")
    return Complaint.objects.create(org=org, enterprise=actor.enterprise, text=text[:1000])


def loan_record(*, actor, product, enterprise, amount, granted_on: dt.date, note: str = "") -> Loan:
    """The bureau records a loan granted under a product."""
    require(actor, "resources.loan.record")
    try:
        amount = _money(amount)
    except Exception:
        raise ResourceError("amount", "放款金额应为数字（万元）") from None
    if amount <= 0:
        raise ResourceError("amount", "放款金额应大于 0")
    loan = Loan(product=product, enterprise=enterprise, amount=amount, granted_on=granted_on, note=note[:200])
    loan.full_clean()
    loan.save()
    return loan
