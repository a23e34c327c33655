"""晾晒通报 / 年度考核通报 as Word (.docx, 公文 layout) and Excel (.xlsx) — pure Python, no Django.

Layout after GB/T 9704-2012《党政机关公文格式》 (page, grid, fonts and page numbers from
:mod:`kechuang.core.docx_layout`): A4, 版心 156 × 225 mm (margins 37 / 35 / 28 / 26 mm), 22
lines of 28 characters; 发文机关标志 in red 方正小标宋简体 on one line, 发文字号 two lines
below it and the red separator 4 mm below that; title 2号 小标宋 broken between words as a
trapezoid or diamond; body 3号 仿宋_GB2312, 二字 first-line indent; headings 黑体 / 楷体_GB2312;
page numbers 4号 半角 “— N —” 7 mm below the 版心 at the outside corners; 落款 右空四字; 版记
(抄送, 印发机关和印发日期) between 0.35 / 0.25 / 0.35 mm rules at the foot of the last page.

Charts are PNG images drawn by :mod:`kechuang.targets.charts` (matplotlib, with a Chinese
font shipped as a Python package) and inserted at the body width, 15.6 cm, at most 90 mm
high so that a figure moving to the next page never leaves half a page empty: 图1 the
ranking bars after the ranking table and its note, 图2 the township × indicator completion
heat map after the first sentence of “二、分项指标完成情况”. Captions are 仿宋 below the
figure, kept with it. Tables repeat their header row on every page and size their columns
to their content. The workbook keeps its tables and adds a native Excel bar chart.
"""
from __future__ import annotations

import copy
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment, PatternFill

from kechuang.core.docx_layout import (
    BODY_WIDTH_PT,
    CHAR_PITCH_PT,
    LINE_PITCH_PT,
    break_title,
    fit_font_size,
    page_number_footers,
    repeat_header,
    set_properties,
    set_run_fonts,
    set_up_gbt9704,
    size_table,
    text_em,
)

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
ISSUER_PT = 26.0  # 发文机关标志: 小标宋, reduced until it fits one line
TITLE_PT = 22.0  # 2号
TITLE_LINE_PT = 34.0
TABLE_PT = 12.0  # 小四
COLOPHON_PT = 14.0  # 4号
RED_LINE_SPACE_PT = 11  # the red separator 4 mm (11.3 pt) below the 发文字号 (w:space, whole points)
RULE_THICK, RULE_THIN = 8, 6  # 版记 rules in eighths of a point: 1 pt ≈ 0.35 mm, 0.75 pt ≈ 0.26 mm


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
    set_run_fonts(run._element.get_or_add_rPr(), name)


def _no_grid(paragraph) -> None:
    """Leave this paragraph off the document grid (table cells, figures, 版记): its own height."""
    ppr = paragraph._p.get_or_add_pPr()
    el = OxmlElement("w:snapToGrid")
    el.set(qn("w:val"), "0")
    ppr.append(el)


def _para(doc, text: str = "", *, font: str = FONT_BODY, size: float = 16, bold: bool = False,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True, color=None, line: float = LINE_PITCH_PT,
          keep: bool = False):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(2 * CHAR_PITCH_PT * size / 16)  # 首行缩进二字
    if font in (FONT_H1, FONT_H2) or keep:
        fmt.keep_with_next = True  # a heading never ends a page alone
    if text:
        _font(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _border(paragraph, sides: tuple[str, ...], *, color: str = "000000", size: int = 8, space: int = 1) -> None:
    """A line below a paragraph: the red 版头 separator."""
    ppr = paragraph._element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in sides:
        el = OxmlElement(f"w:{side}")
        for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", str(space)), ("w:color", color)):
            el.set(qn(key), value)
        borders.append(el)
    ppr.append(borders)


def _shade(tc, fill: str) -> None:
    """Background colour of a table cell (its ``w:tc`` element)."""
    tcpr = tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _cell_paragraph(paragraph, size: float) -> None:
    """A table cell's paragraph: centred, off the grid, an exact line of 1.3 × the type size,
    and a paragraph mark of the same size (else an empty cell is as high as a 16 pt line)."""
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(round(size * 1.3, 1))
    fmt.first_line_indent = Pt(0)
    _no_grid(paragraph)
    rpr = OxmlElement("w:rPr")
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(int(size * 2)))
        rpr.append(el)
    paragraph._p.get_or_add_pPr().append(rpr)


