"""Excel intake of the carriers' yearly figures (火炬统计 shape): one row per carrier and year, the
headers are the model's own labels; every row is validated first (row and column named), nothing
is written when any row is wrong, then one transaction."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import AnnualReport, Carrier
from .services import REPORT_FIELDS

MAX_ROWS = 5_000


def columns() -> list[tuple[str, str]]:
    """(header, field) pairs: 载体名称, 年度, then each figure by its model label."""
    meta = AnnualReport._meta
    return [("载体名称", "carrier"), ("年度", "year")] + [(str(meta.get_field(f).verbose_name), f)
                                                        for f in REPORT_FIELDS]


def template() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "载体年度数据"
    ws.append([h for h, _f in columns()])
    for i, (h, _f) in enumerate(columns(), start=1):
        ws.cell(row=1, column=i).number_format = "@"
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(10, len(h) * 2)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass
class Intake:
    errors: list[str] = field(default_factory=list)
    saved: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _number(value, header: str, n: int, errors: list[str], integer: bool):
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        errors.append(f"第{n}行 {header}：应为数字，实际为“{value}”")
        return None
    if not d.is_finite() or d < 0 or (integer and d != d.to_integral_value()):
        errors.append(f"第{n}行 {header}：应为非负{'整数' if integer else '数字'}，实际为“{value}”")
        return None
    return int(d) if integer else d


def import_reports(*, actor, upload) -> Intake:
    from openpyxl import load_workbook

    from kechuang.core.permissions import require

    from . import services

    require(actor, "carriers.report.import")
    out = Intake()
    limit = getattr(settings, "KECHUANG_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
    if getattr(upload, "size", 0) > limit:
        out.errors.append(f"文件：超过 {limit // (1024 * 1024)} MB 的上传上限")
        return out
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        out.errors.append("文件：不是有效的 Excel（.xlsx）工作簿")
        return out
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header = ["" if h is None else str(h).strip() for h in (next(rows, None) or [])]
    cols = columns()
    missing = [h for h, _f in cols[:2] if h not in header]
    if missing:
        wb.close()
        out.errors.append(f"第1行 表头：缺少列 {'、'.join(missing)}")
        return out
    index = {f: header.index(h) for h, f in cols if h in header}
    labels = {f: h for h, f in cols}
    carriers = {c.name: c for c in Carrier.objects.all()}
    parsed = []
    for n, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        if len(parsed) >= MAX_ROWS:
            out.errors.append(f"文件：超过 {MAX_ROWS} 行，请分批导入")
            break
        get = {f: (values[i] if i < len(values) else None) for f, i in index.items()}
        before = len(out.errors)
        name = "" if get["carrier"] is None else str(get["carrier"]).strip()
        carrier = carriers.get(name)
        if carrier is None:
            out.errors.append(f"第{n}行 载体名称：载体名录中没有“{name}”")
        year = _number(get["year"], "年度", n, out.errors, integer=True)
        if year is not None and not 2000 <= year <= 2100:
            out.errors.append(f"第{n}行 年度：应为 2000～2100，实际为“{get['year']}”")
        figures = {}
        for h, f in cols[2:]:
            if f in get:
                value = _number(get[f], h, n, out.errors, integer=f not in ("income", "investment_raised"))
                if value is not None:
                    figures[f] = value
        if len(out.errors) == before:   # the model's own bounds, in the same first pass
            try:
                AnnualReport(carrier=carrier, year=year, **figures).full_clean(
                    exclude=["submitted_by"], validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                out.errors.extend(f"第{n}行 {labels.get(f, f)}：{'；'.join(m)}" for f, m in exc.message_dict.items())
            else:
                parsed.append((n, carrier, year, figures))
    wb.close()
    if out.errors:
        return out
    try:
        with transaction.atomic():
            for n, carrier, year, figures in parsed:
                try:
                    services.annual_report_submit(actor=actor, carrier=carrier, year=year, figures=figures)
                except ValidationError as exc:
                    for f, msgs in exc.message_dict.items():
                        out.errors.append(f"第{n}行 {labels.get(f, f)}：{'；'.join(msgs)}")
            if out.errors:
                raise ValidationError("rollback")
    except ValidationError:
        return out
    out.saved = len(parsed)
    return out
