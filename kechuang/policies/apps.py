"""Django app config of the policy engine (政策计算器 · 免申即享 · 兑现 · 政策沙盘)."""

from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    """政策兑现."""

    name = "kechuang.policies"
    label = "policies"
    verbose_name = "政策兑现"
    default_auto_field = "django.db.models.BigAutoField"