def _table(doc, header: list[str], rows: list[list[str]], fills: list[list[str | None]] | None = None):
    """A centred grid table: 黑体 header repeated on every page, 仿宋 12 pt cells, columns
    sized to their content (:func:`~kechuang.core.docx_layout.size_table`), optional fills.

    The first body row is formatted through python-docx and the others are copies of its
    XML with the text replaced: formatting every run through the API took about 1.5 s for
    the 300 rows of a 27-unit bulletin.
    """
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), FONT_H1, TABLE_PT)
        _cell_paragraph(cell.paragraphs[0], TABLE_PT)
    if rows:
        template = table.add_row()
        for cell in template.cells:
            _font(cell.paragraphs[0].add_run("0"), FONT_BODY, TABLE_PT)
            _cell_paragraph(cell.paragraphs[0], TABLE_PT)
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
    size_table(table, [[h, *(row[i] for row in rows)] for i, h in enumerate(header)], TABLE_PT)
    repeat_header(table)
    return table


def _num(value: Decimal | None, places: int | None = None) -> str:
    if value is not None and places is not None:
        return format(value.quantize(Decimal(1).scaleb(-places)), "f")
    return plain(value)


def _pct(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{(rate * 100).quantize(Decimal('0.1'))}%"


def _figure(doc, png: bytes, caption: str) -> None:
    """An image at the body width, centred, kept with its caption (仿宋 4号, centred) below it.

    Charts are drawn at most :data:`~kechuang.targets.charts.MAX_HEIGHT_MM` high, less than
    half the 版心 with the caption: a figure that does not fit the rest of a page moves to the
    next one and leaves less than half a page empty."""
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.space_before, fmt.space_after = Pt(6), Pt(0)
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact 28 pt line would crop the picture
    fmt.keep_with_next = True
    _no_grid(p)
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


def _results_text(data: BulletinData) -> list[str]:
    """The 结果运用 / 晾晒结果 sentences, saying plainly when a group is empty."""
    ranked = [r for r in data.ranking if r.rank is not None and r.score is not None]
    if not ranked:
        return ["本期各乡镇（街道）尚无考评得分，暂不排名，不作表扬和扣分。" if data.annual
                else "本期各乡镇（街道）尚无考评得分，暂不排名。"]
    praised = [r.unit for r in data.ranking if r.praised]
    penalised = [r.unit for r in data.ranking if r.penalised]
    exempt = [r.unit for r in data.ranking if "不予扣分" in r.reason]
    out = []
    if data.annual:
        if praised:
            out.append(f"{'、'.join(praised)}考评得分位列前3名，公开表扬并予以绩效加分。")
        if penalised:
            out.append(f"{'、'.join(penalised)}考评得分位列后3名且未完成目标任务，予以绩效扣分。")
        if exempt:
            out.append(f"{'、'.join(exempt)}虽位列后3名，但已完成目标任务，不予扣分。")
        if not penalised and not exempt:
            out.append("本期没有考评得分位列后3名且未完成目标任务的乡镇（街道），不作扣分。")
    else:
        if praised:
            out.append(f"{'、'.join(praised)}暂列前3名。")
        if penalised:
            out.append(f"{'、'.join(penalised)}暂列后3名且未完成序时目标，请加快推进。")
        if exempt:
            out.append(f"{'、'.join(exempt)}暂列后3名，但已完成序时目标。")
    return out


def _signature(doc, issuer: str, issued_on: date) -> None:
    """落款 (GB/T 9704-2012 7.3.5.1): 成文日期 右空四字; the longer of 署名 and 日期 ends four
    characters from the right edge, the shorter is centred on it."""
    when = _cn_date(issued_on)
    long_em = max(text_em(issuer), text_em(when))
    for text in (issuer, when):
        p = _para(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, keep=text == issuer)
        p.paragraph_format.right_indent = Pt(CHAR_PITCH_PT * (4 + (long_em - text_em(text)) / 2))


def _colophon(doc, copy_to: str, printer: str, issued_on: date) -> None:
    """版记 (GB/T 9704-2012 7.4): 抄送机关 and 印发机关 / 印发日期 in 4号 仿宋 between rules as
    wide as the 版心 — the first and last rules 0.35 mm, the middle one 0.25 mm — placed at the
    foot of the last page: a table floating at the bottom of the text block (w:tblpPr
    tblpYSpec=bottom), its last line on the 版心's last line. It is placed horizontally from
    the page edge (28 mm), not the margin: LibreOffice makes a full-width table float only then."""
    rows = ([f"抄送：{copy_to}。"] if copy_to else []) + [None]
    table = doc.add_table(rows=len(rows), cols=2)
    tbl = table._tbl
    tblpr = tbl.tblPr
    pos = OxmlElement("w:tblpPr")
    for key, value in (("w:leftFromText", "0"), ("w:rightFromText", "0"), ("w:topFromText", "0"),
                       ("w:bottomFromText", "0"), ("w:vertAnchor", "margin"), ("w:horzAnchor", "page"),
                       ("w:tblpX", "1588"), ("w:tblpYSpec", "bottom")):
        pos.set(qn(key), value)
    tblpr.insert(1 if tblpr.find(qn("w:tblStyle")) is not None else 0, pos)
    overlap = OxmlElement("w:tblOverlap")
    overlap.set(qn("w:val"), "never")
    tblpr.append(overlap)
    borders = OxmlElement("w:tblBorders")
    for side, size in (("top", RULE_THICK), ("left", 0), ("bottom", RULE_THICK), ("right", 0),
                       ("insideH", RULE_THIN), ("insideV", 0)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single" if size else "nil")
        if size:
            el.set(qn("w:sz"), str(size))
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        borders.append(el)
    tblpr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "0")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tblpr.append(margins)
    one = Pt(COLOPHON_PT)  # 空一字 at 4号
    for row, text in zip(table.rows, rows, strict=True):
        if text is not None:
            cell = row.cells[0].merge(row.cells[1])
            p = cell.paragraphs[0]
            _colophon_paragraph(p)
            p.paragraph_format.left_indent = p.paragraph_format.right_indent = one
            _font(p.add_run(text), FONT_BODY, COLOPHON_PT)
        else:
            left, right = row.cells
            for cell, value, align in ((left, printer, WD_ALIGN_PARAGRAPH.LEFT),
                                       (right, f"{_cn_date(issued_on)}印发", WD_ALIGN_PARAGRAPH.RIGHT)):
                p = cell.paragraphs[0]
                _colophon_paragraph(p)
                p.paragraph_format.alignment = align
                if align == WD_ALIGN_PARAGRAPH.LEFT:
                    p.paragraph_format.left_indent = one
                else:
                    p.paragraph_format.right_indent = one
                _font(p.add_run(value), FONT_BODY, COLOPHON_PT)
    half = BODY_WIDTH_PT / 2
    size_table(table, [[printer], [f"{_cn_date(issued_on)}印发"]], COLOPHON_PT,
               min_pt=[half, half], fill=True)
    # a document ends with a paragraph (Word and LibreOffice anchor the floating table to it)
    end = _para(doc, "", indent=False, line=1)
    _no_grid(end)


def _colophon_paragraph(p) -> None:
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PITCH_PT)
    fmt.first_line_indent = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _no_grid(p)


