"""Reading and writing the enterprise workbooks with openpyxl: the empty template (with an
instructions sheet, drop-down lists and example rows), reading an uploaded workbook into rows
with cell errors, the error report (the same workbook with an error column) and the export.

No Django here: the importer (`imports.py`) does the lookups and the commit.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kechuang.enterprises.excel_schema import (
    ERROR_HEADER,
    EXAMPLE_MARK,
    NOTE_HEADER,
    SHEETS,
    CellError,
    Sheet,
    format_cell,
    normalize_header,
    parse_cell,
)

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
EXAMPLE_FILL = PatternFill("solid", fgColor="EDEDED")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
LISTS_SHEET = "下拉列表"
INSTRUCTIONS_SHEET = "填写说明"


class WorkbookError(ValueError):
    """The file as a whole cannot be read (not an .xlsx, no known sheet …); Chinese message."""


@dataclass
class Problem:
    """One bad cell or row: `第{row}行 {header}: {reason}` on sheet `sheet`."""

    sheet: str
    row: int
    header: str
    reason: str

    def __str__(self) -> str:
        return f"第{self.row}行 {self.header}: {self.reason}（工作表“{self.sheet}”）"


@dataclass
class ParsedRow:
    """A data row: its Excel row number and the typed values of the columns present."""

    row: int
    values: dict


@dataclass
class ParsedWorkbook:
    """Rows of each known sheet (only columns present in the file), and the problems found."""

    rows: dict[str, list[ParsedRow]] = field(default_factory=dict)
    present: dict[str, set[str]] = field(default_factory=dict)  # sheet → fields whose column exists
    problems: list[Problem] = field(default_factory=list)
    skipped_examples: int = 0


# --- template ----------------------------------------------------------------------------

EXAMPLES = {
    "企业": [["91350583MA2YEXAMPL", "（示例）南安某石材有限公司", "水头镇", "2015-03-18", 120, 25, 18,
             "新材料", "南安市水头镇某路 1 号", "C3032", "小型", "张三", "13800000000", "石材陶瓷、科小"]],
    "年度数据": [["91350583MA2YEXAMPL", 2025, 8000, 8200, 7900, 8300, 5600, 420, 400, 7600, 9000, 4000,
                5000, 600, None]],
    "知识产权": [["91350583MA2YEXAMPL", "发明专利", "ZL202310000000.0", "一种石材加工方法", "2024-05-20", None,
                "自主研发", "是", "否"]],
    "资质": [["91350583MA2YEXAMPL", "高新技术企业", "GR202535000000", "2022-12-12", "2025-12-01", "2028-11-30",
             "国家级"]],
}

INSTRUCTIONS = [
    "企业库导入模板 · 填写说明",
    "",
    "1. 每类数据一个工作表：企业、年度数据、知识产权、资质。只需填写有数据的工作表，其余可留空或删除。",
    "2. 以“统一社会信用代码”匹配企业：库中已有的企业将被更新，没有的将被新建。年度数据、知识产权、资质中的代码须出现在“企业”表或已在库中。",
    "3. 金额单位均为万元，最多保留 4 位小数；日期格式为 YYYY-MM-DD（如 2025-03-18）。",
    "4. 所属乡镇、企业规模、类型、获得方式、资质类型、认定层级请从下拉列表选择；是否核心、已用于高企申报填“是”或“否”。",
    "5. 灰色底、备注为“示例”的行是示例，导入时自动忽略，可以删除。",
    "6. 系统先校验整个文件：只要有一行有错，就一行也不保存，并列出“第N行 字段: 原因”，可下载带“错误说明”列的同一工作簿，改正后重新上传。",
    "7. 某列整列不存在时，该项不作修改；列存在但单元格为空时，该项被清空。",
    "8. 请保存为 .xlsx 格式（Excel 2007 及以上或 WPS 表格“另存为 .xlsx”）；旧版 .xls、.et 文件无法读取。",
    "9. 高新技术领域：填写《国家重点支持的高新技术领域》所属领域；不在领域内填“不属于”；不清楚请留空。",
    "10. 年度数据校验：研究开发费用总额不得大于销售收入，境内研究开发费用不得大于研究开发费用总额，高新技术产品收入不得大于总收入；科技人员数、研发人员数不得大于职工总数。",
]


def write_template(path_or_buffer, townships: Iterable[str]) -> None:
    """Write the empty import template: one sheet per kind of record with Chinese headers,
    drop-down lists, example rows marked 示例, and an instructions sheet."""
    wb = Workbook()
    info = wb.active
    info.title = INSTRUCTIONS_SHEET
    for i, line in enumerate(INSTRUCTIONS, start=1):
        info.cell(row=i, column=1, value=line)
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 120
    lists = wb.create_sheet(LISTS_SHEET)
    list_refs = _write_lists(lists, list(townships))
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.title)
        _write_header(ws, sheet)
        for r, example in enumerate(EXAMPLES.get(sheet.title, []), start=2):
            for c, value in enumerate(example, start=1):
                cell = ws.cell(row=r, column=c, value=_example_value(sheet, c - 1, value))
                cell.fill = EXAMPLE_FILL
            ws.cell(row=r, column=len(sheet.columns) + 1, value=f"{EXAMPLE_MARK}（导入时忽略，可删除）").fill = EXAMPLE_FILL
        for index, column in enumerate(sheet.columns, start=1):
            if column.kind not in ("choice", "township", "bool"):
                continue
            # the list of a column: 类型 / 资质类型 (field “kind”) have one per sheet, keyed by the sheet
            if column.kind == "bool":
                ref = '"是,否"'
            elif column.kind == "township":
                ref = list_refs.get("township")
            elif column.field == "kind":
                ref = list_refs.get(f"{sheet.title}.kind")
            else:
                ref = list_refs.get(column.field)
            if ref is None:
                continue
            letter = get_column_letter(index)
            dv = DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=True,
                                errorTitle="无效的值", error=f"请从下拉列表中选择{column.header}")
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}20000")
    lists.sheet_state = "hidden"
    from kechuang.core.xlsx import print_setup

    for sheet in SHEETS:
        ws = wb[sheet.title]
        ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns) + 1)}1"
        print_setup(ws, landscape=True, title_rows="1:1")
    print_setup(info, landscape=False, title_rows=None)
    wb._sheets = [wb[s.title] for s in SHEETS] + [info, lists]
    wb.active = 0
    wb.save(path_or_buffer)


def _example_value(sheet: Sheet, index: int, value):
    column = sheet.columns[index] if index < len(sheet.columns) else None
    if column is not None and column.kind in ("date", "past_date") and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _write_lists(ws, townships: list[str]) -> dict[str, str]:
    """Write each vocabulary into a column of the hidden list sheet; return field → range."""
    lists: dict[str, list[str]] = {"township": townships}
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.kind == "choice":
                key = f"{sheet.title}.kind" if column.field == "kind" else column.field
                lists[key] = column.choice_labels
    refs = {}
    for index, (key, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        ws.cell(row=1, column=index, value=key)
        for r, value in enumerate(values, start=2):
            ws.cell(row=r, column=index, value=value)
        refs[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${max(2, len(values) + 1)}"
    return refs


def _write_header(ws, sheet: Sheet) -> None:
    for index, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        note = ("必填。" if column.required else "") + (column.help or "")
        if note:
            cell.comment = Comment(note, "科创平台")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    note = ws.cell(row=1, column=len(sheet.columns) + 1, value=NOTE_HEADER)
    note.font = Font(bold=True)
    note.fill = HEADER_FILL
    ws.column_dimensions[get_column_letter(len(sheet.columns) + 1)].width = 24
    ws.freeze_panes = "A2"


# --- reading -----------------------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def open_workbook(data: bytes, *, read_only: bool = True):
    """Open an uploaded file as an .xlsx workbook, or raise WorkbookError saying why not."""
    head = data[:8]
    if head == OLE_MAGIC:
        raise WorkbookError("这是旧版 Excel 97-2003（.xls）或 WPS（.et）格式的文件，无法读取。"
                            "请在 Excel 或 WPS 中打开，选择“另存为” → “Excel 工作簿（*.xlsx）”后重新上传。")
    if not head.startswith(b"PK"):
        if head[:5].lower() in (b"<html", b"<?xml", b"<!doc") or b"," in data[:200]:
            raise WorkbookError("文件不是 Excel 工作簿（可能是 CSV 或网页文件改了扩展名）。请下载模板，填写后保存为 .xlsx 再上传。")
        raise WorkbookError("文件不是有效的 .xlsx 工作簿。请下载模板，填写后保存为 .xlsx 再上传。")
    try:
        return load_workbook(io.BytesIO(data), read_only=read_only, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise WorkbookError(f"无法读取该工作簿（文件可能已损坏或不是 .xlsx 格式：{type(exc).__name__}）。"
                            "请用 Excel 或 WPS 另存为 .xlsx 后重试。") from None


def _check_file(data: bytes) -> None:
    """Raise WorkbookError for files that are clearly not .xlsx (old .xls, CSV, HTML …)."""
    head = data[:8]
    if head == OLE_MAGIC:
        open_workbook(data)  # raises the .xls message
    if not head.startswith(b"PK"):
        open_workbook(data)


def read_workbook(data: bytes, today: dt.date | None = None) -> ParsedWorkbook:
    """Read every known sheet of the workbook into typed rows; cell problems are collected, not
    raised. Example rows (备注 starting with 示例) and blank rows are skipped. Uses the fast
    lxml reader and falls back to openpyxl for anything it does not handle."""
    from kechuang.core.uploads import UploadError, check_xlsx

    today = today or dt.date.today()
    _check_file(data)
    try:
        check_xlsx(data)  # decompressed size, shared strings and rows capped before parsing
    except UploadError as exc:
        raise WorkbookError(str(exc)) from None
    try:
        return _read_fast(data, today)
    except WorkbookError:
        raise
    except Exception:  # noqa: BLE001 - any surprise: the slower, thorough reader decides
        try:
            return _read_openpyxl(data, today)
        except WorkbookError:
            raise
        except (IndexError, KeyError, ValueError, TypeError, AttributeError, OSError, zipfile.BadZipFile) as exc:
            # e.g. a cell pointing at a shared string the workbook does not have
            raise WorkbookError(f"工作簿内容已损坏，无法读取（{type(exc).__name__}）。"
                                "请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。") from None


def _known_sheets(sheetnames) -> list[tuple[Sheet, str]]:
    names = {name.strip(): name for name in sheetnames}
    found = [(s, names[s.title]) for s in SHEETS if s.title in names]
    if not found:
        raise WorkbookError("工作簿中没有可导入的工作表：应至少包含“企业”“年度数据”“知识产权”“资质”之一。"
                            "请使用“下载导入模板”得到的模板。")
    return found


def _read_fast(data: bytes, today: dt.date) -> ParsedWorkbook:
    from kechuang.enterprises.xlsx_fast import FastWorkbook

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        fast = FastWorkbook(zf)
        found = _known_sheets(fast.sheets)
        parsed = ParsedWorkbook()
        for sheet, name in found:
            _read_sheet(fast.rows(name), sheet, parsed, today)
    return parsed


def _read_openpyxl(data: bytes, today: dt.date) -> ParsedWorkbook:
    wb = open_workbook(data)
    parsed = ParsedWorkbook()
    try:
        for sheet, name in _known_sheets(wb.sheetnames):
            ws = wb[name]
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # WPS and some tools write a wrong <dimension>; read everything
            _read_sheet(enumerate(ws.iter_rows(values_only=True), start=1), sheet, parsed, today)
    finally:
        wb.close()
    return parsed


def _read_sheet(numbered_rows, sheet: Sheet, parsed: ParsedWorkbook, today: dt.date) -> None:
    rows = iter(numbered_rows)
    first = next(rows, None)
    header_row = first[1] if first is not None and first[0] == 1 else ()
    if first is not None and first[0] != 1:
        rows = _prepend(first, rows)
    by_header = {c.header: c for c in sheet.columns}
    positions = {}
    note_pos = None
    for index, text in enumerate(header_row or ()):
        name = normalize_header(text)
        if name in by_header and by_header[name].field not in positions.values():
            positions[index] = by_header[name].field
        elif name == NOTE_HEADER:
            note_pos = index
    present = set(positions.values())
    parsed.present[sheet.title] = present
    missing = [c for c in sheet.columns if c.required and c.field not in present]
    for column in missing:
        parsed.problems.append(Problem(sheet.title, 1, column.header, "缺少此列（请使用模板的表头）"))
    out = parsed.rows.setdefault(sheet.title, [])
    columns = {c.field: c for c in sheet.columns}
    for number, values in rows:
        if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if note_pos is not None and note_pos < len(values) and str(values[note_pos] or "").strip().startswith(EXAMPLE_MARK):
            parsed.skipped_examples += 1
            continue
        if missing:
            continue
        record = {}
        for index, fieldname in positions.items():
            column = columns[fieldname]
            raw = values[index] if index < len(values) else None
            try:
                record[fieldname] = parse_cell(column, raw, today)
            except CellError as exc:
                parsed.problems.append(Problem(sheet.title, number, column.header, str(exc)))
                record[fieldname] = _BAD
        out.append(ParsedRow(number, record))


def _prepend(first, rows):
    yield first
    yield from rows


class _Bad:
    """Marker of a cell that failed to parse (so cross-checks skip it)."""

    def __repr__(self) -> str:
        return "<bad>"


_BAD = _Bad()


def is_bad(value) -> bool:
    return value is _BAD


# --- error report ------------------------------------------------------------------------

def error_report(data: bytes, problems: Iterable[Problem]) -> bytes:
    """The uploaded workbook with an “错误说明” column on each sheet that has problems and the
    bad cells highlighted; the first sheet with problems is made active."""
    wb = open_workbook(data, read_only=False)
    by_sheet: dict[str, dict[int, list[Problem]]] = {}
    for p in problems:
        by_sheet.setdefault(p.sheet, {}).setdefault(p.row, []).append(p)
    first = None
    for title, rows in by_sheet.items():
        if title not in wb.sheetnames:
            continue
        ws = wb[title]
        headers = {normalize_header(c.value): c.column for c in ws[1]}
        col = headers.get(ERROR_HEADER) or ws.max_column + 1
        head = ws.cell(row=1, column=col, value=ERROR_HEADER)
        head.font = Font(bold=True, color="9C0006")
        head.fill = ERROR_FILL
        ws.column_dimensions[get_column_letter(col)].width = 60
        for row, items in rows.items():
            ws.cell(row=row, column=col, value="；".join(f"{p.header}: {p.reason}" for p in items)).fill = ERROR_FILL
            for p in items:
                if p.header in headers:
                    ws.cell(row=row, column=headers[p.header]).fill = ERROR_FILL
        first = first or title
    if first:
        wb.active = wb.sheetnames.index(first)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- export ------------------------------------------------------------------------------

def write_export(buffer, rows_by_sheet: dict[str, Iterable[dict]]) -> None:
    """Write an export workbook with the template's sheets and headers. `rows_by_sheet` maps a
    sheet title to dicts keyed by field (model values: codes, dates, Decimals)."""
    from openpyxl.cell import WriteOnlyCell

    from kechuang.core.xlsx import HEADER_FILL, Col, cell_value, prepare_write_only

    wb = Workbook(write_only=True)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.title)
        # widths from the template's schema (a credit code 22, a name 30, a date 12): the streamed
        # sheet cannot measure its rows first; header frozen, filters on, A4 landscape fit to width
        prepare_write_only(ws, [Col(c.header) for c in sheet.columns],
                           widths=[max(c.width, 12 if c.kind in ("date", "past_date") else 0) for c in sheet.columns],
                           landscape=True)
        header = []
        for text in sheet.headers:
            cell = WriteOnlyCell(ws, value=text)
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
            header.append(cell)
        ws.append(header)
        count = 0
        for record in rows_by_sheet.get(sheet.title, ()):
            ws.append([cell_value(format_cell(c, record.get(c.field))) for c in sheet.columns])
            count += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{count + 1}"
    wb.save(buffer)
