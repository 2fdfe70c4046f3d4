"""Settings for landsupply: one file, driven by environment variables.

DATABASE_URL       default sqlite:///<project>/db.sqlite3 (PostgreSQL in production and CI)
CELERY_BROKER_URL  default filesystem:// under var/celery, a broker that needs no server
                   (redis://127.0.0.1:6379/0 in production and CI)
DEBUG              default off as soon as SECRET_KEY is given (a production environment), and
                   off for every WSGI server (landsupply/wsgi.py); on only for a development
                   run that gives neither. With DEBUG off, SECRET_KEY and ALLOWED_HOSTS must be
                   set or nothing starts. The README's "Deploy" section lists every variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LANDSUPPLY_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
# A production environment gives its own SECRET_KEY; only a run that gives none (the one-command
# development run, the tests) defaults to DEBUG on. An explicit DEBUG=0/1 always wins.
DEBUG = env_bool("DEBUG", not SECRET_KEY)
if DEBUG:
    SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
else:
    if SECRET_KEY in ("", DEVELOPMENT_SECRET_KEY):
        raise ImproperlyConfigured(
            "DEBUG is off but SECRET_KEY is missing or is the public development key. Set "
            "SECRET_KEY to a long random value of your own, e.g. the output of: python -c "
            "'import secrets; print(secrets.token_urlsafe(50))' (or set DEBUG=1 to develop)."
        )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DEBUG is off but ALLOWED_HOSTS is not set. Set it to the host names the site is "
            "served under, comma-separated (e.g. ALLOWED_HOSTS=land.example.gov.cn)."
        )

# --- HTTPS (production defaults: the site sits behind a TLS-terminating proxy) ------------
# Each switch is on by default with DEBUG off and can be turned off by its own variable, e.g.
# SECURE_SSL_REDIRECT=0 when the proxy already redirects http to https.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# The header a TLS-terminating proxy sets (and overwrites) to tell Django the request came in over
# https; empty turns it off (only safe to leave on when every request passes such a proxy).
_proxy_ssl_header = os.environ.get(
    "SECURE_PROXY_SSL_HEADER", "" if DEBUG else "X-Forwarded-Proto"
).strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _proxy_ssl_header.upper().replace("-", "_"),
        "https",
    )
# Origins allowed to POST forms (Django checks Origin against these over https); by default
# https:// of every allowed host that is a plain name.
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS",
    ",".join(f"https://{host}" for host in ALLOWED_HOSTS if host and not host.startswith(".")),
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_filters",
    "import_export",
    "simple_history",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "landsupply",
    "parcels",
    "plans",
    "assessments",
    "boundaries",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "landsupply.middleware.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lock-out signalled during login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]
if not DEBUG:
    # Static files from STATIC_ROOT (collectstatic), right after the security headers; the
    # development run serves them from the source folders instead (django.contrib.staticfiles).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "landsupply.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "landsupply.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "landsupply.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web server, Celery worker) share the file in the one-command run.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "landsupply.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
CSRF_FAILURE_VIEW = "landsupply.errors.csrf_failure"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sessions: in the database (shared by every web server), ended by idle time ----------
# A working day of inactivity (SESSION_IDLE_HOURS, default 8) or closing the browser ends the
# session; activity pushes the expiry forward, at most once every SESSION_REFRESH_SECONDS
# (landsupply.middleware.SessionIdleMiddleware: one UPDATE of the session row per 5 minutes of
# use, not one per request).
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_IDLE_HOURS", "8")) * 3600)
SESSION_REFRESH_SECONDS = 300
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Login throttling (django-axes; attempts and lock-outs in the database, shown in the admin)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
# Locked: the account after AXES_FAILURE_LIMIT failures from anywhere, and the client address
# after as many failures on any accounts (password spraying). A success resets the counters.
# Behind a proxy, LANDSUPPLY_TRUSTED_PROXIES must be right, or every client shares its address.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure (who, address, time, lock-out) in the admin
AXES_LOCKOUT_CALLABLE = "landsupply.errors.locked_out"
# Client address for the attempt log: REMOTE_ADDR, or, behind N reverse proxies that each append
# the address they saw to X-Forwarded-For (LANDSUPPLY_TRUSTED_PROXIES=N), the N-th from the right,
# which a client cannot forge.
TRUSTED_PROXIES = int(os.environ.get("LANDSUPPLY_TRUSTED_PROXIES", "0"))
if TRUSTED_PROXIES:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXIES - 1
    IPWARE_STRICT = False  # entries a client put in front of the chain don't void it
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# Uploads that only views with an access check may serve (never under MEDIA_URL), with the
# folder backend.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("LANDSUPPLY_PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))

# --- Where files live --------------------------------------------------------------------
# Static files: WhiteNoise serves them from STATIC_ROOT (filled by collectstatic), compressed and
# with hashed names (cached for ever) in production. Uploads (the "private" storage,
# landsupply/storage.py) go to the backend LANDSUPPLY_STORAGE chooses:
#   filesystem  a folder (PRIVATE_MEDIA_ROOT): one machine, or a folder every machine mounts
#   database    a table in the database (landsupply.StoredFile): nothing but the database shared
#   s3          an S3-compatible object store via django-storages (AWS_STORAGE_BUCKET_NAME,
#               AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_S3_REGION_NAME)
STORAGE_BACKENDS = {
    "filesystem": {"BACKEND": "landsupply.storage.PrivateFileSystemStorage"},
    "database": {"BACKEND": "landsupply.storage.DatabaseStorage"},
    "s3": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "location": os.environ.get("AWS_LOCATION", "private"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    },
}
LANDSUPPLY_STORAGE = os.environ.get("LANDSUPPLY_STORAGE", "filesystem").strip().lower()
if LANDSUPPLY_STORAGE not in STORAGE_BACKENDS:
    raise ImproperlyConfigured(
        f"LANDSUPPLY_STORAGE={LANDSUPPLY_STORAGE!r}: choose one of {', '.join(STORAGE_BACKENDS)}."
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": STORAGE_BACKENDS[LANDSUPPLY_STORAGE],
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("LANDSUPPLY_STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "landsupply@localhost")
# The site's address, for links in notification e-mails (landsupply.notify).
LANDSUPPLY_SITE_URL = os.environ.get("LANDSUPPLY_SITE_URL", "")

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
# Beat runs as ONE process (README "Deploy"). Its schedule file only remembers when each entry
# last ran; lost or on another machine, beat waits for the next crontab time, and the sweeps
# catch up on what is due and claim each item in the database, so nothing is sent twice.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    "daily-reminder-sweep": {
        "task": "assessments.tasks.reminder_sweep_task",
        "schedule": crontab(hour=7, minute=0),
    },
    "daily-milestone-check": {
        "task": "plans.tasks.milestone_check_task",
        "schedule": crontab(hour=0, minute=30),
    },
    "daily-plan-reminders": {
        "task": "plans.tasks.plan_reminder_sweep_task",
        "schedule": crontab(hour=7, minute=5),
    },
    # After the day's reminders, so that they are in the digest.
    "daily-digest": {
        "task": "landsupply.tasks.digest_sweep_task",
        "schedule": crontab(hour=8, minute=0),
    },
    "parcel-import-expire": {
        "task": "parcels.tasks.parcel_import_expire_task",
        "schedule": crontab(minute="*/5"),
    },
    "export-job-sweep": {
        "task": "landsupply.tasks.export_job_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "axes": {"handlers": ["console"], "level": "WARNING"},  # lock-outs
        "landsupply": {"handlers": ["console"], "level": "INFO"},
        "assessments": {"handlers": ["console"], "level": "INFO"},
        "plans": {"handlers": ["console"], "level": "INFO"},
        "parcels": {"handlers": ["console"], "level": "INFO"},
    },
}

IMPORT_EXPORT_SKIP_ADMIN_LOG = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Uploads: landsupply/uploads/ checks every file against these before anything reads it ---
MB = 1024 * 1024
UPLOAD_LIMITS = {
    # python-calamine allocates rows × columns cells (32 bytes each) for the used range.
    "ledger": {
        "max_bytes": int(os.environ.get("UPLOAD_LEDGER_MAX_MB", "50")) * MB,
        "max_rows": int(os.environ.get("LEDGER_MAX_ROWS", "200000")),
        "max_columns": 50,
        "max_cells": 5_000_000,
    },
    "plan": {"max_bytes": 5 * MB, "max_rows": 5_000, "max_columns": 50, "max_cells": 100_000},
    "evidence": {"max_bytes": int(os.environ.get("UPLOAD_EVIDENCE_MAX_MB", "20")) * MB},
    # Boundary files (coordinate file, GeoJSON, KML, zipped Shapefile), read whole into memory.
    # A Shapefile has a handful of parts: tighter zip limits than an office document's.
    "boundary": {
        "max_bytes": int(os.environ.get("UPLOAD_BOUNDARY_MAX_MB", "10")) * MB,
        "max_uncompressed_bytes": 50 * MB,
        "max_members": 20,
    },
}
UPLOAD_MAX_UNCOMPRESSED_BYTES = 400 * MB  # all members of one .xlsx/.docx together
UPLOAD_MAX_COMPRESSION_RATIO = 100  # a 200,000-row ledger from openpyxl: 16:1
UPLOAD_MAX_ZIP_MEMBERS = 1_000
UPLOAD_CSV_MAX_ROW_CHARS = 1_000_000
# The web request scans the cells of worksheet XML up to this size (a 20,000-row ledger is about
# 20 MB, 1 s); a larger sheet's cells are scanned by the worker before it reads the file.
UPLOAD_WEB_SCAN_BYTES = 32 * MB
# The request keeps at most this much of one file on disk (the largest limit above).
UPLOAD_REQUEST_MAX_BYTES = max(limit["max_bytes"] for limit in UPLOAD_LIMITS.values())
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "landsupply.uploads.LimitedUploadHandler",
]
# A ledger import without progress for this long (its worker died) is marked failed.
PARCEL_IMPORT_TIMEOUT_MINUTES = int(os.environ.get("PARCEL_IMPORT_TIMEOUT_MINUTES", "30"))
# An export longer than this many rows is written by a Celery worker (landsupply.export_jobs)
# with a progress page, never within a web request (gunicorn's timeout is 30 s; 20,000 parcels
# take about 3 s to write).
EXPORT_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_ROWS", "20000"))
# An export job queued or running without progress this long (its worker died, or none took it)
# is marked failed; the user starts it again.
EXPORT_JOB_TIMEOUT_MINUTES = int(os.environ.get("EXPORT_JOB_TIMEOUT_MINUTES", "30"))
# A finished export file is deleted from private storage this many days after it was written;
# its page then says it expired.
EXPORT_KEEP_DAYS = int(os.environ.get("EXPORT_KEEP_DAYS", "7"))
# --- Boundaries and the map (boundaries app) --------------------------------------------
# Overlap of two parcels' boundaries tolerated as a surveying sliver, square metres.
BOUNDARIES_OVERLAP_TOLERANCE_M2 = float(os.environ.get("BOUNDARIES_OVERLAP_TOLERANCE_M2", "1.0"))
# Relative difference allowed between the computed area and the area stated in the file
# (refused beyond it) or in the ledger (warned beyond it): 0.005 = 0.5 %.
BOUNDARIES_AREA_TOLERANCE = os.environ.get("BOUNDARIES_AREA_TOLERANCE", "0.005")
# A boundary whose centre lies farther than this from its district's outline is refused (wrong
# zone or coordinates); the shipped outlines are simplified, hence the margin. Metres.
BOUNDARIES_DISTRICT_MARGIN_M = float(os.environ.get("BOUNDARIES_DISTRICT_MARGIN_M", "2000"))
# Largest bounding box of one parcel, degrees (0.05° ≈ 4.3 km east-west at 40° N, 5.6 km
# north-south). Box queries on the (min_x, min_y) index scan a strip this wide, so it is kept
# small; a larger "parcel" is refused as a coordinate error. Changing it needs no migration.
BOUNDARIES_MAX_SPAN_DEG = 0.05
# Upload limits of boundary files: UPLOAD_LIMITS["boundary"]. What one file may hold:
BOUNDARIES_MAX_LAYERS = 20
BOUNDARIES_MAX_PARCELS_PER_FILE = 5000
BOUNDARIES_MAX_POINTS = 500_000
# Raster basemap for the map page, off unless set (the map works offline on district outlines),
# e.g. 天地图: https://t{s}.tianditu.gov.cn/vec_w/wmts?...&tk=KEY
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

# --- The REST API (api app, issue 13) ------------------------------------------------------
# Session (the browser) and per-user tokens (django-rest-knox: stored as SHA-512 digests, shown
# once, revoked by the user on /api/tokens/). Money and areas leave as decimal strings, dates as
# ISO 8601. Throttle rates are per token or user (anonymous callers: per address).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle", "api.throttling.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("API_THROTTLE_USER", "600/minute"),
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATE_FORMAT": "iso-8601",
    "DATETIME_FORMAT": "iso-8601",
    # The anonymous throttle's client address: the same proxy count as the login throttle.
    "NUM_PROXIES": TRUSTED_PROXIES or None,
}
KNOX_TOKEN_MODEL = "api.ApiToken"
# knox's own migrations create its AuthToken table even though api.ApiToken replaces it; that
# table's foreign key to the users then stops every flush (PostgreSQL: TRUNCATE refuses it, so
# each transactional test's teardown failed). knox runs without migrations: no stray table.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(os.environ.get("API_TOKEN_TTL_DAYS", "365"))),
    "TOKEN_PREFIX": "ls_",
    "AUTO_REFRESH": False,  # using a token never writes (GET never changes data)
}
API_TOKENS_PER_USER = 20
SPECTACULAR_SETTINGS = {
    "TITLE": "landsupply API",
    "DESCRIPTION": "国有建设用地供应管理 REST API: parcels, plans, lease-then-transfer contracts, "
    "notifications — scoped exactly like the pages. Money (yuan) and areas (hectares) are "
    "decimal strings, dates ISO 8601.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["api.schema.only_current_prefix"],
}
