"""The pre-diagnosis Word report (page of the bulletin, readable tables, plain Chinese, the same
document from the page and from ``kechuang diagnose --docx``), the Excel exports (widths,
frozen header, filters, typed cells, print set-up) and the import template's drop-downs."""

import datetime as dt
import io
import json
import re
import zipfile
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from kechuang.core.docx_layout import BODY_WIDTH_PT
from kechuang.core.xlsx import Col, new_workbook, to_bytes, write_table
from kechuang.enterprises.excel_io import write_template
from kechuang.rules.docx_report import build_docx, plain_words, value_text
from kechuang.targets.bulletin import build_xlsx

from .samples import ON, full_bulletin, report_inputs

SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def _report():
    verdicts, facts = report_inputs()
    return verdicts, Document(io.BytesIO(build_docx(verdicts, facts)))


def _widths(table):
    return [int(g.get(qn("w:w"))) / 20 for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def test_report_page_is_the_bulletins_a4_text_block():
    """GB/T 9704-2012 5.2: A4, 版心 156 × 225 mm (37 / 35 / 28 / 26 mm), page numbers 7.5."""
    _, doc = _report()
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(m.mm, 1) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    assert "PAGE" in s.footer.paragraphs[0]._p.xml and "PAGE" in s.even_page_footer.paragraphs[0]._p.xml


def test_report_cover_summary_and_one_section_per_scheme():
    verdicts, doc = _report()
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "泉州示例新材料有限公司" in cells and "2026年6月30日" in cells and "水头镇" in cells
    assert "高新技术企业认定管理办法（国科发火〔2016〕32号）" in cells  # the rules by title
    for v in verdicts:
        assert v.rules_version not in text + cells  # no rule hashes
    summary = doc.tables[1]
    assert [c.text for c in summary.rows[0].cells] == ["认定类型", "结论", "评分", "主要差距"]
    assert [r.cells[1].text for r in summary.rows[1:]] == ["不符合", "不符合", "待补充", "不符合", "不符合"]
    headings = [p.text for p in doc.paragraphs if p.runs and p.runs[0].font.name == "黑体" and "、" in p.text[:3]]
    assert headings == ["一、总体结论", "二、高新技术企业", "三、科技型中小企业", "四、创新型中小企业",
                        "五、专精特新中小企业", "六、专精特新“小巨人”企业"]


def test_report_condition_tables_are_readable():
    """Condition wide, result narrow (缺少数据 on one line), citations as the last column, header
    repeated on every page, columns fitting the 版心."""
    verdicts, doc = _report()
    tables = doc.tables[2:]
    assert len(tables) == len(verdicts)
    for table in tables:
        assert [c.text for c in table.rows[0].cells] == ["条件", "结果", "企业情况与差距", "依据"]
        tr0 = table._tbl.findall(qn("w:tr"))[0]
        assert tr0.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        w = _widths(table)
        assert abs(sum(w) - BODY_WIDTH_PT) < 1
        assert w[1] >= 4 * 10.5 + 10.8 and w[0] > w[1] and w[2] > w[0]  # 缺少数据 fits; condition wide
    hnte = tables[0]
    rd = next(r for r in hnte.rows if r.cells[0].text == "近三年研发费用占销售收入比例")
    assert rd.cells[1].text == "不符合" and "差距：近三年研发费用还差 27.0 万元" in rd.cells[2].text
    assert rd.cells[3].text.startswith("国科发火〔2016〕32号")


def test_report_speaks_plain_chinese():
    """No field names (employees: 86), no facts keys in gaps (qualifications, scheme_scores.srdi_sme)."""
    _, doc = _report()
    everything = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert not SNAKE.findall(everything), SNAKE.findall(everything)[:5]
    assert "qualifications" not in everything and ": " not in everything
    assert value_text({"employees": 86, "sales_revenue": 1263.64}) == "职工总数 86 人；销售收入 1263.64 万元"
    assert plain_words("请填写已取得的资质（qualifications）") == "请填写已取得的资质"
    from kechuang.rules.facts import key_label

    label = key_label("scheme_scores.srdi_sme")
    assert "专精特新" in label and plain_words("请填写 scheme_scores.srdi_sme") == f"请填写 {label}"


def test_cli_docx_is_the_document_the_page_downloads(tmp_path):
    from tests.rules.test_report import FACTS

    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({**FACTS, "region": "水头镇"}, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "报告.docx"
    call_command("diagnose", "--scheme", "all", "--facts", str(facts), "--on", ON.isoformat(), "--docx", str(out),
                 stdout=io.StringIO())
    verdicts, f = report_inputs()
    page = build_docx(verdicts, f)

    def body(blob):
        return zipfile.ZipFile(io.BytesIO(blob)).read("word/document.xml")

    assert body(out.read_bytes()) == body(page)
    with pytest.raises(Exception, match="--docx"):
        call_command("diagnose", "--scheme", "hnte", "--facts", str(facts), "--docx", str(tmp_path / "无此目录" / "x.docx"),
                     stdout=io.StringIO())


def test_export_writer_types_widths_freeze_filters_and_print_setup():
    wb = new_workbook()
    ws = wb.create_sheet("兑现案件")
    rows = [[2025, "91350583MA2YEXAMP1", "南安市示例石材有限公司", 12.5, 0.0512, dt.date(2025, 3, 18)],
            [2026, "91350583MA2YEXAMP2", "甲", 3, None, None]]
    write_table(ws, [Col("年度", "int"), Col("统一社会信用代码", "code"), Col("企业名称"), Col("金额（万元）", "money"),
                     Col("比例", "ratio"), Col("公示日期", "date")], rows, title="兑现案件（导出）")
    ws = load_workbook(io.BytesIO(to_bytes(wb)))["兑现案件"]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:F4"
    assert ws["D3"].value == 12.5 and ws["D3"].number_format == "#,##0.00"
    assert ws["E3"].number_format == "0.0%" and isinstance(ws["F3"].value, dt.datetime)
    assert ws["F3"].number_format == "yyyy-mm-dd" and ws.column_dimensions["F"].width >= 10
    assert ws.column_dimensions["B"].width >= 18 + 2  # the whole credit code
    assert ws.column_dimensions["C"].width >= 11 * 2  # eleven CJK characters
    assert ws.page_setup.paperSize == 9 and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$2"


def test_bulletin_workbook_prints_fitted_with_its_title():
    wb = load_workbook(io.BytesIO(build_xlsx(full_bulletin())))
    for ws in wb.worksheets:
        assert ws.page_setup.paperSize == 9 and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows
        assert "A1" in {str(m).split(":")[0] for m in ws.merged_cells.ranges}  # the title spans the table
        assert ws.freeze_panes and ws.auto_filter.ref
    detail = wb["指标明细"]
    assert detail["F3"].number_format == "0.0%" and detail.column_dimensions["A"].width >= 2 * 12


def test_import_template_drop_downs_for_ip_kind_and_qualification_kind():
    """知识产权·类型 and 资质·资质类型 get their lists (the `ref is None` check used to skip them)."""
    buffer = io.BytesIO()
    write_template(buffer, ["水头镇", "溪美街道"])
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    lists = wb["下拉列表"]

    def values(ws, header):
        col = next(c.column_letter for c in ws[1] if c.value == header)
        (dv,) = [d for d in ws.data_validations.dataValidation if any(str(r).startswith(f"{col}2") for r in d.sqref.ranges)]
        sheet, rng = dv.formula1.split("!")
        assert sheet.strip("'") == "下拉列表"
        return [c.value for row in lists[rng.replace("$", "")] for c in row]

    assert {"发明专利", "实用新型", "外观设计", "软件著作权", "集成电路布图设计", "植物新品种"} <= set(values(wb["知识产权"], "类型"))
    assert {"自主研发", "受让", "受赠", "并购"} <= set(values(wb["知识产权"], "获得方式"))
    assert {"高新技术企业", "科技型中小企业", "创新型中小企业", "专精特新中小企业", "规上企业"} <= set(
        values(wb["资质"], "资质类型"))
    assert "水头镇" in values(wb["企业"], "所属乡镇")
    for title in ("企业", "年度数据", "知识产权", "资质"):
        ws = wb[title]
        assert ws.freeze_panes == "A2" and ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"


@pytest.mark.django_db
def test_downloads_have_chinese_names_with_the_date(world, client_for):
    staff = client_for(world.staff)
    today = dt.date.today().isoformat()

    def name(r):
        assert r.status_code == 200, r.status_code
        return unquote(r["Content-Disposition"].split("filename*=UTF-8''")[1])

    assert name(staff.get("/policies/cases/export.xlsx")) == f"兑现案件-{today}.xlsx"
    assert name(staff.get("/policies/publicity/export.xlsx")) == f"政策兑现公示-{today}.xlsx"
    assert name(staff.get("/enterprises/template/")) == f"企业库导入模板-{today}.xlsx"
    r = client_for(world.ent_user_a).get(f"/diagnosis/enterprise/{world.enterprise_a.pk}/report.docx?on=2026-06-30")
    assert name(r) == f"{world.enterprise_a.name}资格预诊断报告-2026-06-30.docx"
    staff.post("/diagnosis/pipeline/run/", {"on": "2026-06-30"})
    from kechuang.diagnosis.models import DiagnosisRun
    from kechuang.jobs.worker import run_pending

    run_pending()  # the 培育库 run is a background job: the worker runs it
    run = DiagnosisRun.objects.get()
    r = staff.get(f"/diagnosis/pipeline/{run.pk}/export.xlsx")
    assert name(r) == f"高企培育库-第{run.pk}次运行-2026-06-30.xlsx"
    ws = load_workbook(io.BytesIO(r.content))["培育库"]
    header = [c.value for c in ws[2]]
    assert "高企创新能力评分·最低分" in header and "高企创新能力评分·最高分" in header
    info = load_workbook(io.BytesIO(r.content))["运行信息"]
    assert isinstance(info["B3"].value, dt.datetime) and info["B3"].number_format == "yyyy-mm-dd"
