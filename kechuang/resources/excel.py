"""Excel import of shared instruments and service organisations: every row is validated first,
errors reported as ``第N行 字段: 原因``; nothing is written unless every row is valid, then all rows
in one transaction (with the change log attributed to the import).

Sheets (the first sheet is read; headers in row 1, order free, extra columns ignored):
- 共享仪器: 仪器名称*, 所属单位*（已登记的科研机构名称）, 类别, 规格型号, 生产制造商, 产地国别,
  原值（万元）*, 购置日期, 安放地址, 主要技术指标, 主要功能, 共享方式（对外开放共享/内部共享/不共享）,
  内部用户单价, 企业用户单价, 创新券用户单价（元/小时）, 联系人, 联系电话
- 科技服务机构: 机构名称*, 统一社会信用代码, 服务类别*（检测认证/技术转移/知识产权服务/科技咨询/孵化服务）,
  资质（；分隔）, 法定代表人, 股东（；分隔）, 所在乡镇, 联系方式, 服务产业链（；分隔）
An existing row (same instrument name in the same institute; same organisation name) is updated.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from kechuang.core.changes import change_context
from kechuang.core.permissions import require

from .models import MONEY_MAX, InstrumentProfile, ServiceOrg

INSTRUMENT_HEADERS = ("仪器名称", "所属单位", "类别", "规格型号", "生产制造商", "产地国别", "原值", "购置日期", "安放地址",
                      "主要技术指标", "主要功能", "共享方式", "内部用户单价", "企业用户单价", "创新券用户单价", "联系人", "联系电话")
ORG_HEADERS = ("机构名称", "统一社会信用代码", "服务类别", "资质", "法定代表人", "股东", "所在乡镇", "联系方式", "服务产业链")
REQUIRED = {"instruments": ("仪器名称", "所属单位", "原值"), "service_orgs": ("机构名称", "服务类别")}
KINDS = {"instruments": "共享仪器", "service_orgs": "科技服务机构"}
MAX_ROWS = 20_000
SHARING = {str(label): value for value, label in InstrumentProfile.SharingMode.choices}
ORG_KIND = {str(label): value for value, label in ServiceOrg.Kind.choices}
FEE_COLUMNS = {"内部用户单价": "internal", "企业用户单价": "enterprise", "创新券用户单价": "voucher"}


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def template_workbook(kind: str) -> bytes:
    from kechuang.core.xlsx import template_bytes

    return template_bytes(KINDS[kind], INSTRUMENT_HEADERS if kind == "instruments" else ORG_HEADERS)


def _text(v) -> str:
    return "" if v is None else str(v).strip()


def _list(v) -> list[str]:
    return [s.strip() for s in _text(v).replace(";", "；").replace("，", "；").replace("、", "；").split("；") if s.strip()]


def _decimal(v, where, errors, *, hi=MONEY_MAX):
    if v in (None, ""):
        return None
    try:
        d = Decimal(str(v).strip())
    except InvalidOperation:
        errors.append(f"{where}: 应为数字，实际为“{v}”")
        return None
    if not d.is_finite() or d < 0 or d > hi:
        errors.append(f"{where}: 应在 0 到 {hi} 之间，实际为“{v}”")
        return None
    return d


def _date(v, where, errors):
    if v in (None, ""):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(_text(v))
    except ValueError:
        errors.append(f"{where}: 日期格式应为 YYYY-MM-DD，实际为“{v}”")
        return None


def import_workbook(fileobj, *, actor, kind: str, dry_run: bool = False, source_name: str = "upload.xlsx") -> ImportReport:
    """Validate every row, then (unless ``dry_run`` or any error) write all rows in one transaction."""
    from kechuang.core.uploads import UploadError, load_xlsx

    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    require(actor, "resources.instrument.import" if kind == "instruments" else "resources.service_org.import")
    report = ImportReport(kind=kind, dry_run=dry_run)
    try:
        wb = load_xlsx(fileobj)
    except UploadError as exc:  # decompressed size, shared strings, rows capped before parsing
        report.errors.append(f"文件: {exc}")
        return report
    except Exception:
        report.errors.append("文件: 不是有效的 Excel（.xlsx）文件")
        return report
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_text(h) for h in (next(rows, None) or [])]
    cols = {h: i for i, h in enumerate(header) if h}
    missing = [h for h in REQUIRED[kind] if h not in cols]
    if missing:
        report.errors.append("第1行 表头: 缺少列 " + "、".join(missing))
        return report
    parsed = []
    for n, row in enumerate(rows, start=2):
        if row is None or all(v in (None, "") for v in row):
            continue
        if report.rows >= MAX_ROWS:
            report.errors.append(f"第{n}行: 超过 {MAX_ROWS} 行上限")
            break
        report.rows += 1
        get = {h: (row[i] if i < len(row) else None) for h, i in cols.items()}
        parse = _parse_instrument if kind == "instruments" else _parse_org
        item = parse(n, get, report.errors)
        if item is not None:
            parsed.append(item)
    if report.errors or dry_run:
        return report
    with transaction.atomic(), change_context(source=f"import:resources {kind} {source_name}"[:200]):
        for item in parsed:
            created = (_write_instrument if kind == "instruments" else _write_org)(item)
            if created:
                report.created += 1
            else:
                report.updated += 1
    return report


def _parse_instrument(n, get, errors):
    from kechuang.techmarket.models import Institute

    before = len(errors)
    name = _text(get.get("仪器名称"))
    if not name:
        errors.append(f"第{n}行 仪器名称: 不能为空")
    elif len(name) > 200:
        errors.append(f"第{n}行 仪器名称: 超过 200 字")
    owner_name = _text(get.get("所属单位"))
    owner = Institute.objects.filter(name=owner_name).first() if owner_name else None
    if owner is None:
        errors.append(f"第{n}行 所属单位: 科研机构“{owner_name}”未登记" if owner_name else f"第{n}行 所属单位: 不能为空")
    value = _decimal(get.get("原值"), f"第{n}行 原值", errors)
    if value is None and not any(e.startswith(f"第{n}行 原值") for e in errors):
        errors.append(f"第{n}行 原值: 不能为空")
    sharing_label = _text(get.get("共享方式")) or "对外开放共享"
    if sharing_label not in SHARING:
        errors.append(f"第{n}行 共享方式: 应为 {'/'.join(SHARING)}，实际为“{sharing_label}”")
    fees = {}
    for col, cat in FEE_COLUMNS.items():
        yuan = _decimal(get.get(col), f"第{n}行 {col}", errors, hi=Decimal("1000000"))
        if yuan is not None:
            fees[cat] = (yuan / 10000).quantize(Decimal("0.0001"))
    purchased = _date(get.get("购置日期"), f"第{n}行 购置日期", errors)
    if len(errors) > before:
        return None
    return {"name": name, "owner": owner, "category": _text(get.get("类别"))[:60], "fees": fees, "profile": {
        "model_no": _text(get.get("规格型号"))[:100], "maker": _text(get.get("生产制造商"))[:200],
        "country": _text(get.get("产地国别"))[:40], "value": value, "purchased_on": purchased,
        "location": _text(get.get("安放地址"))[:200], "technical_indicators": _text(get.get("主要技术指标"))[:5000],
        "main_functions": _text(get.get("主要功能"))[:5000], "sharing_mode": SHARING[sharing_label],
        "contact_name": _text(get.get("联系人"))[:40], "contact_phone": _text(get.get("联系电话"))[:30]}}


def _write_instrument(item) -> bool:
    from kechuang.techmarket.models import Instrument

    from .models import FeeRule

    inst, created = Instrument.objects.get_or_create(name=item["name"], owner=item["owner"],
                                                     defaults={"category": item["category"]})
    if not created and item["category"] and inst.category != item["category"]:
        inst.category = item["category"]
        inst.save()
    profile, _ = InstrumentProfile.objects.update_or_create(instrument=inst, defaults=item["profile"])
    for cat, price in item["fees"].items():
        FeeRule.objects.update_or_create(instrument=inst, user_category=cat, defaults={"price_per_hour": price})
    return created


def _parse_org(n, get, errors):
    from kechuang.core.models import Region

    before = len(errors)
    name = _text(get.get("机构名称"))
    if not name:
        errors.append(f"第{n}行 机构名称: 不能为空")
    kind_label = _text(get.get("服务类别"))
    if kind_label not in ORG_KIND:
        errors.append(f"第{n}行 服务类别: 应为 {'/'.join(ORG_KIND)}，实际为“{kind_label}”")
    uscc = _text(get.get("统一社会信用代码")).upper()
    if uscc:
        from stdnum.cn import uscc as stdnum_uscc

        if not stdnum_uscc.is_valid(uscc):
            errors.append(f"第{n}行 统一社会信用代码: “{uscc}”校验不通过")
    township = None
    tname = _text(get.get("所在乡镇"))
    if tname:
        township = Region.resolve(tname)
        if township is None:
            errors.append(f"第{n}行 所在乡镇: 未找到“{tname}”")
    if len(errors) > before:
        return None
    return {"name": name[:200], "uscc": uscc, "kind": ORG_KIND[kind_label], "qualifications": _list(get.get("资质")),
            "legal_person": _text(get.get("法定代表人"))[:40], "shareholders": _list(get.get("股东")),
            "township": township, "contact": _text(get.get("联系方式"))[:100],
            "industry_chains": _list(get.get("服务产业链"))}


def _write_org(item) -> bool:
    name = item.pop("name")
    _, created = ServiceOrg.objects.update_or_create(name=name, defaults=item)
    return created
