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
                     "initials", "lock_version"}


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
        except FieldDoesNotExist:
            f = None
        if f is not None:
            if str(f.verbose_name) != f.name.replace("_", " "):
                return str(f.verbose_name)
            if f.is_relation and f.related_model is not None:  # unlabelled link: the linked kind
                return str(f.related_model._meta.verbose_name)
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
            if obj is None:
                return f"（已删除的{field.related_model._meta.verbose_name}）"
            text = str(obj)
            if text.endswith(f" object ({obj.pk})"):  # a model without a name of its own
                return f"{field.related_model._meta.verbose_name} #{obj.pk}"
            return text
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
        # a detail record kept as JSON (a score breakdown, a work-log entry): each key in words
        # when the vocabulary or a choice list knows it, else only its value
        for key in ("label", "title", "name"):  # a condition or an item that names itself
            if isinstance(value.get(key), str) and value[key]:
                return value[key]
        parts = []
        for k, v in value.items():
            if k in HIDDEN_IN_CHANGES:
                continue
            name = _key_label(k)
            parts.append(f"{name}：{_value_text(None, k, v)}" if name else _value_text(None, k, v))
        return "；".join(parts) if len(parts) < 2 else "（" + "；".join(parts) + "）"
    if isinstance(value, str):
        return _scalar_text(value)
    return str(value)


def _key_label(key: str) -> str:
    """A JSON key in words, or "" when nobody defined it."""
    from kechuang.rules.vocabulary import label_of

    label = label_of(key)
    if label != "其他信息":
        return label
    return code_labels().get(key, "")


def _scalar_text(value: str) -> str:
    """A string inside a JSON value: an ISO time in local time, a known code in words."""
    if len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    import re

    version = re.fullmatch(r"[a-z][a-z-]*-(\d{4})\+[0-9a-f]{6,}", value)  # a rule version: hnte-2016+5118e3b1
    if version:
        return f"{version.group(1)} 年版"
    return code_labels().get(value, value)


_CODE_LABELS: dict[str, str] | None = None


def code_labels() -> dict[str, str]:
    """Every stored code of the product's choice lists (model fields with choices, the choice
    classes of the models modules, the qualification kinds, the policy event and benefit kinds,
    the voucher service categories) → its Chinese label, then the project's model field names →
    their verbose names; the first definition wins. Read by the change log for codes kept in JSON
    values, where no field says which list they come from."""
    global _CODE_LABELS
    if _CODE_LABELS is None:
        import inspect
        import sys

        from django.conf import settings
        from django.db import models as dj

        from kechuang.rules.vocabulary import QUALIFICATION_KINDS

        found: dict[str, str] = {}

        def add(code, label):
            if isinstance(code, str) and code and str(label) and code != str(label):
                found.setdefault(code, str(label))

        for kind, label in QUALIFICATION_KINDS.items():
            add(kind, label)
        for dotted, names in (("kechuang.policies.engine.events", ("EVENT_KINDS", "VALUE_LABELS")),
                              ("kechuang.policies.engine.calculator", ("BENEFIT_KIND_LABELS",)),
                              ("kechuang.resources.services", ("VOUCHER_CATEGORIES",))):
            try:
                module = __import__(dotted, fromlist=["_"])
            except ImportError:
                continue
            for name in names:
                for code, label in (getattr(module, name, None) or {}).items():
                    add(code, label[0] if isinstance(label, tuple) else label)
        project = set(getattr(settings, "PROJECT_APPS", []))
        models_ = [m for m in apps.get_models() if not project or m._meta.app_config.name in project]
        for model in models_:
            for f in model._meta.get_fields():
                for code, label in (getattr(f, "flatchoices", None) or []):
                    add(code, label)
        for config in apps.get_app_configs():
            module = sys.modules.get(f"{config.name}.models")
            if module is None or (project and config.name not in project):
                continue
            for _name, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, dj.Choices) and obj.__module__ == module.__name__:
                    for code, label in obj.choices:
                        add(code, label)
        for model in models_:  # a field name kept as a value (a score breakdown's row: tenants)
            for f in model._meta.concrete_fields:
                if str(f.verbose_name) != f.name.replace("_", " "):
                    add(f.name, f.verbose_name)
        _CODE_LABELS = found
    return _CODE_LABELS


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
