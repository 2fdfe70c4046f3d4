"""The ledger import's worker side: the check runs in the worker on the stored file (read
through the storage API), a dead worker's import fails after the timeout and can be retried,
DONE commits with the parcels, unknown districts cost no query per row, and two confirms at
once make one import."""

import datetime
import os
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import InMemoryStorage
from django.db import connection
from django.urls import reverse

from parcels import imports
from parcels.imports import (
    parcel_import_check,
    parcel_import_confirm,
    parcel_import_expire_stale,
    parcel_import_retry,
    parcel_import_run,
)
from parcels.models import Parcel, ParcelImport
from tests.parcels.conftest import ledger_row

pytestmark = pytest.mark.django_db
Status = ParcelImport.Status
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


def test_upload_stores_the_file_and_leaves_every_cell_to_the_worker(
    client, beijing, write_ledger, django_capture_on_commit_callbacks
):
    client.force_login(beijing["haidian_user"])
    path = write_ledger([ledger_row(区="火星区")])

    with django_capture_on_commit_callbacks() as queued, open(path, "rb") as handle:
        response = client.post(reverse("parcels:import_start"), {"file": handle})

    parcel_import = ParcelImport.objects.get()
    assert parcel_import.status == Status.PENDING and parcel_import.errors == []
    assert len(queued) == 1  # the check task, queued on commit
    page = client.get(response.url).text
    assert "等待校验" in page and "正在校验" in page and "确认导入" not in page

    parcel_import = parcel_import_check(parcel_import_id=parcel_import.pk)

    assert parcel_import.status == Status.INVALID
    assert parcel_import.errors[0]["message"] == "未知的区「火星区」"
    assert parcel_import_check(parcel_import_id=parcel_import.pk).status == Status.INVALID  # once


def test_worker_reads_through_the_storage_api_not_a_local_path(
    client, beijing, write_ledger, upload_ledger, monkeypatch
):
    """Web and worker may be different machines: the file is opened through its storage (an
    in-memory storage has no path at all)."""
    storage = InMemoryStorage()
    monkeypatch.setattr(ParcelImport._meta.get_field("file"), "storage", storage)
    client.force_login(beijing["haidian_user"])

    upload_ledger(write_ledger([ledger_row(地块编号="HD-MEM")]))

    parcel_import = ParcelImport.objects.get()
    assert parcel_import.status == Status.READY
    assert storage.exists(parcel_import.file.name)
    assert not os.path.exists(parcel_import.file.path)  # nothing on this machine's disk
    parcel_import_confirm(user=beijing["haidian_user"], parcel_import=parcel_import)
    assert parcel_import_run(parcel_import_id=parcel_import.pk).status == Status.DONE
    assert Parcel.objects.get().code == "HD-MEM"


def test_imports_without_heartbeat_past_the_timeout_fail_and_can_be_retried(
    client, beijing, write_ledger, upload_ledger, settings, django_capture_on_commit_callbacks
):
    settings.PARCEL_IMPORT_TIMEOUT_MINUTES = 30
    user = beijing["haidian_user"]
    client.force_login(user)
    upload_ledger(write_ledger([ledger_row()]))
    parcel_import = ParcelImport.objects.get()
    ParcelImport.objects.filter(pk=parcel_import.pk).update(
        status=Status.RUNNING, heartbeat_at=NOON
    )

    with time_machine.travel(NOON + datetime.timedelta(minutes=30), tick=False):
        assert parcel_import_expire_stale() == 0  # exactly 30 minutes: still alive
    with time_machine.travel(NOON + datetime.timedelta(minutes=30, seconds=1), tick=False):
        assert parcel_import_expire_stale() == 1

    parcel_import.refresh_from_db()
    assert parcel_import.status == Status.FAILED
    assert "超过 30 分钟没有进展" in parcel_import.errors[0]["message"]
    page = client.get(parcel_import.get_absolute_url()).text
    assert "重试" in page and "未导入任何数据" in page
    assert not Parcel.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("parcels:import_retry", args=[parcel_import.pk]))

    parcel_import.refresh_from_db()
    assert parcel_import.status == Status.READY  # checked again from the stored file
    with pytest.raises(ValidationError, match="只有导入失败的文件可以重试"):
        parcel_import_retry(user=user, parcel_import=parcel_import)


