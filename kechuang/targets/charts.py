"""Chart images (PNG) for the 晾晒 / 考核 bulletin: the ranking bars and the completion heat map.

Rendered with matplotlib's Agg backend (no display) on a :class:`matplotlib.figure.Figure`
without pyplot, so no global figure state is shared between requests; every text is given
its font explicitly (no rcParams change). matplotlib is imported inside the functions: pages
that never build a bulletin do not pay for it.

Images are 156 mm wide (the body width of an A4 公文 page, 210 − 28 − 26 mm) at 300 dpi and
inserted at that width, so a 9 pt label prints at 9 pt.

Chinese font: a fresh server has no CJK system font and matplotlib's own DejaVu Sans has no
Chinese glyphs (they would print as empty boxes). The font is found, in this order, in
* the PyPI package ``noto-cjk-sans-otc`` (Noto Sans CJK, SIL OFL 1.1; face “Noto Sans CJK SC”
  of NotoSansCJK-Regular.ttc),
* the PyPI package ``mplfonts`` (its NotoSansCJKsc-Regular.otf, OFL; its SimHei.ttf is not used),
* a system font known to matplotlib's font manager that covers the probe characters,
and :class:`ChartFontError` is raised when there is none. Before rendering, every character
of every label is checked against the font's character map: a missing glyph is an error
naming the characters, never a silent box.
"""
from __future__ import annotations

import io
import re
import textwrap
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .bulletin import BulletinIndicator, BulletinRank

__all__ = [
    "BODY_WIDTH_MM",
    "DPI",
    "ChartFontError",
    "CjkFont",
    "cjk_font",
    "completion_heatmap",
    "heatmap_figure",
    "missing_glyphs",
    "ranking_chart",
    "ranking_figure",
]

BODY_WIDTH_MM = 156  # A4 210 mm − left margin 28 mm − right margin 26 mm (GB/T 9704-2012 版心)
DPI = 300
# the tallest chart: with its caption under half the 225 mm 版心, so a figure that moves to the
# next page never leaves a page more than half empty (GB/T 9704 pages are filled)
MAX_HEIGHT_MM = 90.0
MM_PER_INCH = 25.4
PT_MM = MM_PER_INCH / 72  # one typographic point in mm
# Characters a usable font must have (checked for the system fallback).
PROBE = "南安市水头镇溪美街道综合得分排名完成率预警表扬扣分0123456789%."
# Colours. Heat-map fills are those of the bulletin's tables (LEVEL_FILL in bulletin.py).
LEVEL_COLOURS = {"green": "#C6EFCE", "yellow": "#FFEB9C", "red": "#FFC7CE"}
LEVEL_NAMES = {"green": "绿色预警", "yellow": "黄色预警", "red": "红色预警"}
NOT_REPORTED = "#E7E6E6"
NO_TARGET = "#FFFFFF"
BAR_PRAISED = "#1F4E79"
BAR_NORMAL = "#9DC3E6"
BAR_PENALISED = "#C00000"
BAR_EXEMPT = "#A6A6A6"

TEXT_DARK, TEXT_GREY, GRID = "#262626", "#595959", "#BFBFBF"


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


_KEY_COLOURS = [_rgb(c) for c in ("#FFFFFF", "#000000", *LEVEL_COLOURS.values(), NOT_REPORTED, BAR_PRAISED,
                                  BAR_NORMAL, BAR_PENALISED, BAR_EXEMPT, TEXT_DARK, TEXT_GREY, GRID, "#D9D9D9")]

_PACKAGED_FONTS = (
    # (package, path inside it, family name expected in the face)
    ("noto_cjk_sans_otc", "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf", "Noto Sans CJK SC"),
)
_SYSTEM_PREFERRED = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Source Han Sans CN",
                     "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei",
                     "PingFang SC", "Heiti SC", "Noto Sans CJK JP")
_RENDER_LOCK = threading.Lock()


class ChartFontError(RuntimeError):
    """No Chinese font to draw the charts with, or a label the font cannot draw."""


