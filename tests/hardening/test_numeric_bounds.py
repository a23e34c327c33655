"""Issue 11 item 4: no stored number can break a page.

The walker is generic: it introspects every model of the product apps, every form class in a
``kechuang.<app>.forms`` module, every operation of both APIs and every import column, and feeds
each numeric field NaN, ±inf, 1e20, −1 and a 25-digit integer. Expected: a clear Chinese field
error (never a 500), and nothing stored. A numeric field added later without a range fails here.
"""

from __future__ import annotations

import inspect
import io
import math
import typing
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, models, transaction

from kechuang.core.bounds import RangeValidator, numeric_fields, range_of
from tests.world import SYSTEM

BAD = ["NaN", "nan", "inf", "-inf", "Infinity", "1e309", "1e20", "-1", "9" * 25]
BAD_NUMBERS = [Decimal("NaN"), float("nan"), float("inf"), float("-inf"), Decimal("1e20"), -1, 10**25]
SANE = Decimal("1e12")
#: numeric fields deliberately without a range, with the reason
EXEMPT = {
    # append-only audit rows written only by the application; a CHECK would mean rebuilding the
    # trigger-guarded table on SQLite
    "core.AuditEvent.user_id_ref",
}


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _product_models():
    labels = [name.rsplit(".", 1)[-1] for name in settings.PROJECT_APPS]
    for label in labels:
        yield from apps.get_app_config(label).get_models()


#: fields of apps that landed while this walker was written, still without a range or a CHECK
#: (issue 11 follow-up for their owners). Strict xfail: once a field is bounded this entry must
#: be removed, so the list can only shrink.
KNOWN_GAPS: set[str] = set()


#: API inputs of apps that landed meanwhile, still unbounded (strict xfail: the list can only shrink)
KNOWN_API_GAPS: set[str] = set()


def _numeric_model_fields():
    for model in _product_models():
        for field in numeric_fields(model):
            key = f"{model._meta.label}.{field.name}"
            marks = [pytest.mark.xfail(strict=True, reason="待补：该应用的数值字段尚无范围校验或数据库约束")] \
                if key in KNOWN_GAPS else []
            yield pytest.param(model, field, id=key, marks=marks)


def _negative_allowed(rv: RangeValidator) -> bool:
    return rv.lo <= -1


@pytest.mark.parametrize("model, field", list(_numeric_model_fields()))
def test_every_numeric_model_field_has_a_sane_range_and_a_database_check(model, field):
    key = f"{model._meta.label}.{field.name}"
    if key in EXEMPT:
        return
    rv = range_of(field)
    assert rv is not None, f"{key}: no RangeValidator (validators=bounded(...) from kechuang.core.bounds)"
    assert -SANE <= rv.lo <= rv.hi <= SANE, f"{key}: range {rv.lo}..{rv.hi} is not sane"
    checks = [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)
              and field.name in str(c.condition)]
    assert checks, f"{key}: no CheckConstraint (decorate the model with @range_checked)"
    for value in BAD_NUMBERS:
        if value == -1 and _negative_allowed(rv):
            continue
        with pytest.raises(ValidationError) as info:
            rv(value)
        assert _chinese(info.value.messages[0]), info.value.messages


@pytest.mark.django_db
def test_the_database_holds_every_range_check():
    with connection.cursor() as cursor:
        for model in _product_models():
            names = {name for name, c in connection.introspection.get_constraints(cursor, model._meta.db_table).items()
                     if c.get("check")}
            for c in model._meta.constraints:
                if isinstance(c, models.CheckConstraint) and c.name.endswith(("_range", "_rng")):
                    if connection.vendor == "sqlite":
                        # SQLite reports unnamed CHECKs; look for the condition text in the schema
                        cursor.execute("SELECT sql FROM sqlite_master WHERE name=%s", [model._meta.db_table])
                        assert c.name in cursor.fetchone()[0], (model, c.name)
                    else:
                        assert c.name in names, (model, c.name)


@pytest.mark.django_db
def test_the_database_refuses_out_of_range_numbers_that_bypass_validation(world):
    """The CHECK constraint, not only the validator: a raw UPDATE with 1e20 is refused."""
    from kechuang.enterprises.models import Enterprise, FiscalYear

    fy = FiscalYear.objects.create(enterprise=world.enterprise_a, year=2024, sales_revenue=Decimal("10"))
    for model, pk, column, value in ((FiscalYear, fy.pk, "sales_revenue", 1e20),
                                     (FiscalYear, fy.pk, "sales_revenue", float("inf")),
                                     (Enterprise, world.enterprise_a.pk, "employees", 10**15),
                                     (Enterprise, world.enterprise_a.pk, "employees", -1)):
        # refused by a CHECK (IntegrityError) or, on PostgreSQL, by the column's own precision (DataError)
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {model._meta.db_table} SET {column} = %s WHERE id = %s", [value, pk])
    fy.refresh_from_db()
    assert fy.sales_revenue == Decimal("10")


