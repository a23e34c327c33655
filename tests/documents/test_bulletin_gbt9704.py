"""The 晾晒 bulletin measured against GB/T 9704-2012《党政机关公文格式》, clause by clause, in the
.docx itself (page set-up, grid, fonts, page numbers, 版头, 落款, 版记, tables, properties)."""

import datetime as dt
import io
import zipfile

import jieba
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from kechuang.core.docx_layout import BODY_WIDTH_PT, CHAR_PITCH_PT, LINE_PITCH_PT, break_title, text_em
from kechuang.targets.bulletin import BulletinRank, build_docx

from .samples import full_bulletin, small_bulletin

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _doc(data=None, **kw):
    return Document(io.BytesIO(build_docx(data or small_bulletin(), **kw)))


def _part(blob: bytes, name: str):
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(blob)).read(name))


def test_5_2_page_a4_and_text_block_156_by_225_mm():
    """5.2.1 A4 (210 × 297 mm); 5.2.2 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm."""
    s = _doc().sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(m.mm, 1) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    assert round(s.page_width.mm - s.left_margin.mm - s.right_margin.mm, 1) == 156
    assert round(s.page_height.mm - s.top_margin.mm - s.bottom_margin.mm, 1) == 225


def test_5_2_3_grid_22_lines_of_28_characters():
    """5.2.3 一般每面排 22 行，每行排 28 个字，并撑满版心: a line grid of 225 mm / 22 and body lines
    of exactly that pitch; 3号 (16 pt) characters at 15.75 pt: 28 fit in 156 mm, 29 do not."""
    doc = _doc()
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and int(grid.get(qn("w:linePitch"))) == 578
    body_twips = round(Mm(225).pt * 20)
    assert 22 * 578 <= body_twips < 23 * 578  # 22 lines fill the text block, a 23rd does not fit
    spacing = doc.styles["Normal"].element.rPr.find(qn("w:spacing"))
    pitch = 16 + int(spacing.get(qn("w:val"))) / 20
    assert pitch == CHAR_PITCH_PT and 28 * pitch <= BODY_WIDTH_PT < 29 * pitch
    body = next(p for p in doc.paragraphs if p.text.startswith("根据南政办"))
    assert body.paragraph_format.line_spacing == Pt(LINE_PITCH_PT)
    assert body.paragraph_format.first_line_indent == Pt(2 * CHAR_PITCH_PT)  # 首行缩进二字


def test_fonts_named_with_east_asian_fallbacks_and_zh_cn():
    """GB/T 9704-2012 7.2–7.4 name 小标宋体 / 仿宋体 / 黑体 / 楷体: each is declared in the font
    table with its GB2312 charset and other name, and the language is zh-CN (not the template's
    en-US / ja-JP, which makes a machine without the fonts draw Japanese glyph shapes)."""
    blob = build_docx(small_bulletin())
    fonts = {f.get(W + "name"): f for f in _part(blob, "word/fontTable.xml").findall(W + "font")}

    def alt(name):
        return fonts[name].find(W + "altName").get(W + "val")

    assert alt("仿宋_GB2312") == "仿宋" and alt("仿宋") == "FangSong"
    assert alt("方正小标宋简体") == "小标宋" and alt("小标宋") == "宋体"
    assert alt("黑体") == "SimHei" and alt("楷体_GB2312") == "楷体"
    assert all(fonts[n].find(W + "charset").get(W + "val") == "86" for n in ("仿宋_GB2312", "方正小标宋简体", "黑体"))
    styles = _part(blob, "word/styles.xml")
    default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert default.find(W + "lang").get(W + "eastAsia") == "zh-CN" and default.find(W + "lang").get(W + "val") == "zh-CN"
    assert default.find(W + "rFonts").get(W + "eastAsia") == "仿宋_GB2312"
    assert not styles.xpath("//w:rFonts[@w:eastAsiaTheme]", namespaces={"w": W[1:-1]})
    settings = _part(blob, "word/settings.xml")
    assert settings.find(W + "themeFontLang").get(W + "eastAsia") == "zh-CN"


