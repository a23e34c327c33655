"""A new multi-year target plan (e.g. the 十五五 plan 2026—2030) entered in the product: by a form
(one indicator table at a time) or from a workbook in the layout of the seed tables
(南政办〔2021〕67号 附件2: 乡镇 rows, one column per year, optional 指标现状 and 合计).

Both ways build the plan data of ``data/targets/*.yaml`` and pass it through the same check as the
shipped plans (:func:`kechuang.targets.plans.parse_plan`: numbers, units, indicators, duplicates,
the declared 合计 against the rows), plus what only the database knows: the unit is a known
township, every year lies inside the document's years, no other document already sets the same
unit × indicator for those years. All or nothing: one error and nothing is saved. Every row is
written through the model (change-logged by the signals) under ``change_context``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kechuang.core.bounds import INDICATOR_VALUE, YEAR
from kechuang.core.changes import change_context
from kechuang.core.models import Region
from kechuang.core.permissions import require

from .indicators import load_indicators
from .models import Indicator, PlanDocument, PlanFinding, TargetPlan
from .numbers import TargetDataError, plain, to_decimal
from .plans import DATA_DIR, PLAN_FILES, Finding, PlanImportError, parse_plan
from .series import generate_series

__all__ = ["PlanHeader", "enter_plan", "form_table", "next_span", "read_workbook", "template_workbook"]

MAX_SPAN_YEARS = 10
TOTAL_LABELS = ("合计", "总计")
UNIT_HEADERS = ("乡镇", "责任单位", "单位", "乡镇（街道）", "乡镇（街道、开发区）")
YEAR_HEADER = re.compile(r"^\s*(\d{4})\s*年")
GROWTH_IN_HEADER = re.compile(r"增长率\s*([0-9.]+)\s*%")
BASELINE_HEADER = re.compile(r"指标现状|现状值|基期")


@dataclass
class PlanHeader:
    """The document a plan comes from: 文号, title, issuer, date, and the years it covers."""

    document: str
    title: str
    issuer: str = ""
    issued_on: dt.date | None = None
    first_year: int | None = None
    last_year: int | None = None

    @classmethod
    def from_post(cls, data) -> tuple[PlanHeader, list[str]]:
        """Read the header fields of a form; returns the header and the errors (in Chinese)."""
        errors: list[str] = []
        issued = None
        raw_date = (data.get("issued_on") or "").strip()
        if raw_date:
            try:
                issued = dt.date.fromisoformat(raw_date)
            except ValueError:
                errors.append(f"印发日期：应为 YYYY-MM-DD，实际为“{raw_date}”")
        years = []
        for key, label in (("first_year", "起始年"), ("last_year", "终止年")):
            raw = (data.get(key) or "").strip()
            try:
                years.append(int(raw))
            except ValueError:
                errors.append(f"{label}：应为四位年份，实际为“{raw}”")
                years.append(None)
        return cls((data.get("document") or "").strip(), (data.get("title") or "").strip(),
                   (data.get("issuer") or "").strip(), issued, *years), errors

    def errors(self) -> list[str]:
        out = []
        if not self.document:
            out.append("文号：必填（如 南政办〔2026〕12号）")
        elif len(self.document) > 60:
            out.append("文号：不超过 60 个字")
        if not self.title:
            out.append("文件标题：必填")
        elif len(self.title) > 200:
            out.append("文件标题：不超过 200 个字")
        if len(self.issuer) > 100:
            out.append("发文机关：不超过 100 个字")
        first, last = self.first_year, self.last_year
        for value, label in ((first, "起始年"), (last, "终止年")):
            if value is not None and not YEAR.lo <= value <= YEAR.hi:
                out.append(f"{label}：应在 {YEAR.lo}—{YEAR.hi} 年之间，实际为 {value}")
        if first is not None and last is not None:
            if last < first:
                out.append(f"终止年 {last} 早于起始年 {first}")
            elif last - first + 1 > MAX_SPAN_YEARS:
                out.append(f"一个文件最多 {MAX_SPAN_YEARS} 年（{first}—{last} 共 {last - first + 1} 年）")
        return out


def next_span(*, include_demo: bool = False) -> tuple[int, int]:
    """The five years after the newest township plan (2026—2030 after 67号's 2021—2025). A demo
    plan does not count (unless ``include_demo``): the real plan of those years replaces it."""
    docs = PlanDocument.objects.filter(document__in=TargetPlan.objects.filter(region__in=Region.townships())
                                       .values("document"))
    if not include_demo:
        docs = docs.filter(is_demo=False)
    last = docs.order_by("-last_year").values_list("last_year", flat=True).first()
    first = (last or timezone.localdate().year - 1) + 1
    return first, first + 4


def _unknown_units(tables: list[dict]) -> list[str]:
    errors = []
    for table in tables:
        for index, row in enumerate(table.get("rows") or [], start=1):
            unit = str(row.get("unit", "")).strip()
            if unit and Region.resolve(unit) is None:
                where = row.get("where") or f"表 {table.get('id')} 第{index}行"
                errors.append(f"{where}：未知的责任单位“{unit}”（应为乡镇、街道或开发区的名称或简称，如 溪美、雪峰开发区）")
    return errors


def _out_of_years(entries, where_of, first: int, last: int) -> list[str]:
    errors = []
    for e in entries:
        years = sorted(set(e.targets) | set(e.period or ()))
        outside = [y for y in years if not first <= y <= last]
        if outside:
            errors.append(f"{where_of(e)}：{'、'.join(f'{y}年' for y in outside)}不在本文件的 {first}—{last} 年内")
        if e.baseline and e.baseline[0] >= first:
            errors.append(f"{where_of(e)}：指标现状的年份 {e.baseline[0]} 应早于起始年 {first}")
        for value in [*e.targets.values(), e.period_total, e.baseline[1] if e.baseline else None]:
            if value is not None and not INDICATOR_VALUE.lo <= value <= INDICATOR_VALUE.hi:
                errors.append(f"{where_of(e)}：数值 {plain(value)} 超出允许范围（不超过 10 亿）")
                break
    return errors


@transaction.atomic
def enter_plan(*, actor, header: PlanHeader, tables: list[dict], origin: str = PlanDocument.Origin.FORM,
               is_demo: bool = False) -> tuple[PlanDocument, list[Finding], int]:
    """Save the tables of a plan document, all or nothing.

    A new 文号 creates the document with ``header``; a 文号 entered earlier in the product (by form
    or workbook, not a shipped file) takes more tables, for indicators it does not set yet. A real
    plan replaces what a demo plan (``kechuang serve --demo``) sets for the same unit, indicator
    and years: those demo rows are deleted (a demo document left without rows goes too), and
    ``document.replaced_demo`` names the demo documents it replaced.
    Returns (document, findings of the 合计 check, rows saved). Raises :class:`PlanImportError`
    with every error, in Chinese, naming the row or cell.
    """
    require(actor, "targets.plan.enter")
    errors = header.errors()
    existing = PlanDocument.objects.filter(document=header.document).first() if header.document else None
    if existing is not None:
        if existing.origin in (PlanDocument.Origin.SHIPPED,):
            errors.append(f"文号 {header.document} 是随系统提供的文件，不能在页面上修改")
        elif (header.first_year, header.last_year) != (existing.first_year, existing.last_year):
            errors.append(f"文号 {header.document} 已录入，年份为 {existing.span}；续录分解表时起止年应一致")
    if not any(t.get("rows") for t in tables):
        errors.append("没有可保存的目标：请至少为一个乡镇填写一个年度目标")
    errors += _unknown_units(tables)
    if errors:
        raise PlanImportError(errors)
    indicators = load_indicators(DATA_DIR / "indicators.yaml")
    plan = parse_plan({"document": header.document, "tables": tables}, indicators, name=header.document)
    where: dict[tuple[str, str], str] = {}
    for table in tables:
        for row in table.get("rows") or []:
            spec = {**(table.get("defaults") or {}), **row}
            where[(str(spec.get("unit", "")).strip(), spec.get("indicator"))] = (
                spec.get("where") or f"表 {table.get('id')}（{spec.get('unit')}）")

    def where_of(e):
        return where.get((e.unit, e.indicator), f"{e.unit} {indicators[e.indicator].name}")

    first, last = header.first_year, header.last_year
    errors += _out_of_years(plan.entries, where_of, first, last)
    by_code = {i.code: i for i in Indicator.objects.filter(code__in={e.indicator for e in plan.entries})}
    regions = {e.unit: Region.resolve(e.unit) for e in plan.entries}
    other: dict[tuple[int, int], list[TargetPlan]] = {}
    for p in (TargetPlan.objects.exclude(document=header.document)
              .filter(region__in=[r for r in regions.values() if r]).select_related("indicator")):
        other.setdefault((p.region_id, p.indicator_id), []).append(p)
    spans = {d.document: (d.first_year, d.last_year) for d in PlanDocument.objects.all()}
    demo_documents = set(PlanDocument.objects.filter(is_demo=True).values_list("document", flat=True))
    give_way: list[TargetPlan] = []
    mine = set()
    if existing is not None:
        mine = set(TargetPlan.objects.filter(document=header.document).values_list("region_id", "indicator_id"))
    for e in plan.entries:
        ind = by_code.get(e.indicator)
        region = regions[e.unit]
        if ind is None:
            errors.append(f"{where_of(e)}：指标“{indicators[e.indicator].name}”尚未加载")
            continue
        key = (region.pk, ind.pk)
        if key in mine:
            errors.append(f"{where_of(e)}：本文件已录入{region.name}的“{ind.name}”")
        for prior in other.get(key, []):
            a, b = spans.get(prior.document, (0, 0))
            if not (a <= last and first <= b):
                continue
            if prior.document in demo_documents and not is_demo:
                give_way.append(prior)   # demo data gives way to the real document
                continue
            errors.append(f"{where_of(e)}：{region.name}的“{ind.name}”"
                          f"在 {max(a, first)}—{min(b, last)} 年已由 {prior.document} 下达")
    if errors:
        raise PlanImportError(errors)
    actor_user = actor if getattr(actor, "is_authenticated", False) and not getattr(actor, "is_system", False) else None
    with change_context(user=actor_user, source=f"targets:plan:{origin}"):
        replaced = sorted({p.document for p in give_way})
        for p in give_way:
            p.delete()
        for name in replaced:
            if not TargetPlan.objects.filter(document=name).exists():
                PlanFinding.objects.filter(document=name).delete()
                PlanDocument.objects.filter(document=name, is_demo=True).delete()
        doc = existing or PlanDocument.objects.create(
            document=header.document, title=header.title, issuer=header.issuer, issued_on=header.issued_on,
            first_year=first, last_year=last, origin=origin, is_demo=is_demo, entered_by=actor_user,
            entered_at=timezone.now())
        saved = 0
        for e in plan.entries:
            TargetPlan.objects.create(
                document=doc.document, table=e.table[:40], citation=e.citation[:200], indicator=by_code[e.indicator],
                region=regions[e.unit], source_unit_name=e.unit[:30], rule=e.rule,
                values={str(y): str(v) for y, v in e.targets.items()} if e.rule == "values" else {},
                base=e.base, base_year=e.base_year, base_is=e.base_is or "", growth=e.growth,
                to_year=max(e.targets) if e.rule == "growth" else None, decimals=e.decimals,
                period_from=e.period[0] if e.period else None, period_to=e.period[1] if e.period else None,
                period_total=e.period_total, no_separate_target=list(e.no_separate_target),
                baseline_year=e.baseline[0] if e.baseline else None,
                baseline_value=e.baseline[1] if e.baseline else None)
            saved += 1
        for f in plan.findings:
            PlanFinding.objects.get_or_create(document=doc.document, table=f.table[:40], code=f.code,
                                              message=f.message,
                                              defaults={"declared": f.declared, "computed": f.computed})
    doc.replaced_demo = replaced
    return doc, plan.findings, saved


def _number(value, where: str, errors: list[str]) -> Decimal | None:
    try:
        return to_decimal(value, where)
    except TargetDataError as exc:
        errors.append(str(exc))
        return None


def _row(unit: str, indicator: str, years: dict[int, Decimal], base: Decimal | None, base_year: int,
         growth: Decimal | None, total: Decimal | None, decimals: int, where: str,
         errors: list[str]) -> dict | None:
    """One plan row from a grid row: yearly values, base + growth, or a period total only."""
    if not years and total is None and base is None:
        return None
    row: dict = {"unit": unit, "indicator": indicator, "where": where}
    if years:
        row.update(rule="values", values={y: str(v) for y, v in years.items()})
        if base is not None:
            row["baseline"] = {"year": base_year, "value": str(base)}
        if total is not None and sum(years.values(), Decimal(0)) != total:
            errors.append(f"{where}：合计栏为 {plain(total)}，逐年合计为 {plain(sum(years.values(), Decimal(0)))}")
        if growth is not None and base is not None:
            series = generate_series(base, growth, base_year, max(years), decimals)
            if all(series.get(y) == v for y, v in years.items()) and set(years) == set(range(base_year + 1,
                                                                                               max(years) + 1)):
                # the figures follow the stated growth exactly: kept as the rule, as 67号 is
                row = {"unit": unit, "indicator": indicator, "where": where, "rule": "growth", "base": str(base),
                       "base_year": base_year, "base_is": "actual", "growth": str(growth), "to": max(years),
                       "decimals": decimals}
        return row
    if total is not None:
        return {"unit": unit, "indicator": indicator, "where": where, "rule": "period_total", "total": str(total)}
    if growth is not None:
        return {"unit": unit, "indicator": indicator, "where": where, "rule": "growth", "base": str(base),
                "base_year": base_year, "base_is": "actual", "growth": str(growth), "to": None, "decimals": decimals}
    errors.append(f"{where}：只填了指标现状，没有年度目标（或在表头填写年增长率）")
    return None


def form_table(data, *, indicator: Indicator, regions, first: int, last: int) -> tuple[dict, list[str]]:
    """The plan table of one indicator from the grid form (``v-<region>-<year>``, ``base-<region>``,
    ``sum-<year>``, ``growth``); returns the table and the per-cell errors in Chinese."""
    errors: list[str] = []
    growth = None
    raw_growth = (data.get("growth") or "").strip()
    if raw_growth:
        pct = _number(raw_growth, "年增长率（%）", errors)
        if pct is not None:
            growth = pct / 100
    rows = []
    for region in regions:
        name = region.short_name or region.name
        years = {}
        for y in range(first, last + 1):
            raw = (data.get(f"v-{region.pk}-{y}") or "").strip()
            if raw:
                v = _number(raw, f"{name} {y}年", errors)
                if v is not None:
                    years[y] = v
        raw_base = (data.get(f"base-{region.pk}") or "").strip()
        base = _number(raw_base, f"{name} 指标现状（{first - 1}年）", errors) if raw_base else None
        try:
            row = _row(name, indicator.code, years, base, first - 1, growth, None, indicator.decimals, name, errors)
        except TargetDataError as exc:
            errors.append(f"{name}：{exc}")
            row = None
        if row is not None and row.get("rule") == "growth" and row.get("to") is None:
            row["to"] = last
        if row is not None:
            rows.append(row)
    declared = []
    for y in range(first, last + 1):
        raw = (data.get(f"sum-{y}") or "").strip()
        if raw:
            v = _number(raw, f"合计 {y}年", errors)
            if v is not None:
                declared.append({"indicator": indicator.code, "year": y, "value": str(v)})
    table = {"id": indicator.name[:40], "citation": "", "rows": rows, "declared_totals": declared}
    return table, errors


# --- the workbook layout of the seed tables ---------------------------------------------------------

def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _indicator_by_name(text: str, indicators: dict[str, Indicator]) -> Indicator | None:
    text = text.strip().strip("（）()").strip()
    if not text:
        return None
    for ind in indicators.values():
        if ind.name == text:
            return ind
    captions = _captions()
    if text in captions:
        return indicators.get(captions[text])
    matches = [ind for ind in indicators.values() if ind.name in text]
    return max(matches, key=lambda i: len(i.name)) if matches else None


def _captions() -> dict[str, str]:
    """The seed tables' captions (全社会研发经费投入倍增 …) → the indicator their single-indicator table sets."""
    import yaml

    out = {}
    for name in PLAN_FILES:
        data = yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8")) or {}
        for table in data.get("tables") or []:
            code = (table.get("defaults") or {}).get("indicator")
            if table.get("caption") and code:
                out[table["caption"]] = code
    return out


def read_workbook(source, *, first: int, last: int) -> tuple[list[dict], list[str]]:
    """The plan tables of a workbook in the seed layout; returns (tables, errors in Chinese).

    Each sheet is one table: a caption row “（指标名称）” above the header (or the sheet's name),
    a header row starting 乡镇/责任单位, then optional 指标名称 (one indicator per row, like the
    platform table), optional 指标现状, one column per year “2026年” (a “（年增长率20%）” note in
    the header is checked against the figures), optional 合计; rows of units; a last 合计 row
    whose figures are checked against the rows (a mismatch is reported, never taken). Sheets
    named 说明 are skipped. Every error names the sheet and the cell.
    """
    from openpyxl.utils import get_column_letter

    from kechuang.core.uploads import UploadError, load_xlsx

    indicators = load_indicators(DATA_DIR / "indicators.yaml")
    try:
        wb = load_xlsx(source)
    except UploadError as exc:
        return [], [str(exc)]
    except Exception:  # noqa: BLE001 - a broken file is the person's to fix, said in words
        return [], ["无法读取该文件：请上传 Excel 工作簿（.xlsx），可先下载模板填写"]
    tables: list[dict] = []
    errors: list[str] = []
    for ws in wb.worksheets:
        if ws.title.strip() in ("说明", "填写说明"):
            continue
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        header_at = next((i for i, r in enumerate(rows[:15]) if r and _text(r[0]) in UNIT_HEADERS), None)
        sheet = f"工作表“{ws.title}”"
        if header_at is None:
            errors.append(f"{sheet}：前 15 行中没有以“乡镇”或“责任单位”开头的表头行")
            continue
        header = [_text(c) for c in rows[header_at]]
        caption = next((_text(c) for r in rows[:header_at] for c in r
                        if _text(c).startswith(("（", "(")) and _indicator_by_name(_text(c), indicators)), "")
        sheet_indicator = _indicator_by_name(caption, indicators) or _indicator_by_name(ws.title, indicators)
        name_col = next((j for j, h in enumerate(header) if h.startswith("指标名称")), None)
        base_col = next((j for j, h in enumerate(header) if BASELINE_HEADER.search(h)), None)
        total_col = next((j for j, h in enumerate(header) if j and h.endswith(TOTAL_LABELS)), None)
        year_cols: dict[int, int] = {}
        growth = None
        for j, h in enumerate(header):
            m = YEAR_HEADER.match(h)
            if m and j != base_col:
                year_cols[j] = int(m.group(1))
                g = GROWTH_IN_HEADER.search(h)
                if g:
                    growth = Decimal(g.group(1)) / 100
        base_year = first - 1
        if base_col is not None:
            m = re.search(r"(\d{4})", header[base_col])
            if m:
                base_year = int(m.group(1))
        if not year_cols and total_col is None:
            errors.append(f"{sheet} 第{header_at + 1}行：表头没有年度列（如“{first}年”）")
            continue
        outside = sorted(y for y in year_cols.values() if not first <= y <= last)
        if outside:
            errors.append(f"{sheet} 第{header_at + 1}行：表头年份 {'、'.join(map(str, outside))} 不在 {first}—{last} 年内")
            continue
        if name_col is None and sheet_indicator is None:
            errors.append(f"{sheet}：无法确定指标。请在表头上方一行写“（指标名称）”，如“（高新技术企业数量）”，"
                          "或把工作表命名为指标名称，或加“指标名称”列")
            continue
        table_rows, declared = [], []
        current_unit = ""
        for i in range(header_at + 1, len(rows)):
            r = rows[i] + [None] * (len(header) - len(rows[i]))
            excel_row = i + 1
            unit = _text(r[0]) or (current_unit if name_col is not None else "")
            if not any(_text(c) for c in r):
                continue
            if _text(r[0]) in TOTAL_LABELS:
                scope = sorted({row["indicator"] for row in table_rows}) or [sheet_indicator.id if sheet_indicator else ""]
                for j, y in year_cols.items():
                    if _text(r[j]):
                        v = _number(r[j], f"{sheet} {get_column_letter(j + 1)}{excel_row}（合计 {y}年）", errors)
                        if v is not None:
                            declared.append({"indicator": scope if len(scope) > 1 else scope[0], "year": y,
                                             "value": str(v)})
                if total_col is not None and _text(r[total_col]):
                    v = _number(r[total_col], f"{sheet} {get_column_letter(total_col + 1)}{excel_row}（合计）", errors)
                    if v is not None and year_cols:
                        declared.append({"indicator": scope if len(scope) > 1 else scope[0],
                                         "period": [min(year_cols.values()), max(year_cols.values())],
                                         "value": str(v)})
                break
            if not unit:
                errors.append(f"{sheet} A{excel_row}：缺少乡镇（责任单位）")
                continue
            current_unit = unit
            ind = sheet_indicator
            if name_col is not None:
                ind = _indicator_by_name(_text(r[name_col]), indicators)
                if ind is None:
                    errors.append(f"{sheet} {get_column_letter(name_col + 1)}{excel_row}：未知指标“{_text(r[name_col])}”")
                    continue
            where = f"{sheet} 第{excel_row}行（{unit}）"
            years = {}
            for j, y in year_cols.items():
                if _text(r[j]):
                    v = _number(r[j], f"{sheet} {get_column_letter(j + 1)}{excel_row}（{unit} {y}年）", errors)
                    if v is not None:
                        years[y] = v
            base = None
            if base_col is not None and _text(r[base_col]):
                base = _number(r[base_col], f"{sheet} {get_column_letter(base_col + 1)}{excel_row}（{unit} 指标现状）",
                               errors)
            total = None
            if total_col is not None and _text(r[total_col]):
                total = _number(r[total_col], f"{sheet} {get_column_letter(total_col + 1)}{excel_row}（{unit} 合计）",
                                errors)
            try:
                row = _row(unit, ind.id, years, base, base_year, growth, total, ind.decimals, where, errors)
            except TargetDataError as exc:
                errors.append(f"{where}：{exc}")
                row = None
            if row is not None and row.get("rule") == "period_total" and year_cols:
                row["period"] = [min(year_cols.values()), max(year_cols.values())]
            if row is not None and row.get("rule") == "growth" and row.get("to") is None:
                row["to"] = max(year_cols.values()) if year_cols else last
            if row is not None:
                table_rows.append(row)
        tables.append({"id": ws.title[:40], "citation": "", "rows": table_rows, "declared_totals": declared})
    if not tables and not errors:
        errors.append("工作簿中没有分解表")
    return tables, errors


def template_workbook(*, first: int, last: int) -> bytes:
    """A workbook in the seed layout for ``first..last``: a 说明 sheet and one sheet per indicator
    the townships are set, 27 township rows, 指标现状（上一年）, one column per year, 合计."""
    from openpyxl.styles import Alignment, Font

    from kechuang.core.xlsx import HEADER_FILL, new_workbook, print_setup, to_bytes

    from .selectors import township_indicators

    wb = new_workbook()
    notes = wb.create_sheet("说明")
    for line in (
        f"目标任务分解表导入模板（{first}—{last}年）",
        "1. 每个工作表是一张分解表：第2行“（指标名称）”说明本表的指标，第4行为表头，其下每行一个乡镇（街道、开发区）。",
        f"2. “指标现状（{first - 1}年）”可空；各年度列填写当年目标。只填指标现状、并在年度表头写“（年增长率20%）”的，按增长率逐年计算。",
        "3. 最后一行“合计”可填源表合计，系统与逐行合计核对，不一致的作为问题列出，不采用该合计。",
        "4. 一个指标有多张表时，可把多张表合在一个工作表，加“指标名称”列（同 南政办〔2021〕67号 附件2 平台载体表）。",
        "5. 不需要的指标整张工作表删除即可；某乡镇不下达目标的，该行留空。",
        "6. 数字栏只能填数字；任一格有误，整个文件都不会保存，系统逐格列出错误。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    regions = list(Region.townships().order_by("sort_order"))
    years = list(range(first, last + 1))
    for ind in township_indicators():
        ws = wb.create_sheet(ind.name[:31].replace("/", "、"))
        ws.append([f"目标任务分解表（{first}—{last}年）"])
        ws.append([f"（{ind.name}）"])
        ws.append([f"单位：{ind.unit}"])
        ws.append(["乡镇", f"指标现状（{first - 1}年）", *[f"{y}年" for y in years], "合计"])
        for cell in ws[4]:
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for region in regions:
            ws.append([region.short_name or region.name])
        ws.append(["合计"])
        ws.column_dimensions["A"].width = 14
        for j in range(2, len(years) + 4):
            ws.column_dimensions[chr(64 + j)].width = 14
        ws.freeze_panes = "B5"
        print_setup(ws, landscape=False, title_rows="1:4")
    return to_bytes(wb)
