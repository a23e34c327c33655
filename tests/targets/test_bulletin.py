"""The 晾晒 bulletin in 公文 layout (GB/T 9704) and as a workbook."""
import io
import random
import zipfile
from datetime import date
from decimal import Decimal

from docx import Document
from docx.enum.text import WD_LINE_SPACING
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


# the 27 assessed units of 南政办〔2021〕67号 (short names, as in its 附件2 columns)
UNITS = ("溪美 柳城 美林 省新 仑苍 梅山 洪濑 霞美 官桥 水头 石井 英都 诗山 码头 金淘 罗东 康美 丰州 东田 翔云 "
         "蓬华 眉山 九都 乐峰 向阳 洪梅 雪峰").split()
INDICATORS = [("全社会研发经费投入", "万元"), ("高新技术企业数量", "家"), ("大院大所", "家"), ("省级以上科研平台", "个"),
              ("泉州市级科研平台", "个"), ("泉州市高层次人才团队", "个"), ("泉州市高层次人才创新创业项目", "个"),
              ("技术服务机构", "家"), ("技术合同认定登记成交额", "万元"), ("每万人口发明专利拥有量", "件")]


def township_sample() -> BulletinData:
    """A full-size bulletin: 27 units ranked (3 praised, 1 exempt, 2 penalised) × 10 indicators."""
    rnd = random.Random(2021)
    scores = sorted(((u, Decimal(rnd.randint(4000, 11500)) / 100) for u in UNITS), key=lambda x: (-x[1], x[0]))
    ranking = [BulletinRank(i, u, s, praised=i <= 3, penalised=i >= 26,
                            reason="考评得分后3名，但已完成目标任务，不予扣分" if i == 25 else "")
               for i, (u, s) in enumerate(scores, start=1)]
    indicators = []
    for name, unit in INDICATORS:
        lines = []
        for u in UNITS:
            target = Decimal(rnd.randint(1, 500))
            actual = Decimal(rnd.randint(0, 600)) if rnd.random() > 0.1 else None
            rate = None if actual is None else (actual / target).quantize(Decimal("0.0001"))
            level = None if rate is None else "green" if rate >= 1 else "yellow" if rate >= Decimal("0.8") else "red"
            lines.append(BulletinLine(u, target, actual, rate, level))
        indicators.append(BulletinIndicator(name, unit, lines))
    data = sample()
    data.ranking, data.indicators = ranking, indicators
    return data


def _pictures(doc):
    """(paragraph, inline shape) of every picture, in document order."""
    return [(p, shape) for p in doc.paragraphs for shape in p._p.xpath(".//wp:inline")]


