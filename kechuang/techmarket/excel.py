"""Excel import of achievements and needs: validate every row first, then commit in one transaction.

Sheets (first sheet is read; headers in row 1, order free, extra columns ignored):
- 科技成果: 成果名称*, 成果简介, 关键词（；分隔）, 技术领域, 成熟度（1–9）, 成果持有人, 转化方式（转让/许可/作价入股/先用后转，；分隔）,
  意向价格下限, 意向价格上限（万元）, 联系方式
- 技术需求: 统一社会信用代码*, 需求名称*, 需求描述*, 技术领域, 预算（万元）, 截止日期, 是否公开（是/否）
Errors are reported as ``第N行 字段: 原因``.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from kechuang.core.bounds import number_errors
from kechuang.core.changes import change_context

from .models import MAX_DESCRIPTION_CHARS, Achievement, TransferMode

ACHIEVEMENT_HEADERS = ("成果名称", "成果简介", "关键词", "技术领域", "成熟度", "成果持有人", "转化方式",
                       "意向价格下限", "意向价格上限", "联系方式")
NEED_HEADERS = ("统一社会信用代码", "需求名称", "需求描述", "技术领域", "预算", "截止日期", "是否公开")
REQUIRED = {"achievements": ("成果名称",), "needs": ("统一社会信用代码", "需求名称", "需求描述")}
MODE_BY_LABEL = {str(label): value for value, label in TransferMode.choices}
MAX_ROWS = 20_000


@dataclass
class ImportReport:
    """The outcome of an import: rows read, rows created, errors (nothing is written when any)."""

    kind: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row was valid."""
        return not self.errors


def template_workbook(kind: str) -> bytes:
    """An empty import template with Chinese headers."""
    from kechuang.core.xlsx import template_bytes

    return template_bytes("科技成果" if kind == "achievements" else "技术需求",
                          ACHIEVEMENT_HEADERS if kind == "achievements" else NEED_HEADERS)


def _text(v) -> str:
    return "" if v is None else str(v).strip()


def _money(v, where, errors):
    if v in (None, ""):
        return None
    try:
        d = Decimal(str(v).strip())
    except InvalidOperation:
        errors.append(f"{where}: 应为数字（万元），实际为“{v}”")
        return None
    if not d.is_finite() or d < 0:
        errors.append(f"{where}: 应为非负数字（万元），实际为“{v}”")
        return None
    return d


def import_workbook(fileobj, *, user, kind: str, dry_run: bool = False, source_name: str = "upload.xlsx"
                    ) -> ImportReport:
    """Validate all rows of the workbook, then (unless ``dry_run``) create them in one transaction."""
    from kechuang.core.permissions import require

    require(user, "techmarket.import")
    from openpyxl import load_workbook
    report = ImportReport(kind=kind, dry_run=dry_run)
    if kind not in REQUIRED:
        report.errors.append(f"类型: 应为 achievements 或 needs，收到 {kind!r}")
        return report
    from kechuang.core.uploads import UploadError, check_xlsx

    data = fileobj.read() if hasattr(fileobj, "read") else bytes(fileobj)
    try:
        check_xlsx(data)  # decompressed size, shared strings and rows capped before parsing
    except UploadError as exc:
        report.errors.append(f"文件: {exc}")
        return report
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError) as exc:
        report.errors.append(f"文件: 不是有效的 Excel（.xlsx）工作簿（{type(exc).__name__}）")
        return report
    try:
        return _import_rows(wb, report, kind, dry_run, source_name)
    except (KeyError, ValueError, IndexError, TypeError, zipfile.BadZipFile) as exc:
        report.errors.append(f"文件: 工作簿内容已损坏，无法读取（{type(exc).__name__}）")
        return report
    finally:
        wb.close()


def _import_rows(wb, report: ImportReport, kind: str, dry_run: bool, source_name: str) -> ImportReport:
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_text(h) for h in (next(rows, None) or [])]
    missing = [h for h in REQUIRED[kind] if h not in header]
    if missing:
        report.errors.append(f"第1行 表头: 缺少列 {'、'.join(missing)}")
        return report
    col = {h: i for i, h in enumerate(header) if h}
    objects = []
    builder = _achievement_row if kind == "achievements" else _need_row
    enterprises = None
    if kind == "needs":
        from kechuang.enterprises.models import Enterprise
        enterprises = {e.uscc: e for e in Enterprise.objects.select_related("township")}
    for n, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        report.rows += 1
        if report.rows > MAX_ROWS:
            report.errors.append(f"文件: 超过 {MAX_ROWS} 行，请分批导入")
            break
        def get(h, values=values):
            return values[col[h]] if h in col and col[h] < len(values) else None
        obj = builder(get, n, report.errors, enterprises)
        if obj is not None:
            out_of_range = number_errors(obj)  # every numeric field of the model, whatever its column
            if out_of_range:
                report.errors.extend(f"第{n}行 {msg}" for msg in out_of_range.values())
                continue
            objects.append(obj)
    if report.errors or dry_run:
        return report
    with transaction.atomic(), change_context(source=f"import:{source_name}"):
        for obj in objects:
            obj.save()
    report.created = len(objects)
    return report


