"""Target plans as rules, loaded from the product's own YAML (pure Python, no Django).

A plan file (``data/targets/*.yaml``) holds the tables of one document, e.g. 南政办〔2021〕67号
附件2. Each row becomes a :class:`PlanEntry` whose rule is one of

* ``values`` — yearly figures as printed (高企 stock per year);
* ``growth`` — base + yearly growth, computed with :func:`generate_series` (全社会研发经费投入
  “年增长率20%”, 技术合同成交额 “同比增长15%”); the base is either an actual (``base_is:
  actual``, 2020 指标现状) or itself the first year's target (``base_is: target``);
* ``period_total`` — only the total of a period is known (大院大所 2022—2025, where the
  source layout lost the year placement).

Years marked ``no_separate_target`` are the source's “不再另下指标”. The loader validates the
whole file first (all row errors in one :class:`PlanImportError`), then checks each declared
合计 against the rows and returns the differences as :class:`Finding` objects — a declared
total that does not follow from the rows (the talent table's 14) is reported, never accepted.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from .indicators import Indicator, load_indicators
from .numbers import TargetDataError, plain, to_decimal
from .series import generate_series

__all__ = [
    "DATA_DIR",
    "PLAN_FILES",
    "Finding",
    "PlanChain",
    "PlanEntry",
    "PlanImportError",
    "PlanSet",
    "check_declared_totals",
    "generate_series",
    "load_plan_file",
    "parse_plan",
    "load_reference_plans",
]

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "targets"
PLAN_FILES = ("nanan_2021_67.yaml", "sanming_2021_62.yaml")
RULES = ("values", "growth", "period_total")


class PlanImportError(TargetDataError):
    """The plan file has invalid rows; ``errors`` lists every one (``表/第N行 字段：原因``)."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("；\n".join(errors))


@dataclass(frozen=True)
class PlanEntry:
    """The target rule of one unit (township or city) for one indicator in one document."""

    document: str
    table: str
    unit: str
    indicator: str
    rule: str
    citation: str
    targets: dict[int, Decimal] = field(default_factory=dict)
    period: tuple[int, int] | None = None
    period_total: Decimal | None = None
    no_separate_target: tuple[int, ...] = ()
    baseline: tuple[int, Decimal] | None = None
    base: Decimal | None = None
    base_year: int | None = None
    base_is: str | None = None
    growth: Decimal | None = None
    decimals: int = 0
    note: str = ""

    def target_for(self, year: int) -> Decimal | None:
        """The yearly target for ``year``, or None (no yearly target: period only, 不再另下指标, absent)."""
        return self.targets.get(year)

    def value_for(self, year: int) -> Decimal | None:
        """The target for ``year``, or the baseline actual when ``year`` is the baseline year."""
        if year in self.targets:
            return self.targets[year]
        if self.baseline and self.baseline[0] == year:
            return self.baseline[1]
        return None

    def total_over(self, first: int, last: int) -> Decimal | None:
        """Sum of targets over ``first..last``; the period total when the rule is ``period_total``.

        Returns None when a ``period_total`` rule covers a different period (not comparable).
        """
        if self.rule == "period_total":
            return self.period_total if self.period == (first, last) else None
        return sum((v for y, v in self.targets.items() if first <= y <= last), Decimal(0))

    def rule_text(self) -> str:
        """The rule in the source's own terms, in Chinese (shown beside each target)."""
        if self.rule == "growth":
            start = "现状" if self.base_is == "actual" else "目标"
            pct = (self.growth * 100).normalize()
            text = (
                f"以{self.base_year}年{start}{plain(self.base)}为基数，逐年同比增长{pct:f}%，"
                f"各年 = 基数 ×（1+{self.growth.normalize():f}）^（年份−{self.base_year}），"
                f"{'四舍五入取整' if self.decimals == 0 else f'四舍五入保留{self.decimals}位小数'}"
            )
        elif self.rule == "period_total":
            text = f"{self.period[0]}—{self.period[1]}年合计 {plain(self.period_total)}（源表未给出年度分布）"
        else:
            text = "；".join(f"{y}年 {plain(v)}" for y, v in sorted(self.targets.items()))
        if self.no_separate_target:
            text += "；" + "、".join(f"{y}年" for y in self.no_separate_target) + "不再另下指标"
        return text


