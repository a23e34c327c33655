"""Excel import of upper-level talent programme lists: every row validated first, errors named by
row and column, nothing written when any row is wrong; then one transaction."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

COLUMNS = ("人才计划", "层级", "入选年度", "姓名", "居民身份证号码")
LEVELS = {"国家级": "national", "省级": "provincial"}
MAX_ROWS = 20_000


@dataclass
class ListingImport:
    errors: list[str] = field(default_factory=list)
    created: int = 0
    existing: int = 0
    proposals: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(v) -> str:
    return "" if v is None else str(v).strip()


def import_listings(*, actor, upload) -> ListingImport:
    from kechuang.core.permissions import require
    from kechuang.core.uploads import UploadError, load_xlsx

    from . import services
    from .models import Programme, ProgrammeListing, Recognition, validate_id_number

    require(actor, "talent.listing.import")
    report = ListingImport()
    limit = getattr(settings, "KECHUANG_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
    if getattr(upload, "size", 0) > limit:
        report.errors.append(f"文件：超过 {limit // (1024 * 1024)} MB 的上传上限")
        return report
    try:
        wb = load_xlsx(upload)
    except UploadError as exc:  # decompressed size, shared strings, rows capped before parsing
        report.errors.append(f"文件： {exc}")
        return report
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        report.errors.append("文件：不是有效的 Excel（.xlsx）工作簿")
        return report
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header = [_text(h) for h in (next(rows, None) or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        report.errors.append(f"第1行 表头：缺少列 {'、'.join(missing)}")
        wb.close()
        return report
    col = {h: header.index(h) for h in COLUMNS}
    parsed, seen = [], set()
    for n, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        if len(parsed) >= MAX_ROWS:
            report.errors.append(f"文件：超过 {MAX_ROWS} 行，请分批导入")
            break
        get = {h: _text(values[i]) if i < len(values) else "" for h, i in col.items()}
        before = len(report.errors)
        if not get["人才计划"] or len(get["人才计划"]) > 120:
            report.errors.append(f"第{n}行 人才计划：不能为空，且不超过 120 字")
        if get["层级"] not in LEVELS:
            report.errors.append(f"第{n}行 层级：应为“国家级”或“省级”，实际为“{get['层级']}”")
        year = get["入选年度"].removesuffix(".0")
        if not (year.isdigit() and 1990 <= int(year) <= 2100):
            report.errors.append(f"第{n}行 入选年度：应为 1990～2100 的年份，实际为“{get['入选年度']}”")
        if not get["姓名"] or len(get["姓名"]) > 60:
            report.errors.append(f"第{n}行 姓名：不能为空，且不超过 60 字")
        id_number = get["居民身份证号码"].upper()
        try:
            validate_id_number(id_number)
        except Exception:
            report.errors.append(f"第{n}行 居民身份证号码：格式或校验位不正确")
        key = (get["人才计划"], id_number)
        if key in seen:
            report.errors.append(f"第{n}行 居民身份证号码：与前面的行重复（同一人才计划）")
        seen.add(key)
        if len(report.errors) == before:
            parsed.append((get["人才计划"], LEVELS[get["层级"]], int(year), get["姓名"], id_number))
    wb.close()
    if report.errors:
        return report
    with transaction.atomic():
        before = Recognition.objects.filter(channel=Recognition.Channel.AUTOMATIC).count()
        for name, level, year, person, id_number in parsed:
            programme, _ = Programme.objects.get_or_create(name=name, defaults={"level": level})
            if ProgrammeListing.objects.filter(programme=programme, id_number=id_number).exists():
                report.existing += 1
                continue
            services.listing_add(actor=actor, programme=programme, year=year, name=person, id_number=id_number)
            report.created += 1
        report.proposals = Recognition.objects.filter(channel=Recognition.Channel.AUTOMATIC).count() - before
    return report
