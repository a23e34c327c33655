"""Import of the enterprise workbook: validate the whole file, then (unless a dry run) commit
everything in one transaction with bulk operations, logged under `import:<file name>`.

    result = import_workbook(data, filename="x.xlsx", user=system_actor("command:…"), dry_run=False)
    result.ok, result.problems, result.counts

Rows are matched on 统一社会信用代码 (enterprises), USCC + 年度 (years), USCC + 编号 — or
USCC + 类型 + 名称 + 授权日期 when there is no number — (IP), USCC + 资质类型 + 有效期起
(qualifications): a matched row is updated, an unmatched one created; nothing is deleted.
A column missing from a sheet leaves that field untouched; a blank cell clears it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from stdnum.cn import uscc as uscc_check
from stdnum.exceptions import ValidationError as StdnumError

from kechuang.core.changes import change_context, log_bulk, snapshot
from kechuang.core.models import Region
from kechuang.core.permissions import is_system, require
from kechuang.core.roles import Role
from kechuang.enterprises import checks
from kechuang.enterprises.excel_io import _BAD, ParsedRow, ParsedWorkbook, Problem, is_bad, read_workbook
from kechuang.enterprises.excel_schema import ENTERPRISE, IP, QUALIFICATIONS, YEARS, Sheet
from kechuang.enterprises.models import (
    Enterprise,
    FiscalYear,
    IPRight,
    Qualification,
    name_initials,
    uscc_reason,
)

CHUNK = 5000


@dataclass
class ImportResult:
    """Outcome of one import: problems (empty = valid), what was (or would be) written."""

    filename: str
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    committed: bool = False
    skipped_examples: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One Chinese line: 企业 新建 3 / 更新 1 / 未变 0；年度数据 …"""
        parts = []
        for title, c in self.counts.items():
            parts.append(f"{title} 新建 {c.get('create', 0)} / 更新 {c.get('update', 0)} / 未变 {c.get('unchanged', 0)}")
        return "；".join(parts) if parts else "没有可导入的数据行"


def township_lookup() -> dict[str, int]:
    """Every spelling of the 27 townships (name, short name, aliases) → Region id."""
    table = {}
    for region in Region.townships().only("id", "name", "short_name", "aliases"):
        for text in [region.name, region.short_name, *(region.aliases or [])]:
            if text:
                table[text.strip()] = region.id
    return table


def _chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


class _Plan:
    """The validated workbook turned into objects to create and update."""

    def __init__(self):
        self.create: dict[str, list] = {}
        self.update: dict[str, list] = {}
        self.update_fields: dict[str, set] = {}
        self.before: dict[str, dict] = {}
        self.unchanged: dict[str, int] = {}


def import_workbook(data: bytes, *, filename: str, user, dry_run: bool = False,
                    today: dt.date | None = None, progress=None) -> ImportResult:
    """Validate the whole workbook, then commit it in one transaction (unless `dry_run` or a
    problem was found). `user` is the signed-in user or, for a command-line import, a system
    actor (all enterprises editable); None refuses.
    `progress(done, total, step=…)` is told each phase (a job's page or a terminal shows it).
    Raises WorkbookError when the file as a whole cannot be read."""
    require(user, "enterprises.enterprise.import")
    step = progress or (lambda *a, **k: None)
    today = today or dt.date.today()
    step(0, 3, step="读取工作簿")
    parsed = read_workbook(data, today)
    result = ImportResult(filename=filename, dry_run=dry_run, skipped_examples=parsed.skipped_examples)
    result.problems.extend(parsed.problems)
    step(1, 3, step=f"校验 {sum(len(r) for r in parsed.rows.values())} 行")
    _check_ranges(parsed, result.problems)
    plan = _validate_and_plan(parsed, result, user)
    step(2, 3, step="写入数据库" if not result.problems and not dry_run else "整理校验结果")
    for title in (ENTERPRISE.title, YEARS.title, IP.title, QUALIFICATIONS.title):
        if title in parsed.rows:
            result.counts[title] = {"create": len(plan.create.get(title, [])),
                                    "update": len(plan.update.get(title, [])),
                                    "unchanged": plan.unchanged.get(title, 0)}
    result.problems.sort(key=lambda p: ([s.title for s in (ENTERPRISE, YEARS, IP, QUALIFICATIONS)].index(p.sheet), p.row))
    if result.ok and not dry_run:
        _commit(plan, filename, user)
        result.committed = True
    return result


