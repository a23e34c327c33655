"""Signed-in pages of the 创新资源 module (Chinese, usable on a 390 px phone for enterprise users).

Every read goes through the scoping choke point; every write through a service in
``services.py`` (which calls ``require``). A refused request shows the service's Chinese sentence.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kechuang.core.models import ADMIN_ROLES
from kechuang.core.permissions import can, require
from kechuang.core.roles import Role
from kechuang.core.scoping import get_scoped_or_404

from . import finance, selectors, services
from .models import (
    Booking,
    InstrumentProfile,
    Loan,
    MaintenanceWindow,
    Redemption,
    ServiceContract,
    ServiceOrg,
    SettlementBatch,
    Voucher,
    account_of,
)
from .services import ResourceError


def _business_user(request):
    if getattr(request.user, "role", "") in ADMIN_ROLES:
        raise PermissionDenied("系统管理员不查看业务数据")


def _role(request) -> str:
    return getattr(request.user, "role", "")


def _parse_local(value: str, field: str) -> dt.datetime:
    try:
        naive = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise ResourceError(field, "时间格式应为 YYYY-MM-DD HH:MM") from None
    if timezone.is_aware(naive):
        return naive
    return timezone.make_aware(naive, timezone.get_current_timezone())


def _parse_date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise ResourceError(field, "日期格式应为 YYYY-MM-DD") from None


def _back(request, default: str):
    return redirect(request.POST.get("next") or default)


# --------------------------------------------------------------------------- instruments
def instruments(request):
    """共享仪器 for signed-in users (the public list plus the booking entry)."""
    _business_user(request)
    q = (request.GET.get("q") or "").strip()[:100]
    qs = selectors.public_instruments(request.user, q=q)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rules = selectors.rules_for(p.instrument_id for p in page)
    return render(request, "resources/instruments.html", {
        "page": page, "items": [selectors.instrument_item(p, rules) for p in page], "q": q})


def instrument_detail(request, pk: int):
    """One instrument: sharing record, fee rules, busy slots of the next 14 days, maintenance, and the
    booking form for enterprises."""
    _business_user(request)
    profile = get_scoped_or_404(InstrumentProfile.objects.select_related("instrument__owner"), request.user, "view",
                                instrument_id=pk)
    inst = profile.instrument
    rules = selectors.rules_for([inst.pk])
    now = timezone.now()
    busy = (Booking.objects.filter(instrument=inst, status__in=Booking.ACTIVE, ends_at__gte=now,
                                   starts_at__lte=now + dt.timedelta(days=14)).order_by("starts_at")
            .values("starts_at", "ends_at", "status"))   # times only: who booked is not shown
    maint = MaintenanceWindow.objects.filter(instrument=inst, ends_at__gte=now).order_by("starts_at")
    vouchers = []
    if _role(request) == Role.ENTERPRISE_USER:
        vouchers = Voucher.objects.restrict(request.user, "view").filter(
            status=Voucher.Status.ISSUED, balance__gt=0, valid_until__gte=timezone.localdate())
    return render(request, "resources/instrument_detail.html", {
        "profile": profile, "inst": inst, "item": selectors.instrument_item(profile, rules), "busy": list(busy),
        "maintenance": maint, "vouchers": vouchers,
        "can_book": can(request.user, "resources.booking.request"),
        "can_manage": can(request.user, "resources.instrument.manage") and (
            _role(request) == Role.BUREAU_STAFF or (account_of(request.user) and
                                                 account_of(request.user).institute_id == inst.owner_id))})


@require_POST
def booking_create(request, pk: int):
    _business_user(request)
    profile = get_scoped_or_404(InstrumentProfile.objects.select_related("instrument"), request.user, "view",
                                instrument_id=pk)
    try:
        start = _parse_local(request.POST.get("starts_at"), "starts_at")
        end = _parse_local(request.POST.get("ends_at"), "ends_at")
        b = services.booking_request(actor=request.user, instrument=profile.instrument, starts_at=start, ends_at=end,
                                     purpose=request.POST.get("purpose", ""),
                                     use_voucher=request.POST.get("use_voucher") == "1")
    except ResourceError as exc:
        messages.error(request, f"预约未提交：{exc}")
        return redirect("resources:instrument_detail", pk=pk)
    messages.success(request, "预约已确认" if b.status == Booking.Status.APPROVED else "预约已提交，等待仪器所属单位审核")
    return redirect("resources:booking_detail", pk=b.pk)


@require_POST
def maintenance_create(request, pk: int):
    _business_user(request)
    profile = get_scoped_or_404(InstrumentProfile.objects.select_related("instrument"), request.user, "change",
                                instrument_id=pk)
    try:
        services.maintenance_add(actor=request.user, instrument=profile.instrument,
                                 starts_at=_parse_local(request.POST.get("starts_at"), "starts_at"),
                                 ends_at=_parse_local(request.POST.get("ends_at"), "ends_at"),
                                 reason=request.POST.get("reason", "")[:200])
        messages.success(request, "维护时段已登记")
    except ResourceError as exc:
        messages.error(request, str(exc))
    return redirect("resources:instrument_detail", pk=pk)


# --------------------------------------------------------------------------- bookings
def bookings(request):
    """预约 the user may see: an enterprise its own, an institute its instruments', the bureau all."""
    _business_user(request)
    status = request.GET.get("status") or ""
    qs = Booking.objects.restrict(request.user, "view").select_related("instrument__owner", "enterprise")
    if status in Booking.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "resources/bookings.html", {"page": page, "status": status,
                                                       "statuses": Booking.Status.choices})


