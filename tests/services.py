"""Helpers for tests that start real processes against the test database and the broker.

Such a test is skipped when a service is missing, but FAILS instead when
LANDSUPPLY_REQUIRE_SERVICES=1 (CI's PostgreSQL + Redis run).
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = os.environ.get("LANDSUPPLY_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str):
    if REQUIRED:
        pytest.fail(f"LANDSUPPLY_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def database_url(*, postgres_only: bool = False) -> str | None:
    """Return a DATABASE_URL for the test database that another process can open, or None."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("postgresql"):
        auth = quote(db["USER"] or "")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"])
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if postgres_only:
        return None
    if db["ENGINE"].endswith("sqlite3") and db["NAME"] and "memory" not in str(db["NAME"]):
        return f"sqlite:///{db['NAME']}"
    return None


def redis_broker() -> str:
    """Return the Redis broker URL of the settings after checking it answers; else skip/fail."""
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        skip_or_fail(f"CELERY_BROKER_URL is {broker!r}, not redis://")
    import redis

    try:
        redis.Redis.from_url(broker).ping()
    except redis.exceptions.ConnectionError as exc:
        skip_or_fail(f"Redis at {broker} is not reachable: {exc}")
    return broker


def start_worker(*, queue: str, env: dict, cwd: Path = ROOT) -> subprocess.Popen:
    """Start a Celery worker (solo pool) that takes tasks from `queue` only."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
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
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_worker(worker: subprocess.Popen) -> str:
    """Stop the worker and return what it printed."""
    worker.terminate()
    try:
        output, _ = worker.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
    return output


def wait_for(condition, *, worker: subprocess.Popen, seconds: float = 60) -> bool:
    """Poll condition() every half second until it is true, the worker exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and worker.poll() is None:
        if condition():
            return True
        time.sleep(0.5)
    return condition()