def _check_ranges(parsed: ParsedWorkbook, problems: list[Problem]) -> None:
    """Every numeric cell against its model field's range (kechuang.core.bounds): a value the
    database would refuse is a row problem, never a failed commit."""
    from django.apps import apps
    from django.core.exceptions import ValidationError

    from kechuang.core.bounds import range_of

    for sheet in (ENTERPRISE, YEARS, IP, QUALIFICATIONS):
        model = apps.get_model("enterprises", sheet.model)
        checks = []
        for column in sheet.columns:
            try:
                rv = range_of(model._meta.get_field(column.field))
            except Exception:  # noqa: BLE001 - a column that is not a model field (uscc of a child sheet)
                rv = None
            if rv is not None:
                checks.append((column, rv))
        for row in parsed.rows.get(sheet.title, []):
            for column, rv in checks:
                value = row.values.get(column.field)
                if value is None or is_bad(value):
                    continue
                try:
                    rv(value)
                except ValidationError as exc:
                    problems.append(Problem(sheet.title, row.row, column.header, exc.messages[0]))
                    row.values[column.field] = _BAD


def _validate_and_plan(parsed: ParsedWorkbook, result: ImportResult, user) -> _Plan:
    problems = result.problems
    plan = _Plan()
    townships = township_lookup()
    ent_rows = parsed.rows.get(ENTERPRISE.title, [])
    all_usccs = set()
    # 1. USCC of every row: checksum.
    for title, rows in parsed.rows.items():
        for row in rows:
            code = row.values.get("uscc")
            if code is None or is_bad(code):
                continue
            code = code.upper().replace(" ", "")
            try:
                uscc_check.validate(code)
            except StdnumError as exc:
                problems.append(Problem(title, row.row, "统一社会信用代码", f"“{code}”无效：{uscc_reason(code, exc)}"))
                row.values["uscc"] = _INVALID
                continue
            row.values["uscc"] = code
            all_usccs.add(code)
    existing: dict[str, Enterprise] = {}
    for part in _chunks(all_usccs):
        for ent in Enterprise.objects.filter(uscc__in=part):
            existing[ent.uscc] = ent
    editable = None
    if not is_system(user):
        editable = set()
        for part in _chunks([e.pk for e in existing.values()]):
            editable.update(Enterprise.objects.restrict(user, "change").filter(pk__in=part).values_list("pk", flat=True))
    # 2. Enterprise sheet.
    seen: dict[str, int] = {}
    bad_codes: set[str] = set()
    sheet_ents: dict[str, Enterprise] = {}
    present = parsed.present.get(ENTERPRISE.title, set())
    for row in ent_rows:
        v = row.values
        code = v.get("uscc")
        if not _usable(code):
            continue
        if code in seen:
            problems.append(Problem(ENTERPRISE.title, row.row, "统一社会信用代码", f"与第{seen[code]}行重复"))
            continue
        seen[code] = row.row
        if "township" in v and not is_bad(v["township"]):
            tid = townships.get(v["township"])
            if tid is None:
                problems.append(Problem(ENTERPRISE.title, row.row, "所属乡镇", f"未知的乡镇“{v['township']}”（请从下拉列表选择）"))
                v["township"] = _INVALID
            else:
                v["township"] = tid
        _check_staff(row, problems)
        ent = existing.get(code)
        if not is_system(user) and not _may_write(user, ent, editable, v.get("township")):
            problems.append(Problem(ENTERPRISE.title, row.row, "统一社会信用代码" if ent else "所属乡镇",
                                    "该企业不在您可管理的范围内" if ent else "只能导入本乡镇的企业"))
            bad_codes.add(code)
            continue
        if _any_bad(v):
            bad_codes.add(code)
            continue
        values = {f: (v[f] if v[f] is not None else _blank(Enterprise, f)) for f in present if f != "uscc"}
        values["township_id"] = values.pop("township")
        if ent is None:
            obj = Enterprise(uscc=code, **values)
            obj.initials = name_initials(obj.name)
            plan.create.setdefault(ENTERPRISE.title, []).append(obj)
        else:
            _apply(plan, ENTERPRISE.title, ent, values)
            if ent in plan.update.get(ENTERPRISE.title, []):
                ent.initials = name_initials(ent.name)
        sheet_ents[code] = ent or obj
    known = set(existing) | set(sheet_ents)

    def owner(title: str, row: ParsedRow):
        code = row.values.get("uscc")
        if not _usable(code) or code in bad_codes:
            return None  # the enterprise row itself is reported
        if code not in known:
            problems.append(Problem(title, row.row, "统一社会信用代码",
                                    f"企业“{code}”不存在：请先在“企业”表中填写该企业"))
            return None
        if code in sheet_ents:
            return sheet_ents[code]
        ent = existing[code]
        if editable is not None and ent.pk not in editable:
            problems.append(Problem(title, row.row, "统一社会信用代码", "该企业不在您可管理的范围内"))
            return None
        return ent

    # 3. Children.
    child_ents = {}
    for title in (YEARS.title, IP.title, QUALIFICATIONS.title):
        for row in parsed.rows.get(title, []):
            child_ents[(title, row.row)] = owner(title, row)
    old_ids = {e.pk for e in child_ents.values() if e is not None and e.pk}
    _plan_children(plan, parsed, YEARS, FiscalYear, child_ents, old_ids, _year_key, _check_year, problems)
    _plan_children(plan, parsed, IP, IPRight, child_ents, old_ids, _ip_key, _check_ip, problems)
    _plan_children(plan, parsed, QUALIFICATIONS, Qualification, child_ents, old_ids, _qual_key, _check_qual, problems)
    return plan