def booking_detail(request, pk: int):
    _business_user(request)
    b = get_scoped_or_404(Booking.objects.select_related("instrument__owner", "enterprise"), request.user, "view", pk=pk)
    u = request.user
    vouchers = []
    redemption = Redemption.objects.filter(booking=b).select_related("voucher").first()
    if (b.status == Booking.Status.COMPLETED and redemption is None and b.enterprise_id
            and _role(request) == Role.ENTERPRISE_USER):
        vouchers = Voucher.objects.restrict(u, "view").filter(status=Voucher.Status.ISSUED, balance__gt=0,
                                                              valid_until__gte=timezone.localdate())
    return render(request, "resources/booking_detail.html", {
        "b": b, "redemption": redemption, "vouchers": vouchers,
        "can_decide": b.status == "requested" and can(u, "resources.booking.approve", b),
        "can_check_in": b.status == "approved" and can(u, "resources.booking.operate", b),
        "can_check_out": b.status == "checked_in" and can(u, "resources.booking.operate", b),
        "can_no_show": b.status == "approved" and can(u, "resources.booking.operate", b)
        and timezone.now() >= b.starts_at + dt.timedelta(minutes=services.NO_SHOW_GRACE_MINUTES),
        "can_cancel": b.status in ("requested", "approved") and can(u, "resources.booking.cancel", b),
        "can_evaluate": b.status == "completed" and b.rating is None and can(u, "resources.booking.evaluate", b),
        "can_redeem_provider": b.status == "completed" and redemption is None and b.enterprise_id
        and _role(request) in (Role.INSTITUTE_USER, Role.BUREAU_STAFF) and can(u, "resources.booking.operate", b),
    })


BOOKING_ACTIONS = {"approve", "reject", "check_in", "check_out", "no_show", "cancel", "evaluate"}


