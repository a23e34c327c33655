"""Every stored number has a sane range (等保 数据完整性; issue 11 item 4).

A value such as ``1e309`` (infinity), ``NaN`` or ``1e20`` must never be stored: every page, the
API, the public lists and ``kechuang backup`` that read it afterwards would fail. So each numeric
model field carries one :class:`RangeValidator` (finite, ``lo ≤ x ≤ hi``, Chinese message naming
the range), and the :func:`range_checked` class decorator turns those validators into database
``CheckConstraint`` rows, so a write that bypasses validation (a bulk update, a raw import) is
refused by the database too. ``tests/hardening/test_numeric_bounds.py`` walks every numeric field
of every model, form, API schema and import column, so a field added later without a range fails
the suite.

Ranges, by kind (money is in 万元):

* ``MONEY``   0 … 1 亿万元 (1 万亿元) — revenue, budgets, bounties, prices, subsidies;
* ``SIGNED_MONEY`` −1 亿 … 1 亿万元 — profit, net assets (may be negative);
* ``COUNT``   0 … 100 万 — people, rows, items;
* ``YEAR``    1949 … 2100;
* ``PERCENT`` 0 … 100; ``RATE`` −1 … 100 (a growth rate as a fraction: −100 % … +10000 %);
* ``ORDER``   0 … 100 万 (sort orders, versions, ranks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.deconstruct import deconstructible


def is_finite_number(value) -> bool:
    """True for a finite int, float or Decimal (NaN and ±inf are not)."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return False


def _fmt(n) -> str:
    d = Decimal(str(n))
    if d == d.to_integral_value():
        return f"{int(d):,}".replace(",", "")
    return format(d.normalize(), "f")


@deconstructible
class RangeValidator:
    """Refuses NaN, ±inf and any value outside ``lo ≤ value ≤ hi`` with one Chinese sentence."""

    code = "out_of_range"

    def __init__(self, lo, hi, unit: str = ""):
        self.lo = Decimal(str(lo))
        self.hi = Decimal(str(hi))
        self.unit = unit

    def message(self) -> str:
        unit = self.unit or ""
        return f"须为 {_fmt(self.lo)} 至 {_fmt(self.hi)}{unit} 之间的有限数值"

    def __call__(self, value):
        if value is None:
            return
        if not is_finite_number(value):
            raise ValidationError(f"不是有效数值（不能为无穷大或非数字），{self.message()}", code=self.code)
        try:
            number = Decimal(str(value)) if not isinstance(value, Decimal) else value
            inside = self.lo <= number <= self.hi
        except (InvalidOperation, ValueError):
            inside = False
        if not inside:
            raise ValidationError(f"超出允许范围，{self.message()}", code=self.code)

    def __eq__(self, other):
        return (isinstance(other, RangeValidator) and (self.lo, self.hi, self.unit)
                == (other.lo, other.hi, other.unit))

    def __hash__(self):
        return hash((self.lo, self.hi, self.unit))


@dataclass(frozen=True)
class Bound:
    lo: Decimal
    hi: Decimal
    unit: str = ""

    def validators(self) -> list:
        return [RangeValidator(self.lo, self.hi, self.unit)]

    def clamp_ok(self, value) -> bool:
        try:
            RangeValidator(self.lo, self.hi)(value)
        except ValidationError:
            return False
        return True


MONEY = Bound(Decimal(0), Decimal(100_000_000), "万元")
SIGNED_MONEY = Bound(Decimal(-100_000_000), Decimal(100_000_000), "万元")
COUNT = Bound(Decimal(0), Decimal(1_000_000))
YEAR = Bound(Decimal(1949), Decimal(2100))
PERCENT = Bound(Decimal(0), Decimal(100), "%")
RATE = Bound(Decimal(-1), Decimal(100))
ORDER = Bound(Decimal(0), Decimal(1_000_000))
#: an indicator's completion value (units vary: 万元, 家, 项, %); may be negative for a decline
INDICATOR_VALUE = Bound(Decimal(-1_000_000_000), Decimal(1_000_000_000))
#: bytes of one stored file (the upload limit is far below)
FILE_SIZE = Bound(Decimal(0), Decimal(2_147_483_647), "字节")
#: milliseconds or seconds of a run, one year at most
DURATION_MS = Bound(Decimal(0), Decimal(2_147_483_647))
DURATION_S = Bound(Decimal(0), Decimal(31_536_000))


def bounded(bound: Bound, lo=None, hi=None) -> list:
    """Validators for a field: ``validators=bounded(MONEY)`` or ``bounded(COUNT, hi=9)``."""
    return [RangeValidator(bound.lo if lo is None else lo, bound.hi if hi is None else hi, bound.unit)]


