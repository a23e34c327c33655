"""The 晾晒 bulletin in 公文 layout (GB/T 9704) and as a workbook."""
import io
from datetime import date
from decimal import Decimal

from docx import Document
from docx.shared import Pt
from openpyxl import load_workbook

from kechuang.targets.bulletin import (
    BulletinData,
    BulletinIndicator,
    BulletinLine,
    BulletinRank,
    build_docx,
    build_xlsx,
)


def sample():
    return BulletinData(
        title="关于2023年全市抓创新促应用专项行动目标任务完成情况的通报",
        period_label="2023年", issuer="南安市抓创新促应用专项行动工作领导小组办公室",
        doc_number="南创新办〔2024〕1号", issued_on=date(2024, 1, 20),
        addressees="各乡镇（街道）人民政府（办事处）、雪峰开发区管委会，市直有关单位：",
        intro="根据南政办〔2021〕67号“半年一晾晒、全年一考核”的要求，现将有关情况通报如下。",
        ranking=[BulletinRank(1, "水头", Decimal("112.00"), praised=True),
                 BulletinRank(2, "溪美", Decimal("98.50"), praised=True),
                 BulletinRank(3, "石井", Decimal("90"), praised=True),
                 BulletinRank(4, "柳城", Decimal("60"), penalised=True, reason="考评得分后3名且未完成目标任务")],
        indicators=[BulletinIndicator("高新技术企业数量", "家", [
            BulletinLine("水头", Decimal(81), Decimal(100), Decimal("1.2346"), "green", Decimal(99)),
            BulletinLine("柳城", Decimal(32), Decimal(20), Decimal("0.625"), "red", None)])],
        annual=True, requirements=["各乡镇（街道）要对照目标任务，倒排工期。"],
        copy_to="市委办、市人大办、市政府办、市政协办", printer="南安市科学技术局办公室")


def test_docx_layout_and_content():
    doc = Document(io.BytesIO(build_docx(sample())))
    s = doc.sections[0]
    assert [round(m.mm, 1) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    texts = [p.text for p in doc.paragraphs]
    title = next(p for p in doc.paragraphs if p.text == sample().title)
    run = title.runs[0]
    assert run.font.size == Pt(22) and run.font.name == "方正小标宋简体"
    body = next(p for p in doc.paragraphs if p.text.startswith("根据南政办"))
    assert body.runs[0].font.name == "仿宋_GB2312" and body.runs[0].font.size == Pt(16)
    assert "南创新办〔2024〕1号" in texts and "2024年1月20日" in texts
    assert any("柳城考评得分位列后3名且未完成目标任务，予以绩效扣分" in t for t in texts)
    ranking = doc.tables[0]
    assert [c.text for c in ranking.rows[1].cells][:3] == ["1", "水头", "112.00"]
    assert ranking.rows[4].cells[4].text == "扣分"
    detail = doc.tables[1]
    assert [c.text for c in detail.rows[0].cells][-1] == "系统核算"
    assert [c.text for c in detail.rows[1].cells] == ["水头", "81", "100", "123.5%", "绿", "99"]
    assert "PAGE" in s.footer.paragraphs[0]._element.xml


def test_xlsx_has_ranking_and_detail():
    wb = load_workbook(io.BytesIO(build_xlsx(sample())))
    ranking = wb["排名"]
    assert [c.value for c in ranking[4]][:4] == [1, "水头", 112.0, "表扬"]
    detail = wb["指标明细"]
    assert [c.value for c in detail[3]][:7] == ["高新技术企业数量", "家", "柳城", 32, 20, 0.625, "红"]