@require_POST
def booking_action(request, pk: int):
    _business_user(request)
    b = get_scoped_or_404(Booking, request.user, "view", pk=pk)
    action = request.POST.get("action", "")
    if action not in BOOKING_ACTIONS:
        messages.error(request, "未知的操作")
        return redirect("resources:booking_detail", pk=pk)
    try:
        if action in ("approve", "reject"):
            services.booking_decide(actor=request.user, booking=b, approve=action == "approve",
                                    note=request.POST.get("note", ""))
        elif action == "check_in":
            services.booking_check_in(actor=request.user, booking=b)
        elif action == "check_out":
            services.booking_check_out(actor=request.user, booking=b, actual_hours=request.POST.get("actual_hours") or None)
        elif action == "no_show":
            services.booking_no_show(actor=request.user, booking=b)
        elif action == "cancel":
            services.booking_cancel(actor=request.user, booking=b)
        elif action == "evaluate":
            services.booking_evaluate(actor=request.user, booking=b, rating=request.POST.get("rating"),
                                      comment=request.POST.get("comment", ""))
        messages.success(request, "已办理")
    except (ResourceError, InvalidOperation) as exc:
        messages.error(request, f"未办理：{exc}")
    return redirect("resources:booking_detail", pk=pk)


# --------------------------------------------------------------------------- vouchers
def vouchers(request):
    """科技创新券: an enterprise's own vouchers and the application form; the bureau's queue."""
    _business_user(request)
    qs = Voucher.objects.restrict(request.user, "view").select_related("enterprise", "scheme")
    status = request.GET.get("status") or ""
    if status in Voucher.Status.values:
        qs = qs.filter(status=status)
    scheme = services.current_scheme()
    checks = []
    if scheme and _role(request) == Role.ENTERPRISE_USER and request.user.enterprise_id:
        checks = services.voucher_eligibility(request.user.enterprise, scheme)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "resources/vouchers.html", {
        "page": page, "scheme": scheme, "checks": checks, "status": status, "statuses": Voucher.Status.choices,
        "categories": services.VOUCHER_CATEGORIES, "modes": Voucher.Mode.choices,
        "can_apply": can(request.user, "resources.voucher.apply")})


@require_POST
def voucher_apply(request):
    _business_user(request)
    try:
        v = services.voucher_apply(
            actor=request.user, amount=request.POST.get("amount", ""), purpose=request.POST.get("purpose", ""),
            mode=request.POST.get("mode", Voucher.Mode.EXCHANGE), categories=request.POST.getlist("categories"),
            legal_person=request.POST.get("legal_person", ""),
            shareholders=[s.strip() for s in request.POST.get("shareholders", "").replace("，", ",").split(",")])
    except ResourceError as exc:
        messages.error(request, f"申领未提交：{exc}")
        return redirect("resources:vouchers")
    messages.success(request, "申领已提交，等待科技局审核")
    return redirect("resources:voucher_detail", pk=v.pk)


def voucher_detail(request, pk: int):
    _business_user(request)
    v = get_scoped_or_404(Voucher.objects.select_related("enterprise", "scheme"), request.user, "view", pk=pk)
    contracts = []
    if v.status == Voucher.Status.ISSUED and _role(request) == Role.ENTERPRISE_USER:
        contracts = ServiceContract.objects.restrict(request.user, "view").filter(
            enterprise=v.enterprise, redemption__isnull=True).exclude(status="terminated")
    return render(request, "resources/voucher_detail.html", {
        "v": v, "redemptions": v.redemptions.select_related("booking__instrument", "contract", "batch"),
        "contracts": contracts, "can_decide": v.status == "applied" and can(request.user, "resources.voucher.approve", v),
        "categories": services.VOUCHER_CATEGORIES})


@require_POST
def voucher_decide(request, pk: int):
    _business_user(request)
    v = get_scoped_or_404(Voucher, request.user, "view", pk=pk)
    try:
        services.voucher_decide(actor=request.user, voucher=v, approve=request.POST.get("decision") == "approve",
                                amount=request.POST.get("amount") or None, note=request.POST.get("note", ""))
        messages.success(request, "已审核")
    except ResourceError as exc:
        messages.error(request, f"未办理：{exc}")
    return redirect("resources:voucher_detail", pk=pk)


