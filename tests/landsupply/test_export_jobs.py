"""Large exports go to a background job: started by a POST, scoped to the user who asked,
with progress and a download; formula-safe like every other export."""

import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from landsupply import export_jobs
from landsupply.export_jobs import export_job_expire_stale, export_job_purge_old, export_job_run
from landsupply.exports import write_export
from landsupply.models import ExportJob
from landsupply.storage import PrivateFileSystemStorage
from parcels.resources import HEADERS
from tests.factories import ParcelFactory

pytestmark = pytest.mark.django_db


def read_xlsx(content):
    return CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.fixture
def three_parcels(beijing):
    industrial = beijing["categories"]["industrial"]
    for code in ("HD-1", "HD-2", "HD-3"):
        ParcelFactory(district=beijing["haidian"], code=code, category=industrial)
    ParcelFactory(district=beijing["daxing"], code="DX-1", category=industrial)
    return beijing


def start_export(client, capture, url, query=""):
    with capture(execute=True):
        return client.post(f"{url}?{query}" if query else url)


@pytest.mark.parametrize("limit, inline", [(3, True), (2, False)])
def test_export_is_sent_at_once_up_to_the_limit_and_offered_as_a_job_above(
    client, three_parcels, settings, limit, inline
):
    settings.EXPORT_INLINE_MAX_ROWS = limit
    client.force_login(three_parcels["haidian_user"])

    response = client.get(reverse("parcels:export"))

    if inline:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert [r[0] for r in read_xlsx(response.getvalue())[1:]] == ["HD-1", "HD-2", "HD-3"]
    else:
        assert response["Content-Type"].startswith("text/html")
        assert b'id="start-export"' in response.content
    assert not ExportJob.objects.exists()  # GET never changes data


def test_job_writes_the_filtered_scoped_file_with_progress_and_download(
    client, three_parcels, settings, celery_eager, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    user = three_parcels["haidian_user"]
    client.force_login(user)

    response = start_export(
        client, django_capture_on_commit_callbacks, reverse("parcels:export"), "q=HD-"
    )

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.user, job.kind, job.query, job.status) == (user, "parcels", "q=HD-", "done")
    status = client.get(reverse("export_job_status", args=[job.pk])).json()
    assert status == {
        "status": "done",
        "status_display": "已完成",
        "processed": 3,
        "total": 3,
        "percent": 100,
        "finished": True,
    }
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("export_job_download", args=[job.pk]) in page
    download = client.get(reverse("export_job_download", args=[job.pk]))
    rows = read_xlsx(b"".join(download.streaming_content))
    assert rows[0] == HEADERS
    assert [r[0] for r in rows[1:]] == ["HD-1", "HD-2", "HD-3"]  # not daxing's DX-1


def test_csv_job(client, three_parcels, settings, celery_eager, django_capture_on_commit_callbacks):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    client.force_login(three_parcels["city_user"])

    start_export(client, django_capture_on_commit_callbacks, reverse("parcels:export_csv"))

    job = ExportJob.objects.get()
    text = b"".join(client.get(reverse("export_job_download", args=[job.pk])).streaming_content)
    lines = text.decode("utf-8-sig").splitlines()
    assert job.filename.endswith(".csv") and len(lines) == 5
    assert {line.split(",")[0] for line in lines[1:]} == {"HD-1", "HD-2", "HD-3", "DX-1"}


