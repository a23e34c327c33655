"""Page, font and table set-up shared by the Word documents the platform writes (python-docx,
no Django): the 晾晒 bulletin (:mod:`kechuang.targets.bulletin`) and the pre-diagnosis report
(:mod:`kechuang.rules.docx_report`).

After GB/T 9704-2012《党政机关公文格式》:

- 5.2.1 / 5.2.2 A4 paper, 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm (so bottom 35 mm, right 26 mm);
- 5.2.3 3号 仿宋 body, 22 lines of 28 characters per page: a line grid of 225 mm / 22 and a
  character pitch of 156 mm / 28, made with a ``w:docGrid`` of type ``lines`` (line pitch) and
  a character spacing of −0.25 pt on the 16 pt body (16 − 0.25 = 15.75 pt; 28 × 15.75 = 441 pt
  ≤ 442.2 pt = 156 mm, 29 would not fit) — LibreOffice lays a ``linesAndChars`` grid out at 27
  characters, the run spacing gives 28 in both Word and LibreOffice;
- 7.5 page numbers: 4号 半角 Arabic numerals with an 一字线 each side, the line 7 mm below the
  版心, odd pages right and even pages left, each 空一字 from the edge of the 版心.

Fonts are named, not embedded; each is declared in the font table with its GB2312 character
set and its common other name (``w:altName``: 仿宋_GB2312 → 仿宋, 仿宋 → FangSong, 方正小标宋简体
→ 小标宋, 小标宋 → 宋体 …) and the text's language is zh-CN, so a machine without the
government fonts substitutes a Simplified-Chinese face (never the Japanese glyph shapes that
python-docx's ja-JP theme default asks for).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

__all__ = [
    "BODY_WIDTH_PT", "BODY_HEIGHT_PT", "CHAR_PITCH_PT", "LINE_PITCH_PT", "FONT_FALLBACKS", "set_up_gbt9704",
    "set_fonts", "page_number_footers", "set_properties", "size_table", "repeat_header", "text_em",
    "fit_font_size", "break_title", "set_run_fonts",
]

PAGE_W_MM, PAGE_H_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37, 35, 28, 26
BODY_WIDTH_PT = (PAGE_W_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM) * 72 / 25.4  # 442.2 pt = 156 mm
BODY_HEIGHT_PT = (PAGE_H_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM) * 72 / 25.4  # 637.8 pt = 225 mm
BODY_PT = 16.0  # 3号
CHAR_SPACING_PT = -0.25  # 28 characters of 16 pt on 156 mm (see the module docstring)
CHAR_PITCH_PT = BODY_PT + CHAR_SPACING_PT  # 15.75 pt
LINE_PITCH_TWIPS = 578  # 22 × 578 twips = 12716 ≤ 12756 twips (225 mm, as Word rounds the margins)
LINE_PITCH_PT = LINE_PITCH_TWIPS / 20  # 28.9 pt
PAGE_NUMBER_PT = 14.0  # 4号

# the font, then the names a reader's machine may have it under (GB2312 fonts of the 公文 set)
FONT_FALLBACKS: dict[str, tuple[str, ...]] = {
    "方正小标宋简体": ("小标宋", "宋体", "SimSun", "Noto Serif CJK SC"),
    "小标宋": ("宋体", "SimSun", "Noto Serif CJK SC"),
    "仿宋_GB2312": ("仿宋", "FangSong", "Noto Serif CJK SC"),
    "仿宋": ("FangSong", "Noto Serif CJK SC"),
    "楷体_GB2312": ("楷体", "KaiTi", "Noto Serif CJK SC"),
    "楷体": ("KaiTi", "Noto Serif CJK SC"),
    "黑体": ("SimHei", "Noto Sans CJK SC"),
    "宋体": ("SimSun", "Noto Serif CJK SC"),
}
_FAMILY = {"黑体": "modern", "SimHei": "modern", "Noto Sans CJK SC": "swiss"}


def _twips(pt: float) -> str:
    return str(round(pt * 20))


def set_up_gbt9704(doc, *, body_font: str = "仿宋_GB2312", body_pt: float = BODY_PT, grid: bool = True) -> None:
    """A4, the 版心 margins, zh-CN, the body font and (``grid``) the 22 × 28 document grid."""
    for section in doc.sections:
        section.page_width, section.page_height = Mm(PAGE_W_MM), Mm(PAGE_H_MM)
        section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
        section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
        section.header_distance = Mm(15)
        if grid:
            sect = section._sectPr
            g = sect.find(qn("w:docGrid"))
            if g is None:
                g = OxmlElement("w:docGrid")
                sect.append(g)
            for key in list(g.attrib):
                del g.attrib[key]
            g.set(qn("w:type"), "lines")
            g.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    set_fonts(doc, body_font, body_pt, spacing_pt=CHAR_SPACING_PT * body_pt / BODY_PT if grid else 0)


def set_run_fonts(rpr, name: str) -> None:
    """Name ``name`` for every script of a run (or style) property element, no theme fonts."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    fonts.set(qn("w:hint"), "eastAsia")