@dataclass(frozen=True)
class CjkFont:
    """The font the charts are drawn with: file, face in it, family name, where it came from."""

    path: str
    face_index: int
    family: str
    source: str

    def properties(self, size: float):
        """A matplotlib FontProperties for this exact face at ``size`` points."""
        from matplotlib.font_manager import FontPath, FontProperties

        return FontProperties(fname=FontPath(self.path, self.face_index), size=size)

    def codepoints(self) -> frozenset[int]:
        """The characters this face maps to a glyph (its cmap)."""
        return _codepoints(self.path, self.face_index)


@lru_cache(maxsize=8)
def _codepoints(path: str, face_index: int) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(path, face_index=face_index).get_charmap())


def _face_named(path: str, family: str) -> int | None:
    """Index of the face of ``path`` whose family is ``family`` (a .ttc holds several)."""
    from matplotlib.ft2font import FT2Font

    first = FT2Font(path)
    for index in range(first.num_faces):
        face = first if index == 0 else FT2Font(path, face_index=index)
        if face.family_name == family:
            return index
    return None


def _packaged_font() -> CjkFont | None:
    for package, inner, family in _PACKAGED_FONTS:
        try:
            resource = resources.files(package).joinpath(inner)
        except ModuleNotFoundError:
            continue
        if not resource.is_file():
            continue
        path = str(resource)  # installed wheels are plain directories, no extraction needed
        index = _face_named(path, family)
        if index is not None:
            return CjkFont(path, index, family, f"Python 包 {package}（{inner}）")
    return None


def _system_font(entries: Iterable | None = None) -> CjkFont | None:
    """A font of matplotlib's font list that covers :data:`PROBE`, preferring known CJK families.

    ``entries``: FontEntry-like objects with ``fname``, ``name`` and ``index`` (default: the
    system fonts matplotlib found).
    """
    if entries is None:
        from matplotlib import font_manager

        entries = font_manager.fontManager.ttflist
    entries = list(entries)
    rank = {name: i for i, name in enumerate(_SYSTEM_PREFERRED)}
    entries.sort(key=lambda e: (rank.get(e.name, len(rank)), str(e.fname)))
    needed = {ord(c) for c in PROBE}
    for entry in entries:
        index = getattr(entry, "index", 0) or 0
        try:
            covered = _codepoints(str(entry.fname), index)
        except (OSError, RuntimeError, ValueError):
            continue
        if needed <= covered:
            return CjkFont(str(entry.fname), index, entry.name, "系统字体")
    return None


@lru_cache(maxsize=1)
def cjk_font() -> CjkFont:
    """The Chinese font for the charts (packaged first, then system); raises :class:`ChartFontError`."""
    font = _packaged_font() or _system_font()
    if font is None:
        raise ChartFontError(
            "生成通报图表需要中文字体，但未找到：请安装 Python 包 noto-cjk-sans-otc"
            "（pip install noto-cjk-sans-otc），或在服务器上安装中文字体（如 fonts-noto-cjk），"
            "否则图中的中文将显示为方框。")
    return font


def missing_glyphs(font: CjkFont, texts: Iterable[str]) -> list[str]:
    """Characters of ``texts`` (whitespace aside) that ``font`` has no glyph for, in order of appearance."""
    covered = font.codepoints()
    missing: dict[str, None] = {}
    for text in texts:
        for char in text:
            if not char.isspace() and ord(char) not in covered:
                missing[char] = None
    return list(missing)


def _check(font: CjkFont, texts: list[str], chart: str) -> None:
    missing = missing_glyphs(font, texts)
    if missing:
        raise ChartFontError(f"{chart}：字体 {font.family}（{font.source}）缺少字符 {'、'.join(missing)}，"
                             "无法正确显示，请更换字体或修改名称。")