def test_docx_layout_and_content():
    doc = Document(io.BytesIO(build_docx(sample())))
    s = doc.sections[0]
    assert [round(m.mm, 1) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    texts = [p.text for p in doc.paragraphs]
    title = next(p for p in doc.paragraphs if p.text.replace("\n", "") == sample().title)
    run = title.runs[0]
    assert run.font.size == Pt(22) and run.font.name == "方正小标宋简体"
    body = next(p for p in doc.paragraphs if p.text.startswith("根据南政办"))
    assert body.runs[0].font.name == "仿宋_GB2312" and body.runs[0].font.size == Pt(16)
    assert "南创新办〔2024〕1号" in texts and "2024年1月20日" in texts
    assert any("柳城考评得分位列后3名且未完成目标任务，予以绩效扣分" in t for t in texts)
    ranking = doc.tables[0]
    assert [c.text for c in ranking.rows[1].cells][:3] == ["1", "水头", "112.00"]
    assert [c.text for c in ranking.rows[0].cells] == ["名次", "乡镇（街道）", "综合得分", "结果运用"]
    assert ranking.rows[4].cells[3].text == "扣分"
    detail = doc.tables[1]
    assert [c.text for c in detail.rows[0].cells][-1] == "系统核算"
    assert [c.text for c in detail.rows[1].cells] == ["水头", "81", "100", "123.5%", "绿", "99"]
    assert "PAGE" in s.footer.paragraphs[0]._element.xml


def test_xlsx_has_ranking_and_detail():
    wb = load_workbook(io.BytesIO(build_xlsx(sample())))
    ranking = wb["排名"]
    assert [c.value for c in ranking[4]][:4] == [1, "水头", 112.0, "表扬"]
    (chart,) = ranking._charts  # native bar chart of the four scores, first place on top
    assert chart.type == "bar" and chart.x_axis.scaling.orientation == "maxMin" and chart.y_axis.crosses == "max"
    assert chart.x_axis.delete is False and chart.y_axis.delete is False  # axes shown in Excel
    assert chart.series[0].val.numRef.f == "'排名'!$C$4:$C$7" and chart.series[0].cat.strRef.f == "'排名'!$B$4:$B$7"
    detail = wb["指标明细"]
    assert [c.value for c in detail[4]][:7] == ["高新技术企业数量", "家", "柳城", 32, 20, 0.625, "红"]


def test_docx_has_the_two_charts_at_body_width_with_fangsong_captions():
    data = township_sample()
    body = build_docx(data)
    media = [n for n in zipfile.ZipFile(io.BytesIO(body)).namelist() if n.startswith("word/media/")]
    assert len(media) == 2 and all(n.endswith(".png") for n in media)
    doc = Document(io.BytesIO(body))
    assert [round(s.width.cm, 2) for s in doc.inline_shapes] == [15.6, 15.6]
    paragraphs = doc.paragraphs
    captions = [p for p in paragraphs if p.text.startswith("图")]
    assert [p.text for p in captions] == ["图1　2023年各乡镇（街道）综合得分排名",
                                          "图2　2023年各乡镇（街道）分项指标完成率"]
    for caption in captions:
        assert caption.runs[0].font.name == "仿宋_GB2312" and caption.alignment == 1  # centred
        picture = paragraphs[paragraphs.index(caption) - 1]  # the figure stands right above its caption
        assert picture._p.xpath(".//pic:pic") and picture.paragraph_format.line_spacing_rule == WD_LINE_SPACING.SINGLE
    texts = [p.text for p in paragraphs]
    # 图1 follows the ranking table in section 一, 图2 opens section 二 before the indicator tables
    assert texts.index("一、综合排名情况") < texts.index(captions[0].text) < texts.index("二、分项指标完成情况") \
        < texts.index(captions[1].text) < texts.index("（一）全社会研发经费投入（单位：万元）")
    assert len(doc.tables) == 1 + len(INDICATORS) + 1 and len(doc.tables[0].rows) == 28  # + the 版记
    assert "█" not in "".join(c.text for c in doc.tables[0].rows[1].cells)
    assert doc.tables[0].rows[25].cells[3].text == "不予扣分"
    data.annual = False  # half-year 晾晒: the table only says where a unit stands for now
    column = [c.text for c in Document(io.BytesIO(build_docx(data, with_charts=False))).tables[0].columns[3].cells]
    assert column[1:5] == ["暂列前3名"] * 3 + [""] and column[25:] == ["暂列后3名"] * 3


def test_docx_without_charts_or_without_ranked_units():
    data = sample()
    plain = Document(io.BytesIO(build_docx(data, with_charts=False)))
    assert len(plain.inline_shapes) == 0 and len(plain.tables) == 3  # ranking, one indicator, 版记
    assert not [p.text for p in plain.paragraphs if p.text.startswith("图")]
    # nobody ranked (no scored indicator): no ranking chart, the heat map becomes 图1
    data.ranking = [BulletinRank(None, u, None, reason="无可计分指标，不参与排名") for u in ("水头", "柳城")]
    doc = Document(io.BytesIO(build_docx(data)))
    assert len(doc.inline_shapes) == 1
    assert [p.text for p in doc.paragraphs if p.text.startswith("图")] == [
        "图1　2023年各乡镇（街道）分项指标完成率"]


def test_table_rows_copied_from_the_template_keep_their_formatting():
    doc = Document(io.BytesIO(build_docx(township_sample(), with_charts=False)))
    detail = doc.tables[1]
    for row in (detail.rows[1], detail.rows[27]):
        for cell in row.cells:
            run = cell.paragraphs[0].runs[0]
            assert run.font.name == "仿宋_GB2312" and run.font.size == Pt(12) and cell.paragraphs[0].alignment == 1
    fills = [c._tc.xpath("./w:tcPr/w:shd/@w:fill") for c in detail.columns[4].cells[1:]]
    levels = [line.level for line in township_sample().indicators[0].lines]
    assert fills == [[{"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE"}[lv]] if lv else [] for lv in levels]
