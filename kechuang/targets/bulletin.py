"""晾晒通报 / 年度考核通报 as Word (.docx, 公文 layout) and Excel (.xlsx) — pure Python, no Django.

Layout after GB/T 9704-2012《党政机关公文格式》: A4, margins top 37 mm, bottom 35 mm, left
28 mm, right 26 mm; 发文机关标志 in red 方正小标宋简体 with a red separator line; title 2号
(22 pt) 方正小标宋简体 centred; body 3号 (16 pt) 仿宋_GB2312 with fixed 28 pt line spacing,
first-line indent of two characters; first-level headings 黑体, second-level 楷体_GB2312;
page numbers 4号 宋体 “— N —” at the foot; 版记 (抄送, 印发机关和印发日期) at the end.
The fonts are named, not embedded: Word/WPS on a government PC has them; elsewhere the
reader substitutes.

Charts are PNG images drawn by :mod:`kechuang.targets.charts` (matplotlib, with a Chinese
font shipped as a Python package) and inserted at the body width, 15.6 cm: 图1 the ranking
bars under “一、综合排名情况” (after the ranking table), 图2 the township × indicator
completion heat map under “二、分项指标完成情况”. Captions are 仿宋 below the figure, as
is usual for 图 in 公文. The workbook keeps its tables and adds a native Excel bar chart.
"""
from __future__ import annotations

import copy
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment, Font, PatternFill

from . import charts as chart_images
from .assessment import REWARD_RULE_CITATION, REWARD_RULE_TEXT
from .numbers import plain

__all__ = ["BulletinData", "BulletinIndicator", "BulletinLine", "BulletinRank", "build_docx", "build_xlsx"]

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_PAGE = "宋体"
RED = RGBColor(0xE6, 0x00, 0x12)
LEVEL_FILL = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE"}
FIGURE_WIDTH = Cm(15.6)  # the body width: A4 210 mm − margins 28 mm and 26 mm
FONT_CAPTION = FONT_BODY
LEVEL_LABEL = {"green": "绿", "yellow": "黄", "red": "红", None: "—"}


@dataclass
class BulletinLine:
    """One unit's figures on one indicator."""

    unit: str
    target: Decimal | None
    actual: Decimal | None
    rate: Decimal | None
    level: str | None = None  # green / yellow / red early-warning colour
    derived: Decimal | None = None  # figure computed by the platform, when known


@dataclass
class BulletinIndicator:
    """An indicator section: name, unit and one line per township."""

    name: str
    unit: str
    lines: list[BulletinLine]
    rule: str = ""


@dataclass
class BulletinRank:
    """A unit's ranking line."""

    rank: int | None
    unit: str
    score: Decimal | None
    praised: bool = False
    penalised: bool = False
    reason: str = ""


@dataclass
class BulletinData:
    """Everything a bulletin shows; built by the service from the assessment."""

    title: str
    period_label: str
    issuer: str
    doc_number: str
    issued_on: date
    addressees: str
    intro: str
    ranking: list[BulletinRank]
    indicators: list[BulletinIndicator]
    annual: bool = False
    scoring_note: str = ""
    warning_rule: str = ""
    requirements: list[str] = field(default_factory=list)
    copy_to: str = ""
    printer: str = ""
    full_mark: Decimal | None = Decimal(100)  # score of a unit reaching every weighted target; None: no line


def _font(run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _para(doc, text: str = "", *, font: str = FONT_BODY, size: float = 16, bold: bool = False,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True, color=None, line: float = 28):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if font in (FONT_H1, FONT_H2):
        fmt.keep_with_next = True  # a heading never ends a page alone
    if text:
        _font(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _border(paragraph, sides: tuple[str, ...], *, color: str = "000000", size: int = 8, space: int = 1) -> None:
    """Lines above/below a paragraph: the red 版头 separator, the black 版记 rules."""
    ppr = paragraph._element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in sides:
        el = OxmlElement(f"w:{side}")
        for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", str(space)), ("w:color", color)):
            el.set(qn(key), value)
        borders.append(el)
    ppr.append(borders)


def _page_number_footer(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), FONT_PAGE, 14)
    run = p.add_run()
    _font(run, FONT_PAGE, 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    _font(p.add_run(" —"), FONT_PAGE, 14)


def _shade(tc, fill: str) -> None:
    """Background colour of a table cell (its ``w:tc`` element)."""
    tcpr = tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _mark_size(paragraph, size: float) -> None:
    """Size of the paragraph mark: an empty cell is then as high as a filled one (else 16 pt Normal)."""
    rpr = OxmlElement("w:rPr")
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(int(size * 2)))
        rpr.append(el)
    paragraph._p.get_or_add_pPr().append(rpr)


def _table(doc, header: list[str], rows: list[list[str]], fills: list[list[str | None]] | None = None):
    """A centred grid table: 黑体 header, 仿宋 12 pt cells, optional cell fills.

    The first body row is formatted through python-docx and the others are copies of its
    XML with the text replaced: formatting every run through the API took about 1.5 s for
    the 300 rows of a 27-unit bulletin.
    """
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), FONT_H1, 12)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if not rows:
        return table
    template = table.add_row()
    for cell in template.cells:
        _font(cell.paragraphs[0].add_run("0"), FONT_BODY, 12)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _mark_size(cell.paragraphs[0], 12)
    template_tr = template._tr
    tbl = template_tr.getparent()
    tbl.remove(template_tr)
    for r, values in enumerate(rows):
        tr = copy.deepcopy(template_tr)
        tbl.append(tr)
        for c, (tc, text) in enumerate(zip(tr.tc_lst, values, strict=True)):
            t = tc.find(".//" + qn("w:t"))
            t.text = text
            t.set(qn("xml:space"), "preserve")
            if fills and fills[r][c]:
                _shade(tc, fills[r][c])
    return table