def test_another_users_job_is_404(
    client, three_parcels, settings, celery_eager, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    client.force_login(three_parcels["haidian_user"])
    start_export(client, django_capture_on_commit_callbacks, reverse("parcels:export"))
    job = ExportJob.objects.get()

    # A colleague of the same district, and city staff above it: neither sees the job.
    from tests.factories import DistrictUserFactory

    for other in (
        DistrictUserFactory(district=three_parcels["haidian"]),
        three_parcels["city_user"],
    ):
        client.force_login(other)
        for name in ("export_job", "export_job_status", "export_job_download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    client.force_login(three_parcels["haidian_user"])
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 200


def test_unfinished_job_shows_progress_and_has_no_download(client, three_parcels):
    user = three_parcels["haidian_user"]
    job = ExportJob.objects.create(
        user=user, kind="parcels", file_format="xlsx", status="running", total_rows=200,
        processed_rows=50,
    )  # fmt: skip
    client.force_login(user)

    page = client.get(job.get_absolute_url()).content.decode()

    assert 'id="progress-bar"' in page and 'value="25"' in page
    assert client.get(reverse("export_job_status", args=[job.pk])).json()["percent"] == 25
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404


def test_a_job_runs_once(three_parcels, settings):
    from landsupply.export_jobs import export_job_run

    job = ExportJob.objects.create(
        user=three_parcels["haidian_user"], kind="parcels", file_format="xlsx"
    )
    assert export_job_run(job_id=job.pk).status == "done"
    assert export_job_run(job_id=job.pk) is None


def test_streamed_job_export_is_formula_safe(
    client, beijing, settings, celery_eager, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    settings.EXPORT_INLINE_MAX_ROWS = 0
    ParcelFactory(
        district=beijing["haidian"], code="HD-X", name='=HYPERLINK("http://evil","x")',
        category=beijing["categories"]["industrial"], location="@SUM(1)",
    )  # fmt: skip
    client.force_login(beijing["haidian_user"])
    start_export(client, django_capture_on_commit_callbacks, reverse("parcels:export"))
    start_export(client, django_capture_on_commit_callbacks, reverse("parcels:export_csv"))
    xlsx_job, csv_job = ExportJob.objects.order_by("pk")

    content = b"".join(
        client.get(reverse("export_job_download", args=[xlsx_job.pk])).streaming_content
    )
    sheet = load_workbook(BytesIO(content)).active
    name = next(c for c in sheet[2] if c.value == '=HYPERLINK("http://evil","x")')
    assert name.data_type == "s" and name.quotePrefix
    text = b"".join(
        client.get(reverse("export_job_download", args=[csv_job.pk])).streaming_content
    ).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text


def test_contract_register_job_holds_only_the_enterprises_contracts(
    client, reference_data, settings, celery_eager, django_capture_on_commit_callbacks
):
    from tests.factories import ContractFactory, EnterpriseUserFactory

    settings.EXPORT_INLINE_MAX_ROWS = 1
    mine = [ContractFactory(number=f"XZ-MINE-{i}") for i in range(2)]
    ContractFactory(number="XZ-OTHER")
    for contract in mine[1:]:
        contract.enterprise = mine[0].enterprise
        contract.save(update_fields=["enterprise"])
    user = EnterpriseUserFactory(enterprise=mine[0].enterprise)
    client.force_login(user)

    start_export(client, django_capture_on_commit_callbacks, reverse("assessments:register_export"))

    job = ExportJob.objects.get()
    rows = read_xlsx(
        b"".join(client.get(reverse("export_job_download", args=[job.pk])).streaming_content)
    )
    assert sorted(r[0] for r in rows[1:]) == ["XZ-MINE-0", "XZ-MINE-1"]
    client.force_login(EnterpriseUserFactory())
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404


# --- A dead worker's job fails; finished files are kept EXPORT_KEEP_DAYS ---------------------

NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
WORKER_STOPPED = "生成文件的后台进程已中断（超过 30 分钟没有进展），文件未生成。请重新导出。"
NEVER_STARTED = "排队超过 30 分钟仍未开始"
EXPIRED = "已过期，请重新导出"


def stored_files(settings) -> list:
    return [p for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file()]


def done_job(user):
    """A job written by the worker (its file in private storage), as the user's click makes."""
    job = ExportJob.objects.create(user=user, kind="parcels", file_format="xlsx")
    job = export_job_run(job_id=job.pk)
    assert job.status == "done" and job.file.storage.exists(job.file.name)
    return job


@pytest.mark.parametrize("minutes, status", [(29, "running"), (30, "running"), (31, "failed")])
def test_a_running_job_without_progress_past_the_timeout_fails_and_says_to_start_again(
    client, three_parcels, settings, minutes, status
):
    settings.EXPORT_JOB_TIMEOUT_MINUTES = 30
    user = three_parcels["haidian_user"]
    job = ExportJob.objects.create(user=user, kind="parcels", file_format="xlsx")
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", heartbeat_at=NOON - datetime.timedelta(minutes=minutes)
    )

    assert export_job_expire_stale(now=NOON) == (status == "failed")

    job.refresh_from_db()
    assert job.status == status
    client.force_login(user)
    page = client.get(job.get_absolute_url()).content.decode()
    assert (WORKER_STOPPED in page) == (status == "failed")
    assert ('id="progress-bar"' in page) == (status == "running")
    assert client.get(reverse("export_job_status", args=[job.pk])).json()["finished"] == (
        status == "failed"
    )


def test_a_running_job_is_judged_by_its_heartbeat_not_its_age(three_parcels):
    job = ExportJob.objects.create(
        user=three_parcels["haidian_user"], kind="parcels", file_format="xlsx"
    )
    ExportJob.objects.filter(pk=job.pk).update(
        status="running",
        created_at=NOON - datetime.timedelta(hours=5),
        heartbeat_at=NOON - datetime.timedelta(minutes=1),
    )
    assert export_job_expire_stale(now=NOON) == 0
    # A row running since before heartbeats existed counts from its creation.
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=None)
    assert export_job_expire_stale(now=NOON) == 1
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", WORKER_STOPPED)


@pytest.mark.parametrize("minutes, status", [(29, "queued"), (31, "failed")])
def test_a_job_no_worker_took_fails_with_its_own_message(
    client, three_parcels, settings, minutes, status
):
    settings.EXPORT_JOB_TIMEOUT_MINUTES = 30
    user = three_parcels["haidian_user"]
    job = ExportJob.objects.create(user=user, kind="parcels", file_format="xlsx")
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=NOON - datetime.timedelta(minutes=minutes)
    )

    assert export_job_expire_stale(now=NOON) == (status == "failed")

    job.refresh_from_db()
    assert job.status == status
    client.force_login(user)
    page = client.get(job.get_absolute_url()).content.decode()
    assert (NEVER_STARTED in page and "请重新导出" in page) == (status == "failed")
    if status == "failed":  # a worker that comes to it later leaves it failed
        assert export_job_run(job_id=job.pk) is None


