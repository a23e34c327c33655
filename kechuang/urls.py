"""Root URL map. Each product app's urls.py is mounted at /<label>/ under its own namespace;
the API collects every app's `api.router`. Nothing here needs editing when an app is added."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from kechuang.api import api, public_urls
from kechuang.core import views as core_views

handler400 = "kechuang.core.views.bad_request"
handler403 = "kechuang.core.views.permission_denied"
handler404 = "kechuang.core.views.page_not_found"
handler500 = "kechuang.core.views.server_error"

admin.site.site_header = "科创平台 · 系统管理"
admin.site.site_title = "科创平台"
admin.site.index_title = "系统管理"
admin.site.login = core_views.admin_login_redirect

urlpatterns = [
    # browsers ask for /favicon.ico whatever the page says; answer with the vendored icon
    path("favicon.ico", login_not_required(lambda request: redirect(static("favicon.svg"), permanent=True)), name="favicon"),
    path("", include("kechuang.core.urls")),
    path("admin/", admin.site.urls),
    path("api/public/", public_urls()),
    path("api/", api.urls),
]

for dotted in settings.PROJECT_APPS:
    if dotted == "kechuang.core":
        continue
    if find_spec(f"{dotted}.urls") is None:
        continue
    module = import_module(f"{dotted}.urls")
    label = apps.get_app_config(dotted.rsplit(".", 1)[-1]).label
    urlpatterns.append(path(f"{label}/", include((module.urlpatterns, getattr(module, "app_name", label)))))
    # Public pages (contract section 8: /public/<what>/, no sign-in) live in the app's
    # `public_urlpatterns`, namespace "<label>_public".
    if getattr(module, "public_urlpatterns", None):
        urlpatterns.append(path("public/", include((module.public_urlpatterns, f"{label}_public"))))