def test_every_state_in_progress_expires_and_finished_ones_never(beijing):
    user = beijing["haidian_user"]
    for status in Status.values:
        ParcelImport.objects.create(
            user=user, original_name=f"{status}.csv", status=status, heartbeat_at=NOON
        )

    with time_machine.travel(NOON + datetime.timedelta(hours=5), tick=False):
        assert parcel_import_expire_stale() == 4

    states = dict(ParcelImport.objects.values_list("original_name", "status"))
    assert states == {
        "pending.csv": "failed",
        "checking.csv": "failed",
        "queued.csv": "failed",
        "running.csv": "failed",
        "ready.csv": "ready",
        "invalid.csv": "invalid",
        "done.csv": "done",
        "failed.csv": "failed",
    }


def test_the_sweep_runs_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["parcel-import-expire"]
    assert entry["task"] == "parcels.tasks.parcel_import_expire_task"
    from parcels.tasks import parcel_import_expire_task

    assert parcel_import_expire_task.name == entry["task"]


def test_an_import_failed_by_the_sweep_meanwhile_writes_nothing(
    client, beijing, write_ledger, upload_ledger, monkeypatch
):
    """DONE is written in the transaction of the parcels: if the sweep failed the row while the
    worker was still writing, the worker's transaction rolls back."""
    user = beijing["haidian_user"]
    client.force_login(user)
    upload_ledger(write_ledger([ledger_row()]))
    parcel_import = ParcelImport.objects.get()
    parcel_import_confirm(user=user, parcel_import=parcel_import)
    real_check = imports.ledger_check

    def check_then_swept(*args, **kwargs):  # the sweep commits while the worker goes on
        result = real_check(*args, **kwargs)
        ParcelImport.objects.filter(pk=parcel_import.pk).update(status=Status.FAILED)
        return result

    monkeypatch.setattr(imports, "ledger_check", check_then_swept)

    assert parcel_import_run(parcel_import_id=parcel_import.pk).status == Status.FAILED
    assert not Parcel.objects.exists()


def test_unknown_and_foreign_districts_cost_no_query_per_row(
    beijing, write_ledger, django_assert_max_num_queries
):
    from parcels.ledger import ledger_check

    def queries(rows):
        path = write_ledger(
            [ledger_row(地块编号=f"X{n}", 区="火星区" if n % 2 else "金水区") for n in range(rows)],
            ".csv",
        )
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            check = ledger_check(path=path, user=beijing["haidian_user"])
        assert len(check.errors) == rows
        return len(captured)

    assert queries(1000) == queries(10)


def test_a_second_confirm_is_told_the_import_is_confirmed(
    client, beijing, write_ledger, upload_ledger
):
    user = beijing["haidian_user"]
    client.force_login(user)
    upload_ledger(write_ledger([ledger_row()]))
    parcel_import = ParcelImport.objects.get()
    parcel_import_confirm(user=user, parcel_import=parcel_import)

    response = client.post(reverse("parcels:import_confirm", args=[parcel_import.pk]), follow=True)

    assert "该文件已确认导入（当前状态为「排队中」），无需再次确认。" in response.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_confirms_at_once_make_one_import(beijing, write_ledger, monkeypatch):
    """PostgreSQL, two threads: both confirm the same READY import; one wins, the other gets
    the clear message; one run task is queued and the parcels are written once."""
    from parcels import tasks

    user = beijing["haidian_user"]
    path = write_ledger([ledger_row()])
    with open(path, "rb") as handle:
        from django.core.files.uploadedfile import SimpleUploadedFile

        parcel_import = imports.parcel_import_create(
            user=user, uploaded_file=SimpleUploadedFile("台账.xlsx", handle.read())
        )
    parcel_import_check(parcel_import_id=parcel_import.pk)
    queued = []
    monkeypatch.setattr(tasks.parcel_import_run_task, "delay", queued.append)
    barrier = threading.Barrier(2)
    outcomes = []

    def confirm():
        try:
            barrier.wait()
            parcel_import_confirm(user=user, parcel_import=parcel_import)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "该文件已确认导入（当前状态为「排队中」），无需再次确认。"]
    assert queued == [parcel_import.pk]
    for pk in queued:
        parcel_import_run(parcel_import_id=pk)
    assert Parcel.objects.count() == 1


def test_a_large_sheet_is_scanned_by_the_worker_before_it_is_read(
    client, beijing, settings, tmp_path, upload_ledger
):
    """Past UPLOAD_WEB_SCAN_BYTES the web checks a sheet's head only; the worker scans every
    cell before python-calamine sees the file, so a far cell never reaches it."""
    from tests import hostile

    settings.UPLOAD_WEB_SCAN_BYTES = 100
    client.force_login(beijing["haidian_user"])

    upload_ledger(hostile.dimension_bomb(tmp_path, declare=False))

    parcel_import = ParcelImport.objects.get()
    assert parcel_import.status == Status.INVALID
    assert "1,048,576" in parcel_import.errors[0]["message"]
    assert not Parcel.objects.exists()
