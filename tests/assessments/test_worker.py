"""A real Celery worker against Redis delivers a reminder end to end (issue 4).

Runs when CELERY_BROKER_URL is redis://…; skipped otherwise, but FAILS instead when
LANDSUPPLY_REQUIRE_SERVICES=1 (CI's PostgreSQL + Redis run).
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from landsupply.models import Notification

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("LANDSUPPLY_REQUIRE_SERVICES") == "1"


def _skip(reason):
    if REQUIRED:
        pytest.fail(f"LANDSUPPLY_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def _database_url() -> str | None:
    db = connection.settings_dict
    if db["ENGINE"].endswith("postgresql"):
        auth = quote(db["USER"] or "")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"])
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db["ENGINE"].endswith("sqlite3") and db["NAME"] and "memory" not in str(db["NAME"]):
        return f"sqlite:///{db['NAME']}"
    return None


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_reminder_through_redis(worked_example):
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        _skip(f"CELERY_BROKER_URL is {broker!r}, not redis://")
    database_url = _database_url()
    if database_url is None:
        _skip("the test database is in memory; a worker process cannot share it")
    import redis

    try:
        redis.Redis.from_url(broker).ping()
    except redis.exceptions.ConnectionError as exc:
        _skip(f"Redis at {broker} is not reachable: {exc}")

    holder = worked_example["holder"]
    queue = f"test-{uuid.uuid4().hex[:8]}"  # our own queue: no other worker can take the task
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DB_CONN_MAX_AGE": "0",
    }
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "landsupply",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        from assessments.tasks import reminder_sweep_task

        reminder_sweep_task.apply_async(args=["2029-01-29"], queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            if Notification.objects.filter(recipient=holder).exists():
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    notification = Notification.objects.filter(recipient=holder).first()
    assert notification is not None, (
        f"no reminder delivered within 60 s; worker output:\n{output[-3000:]}"
    )
    assert "2029-02-28" in notification.title
    assert "reminder sweep sent 2 reminders" in output or "succeeded" in output
