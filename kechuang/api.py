"""The JSON API (django-ninja, OpenAPI at /api/docs).

Each product app may define in its api.py:
- `router`: operations for signed-in users, mounted at /api/<label>/ (session auth + CSRF);
  every read goes through the scoping choke point like the pages do.
- `public_router`: operations anyone may call (self-check forms), mounted at
  /api/public/<label>/, on the public allowlist. They must not read or store business rows.
"""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(
    title="科创平台 API",
    version="1",
    description="Kechuang: enterprises, diagnosis, policies, targets, technology market.",
    auth=django_auth,
    urls_namespace="api",
)

public_api = NinjaAPI(
    title="科创平台公开 API",
    version="public-1",
    description="Self-check endpoints that need no account and store nothing.",
    auth=None,
    urls_namespace="public_api",
    docs_url="/docs",
)

for dotted in settings.PROJECT_APPS:
    if find_spec(f"{dotted}.api") is None:
        continue
    module = import_module(f"{dotted}.api")
    label = dotted.rsplit(".", 1)[-1]
    if getattr(module, "router", None) is not None:
        api.add_router(f"/{label}/", module.router)
    if getattr(module, "public_router", None) is not None:
        public_api.add_router(f"/{label}/", module.public_router)


def public_urls():
    """The public API's URL patterns, each marked as not requiring login (the allowlist)."""
    patterns, app_name, namespace = public_api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace
