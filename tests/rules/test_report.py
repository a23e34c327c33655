"""Chinese text report and Word report from verdicts."""

import datetime as dt
import io

from docx import Document

from kechuang.rules.docx_report import build_docx
from kechuang.rules.engine import evaluate_all
from kechuang.rules.facts import parse_facts
from kechuang.rules.report import render_text

FACTS = {
    "name": "泉州示例新材料有限公司", "uscc": "91110000600037341L",
    "established_on": "2019-03-01", "employees": 100, "tech_staff": 8,
    "high_tech_field": "新材料",
    "years": [{"year": y, "sales_revenue": 3000, "rd_expense": r, "rd_expense_domestic": r,
               "total_income": 3000, "hitech_revenue": 1800, "net_assets": 1000}
              for y, r in ((2023, 150), (2024, 150), (2025, 123))],
    "ip_rights": [],
}
ON = dt.date(2026, 6, 30)


def test_text_report_names_the_gaps_in_chinese():
    f = parse_facts(FACTS)
    text = render_text(evaluate_all(f, ON), f)
    assert "泉州示例新材料有限公司" in text
    assert "【高新技术企业】暂不符合" in text
    assert "近三年研发费用还差 27.0 万元" in text
    assert "还需 2 名科技人员" in text
    assert "需至少 1 项" in text  # IP ownership
    assert "下一步" in text


def test_docx_report_contains_every_scheme_and_the_gaps():
    f = parse_facts(FACTS)
    data = build_docx(evaluate_all(f, ON), f)
    doc = Document(io.BytesIO(data))
    body = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    for title in ("高新技术企业", "科技型中小企业", "创新型中小企业", "专精特新中小企业", "小巨人"):
        assert title in body
    assert "近三年研发费用还差 27.0 万元" in cells
    assert "国科发火〔2016〕32号 第十一条（五）1" in cells