def build_docx(data: BulletinData, *, with_charts: bool = True, generated_at: datetime | None = None) -> bytes:
    """Render the bulletin as a .docx in 公文 layout; returns the file's bytes.

    ``with_charts``: insert 图1 (ranking bars) and 图2 (completion heat map) as images; each
    is left out when it has nothing to show (no ranked unit, no indicator line). Raises
    :class:`~kechuang.targets.charts.ChartFontError` when no Chinese font can draw them.
    ``generated_at``: the file's created/modified time (default now).
    """
    doc = Document()
    set_up_gbt9704(doc, body_font=FONT_BODY)
    page_number_footers(doc, font=FONT_PAGE)
    set_properties(doc, title=data.title, author=data.issuer, subject=f"{data.doc_number}",
                   keywords="目标任务 晾晒 考核 通报", when=generated_at)

    # 版头 (7.2): 发文机关标志 on one line (reduced from 小标宋 26 pt as far as needed), 发文字号
    # 下空二行, and the red separator 4 mm below the 发文字号
    size = fit_font_size(data.issuer, ISSUER_PT)
    _para(doc, data.issuer, font=FONT_TITLE, size=size, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
          color=RED, line=max(LINE_PITCH_PT, size * 1.5))
    _para(doc, "", indent=False)
    _para(doc, "", indent=False)
    number = _para(doc, data.doc_number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _border(number, ("bottom",), color="E60012", size=12, space=RED_LINE_SPACE_PT)
    # 标题 (7.3.1): 红色分隔线下空二行, 2号 小标宋, broken between words in a trapezoid/diamond
    _para(doc, "", indent=False)
    _para(doc, "", indent=False)
    title = _para(doc, "", font=FONT_TITLE, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                  line=TITLE_LINE_PT)
    for i, line in enumerate(break_title(data.title, TITLE_PT)):
        run = title.add_run(line)
        _font(run, FONT_TITLE, TITLE_PT)
        if i:
            run._element.insert(1, OxmlElement("w:br"))
    _para(doc, "", indent=False)
    # 主送机关 (7.3.2): 标题下空一行, 居左顶格
    _para(doc, data.addressees, indent=False)
    _para(doc, data.intro)

    figures = 0
    _para(doc, "一、综合排名情况", font=FONT_H1)
    _table(doc, ["名次", "乡镇（街道）", "综合得分", "结果运用"],
           [[str(r.rank) if r.rank else "—", r.unit, _num(r.score, 2), _consequence(r, data.annual)]
            for r in data.ranking],
           [[None, None, None, "C6EFCE" if r.praised else ("FFC7CE" if r.penalised else None)]
            for r in data.ranking])
    if data.scoring_note:
        _para(doc, data.scoring_note)
    # the figure follows the table and the text, with its caption; never kept with a heading
    if with_charts and any(r.score is not None and r.rank is not None for r in data.ranking):
        figures += 1
        _figure(doc, chart_images.ranking_chart(data.ranking, full_mark=data.full_mark, annual=data.annual),
                f"图{figures}　{data.period_label}各乡镇（街道）综合得分排名")

    _para(doc, "二、分项指标完成情况", font=FONT_H1)
    heatmap = with_charts and any(ind.lines for ind in data.indicators)
    if data.indicators:
        names = "、".join(ind.name for ind in data.indicators)
        _para(doc, f"本期通报{len(data.indicators)}项指标：{names}。"
              + (f"各乡镇（街道）完成率见图{figures + 1}，分项明细如下。" if heatmap else "分项明细如下。"))
    else:
        _para(doc, "本期没有下达分项指标。")
    if heatmap:
        figures += 1
        _figure(doc, chart_images.completion_heatmap(data.indicators, [r.unit for r in data.ranking]),
                f"图{figures}　{data.period_label}各乡镇（街道）分项指标完成率")
    for number_, ind in enumerate(data.indicators, start=1):
        _para(doc, f"（{_cn_number(number_)}）{ind.name}（单位：{ind.unit}）", font=FONT_H2)
        if ind.rule:
            _para(doc, ind.rule, keep=True)
        if not ind.lines:
            _para(doc, "本期没有乡镇（街道）下达该项目标。")
            continue
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
    _para(doc, f"根据{REWARD_RULE_CITATION}“{REWARD_RULE_TEXT}”")
    for text in _results_text(data):
        _para(doc, text)
    if data.requirements:
        _para(doc, "四、下一步工作要求", font=FONT_H1)
        for text in data.requirements:
            last = _para(doc, text)
    else:
        last = doc.paragraphs[-1]
    # the 落款 never stands on a page without text (7.3.5: no “此页无正文”): the last paragraph goes with it
    last.paragraph_format.keep_with_next = True

    # 落款: 正文下空一行
    _para(doc, "", indent=False, keep=True)
    _signature(doc, data.issuer, data.issued_on)
    # 版记 at the foot of the last page
    _colophon(doc, data.copy_to, data.printer or data.issuer, data.issued_on)
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
    """The same bulletin as a workbook: 排名 sheet (with a native bar chart) and 指标明细 sheet;
    both print on A4 fitted to the page width with the title and header rows repeated
    (:mod:`kechuang.core.xlsx`). Returns the file's bytes."""
    from kechuang.core.xlsx import Col, new_workbook, to_bytes, write_table

    wb = new_workbook()
    ws = wb.create_sheet("排名")
    write_table(ws, [Col("名次", "int"), Col("乡镇（街道）"), Col("综合得分", "number"), Col("结果运用"),
                     Col("说明", width=40)],
                ([r.rank, r.unit, r.score, _consequence(r, data.annual), r.reason] for r in data.ranking),
                title=data.title, note=f"{data.issuer}　{data.doc_number}　{_cn_date(data.issued_on)}",
                landscape=False)
    _xlsx_ranking_chart(ws, sum(1 for r in data.ranking if r.score is not None))
    detail = wb.create_sheet("指标明细")
    rows, levels = [], []
    for ind in data.indicators:
        for line in ind.lines:
            rows.append([ind.name, ind.unit, line.unit, line.target, line.actual, line.rate, LEVEL_LABEL[line.level],
                         line.derived])
            levels.append(line.level)
    write_table(detail, [Col("指标"), Col("单位"), Col("乡镇（街道）"), Col("目标", "score"), Col("完成", "score"),
                         Col("完成率", "ratio"), Col("预警"), Col("系统核算", "score")], rows,
                title=f"{data.title}——分项指标明细")
    for i, level in enumerate(levels, start=3):
        cell = detail.cell(i, 7)
        cell.alignment = Alignment(horizontal="center")
        if level:
            cell.fill = PatternFill("solid", fgColor=LEVEL_FILL[level])
    return to_bytes(wb)


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
    # below the table, from a new printed page (a page break after the table): it prints whole
    from openpyxl.worksheet.pagebreak import Break

    ws.row_breaks.append(Break(id=ws.max_row))
    ws.add_chart(chart, f"A{ws.max_row + 2}")


def _xl(value: Decimal | None):
    """Excel has no decimal type: integers stay exact, others become float only for display."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
