from django.urls import path

from . import views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="list"),
    path("<int:pk>/", views.open_message, name="open"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("count/", views.count, name="count"),
]
