from django.urls import path

from kechuang.core import views, views_accounts

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
    path("accounts/", views_accounts.account_list, name="accounts"),
    path("accounts/new/", views_accounts.account_new, name="account_new"),
    path("accounts/import/", views_accounts.account_import, name="account_import"),
    path("accounts/import/template.xlsx", views_accounts.account_import_template, name="account_import_template"),
    path("accounts/sheet/<str:token>/", views_accounts.account_sheet, name="account_sheet"),
    path("accounts/<int:pk>/", views_accounts.account_detail, name="account_detail"),
    path("security/policy/", views_accounts.security_policy, name="security_policy"),
]
