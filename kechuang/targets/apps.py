from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _after_migrate(sender, app_config=None, using="default", **kwargs):
    """Load the shipped indicators, target plans and task ledger after every migrate (idempotent)."""
    if app_config is None or app_config.label != "targets":
        return
    from kechuang.core.changes import change_context
    from kechuang.targets.reference import load_targets_reference

    with change_context(source="command:migrate (targets reference data)"):
        load_targets_reference()


class TargetsConfig(AppConfig):
    name = "kechuang.targets"
    label = "targets"
    verbose_name = "目标任务与考核"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_after_migrate, dispatch_uid="kechuang_targets_after_migrate")
