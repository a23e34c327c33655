"""URLs of the 项目与监管 module, mounted at /supervision/; public pages under /public/."""
from django.urls import path

from . import project_views as pv
from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.home, name="home"),
    path("credit/", views.credit_list, name="credit"),
    path("credit/<int:pk>/", views.credit_detail, name="credit_detail"),
    path("credit/<int:pk>/appeal/", views.credit_appeal, name="credit_appeal"),
    path("credit/<int:pk>/decide/", views.credit_decide, name="credit_decide"),
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/rosters/", views.rosters, name="rosters"),
    path("inspections/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("inspections/<int:pk>/run/", views.draw_run, name="draw_run"),
    path("inspections/<int:pk>/result/", views.result_new, name="result_new"),
    path("results/<int:pk>/", views.result_action, name="result_action"),
    path("calls/", pv.calls, name="calls"),
    path("calls/<int:pk>/", pv.call_detail, name="call_detail"),
    path("projects/", pv.project_list, name="projects"),
    path("projects/<int:pk>/", pv.project_detail, name="project_detail"),
    path("projects/<int:pk>/action/", pv.project_action, name="project_action"),
    path("reviews/", pv.reviews, name="reviews"),
    path("reviews/<int:pk>/", pv.review_submit, name="review_submit"),
    path("experts/", pv.experts, name="experts"),
]

public_urlpatterns = [
    path("inspections/", views.public_inspections, name="inspections"),
    path("inspections/<int:pk>/<str:name>", views.public_inspection_file, name="inspection_file"),
    path("credit/", views.public_credit, name="credit"),
]
