"""Large exports go to a background job: started by a POST, scoped to the user who asked,
with progress and a download; formula-safe like every other export."""

from io import BytesIO

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from landsupply.models import ExportJob
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
