"""Một Cửa settings: one module, driven by the environment.

With nothing set the portal runs on SQLite, a local-memory cache and eager Celery tasks, so
`make run` works on a bare machine. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY,
DEBUG=0, ALLOWED_HOSTS and SITE_URL (see README).
"""
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-1234567890abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL if SITE_URL.startswith("https://") else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "procedures",
    "notifications",
    "national_sync",
    "dossiers",
    "online",
    "satisfaction",
    "portal",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.RequestHygieneMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL via DATABASE_URL with persistent, health-checked connections.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The reports' aggregates cross PostgreSQL's JIT threshold at city size, and compiling them cost more than
    # running them (166 ms of a 134 ms query on the leader dashboard at 1 M dossiers): pages want answers, not JIT.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache is an optimisation, never a dependency of a write: short socket timeouts so a Redis outage costs a
# request a fraction of a second, not a hang (callers tolerate its errors, see portal/reports/cache.py).
CACHE_SOCKET_TIMEOUT = float(os.environ.get("CACHE_SOCKET_TIMEOUT", "0.25"))
if REDIS_URL:
    CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": CACHE_SOCKET_TIMEOUT, "socket_timeout": CACHE_SOCKET_TIMEOUT,
                    "retry_on_timeout": False},
    }}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "mot-cua"}}

# The public tracking page is rendered once per dossier state and language and served from the cache for at most
# this many seconds (dossiers/public_cache.py; 0: rendered on every request).
TRACKING_PAGE_CACHE_SECONDS = int(os.environ.get("TRACKING_PAGE_CACHE_SECONDS", "300"))

