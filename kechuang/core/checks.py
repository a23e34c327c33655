"""System checks that keep later modules honest: every business model is scoped."""

from django.apps import apps
from django.conf import settings
from django.core import checks

from kechuang.core.scoping import ScopedModel

# Core models that are not business rows (reference data, accounts, logs).
_CORE_EXEMPT = {"core.Region", "core.OrgUnit", "core.User", "core.PasswordHistory", "core.ChangeLog",
                "core.AuditEvent"}


@checks.register()
def every_business_model_is_scoped(app_configs=None, **kwargs):
    """kechuang.E001: a model of a product app neither inherits ScopedModel nor explains, in
    `unscoped_reason`, why its rows need no row-level scoping (e.g. public reference data)."""
    errors = []
    labels = {name.rsplit(".", 1)[-1] for name in settings.PROJECT_APPS}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in labels or meta.label in _CORE_EXEMPT or meta.auto_created:
            continue
        if issubclass(model, ScopedModel):
            if not hasattr(model, "Scope") and not hasattr(model, "scope_queryset"):
                errors.append(checks.Error(f"{meta.label} inherits ScopedModel but declares no Scope",
                                           id="kechuang.E002", obj=model))
            continue
        if not getattr(model, "unscoped_reason", ""):
            errors.append(checks.Error(
                f"{meta.label} is not row-scoped: inherit kechuang.core.scoping.ScopedModel "
                "or set unscoped_reason",
                id="kechuang.E001", obj=model))
    return errors
