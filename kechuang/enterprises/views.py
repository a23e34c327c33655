"""Pages of the enterprise registry: list (filters, sort, pages, export), detail (years with a
trend chart, IP, qualifications with expiry warnings, credit records, 变更记录), edit forms, the
Excel upload with dry run and error report, and the template download."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kechuang.core import audit
from kechuang.core.downloads import dated_name
from kechuang.core.models import AuditEvent, Region
from kechuang.core.permissions import can, require
from kechuang.core.roles import Role
from kechuang.core.scoping import get_scoped_or_404
from kechuang.core.uploads import max_bytes as upload_max_bytes
from kechuang.enterprises import selectors, services, vocab
from kechuang.enterprises.excel_io import WorkbookError, error_report, write_template
from kechuang.enterprises.exports import export_workbook
from kechuang.enterprises.forms import EnterpriseForm, FiscalYearForm
from kechuang.enterprises.imports import import_workbook
from kechuang.enterprises.models import Enterprise, FiscalYear

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    from kechuang.core.downloads import attachment

    return attachment(data, filename, XLSX)


def _quote(text: str) -> str:
    return quote(text)


def enterprise_list(request):
    """企业列表: filters, sorting, pages of 50, export of the filtered list."""
    filters = selectors.ListFilters.from_query(request.GET)
    qs = selectors.enterprise_list(request.user, filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(selectors.with_current_qualifications(page.object_list))
    towns = Region.townships() if request.user.role == Role.BUREAU_STAFF else Region.townships().filter(
        pk=request.user.township_id) if request.user.township_id else Region.objects.none()
    query = filters.as_query()
    return render(request, "enterprises/list.html", {
        "page": page, "filters": filters, "townships": towns, "qs": urlencode(query),
        "qualification_kinds": vocab.QUALIFICATION_KINDS, "validity_choices": selectors.VALIDITY,
        "industries": sorted(set(vocab.INDUSTRY_GROUPS.values()), key=list(vocab.INDUSTRY_GROUPS.values()).index),
        "sizes": vocab.SIZE_CLASSES, "can_import": can(request.user, "enterprises.enterprise.import"),
        "sort_links": _sort_links(query, filters.sort),
    })


def _sort_links(query: dict, current: str) -> dict:
    links = {}
    for key in ("name", "township", "established", "employees", "updated"):
        target = f"-{key}" if current == key else key
        links[key] = "?" + urlencode({**{k: v for k, v in query.items() if k != "sort"}, "sort": target})
    return links


def _plain(value):
    """A 4-decimal money value without trailing zeros (12.5000 → 12.5)."""
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def enterprise_export(request):
    """The filtered list as .xlsx with the template's headers (audit-logged)."""
    filters = selectors.ListFilters.from_query(request.GET)
    qs = selectors.enterprise_list(request.user, filters, action="export")
    data = export_workbook(qs, user=request.user)
    audit.record(AuditEvent.Kind.EXPORT, request=request, object_ref="enterprises:list",
                 detail={"filters": filters.as_query(), "enterprises": qs.count()})
    return _xlsx(data, dated_name("企业库导出", "xlsx"))


def enterprise_detail(request, pk: int):
    """企业详情: basic information, yearly figures and trend, IP, qualifications, credit records."""
    enterprise = selectors.enterprise_detail(request.user, pk)
    show_phone = (request.GET.get("phone") == "1" and can(request.user, "enterprises.phone.view")
                  and enterprise.contact_phone)
    if show_phone:
        audit.record(AuditEvent.Kind.PERSONAL_DATA_VIEW, request=request, object_ref=f"enterprises.Enterprise:{pk}",
                     detail={"field": "contact_phone"})
    years = list(enterprise.fiscal_years.order_by("-year"))
    return render(request, "enterprises/detail.html", {
        "e": enterprise, "years": years, "year_fields": list(vocab.YEAR_MONEY_FIELDS.items()),
        "year_table": [(y, [_plain(getattr(y, f)) for f in vocab.YEAR_MONEY_FIELDS]) for y in years],
        "ip_rights": list(enterprise.ip_rights.all()), "qualifications": selectors.qualification_rows(enterprise),
        "credits": list(enterprise.credit_records.all()), "trend": selectors.trend_series(years),
        "show_phone": bool(show_phone), "can_see_phone": can(request.user, "enterprises.phone.view"),
        "can_edit": can(request.user, "enterprises.enterprise.change"),
        "can_add_qualification": can(request.user, "enterprises.qualification.add"),
        "can_add_credit": can(request.user, "enterprises.credit.add"),
    })


@require_http_methods(["GET", "POST"])
def enterprise_edit(request, pk: int):
    """Edit the basic information (same checks as the import)."""
    enterprise = get_scoped_or_404(Enterprise.objects.select_related("township"), request.user, "change", pk=pk)
    form = EnterpriseForm(instance=enterprise, user=request.user)
    if request.method == "POST":
        try:
            services.enterprise_update(user=request.user, enterprise=enterprise, data=request.POST)
        except services.FormInvalid as exc:
            form = exc.form
        else:
            messages.success(request, "企业信息已保存")
            return redirect("enterprises:detail", pk=pk)
    return render(request, "enterprises/edit.html", {"e": enterprise, "form": form, "title": "编辑企业信息"})


