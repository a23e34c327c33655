from django.urls import path

from kechuang.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("login/otp/", views.otp_view, name="otp"),
    path("password/", views.password_change_view, name="password_change"),
    path("regions/", views.regions, name="regions"),
    path("changes/<str:model_label>/<str:pk>/", views.changes, name="changes"),
    path("audit/", views.audit_log, name="audit_log"),
    path("healthz", views.health, name="health"),
]
