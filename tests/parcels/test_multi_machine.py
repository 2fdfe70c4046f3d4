"""Web and worker on separate machines (issue 8): a ledger import uploaded through the web
process is written by a Celery worker that shares nothing with it but the database, the broker
and the storage setting: another working directory, another LANDSUPPLY_VAR_DIR, no common disk.

PostgreSQL + Redis only (skipped on SQLite, whose database is a local file); FAILS instead of
skipping when LANDSUPPLY_REQUIRE_SERVICES=1 (CI).
"""

import os
import uuid

import pytest
from django.urls import reverse

from landsupply.models import StoredFile
from parcels.models import Parcel, ParcelImport
from tests.parcels.conftest import ledger_row
from tests.services import (
    ROOT,
    database_url,
    redis_broker,
    skip_or_fail,
    start_worker,
    stop_worker,
    wait_for,
)


def _files_under(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.django_db(transaction=True)
def test_ledger_import_with_web_and_worker_sharing_only_database_broker_and_storage(
    client, beijing, write_ledger, settings, tmp_path, monkeypatch
):
    url = database_url(postgres_only=True)
    if url is None:
        skip_or_fail("separate machines need a database server (PostgreSQL), not SQLite")
    broker = redis_broker()
    web, machine = tmp_path / "web", tmp_path / "worker"
    web.mkdir(), machine.mkdir()
    # The web process: uploads in the database backend; its own folders would betray local use.
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "landsupply.storage.DatabaseStorage"},
    }
    settings.PRIVATE_MEDIA_ROOT = web / "private"
    settings.MEDIA_ROOT = web / "media"
    queue = f"test-{uuid.uuid4().hex[:8]}"  # our own queue: no other worker can take a task
    from landsupply.celery import app

    route = app.amqp.router.route  # every task this process queues goes to that queue
    monkeypatch.setattr(
        app.amqp.router,
        "route",
        lambda options, *args, **kwargs: route({**options, "queue": queue}, *args, **kwargs),
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LANDSUPPLY_")},
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": broker,
        "LANDSUPPLY_STORAGE": "database",
        "LANDSUPPLY_VAR_DIR": str(machine / "var"),
        "DB_CONN_MAX_AGE": "0",
    }
    worker = start_worker(queue=queue, env=env, cwd=machine)
    try:
        client.force_login(beijing["haidian_user"])
        ledger = write_ledger([ledger_row(地块编号="HD-M1"), ledger_row(地块编号="HD-M2")])
        with open(ledger, "rb") as handle:
            client.post(reverse("parcels:import_start"), {"file": handle})
        parcel_import = ParcelImport.objects.get()

        def reached(*statuses):
            parcel_import.refresh_from_db()
            return parcel_import.status in statuses

        # The check of the file may run in the web process or in the worker: wait for it.
        Status = ParcelImport.Status
        wait_for(lambda: reached(Status.READY, Status.INVALID, Status.FAILED), worker=worker)
        assert parcel_import.status == Status.READY, parcel_import.errors
        ledger.unlink()  # the upload exists only in the storage now
        client.post(reverse("parcels:import_confirm", args=[parcel_import.pk]))
        wait_for(lambda: reached(Status.DONE, Status.FAILED), worker=worker)
    finally:
        output = stop_worker(worker)
    assert parcel_import.status == ParcelImport.Status.DONE, (
        f"{parcel_import.get_status_display()} {parcel_import.errors}\n{output[-3000:]}"
    )
    assert parcel_import.new_count == 2
    assert set(Parcel.objects.values_list("code", flat=True)) == {"HD-M1", "HD-M2"}
    assert StoredFile.objects.filter(name=parcel_import.file.name).exists()
    assert _files_under(web) == [] and _files_under(machine) == []