class _Invalid:
    def __repr__(self) -> str:
        return "<invalid>"


_INVALID = _Invalid()


def _any_bad(values: dict) -> bool:
    return any(is_bad(x) or x is _INVALID for x in values.values())


def _usable(value) -> bool:
    return value is not None and not is_bad(value) and value is not _INVALID


def _may_write(user, ent, editable, township_id) -> bool:
    if ent is not None:
        return ent.pk in editable
    if user.role == Role.BUREAU_STAFF:
        return True
    if user.role == Role.TOWNSHIP_CLERK:
        return township_id in (None, _INVALID) or is_bad(township_id) or township_id == user.township_id
    return False


def _apply(plan: _Plan, title: str, obj, values: dict) -> None:
    """Set `values` on an existing object; queue it for update when something changed."""
    changed = {f for f, new in values.items() if getattr(obj, f) != new}
    if not changed:
        plan.unchanged[title] = plan.unchanged.get(title, 0) + 1
        return
    plan.before.setdefault(title, {})[obj.pk] = snapshot(obj)
    for f in changed:
        setattr(obj, f, values[f])
    plan.update.setdefault(title, []).append(obj)
    plan.update_fields.setdefault(title, set()).update(changed)


def _clean(values: dict) -> dict:
    return {k: v for k, v in values.items() if not is_bad(v) and v is not _INVALID}


def _report(sheet: Sheet, row: ParsedRow, problems: list[Problem], found) -> None:
    headers = {c.field: c.header for c in sheet.columns}
    for fieldname, message in found:
        problems.append(Problem(sheet.title, row.row, headers[fieldname], message))


def _check_staff(row: ParsedRow, problems: list[Problem]) -> None:
    _report(ENTERPRISE, row, problems, checks.staff_problems(_clean(row.values)))


def _check_year(row: ParsedRow, problems: list[Problem]) -> None:
    _report(YEARS, row, problems, checks.year_problems(_clean(row.values)))


def _check_ip(row: ParsedRow, problems: list[Problem]) -> None:
    _report(IP, row, problems, checks.date_order_problems(_clean(row.values), IP_DATES))


def _check_qual(row: ParsedRow, problems: list[Problem]) -> None:
    _report(QUALIFICATIONS, row, problems, checks.date_order_problems(_clean(row.values), QUAL_DATES))


IP_DATES = (("granted_on", "授权日期", "expires_on", "到期日期"),)
QUAL_DATES = (("valid_from", "有效期起", "valid_until", "有效期止"),
              ("first_recognized_on", "首次认定日期", "valid_from", "有效期起"))


def _year_key(v):
    return (v["year"],)


