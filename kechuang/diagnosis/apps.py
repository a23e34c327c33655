from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    name = "kechuang.diagnosis"
    label = "diagnosis"
    verbose_name = "资格预诊断"
