"""Browser: a large export's page when the file is ready (download and until when it is kept)
and once it has expired (export again), at desktop width and at 390 px."""

import datetime

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_job_page_ready_then_expired(page, login, screenshot):
    from django.core.files.base import ContentFile

    from landsupply.export_jobs import export_job_purge_old
    from landsupply.models import ExportJob
    from tests.factories import CityUserFactory

    user = CityUserFactory(username="city_exports")
    finished = timezone.now()
    job = ExportJob.objects.create(
        user=user, kind="parcels", file_format="csv", status=ExportJob.Status.DONE,
        total_rows=120_000, processed_rows=120_000, finished_at=finished,
        filename="地块台账.csv",
    )  # fmt: skip
    job.file.save("地块台账.csv", ContentFile("地块编号\n".encode()))  # kept 7 days from `finished`

    login("city_exports")
    page.goto(f"{page.base_url}/exports/{job.pk}/")
    assert page.locator("#export-download").is_visible()
    assert "文件保留到" in page.locator("#export-expires").inner_text()
    screenshot("export_job_ready")

    assert export_job_purge_old(now=finished + datetime.timedelta(days=8)) == 1
    page.reload()
    assert page.locator("#export-download").count() == 0
    assert "已过期，请重新导出" in page.locator("#export-expired").inner_text()
    screenshot("export_job_expired")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("export_job_expired_390")