def _ip_key(v):
    number = (v.get("number") or "").strip()
    if number:
        return ("no", number)
    return ("kind", v.get("kind"), v.get("title") or "", v.get("granted_on"))


def _qual_key(v):
    return (v.get("kind"), v.get("valid_from"))


def _describe_key(sheet: Sheet, key) -> str:
    if sheet is YEARS:
        return f"{key[0]} 年度"
    if sheet is IP:
        return f"编号 {key[1]}" if key[0] == "no" else "同类型、同名称、同授权日期的知识产权"
    return "同资质类型、同有效期起的资质"


def _plan_children(plan, parsed, sheet: Sheet, model, child_ents, old_ids, key_of, check, problems) -> None:
    rows = parsed.rows.get(sheet.title)
    if not rows:
        return
    present = parsed.present[sheet.title] - {"uscc"}
    existing: dict[tuple, object] = {}
    for part in _chunks(old_ids):
        for obj in model.objects.filter(enterprise_id__in=part):
            values = {f: getattr(obj, f) for f in ("year", "number", "kind", "title", "granted_on", "valid_from")
                      if hasattr(obj, f)}
            existing[(obj.enterprise_id, *key_of(values))] = obj
    seen: dict[tuple, int] = {}
    for row in rows:
        ent = child_ents.get((sheet.title, row.row))
        v = row.values
        check(row, problems)
        if ent is None or _any_bad(v):
            continue
        key = key_of(v)
        ident = (v["uscc"], *key)
        if ident in seen:
            problems.append(Problem(sheet.title, row.row, "统一社会信用代码",
                                    f"与第{seen[ident]}行重复（同一企业的{_describe_key(sheet, key)}）"))
            continue
        seen[ident] = row.row
        values = {f: (v[f] if v[f] is not None else _blank(model, f)) for f in present}
        obj = existing.get((ent.pk, *key)) if ent.pk else None
        if obj is None:
            plan.create.setdefault(sheet.title, []).append((ent, model(**values)))
        else:
            _apply(plan, sheet.title, obj, values)


def _blank(model, fieldname):
    """The value a blank cell stores: "" for text fields, False for used_for_hnte, else None."""
    f = model._meta.get_field(fieldname)
    if f.get_internal_type() == "JSONField":
        return []
    if not f.null:
        return False if f.get_internal_type() == "BooleanField" else ""
    return None


def _commit(plan: _Plan, filename: str, user) -> None:
    with transaction.atomic(), change_context(user=None if is_system(user) else user, source=f"import:{filename}"):
        title = ENTERPRISE.title
        new_ents = plan.create.get(title, [])
        for ent in new_ents:
            for f in Enterprise._meta.concrete_fields:
                if getattr(ent, f.attname) is None and not f.null and f.has_default():
                    setattr(ent, f.attname, f.get_default())
                elif getattr(ent, f.attname) is None and not f.null and f.get_internal_type() == "CharField":
                    setattr(ent, f.attname, "")
        Enterprise.objects.bulk_create(new_ents, batch_size=1000)
        log_bulk(Enterprise, "create", new_ents)
        _bulk_update(Enterprise, plan, title)
        for sheet, model in ((YEARS, FiscalYear), (IP, IPRight), (QUALIFICATIONS, Qualification)):
            created = []
            for ent, obj in plan.create.get(sheet.title, []):
                obj.enterprise_id = ent.pk
                for f in model._meta.concrete_fields:
                    if getattr(obj, f.attname) is None and not f.null and not f.primary_key:
                        setattr(obj, f.attname, f.get_default() if f.has_default() else "")
                created.append(obj)
            model.objects.bulk_create(created, batch_size=1000)
            log_bulk(model, "create", created)
            _bulk_update(model, plan, sheet.title)


def _bulk_update(model, plan: _Plan, title: str) -> None:
    objs = plan.update.get(title, [])
    if not objs:
        return
    fields = sorted(plan.update_fields[title] | ({"initials"} if model is Enterprise else set()))
    if model is Enterprise:
        fields.append("updated_at")
        from django.utils import timezone

        now = timezone.now()
        for obj in objs:
            obj.updated_at = now
    model.objects.bulk_update(objs, fields, batch_size=500)
    log_bulk(model, "update", objs, before=plan.before.get(title, {}))
