"""Chart images of the bulletin: a real Chinese font, every label drawable, the right bars and cells."""
import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.colors import to_hex
from matplotlib.text import Text
from PIL import Image

from kechuang.targets import charts
from kechuang.targets.bulletin import BulletinIndicator, BulletinLine, BulletinRank

from .test_bulletin import township_sample

REPO = Path(__file__).resolve().parents[2]


def _ttfont(font: charts.CjkFont) -> TTFont:
    return TTFont(font.path, fontNumber=font.face_index, lazy=True)


def _texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text() and t.get_visible()]


def test_the_font_is_the_packaged_noto_sans_cjk_sc():
    font = charts.cjk_font()
    assert font.family == "Noto Sans CJK SC" and "noto_cjk_sans_otc" in font.source
    tt = _ttfont(font)
    assert tt["name"].getDebugName(1) == "Noto Sans CJK SC"  # the Simplified Chinese face of the .ttc
    assert "OFL" in (tt["name"].getDebugName(13) or "") + (tt["name"].getDebugName(14) or "")


def test_every_character_drawn_is_a_real_glyph_of_the_chart_font():
    data = township_sample()
    font = charts.cjk_font()
    tt = _ttfont(font)
    cmap = tt.getBestCmap()
    glyphs = tt.getGlyphSet()
    for fig in (charts.ranking_figure(data.ranking), charts.heatmap_figure(data.indicators)):
        fig.canvas.draw()  # tick labels exist only once drawn
        texts = _texts(fig)
        drawn = "".join(t.get_text() for t in texts)
        assert "诗山" in drawn or "水头" in drawn
        for t in texts:  # every label is set in the CJK face, none falls back to DejaVu Sans
            path = t.get_fontproperties().get_file()
            assert (str(path), getattr(path, "face_index", 0)) == (font.path, font.face_index), t.get_text()
        for char in set(drawn) - {" ", "\n"}:
            assert ord(char) in cmap, f"{char!r} not in the font"
            pen = BoundsPen(glyphs)
            glyphs[cmap[ord(char)]].draw(pen)
            assert pen.bounds is not None, f"{char!r} has an empty outline"


def test_dejavu_sans_would_draw_boxes_and_the_check_says_so():
    dejavu = font_manager.findfont("DejaVu Sans", fallback_to_default=False)
    font = charts.CjkFont(dejavu, 0, "DejaVu Sans", "test")
    assert charts.missing_glyphs(font, ["1  水头", "综合得分 112.00"]) == ["水", "头", "综", "合", "得", "分"]
    assert charts.missing_glyphs(charts.cjk_font(), ["1  水头", "综合得分 112.00"]) == []


def test_a_label_the_font_cannot_draw_is_an_error_naming_the_character():
    ranking = [BulletinRank(1, "水头\ue000", Decimal("99"), praised=True)]
    with pytest.raises(charts.ChartFontError, match="排名图.*缺少字符 \ue000"):
        charts.ranking_chart(ranking)


def test_no_chinese_font_anywhere_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(charts, "_packaged_font", lambda: None)
    monkeypatch.setattr(charts, "_system_font", lambda entries=None: None)
    charts.cjk_font.cache_clear()
    try:
        with pytest.raises(charts.ChartFontError, match="noto-cjk-sans-otc"):
            charts.ranking_chart([BulletinRank(1, "水头", Decimal("99"))])
    finally:
        charts.cjk_font.cache_clear()


def test_system_fallback_takes_a_font_covering_chinese_and_skips_latin_only_ones():
    dejavu = SimpleNamespace(fname=font_manager.findfont("DejaVu Sans"), name="DejaVu Sans", index=0)
    assert charts._system_font([dejavu]) is None
    packaged = charts.cjk_font()
    cjk = SimpleNamespace(fname=packaged.path, name="Some CJK", index=packaged.face_index)
    found = charts._system_font([dejavu, cjk])
    assert (found.path, found.face_index, found.source) == (packaged.path, packaged.face_index, "系统字体")


def test_ranking_png_is_body_width_at_300_dpi_with_the_four_bar_colours():
    data = township_sample()
    image = Image.open(io.BytesIO(charts.ranking_chart(data.ranking)))
    assert image.format == "PNG" and round(image.info["dpi"][0]) == 300
    assert abs(image.width - 156 / 25.4 * 300) < 1  # 156 mm (the A4 公文 body width) at 300 dpi
    colours = {c for _, c in image.convert("RGB").getcolors(1 << 20)}
    for hex_ in (charts.BAR_PRAISED, charts.BAR_NORMAL, charts.BAR_PENALISED, charts.BAR_EXEMPT):
        assert charts._rgb(hex_) in colours, hex_
    assert len(colours) > 20  # anti-aliased text, not a blank or flat image


