from django.urls import path

from kechuang.diagnosis import views

app_name = "diagnosis"

urlpatterns = [
    path("", views.index, name="index"),
    path("self-check/", views.selfcheck, name="selfcheck"),
    path("enterprise/<int:pk>/", views.enterprise_report, name="enterprise"),
    path("enterprise/<int:pk>/report.docx", views.enterprise_docx, name="enterprise_docx"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("pipeline/run/", views.run_start, name="run_start"),
    path("pipeline/<int:run_pk>/export.xlsx", views.pipeline_export, name="pipeline_export"),
]
