"""Settings for landsupply: one file, driven by environment variables.

DATABASE_URL       default sqlite:///<project>/db.sqlite3 (PostgreSQL in production and CI)
CELERY_BROKER_URL  default filesystem:// under var/celery, a broker that needs no server
                   (redis://127.0.0.1:6379/0 in production and CI)
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LANDSUPPLY_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "simple_history",
    "landsupply",
    "parcels",
    "plans",
    "assessments",
    "boundaries",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# Uploads that only views with an access check may serve (never under MEDIA_URL).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("LANDSUPPLY_PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "landsupply@localhost")

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
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "landsupply": {"handlers": ["console"], "level": "INFO"},
        "assessments": {"handlers": ["console"], "level": "INFO"},
        "plans": {"handlers": ["console"], "level": "INFO"},
        "parcels": {"handlers": ["console"], "level": "INFO"},
    },
}

IMPORT_EXPORT_SKIP_ADMIN_LOG = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

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
BOUNDARIES_MAX_UPLOAD_BYTES = int(os.environ.get("BOUNDARIES_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
BOUNDARIES_MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
BOUNDARIES_MAX_ZIP_MEMBERS = 20
BOUNDARIES_MAX_ZIP_RATIO = 100
BOUNDARIES_MAX_LAYERS = 20
BOUNDARIES_MAX_PARCELS_PER_FILE = 5000
BOUNDARIES_MAX_POINTS = 500_000
# Raster basemap for the map page, off unless set (the map works offline on district outlines),
# e.g. 天地图: https://t{s}.tianditu.gov.cn/vec_w/wmts?...&tk=KEY
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
