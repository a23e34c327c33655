"""URLs of the 科技特派员 module, mounted at /commissioners/; the public roster at /public/commissioners/."""
from django.urls import path

from . import views, views_public

app_name = "commissioners"

urlpatterns = [
    path("", views.home, name="home"),
    path("roster/", views.roster, name="roster"),
    path("roster/<int:pk>/", views.detail, name="detail"),
    path("import/", views.import_page, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("needs/", views.needs, name="needs"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("menu/", views.menu, name="menu"),
    path("agreements/", views.agreements, name="agreements"),
    path("needs/<int:pk>/agreement/", views.agreement_from_need, name="agreement_from_need"),
    path("orders/<int:pk>/agreement/", views.agreement_from_order, name="agreement_from_order"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/word/", views.agreement_docx, name="agreement_docx"),
    path("agreements/<int:pk>/signed/", views.agreement_signed, name="agreement_signed"),
    path("logs/", views.logs, name="logs"),
    path("logs/<int:pk>/", views.log_detail, name="log_detail"),
    path("attachments/<int:pk>/", views.log_attachment, name="log_attachment"),
    path("questions/", views.questions, name="questions"),
    path("assessment/", views.assessment, name="assessment"),
    path("coverage/", views.coverage, name="coverage"),
]

public_urlpatterns = [
    path("commissioners/", views_public.roster, name="roster"),
]