def test_ranking_bars_follow_the_ranking_with_values_and_colours():
    data = township_sample()
    fig = charts.ranking_figure(data.ranking)
    ax = fig.axes[0]
    bars = [p for p in ax.patches]
    ranked = [r for r in data.ranking if r.score is not None]
    assert [round(b.get_width(), 2) for b in bars] == [float(r.score) for r in ranked]
    assert [to_hex(b.get_facecolor()).upper() for b in bars[:4]] == [charts.BAR_PRAISED] * 3 + [charts.BAR_NORMAL]
    assert [to_hex(b.get_facecolor()).upper() for b in bars[-3:]] == [charts.BAR_EXEMPT, charts.BAR_PENALISED,
                                                                      charts.BAR_PENALISED]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == f"1  {ranked[0].unit}" and labels[-1] == f"27  {ranked[-1].unit}"
    values = [t.get_text() for t in ax.texts]
    assert format(ranked[0].score, ".2f") in values and "满分线 100" in values
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["前3名（表扬）", "其他", "后3名且未完成目标（扣分）", "后3名但已完成目标（不扣分）"]
    half_year = charts.ranking_figure(data.ranking[:5], annual=False)  # 晾晒: nobody is penalised yet
    assert [t.get_text() for t in half_year.legends[0].get_texts()] == ["暂列前3名", "其他"]


def test_unranked_units_are_left_out_and_none_ranked_is_an_error():
    ranking = [BulletinRank(1, "水头", Decimal("80")), BulletinRank(None, "溪美", None, reason="无可计分指标")]
    ax = charts.ranking_figure(ranking, full_mark=None).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1  水头"]
    with pytest.raises(ValueError, match="没有参与排名的单位"):
        charts.ranking_chart([BulletinRank(None, "溪美", None)])


def test_heatmap_cells_show_rates_coloured_by_warning_level():
    indicators = [
        BulletinIndicator("高新技术企业数量", "家", [
            BulletinLine("水头", Decimal(81), Decimal(100), Decimal("1.2346"), "green"),
            BulletinLine("溪美", Decimal(49), Decimal(40), Decimal("0.8163"), "yellow"),
            BulletinLine("柳城", Decimal(32), None, None, None),
            BulletinLine("洪梅", Decimal(0), Decimal(0), None, None)]),
        BulletinIndicator("技术合同认定登记成交额", "万元", [
            BulletinLine("溪美", Decimal(500), Decimal(100), Decimal("0.2"), "red")]),
    ]
    fig = charts.heatmap_figure(indicators, ["溪美", "水头"])  # ranking order first, then the rest
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["溪美", "水头", "柳城", "洪梅"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["高新技术企业数量", "技术合同认定登记成交额"]  # wide columns
    cells = [t.get_text() for t in ax.texts]
    assert cells == ["81.6%", "20.0%", "123.5%", "/", "未报", "/", "目标为0", "/"]
    fills = [to_hex(c).upper() for c in ax.collections[0].get_facecolors()]
    assert fills == [charts.LEVEL_COLOURS["yellow"], charts.LEVEL_COLOURS["red"], charts.LEVEL_COLOURS["green"],
                     charts.NO_TARGET, charts.NOT_REPORTED, charts.NO_TARGET, charts.NO_TARGET, charts.NO_TARGET]


def test_heatmap_headers_wrap_and_drop_a_long_bracketed_explanation():
    name = "新增省级以上创新平台（重点实验室、技术转移机构、新型研发机构、工程技术研究中心、企业技术中心、产业技术研究院、科技企业孵化器）"
    assert charts._wrap(name, 5) == "新增省级以\n上创新平台"
    assert charts._wrap("泉州市高层次人才创新创业项目", 5) == "泉州市高层\n次人才创新\n创业项目"
    assert charts._wrap("大院大所", 5) == "大院大所"
    assert charts._wrap("一二三四五六七八九十一二三四五六七八九十一二三", 5) == "一二三四五\n六七八九十\n一二三四五\n六七八九…"
    with pytest.raises(ValueError, match="没有指标数据"):
        charts.completion_heatmap([BulletinIndicator("大院大所", "家", [])])


def test_importing_the_bulletin_does_not_import_matplotlib():
    code = "import sys, kechuang.targets.bulletin; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