def test_7_5_page_numbers_outside_corners_7mm_below_the_text_block():
    """7.5 页码: 4号 半角 Arabic numerals with an 一字线 each side, the line 7 mm below the 版心;
    单页码居右空一字, 双页码居左空一字."""
    doc = _doc()
    assert doc.settings.odd_and_even_pages_header_footer
    s = doc.sections[0]
    odd, even = s.footer.paragraphs[0], s.even_page_footer.paragraphs[0]
    for p in (odd, even):
        assert "PAGE" in p._p.xml and p.text.startswith("— ") and p.text.endswith(" —")
        sizes = {r.font.size for r in p.runs}
        assert sizes == {Pt(14)}  # 4号
    assert odd.alignment == 2 and odd.paragraph_format.right_indent == Pt(14)  # right, 空一字
    assert even.alignment == 0 and even.paragraph_format.left_indent == Pt(14)  # left, 空一字
    # the footer line (14 pt) ends footer_distance above the page edge: its middle, where the dash is,
    # is 35 mm − 7 mm above the edge, i.e. 7 mm below the 版心
    assert abs(s.footer_distance.mm + Pt(7).mm - 28) < 0.1


def test_7_2_issuer_on_one_line_and_header_spacing():
    """7.2.2 发文机关标志 (size reduced to fit one line); 7.2.3 发文字号 发文机关标志下空二行;
    7.2.5 red separator 4 mm below the 发文字号; 7.3.1 标题 红色分隔线下空二行."""
    data = small_bulletin()
    doc = _doc(data)
    ps = doc.paragraphs
    issuer = ps[0]
    assert issuer.text == data.issuer and issuer.runs[0].font.color.rgb is not None
    size = issuer.runs[0].font.size.pt
    assert size <= 26 and text_em(data.issuer) * size <= BODY_WIDTH_PT  # one line
    assert [p.text for p in ps[1:3]] == ["", ""] and ps[3].text == data.doc_number
    border = ps[3]._p.pPr.find(f"{qn('w:pBdr')}/{qn('w:bottom')}")
    assert border.get(qn("w:color")) == "E60012" and int(border.get(qn("w:space"))) == 11  # 11 pt ≈ 4 mm
    assert [p.text for p in ps[4:6]] == ["", ""] and ps[6].text.replace("\n", "") == data.title


def test_7_3_1_title_breaks_between_words_as_trapezoid_or_diamond():
    """7.3.1 标题回行时，要做到词意完整，排列对称，长短适宜，间距恰当，标题排列应当使用梯形或菱形."""
    per_line = BODY_WIDTH_PT / 22
    for title in ("关于2023年全市抓创新促应用专项行动目标任务完成情况的通报",
                  "关于2025年上半年全市抓创新促应用专项行动目标任务完成情况的晾晒通报",
                  "关于2024年全市抓创新促应用专项行动目标任务考核情况的通报",
                  "关于进一步加强全市科技创新平台和高新技术企业培育库建设工作目标任务考核结果运用情况的通报"):
        lines = break_title(title, 22)
        assert "".join(lines) == title and len(lines) >= 2
        assert all(text_em(x) <= per_line for x in lines)
        bounds, pos = set(), 0
        for w in jieba.lcut(title, HMM=False):
            pos += len(w)
            bounds.add(pos)
        cuts = [sum(len(x) for x in lines[:i]) for i in range(1, len(lines))]
        assert all(c in bounds for c in cuts), (title, lines)  # never inside a word (目/标)
        widths = [text_em(x) for x in lines]
        if len(widths) == 2:
            assert widths[0] <= widths[1] + 2  # 正梯形 (or nearly level)
        else:
            assert widths[1] >= max(widths[0], widths[2]) or widths == sorted(widths)  # 菱形 / 梯形
    doc = _doc()
    title = doc.paragraphs[6]
    assert title.runs[0].font.size == Pt(22) and title._p.xpath(".//w:br")


