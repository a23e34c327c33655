from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "kechuang.supervision"
    label = "supervision"
    verbose_name = "项目与监管"
    default_auto_field = "django.db.models.BigAutoField"