def _figure(height_mm: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(BODY_WIDTH_MM / MM_PER_INCH, height_mm / MM_PER_INCH), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    """The figure as a 256-colour PNG at :data:`DPI`: a third of the RGBA file's size and the same
    look (a handful of flat colours plus the anti-aliasing of the text); the fast-octree
    quantizer takes 0.05 s where the default median cut takes 0.35 s."""
    import numpy as np
    from PIL import Image

    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    image = Image.fromarray(rgb).quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    # the octree drops the low bits (white becomes 254, 254, 254): put the flat colours back exactly
    palette = image.getpalette()
    for i in range(0, len(palette), 3):
        entry = palette[i:i + 3]
        for key in _KEY_COLOURS:
            if max(abs(a - b) for a, b in zip(entry, key, strict=True)) <= 3:
                palette[i:i + 3] = key
                break
    image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def _em(text: str) -> float:
    """Approximate width of ``text`` in ems: CJK and full-width characters 1, others 0.55."""
    return sum(1.0 if ord(c) > 0x2E80 else 0.55 for c in text)


def _text_mm(text: str, size_pt: float) -> float:
    return _em(text) * size_pt * PT_MM


def _score_text(score: Decimal) -> str:
    return format(score.quantize(Decimal("0.01")), "f")


def ranking_chart(ranking: Sequence[BulletinRank], *, full_mark: Decimal | None = Decimal(100),
                  annual: bool = True) -> bytes:
    """The ranking bars (:func:`ranking_figure`) as PNG bytes, 156 mm wide at 300 dpi."""
    with _RENDER_LOCK:  # matplotlib's FreeType font objects are cached and shared between threads
        return _png(ranking_figure(ranking, full_mark=full_mark, annual=annual))


def ranking_figure(ranking: Sequence[BulletinRank], *, full_mark: Decimal | None = Decimal(100),
                   annual: bool = True):
    """Horizontal bars of the ranked units' scores, first place on top; a matplotlib Figure.

    Colours: 前3名（表扬） dark blue; 后3名且未完成目标（扣分） red; a bottom-3 unit that met
    its targets (不予扣分) grey; the others light blue. Each bar is labelled with its score;
    a dashed line marks ``full_mark`` (every weighted target exactly reached), if given.
    ``annual`` False (半年晾晒) words the legend as the bulletin does: 暂列前3名 / 暂列后3名.
    Units without a score (not ranked) are left out. Raises ValueError when none is ranked.
    """
    ranked = [r for r in ranking if r.score is not None and r.rank is not None]
    if not ranked:
        raise ValueError("排名图：没有参与排名的单位")
    font = cjk_font()
    labels = [f"{r.rank}  {r.unit}" for r in ranked]
    if annual:
        legend = [("前3名（表扬）", BAR_PRAISED), ("其他", BAR_NORMAL),
                  ("后3名且未完成目标（扣分）", BAR_PENALISED), ("后3名但已完成目标（不扣分）", BAR_EXEMPT)]
    else:
        legend = [("暂列前3名", BAR_PRAISED), ("其他", BAR_NORMAL),
                  ("暂列后3名且未完成序时目标", BAR_PENALISED), ("暂列后3名、已完成目标", BAR_EXEMPT)]
    full_label = f"满分线 {format(full_mark.normalize(), 'f')}" if full_mark is not None else ""
    _check(font, labels + [name for name, _ in legend] + [full_label, "综合得分", "0123456789."], "排名图")
    colours = [BAR_PRAISED if r.praised else BAR_PENALISED if r.penalised
               else BAR_EXEMPT if "不予扣分" in (r.reason or "") else BAR_NORMAL
               for r in ranked]
    used = set(colours)
    n = len(ranked)
    top_mm, bottom_mm = 7.0, 20.0  # full-mark label above; ticks, axis title and legend below
    pitch_mm = min(4.6, (MAX_HEIGHT_MM - top_mm - bottom_mm) / n)  # 27 units: 2.7 mm a bar
    label_pt = min(9.0, round(pitch_mm / PT_MM * 0.95 * 2) / 2)
    height_mm = max(50.0, pitch_mm * n + top_mm + bottom_mm)
    fig = _figure(height_mm)
    left_mm = max(14.0, _text_mm(max(labels, key=_em), label_pt) + 3)
    ax = fig.add_axes((left_mm / BODY_WIDTH_MM, bottom_mm / height_mm, (BODY_WIDTH_MM - left_mm - 12) / BODY_WIDTH_MM,
                       1 - (top_mm + bottom_mm) / height_mm))
    positions = list(range(n))
    scores = [float(r.score) for r in ranked]
    ax.barh(positions, scores, height=0.68, color=colours, edgecolor="none", zorder=2)
    ax.set_yticks(positions, labels, fontproperties=font.properties(label_pt))
    ax.invert_yaxis()
    top = max(scores + ([float(full_mark)] if full_mark is not None else []))
    ax.set_xlim(0, top * 1.12 if top > 0 else 1)
    ax.set_ylim(n - 0.5, -0.5)
    for y, r in zip(positions, ranked, strict=True):
        ax.text(float(r.score) + top * 0.008, y, _score_text(r.score), va="center", ha="left",
                fontproperties=font.properties(min(8.0, label_pt)), color=TEXT_DARK, zorder=3,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.4})
    if full_mark is not None:
        ax.axvline(float(full_mark), color=TEXT_GREY, linestyle=(0, (4, 3)), linewidth=0.8, zorder=1)
        ax.text(float(full_mark), -0.5, full_label, ha="center", va="bottom",
                fontproperties=font.properties(7.5), color=TEXT_GREY)
    ax.grid(axis="x", color="#D9D9D9", linewidth=0.5, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    for tick in ax.get_xticklabels():
        tick.set_fontproperties(font.properties(8))
    ax.set_xlabel("综合得分", fontproperties=font.properties(9))
    from matplotlib.patches import Patch

    handles = [Patch(color=colour, label=name) for name, colour in legend if colour in used]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False,
               prop=font.properties(8), bbox_to_anchor=(0.5, 0.0), handlelength=1.2)
    return fig


