"""Each document rendered by a real office program (LibreOffice, ``soffice --headless
--convert-to pdf``) and measured on the PDF pages (pdfium): page count, no page but the last
less than half filled, page numbers where GB/T 9704-2012 7.5 puts them, the 版记 at the foot of
the last page (7.4), 28 characters to a body line (5.2.3), the workbook's title not cut.

Slow (a few seconds a document): marked ``libreoffice``; scripts/test.sh installs
libreoffice-writer-nogui and libreoffice-calc-nogui, and CI runs these tests."""

import pytest

from kechuang.rules.docx_report import build_docx as build_report
from kechuang.targets.bulletin import build_docx, build_xlsx

from .rendering import half_empty, pages, to_pdf
from .samples import full_bulletin, report_inputs, small_bulletin

pytestmark = pytest.mark.libreoffice

TEXT_BOTTOM_MM = 297 - 35  # 版心下边缘


def _numbers(ps):
    out = []
    for p in ps:
        below = [line for line in p.lines if line[2] > TEXT_BOTTOM_MM]
        assert below, f"page {p.number}: no page number below the text block"
        dashes = [line for line in below if line[0].strip() == "—"]
        digits = "".join(line[0].strip() for line in below if line[0].strip() not in ("—", ""))
        out.append((p.number, digits, min(d[1] for d in dashes), max(d[3] for d in dashes),
                    min(d[2] for d in dashes)))
    return out


def test_full_bulletin_renders_without_half_empty_pages(tmp_path):
    ps = pages(to_pdf(build_docx(full_bulletin()), ".docx", tmp_path))
    assert 8 <= len(ps) <= 14, len(ps)
    assert half_empty(ps) == [], [(p.number, round(p.ink_bottom_mm or 0)) for p in ps]
    # 7.5: “— N —”, the dash 7 mm below the 版心; odd pages right, even left, 空一字 (4号 ≈ 4.9 mm)
    for number, digits, left, right, dash_top in _numbers(ps):
        assert digits == str(number)
        assert abs(dash_top - (TEXT_BOTTOM_MM + 7)) < 1.0, (number, dash_top)
        if number % 2:
            assert 4.0 < (210 - 26) - right < 6.0, (number, right)
        else:
            assert 4.0 < left - 28 < 6.0, (number, left)
    # 7.4: the 版记 is on the last page, its last line ending on the 版心's last line
    last = ps[-1]
    printed = [line for line in last.lines if "印发" in line[0]]
    assert printed and TEXT_BOTTOM_MM - 10 < printed[-1][4] <= TEXT_BOTTOM_MM + 0.5
    assert any(line[0].startswith("抄送") for line in last.lines)
    # 7.2.2: the issuer on one line of page 1
    first = ps[0]
    assert any(line[0].strip() == "南安市抓创新促应用专项行动工作领导小组办公室" for line in first.lines)


def test_small_bulletin_lines_of_28_characters(tmp_path):
    """5.2.3: a full body line holds 28 characters (a line of CJK text only)."""
    ps = pages(to_pdf(build_docx(small_bulletin(), with_charts=False), ".docx", tmp_path))
    first = ps[0]
    addressee = next(line for line in first.lines if line[0].startswith("各乡镇（街道）"))
    assert len(addressee[0].strip()) == 28, addressee[0]
    assert 150 < addressee[3] - addressee[1] <= 156.5  # the line fills the 156 mm 版心
    assert half_empty(ps) == []


def test_diagnosis_report_renders_without_half_empty_pages(tmp_path):
    verdicts, facts = report_inputs()
    ps = pages(to_pdf(build_report(verdicts, facts), ".docx", tmp_path))
    assert 4 <= len(ps) <= 14, len(ps)
    assert half_empty(ps) == [], [(p.number, round(p.ink_bottom_mm or 0)) for p in ps]
    assert "企业资格预诊断报告" in ps[0].text()
    for number, digits, *_ in _numbers(ps):
        assert digits == str(number)


def test_bulletin_workbook_prints_on_few_pages_with_the_title_whole(tmp_path):
    data = full_bulletin()
    ps = pages(to_pdf(build_xlsx(data), ".xlsx", tmp_path), body_top_mm=10, body_bottom_mm=287)
    assert len(ps) <= 8, len(ps)  # 27 ranked units and 270 indicator lines, fitted to the width
    assert data.title in ps[0].text().replace("\n", "").replace("\r", "").replace(" ", "")


def test_wide_export_prints_landscape_one_page_wide_with_the_header_repeated(tmp_path):
    import datetime as dt

    from kechuang.core.xlsx import Col, new_workbook, to_bytes, write_table

    columns = [Col("年度", "int"), Col("统一社会信用代码", "code"), Col("企业名称"), Col("所属乡镇"), Col("政策文件"),
               Col("条款"), Col("措施"), Col("金额（万元）", "money"), Col("最高金额（万元）", "money"),
               Col("状态"), Col("公示日期", "date"), Col("所用数据", width=60)]
    rows = [[2025, f"91350583MA2YEX{i:04d}", f"南安市示例石材有限公司{i}", "水头镇", "南政规〔2025〕2号", "（一）",
             "国家高新技术企业认定奖励", 10 + i / 100, 20, "已公示", dt.date(2025, 6, 1),
             "2024 年高新技术企业认定；研发费用 423 万元"] for i in range(120)]
    wb = new_workbook()
    write_table(wb.create_sheet("兑现案件"), columns, rows, title="兑现案件（导出）")
    ps = pages(to_pdf(to_bytes(wb), ".xlsx", tmp_path), body_top_mm=5, body_bottom_mm=200)
    assert ps[0].width_mm > ps[0].height_mm and round(ps[0].width_mm) == 297  # A4 landscape
    for p in ps:  # every column on every page (fit to width), the header repeated
        text = p.text().replace(" ", "")
        assert "统一社会信用代码" in text and "所用数据" in text, p.number
    first = ps[0].text().replace(" ", "")
    assert "91350583MA2YEX0000" in first and "2025-06-01" in first  # the code whole, the date as a date
    assert "###" not in "".join(p.text() for p in ps)
