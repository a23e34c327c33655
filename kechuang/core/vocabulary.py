"""The one place a field's name becomes words on a page.

Business facts (an enterprise's figures, its IP, qualifications, credit records) are defined once
in :mod:`kechuang.rules.vocabulary` (pure Python: the rules engine reads it too). Model fields
carry their Chinese ``verbose_name``. This module answers "how do I show field X of model M" for
the change log and any page that shows field names, so that no raw name (``township_id``,
``updated_at``) reaches people.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

# Bookkeeping columns nobody needs to read in a change log.
HIDDEN_IN_CHANGES = {"updated_at", "created_at", "modified_at", "search_vector", "embedding", "password",
                     "initials"}


def field_label(name: str, model=None) -> str:
    """The Chinese label of ``name`` (a model field, its ``_id`` column, or a facts key)."""
    from kechuang.rules.vocabulary import label_of

    if model is not None:
        if isinstance(model, str):
            try:
                model = apps.get_model(model)
            except (LookupError, ValueError):
                model = None
    if model is not None:
        base = name[:-3] if name.endswith("_id") else name
        try:
            f = model._meta.get_field(base)
            return str(f.verbose_name)
        except FieldDoesNotExist:
            pass
    return label_of(name)


def _value_text(model, name: str, value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    field = None
    if model is not None:
        base = name[:-3] if name.endswith("_id") else name
        try:
            field = model._meta.get_field(base)
        except FieldDoesNotExist:
            field = None
    if field is not None:
        if getattr(field, "choices", None):
            return str(dict(field.flatchoices).get(value, value))
        if field.is_relation and field.related_model is not None:
            obj = field.related_model._default_manager.filter(pk=value).first()
            return str(obj) if obj is not None else f"（已删除的{field.related_model._meta.verbose_name}）"
        internal = field.get_internal_type()
        if internal == "DateTimeField" and isinstance(value, str):
            try:
                return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                return value
        if internal == "DecimalField":
            from kechuang.core.templatetags.ui import wan_text

            return wan_text(Decimal(str(value)))
    if isinstance(value, list):
        return "、".join(_value_text(None, "", v) for v in value) or "（空）"
    if isinstance(value, dict):
        from kechuang.rules.vocabulary import label_of

        return "；".join(f"{label_of(k)}：{_value_text(None, k, v)}" for k, v in value.items())
    return str(value)


def readable_changes(change) -> list[tuple[str, str | None, str]]:
    """(label, old text or None for a creation, new text) of one change-log row, in words."""
    try:
        model = apps.get_model(change.model)
    except (LookupError, ValueError):
        model = None
    out = []
    for name, old, new in change.changed_fields:
        if name in HIDDEN_IN_CHANGES:
            continue
        out.append((field_label(name, model), None if old is None else _value_text(model, name, old),
                    _value_text(model, name, new)))
    return out