# Celery: Redis broker in production; eager (in-process) when no broker is configured.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # a host named, or kombu warns "No hostname was supplied"
# /readyz gives the broker (and nothing else) this many seconds to accept a connection.
READINESS_TIMEOUT = float(os.environ.get("READINESS_TIMEOUT", "1"))
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# Celery beat: the leaders' overdue digest at 07:00 on working mornings (Monday–Saturday).
CELERY_BEAT_SCHEDULE = {
    "overdue-digest": {
        "task": "dossiers.tasks.send_overdue_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="1-6"),
    },
    # Officials' step reminders (due tomorrow, overdue): once a working morning, one message per step a day.
    "step-reminders": {
        "task": "dossiers.tasks.send_step_reminders",
        "schedule": crontab(hour=7, minute=5, day_of_week="1-6"),
    },
    # The outbox sweep: delivers what a lost task left pending, drops what outlived its use.
    "notification-sweep": {
        "task": "notifications.tasks.sweep",
        "schedule": 60.0,
    },
    # The national portal's outbox (national_sync): what a lost task left pending is handed to the workers again.
    "national-sync-sweep": {
        "task": "national_sync.tasks.sweep",
        "schedule": 60.0,
    },
    # The audit chain (dossiers.audit): verified at night, each agency's head published once a day.
    "verify-audit-chains": {
        "task": "dossiers.tasks.verify_audit_chains",
        "schedule": crontab(hour=0, minute=30),
    },
    "publish-audit-chain-heads": {
        "task": "dossiers.tasks.publish_audit_chain_heads",
        "schedule": crontab(hour=0, minute=45),
    },
    # The public statistics' daily roll-ups (portal/rollups.py): yesterday, and any day not rolled up yet.
    "roll-up-reports": {
        "task": "portal.tasks.roll_up_reports",
        "schedule": crontab(hour=0, minute=15),
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_VERBOSE = False
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out clerk waits 15 minutes, not a day
# Failures count per username *and* client address together: by address alone, five wrong passwords behind the
# office NAT or the reverse proxy locked every clerk out. The client address is the rate limiter's (the
# RATELIMIT_TRUSTED_PROXIES rule below), never a header the client picks.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "dossiers.ratelimit.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.views.locked_out"

# Two-factor sign-in (portal.two_factor): the authenticator apps show this name beside the code.
OTP_TOTP_ISSUER = os.environ.get("PORTAL_NAME", "Một Cửa")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dossiers:worklist"
LOGOUT_REDIRECT_URL = "portal:home"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Dates read dd/mm/yyyy in both languages (Vietnamese convention).
FORMAT_MODULE_PATH = ["portal.formats"]

# The officials' satisfaction score (0–2, satisfaction.selectors.classify): the lowest mean of each class. This app's
# own rule, not a legal text (docs/ARCHITECTURE.md), so each deployment may set its bands.
SATISFACTION_SCORE_BANDS = {
    "good": os.environ.get("SATISFACTION_SCORE_GOOD", "1.5"),
    "fair": os.environ.get("SATISFACTION_SCORE_FAIR", "1.0"),
}

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Online submission (README "Online submission"): uploaded files go to the "online" storage, private by design (no
# URL is ever handed out; staff and the citizen get them through permission-checked views). On the filesystem
# under MEDIA_ROOT by default; any S3-compatible store (django-storages) when ONLINE_STORAGE_BUCKET is set.
if os.environ.get("ONLINE_STORAGE_BUCKET"):
    STORAGES["online"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ONLINE_STORAGE_BUCKET"],
            "endpoint_url": os.environ.get("ONLINE_STORAGE_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ONLINE_STORAGE_REGION") or None,
            "access_key": os.environ.get("ONLINE_STORAGE_ACCESS_KEY") or None,
            "secret_key": os.environ.get("ONLINE_STORAGE_SECRET_KEY") or None,
            "location": os.environ.get("ONLINE_STORAGE_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["online"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
ONLINE_FILE_MAX_BYTES = int(os.environ.get("ONLINE_FILE_MAX_BYTES", str(10 * 1024 * 1024)))
ONLINE_TOTAL_MAX_BYTES = int(os.environ.get("ONLINE_TOTAL_MAX_BYTES", str(30 * 1024 * 1024)))
ONLINE_MAX_FILES = int(os.environ.get("ONLINE_MAX_FILES", "30"))
# A PDF stream may inflate to at most this many bytes (a zip bomb is a tiny stream that inflates to gigabytes).
ONLINE_PDF_MAX_DECODED_BYTES = int(os.environ.get("ONLINE_PDF_MAX_DECODED_BYTES", str(50 * 1024 * 1024)))
# One-time codes: minutes of validity, wrong tries per code, codes per address per hour; open submissions per contact.
ONLINE_CODE_TTL_MINUTES = int(os.environ.get("ONLINE_CODE_TTL_MINUTES", "10"))
ONLINE_CODE_MAX_ATTEMPTS = int(os.environ.get("ONLINE_CODE_MAX_ATTEMPTS", "5"))
ONLINE_CODES_PER_ADDRESS_PER_HOUR = int(os.environ.get("ONLINE_CODES_PER_ADDRESS_PER_HOUR", "3"))
ONLINE_MAX_PENDING_PER_CONTACT = int(os.environ.get("ONLINE_MAX_PENDING_PER_CONTACT", "3"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mot-cua@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))



def env_pairs(name: str, default: str = "") -> dict[str, str]:
    """`a=1,b=2` -> {"a": "1", "b": "2"}."""
    return dict(item.split("=", 1) for item in env_list(name, default) if "=" in item)


# Notifications (README "Notifications"): a backend per channel; the console prints instead of sending.
NOTIFICATION_BACKENDS = {
    "email": os.environ.get("NOTIFY_EMAIL_BACKEND", "notifications.backends.EmailBackend"),
    "sms": os.environ.get("NOTIFY_SMS_BACKEND", "notifications.backends.ConsoleBackend"),
    "zalo": os.environ.get("NOTIFY_ZALO_BACKEND", "notifications.backends.ConsoleBackend"),
}
NOTIFY_SMS_URL = os.environ.get("NOTIFY_SMS_URL", "")
NOTIFY_SMS_TOKEN = os.environ.get("NOTIFY_SMS_TOKEN", "")
NOTIFY_SMS_SENDER = os.environ.get("NOTIFY_SMS_SENDER", "MOTCUA")
NOTIFY_ZALO_URL = os.environ.get("NOTIFY_ZALO_URL", "")
NOTIFY_ZALO_ACCESS_TOKEN = os.environ.get("NOTIFY_ZALO_ACCESS_TOKEN", "")
NOTIFY_ZALO_TEMPLATES = env_pairs("NOTIFY_ZALO_TEMPLATES")
NOTIFY_HTTP_TIMEOUT = float(os.environ.get("NOTIFY_HTTP_TIMEOUT", "10"))
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "5"))
NOTIFY_RETRY_BASE_SECONDS = int(os.environ.get("NOTIFY_RETRY_BASE_SECONDS", "60"))
NOTIFY_SWEEP_AFTER_SECONDS = int(os.environ.get("NOTIFY_SWEEP_AFTER_SECONDS", "120"))
# Messages per window (seconds) per provider, e.g. "sms=30/60,zalo=30/60,email=120/60".
NOTIFY_RATE_LIMITS = {
    channel: tuple(int(part) for part in rate.split("/", 1))
    for channel, rate in env_pairs("NOTIFY_RATE_LIMITS", "sms=30/60,zalo=30/60,email=120/60").items()
}
NOTIFY_LIFETIME_HOURS = int(os.environ.get("NOTIFY_LIFETIME_HOURS", "72"))

# National public-service portal synchronisation (README "National portal"): every status change of a dossier is a
# message in the portal's vocabulary, delivered in order per dossier. No URL: messages wait, pending, nothing fails.
NATIONAL_SYNC_URL = os.environ.get("NATIONAL_SYNC_URL", "")
NATIONAL_SYNC_TOKEN = os.environ.get("NATIONAL_SYNC_TOKEN", "")
NATIONAL_SYNC_TIMEOUT = float(os.environ.get("NATIONAL_SYNC_TIMEOUT", "10"))
NATIONAL_SYNC_MAX_ATTEMPTS = int(os.environ.get("NATIONAL_SYNC_MAX_ATTEMPTS", "8"))
NATIONAL_SYNC_RETRY_BASE_SECONDS = int(os.environ.get("NATIONAL_SYNC_RETRY_BASE_SECONDS", "60"))
NATIONAL_SYNC_SWEEP_AFTER_SECONDS = int(os.environ.get("NATIONAL_SYNC_SWEEP_AFTER_SECONDS", "120"))

# The REST API (api/, README "API"): public reads and per-official tokens. Throttles count in the cache with the
# database as fallback (dossiers.ratelimit), so a Redis outage slows nothing down and lets no one through unlimited.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonymousThrottle", "api.throttling.TokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anonymous": os.environ.get("API_THROTTLE_ANONYMOUS", "120/min"),
        "token": os.environ.get("API_THROTTLE_TOKEN", "600/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Một Cửa API",
    "DESCRIPTION": (
        "Tra cứu công khai (danh mục thủ tục, tình trạng hồ sơ theo mã theo dõi, số liệu thống kê) và thao tác "
        "của cán bộ bằng khóa API cá nhân. / Public reads (procedure catalogue, a dossier's status by tracking "
        "token, statistics) and staff actions with a per-official API token."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EventKindEnum": "dossiers.models.DossierEvent.Kind",
        "RoleEnum": "procedures.roles.Role",
        "CitizenTaskKindEnum": ["supplement", "payment", "collect", "wait"],
    },
}

# Public lookup: attempts per window (seconds) per client address; trusted reverse proxies in front of the app
# decide which X-Forwarded-For entry is the client (0: use REMOTE_ADDR only).
PUBLIC_LOOKUP_RATE_LIMIT = (10, 600)
RATELIMIT_TRUSTED_PROXIES = int(os.environ.get("RATELIMIT_TRUSTED_PROXIES", "0"))

# Catalogue import (README "Procedure catalogue"): a file of more data rows than this is imported in the background
# by a Celery task (procedures.tasks.run_catalogue_import), in chunks, with its progress in the admin; smaller files
# keep the admin's preview-and-confirm import in the request.
CATALOGUE_IMPORT_SYNC_MAX_ROWS = int(os.environ.get("CATALOGUE_IMPORT_SYNC_MAX_ROWS", "500"))
CATALOGUE_IMPORT_CHUNK_ROWS = int(os.environ.get("CATALOGUE_IMPORT_CHUNK_ROWS", "500"))

# Largest request body per path prefix (first match wins), in bytes; anything else gets the default. The public
# forms need a few kilobytes; the admin's catalogue import takes files. See portal/middleware.py.
REQUEST_BODY_LIMIT_DEFAULT = 64 * 1024
REQUEST_BODY_LIMITS = (
    ("/admin/", 20 * 1024 * 1024),
    # Online submission's uploads: the total allowed plus room for the form's fields and multipart framing.
    ("/nop-truc-tuyen/", ONLINE_TOTAL_MAX_BYTES + 256 * 1024),
    ("/ho-so/", 1024 * 1024),
    ("/phan-anh/", 64 * 1024),
    ("/tra-cuu/", 4 * 1024),
    ("/kiosk/", 4 * 1024),
    ("/accounts/", 8 * 1024),
    ("/i18n/", 4 * 1024),
    ("/t/", 16 * 1024),
    ("/can-bo/", 16 * 1024),
    ("/api/", 16 * 1024),
)

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and images from our own origin
# only; no inline script or style, no plugins, no framing, forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}


# Digital signatures (dossiers.signing): agencies' private keys are stored encrypted with these Fernet keys
# (comma-separated; the first encrypts, every one decrypts, for rotation). The development key below is public:
# it is used only with DEBUG on; with DEBUG off, uploading or using a key without this setting is refused.
SIGNING_KEY_ENCRYPTION_KEY = os.environ.get("SIGNING_KEY_ENCRYPTION_KEY", "") or (
    "xRz0b7Qwlbmf7DqmHpMG8kXgfsZxI3xVPetemBLxYEA=" if DEBUG else "")
# The public verification page (/xac-thuc/) accepts uploaded PDFs up to this size.
SIGNED_PDF_MAX_BYTES = int(os.environ.get("SIGNED_PDF_MAX_BYTES", str(10 * 1024 * 1024)))

PORTAL_NAME = os.environ.get("PORTAL_NAME", "Một Cửa")
PORTAL_AGENCY_NAME = os.environ.get("PORTAL_AGENCY_NAME", "Bộ phận Một cửa")

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Eager tasks would log every success at INFO; workers report failures at WARNING and above anyway.
    "loggers": {"celery": {"level": os.environ.get("CELERY_LOG_LEVEL", "WARNING")}},
}
