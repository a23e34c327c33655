"""URLs of the technology market's catalogue pages: achievements, moderation, institutes, instruments, match outcomes."""
from django.urls import path

from . import views_catalogue

urlpatterns: list = [
    path("achievements/moderation/", views_catalogue.moderation, name="moderation"),
    path("achievements/<int:pk>/", views_catalogue.achievement_detail, name="achievement_detail"),
    path("institutes/", views_catalogue.institutes, name="institutes"),
    path("institutes/<int:pk>/", views_catalogue.institute_detail, name="institute_detail"),
    path("instruments/", views_catalogue.instruments, name="instruments"),
    path("outcomes/", views_catalogue.outcomes, name="outcomes"),
]