@require_POST
def voucher_redeem(request):
    """兑付: the enterprise (通用/通兑) or the provider (通兑, with the 券号 the enterprise presents)."""
    _business_user(request)
    u = request.user
    number = (request.POST.get("number") or "").strip()
    voucher_id = request.POST.get("voucher")
    if _role(request) == Role.ENTERPRISE_USER:
        v = get_scoped_or_404(Voucher, u, "view", pk=voucher_id)
    else:
        v = Voucher.objects.filter(number=number).first() if number else None
        if v is None:
            messages.error(request, "未找到该券号")
            return _back(request, "resources:vouchers")
    booking = contract = None
    if request.POST.get("booking"):
        booking = get_scoped_or_404(Booking, u, "view", pk=request.POST["booking"])
    elif request.POST.get("contract"):
        contract = get_scoped_or_404(ServiceContract, u, "view", pk=request.POST["contract"])
    try:
        r = services.voucher_redeem(actor=u, voucher=v, booking=booking, contract=contract,
                                    amount=request.POST.get("amount") or None)
        messages.success(request, f"已使用创新券抵扣 {r.amount.normalize():f} 万元，待结算")
    except ResourceError as exc:
        messages.error(request, f"未兑付：{exc}")
    return _back(request, "resources:vouchers")


# --------------------------------------------------------------------------- settlement
def settlements(request):
    """结算批次 (bureau, finance): pending redemptions and batches with their evidence."""
    _business_user(request)
    if not can(request.user, "resources.report.view"):
        raise PermissionDenied("结算批次仅限科技局和财政局工作人员")
    pending = Redemption.objects.restrict(request.user, "view").filter(batch__isnull=True).select_related(
        "voucher__enterprise", "booking__instrument", "contract")
    batches = SettlementBatch.objects.restrict(request.user, "view").annotate(n=Count("redemptions"))
    return render(request, "resources/settlements.html", {
        "pending": pending, "batches": batches, "can_settle": can(request.user, "resources.voucher.settle")})


@require_POST
def settlement_create(request):
    _business_user(request)
    try:
        b = services.settlement_create(actor=request.user)
        messages.success(request, f"已生成结算批次 {b.number}")
        return redirect("resources:settlement_detail", pk=b.pk)
    except ResourceError as exc:
        messages.error(request, str(exc))
    return redirect("resources:settlements")


def settlement_detail(request, pk: int):
    _business_user(request)
    b = get_scoped_or_404(SettlementBatch, request.user, "view", pk=pk)
    rows = b.redemptions.select_related("voucher__enterprise", "booking__instrument__owner", "contract__org")
    if request.GET.get("format") == "xlsx":
        return _settlement_xlsx(request, b, rows)
    return render(request, "resources/settlement_detail.html", {
        "b": b, "rows": rows, "can_pay": b.status == "submitted" and can(request.user, "resources.voucher.pay", b)})


def _settlement_xlsx(request, batch, rows) -> HttpResponse:
    from kechuang.core import audit
    from kechuang.core.downloads import attachment, dated_name
    from kechuang.core.models import AuditEvent
    from kechuang.core.xlsx import Col, new_workbook, to_bytes, write_table

    def evidence(r):
        if r.booking_id:
            return f"仪器预约#{r.booking_id} {r.booking.instrument.name} 实际机时{r.booking.actual_hours}小时"
        return f"服务合同 {r.contract.registration_no} {r.contract.title}"

    wb = new_workbook()
    write_table(wb.create_sheet("结算明细"),
                [Col("批次号", "code"), Col("券号", "code"), Col("企业"), Col("服务方"), Col("依据", width=50),
                 Col("服务费用（万元）", "money"), Col("抵扣金额（万元）", "money"), Col("兑付方式"), Col("收款方")],
                ([batch.number, r.voucher.number, r.voucher.enterprise.name, r.provider_name, evidence(r),
                  r.fee, r.amount, r.get_mode_display(), r.payee] for r in rows),
                title=f"创新券结算明细（批次 {batch.number}）")
    audit.record(AuditEvent.Kind.EXPORT, request=request, object_ref=f"settlement:{batch.number}")
    return attachment(to_bytes(wb), dated_name(f"创新券结算明细-{batch.number}", "xlsx"))


