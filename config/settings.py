"""Settings for Maharat, read from the environment with safe embedded defaults.

Every option is documented in the README's configuration table. Without any environment the
platform runs on SQLite under ``var/`` with Celery tasks executed in-process.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MAHARAT_VAR_DIR", BASE_DIR / "var"))
# The embedded database and collected static files live here; create it so a fresh clone just runs.
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

DEFAULT_SECRET_KEY = "maharat-embedded-default-secret-not-for-production"  # noqa: S105


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean option: 1/true/yes/on are true, 0/false/no/off are false."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list option."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


PRODUCTION = env_bool("MAHARAT_PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

if PRODUCTION:
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "MAHARAT_PRODUCTION is on: set SECRET_KEY to a random value of at least 50 characters."
        )
    if DEBUG:
        raise ImproperlyConfigured("MAHARAT_PRODUCTION is on: DEBUG must be off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "maharat.core",
    "maharat.people",
    "maharat.skills",
    "maharat.programmes",
    "maharat.learning",
    "maharat.messaging",
    "maharat.opportunities",
    "maharat.matching",
    "maharat.mentoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "maharat.core.context_processors.roles",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "maharat.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["maharat.core.auth.LockoutModelBackend"]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:landing"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout: this many failed log-ins for one account or one address within the window lock it.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))

LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "maharat_language"
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Amman")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Uploads: imports larger than this are refused with a clear message.
MAX_IMPORT_BYTES = int(os.environ.get("MAX_IMPORT_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_IMPORT_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "audit-retention-report": {"task": "maharat.core.tasks.heartbeat", "schedule": 3600.0},
    # Retries, the end of quiet hours, and messages whose worker died or whose task was lost.
    "messaging-outbox-dispatch": {"task": "maharat.messaging.tasks.outbox_dispatch", "schedule": 30.0},
    # Notices are sent when they are owed; this catches any whose task did not run (broker down).
    "messaging-send-notices": {"task": "maharat.messaging.tasks.send_notices", "schedule": 600.0},
    # Scheduled broadcasts whose time has come, and fan-outs stopped half-way.
    "messaging-broadcasts-due": {
        "task": "maharat.messaging.tasks_broadcasts.broadcasts_dispatch",
        "schedule": 60.0,
    },
    # Reminders the day before: workshops (learning) and mentoring sessions; each is sent once.
    "learning-workshop-reminders": {"task": "maharat.learning.tasks.workshop_reminders", "schedule": 3600.0},
    "mentoring-session-reminders": {"task": "maharat.mentoring.tasks.send_reminders", "schedule": 3600.0},
}

# Learning uploads: assignments and module files; uploaded videos.
LEARNING_UPLOAD_MAX_BYTES = int(os.environ.get("LEARNING_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)))
LEARNING_VIDEO_MAX_BYTES = int(os.environ.get("LEARNING_VIDEO_MAX_BYTES", str(200 * 1024 * 1024)))
# Opportunities: CVs and employer registration documents.
OPPORTUNITIES_MAX_UPLOAD_BYTES = int(os.environ.get("OPPORTUNITIES_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
# Matching: list length per person and per offer, people per batch chunk, best matches told of a new offer.
MATCHING_K = int(os.environ.get("MATCHING_K", "20"))
MATCHING_CHUNK = int(os.environ.get("MATCHING_CHUNK", "2000"))
MATCHING_NOTIFY = int(os.environ.get("MATCHING_NOTIFY", "10"))
# RapidPro-compatible API: requests per token ("count/seconds"), page size, and the cost of one SMS part.
MESSAGING_API_RATE = os.environ.get("MESSAGING_API_RATE", "2500/3600")
# RapidPro flow webhooks: calls per token ("count/seconds"); a flow started for many contacts calls once per step.
MESSAGING_WEBHOOK_RATE = os.environ.get("MESSAGING_WEBHOOK_RATE", "600/60")
MESSAGING_API_PAGE_SIZE = int(os.environ.get("MESSAGING_API_PAGE_SIZE", "250"))
MESSAGING_COST_PER_PART = os.environ.get("MESSAGING_COST_PER_PART", "0.02")
# Outbox workers: messages claimed per batch, and requests in flight to a gateway at once.
MESSAGING_BATCH_SIZE = int(os.environ.get("MESSAGING_BATCH_SIZE", "200"))
MESSAGING_SEND_CONCURRENCY = int(os.environ.get("MESSAGING_SEND_CONCURRENCY", "8"))
MESSAGING_INBOUND_BATCH_SIZE = int(os.environ.get("MESSAGING_INBOUND_BATCH_SIZE", "20"))
# Helpdesk: the organization (slug) that answers unknown numbers; empty means the first implementing agency.
MESSAGING_HELPDESK_ORGANIZATION = os.environ.get("MESSAGING_HELPDESK_ORGANIZATION", "")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds every subdomain of an organization's domain to HTTPS for good: opt-in only.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Researchers' pseudonyms are keyed hashes: a different key gives unlinkable pseudonyms.
PSEUDONYM_KEY = os.environ.get("PSEUDONYM_KEY", SECRET_KEY)

# Age groups for disaggregation; youth is configurable (UN: 15-24, national programmes up to 29/30).
YOUTH_MAX_AGE = int(os.environ.get("YOUTH_MAX_AGE", "29"))

# Messaging: a person gets at most this many messages a day (replies and codes included, so two auto-responders
# cannot text each other for ever); non-essential messages wait out the quiet hours (local time, "21-8";
# empty for none); staff are warned about texts longer than this many SMS parts; a message is tried this many
# times on a channel, waiting base × 2^n seconds between tries, before it falls back to the next channel.
MESSAGING_DAILY_CAP = int(os.environ.get("MESSAGING_DAILY_CAP", "20"))
MESSAGING_QUIET_HOURS = os.environ.get("MESSAGING_QUIET_HOURS", "21-8")
MESSAGING_MAX_PARTS_WARNING = int(os.environ.get("MESSAGING_MAX_PARTS_WARNING", "3"))
MESSAGING_RETRY_MAX = int(os.environ.get("MESSAGING_RETRY_MAX", "5"))
MESSAGING_RETRY_BASE_SECONDS = float(os.environ.get("MESSAGING_RETRY_BASE_SECONDS", "30"))
MESSAGING_HTTP_TIMEOUT = float(os.environ.get("MESSAGING_HTTP_TIMEOUT", "10"))
MESSAGING_INBOUND_MAX_CHARS = int(os.environ.get("MESSAGING_INBOUND_MAX_CHARS", "1600"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

TESTING = "pytest" in sys.modules