@dataclass(frozen=True)
class PlanChain:
    """The plans of one unit × indicator across documents, each for its own years: 南政办〔2021〕67号
    gives 2021—2025, the next plan 2026—2030. ``parts`` are ``(first_year, last_year, entry)``.
    A year's target comes from the document that covers the year; the value of a year no document
    covers (the year before a plan starts) from whichever document states it, the newest first."""

    parts: tuple[tuple[int, int, PlanEntry], ...]

    @property
    def latest(self) -> PlanEntry:
        return self.parts[-1][2]

    def entry_for(self, year: int) -> PlanEntry | None:
        """The entry of the document covering ``year`` (the newest when two overlap)."""
        for first, last, entry in reversed(self.parts):
            if first <= year <= last:
                return entry
        return None

    def target_for(self, year: int) -> Decimal | None:
        entry = self.entry_for(year)
        return entry.target_for(year) if entry else None

    def value_for(self, year: int) -> Decimal | None:
        entry = self.entry_for(year)
        if entry is not None:
            return entry.value_for(year)
        for _first, _last, other in reversed(self.parts):
            value = other.value_for(year)
            if value is not None:
                return value
        return None

    def rule_text(self, year: int | None = None) -> str:
        entry = self.entry_for(year) if year is not None else self.latest
        return entry.rule_text() if entry else "本年度没有下达该指标的文件"

    @property
    def unit(self) -> str:
        return self.latest.unit


@dataclass(frozen=True)
class Finding:
    """A problem found in a plan file: a declared 合计 that does not match its rows."""

    table: str
    code: str
    message: str
    declared: Decimal | None = None
    computed: Decimal | None = None
    level: str = "warning"

    @property
    def difference(self) -> Decimal | None:
        """declared − computed (None where either side is unknown)."""
        if self.declared is None or self.computed is None:
            return None
        return self.declared - self.computed


@dataclass
class PlanSet:
    """All plan entries of one document, with its metadata and the findings of the check."""

    document: str
    title: str
    issuer: str
    issued_on: date | None
    region: str
    entries: list[PlanEntry]
    declared_totals: list[dict]
    findings: list[Finding]
    equivalences: list[dict]

    def entry(self, unit: str, indicator: str) -> PlanEntry | None:
        """The entry of ``unit`` for ``indicator`` (None if the document sets none)."""
        for e in self.entries:
            if e.unit == unit and e.indicator == indicator:
                return e
        return None

    def units(self) -> list[str]:
        """Units in order of first appearance in the tables."""
        return list(dict.fromkeys(e.unit for e in self.entries))


