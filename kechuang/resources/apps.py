from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "kechuang.resources"
    label = "resources"
    verbose_name = "创新资源"
    default_auto_field = "django.db.models.BigAutoField"
