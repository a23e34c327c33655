"""URLs of the technology market, mounted at /techmarket/."""
from django.urls import path

from . import urls_catalogue, urls_challenges, views

app_name = "techmarket"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("needs/", views.need_list, name="needs"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/dispatch/", views.need_dispatch, name="need_dispatch"),
    path("workbench/", views.workbench, name="workbench"),
    path("dispatches/<int:pk>/", views.dispatch_detail, name="dispatch_detail"),
    path("contracts/", views.contracts, name="contracts"),
    path("challenges/", views.challenges, name="challenges"),
    path("import/", views.import_page, name="import"),
] + urls_catalogue.urlpatterns + urls_challenges.urlpatterns