def _year(value: object, where: str, errors: list[str]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        errors.append(f"{where}：应为年份，实际为 {value!r}")
        return None
    try:
        return int(value)
    except ValueError:
        errors.append(f"{where}：应为年份，实际为“{value}”")
        return None


def _number(value: object, where: str, errors: list[str]) -> Decimal | None:
    try:
        return to_decimal(value, where)
    except TargetDataError as exc:
        errors.append(str(exc))
        return None


def _parse_row(doc: str, table: dict, index: int, row: dict, indicators: dict[str, Indicator],
               errors: list[str]) -> PlanEntry | None:
    tid = table.get("id", "?")
    spec = {**(table.get("defaults") or {}), **row}
    unit = str(spec.get("unit", "")).strip()
    where = str(spec.get("where") or f"表 {tid} 第{index}行（{unit or '未填单位'}）")
    n_errors = len(errors)
    if not unit:
        errors.append(f"{where} unit：缺少责任单位")
    indicator = spec.get("indicator")
    if indicator not in indicators:
        errors.append(f"{where} indicator：未知指标“{indicator}”")
    rule = spec.get("rule")
    if rule not in RULES:
        errors.append(f"{where} rule：应为 {'/'.join(RULES)} 之一，实际为“{rule}”")
        return None
    kwargs: dict = {}
    if rule == "values":
        raw = spec.get("values")
        years = spec.get("years") or []
        if isinstance(raw, list) and len(years) != len(raw):
            errors.append(f"{where} values：{len(raw)} 个数值与 years 的 {len(years)} 个年份不对应")
            raw = {}
        elif isinstance(raw, list):
            raw = dict(zip(years, raw, strict=True))
        elif not isinstance(raw, dict) or not raw:
            errors.append(f"{where} values：缺少年度目标")
            raw = {}
        targets = {}
        for y, v in raw.items():
            year = _year(y, f"{where} values", errors)
            number = _number(v, f"{where} {y}年", errors)
            if year is not None and number is not None:
                targets[year] = number
        kwargs["targets"] = targets
    elif rule == "growth":
        base = _number(spec.get("base"), f"{where} base（基数）", errors)
        growth = None
        try:
            growth = to_decimal(spec.get("growth"), f"{where} growth（增长率）", allow_negative=True)
        except TargetDataError as exc:
            errors.append(str(exc))
        base_year = _year(spec.get("base_year"), f"{where} base_year", errors)
        last = _year(spec.get("to"), f"{where} to", errors)
        base_is = spec.get("base_is")
        if base_is not in ("actual", "target"):
            errors.append(f"{where} base_is：应为 actual（现状）或 target（首年目标），实际为“{base_is}”")
        decimals = spec.get("decimals", 0)
        if None in (base, growth, base_year, last) or base_is not in ("actual", "target"):
            return None
        try:
            series = generate_series(base, growth, base_year, last, decimals)
        except TargetDataError as exc:
            errors.append(f"{where}：{exc}")
            return None
        if base_is == "actual":
            series.pop(base_year)
            kwargs["baseline"] = (base_year, base)
        kwargs.update(targets=series, base=base, base_year=base_year, base_is=base_is,
                      growth=growth, decimals=decimals)
    else:  # period_total
        period = spec.get("period")
        total = _number(spec.get("total"), f"{where} total（期间合计）", errors)
        if not (isinstance(period, list) and len(period) == 2):
            errors.append(f"{where} period：应为 [起始年, 终止年]")
            return None
        first = _year(period[0], f"{where} period", errors)
        last = _year(period[1], f"{where} period", errors)
        if first is None or last is None or total is None:
            return None
        kwargs.update(period=(first, last), period_total=total)
    if "baseline" in spec and "baseline" not in kwargs:
        b = spec["baseline"] or {}
        year = _year(b.get("year"), f"{where} baseline.year", errors)
        value = _number(b.get("value"), f"{where} baseline.value", errors)
        if year is not None and value is not None:
            kwargs["baseline"] = (year, value)
    nst = spec.get("no_separate_target") or []
    kwargs["no_separate_target"] = tuple(y for y in (_year(v, f"{where} no_separate_target", errors) for v in nst) if y)
    if len(errors) > n_errors:
        return None
    return PlanEntry(document=doc, table=tid, unit=unit, indicator=indicator, rule=rule,
                     citation=str(table.get("citation", doc)), note=str(spec.get("note", "")), **kwargs)


def _declared_scope(item: dict) -> tuple[str, ...]:
    ind = item.get("indicator")
    return tuple(ind) if isinstance(ind, list) else (ind,)


def check_declared_totals(table_id: str, entries: Iterable[PlanEntry], declared: list[dict],
                          indicators: dict[str, Indicator]) -> list[Finding]:
    """Compare each declared 合计 of a table with the sum of its rows.

    A declared item is ``{indicator, year, value}`` (one year; the baseline actual counts
    for the baseline year) or ``{indicator, period: [a, b], value}`` (period total);
    ``indicator`` may be a list when the source's 合计 cell spans several indicators.
    Returns one :class:`Finding` per mismatch (code ``total_mismatch``) or per total that
    cannot be computed from the rows (``total_unverifiable``).
    """
    entries = list(entries)
    findings: list[Finding] = []
    for item in declared:
        scope = _declared_scope(item)
        names = "、".join(indicators[i].name if i in indicators else str(i) for i in scope)
        declared_value = to_decimal(item.get("value"), f"表 {table_id} 合计（{names}）")
        rows = [e for e in entries if e.indicator in scope]
        parts: dict[str, Decimal] = {}
        unknown = False
        if "year" in item:
            label = f"{item['year']}年"
            for e in rows:
                v = e.value_for(int(item["year"]))
                if v is None and e.rule == "period_total":
                    unknown = True
                parts[e.indicator] = parts.get(e.indicator, Decimal(0)) + (v or 0)
        else:
            first, last = (int(y) for y in item["period"])
            label = f"{first}—{last}年"
            for e in rows:
                v = e.total_over(first, last)
                if v is None:
                    unknown = True
                    continue
                parts[e.indicator] = parts.get(e.indicator, Decimal(0)) + v
        computed = sum(parts.values(), Decimal(0))
        if unknown:
            findings.append(Finding(table_id, "total_unverifiable",
                                    f"{names} {label}合计 {plain(declared_value)} 无法由逐行数据核对（部分行只有其他期间的合计）",
                                    declared_value, None))
            continue
        if computed != declared_value:
            breakdown = "、".join(
                f"{indicators[i].name if i in indicators else i} {plain(v)}" for i, v in parts.items())
            detail = f"（{breakdown}）" if len(scope) > 1 else ""
            findings.append(Finding(
                table_id, "total_mismatch",
                f"{names} {label}：源表合计为 {plain(declared_value)}，逐行合计为 {plain(computed)}{detail}，"
                f"相差 {plain(declared_value - computed)}。源表合计与明细不一致，请核实，系统未采用该合计。",
                declared_value, computed))
    return findings


def load_plan_file(path: str | Path, indicators: dict[str, Indicator] | None = None) -> PlanSet:
    """Load and validate one plan YAML file.

    Raises :class:`PlanImportError` listing every invalid row (unknown indicator, text in a
    number cell, duplicate unit × indicator …). Declared totals are checked afterwards and
    mismatches returned in ``PlanSet.findings``.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PlanImportError([f"{path.name}：YAML 格式错误：{exc}"]) from None
    return parse_plan(data, indicators, name=path.name)


def parse_plan(data: object, indicators: dict[str, Indicator] | None = None, *, name: str = "分解表") -> PlanSet:
    """Validate and read one plan document given as data (the YAML file's shape).

    The one check every plan goes through — the shipped YAML files, a plan entered by form and
    one imported from a workbook (kechuang/targets/plan_entry.py). A row may carry ``where``, the
    place the person should look (a workbook cell), used in its error messages.
    """
    if indicators is None:
        indicators = load_indicators()
    if not isinstance(data, dict) or not isinstance(data.get("tables"), list):
        raise PlanImportError([f"{name}：缺少 tables 列表"])
    doc = str(data.get("document", "")).strip()
    if not doc:
        raise PlanImportError([f"{name} document：缺少文号"])
    errors: list[str] = []
    entries: list[PlanEntry] = []
    seen: dict[tuple[str, str], str] = {}
    declared_all: list[dict] = []
    findings: list[Finding] = []
    equivalences: list[dict] = []
    by_table: list[tuple[str, list[PlanEntry], list[dict]]] = []
    for table in data["tables"]:
        tid = str(table.get("id", "?"))
        table_entries = []
        for index, row in enumerate(table.get("rows") or [], start=1):
            if not isinstance(row, dict):
                errors.append(f"表 {tid} 第{index}行：应为键值对，实际为 {row!r}")
                continue
            entry = _parse_row(doc, table, index, row, indicators, errors)
            if entry is None:
                continue
            key = (entry.unit, entry.indicator)
            if key in seen:
                where = row.get("where") or f"表 {tid} 第{index}行（{entry.unit}）"
                errors.append(f"{where}：{indicators[entry.indicator].name} 重复（已在表 {seen[key]} 出现）")
                continue
            seen[key] = tid
            table_entries.append(entry)
        entries.extend(table_entries)
        declared = table.get("declared_totals") or []
        declared_all.extend({**d, "table": tid} for d in declared)
        equivalences.extend(table.get("equivalences") or [])
        by_table.append((tid, table_entries, declared))
    if errors:
        raise PlanImportError(errors)
    for tid, table_entries, declared in by_table:
        try:
            findings.extend(check_declared_totals(tid, table_entries, declared, indicators))
        except TargetDataError as exc:
            errors.append(str(exc))
    if errors:
        raise PlanImportError(errors)
    issued = data.get("issued_on")
    return PlanSet(document=doc, title=str(data.get("title", "")), issuer=str(data.get("issuer", "")),
                   issued_on=issued if isinstance(issued, date) else None,
                   region=str(data.get("region", "")), entries=entries, declared_totals=declared_all,
                   findings=findings, equivalences=equivalences)


def load_reference_plans(data_dir: str | Path = DATA_DIR) -> list[PlanSet]:
    """Load every plan document the product ships (南政办〔2021〕67号, 明政办〔2021〕62号)."""
    indicators = load_indicators(Path(data_dir) / "indicators.yaml")
    return [load_plan_file(Path(data_dir) / name, indicators) for name in PLAN_FILES]
