"""Word (.docx) pre-diagnosis report an enterprise can take to its accountant or file.

:func:`build_docx` returns the document as bytes. The page is the bulletin's (A4, 版心 156 ×
225 mm, margins 37 / 35 / 28 / 26 mm, page numbers “— N —” at the outside corners; see
:mod:`kechuang.core.docx_layout`), the body 4号 仿宋 without the 公文 28-character grid. It
reads as a report:

1. a cover block: the title, then the enterprise, its credit code and township, the
   evaluation date in words and the rules that apply on that date by their titles (no
   version hashes);
2. 一、总体结论: one table, a row per scheme — 符合 / 不符合 / 待补充 / 待评审, the score
   range and the main gap;
3. one section per scheme: its conclusion and score, a condition table (条件 wide, 结果
   narrow, 企业情况与差距, 依据 as the last column; columns sized, header repeated on every
   page, no row split across pages) and the next steps;
4. a closing note on what a pre-diagnosis is.

Values are written in words with their units (“职工总数 86 人；销售收入 1263.64 万元”), never as
field names; a facts key that a gap text names is replaced by its Chinese label.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from decimal import Decimal

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from kechuang.core.docx_layout import (
    BODY_WIDTH_PT,
    CELL_PADDING_PT,
    page_number_footers,
    repeat_header,
    set_properties,
    set_run_fonts,
    set_up_gbt9704,
    size_table,
    text_em,
)

from .facts import FIELD_LABELS, Facts, key_label
from .report import _COMPONENT_NAMES, conclusion, next_steps
from .verdict import STATUS_LABELS, Verdict

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
BODY_PT = 14.0  # 4号
TABLE_PT = 10.5  # 5号
LINE_PT = 24.0
AUTHOR = "科创平台·企业资格预诊断"
_COLORS = {"pass": RGBColor(0x1B, 0x7F, 0x3B), "fail": RGBColor(0xB0, 0x1E, 0x1E),
           "borderline": RGBColor(0xA6, 0x6A, 0x00), "missing": RGBColor(0x55, 0x55, 0x55)}
_EXTRA_LABELS = {"amount": "金额", "ratio": "比例", "share": "市场占有率", "rank": "细分市场排名",
                 "count": "数量", "years": "年数"}
_PEOPLE = {"employees", "tech_staff", "rd_staff"}
_MONEY = {"sales_revenue", "operating_revenue", "main_business_revenue", "total_income", "hitech_revenue",
          "rd_expense", "rd_expense_domestic", "cost_expense_total", "total_assets", "total_liabilities",
          "net_assets", "net_profit", "equity_financing", "amount"}
_RATIO = {"ratio", "share"}
_KEY = re.compile(r"[a-z][a-z0-9_]*(?:\[\d+\])?(?:\.[a-z][a-z0-9_]*)*")


def plain_words(text: str | None) -> str:
    """A gap or note in plain Chinese: a facts key in brackets is dropped (“资质（qualifications）”
    → “资质”), a bare one replaced by its label (“scheme_scores.srdi_sme” → “专精特新评价得分”)."""
    if not text:
        return ""

    def known(key: str) -> bool:
        return key in FIELD_LABELS or key_label(key) != key

    text = re.sub(r"（(" + _KEY.pattern + r")）", lambda m: "" if known(m.group(1)) else m.group(0), text)
    return _KEY.sub(lambda m: key_label(m.group(0)) if known(m.group(0)) else m.group(0), text)


def _number(v) -> str:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _with_unit(key: str, v) -> str:
    if v is None:
        return "未填"
    if isinstance(v, bool):
        return "是" if v else "否"
    if key in _RATIO and isinstance(v, (int, float, Decimal)) and v <= 1:
        return f"{float(v) * 100:g}%"
    unit = " 人" if key in _PEOPLE else " 万元" if key in _MONEY else ""
    return f"{_number(v)}{unit}"


def value_text(v, pct: bool = False) -> str:
    """A condition's value or threshold in words with units; “—” when there is none."""
    if v is None:
        return "—"
    if isinstance(v, dict):
        if set(v) == {"min", "max"}:
            return f"{v['min']} 分" if v["min"] == v["max"] else f"{v['min']}–{v['max']} 分"
        parts = [f"{FIELD_LABELS.get(k) or _EXTRA_LABELS.get(k) or key_label(k)} {_with_unit(k, x)}"
                 for k, x in v.items() if x is not None]
        return "；".join(parts) or "—"
    if isinstance(v, (list, tuple)):
        return "、".join(value_text(x, pct) for x in v)
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and pct:
        return f"{v * 100:.2f}%".replace(".00%", "%")
    return _number(v)