@pytest.mark.django_db
def test_the_pre_save_net_refuses_a_poisoned_value_with_a_field_error(world):
    from kechuang.techmarket.models import Challenge

    ch = Challenge(title="x", bounty=Decimal("1e20"))
    with pytest.raises(ValidationError) as info:
        ch.save()
    assert "bounty" in info.value.message_dict and _chinese(info.value.message_dict["bounty"][0])
    assert not Challenge.objects.exists()


# ---- forms -------------------------------------------------------------------------------------

def _form_classes():
    for dotted in settings.PROJECT_APPS:
        if find_spec(f"{dotted}.forms") is None:
            continue
        module = import_module(f"{dotted}.forms")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__ and not cls.__name__.startswith("_"):
                yield cls


def _make_form(cls, data, world):
    params = inspect.signature(cls.__init__).parameters
    kwargs = {}
    if "user" in params:
        kwargs["user"] = world.staff
    if "enterprise" in params:
        kwargs["enterprise"] = world.enterprise_a
    if "request" in params:
        kwargs["request"] = None
    return cls(data=data, **kwargs)


def _numeric_form_fields(form):
    return [name for name, f in form.fields.items()
            if isinstance(f, (forms.IntegerField, forms.DecimalField, forms.FloatField))]


@pytest.mark.django_db
def test_every_numeric_form_field_refuses_bad_numbers_with_a_chinese_error(world):
    checked = 0
    for cls in _form_classes():
        probe = _make_form(cls, {}, world)
        for name in _numeric_form_fields(probe):
            field = probe.fields[name]
            has_range = any(isinstance(v, RangeValidator) for v in field.validators) or (
                field.min_value is not None and field.max_value is not None and
                abs(Decimal(field.max_value)) <= SANE)
            model_field = None
            if isinstance(probe, forms.ModelForm) and name in [f.name for f in probe._meta.model._meta.fields]:
                model_field = probe._meta.model._meta.get_field(name)
            assert has_range or (model_field is not None and range_of(model_field) is not None), \
                f"{cls.__name__}.{name}: no range (validators=bounded(...))"
            for bad in BAD:
                rv = next((v for v in field.validators if isinstance(v, RangeValidator)), None) or (
                    range_of(model_field) if model_field is not None else None)
                if bad == "-1" and ((rv is not None and rv.lo <= -1) or
                                    (field.min_value is not None and field.min_value <= -1)):
                    continue
                form = _make_form(cls, {name: bad}, world)
                form.is_valid()
                assert name in form.errors, f"{cls.__name__}.{name} accepted {bad!r}"
                assert all(_chinese(m) for m in form.errors[name]), (cls.__name__, name, form.errors[name])
                checked += 1
    assert checked > 100  # the walker really walked (self-check, enterprise, year and calculator forms)


# ---- API schemas ---------------------------------------------------------------------------------

def _numeric_annotation(annotation) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _numeric_annotation(typing.get_args(annotation)[0])
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return any(_numeric_annotation(a) for a in typing.get_args(annotation) if a is not type(None))
    return annotation in (int, float, Decimal)


def _api_numeric_fields():
    from pydantic import BaseModel

    from kechuang.api import api, public_api

    for which in (api, public_api):
        for _router_prefix, router in which._routers:
            for _path, view in router.path_operations.items():
                for op in view.operations:
                    for model in op.models:
                        stack = [(model, op.view_func.__name__)]
                        while stack:
                            m, where = stack.pop()
                            for fname, finfo in m.model_fields.items():
                                ann = finfo.annotation
                                if inspect.isclass(ann) and issubclass(ann, BaseModel):
                                    stack.append((ann, f"{where}.{fname}"))
                                elif _numeric_annotation(ann):
                                    key = f"{where}.{fname}"
                                    marks = [pytest.mark.xfail(strict=True, reason="待补：API 整数参数无范围")] \
                                        if key in KNOWN_API_GAPS else []
                                    yield pytest.param(m, fname, id=key, marks=marks)


@pytest.mark.parametrize("model, fname", list(_api_numeric_fields()))
def test_every_numeric_api_input_refuses_bad_numbers(model, fname):
    from pydantic import TypeAdapter
    from pydantic import ValidationError as PydanticError

    from kechuang.api import _MESSAGES

    finfo = model.model_fields[fname]
    adapter = TypeAdapter(typing.Annotated[finfo.annotation, *finfo.metadata]) if finfo.metadata else \
        TypeAdapter(finfo.annotation)
    for bad in BAD + [float("nan"), float("inf"), 1e20, 10**25]:
        with pytest.raises(PydanticError) as info:
            adapter.validate_python(bad)
        for e in info.value.errors():
            assert e["type"] in _MESSAGES, f"{fname}: no Chinese message for {e['type']}"
            assert _chinese(_MESSAGES[e["type"]])


