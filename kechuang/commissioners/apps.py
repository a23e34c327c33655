from django.apps import AppConfig


class CommissionersConfig(AppConfig):
    name = "kechuang.commissioners"
    label = "commissioners"
    verbose_name = "科技特派员"
    default_auto_field = "django.db.models.BigAutoField"