HEADER_MAX_LINES = 4


def _wrap(name: str, width: int) -> str:
    """A column header in lines of at most ``width`` characters, balanced, at most 4 lines.

    A long name loses its bracketed explanation first (the section tables give it in
    full), then is cut with “…”.
    """
    if len(name) > width * HEADER_MAX_LINES:
        name = re.sub(r"（[^）]*）|\([^)]*\)", "", name) or name
    if len(name) > width * HEADER_MAX_LINES:
        name = name[: width * HEADER_MAX_LINES - 1] + "…"
    if len(name) <= width:
        return name
    lines = -(-len(name) // width)
    return "\n".join(textwrap.wrap(name, -(-len(name) // lines)))


def _rate_text(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{(rate * 100).quantize(Decimal('0.1'))}%"


def completion_heatmap(indicators: Sequence[BulletinIndicator], units: Sequence[str] | None = None) -> bytes:
    """The completion heat map (:func:`heatmap_figure`) as PNG bytes, 156 mm wide at 300 dpi."""
    with _RENDER_LOCK:
        return _png(heatmap_figure(indicators, units))


def heatmap_figure(indicators: Sequence[BulletinIndicator], units: Sequence[str] | None = None):
    """Township × indicator matrix of completion rates coloured by early-warning level; a Figure.

    Rows are ``units`` (default: the order the units first appear in the indicators), columns
    the indicators. A cell shows the completion rate; its fill is the warning level of the
    bulletin's tables (green / yellow / red); grey: target set but no figure reported;
    white with “/”: no target for that unit; “目标为0”: a zero target, which has no rate. Raises ValueError when there is no line at all.
    """
    columns = [ind for ind in indicators if ind.lines]
    if not columns:
        raise ValueError("完成率图：没有指标数据")
    seen: dict[str, None] = {}
    for ind in columns:
        for line in ind.lines:
            seen.setdefault(line.unit, None)
    # the given order first (e.g. the ranking), then any other unit as it first appears
    units = [u for u in dict.fromkeys(units or ()) if u in seen] + [u for u in seen if u not in set(units or ())]
    font = cjk_font()
    n_rows, n_cols = len(units), len(columns)
    left_mm = max(10.0, _text_mm(max(units, key=_em), 8) + 3)
    column_mm = (BODY_WIDTH_MM - left_mm - 1) / n_cols
    header_pt = 7.0
    headers = [_wrap(ind.name, max(2, int(column_mm / (header_pt * PT_MM * 1.05)))) for ind in columns]
    # a cell holds “1234.5%”: about 3.6 em of digits; shrink the type when the columns are narrow
    cell_pt = min(7.0, column_mm * 0.9 / 3.6 / PT_MM)
    cells: list[list[tuple[str, str]]] = []
    for unit in units:
        row = []
        for ind in columns:
            line = next((x for x in ind.lines if x.unit == unit), None)
            if line is None:
                row.append(("/", NO_TARGET))
            elif line.actual is None:
                row.append(("未报", NOT_REPORTED))
            elif line.rate is None:  # no rate: a target of 0 (not scored), or nothing to divide by
                row.append(("目标为0" if line.target == 0 else "—", LEVEL_COLOURS.get(line.level, NO_TARGET)))
            else:
                row.append((_rate_text(line.rate), LEVEL_COLOURS.get(line.level, NO_TARGET)))
        cells.append(row)
    legend = [(LEVEL_NAMES[k], LEVEL_COLOURS[k]) for k in ("green", "yellow", "red")] + [
        ("已下达目标、未报送", NOT_REPORTED), ("/ 未下达目标", NO_TARGET)]
    _check(font, headers + list(units) + [t for row in cells for t, _ in row] + [n for n, _ in legend],
           "完成率图")
    header_lines = max(h.count("\n") + 1 for h in headers)
    header_mm, legend_mm = header_pt * PT_MM * 1.25 * header_lines + 3, 10.0
    row_mm = min(5.0, (MAX_HEIGHT_MM - header_mm - legend_mm - 2) / n_rows)  # 27 units: 3.1 mm a row
    cell_pt = min(cell_pt, round(row_mm / PT_MM * 0.8 * 2) / 2)
    fig = _figure(row_mm * n_rows + header_mm + legend_mm + 2)
    height_mm = fig.get_figheight() * MM_PER_INCH
    ax = fig.add_axes((left_mm / BODY_WIDTH_MM, legend_mm / height_mm,
                       (BODY_WIDTH_MM - left_mm - 1) / BODY_WIDTH_MM,
                       row_mm * n_rows / height_mm))
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Patch, Rectangle

    boxes = [Rectangle((c, r), 1, 1) for r, row in enumerate(cells) for c in range(len(row))]
    ax.add_collection(PatchCollection(boxes, facecolors=[fill for row in cells for _, fill in row],
                                      edgecolors=GRID, linewidths=0.4), autolim=False)
    for r, row in enumerate(cells):
        for c, (text, fill) in enumerate(row):
            ax.text(c + 0.5, r + 0.5, text, ha="center", va="center", fontproperties=font.properties(cell_pt),
                    color=TEXT_GREY if fill in (NOT_REPORTED, NO_TARGET) else TEXT_DARK)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_xticks([c + 0.5 for c in range(n_cols)], headers, fontproperties=font.properties(header_pt),
                  linespacing=1.15)
    ax.xaxis.tick_top()
    ax.set_yticks([r + 0.5 for r in range(n_rows)], list(units), fontproperties=font.properties(min(8.0, cell_pt + 0.5)))
    ax.tick_params(length=0, pad=2)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [Patch(facecolor=colour, edgecolor=GRID, linewidth=0.4, label=name) for name, colour in legend]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False,
               prop=font.properties(8), bbox_to_anchor=(0.5, 0.0), handlelength=1.2)
    return fig