def test_a_worker_writing_progress_keeps_its_job_alive(three_parcels, settings, monkeypatch):
    """The claim and every progress write renew the heartbeat, however long the job runs."""
    settings.EXPORT_JOB_TIMEOUT_MINUTES = 30
    monkeypatch.setattr(export_jobs, "PROGRESS_SECONDS", 0)
    job = ExportJob.objects.create(
        user=three_parcels["haidian_user"], kind="parcels", file_format="csv"
    )
    long_ago = NOON - datetime.timedelta(days=1)
    swept = []

    def rows_written_slowly(export, file_format, target):
        ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
        rows = list(export.rows)  # every row but the last writes progress
        swept.append(export_job_expire_stale(now=timezone.now() + datetime.timedelta(minutes=29)))
        export.rows = iter(rows)
        write_export(export, file_format, target)

    monkeypatch.setattr(export_jobs, "write_export", rows_written_slowly)

    assert export_job_run(job_id=job.pk).status == "done"
    assert swept == [0]


def test_a_job_that_finished_is_never_failed_by_the_sweep(client, three_parcels, settings):
    """The sweep's UPDATE holds only for a row still RUNNING: a worker that finished after its
    last progress write, just before the sweep, keeps its file."""
    settings.EXPORT_JOB_TIMEOUT_MINUTES = 30
    user = three_parcels["haidian_user"]
    job = done_job(user)
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=NOON - datetime.timedelta(hours=1))

    assert export_job_expire_stale(now=NOON) == 0

    job.refresh_from_db()
    assert (job.status, job.error) == ("done", "")
    client.force_login(user)
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 200