def _lang(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


def set_fonts(doc, body_font: str, body_pt: float, *, spacing_pt: float = 0) -> None:
    """Document defaults and the Normal style: ``body_font`` at ``body_pt``, language zh-CN, no
    theme fonts; the font table lists every 公文 font with its GB2312 charset and other name."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_run_fonts(rpr, body_font)
    _lang(rpr)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    if spacing is not None:
        spacing.set(qn("w:after"), "0")
    # the template's styles (table styles' parts too) name theme fonts (Calibri, ＭＳ 明朝)
    themed = [f for f in styles.iter(qn("w:rFonts"))
              if any(f.get(qn(a)) for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"))]
    for fonts in themed:
        set_run_fonts(fonts.getparent(), body_font)
    normal = doc.styles["Normal"]
    normal.font.name = body_font
    normal.font.size = Pt(body_pt)
    nrpr = normal.element.get_or_add_rPr()
    set_run_fonts(nrpr, body_font)
    _lang(nrpr)
    if spacing_pt:
        sp = nrpr.find(qn("w:spacing"))
        if sp is None:
            sp = OxmlElement("w:spacing")
            nrpr.append(sp)
        sp.set(qn("w:val"), str(round(spacing_pt * 20)))
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), "zh-CN")
        theme_lang.set(qn("w:eastAsia"), "zh-CN")
    _font_table(doc)


def _font_table(doc) -> None:
    part = next((rel.target_part for rel in doc.part.rels.values()
                 if rel.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    wns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    present = {f.get(wns + "name") for f in root.findall(wns + "font")}
    for name, others in FONT_FALLBACKS.items():
        for font_name, alt in ((name, others[0]), *zip(others, others[1:], strict=False)):
            if font_name in present:
                continue
            present.add(font_name)
            font = etree.SubElement(root, wns + "font")
            font.set(wns + "name", font_name)
            etree.SubElement(font, wns + "altName").set(wns + "val", alt)
            etree.SubElement(font, wns + "charset").set(wns + "val", "86")  # GB2312
            etree.SubElement(font, wns + "family").set(wns + "val", _FAMILY.get(font_name, "roman"))
            etree.SubElement(font, wns + "pitch").set(wns + "val", "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _field(paragraph, instruction: str, run_props) -> None:
    for kind, text in (("begin", None), (None, f" {instruction} "), ("separate", None), (None, "1"), ("end", None)):
        run = OxmlElement("w:r")
        run.append(copy.deepcopy(run_props))
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text.strip() == instruction:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run.append(el)
        paragraph._p.append(run)


def _number_paragraph(paragraph, *, odd: bool, font: str) -> None:
    """“— N —” in 4号 半角, at the outside edge of the 版心 less one character (空一字)."""
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    fmt.line_spacing = Pt(PAGE_NUMBER_PT)
    from docx.enum.text import WD_LINE_SPACING

    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(0)
    if odd:
        fmt.right_indent, fmt.left_indent = Pt(PAGE_NUMBER_PT), Pt(0)
    else:
        fmt.left_indent, fmt.right_indent = Pt(PAGE_NUMBER_PT), Pt(0)
    rpr = OxmlElement("w:rPr")
    set_run_fonts(rpr, font)
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(int(PAGE_NUMBER_PT * 2)))
        rpr.append(el)
    sp = OxmlElement("w:spacing")
    sp.set(qn("w:val"), "0")
    rpr.append(sp)
    for text, field in (("— ", None), (None, "PAGE"), (" —", None)):
        if field:
            _field(paragraph, field, rpr)
        else:
            run = OxmlElement("w:r")
            run.append(copy.deepcopy(rpr))
            t = OxmlElement("w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = text
            run.append(t)
            paragraph._p.append(run)


def page_number_footers(doc, *, font: str = "宋体") -> None:
    """GB/T 9704-2012 7.5: odd pages' number at the right, even pages' at the left, the 一字线 7 mm
    below the 版心 (footer distance = 35 mm − 7 mm − half the 14 pt line, to the line's foot)."""
    doc.settings.odd_and_even_pages_header_footer = True
    for section in doc.sections:
        # the footer's single 14 pt line: its dash (about mid-height) sits 7 mm below the 版心
        section.footer_distance = Mm(MARGIN_BOTTOM_MM - 7) - Pt(PAGE_NUMBER_PT / 2)
        for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            _number_paragraph(p, odd=odd, font=font)


def set_properties(doc, *, title: str, author: str, subject: str = "", keywords: str = "",
                   when: dt.datetime | None = None) -> None:
    """File properties: the issuing office as author, the generation time as created/modified."""
    when = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0, tzinfo=None)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.subject, props.keywords, props.comments = subject, keywords, ""
    props.created = props.modified = when
    props.revision = 1
    props.language = "zh-CN"
    props.category = ""
    # the template's preview picture (python-docx's own) would show in file browsers: drop it
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del pkg.rels[rid]


def text_em(text: str) -> float:
    """Width of ``text`` in ems: CJK and full-width characters 1, others (半角) 0.5."""
    return sum(1.0 if ord(c) >= 0x2E80 or c in "—…" else 0.5 for c in text)


def fit_font_size(text: str, size_pt: float, width_pt: float = BODY_WIDTH_PT, step: float = 0.5) -> float:
    """The largest size ≤ ``size_pt`` (in ``step``) at which ``text`` fits on one line of ``width_pt``."""
    em = text_em(text) or 1
    fit = min(size_pt, (width_pt - 1) / em)
    return max(step, int(fit / step) * step)


def break_title(text: str, size_pt: float, width_pt: float = BODY_WIDTH_PT) -> list[str]:
    """Lines of a 公文 title (GB/T 9704-2012 7.3.1: 回行时词意完整、排列对称, 梯形或菱形).

    Breaks only between words (jieba), and chooses among the splits whose lines all fit the
    line the one closest to the shapes the standard names: two lines as a trapezoid (the upper
    line not longer than the lower, or barely), three as a diamond or a trapezoid; the most
    even lengths win. A title that fits on one line stays one line.
    """
    per_line = width_pt / size_pt
    if text_em(text) <= per_line:
        return [text]
    import jieba

    words = [w for w in jieba.lcut(text, HMM=False) if w]
    # keep 的通报 / 的通知 and the like on one line: a break never comes before 的 or after 关于
    cuts = []
    pos = 0
    for i, w in enumerate(words[:-1]):
        pos += len(w)
        nxt = words[i + 1]
        if nxt[0] in "的之和与及、，。）》”" or w in ("关于", "（", "《", "“"):
            continue
        cuts.append(pos)
    best: tuple[float, list[str]] | None = None
    for n_lines in (2, 3):
        for combo in _combinations(cuts, n_lines - 1):
            bounds = [0, *combo, len(text)]
            lines = [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
            widths = [text_em(x) for x in lines]
            if max(widths) > per_line:
                continue
            spread = max(widths) - min(widths)
            if n_lines == 2:
                shape = 0 if widths[0] <= widths[1] else 0.5 * (widths[0] - widths[1])  # 正梯形 preferred
            else:
                diamond = widths[1] >= widths[0] and widths[1] >= widths[2]
                trapezoid = widths[0] <= widths[1] <= widths[2]
                shape = 0 if diamond or trapezoid else spread
            score = spread + shape + (n_lines - 2) * per_line
            if best is None or score < best[0]:
                best = (score, lines)
        if best is not None:
            break
    return best[1] if best else [text]


def _combinations(cuts: list[int], k: int):
    from itertools import combinations

    return combinations(cuts, k)


def repeat_header(table, rows: int = 1, *, split_rows: bool = False) -> None:
    """The first ``rows`` rows repeat at the top of every page (w:tblHeader); rows do not split
    across pages unless ``split_rows`` (tables whose rows may be tall: a row that may split never
    pushes a half-empty page)."""
    for i, row in enumerate(table.rows):
        trpr = row._tr.get_or_add_trPr()
        if (i < rows or not split_rows) and trpr.find(qn("w:cantSplit")) is None:
            trpr.append(OxmlElement("w:cantSplit"))
        if i < rows and trpr.find(qn("w:tblHeader")) is None:
            trpr.append(OxmlElement("w:tblHeader"))


CELL_PADDING_PT = 2 * 5.4 + 2  # Word's default cell margins 0.19 cm each side, plus a little air


def size_table(table, columns: Sequence[Sequence[str]], font_pt: float, *, width_pt: float = BODY_WIDTH_PT,
               fill: bool = True, min_pt: Sequence[float] | None = None, max_share: Sequence[float] | None = None) -> list[float]:
    """Column widths from the content: each column as wide as its longest text (header
    included) at ``font_pt``; when the sum exceeds ``width_pt`` the widest columns give way
    (their text wraps) down to ``max_share`` of the width, and with ``fill`` the table is
    stretched to ``width_pt`` in proportion. Written as a fixed layout (w:tblLayout) with
    w:tblGrid and every cell's w:tcW, so Word and LibreOffice use the same widths."""
    need = [max((text_em(line) for t in col for line in (t or "").split("\n")), default=1) * font_pt
            + CELL_PADDING_PT for col in columns]
    if min_pt:
        need = [max(n, m) for n, m in zip(need, min_pt, strict=True)]
    widths = list(need)
    if max_share:
        widths = [min(w, s * width_pt) if s else w for w, s in zip(widths, max_share, strict=True)]
    total = sum(widths)
    if total > width_pt:  # shrink the widest first until it fits
        widths = _shrink(widths, width_pt)
    elif fill and total < width_pt:
        widths = [w * width_pt / total for w in widths]
    tbl = table._tbl
    tblpr = tbl.tblPr
    layout = tblpr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tblpr.append(layout)
    layout.set(qn("w:type"), "fixed")
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.append(tblw)
    tblw.set(qn("w:type"), "dxa")
    tblw.set(qn("w:w"), _twips(sum(widths)))
    grid = tbl.tblGrid
    for gc, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        gc.set(qn("w:w"), _twips(w))
    for tr in tbl.findall(qn("w:tr")):
        for tc, w in zip(tr.findall(qn("w:tc")), widths, strict=False):
            tcpr = tc.get_or_add_tcPr()
            tcw = tcpr.find(qn("w:tcW"))
            if tcw is None:
                tcw = OxmlElement("w:tcW")
                tcpr.insert(0, tcw)
            tcw.set(qn("w:type"), "dxa")
            tcw.set(qn("w:w"), _twips(w))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    return widths


def _shrink(widths: list[float], limit: float) -> list[float]:
    widths = list(widths)
    for _ in range(200):
        excess = sum(widths) - limit
        if excess <= 0.01:
            break
        order = sorted(range(len(widths)), key=lambda i: -widths[i])
        top = widths[order[0]]
        second = widths[order[1]] if len(order) > 1 else 0
        leaders = [i for i in order if widths[i] >= top - 0.01]
        cut = min(excess / len(leaders), max(top - second, excess / len(leaders)))
        for i in leaders:
            widths[i] -= cut
    return widths
