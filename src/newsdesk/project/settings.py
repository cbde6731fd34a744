"""Django settings, built from newsdesk.config.Settings (environment + newsdesk.toml)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from newsdesk.config import Settings, load_settings

NEWSDESK: Settings = load_settings()


def database_config(url: str) -> dict[str, Any]:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path not in {":memory:", ""}:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path or ":memory:",
            # IMMEDIATE: a write transaction takes the lock at BEGIN, so two writers queue on
            # busy_timeout instead of one failing with "database is locked" at its first write.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 30},
            # Kept open between requests: opening SQLite and setting its pragmas took 0.6 ms
            # of every page (an article page served in process: 1.58 ms, 0.58 kept open).
            # Between requests a connection holds no transaction, so it pins no old snapshot.
            "CONN_MAX_AGE": 60,
            "TEST": {"NAME": None},
        }
    parts = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or "postgres"),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "127.0.0.1",
        "PORT": str(parts.port or 5432),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = NEWSDESK.secret_key
DEBUG = NEWSDESK.debug
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    # autodiscovered by the URLconf, not at start-up: CLI commands never import the admin
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "newsdesk.store",
    "newsdesk.site",
    "newsdesk.editorial",
]

MIDDLEWARE = [
    # anonymous front pages served from a per-process cache of a few seconds (see its docstring)
    "newsdesk.site.caching.MicroCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "newsdesk.site.compression.BrotliMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # the ETag ConditionalGetMiddleware would add, from SHA-1 rather than MD5 (see etags.py)
    "newsdesk.site.etags.ContentETagMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsdesk.site.security.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "newsdesk.project.urls"
WSGI_APPLICATION = "newsdesk.project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # the public pages (newsdesk/site/jinja2/), rendered through site.layout
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "newsdesk.site.jinja.environment"},
    },
]

DATABASES = {"default": database_config(NEWSDESK.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = NEWSDESK.home / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise looks there too, and warns if absent
# Served straight from the installed apps: no collectstatic step for a newcomer.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
if (NEWSDESK.public_url or "").startswith("https://"):
    # served over HTTPS (behind a TLS proxy that sets X-Forwarded-Proto): say so for a year,
    # and keep the admin's cookies off plain HTTP
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # logfmt-style lines: one per fetch, easy to grep and to ship to a log store
        "line": {"format": "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"}
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line"}},
    "loggers": {
        "newsdesk": {
            "handlers": ["stderr"],
            "level": os.environ.get("NEWSDESK_LOG_LEVEL", "WARNING").upper(),
            "propagate": False,
        },
        "django.request": {"handlers": ["stderr"], "level": "ERROR"},
    },
}
