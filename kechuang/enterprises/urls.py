from django.urls import path

from kechuang.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("export/", views.enterprise_export, name="export"),
    path("template/", views.template_download, name="template"),
    path("import/", views.import_upload, name="import"),
    path("import/report/<str:token>/", views.import_report, name="import_report"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/years/new/", views.fiscal_year_edit, name="year_add"),
    path("<int:pk>/years/<int:year>/", views.fiscal_year_edit, name="year_edit"),
    path("<int:pk>/add/<str:kind>/", views.record_add, name="record_add"),
]
