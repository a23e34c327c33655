"""The one writer of the Excel exports a bureau opens and prints (openpyxl, no Django).

Every export sheet goes through :func:`write_table` (or, for the streamed write-only exports,
:func:`prepare_write_only` + :func:`cell_value`), so that each opens ready to read:

- columns as wide as their content (CJK counted double, dates 10 characters: no “###”, no
  cut credit code), the header row bold, shaded, wrapped and frozen, filters on it;
- numbers stored as numbers with the unit in the header (“金额（万元）”), ratios as numbers
  with a percent format, dates as dates (``yyyy-mm-dd``), a range as two numeric columns;
- print set-up: A4, landscape when the columns are wider than a portrait page, fit to one
  page wide, the title and header rows repeated on every page, “第 N 页，共 M 页” in the footer.

:func:`cell_value` is the single place a value becomes a cell: formula-injection escaping of
exported text belongs there (and only there).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

__all__ = ["Col", "cell_value", "write_table", "new_workbook", "to_bytes", "print_setup", "prepare_write_only",
           "display_width", "FORMATS"]

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
FORMATS = {
    "text": "@", "code": "@", "int": "0", "number": "0.00", "money": "#,##0.00", "ratio": "0.0%",
    "percent": "0.0%", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "score": "0.##",
}
PORTRAIT_WIDTH = 95  # character units that fit across an A4 portrait page at 100 % (landscape ≈ 140)
MAX_WIDTH, MIN_WIDTH = 60, 6


@dataclass(frozen=True)
class Col:
    """One export column: the header (with the unit, e.g. “金额（万元）”), the kind of value
    (text, code, int, number, money, ratio, date, datetime, score) and an optional fixed width."""

    header: str
    kind: str = "text"
    width: float | None = None


def cell_value(value):
    """The value written to an export cell: Decimal → float (Excel has no decimal type; an
    integral one stays int), datetime → naive local time. The one place for cell escaping."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


def display_width(value, kind: str = "text") -> float:
    """Width of a value in Excel character units: CJK characters count two."""
    if value is None:
        return 0
    if kind == "date" or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return 10.5
    if kind == "datetime" or isinstance(value, dt.datetime):
        return 16.5
    if isinstance(value, float) or kind in ("money", "number"):
        try:
            text = f"{float(value):,.2f}"
        except (TypeError, ValueError):
            text = str(value)
    elif kind == "ratio" and isinstance(value, (int, float)):
        text = f"{value * 100:.1f}%"
    else:
        text = str(value)
    return max((sum(2.1 if ord(c) >= 0x2E80 else 1.1 for c in line) for line in text.split("\n")), default=0)


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed)."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def print_setup(ws, *, landscape: bool, title_rows: str | None, fit_width: bool = True) -> None:
    """A4, orientation, fit to one page wide (any number of pages high), repeated title rows,
    centred horizontally, page numbers in the footer."""
    ws.page_setup.paperSize = "9"  # A4 (ECMA-376 paper size 9)
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    if fit_width:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def write_table(ws, columns: Sequence[Col], rows: Iterable[Sequence], *, title: str | None = None,
                note: str | None = None, landscape: bool | None = None, filters: bool = True) -> int:
    """Write ``rows`` under a header of ``columns`` on ``ws`` (optionally below a title row and a
    note row), typed and formatted per column; returns the number of data rows."""
    top = 1
    span = max(1, len(columns))
    if title:
        ws.cell(row=top, column=1, value=cell_value(title)).font = Font(bold=True, size=14)
        top += 1
    if note:
        ws.cell(row=top, column=1, value=cell_value(note)).font = Font(color="595959")
        top += 1
    header_row = top
    widths = [display_width(c.header) for c in columns]
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    count = 0
    for count, values in enumerate(rows, start=1):
        r = header_row + count
        for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            value = cell_value(value)
            cell = ws.cell(row=r, column=index, value=value)
            if value is not None and column.kind != "text":
                cell.number_format = FORMATS.get(column.kind, "General")
            if isinstance(value, str) and "\n" in value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[index - 1] = max(widths[index - 1], display_width(value, column.kind))
    final = []
    for index, (column, width) in enumerate(zip(columns, widths, strict=True), start=1):
        w = column.width or min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
        final.append(w)
        ws.column_dimensions[get_column_letter(index)].width = w
        if w >= MAX_WIDTH:
            for (cell,) in ws.iter_rows(min_row=header_row + 1, max_row=header_row + count, min_col=index,
                                         max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    last = get_column_letter(span)
    # a title or note longer than the table wraps inside the table's width (it is never cut in print)
    for r in range(1, header_row):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=span)
        text = str(ws.cell(row=r, column=1).value or "")
        lines = max(1, int(display_width(text) * (1.4 if r == 1 and title else 1) // max(1, sum(final))) + 1)
        ws.cell(row=r, column=1).alignment = Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[r].height = (20 if r == 1 and title else 15) * lines
    ws.freeze_panes = f"A{header_row + 1}"
    if filters and columns:
        ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(count, 1)}"
    if landscape is None:
        landscape = sum(final) > PORTRAIT_WIDTH
    print_setup(ws, landscape=landscape, title_rows=f"1:{header_row}")
    return count


def prepare_write_only(ws, columns: Sequence[Col], *, widths: Sequence[float] | None = None,
                       landscape: bool | None = None) -> None:
    """Widths, frozen header, filters and print set-up of a write-only sheet whose first row will
    be the header (call before the first ``append``; widths come from the schema, not the data)."""
    widths = list(widths or [c.width or min(MAX_WIDTH, max(MIN_WIDTH, display_width(c.header) + 2))
                             for c in columns])
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(1, len(columns)))}1048576"
    if landscape is None:
        landscape = sum(widths) > PORTRAIT_WIDTH
    print_setup(ws, landscape=landscape, title_rows="1:1")


def template_bytes(title: str, headers: Sequence[str], examples: Sequence[Sequence] = ()) -> bytes:
    """An import template: one sheet ``title`` with the bold, frozen, filtered header row, columns
    as wide as their header (at least 12), example rows in grey, A4 landscape print set-up."""
    wb = new_workbook()
    ws = wb.create_sheet(title)
    write_table(ws, [Col(h, width=max(12.0, display_width(h) + 4)) for h in headers], examples, landscape=True)
    grey = PatternFill("solid", fgColor="EDEDED")
    for row in ws.iter_rows(min_row=2, max_row=1 + len(examples)):
        for cell in row:
            cell.fill = grey
    return to_bytes(wb)