NUMERIC_FIELDS = (models.IntegerField, models.DecimalField, models.FloatField)


def numeric_fields(model) -> list:
    """The concrete numeric fields of a model, primary and foreign keys excluded."""
    return [f for f in model._meta.concrete_fields
            if isinstance(f, NUMERIC_FIELDS) and not f.primary_key and not f.is_relation
            and not isinstance(f, models.AutoField)]


#: a range wider than this is no range at all (the database's own integer limits)
SANE_LIMIT = Decimal(10) ** 12


def range_of(field) -> RangeValidator | None:
    """The field's range: its RangeValidator, or one made from a Min/MaxValueValidator pair
    (apps may bound fields with Django's own validators) when both limits are sane."""
    from django.core.validators import MaxValueValidator, MinValueValidator

    lo = hi = None
    for v in field.validators:
        if isinstance(v, RangeValidator):
            return v
        limit = getattr(v, "limit_value", None)
        if callable(limit) or limit is None:
            continue
        try:
            limit = Decimal(str(limit))
        except InvalidOperation:
            continue
        if abs(limit) > SANE_LIMIT:
            continue  # Django's automatic database-range validators
        if isinstance(v, MinValueValidator):
            lo = limit if lo is None else max(lo, limit)
        elif isinstance(v, MaxValueValidator):
            hi = limit if hi is None else min(hi, limit)
    if lo is not None and hi is not None:
        return RangeValidator(lo, hi)
    return None


def _constraint_name(model, field) -> str:
    name = f"{model._meta.db_table}_{field.column}_range"
    if len(name) > 60:
        import hashlib

        digest = hashlib.sha1(name.encode()).hexdigest()[:8]
        name = f"{name[:48]}_{digest}_rng"
    return name


def range_checked(model):
    """Class decorator: one database CHECK per numeric field that has a RangeValidator.

    The constraint is ``lo <= x <= hi`` (or NULL where the field allows it); on PostgreSQL a
    NaN numeric is larger than any number, so it fails the upper bound too."""
    added = []
    existing = {c.name for c in model._meta.constraints}
    for field in numeric_fields(model):
        rv = range_of(field)
        if rv is None:
            continue
        name = _constraint_name(model, field)
        if name in existing:
            continue
        lo, hi = rv.lo, rv.hi
        if isinstance(field, models.IntegerField):
            lo, hi = int(lo), int(hi)
        elif isinstance(field, models.FloatField):
            lo, hi = float(lo), float(hi)
        cond = Q(**{f"{field.name}__gte": lo, f"{field.name}__lte": hi})
        if field.null:
            cond = cond | Q(**{f"{field.name}__isnull": True})
        added.append(models.CheckConstraint(condition=cond, name=name))
    if added:
        model._meta.constraints = [*model._meta.constraints, *added]
        # migrations read ``original_attrs`` to decide whether a model declares constraints
        model._meta.original_attrs["constraints"] = model._meta.constraints
    return model


def check_value(value, bound: Bound, label: str):
    """Service-level check for a value that did not come through a form: ValidationError naming
    the field's label (used by imports and API handlers)."""
    try:
        RangeValidator(bound.lo, bound.hi, bound.unit)(value)
    except ValidationError as exc:
        raise ValidationError(f"{label}{exc.messages[0]}", code="out_of_range") from None


def number_errors(instance) -> dict[str, str]:
    """{field name: Chinese message} for every numeric field of ``instance`` outside its range."""
    errors = {}
    for field in numeric_fields(type(instance)):
        rv = range_of(field)
        if rv is None:
            continue
        value = getattr(instance, field.attname, None)
        try:
            rv(value)
        except ValidationError as exc:
            errors[field.name] = f"{field.verbose_name}{exc.messages[0]}"
    return errors


def _refuse_out_of_range(sender, instance, raw=False, **kwargs):
    """pre_save safety net: a numeric value outside its range is never stored, whatever the path
    (a service that forgot full_clean, an import): ValidationError naming the field."""
    if raw:
        return
    errors = number_errors(instance)
    if errors:
        raise ValidationError(errors)


def connect_signals() -> None:
    from django.conf import settings
    from django.db.models.signals import pre_save

    labels = {name.rsplit(".", 1)[-1] for name in settings.PROJECT_APPS}
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.app_label in labels and any(range_of(f) for f in numeric_fields(model)):
            pre_save.connect(_refuse_out_of_range, sender=model, dispatch_uid=f"bounds:{model._meta.label}")