@require_http_methods(["GET", "POST"])
def fiscal_year_edit(request, pk: int, year: int | None = None):
    """Add or edit one fiscal year (same checks as the import)."""
    enterprise = get_scoped_or_404(Enterprise, request.user, "change", pk=pk)
    instance = None
    if year is not None:
        instance = FiscalYear.objects.filter(enterprise=enterprise, year=year).first()
        if instance is None:
            raise Http404
    form = FiscalYearForm(instance=instance, enterprise=enterprise)
    if request.method == "POST":
        try:
            services.fiscal_year_save(user=request.user, enterprise=enterprise, data=request.POST, fiscal_year=instance)
        except services.FormInvalid as exc:
            form = exc.form
        else:
            messages.success(request, "年度数据已保存")
            return redirect("enterprises:detail", pk=pk)
    title = f"{year} 年度数据" if year else "新增年度数据"
    return render(request, "enterprises/edit.html", {"e": enterprise, "form": form, "title": title})


@require_http_methods(["GET", "POST"])
def record_add(request, pk: int, kind: str):
    """Add an IP right, qualification or credit record (same date checks as the import)."""
    from kechuang.enterprises.forms import RECORD_FORMS

    if kind not in RECORD_FORMS:
        raise Http404
    form_class, title, perm = RECORD_FORMS[kind]
    enterprise = get_scoped_or_404(Enterprise, request.user, "change", pk=pk)
    require(request.user, perm)
    form = form_class(enterprise=enterprise)
    if request.method == "POST":
        try:
            services.record_add(user=request.user, enterprise=enterprise, kind=kind, data=request.POST)
        except services.FormInvalid as exc:
            form = exc.form
        else:
            messages.success(request, f"{title.removeprefix('新增')}已保存")
            return redirect("enterprises:detail", pk=pk)
    return render(request, "enterprises/edit.html", {"e": enterprise, "form": form, "title": title})


def template_download(request):
    """The empty import template."""
    buffer = io.BytesIO()
    write_template(buffer, list(Region.townships().values_list("name", flat=True)))
    return _xlsx(buffer.getvalue(), dated_name("企业库导入模板", "xlsx"))


def _reports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "import-reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_error_report(user, data: bytes, filename: str) -> str:
    """Keep an error report for `user` to download; returns its token."""
    token = uuid.uuid4().hex
    folder = _reports_dir()
    (folder / f"{token}.xlsx").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({"user": user.pk, "file": filename}), encoding="utf-8")
    return token


@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a filled template: validate all of it; with 试运行 nothing is saved; any bad row
    means nothing is saved and a downloadable error report."""
    require(request.user, "enterprises.enterprise.import")
    context = {"result": None}
    if request.method == "POST":
        upload = request.FILES.get("file")
        dry_run = bool(request.POST.get("dry_run"))
        if upload is None:
            context["error"] = "请选择要上传的 .xlsx 文件"
        elif upload.size > upload_max_bytes():
            context["error"] = (f"文件过大（{upload.size / 1024 / 1024:.1f} MB），"
                                f"最大 {upload_max_bytes() // 1024 // 1024} MB")
        else:
            data = upload.read()
            from .jobs import IMPORT_JOB_ROWS, data_rows, keep_upload

            try:
                big = data_rows(data) > IMPORT_JOB_ROWS
            except WorkbookError:
                big = False   # import_workbook below says what is wrong with the file
            if big:   # validated and committed by a worker; the job page shows progress and the result
                from kechuang.jobs.services import job_start

                job = job_start(actor=request.user, kind="enterprises.import", label=f"企业数据导入：{upload.name}",
                                args={"upload": keep_upload(data), "filename": upload.name, "dry_run": dry_run},
                                dedupe=False)
                return redirect("jobs:detail", pk=job.pk)
            try:
                result = import_workbook(data, filename=upload.name, user=request.user, dry_run=dry_run)
            except WorkbookError as exc:
                context["error"] = str(exc)
            else:
                audit.record(AuditEvent.Kind.IMPORT, request=request, outcome="success" if result.ok else "failure",
                             object_ref=f"enterprises:{upload.name}",
                             detail={"file": upload.name, "dry_run": dry_run, "problems": len(result.problems),
                                     "counts": result.counts})
                context["result"] = result
                context["shown_problems"] = result.problems[:500]
                if not result.ok:
                    report = error_report(data, result.problems)
                    context["report_token"] = save_error_report(request.user, report, upload.name)
    return render(request, "enterprises/import.html", context)


def import_report(request, token: str):
    """Download an error report (only by the user who uploaded the file)."""
    folder = _reports_dir()
    meta_path = folder / f"{token}.json"
    if not token.isalnum() or not meta_path.exists():
        raise Http404
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("user") != request.user.pk:
        raise Http404
    stem = Path(meta.get("file") or "导入").stem
    return _xlsx((folder / f"{token}.xlsx").read_bytes(), dated_name(f"{stem}-错误报告", "xlsx"))

