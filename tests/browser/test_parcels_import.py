"""District staff upload a ledger, see the preview and errors, confirm, and see it imported."""

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

        login("hd_staff")
        page.goto(page.base_url + "/parcels/")
        page.click("text=导入台账")
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
    finally:
        app.conf.task_always_eager = False
