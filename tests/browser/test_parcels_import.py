"""District staff upload a ledger, see the check, the preview and errors, confirm, and see it
imported; a hostile file is refused on the upload form with the limit it broke."""

import pytest

from parcels.models import Parcel
from tests.factories import DistrictUserFactory
from tests.parcels.conftest import ledger_row


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_district_user_uploads_previews_and_confirms_a_ledger(
    page, login, screenshot, reference_data, tmp_path, settings
):
    import csv
    import io

    from landsupply.celery import app
    from landsupply.models import District
    from parcels.resources import HEADERS

    settings.MEDIA_ROOT = tmp_path / "media"
    app.conf.task_always_eager = True
    try:
        DistrictUserFactory(username="hd_staff", district=District.objects.get(code="haidian"))

        def write(rows, name):
            buffer = io.StringIO(newline="")
            writer = csv.writer(buffer)
            writer.writerow(HEADERS)
            for row in rows:
                writer.writerow([row.get(h, "") for h in HEADERS])
            path = tmp_path / name
            path.write_bytes(buffer.getvalue().encode("gbk"))
            return path

        bad = write(
            [ledger_row(地块编号="HD-1"), ledger_row(地块编号="DX-1", 区="大兴区")], "bad.csv"
        )
        good = write(
            [ledger_row(地块编号="HD-1"), ledger_row(地块编号="HD-2", 面积="15", 面积单位="亩")],
            "good.csv",
        )

        from tests import hostile

        bomb = hostile.dimension_bomb(tmp_path)

        login("hd_staff")
        page.goto(page.base_url + "/parcels/")
        page.click("text=导入台账")
        assert "200,000 行数据" in page.inner_text("#upload-limits")
        page.set_input_files("input[name=file]", str(bomb))
        page.click("text=上传并校验")
        page.wait_for_selector(".errorlist")
        assert "A1:XFD1048576" in page.inner_text(".errorlist")
        screenshot("parcels_import_refused")
        page.set_viewport_size({"width": 390, "height": 900})
        screenshot("parcels_import_refused_390")
        page.set_viewport_size({"width": 1400, "height": 1000})

        page.set_input_files("input[name=file]", str(bad))
        page.click("text=上传并校验")
        page.wait_for_selector("#errors")
        assert "无权导入「大兴区」的地块" in page.inner_text("#errors")
        screenshot("parcels_import_errors")

        page.goto(page.base_url + "/parcels/import/")
        page.set_input_files("input[name=file]", str(good))
        page.click("text=上传并校验")
        page.wait_for_selector("#confirm-import")
        assert "HD-2" in page.inner_text("#preview-new")
        screenshot("parcels_import_preview")
        page.click("#confirm-import")
        page.wait_for_selector("text=导入完成")
        screenshot("parcels_import_done")
        assert Parcel.objects.filter(district__code="haidian").count() == 2

        # A file waiting for the worker's check, and one whose worker died (the sweep failed it).
        from parcels.imports import parcel_import_expire_stale
        from parcels.models import ParcelImport

        user = ParcelImport.objects.first().user
        waiting = ParcelImport.objects.create(
            user=user, original_name="等待.xlsx", status="pending", phase="排队", total_rows=0
        )
        page.goto(page.base_url + waiting.get_absolute_url())
        assert "正在校验" in page.inner_text("#progress-text")
        screenshot("parcels_import_checking")
        ParcelImport.objects.filter(pk=waiting.pk).update(status="running", heartbeat_at=None)
        import datetime

        from django.utils import timezone

        ParcelImport.objects.filter(pk=waiting.pk).update(
            heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
        )
        parcel_import_expire_stale()
        page.goto(page.base_url + waiting.get_absolute_url())
        page.wait_for_selector("#retry-import")
        screenshot("parcels_import_failed_retry")
    finally:
        app.conf.task_always_eager = False
