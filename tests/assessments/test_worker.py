"""A real Celery worker against Redis delivers a reminder end to end (issue 4).

Runs when CELERY_BROKER_URL is redis://…; skipped otherwise, but FAILS instead when
LANDSUPPLY_REQUIRE_SERVICES=1 (CI's PostgreSQL + Redis run).
"""

import os
import uuid

import pytest

from landsupply.models import Notification
from tests.services import (
    database_url,
    redis_broker,
    skip_or_fail,
    start_worker,
    stop_worker,
    wait_for,
)


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_reminder_through_redis(worked_example):
    broker = redis_broker()
    url = database_url()
    if url is None:
        skip_or_fail("the test database is in memory; a worker process cannot share it")

    holder = worked_example["holder"]
    queue = f"test-{uuid.uuid4().hex[:8]}"  # our own queue: no other worker can take the task
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": broker,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DB_CONN_MAX_AGE": "0",
    }
    worker = start_worker(queue=queue, env=env)
    try:
        from assessments.tasks import reminder_sweep_task

        reminder_sweep_task.apply_async(args=["2029-01-29"], queue=queue)
        wait_for(lambda: Notification.objects.filter(recipient=holder).exists(), worker=worker)
    finally:
        output = stop_worker(worker)
    notification = Notification.objects.filter(recipient=holder).first()
    assert notification is not None, (
        f"no reminder delivered within 60 s; worker output:\n{output[-3000:]}"
    )
    assert "2029-02-28" in notification.title
    assert "reminder sweep sent 2 reminders" in output or "succeeded" in output
