"""The Celery app. Broker from CELERY_BROKER_URL (see settings); beat runs the daily sweep."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landsupply.settings")

app = Celery("landsupply")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
