from django.urls import path

from . import views

app_name = "targets"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("data/", views.dashboard_data, name="dashboard_data"),
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/import/", views.plan_import, name="plan_import"),
    path("plans/template.xlsx", views.plan_template, name="plan_template"),
    path("report/", views.report, name="report"),
    path("review/", views.review, name="review"),
    path("assessment/<int:pk>/", views.assessment, name="assessment"),
    path("assessment/<int:pk>/bulletin.docx", views.bulletin, {"fmt": "docx"}, name="bulletin_docx"),
    path("assessment/<int:pk>/bulletin.xlsx", views.bulletin, {"fmt": "xlsx"}, name="bulletin_xlsx"),
    path("assessment/<int:pk>/bulletin/", views.bulletin_start, name="bulletin_start"),
    path("attachment/<int:pk>/", views.attachment, name="attachment"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/<int:pk>/", views.task_detail, name="task"),
]