def _achievement_row(get, n, errors, _):
    before = len(errors)
    title = _text(get("成果名称"))
    if not title:
        errors.append(f"第{n}行 成果名称: 不能为空")
    elif len(title) > 300:
        errors.append(f"第{n}行 成果名称: 超过 300 字")
    abstract = _text(get("成果简介"))
    if len(abstract) > MAX_DESCRIPTION_CHARS:
        errors.append(f"第{n}行 成果简介: 超过 {MAX_DESCRIPTION_CHARS} 字")
    maturity = get("成熟度")
    if maturity not in (None, ""):
        try:
            maturity = int(str(maturity).strip())
            if not 1 <= maturity <= 9:
                raise ValueError
        except ValueError:
            errors.append(f"第{n}行 成熟度: 应为 1–9 的整数，实际为“{get('成熟度')}”")
            maturity = None
    else:
        maturity = None
    modes = []
    for label in filter(None, (m.strip() for m in _text(get("转化方式")).replace(";", "；").replace("、", "；").split("；"))):
        if label not in MODE_BY_LABEL:
            errors.append(f"第{n}行 转化方式: “{label}”不是 转让、许可、作价入股、先用后转 之一")
        else:
            modes.append(MODE_BY_LABEL[label])
    lo = _money(get("意向价格下限"), f"第{n}行 意向价格下限", errors)
    hi = _money(get("意向价格上限"), f"第{n}行 意向价格上限", errors)
    if lo is not None and hi is not None and lo > hi:
        errors.append(f"第{n}行 意向价格上限: 小于下限")
    if len(errors) > before:
        return None
    from kechuang.search.documents import split_keywords
    return Achievement(title=title, abstract=abstract, keywords=list(split_keywords(_text(get("关键词")))),
                       field=_text(get("技术领域")), maturity=maturity, owner_name=_text(get("成果持有人")),
                       transfer_modes=modes, price_min=lo, price_max=hi, contact=_text(get("联系方式")),
                       status=Achievement.Status.REVIEW, source="import")


def _need_row(get, n, errors, enterprises):
    from .models import Need
    before = len(errors)
    uscc = _text(get("统一社会信用代码")).upper()
    ent = enterprises.get(uscc)
    if not uscc:
        errors.append(f"第{n}行 统一社会信用代码: 不能为空")
    elif ent is None:
        errors.append(f"第{n}行 统一社会信用代码: 企业库中没有 {uscc}")
    title, desc = _text(get("需求名称")), _text(get("需求描述"))
    if not title:
        errors.append(f"第{n}行 需求名称: 不能为空")
    if not desc:
        errors.append(f"第{n}行 需求描述: 不能为空")
    elif len(desc) > MAX_DESCRIPTION_CHARS:
        errors.append(f"第{n}行 需求描述: 超过 {MAX_DESCRIPTION_CHARS} 字（{len(desc)} 字）")
    budget = _money(get("预算"), f"第{n}行 预算", errors)
    deadline = get("截止日期")
    if isinstance(deadline, datetime):
        deadline = deadline.date()
    elif deadline not in (None, "") and not isinstance(deadline, date):
        try:
            deadline = date.fromisoformat(_text(deadline))
        except ValueError:
            errors.append(f"第{n}行 截止日期: 应为日期（YYYY-MM-DD），实际为“{deadline}”")
    deadline = deadline or None
    public = _text(get("是否公开")) or "是"
    if public not in ("是", "否"):
        errors.append(f"第{n}行 是否公开: 应为“是”或“否”")
    if len(errors) > before:
        return None
    return Need(enterprise=ent, township=ent.township, title=title[:300], description=desc, budget=budget,
                deadline=deadline if isinstance(deadline, date) else None, field=_text(get("技术领域")),
                is_public=public == "是")