def summary_status(v: Verdict) -> str:
    """符合 / 不符合 / 待补充 (data missing) / 待评审 (only an expert's judgement is open)."""
    if v.eligible is True:
        return "符合"
    if v.eligible is False:
        return "不符合"
    return "待补充" if any(c.status == "missing" for c in v.conditions) else "待评审"


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _cn_number(n: int) -> str:
    digits = "零一二三四五六七八九十"
    return digits[n] if n <= 10 else "十" + digits[n - 10]


def _para(doc_or_cell, text: str = "", *, font: str = FONT_BODY, size: float = BODY_PT, bold: bool = False,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = False, line: float = LINE_PT, keep: bool = False,
          color: RGBColor | None = None, before: float = 0, paragraph=None):
    p = paragraph if paragraph is not None else doc_or_cell.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.space_before, fmt.space_after = Pt(before), Pt(0)
    fmt.first_line_indent = Pt(2 * size) if indent else Pt(0)
    fmt.keep_with_next = keep
    if text:
        _run(p, text, font=font, size=size, bold=bold, color=color)
    return p


def _run(p, text: str, *, font: str = FONT_BODY, size: float = BODY_PT, bold: bool = False,
         color: RGBColor | None = None):
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    if color is not None:
        run.font.color.rgb = color
    set_run_fonts(run._element.get_or_add_rPr(), font)
    return run


def _table(doc, header: Sequence[str], rows: list[list[str]], *, max_share: Sequence[float],
           colors: list[RGBColor | None] | None = None, status_col: int | None = None):
    """A grid table in 5号: 黑体 header repeated on every page, rows not split, sized columns."""
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    for r, values in enumerate([list(header), *rows]):
        for c, text in enumerate(values):
            cell = table.cell(r, c)
            first = True
            for line in (text or "").split("\n"):
                p = cell.paragraphs[0] if first else cell.add_paragraph()
                first = False
                head = r == 0
                center = head or c == status_col
                _para(None, paragraph=p, align=WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT,
                      line=TABLE_PT * 1.4)
                if line:
                    color = colors[r - 1] if (colors and c == status_col and not head) else None
                    _run(p, line, font=FONT_H1 if head else FONT_BODY, size=TABLE_PT, color=color)
    size_table(table, [[h, *(row[i] for row in rows)] for i, h in enumerate(header)], TABLE_PT,
               max_share=max_share)
    repeat_header(table, split_rows=True)
    return table