def _num(value: Decimal | None, places: int | None = None) -> str:
    if value is not None and places is not None:
        return format(value.quantize(Decimal(1).scaleb(-places)), "f")
    return plain(value)


def _pct(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{(rate * 100).quantize(Decimal('0.1'))}%"


def _figure(doc, png: bytes, caption: str) -> None:
    """An image at the body width, centred, with its caption (仿宋, centred) below it."""
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.space_before, fmt.space_after = Pt(6), Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact 28 pt line would crop the picture
    fmt.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(png), width=FIGURE_WIDTH)
    _para(doc, caption, font=FONT_CAPTION, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


def _consequence(r: BulletinRank, annual: bool) -> str:
    """The 结果运用 cell: 表扬 / 扣分 / 不予扣分 in the annual assessment; a half-year 晾晒
    only ranks (暂列前3名 / 暂列后3名), as its text says."""
    exempt = "不予扣分" in r.reason
    if annual:
        return "表扬" if r.praised else "扣分" if r.penalised else "不予扣分" if exempt else ""
    return "暂列前3名" if r.praised else "暂列后3名" if r.penalised or exempt else ""


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def build_docx(data: BulletinData, *, with_charts: bool = True) -> bytes:
    """Render the bulletin as a .docx in 公文 layout; returns the file's bytes.

    ``with_charts``: insert 图1 (ranking bars) and 图2 (completion heat map) as images; each
    is left out when it has nothing to show (no ranked unit, no indicator line). Raises
    :class:`~kechuang.targets.charts.ChartFontError` when no Chinese font can draw them.
    """
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)  # 页码在版心下边缘之下约 7 mm
    _page_number_footer(section)
    normal = doc.styles["Normal"]
    _font_style = normal.font
    _font_style.name, _font_style.size = FONT_BODY, Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_BODY)

    # 版头：发文机关标志 + 发文字号 + 红色分隔线
    _para(doc, data.issuer, font=FONT_TITLE, size=26, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
          color=RED, line=40)
    _para(doc, "", indent=False)
    number = _para(doc, data.doc_number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _border(number, ("bottom",), color="E60012", size=12, space=4)
    _para(doc, "", indent=False)
    # 标题
    _para(doc, data.title, font=FONT_TITLE, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=34)
    _para(doc, "", indent=False)
    # 主送机关
    _para(doc, data.addressees, indent=False)
    _para(doc, data.intro)

    figures = 0
    _para(doc, "一、综合排名情况", font=FONT_H1)
    _table(doc, ["名次", "乡镇（街道）", "综合得分", "结果运用"],
           [[str(r.rank) if r.rank else "—", r.unit, _num(r.score, 2), _consequence(r, data.annual)]
            for r in data.ranking],
           [[None, None, None, "C6EFCE" if r.praised else ("FFC7CE" if r.penalised else None)]
            for r in data.ranking])
    # the table flows across pages; the figure (a page high for 27 units) comes after it
    if with_charts and any(r.score is not None and r.rank is not None for r in data.ranking):
        figures += 1
        _figure(doc, chart_images.ranking_chart(data.ranking, full_mark=data.full_mark, annual=data.annual),
                f"图{figures}　{data.period_label}各乡镇（街道）综合得分排名")
    if data.scoring_note:
        _para(doc, data.scoring_note)

    _para(doc, "二、分项指标完成情况", font=FONT_H1)
    if with_charts and any(ind.lines for ind in data.indicators):
        figures += 1
        _figure(doc, chart_images.completion_heatmap(data.indicators, [r.unit for r in data.ranking]),
                f"图{figures}　{data.period_label}各乡镇（街道）分项指标完成率")
    for number_, ind in enumerate(data.indicators, start=1):
        _para(doc, f"（{_cn_number(number_)}）{ind.name}（单位：{ind.unit}）", font=FONT_H2)
        if ind.rule:
            _para(doc, ind.rule)
        has_derived = any(line.derived is not None for line in ind.lines)
        header = ["乡镇（街道）", "目标", "完成", "完成率", "预警"] + (["系统核算"] if has_derived else [])
        rows, fills = [], []
        for line in ind.lines:
            row = [line.unit, _num(line.target), _num(line.actual), _pct(line.rate), LEVEL_LABEL[line.level]]
            fill = [None, None, None, None, LEVEL_FILL.get(line.level)]
            if has_derived:
                row.append(_num(line.derived))
                differs = line.derived is not None and line.actual is not None and line.derived != line.actual
                fill.append("FFEB9C" if differs else None)
            rows.append(row)
            fills.append(fill)
        _table(doc, header, rows, fills)
    if data.warning_rule:
        _para(doc, "预警规则：" + data.warning_rule)

    _para(doc, "三、结果运用" if data.annual else "三、晾晒结果", font=FONT_H1)
    praised = [r.unit for r in data.ranking if r.praised]
    penalised = [r.unit for r in data.ranking if r.penalised]
    exempt = [r.unit for r in data.ranking if "不予扣分" in r.reason]
    _para(doc, f"根据{REWARD_RULE_CITATION}“{REWARD_RULE_TEXT}”")
    verb = "公开表扬并予以绩效加分" if data.annual else "暂列前3名"
    _para(doc, f"{'、'.join(praised) or '无'}考评得分位列前3名，{verb}。")
    if data.annual:
        _para(doc, f"{'、'.join(penalised) or '无'}考评得分位列后3名且未完成目标任务，予以绩效扣分。"
              + (f"{'、'.join(exempt)}虽位列后3名，但已完成目标任务，不予扣分。" if exempt else ""))
    else:
        _para(doc, f"{'、'.join(penalised) or '无'}暂列后3名且未完成序时目标，请加快推进。")
    if data.requirements:
        _para(doc, "四、下一步工作要求", font=FONT_H1)
        for text in data.requirements:
            _para(doc, text)

    # 落款
    _para(doc, "", indent=False)
    _para(doc, data.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, _cn_date(data.issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    # 版记
    _para(doc, "", indent=False)
    if data.copy_to:
        p = _para(doc, f"抄送：{data.copy_to}", size=14, indent=False)
        _border(p, ("top",))
    p = _para(doc, f"{data.printer or data.issuer}　　　　{_cn_date(data.issued_on)}印发", size=14, indent=False)
    _border(p, ("top", "bottom"))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _cn_number(n: int) -> str:
    digits = "零一二三四五六七八九十"
    if n <= 10:
        return digits[n]
    if n < 20:
        return "十" + digits[n - 10]
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def build_xlsx(data: BulletinData) -> bytes:
    """The same bulletin as a workbook: 排名 sheet and 指标明细 sheet; returns the file's bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "排名"
    ws.append([data.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"{data.issuer}　{data.doc_number}　{_cn_date(data.issued_on)}"])
    ws.append(["名次", "乡镇（街道）", "综合得分", "结果运用", "说明"])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in data.ranking:
        ws.append([r.rank, r.unit, None if r.score is None else float(r.score),
                   _consequence(r, data.annual), r.reason])
        ws.cell(ws.max_row, 3).number_format = "0.00"
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["E"].width = 60
    _xlsx_ranking_chart(ws, sum(1 for r in data.ranking if r.score is not None))
    detail = wb.create_sheet("指标明细")
    detail.append(["指标", "单位", "乡镇（街道）", "目标", "完成", "完成率", "预警", "系统核算"])
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for ind in data.indicators:
        for line in ind.lines:
            detail.append([ind.name, ind.unit, line.unit, _xl(line.target), _xl(line.actual),
                           None if line.rate is None else float(line.rate), LEVEL_LABEL[line.level],
                           _xl(line.derived)])
            detail.cell(detail.max_row, 6).number_format = "0.0%"
            if line.level:
                detail.cell(detail.max_row, 7).fill = PatternFill("solid", fgColor=LEVEL_FILL[line.level])
            detail.cell(detail.max_row, 7).alignment = Alignment(horizontal="center")
    detail.column_dimensions["A"].width = 26
    detail.column_dimensions["C"].width = 14
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xlsx_ranking_chart(ws, scored: int) -> None:
    """A native Excel bar chart of the scores beside the 排名 table (rows 4…, ranked units first)."""
    if not scored:
        return
    chart = BarChart()
    chart.type = "bar"  # horizontal bars
    chart.title = "综合得分排名"
    chart.legend = None
    chart.y_axis.title = "综合得分"
    chart.x_axis.scaling.orientation = "maxMin"  # first place on top
    chart.y_axis.crosses = "max"  # … and the score axis at the foot (the last category, reversed)
    chart.y_axis.number_format = "0"
    chart.x_axis.delete = chart.y_axis.delete = False  # written out: Excel hides an axis without <c:delete val="0"/>
    chart.add_data(Reference(ws, min_col=3, min_row=3, max_row=3 + scored), titles_from_data=True)
    # unit names are text: a string reference (set_categories would write a numeric one)
    chart.series[0].cat = AxDataSource(strRef=StrRef(f=str(Reference(ws, min_col=2, min_row=4, max_row=3 + scored))))
    chart.height, chart.width = max(7.5, 0.55 * scored + 2), 16  # cm
    ws.add_chart(chart, "G3")


def _xl(value: Decimal | None):
    """Excel has no decimal type: integers stay exact, others become float only for display."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
