from django.apps import AppConfig


class TechmarketConfig(AppConfig):
    name = "kechuang.techmarket"
    label = "techmarket"
    verbose_name = "技术市场"