def _borderless(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _condition_row(c) -> list[str]:
    is_pct = isinstance(c.threshold, float) and c.threshold <= 1
    situation = plain_words(c.detail) if c.detail else value_text(c.value, pct=is_pct)
    lines = [f"企业：{situation}"] if situation and situation != "—" else []
    if c.threshold is not None:
        lines.append(f"要求：{value_text(c.threshold, pct=is_pct)}")
    if c.gap and c.status != "pass":
        lines.append(("差距：" if c.status == "fail" else "需补充：" if c.status == "missing" else "说明：")
                     + plain_words(c.gap))
    citation = c.citation + ("（依据待核实）" if not c.verified else "")
    return [c.label, STATUS_LABELS[c.status], "\n".join(lines) or "—", citation]


def build_docx(verdicts: Sequence[Verdict], facts: Facts | None = None, *,
               generated_at: dt.datetime | None = None, author: str = AUTHOR) -> bytes:
    """The report as .docx bytes (the same bytes for the web page and ``kechuang diagnose --docx``)."""
    doc = Document()
    set_up_gbt9704(doc, body_font=FONT_BODY, body_pt=BODY_PT, grid=False)
    page_number_footers(doc)
    name = (facts.name if facts is not None else "") or ""
    set_properties(doc, title=f"{name}企业资格预诊断报告", author=author, subject="企业资格预诊断",
                   keywords="高新技术企业 科技型中小企业 创新型中小企业 专精特新 小巨人", when=generated_at)

    # cover block
    _para(doc, "企业资格预诊断报告", font=FONT_TITLE, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, line=36)
    _para(doc, "")
    on = verdicts[0].evaluated_on if verdicts else None
    cover = [("企业名称", name or "（未填写）")]
    if facts is not None and facts.uscc:
        cover.append(("统一社会信用代码", facts.uscc))
    if facts is not None and getattr(facts, "region", None):
        cover.append(("所属乡镇", str(facts.region)))
    if on is not None:
        cover.append(("评价日期", f"{_cn_date(on)}（适用该日有效的认定办法）"))
    titles = list(dict.fromkeys(v.rules_title for v in verdicts))
    if titles:
        cover.append(("适用办法", "\n".join(titles)))
    table = doc.add_table(rows=len(cover), cols=2)
    for (label, value), row in zip(cover, table.rows, strict=True):
        _para(None, paragraph=row.cells[0].paragraphs[0], align=WD_ALIGN_PARAGRAPH.LEFT)
        _run(row.cells[0].paragraphs[0], label + "：", font=FONT_H1)
        for i, line in enumerate(value.split("\n")):
            p = row.cells[1].paragraphs[0] if i == 0 else row.cells[1].add_paragraph()
            _para(None, paragraph=p, align=WD_ALIGN_PARAGRAPH.LEFT)
            _run(p, line)
    label_pt = max(text_em(label + "：") for label, _ in cover) * BODY_PT + CELL_PADDING_PT
    size_table(table, [[label + "：" for label, _ in cover], [""]], BODY_PT, fill=False,
               min_pt=[label_pt, BODY_WIDTH_PT - label_pt])
    _borderless(table)

    # 一、总体结论
    _para(doc, "一、总体结论", font=FONT_H1, size=16, line=32, keep=True, before=12)
    rows, colors = [], []
    for v in verdicts:
        word = summary_status(v)
        score = "—" if v.score is None else value_text(v.score.to_json())
        rows.append([v.title, word, score, plain_words(v.top_gap()) or "—"])
        colors.append(_COLORS["pass" if word == "符合" else "fail" if word == "不符合" else "missing"])
    _table(doc, ["认定类型", "结论", "评分", "主要差距"], rows, max_share=[0.24, 0, 0.14, 0.6],
           colors=colors, status_col=1)

    for i, v in enumerate(verdicts, 2):
        _para(doc, f"{_cn_number(i)}、{v.title}", font=FONT_H1, size=16, line=32, keep=True, before=12)
        p = _para(doc, "", keep=True)
        _run(p, "结论：", font=FONT_H1)
        _run(p, conclusion(v) + "。")
        _para(doc, f"依据：{v.rules_title}。", keep=True)
        if v.score is not None:
            parts = "，".join(f"{_COMPONENT_NAMES.get(k, k)} {value_text(r.to_json())}"
                              for k, r in v.components.items())
            _para(doc, f"评分：{value_text(v.score.to_json())}（{parts}）。", keep=True)
        _table(doc, ["条件", "结果", "企业情况与差距", "依据"], [_condition_row(c) for c in v.conditions],
               max_share=[0.25, 0, 0.45, 0.2], colors=[_COLORS[c.status] for c in v.conditions], status_col=1)
        steps = [plain_words(s) for s in next_steps(v)]
        if steps:
            _para(doc, "下一步建议：", font=FONT_H2, keep=True, before=6)
            for n, s in enumerate(steps, 1):
                _para(doc, f"{n}．{s}", indent=True)
        for note in v.notes:
            _para(doc, f"注：{plain_words(note)}", indent=True)
    _para(doc, "说明：本报告为预诊断，依据企业自行填报的数据和公开认定办法计算；专家评审部分以分数区间表示，"
               "最终结论以主管部门认定为准。", before=12, indent=True)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