def test_7_3_5_signature_right_four_characters():
    """7.3.5 成文日期 右空四字; the 署名 is centred on the date when the date is the shorter."""
    data = small_bulletin()
    ps = _doc(data).paragraphs
    i = next(i for i, p in enumerate(ps) if p.text == "2024年1月20日")
    issuer, date = ps[i - 1], ps[i]
    assert issuer.text == data.issuer and date.alignment == 2 and issuer.alignment == 2
    longer = text_em(data.issuer)
    # the longer line ends 4 characters from the right edge; the shorter is centred on it
    assert abs(issuer.paragraph_format.right_indent.pt - 4 * CHAR_PITCH_PT) < 0.1
    expected = (4 + (longer - text_em("2024年1月20日")) / 2) * CHAR_PITCH_PT
    assert abs(date.paragraph_format.right_indent.pt - expected) < 0.1


def test_7_4_colophon_at_the_foot_with_a_thinner_middle_rule():
    """7.4 版记: 抄送机关 and 印发机关 / 印发日期 between rules as wide as the 版心, the first and last
    0.35 mm, the middle 0.25 mm; on the last page, its last line on the 版心's last line."""
    doc = _doc()
    colophon = doc.tables[-1]
    pos = colophon._tbl.tblPr.find(qn("w:tblpPr"))
    assert pos.get(qn("w:tblpYSpec")) == "bottom" and pos.get(qn("w:vertAnchor")) == "margin"
    assert round(int(pos.get(qn("w:tblpX"))) / 20 * 25.4 / 72) == 28  # aligned with the 版心
    borders = colophon._tbl.tblPr.find(qn("w:tblBorders"))

    def mm(side):
        return int(borders.find(qn(f"w:{side}")).get(qn("w:sz"))) / 8 * 25.4 / 72

    assert abs(mm("top") - 0.35) < 0.01 and abs(mm("bottom") - 0.35) < 0.01 and abs(mm("insideH") - 0.25) < 0.02
    width = sum(int(g.get(qn("w:w"))) for g in colophon._tbl.tblGrid.findall(qn("w:gridCol")))
    assert abs(width / 20 - BODY_WIDTH_PT) < 1
    texts = [c.text for row in colophon.rows for c in row.cells]
    assert texts[0].startswith("抄送：") and "南安市科学技术局办公室" in texts and "2024年1月20日印发" in texts


def test_tables_repeat_their_header_and_size_columns_to_content():
    """Tables that run over pages repeat their header row; columns as wide as their content
    (乡镇（街道） on one line at 12 pt), the table as wide as the 版心."""
    doc = _doc(full_bulletin(), with_charts=False)
    for table in doc.tables[:-1]:
        rows = table._tbl.findall(qn("w:tr"))
        assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        assert all(r.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None for r in rows[1:])
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        widths = [int(g.get(qn("w:w"))) / 20 for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert abs(sum(widths) - BODY_WIDTH_PT) < 1
        headers = [c.text for c in table.rows[0].cells]
        unit_col = widths[headers.index("乡镇（街道）")]
        assert unit_col >= 6 * 12 + 10.8  # six characters of 12 pt and the cell margins
        assert len(table.rows) < 2 or widths[0] < widths[headers.index("乡镇（街道）")] or headers[0] == "乡镇（街道）"


def test_file_properties_name_the_issuing_office_and_the_generation_time():
    when = dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)
    doc = _doc(generated_at=when)
    props = doc.core_properties
    assert props.author == "南安市抓创新促应用专项行动工作领导小组办公室" and props.last_modified_by == props.author
    assert props.created == when == props.modified
    assert props.title == small_bulletin().title and props.language == "zh-CN"
    now = _doc().core_properties.created
    assert abs((now - dt.datetime.now(dt.UTC)).total_seconds()) < 120


def test_wording_of_a_gongwen_empty_period_and_no_platform_talk():
    data = small_bulletin()
    data.ranking = [BulletinRank(None, u, None, reason="无可计分指标，不参与排名") for u in ("水头", "柳城")]
    text = "\n".join(p.text for p in _doc(data, with_charts=False).paragraphs)
    assert "本期各乡镇（街道）尚无考评得分，暂不排名" in text
    assert "无考评得分位列前3名" not in text and "本平台" not in text
    data.annual = False
    text = "\n".join(p.text for p in _doc(data, with_charts=False).paragraphs)
    assert "尚无考评得分，暂不排名。" in text and "无暂列" not in text
