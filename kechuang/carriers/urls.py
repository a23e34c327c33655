"""URLs of the carriers module, mounted at /carriers/; the public list at /public/carriers/."""
from django.urls import path

from . import views

app_name = "carriers"

urlpatterns = [
    path("", views.carrier_list, name="list"),
    path("new/", views.carrier_new, name="new"),
    path("evaluations/", views.evaluations, name="evaluations"),
    path("import/", views.report_import, name="import"),
    path("<int:pk>/", views.carrier_detail, name="detail"),
    path("<int:pk>/level/", views.carrier_level, name="level"),
    path("<int:pk>/cancel/", views.carrier_cancel, name="cancel"),
    path("<int:pk>/report/", views.carrier_report, name="report"),
    path("<int:pk>/operation/", views.carrier_operation, name="operation"),
]

public_urlpatterns = [
    path("carriers/", views.public_carriers, name="carriers"),
]