@require_POST
def settlement_pay(request, pk: int):
    _business_user(request)
    b = get_scoped_or_404(SettlementBatch, request.user, "view", pk=pk)
    try:
        services.settlement_pay(actor=request.user, batch=b)
        messages.success(request, "已登记拨付，批次内兑付均已结算")
    except ResourceError as exc:
        messages.error(request, str(exc))
    return redirect("resources:settlement_detail", pk=pk)


# --------------------------------------------------------------------------- service organisations
def service_orgs(request):
    """科技服务机构 registry; the bureau also sees each one's performance."""
    _business_user(request)
    kind = request.GET.get("kind") or ""
    qs = ServiceOrg.objects.restrict(request.user, "view")
    if kind in ServiceOrg.Kind.values:
        qs = qs.filter(kind=kind)
    qs = qs.annotate(n_offerings=Count("offerings", distinct=True))
    return render(request, "resources/service_orgs.html", {"orgs": qs, "kind": kind, "kinds": ServiceOrg.Kind.choices,
                                                           "can_create": _role(request) == Role.BUREAU_STAFF})


def service_org_detail(request, pk: int):
    _business_user(request)
    org = get_scoped_or_404(ServiceOrg, request.user, "view", pk=pk)
    perf = None
    if _role(request) == Role.BUREAU_STAFF or (account_of(request.user) and account_of(request.user).service_org_id == org.pk):
        contracts = ServiceContract.objects.filter(org=org)
        perf = {"orders": contracts.count(), "amount": contracts.aggregate(s=Sum("amount"))["s"] or Decimal(0),
                "rating": contracts.exclude(rating__isnull=True).aggregate(a=Sum("rating"), n=Count("rating")),
                "complaints": org.complaints.count(), "open_complaints": org.complaints.filter(resolved=False).count(),
                "voucher_amount": Redemption.objects.filter(provider_org=org).aggregate(s=Sum("amount"))["s"] or 0}
        n = perf["rating"]["n"]
        perf["rating"] = (Decimal(perf["rating"]["a"]) / n).quantize(Decimal("0.1")) if n else None
    my_contracts = ServiceContract.objects.restrict(request.user, "view").filter(org=org).select_related("enterprise")[:50]
    return render(request, "resources/service_org_detail.html", {
        "org": org, "offerings": org.offerings.all(), "perf": perf, "contracts": my_contracts,
        "can_register": can(request.user, "resources.service_contract.register", org),
        "can_complain": can(request.user, "resources.complaint.file"), "kinds": ServiceOrg.Kind.choices,
        "can_edit": can(request.user, "resources.service_org.manage", org)})


@require_POST
def contract_register(request, pk: int):
    _business_user(request)
    org = get_scoped_or_404(ServiceOrg, request.user, "change", pk=pk)
    from kechuang.enterprises.models import Enterprise

    ent = Enterprise.objects.filter(Q(uscc=request.POST.get("enterprise", "").strip())
                                    | Q(name=request.POST.get("enterprise", "").strip())).first()
    try:
        if ent is None:
            raise ResourceError("enterprise", "企业库中没有该企业（请填写企业全称或统一社会信用代码）")
        services.service_contract_register(
            actor=request.user, org=org, enterprise=ent, title=request.POST.get("title", "")[:300],
            category=request.POST.get("category", ""), amount=request.POST.get("amount", ""),
            signed_on=_parse_date(request.POST.get("signed_on"), "signed_on"),
            registration_no=request.POST.get("registration_no", "").strip()[:40])
        messages.success(request, "服务合同已登记")
    except ResourceError as exc:
        messages.error(request, f"未登记：{exc}")
    return redirect("resources:service_org_detail", pk=pk)


