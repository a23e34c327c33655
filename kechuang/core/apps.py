from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _after_migrate(sender, app_config=None, using="default", **kwargs):
    """Load the shipped reference data after every migrate (idempotent), and protect the audit
    table in the database unless the environment turns that off (tests that flush tables)."""
    if app_config is None or app_config.label != "core":
        return
    import os
    from importlib import import_module
    from importlib.util import find_spec

    from django.conf import settings

    from kechuang.core.audit_guards import install_audit_guards
    from kechuang.core.changes import change_context
    from kechuang.core.reference import load_reference_data

    with change_context(source="command:migrate (reference data)"):
        load_reference_data()
        for dotted in settings.PROJECT_APPS[1:]:
            if find_spec(f"{dotted}.reference") is not None:
                loader = getattr(import_module(f"{dotted}.reference"), "load_reference_data", None)
                if loader is not None:
                    loader()
    if os.environ.get("KECHUANG_AUDIT_DB_GUARDS", "1") != "0":
        install_audit_guards(using)


class CoreConfig(AppConfig):
    name = "kechuang.core"
    label = "core"
    verbose_name = "基础平台"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kechuang.core import auth, checks  # noqa: F401  (signal receivers, system checks)
        from kechuang.core.changes import connect_signals

        connect_signals()
        from kechuang.core.bounds import connect_signals as connect_bounds

        connect_bounds()
        from kechuang.core.safe_export import install as no_formulas_in_exports

        no_formulas_in_exports()
        post_migrate.connect(_after_migrate, dispatch_uid="kechuang_core_after_migrate")
