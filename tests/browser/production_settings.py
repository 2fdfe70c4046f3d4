"""The production settings plus one URL that fails, so the production-server test can show the
500 page (tests only; gunicorn gets it through DJANGO_SETTINGS_MODULE)."""

from landsupply.settings import *  # noqa: F403

ROOT_URLCONF = "tests.landsupply.error_urls"