@require_POST
def complaint_create(request, pk: int):
    _business_user(request)
    org = get_scoped_or_404(ServiceOrg, request.user, "view", pk=pk)
    try:
        services.complaint_file(actor=request.user, org=org, text=request.POST.get("text", ""))
        messages.success(request, "投诉已提交，科技局将跟进处理")
    except ResourceError as exc:
        messages.error(request, str(exc))
    return redirect("resources:service_org_detail", pk=pk)


# --------------------------------------------------------------------------- finance
def products(request):
    """金融产品 catalogue; an enterprise sees for each product whether it fits, and why."""
    _business_user(request)
    from .models import FinancialProduct

    qs = FinancialProduct.objects.restrict(request.user, "view")
    fits = {}
    if _role(request) == Role.ENTERPRISE_USER and request.user.enterprise_id:
        facts = finance.enterprise_facts(request.user.enterprise)
        fits = {p.pk: finance.fits(p, facts) for p in qs}
    return render(request, "resources/products.html", {"products": [(p, fits.get(p.pk)) for p in qs],
                                                       "can_manage": can(request.user, "resources.product.manage")})


def loans(request):
    """科技贷放款: the bureau records loans and sees them per township and per ladder rung."""
    _business_user(request)
    if not can(request.user, "resources.report.view") and _role(request) != Role.TOWNSHIP_CLERK:
        raise PermissionDenied("放款统计仅限科技局、财政局和乡镇查看")
    from .models import FinancialProduct

    qs = Loan.objects.restrict(request.user, "view").select_related("enterprise__township", "product")
    year = request.GET.get("year") or ""
    if year.isdigit():
        qs = qs.filter(granted_on__year=int(year))
    return render(request, "resources/loans.html", {
        "loans": qs[:100], "total": qs.aggregate(s=Sum("amount"), n=Count("enterprise", distinct=True)),
        "by_township": finance.loans_by_township(qs), "by_rung": finance.loans_by_rung(qs), "year": year,
        "products": FinancialProduct.objects.restrict(request.user, "view"),
        "can_record": can(request.user, "resources.loan.record")})


@require_POST
def loan_create(request):
    _business_user(request)
    require(request.user, "resources.loan.record")   # refused before anything is looked up: a 403, not a message
    from kechuang.enterprises.models import Enterprise

    from .models import FinancialProduct

    product = get_scoped_or_404(FinancialProduct, request.user, "view", pk=request.POST.get("product") or 0)
    key = request.POST.get("enterprise", "").strip()
    ent = Enterprise.objects.restrict(request.user, "view").filter(Q(uscc=key) | Q(name=key)).first()
    try:
        if ent is None:
            raise ResourceError("enterprise", "企业库中没有该企业")
        services.loan_record(actor=request.user, product=product, enterprise=ent, amount=request.POST.get("amount", ""),
                             granted_on=_parse_date(request.POST.get("granted_on"), "granted_on"),
                             note=request.POST.get("note", ""))
        messages.success(request, "放款已登记")
    except ResourceError as exc:
        messages.error(request, f"未登记：{exc}")
    return redirect("resources:loans")


# --------------------------------------------------------------------------- report
def report(request):
    """年度考核: per instrument and per institute (国科办基〔2022〕93号 指标 from the records); xlsx export."""
    _business_user(request)
    if not can(request.user, "resources.report.view") and _role(request) != Role.INSTITUTE_USER:
        raise PermissionDenied("仪器共享年度评价仅限科技局、财政局和科研机构查看")
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    rows = selectors.instrument_year_report(request.user, year)
    per_inst = selectors.institute_year_report(rows)
    if request.GET.get("format") == "xlsx":
        return _report_xlsx(request, year, rows, per_inst)
    return render(request, "resources/report.html", {"year": year, "rows": rows, "per_inst": per_inst})