@pytest.mark.parametrize(
    "progress_seconds", [0, 3600], ids=["progress-written-meanwhile", "no-progress-before-the-end"]
)
def test_a_worker_alive_after_its_job_was_failed_does_not_mark_it_done(
    client, three_parcels, settings, monkeypatch, progress_seconds
):
    """The worker looked dead and the sweep failed its job; it was only slow. Whether it notices
    at its next progress write or only when finishing, the job stays failed with the sweep's
    message and no file is left in storage."""
    settings.EXPORT_JOB_TIMEOUT_MINUTES = 30
    monkeypatch.setattr(export_jobs, "PROGRESS_SECONDS", progress_seconds)

    def write_after_the_sweep(export, file_format, target):
        assert export_job_expire_stale(now=timezone.now() + datetime.timedelta(minutes=31)) == 1
        write_export(export, file_format, target)

    monkeypatch.setattr(export_jobs, "write_export", write_after_the_sweep)
    user = three_parcels["haidian_user"]
    job = ExportJob.objects.create(user=user, kind="parcels", file_format="csv")

    job = export_job_run(job_id=job.pk)

    assert (job.status, job.error, job.file.name) == ("failed", WORKER_STOPPED, "")
    assert stored_files(settings) == []
    client.force_login(user)
    page = client.get(job.get_absolute_url()).content.decode()
    assert WORKER_STOPPED in page and reverse("export_job_download", args=[job.pk]) not in page
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("days, kept", [(6, True), (7, True), (8, False)])
def test_finished_files_are_kept_export_keep_days_then_deleted_and_the_page_says_expired(
    client, three_parcels, settings, days, kept
):
    settings.EXPORT_KEEP_DAYS = 7
    user = three_parcels["haidian_user"]
    job = done_job(user)
    name = job.file.name
    ExportJob.objects.filter(pk=job.pk).update(finished_at=NOON - datetime.timedelta(days=days))

    assert export_job_purge_old(now=NOON) == (not kept)

    job.refresh_from_db()
    assert job.status == ("done" if kept else "expired")
    assert job.file.storage.exists(name) == kept
    client.force_login(user)
    page = client.get(job.get_absolute_url()).content.decode()
    download = client.get(reverse("export_job_download", args=[job.pk]))
    status = client.get(reverse("export_job_status", args=[job.pk])).json()
    if kept:
        assert reverse("export_job_download", args=[job.pk]) in page and EXPIRED not in page
        until = timezone.localtime(NOON + datetime.timedelta(days=7 - days))
        assert f"文件保留到 {until:%Y-%m-%d %H:%M}" in page
        assert download.status_code == 200
        assert b"".join(download.streaming_content)
    else:
        assert EXPIRED in page and reverse("export_job_download", args=[job.pk]) not in page
        assert "保留 7 天" in page
        assert download.status_code == 410 and EXPIRED in download.content.decode()
        assert (status["status_display"], status["finished"]) == ("已过期", True)
        assert export_job_purge_old(now=NOON) == 0  # once


def test_an_expired_job_of_another_user_is_still_404(client, three_parcels, settings):
    settings.EXPORT_KEEP_DAYS = 7
    job = done_job(three_parcels["haidian_user"])
    ExportJob.objects.filter(pk=job.pk).update(finished_at=NOON - datetime.timedelta(days=8))
    assert export_job_purge_old(now=NOON) == 1

    client.force_login(three_parcels["city_user"])
    for name in ("export_job", "export_job_status", "export_job_download"):
        response = client.get(reverse(name, args=[job.pk]))
        assert response.status_code == 404 and EXPIRED not in response.content.decode(), name


def test_only_finished_files_expire(three_parcels, settings):
    settings.EXPORT_KEEP_DAYS = 7
    user = three_parcels["haidian_user"]
    long_ago = NOON - datetime.timedelta(days=30)
    for status in ("queued", "running", "failed"):
        ExportJob.objects.create(
            user=user, kind="parcels", file_format="xlsx", status=status, finished_at=long_ago
        )

    assert export_job_purge_old(now=NOON) == 0

    assert sorted(ExportJob.objects.values_list("status", flat=True)) == [
        "failed",
        "queued",
        "running",
    ]


def test_a_file_the_storage_fails_to_delete_is_tried_again(three_parcels, settings, monkeypatch):
    settings.EXPORT_KEEP_DAYS = 7
    job = done_job(three_parcels["haidian_user"])
    ExportJob.objects.filter(pk=job.pk).update(finished_at=NOON - datetime.timedelta(days=8))
    name = job.file.name

    def unavailable(storage, name):
        raise OSError("storage unavailable")

    with monkeypatch.context() as patch:
        patch.setattr(PrivateFileSystemStorage, "delete", unavailable)
        assert export_job_purge_old(now=NOON) == 0
    job.refresh_from_db()
    assert job.status == "expired" and job.file.name == name  # the page says expired
    assert job.file.storage.exists(name)

    assert export_job_purge_old(now=NOON) == 1
    assert stored_files(settings) == []


def test_the_sweep_runs_from_beat(three_parcels, settings):
    from landsupply.tasks import export_job_sweep_task

    entry = settings.CELERY_BEAT_SCHEDULE["export-job-sweep"]
    assert entry["task"] == export_job_sweep_task.name == "landsupply.tasks.export_job_sweep_task"
    assert export_job_sweep_task() == {"failed": 0, "purged": 0}
