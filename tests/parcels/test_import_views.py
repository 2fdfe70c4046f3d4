"""Upload → preview → confirm → progress through the URLs, as district and city staff."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcels.imports import parcel_import_run
from parcels.models import Parcel, ParcelImport
from tests.factories import ParcelFactory
from tests.parcels.conftest import ledger_row

pytestmark = pytest.mark.django_db


def test_upload_preview_confirm_imports_with_progress_and_history(
    upload_ledger, client, beijing, write_ledger, celery_eager, django_capture_on_commit_callbacks
):
    user = beijing["haidian_user"]
    ParcelFactory(
        district=beijing["haidian"],
        code="HD-OLD",
        name="旧名",
        category=beijing["categories"]["industrial"],
    )
    client.force_login(user)
    path = write_ledger(
        [ledger_row(地块编号="HD-NEW"), ledger_row(地块编号="HD-OLD", 地块名称="新名")]
    )

    response = upload_ledger(path)

    parcel_import = ParcelImport.objects.get()
    assert response.url == reverse("parcels:import_detail", args=[parcel_import.pk])
    page = client.get(response.url).text
    assert "待确认" in page and "确认导入" in page
    assert "HD-NEW" in page and "地块名称：旧名 → 新名" in page
    assert Parcel.objects.count() == 1  # the preview wrote nothing

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("parcels:import_confirm", args=[parcel_import.pk]))

    parcel_import.refresh_from_db()
    assert parcel_import.status == ParcelImport.Status.DONE
    assert (parcel_import.new_count, parcel_import.changed_count) == (1, 1)
    status = client.get(reverse("parcels:import_status", args=[parcel_import.pk])).json()
    assert status["finished"] is True and status["percent"] == 100
    assert Parcel.objects.get(code="HD-OLD").name == "新名"
    record = Parcel.objects.get(code="HD-NEW").history.get()
    assert record.history_user == user
    assert record.history_change_reason.startswith("台账导入：")


def test_cross_district_overwrite_through_the_upload_page_changes_nothing(
    upload_ledger, client, beijing, write_ledger, celery_eager, django_capture_on_commit_callbacks
):
    theirs = ParcelFactory(district=beijing["daxing"], code="DX-001", name="大兴原地块")
    client.force_login(beijing["haidian_user"])
    path = write_ledger(
        [ledger_row(地块编号="DX-001", 区="大兴区", 地块名称="被改写")], ".csv", "gbk"
    )

    response = upload_ledger(path)

    parcel_import = ParcelImport.objects.get()
    assert parcel_import.status == ParcelImport.Status.INVALID
    page = client.get(response.url).text
    assert "第 2 行" in page and "无权导入「大兴区」的地块" in page
    # Confirming an invalid import is refused; nothing is queued or written.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("parcels:import_confirm", args=[parcel_import.pk]))
    parcel_import.refresh_from_db()
    assert parcel_import.status == ParcelImport.Status.INVALID
    theirs.refresh_from_db()
    assert theirs.name == "大兴原地块"


def test_city_staff_limits_an_upload_to_one_district(upload_ledger, client, beijing, write_ledger):
    client.force_login(beijing["city_user"])
    path = write_ledger([ledger_row(区="大兴区")])

    upload_ledger(path, district=beijing["haidian"].pk)

    parcel_import = ParcelImport.objects.get()
    assert parcel_import.status == ParcelImport.Status.INVALID
    assert parcel_import.errors[0]["column"] == "区"


def test_imports_are_private_to_their_uploader(upload_ledger, client, beijing, write_ledger):
    client.force_login(beijing["haidian_user"])
    upload_ledger(write_ledger([ledger_row()]))
    parcel_import = ParcelImport.objects.get()

    client.force_login(beijing["daxing_user"])
    for name in ("import_detail", "import_status", "import_errors", "import_confirm"):
        method = client.post if name == "import_confirm" else client.get
        assert method(reverse(f"parcels:{name}", args=[parcel_import.pk])).status_code == 404
    assert parcel_import.status == ParcelImport.Status.READY


def test_wrong_file_type_is_refused_on_the_form(client, beijing):
    client.force_login(beijing["haidian_user"])
    response = client.post(
        reverse("parcels:import_start"), {"file": SimpleUploadedFile("ledger.pdf", b"%PDF")}
    )
    assert response.status_code == 200
    assert "只能上传 .xlsx 或 .csv 文件，「ledger.pdf」不是。" in response.text
    assert not ParcelImport.objects.exists()


def test_the_run_happens_once_even_if_the_task_is_delivered_twice(
    upload_ledger, client, beijing, write_ledger
):
    client.force_login(beijing["haidian_user"])
    upload_ledger(write_ledger([ledger_row()]))
    parcel_import = ParcelImport.objects.get()
    client.post(reverse("parcels:import_confirm", args=[parcel_import.pk]))  # task not run here

    parcel_import_run(parcel_import_id=parcel_import.pk)
    parcel_import_run(parcel_import_id=parcel_import.pk)

    assert Parcel.objects.count() == 1
    assert Parcel.history.count() == 1


def test_template_download_has_the_documented_chinese_headers(client, beijing):
    from io import BytesIO

    from openpyxl import load_workbook

    from parcels.resources import HEADERS

    client.force_login(beijing["daxing_user"])
    response = client.get(reverse("parcels:import_template"))

    workbook = load_workbook(BytesIO(response.getvalue()))
    assert [c.value for c in workbook["地块台账"][1]] == HEADERS
    assert workbook.sheetnames == ["地块台账", "填写说明"]
    page = client.get(reverse("parcels:import_start")).text
    assert "面积单位" in page and "2024年6月30日" in page


def test_changed_between_preview_and_confirm_is_re_sorted(
    upload_ledger, client, beijing, write_ledger
):
    client.force_login(beijing["haidian_user"])
    upload_ledger(write_ledger([ledger_row(地块编号="HD-X", 面积="3")]))
    parcel_import = ParcelImport.objects.get()
    assert parcel_import.new_count == 1
    # Someone adds the same parcel by hand before the import is confirmed.
    ParcelFactory(district=beijing["haidian"], code="HD-X", area_ha=Decimal("1"))
    client.post(reverse("parcels:import_confirm", args=[parcel_import.pk]))

    parcel_import = parcel_import_run(parcel_import_id=parcel_import.pk)

    assert (parcel_import.new_count, parcel_import.changed_count) == (0, 1)
    assert Parcel.objects.get(code="HD-X").area_ha == Decimal("3.0000")
