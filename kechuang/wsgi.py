"""WSGI entry for gunicorn/waitress: `gunicorn kechuang.wsgi`.

Django's ``get_wsgi_application`` but with the product's handler (``kechuang.core.handlers``: on
SQLite a page that only reads takes no write lock)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
django.setup(set_prefix=False)

from kechuang.core.handlers import KechuangHandler  # noqa: E402  (after setup)

application = KechuangHandler()
