"""Word (.docx) pre-diagnosis report an enterprise can take to its accountant.

:func:`build_docx` returns the document as bytes: a title, the enterprise, an overview
table (one row per scheme), then per scheme its conclusion, score, a condition table
(条件 / 结论 / 企业数据 / 要求 / 差距与建议 / 依据) and the next steps.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from .facts import Facts
from .report import _COMPONENT_NAMES, conclusion, next_steps, summary_word
from .verdict import STATUS_LABELS, Verdict

_FONT = "宋体"
_COLORS = {"pass": RGBColor(0x1B, 0x7F, 0x3B), "fail": RGBColor(0xB0, 0x1E, 0x1E),
           "borderline": RGBColor(0xA6, 0x6A, 0x00), "missing": RGBColor(0x55, 0x55, 0x55)}


def _set_font(doc: Document) -> None:
    style = doc.styles["Normal"]
    style.font.name = _FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), _FONT)


def _fmt(v, pct: bool = False) -> str:
    if v is None:
        return "—"
    if isinstance(v, dict):
        if set(v) == {"min", "max"}:
            return f"{v['min']}" if v["min"] == v["max"] else f"{v['min']}–{v['max']}"
        return "；".join(f"{k}: {_fmt(x)}" for k, x in v.items() if x is not None) or "—"
    if isinstance(v, (list, tuple)):
        return "、".join(_fmt(x) for x in v)
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and pct:
        return f"{v * 100:.2f}%"
    return str(v)


def build_docx(verdicts: Sequence[Verdict], facts: Facts | None = None) -> bytes:
    """The report as .docx bytes."""
    doc = Document()
    _set_font(doc)
    title = doc.add_heading("企业资格预诊断报告", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if facts is not None:
        p = doc.add_paragraph()
        p.add_run("企业名称：").bold = True
        p.add_run(facts.name or "（未填写）")
        if facts.uscc:
            p.add_run("    统一社会信用代码：").bold = True
            p.add_run(facts.uscc)
    if verdicts:
        p = doc.add_paragraph()
        p.add_run("评价日期：").bold = True
        p.add_run(f"{verdicts[0].evaluated_on.isoformat()}（适用该日有效的认定办法）")

    doc.add_heading("一、总览", level=1)
    t = doc.add_table(rows=1, cols=4)
    t.style = "Table Grid"
    for cell, text in zip(t.rows[0].cells, ("认定类型", "结论", "评分", "首要差距"), strict=True):
        cell.text = text
    for v in verdicts:
        row = t.add_row().cells
        row[0].text = v.title
        row[1].text = f"{summary_word(v)}：{conclusion(v)}"
        row[2].text = "—" if v.score is None else _fmt(v.score.to_json())
        row[3].text = v.top_gap() or "—"

    for i, v in enumerate(verdicts, 2):
        doc.add_heading(f"{'一二三四五六七八九十'[i - 1]}、{v.title}", level=1)
        p = doc.add_paragraph()
        p.add_run("结论：").bold = True
        p.add_run(conclusion(v))
        doc.add_paragraph(f"依据：{v.rules_title}（规则版本 {v.rules_version}）")
        if v.score is not None:
            parts = "，".join(f"{_COMPONENT_NAMES.get(k, k)} {_fmt(r.to_json())} 分"
                              for k, r in v.components.items())
            doc.add_paragraph(f"评分：{_fmt(v.score.to_json())} 分（{parts}）")
        ct = doc.add_table(rows=1, cols=6)
        ct.style = "Table Grid"
        for cell, text in zip(ct.rows[0].cells, ("条件", "结论", "企业数据", "要求", "差距与建议", "依据"), strict=True):
            cell.text = text
        for c in v.conditions:
            row = ct.add_row().cells
            row[0].text = c.label
            run = row[1].paragraphs[0].add_run(STATUS_LABELS[c.status])
            run.font.color.rgb = _COLORS[c.status]
            is_pct = isinstance(c.threshold, float) and c.threshold <= 1
            row[2].text = c.detail or _fmt(c.value, pct=is_pct)
            row[3].text = _fmt(c.threshold, pct=is_pct)
            row[4].text = (c.gap or "") if c.status != "pass" else ""
            row[5].text = c.citation + ("（待核实）" if not c.verified else "")
        steps = next_steps(v)
        if steps:
            doc.add_paragraph().add_run("下一步建议：").bold = True
            for s in steps:
                doc.add_paragraph(s, style="List Number")
        for n in v.notes:
            doc.add_paragraph(f"注：{n}")
    doc.add_paragraph()
    doc.add_paragraph("说明：本报告为预诊断，依据企业自行填报的数据和公开认定办法计算；专家评审部分"
                      "以分数区间表示，最终结论以主管部门认定为准。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