def test_api_walker_found_the_numeric_inputs():
    ids = [p.id for p in _api_numeric_fields()]
    assert any("year" in i for i in ids) and any("page" in i for i in ids), ids


@pytest.mark.django_db
def test_api_answers_bad_numbers_with_a_chinese_422(world, client_for):
    c = client_for(world.staff)
    for bad in BAD:
        for path in (f"/api/targets/reports?year={bad}", f"/api/enterprises/?page={bad}",
                     f"/api/enterprises/?township={bad}"):
            r = c.get(path)
            assert r.status_code == 422, (path, r.status_code)
            assert _chinese(r.json()["detail"][0]["msg"]), r.json()
        r = c.post("/api/targets/reports", {"year": 2025, "kind": "h1", "township": "水头镇", "indicator": "x",
                                            "value": bad}, content_type="application/json")
        assert r.status_code in (422,), (bad, r.status_code, r.content[:200])


# ---- import columns --------------------------------------------------------------------------------

def _enterprise_numeric_columns():
    from kechuang.enterprises.excel_schema import SHEETS

    for sheet in SHEETS:
        for column in sheet.columns:
            if column.kind in ("int", "year", "money"):
                yield pytest.param(sheet, column, id=f"{sheet.title}.{column.header}")


def _enterprise_workbook(sheet, column, bad, world):
    from openpyxl import Workbook

    from kechuang.enterprises.excel_schema import ENTERPRISE

    wb = Workbook()
    ws = wb.active
    ws.title = sheet.title
    ws.append([c.header for c in sheet.columns])
    row = []
    for c in sheet.columns:
        if c is column:
            row.append(bad)
        elif c.field == "uscc":
            row.append(world.enterprise_a.uscc)
        elif c.field == "name":
            row.append(world.enterprise_a.name)
        elif c.field == "township":
            row.append("水头镇")
        elif c.field == "year":
            row.append(2024)
        elif c.kind == "money":
            row.append(1)
        else:
            row.append(None)
    ws.append(row)
    if sheet is not ENTERPRISE:
        pass
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("sheet, column", list(_enterprise_numeric_columns()))
def test_every_enterprise_import_column_refuses_bad_numbers(world, sheet, column):
    from kechuang.enterprises.imports import import_workbook
    from kechuang.enterprises.models import Enterprise, FiscalYear

    before_years = FiscalYear.objects.count()
    employees = Enterprise.objects.values_list("employees", flat=True).order_by("pk")
    before = list(employees)
    for bad in BAD + [1e20, -1, 10**25]:
        if bad in ("-1", -1) and column.negative_ok:
            continue
        data = _enterprise_workbook(sheet, column, bad, world)
        result = import_workbook(data, filename="x.xlsx", user=SYSTEM)
        mine = [p for p in result.problems if p.header == column.header]
        assert mine, (column.header, bad, [str(p) for p in result.problems])
        assert all(_chinese(p.reason) for p in mine)
        assert not result.committed
    assert FiscalYear.objects.count() == before_years and list(employees) == before


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["achievements", "needs"])
def test_every_techmarket_import_column_never_stores_a_bad_number(world, kind):
    from openpyxl import Workbook

    from kechuang.techmarket import excel
    from kechuang.techmarket.models import Achievement, Need

    headers = excel.ACHIEVEMENT_HEADERS if kind == "achievements" else excel.NEED_HEADERS
    base = {"成果名称": "成果", "统一社会信用代码": world.enterprise_a.uscc, "需求名称": "需求", "需求描述": "描述"}
    refused = 0
    for header in headers:
        for bad in BAD + [1e20, -1, 10**25]:
            wb = Workbook()
            ws = wb.active
            ws.append(list(headers))
            ws.append([bad if h == header else base.get(h) for h in headers])
            buf = io.BytesIO()
            wb.save(buf)
            buf.seek(0)
            report = excel.import_workbook(buf, user=SYSTEM, kind=kind)
            if report.errors:
                refused += 1
                assert all(_chinese(e) for e in report.errors), report.errors
    model = Achievement if kind == "achievements" else Need
    for obj in model.objects.all():
        for field in numeric_fields(model):
            value = getattr(obj, field.attname)
            if value is not None:
                assert math.isfinite(float(value)) and range_of(field)(value) is None, (field.name, value)
    assert refused >= 4 * len(BAD)  # the money and maturity columns refused every bad value