def _report_xlsx(request, year, rows, per_inst) -> HttpResponse:
    from kechuang.core import audit
    from kechuang.core.downloads import attachment, dated_name
    from kechuang.core.models import AuditEvent
    from kechuang.core.xlsx import Col, new_workbook, to_bytes, write_table

    wb = new_workbook()
    common = [Col("服务次数", "int"), Col("有效机时（小时）", "number"), Col("对外服务机时（小时）", "number"),
              Col("企业用户占比", "ratio"), Col("服务收入（万元）", "money"), Col("爽约次数", "int")]
    write_table(wb.create_sheet("按仪器"), [Col("仪器"), Col("所属单位"), *common, Col("平均评价", "number")],
                ([r["instrument"], r["institute"], r["sessions"], r["effective_hours"], r["external_hours"],
                  r["enterprise_share"], r["income"], r["no_shows"], r["rating"]] for r in rows),
                title=f"{year}年大型科研仪器共享服务情况（按仪器）")
    write_table(wb.create_sheet("按单位"), [Col("单位"), Col("仪器数", "int"), *common],
                ([r["institute"], r["instruments"], r["sessions"], r["effective_hours"], r["external_hours"],
                  r["enterprise_share"], r["income"], r["no_shows"]] for r in per_inst),
                title=f"{year}年大型科研仪器共享服务情况（按单位）")
    audit.record(AuditEvent.Kind.EXPORT, request=request, object_ref=f"resources:report:{year}")
    return attachment(to_bytes(wb), dated_name(f"{year}年仪器共享服务报表", "xlsx"))


# --------------------------------------------------------------------------- 科技资源 entrance
def portal(request):
    """科技资源 (产业大脑): one search over the resources (optionally one kind) and an overview by
    industry chain."""
    _business_user(request)
    from kechuang.search.engine import SearchError

    from . import portal as portal_mod

    q = (request.GET.get("q") or "").strip()[:200]
    kind = request.GET.get("kind") or ""
    if kind not in portal_mod.KIND_LABELS:
        kind = ""
    hits, error = [], ""
    if q:
        try:
            hits = portal_mod.search(request.user, q, kind=kind)
        except SearchError as exc:
            error = str(exc)
    counts = [(k, label, sum(1 for h in hits if h["kind"] == k)) for k, label in portal_mod.KIND_LABELS.items()]
    return render(request, "resources/portal.html", {
        "q": q, "kind": kind, "kinds": list(portal_mod.KIND_LABELS.items()), "hits": hits, "error": error,
        "counts": [(k, label, n) for k, label, n in counts if n], "overview": portal_mod.overview(request.user)})


# --------------------------------------------------------------------------- import
def import_page(request):
    """Excel import of instruments or service organisations (bureau): dry run first, per-row errors."""
    _business_user(request)
    from . import excel

    kind = request.GET.get("kind") or request.POST.get("kind") or "instruments"
    if kind not in excel.KINDS:
        kind = "instruments"
    perm = "resources.instrument.import" if kind == "instruments" else "resources.service_org.import"
    if not can(request.user, perm):
        raise PermissionDenied("导入仅限科技局工作人员")
    if request.GET.get("template"):
        from kechuang.core.downloads import attachment, dated_name

        return attachment(excel.template_workbook(kind), dated_name(f"{excel.KINDS[kind]}导入模板", "xlsx"))
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.size > 10 * 1024 * 1024 or not upload.name.lower().endswith(".xlsx"):
            messages.error(request, "请上传 10MB 以内的 .xlsx 文件")
        else:
            report = excel.import_workbook(upload, actor=request.user, kind=kind,
                                           dry_run=request.POST.get("dry_run") == "1", source_name=upload.name)
    return render(request, "resources/import.html", {"kind": kind, "kinds": excel.KINDS, "report": report},
                  status=400 if report is not None and not report.ok else 200)
