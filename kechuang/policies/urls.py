from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.index, name="index"),
    path("p/<str:code>/", views.policy_detail, name="policy"),
    path("p/<str:code>/sandbox/", views.sandbox_create, name="sandbox_create"),
    path("p/<str:code>/status/", views.policy_status, name="policy_status"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("calculator/", views.public_calculator, name="public_calculator"),
    path("enterprise/<int:pk>/", views.enterprise_page, name="enterprise"),
    path("cases/", views.cases, name="cases"),
    path("finder/", views.finder, name="finder"),
    path("cases/export.xlsx", views.cases_export, name="cases_export"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("proxy/<int:pk>/letter/", views.proxy_letter, name="proxy_letter"),
    path("publicity/", views.publicity, name="publicity"),
    path("publicity/export.xlsx", views.publicity_export, name="publicity_export"),
    path("screening/", views.screening, name="screening"),
    path("sandbox/<int:pk>/", views.sandbox, name="sandbox"),
]
