"""晾晒通报 / 年度考核通报 as Word (.docx, 公文 layout) and Excel (.xlsx) — pure Python, no Django.

Layout after GB/T 9704-2012《党政机关公文格式》: A4, margins top 37 mm, bottom 35 mm, left
28 mm, right 26 mm; 发文机关标志 in red 方正小标宋简体 with a red separator line; title 2号
(22 pt) 方正小标宋简体 centred; body 3号 (16 pt) 仿宋_GB2312 with fixed 28 pt line spacing,
first-line indent of two characters; first-level headings 黑体, second-level 楷体_GB2312;
page numbers 4号 宋体 “— N —” at the foot; 版记 (抄送, 印发机关和印发日期) at the end.
The fonts are named, not embedded: Word/WPS on a government PC has them; elsewhere the
reader substitutes.

Charts are given as tables (ranking with a bar of █ proportional to the score): the server
has no CJK font for rendering chart images, and a bar made of text prints in any font.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

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
BAR_WIDTH = 12  # characters of the longest bar (fits the column at 7 pt)
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


def _shade(cell, fill: str) -> None:
    tcpr = cell._element.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _table(doc, header: list[str], rows: list[list[str]], fills: list[list[str | None]] | None = None,
           sizes: dict[int, float] | None = None):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), FONT_H1, 12)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for r, values in enumerate(rows):
        cells = table.add_row().cells
        for c, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), FONT_BODY, (sizes or {}).get(c, 12))
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT if sizes and c in sizes else WD_ALIGN_PARAGRAPH.CENTER
            if fills and fills[r][c]:
                _shade(cell, fills[r][c])
    return table


def _num(value: Decimal | None, places: int | None = None) -> str:
    if value is not None and places is not None:
        return format(value.quantize(Decimal(1).scaleb(-places)), "f")
    return plain(value)


def _pct(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{(rate * 100).quantize(Decimal('0.1'))}%"


def _bar(score: Decimal | None, top: Decimal | None) -> str:
    if score is None or not top:
        return ""
    return "█" * max(0, int((score / top * BAR_WIDTH).to_integral_value()))


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def build_docx(data: BulletinData) -> bytes:
    """Render the bulletin as a .docx in 公文 layout; returns the file's bytes."""
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

    _para(doc, "一、综合排名情况", font=FONT_H1)
    top = max((r.score for r in data.ranking if r.score is not None), default=None)
    _table(doc, ["名次", "乡镇（街道）", "综合得分", "得分图示", "结果运用"],
           [[str(r.rank) if r.rank else "—", r.unit, _num(r.score, 2), _bar(r.score, top),
             "表扬" if r.praised else ("扣分" if r.penalised else "")] for r in data.ranking],
           [[None, None, None, None, "C6EFCE" if r.praised else ("FFC7CE" if r.penalised else None)]
            for r in data.ranking], sizes={3: 7})
    if data.scoring_note:
        _para(doc, data.scoring_note)

    _para(doc, "二、分项指标完成情况", font=FONT_H1)
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
                   "表扬" if r.praised else ("扣分" if r.penalised else ""), r.reason])
        ws.cell(ws.max_row, 3).number_format = "0.00"
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["E"].width = 60
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


def _xl(value: Decimal | None):
    """Excel has no decimal type: integers stay exact, others become float only for display."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
