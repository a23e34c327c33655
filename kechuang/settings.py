"""Django settings for Kechuang, read from the environment.

KECHUANG_DATABASE_URL   sqlite:////abs/path.sqlite3 or postgres://user:pass@host/db
                        (default: SQLite file under var/)
KECHUANG_SECRET_KEY     secret key (default: generated once and kept in var/secret_key,
                        refused in production mode)
KECHUANG_DEBUG          1/true to enable debug pages (never in production)
KECHUANG_ALLOWED_HOSTS  comma-separated host names
KECHUANG_PRODUCTION     1/true: TLS-only cookies, HSTS, SSL redirect, secret required
KECHUANG_VAR_DIR        where runtime files live (default: ./var)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = BASE_DIR / "data"


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


VAR_DIR = Path(os.environ.get("KECHUANG_VAR_DIR") or (BASE_DIR / "var")).resolve()
PRODUCTION = _flag("KECHUANG_PRODUCTION")
DEBUG = _flag("KECHUANG_DEBUG") and not PRODUCTION


def _secret_key() -> str:
    key = os.environ.get("KECHUANG_SECRET_KEY", "").strip()
    if key:
        if PRODUCTION and len(key) < 50:
            raise ImproperlyConfigured(
                "KECHUANG_SECRET_KEY 太短（生产模式至少 50 个字符）/ "
                "KECHUANG_SECRET_KEY is too short (production needs at least 50 characters)."
            )
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "生产模式必须设置环境变量 KECHUANG_SECRET_KEY / "
            "Production mode requires the KECHUANG_SECRET_KEY environment variable."
        )
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()


def _database() -> dict:
    import dj_database_url

    url = os.environ.get("KECHUANG_DATABASE_URL", "").strip()
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'kechuang.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=60)
    except Exception as exc:  # the library raises several kinds for a malformed URL
        raise ImproperlyConfigured(
            f"KECHUANG_DATABASE_URL 无法解析：{exc} / KECHUANG_DATABASE_URL cannot be parsed: {exc}"
        ) from exc
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            f"不支持的数据库类型 {engine!r}（仅支持 SQLite 与 PostgreSQL）/ "
            f"unsupported database engine {engine!r} (SQLite and PostgreSQL only)."
        )
    if engine == "django.db.backends.sqlite3":
        # Concurrent writers (issue 11 item 6): WAL lets readers run beside the writer; every
        # transaction starts with BEGIN IMMEDIATE so a writer waits for the lock (busy timeout)
        # instead of failing with "database is locked" when a read transaction tries to upgrade.
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
        }
    else:
        config.setdefault("OPTIONS", {})["connect_timeout"] = 5
    # Connections are kept for a minute per server thread (opening a SQLite connection, setting its
    # pragmas and closing it again was a fifth of a dashboard request's time), checked before reuse.
    config["CONN_HEALTH_CHECKS"] = True
    config["ATOMIC_REQUESTS"] = True
    config.setdefault("TEST", {})
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_hosts = os.environ.get("KECHUANG_ALLOWED_HOSTS", "").strip()
ALLOWED_HOSTS = [h.strip() for h in _hosts.split(",") if h.strip()] or (
    [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "生产模式必须设置 KECHUANG_ALLOWED_HOSTS / Production mode requires KECHUANG_ALLOWED_HOSTS."
    )

# Apps of the product, in dependency order. Each may provide urls.py (mounted at /<label>/),
# api.py with a `router` (mounted at /api/<label>/), and nav/home entries on its AppConfig.
PROJECT_APPS = [
    "kechuang.core",
    "kechuang.enterprises",
    "kechuang.diagnosis",
    "kechuang.policies",
    "kechuang.targets",
    "kechuang.techmarket",
    "kechuang.jobs",
    "kechuang.inbox",
    "kechuang.resources",
    "kechuang.commissioners",
    "kechuang.supervision",
    "kechuang.talent",
    "kechuang.carriers",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    *PROJECT_APPS,
]

# Background jobs: Django's Tasks framework (django-tasks backport) on the database backend; see
# kechuang/jobs and docs/operations.md. `kechuang worker` runs a worker; `kechuang serve` starts one.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kechuang.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kechuang.core.middleware.UserChangeContextMiddleware",
    "kechuang.core.middleware.LoginRequiredMiddleware",
    "kechuang.core.middleware.IdleTimeoutMiddleware",
    "kechuang.core.middleware.SecondFactorMiddleware",
    "kechuang.core.middleware.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kechuang.core.middleware.SecurityHeadersMiddleware",
    "kechuang.core.inputs.BadInputMiddleware",
]

ROOT_URLCONF = "kechuang.urls"
WSGI_APPLICATION = "kechuang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kechuang.core.context_processors.shell",
            ],
            "builtins": ["kechuang.core.templatetags.ui"],
        },
    },
]

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
AUTHENTICATION_BACKENDS = ["kechuang.core.auth.LockoutAwareBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "kechuang.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "kechuang.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "kechuang.core.passwords.NoUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "kechuang.core.passwords.PasswordHistoryValidator", "OPTIONS": {"depth": 5}},
]

# 等保 practice numbers (see docs/security.md).
KECHUANG_PASSWORD_MAX_AGE_DAYS = 90
KECHUANG_LOCKOUT_THRESHOLD = 5
KECHUANG_LOCKOUT_MINUTES = 15
KECHUANG_IDLE_MINUTES = 30
KECHUANG_AUDIT_RETENTION_DAYS = 180

# The idle limit itself is enforced by IdleTimeoutMiddleware (last_seen, refreshed each minute);
# the stored session lives a little longer so that the middleware, not expiry, decides.
SESSION_COOKIE_AGE = KECHUANG_IDLE_MINUTES * 60 + 120
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "kechuang.core.views.csrf_failure"

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
KECHUANG_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _flag("KECHUANG_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: Excel workbooks and evidence attachments only; one limit (KECHUANG_UPLOAD_MAX_BYTES,
# 20 MB unless the environment says otherwise), Django's request limits derived from it.
from kechuang.core.uploads import DEFAULT_MAX_BYTES, request_limits  # noqa: E402

KECHUANG_UPLOAD_MAX_BYTES = int(os.environ.get("KECHUANG_UPLOAD_MAX_BYTES") or DEFAULT_MAX_BYTES)
_limits = request_limits(KECHUANG_UPLOAD_MAX_BYTES)
DATA_UPLOAD_MAX_MEMORY_SIZE = _limits["DATA_UPLOAD_MAX_MEMORY_SIZE"]
FILE_UPLOAD_MAX_MEMORY_SIZE = _limits["FILE_UPLOAD_MAX_MEMORY_SIZE"]
KECHUANG_REQUEST_MAX_BYTES = _limits["KECHUANG_REQUEST_MAX_BYTES"]
FILE_UPLOAD_HANDLERS = [
    "kechuang.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# The catalogue's search index is updated by its job (techmarket.search_index), never by a search.
# Tests set this: their rows never commit, so the next search brings the index in step instead.
KECHUANG_SEARCH_INDEX_INLINE = False

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
