"""Import of the province's / city's 科技特派员 lists from Excel: every row is validated first,
nothing is written when any row is bad, and each problem is reported as ``第N行 字段: 原因``.

Sheet (the first one; headers in row 1, order free, extra columns ignored):
姓名/名称*, 类别（个人/团队/法人）*, 认定级别（县级/市级/省级）*, 派出单位*, 认定年度*, 有效期至,
选派来源, 职称, 专业特长, 服务领域（；分隔）, 服务产业, 服务乡镇（；分隔）, 团队负责人, 团队成员（；分隔）, 联系电话
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.db import transaction

from kechuang.core.changes import change_context
from kechuang.core.models import Region
from kechuang.core.permissions import require

from .models import FIELDS, Commissioner, Kind, Level

HEADERS = ("姓名/名称", "类别", "认定级别", "派出单位", "认定年度", "有效期至", "选派来源", "职称", "专业特长",
           "服务领域", "服务产业", "服务乡镇", "团队负责人", "团队成员", "联系电话")
REQUIRED = ("姓名/名称", "类别", "认定级别", "派出单位", "认定年度")
KIND_BY_LABEL = {"个人": Kind.INDIVIDUAL, "团队": Kind.TEAM, "法人": Kind.LEGAL,
                 **{str(label): value for value, label in Kind.choices}}
LEVEL_BY_LABEL = {str(label): value for value, label in Level.choices} | {"县": "county", "市": "city", "省": "province"}
MAX_ROWS = 20_000


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def template_workbook() -> bytes:
    from kechuang.core.xlsx import template_bytes

    return template_bytes("科技特派员", HEADERS, [["张三", "个人", "省级", "福建农林大学", 2026, "2026-12-31", "本地", "教授",
                                                 "茶树栽培与病虫害绿色防控", "农业", "茶产业", "水头镇", "", "", ""]])


def _s(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _split(v) -> list[str]:
    return [x.strip() for x in _s(v).replace("，", "；").replace(",", "；").replace("、", "；").split("；") if x.strip()]


def import_workbook(data: bytes, *, actor, dry_run: bool = False) -> ImportReport:
    """Validate every row, then (unless ``dry_run`` or any error) register them in one transaction."""
    require(actor, "commissioners.commissioner.import")
    from kechuang.core.uploads import UploadError, load_xlsx

    report = ImportReport(dry_run=dry_run)
    try:
        wb = load_xlsx(io.BytesIO(data))
    except UploadError as exc:  # decompressed size, shared strings, rows capped before parsing
        report.errors.append(f"文件: {exc}")
        return report
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        report.errors.append("文件: 不是有效的 Excel（.xlsx）文件")
        return report
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_s(h) for h in next(rows, ())]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        report.errors.append(f"第1行 表头: 缺少列 {'、'.join(missing)}")
        return report
    col = {h: i for i, h in enumerate(header) if h}
    towns = {}
    for r in Region.townships():
        for key in [r.name, r.short_name, *(r.aliases or [])]:
            if key:
                towns[key] = r
    plan, seen = [], {}
    for n, row in enumerate(rows, start=2):
        if n - 1 > MAX_ROWS:
            report.errors.append(f"第{n}行 文件: 超过 {MAX_ROWS} 行上限")
            break
        get = lambda h, row=row: row[col[h]] if h in col and col[h] < len(row) else None  # noqa: E731
        if all(_s(v) == "" for v in row):
            continue
        report.rows += 1
        errs = []
        name = _s(get("姓名/名称"))
        if not name:
            errs.append("姓名/名称: 不能为空")
        elif len(name) > 120:
            errs.append("姓名/名称: 超过 120 字")
        kind = KIND_BY_LABEL.get(_s(get("类别")))
        if kind is None:
            errs.append(f"类别: 「{_s(get('类别'))}」应为 个人、团队、法人 之一")
        level = LEVEL_BY_LABEL.get(_s(get("认定级别")))
        if level is None:
            errs.append(f"认定级别: 「{_s(get('认定级别'))}」应为 县级、市级、省级 之一")
        unit = _s(get("派出单位"))
        if not unit:
            errs.append("派出单位: 不能为空")
        year = None
        try:
            year = int(_s(get("认定年度")))
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            errs.append(f"认定年度: 「{_s(get('认定年度'))}」应为 2000–2100 的年份")
        valid_until = None
        raw = get("有效期至")
        if isinstance(raw, dt.datetime):
            valid_until = raw.date()
        elif isinstance(raw, dt.date):
            valid_until = raw
        elif _s(raw):
            try:
                valid_until = dt.date.fromisoformat(_s(raw))
            except ValueError:
                errs.append(f"有效期至: 「{_s(raw)}」日期格式应为 YYYY-MM-DD")
        fields = _split(get("服务领域"))
        bad = [f for f in fields if f not in FIELDS]
        if bad:
            errs.append(f"服务领域: 「{'、'.join(bad)}」不在 {'、'.join(FIELDS)} 之中")
        townships = []
        for t in _split(get("服务乡镇")):
            if t not in towns:
                errs.append(f"服务乡镇: 「{t}」不是本市的乡镇（街道）")
            else:
                townships.append(towns[t])
        members = []
        leader = _s(get("团队负责人"))
        if kind == Kind.TEAM:
            if not leader:
                errs.append("团队负责人: 团队科技特派员应填写负责人")
            members = [{"name": leader, "is_leader": True}] + [
                {"name": m} for m in _split(get("团队成员")) if m != leader]
        phone = _s(get("联系电话"))
        if phone and not (phone.replace("-", "").isdigit() and 7 <= len(phone) <= 20):
            errs.append(f"联系电话: 「{phone}」格式不正确")
        key = (name, unit, year, level)
        if name and key in seen:
            errs.append(f"姓名/名称: 与第{seen[key]}行重复")
        seen.setdefault(key, n)
        if valid_until and year and valid_until.year < year:
            errs.append("有效期至: 早于认定年度")
        if errs:
            report.errors.extend(f"第{n}行 {e}" for e in errs)
            continue
        plan.append(dict(name=name, kind=kind, level=level, dispatch_unit=unit, year=year, valid_until=valid_until,
                         source=_s(get("选派来源")) or "本地", title=_s(get("职称"))[:60],
                         expertise=_s(get("专业特长"))[:2000], fields=fields, industries=_s(get("服务产业"))[:200],
                         townships=townships, members=members, phone=phone))
    if report.errors or dry_run:
        return report
    existing = set(Commissioner.objects.values_list("name", "dispatch_unit"))
    with transaction.atomic(), change_context(source="import:commissioners"):
        from .services import commissioner_register

        for values in plan:
            known = (values["name"], values["dispatch_unit"]) in existing
            commissioner_register(actor=actor, basis="名单导入", **values)
            existing.add((values["name"], values["dispatch_unit"]))
            report.updated += known
            report.created += not known
    return report
