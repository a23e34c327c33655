from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/file/", views.file, name="file"),
]
