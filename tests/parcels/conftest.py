import csv
import io

import pytest

from parcels.resources import HEADERS
from tests.factories import CityUserFactory, DistrictUserFactory

GOOD_ROW = {
    "地块编号": "HD-001",
    "地块名称": "中关村地块",
    "区": "海淀区",
    "坐落": "中关村大街1号",
    "用地类型": "工业用地",
    "面积": "2.5",
    "面积单位": "公顷",
    "存量/新增": "新增",
    "供应方式": "挂牌",
    "计划年度": "2024",
    "计划季度": "2",
    "重点功能区": "是",
    "重点功能区名称": "中关村科学城",
    "轨道站点周边": "否",
    "状态": "计划供应",
    "供应日期": "",
    "合同编号": "",
    "成交价（元）": "",
    "受让人": "",
}


def ledger_row(**changes):
    """A valid ledger row (dict by Chinese header) with `changes` applied."""
    return {**GOOD_ROW, **changes}


@pytest.fixture
def write_ledger(tmp_path):
    """write_ledger(rows, suffix=".xlsx", encoding="utf-8") writes rows (dicts by header) to a
    file with the template's header row and returns its path."""
    counter = iter(range(1000))

    def write(rows, suffix=".xlsx", encoding="utf-8", headers=HEADERS):
        path = tmp_path / f"ledger{next(counter)}{suffix}"
        if suffix == ".csv":
            buffer = io.StringIO(newline="")
            writer = csv.writer(buffer)
            writer.writerow(headers)
            for row in rows:
                writer.writerow([row.get(h, "") for h in headers])
            path.write_bytes(buffer.getvalue().encode(encoding))
        else:
            from openpyxl import Workbook

            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("地块台账")
            sheet.append(headers)
            for row in rows:
                sheet.append([row.get(h, "") for h in headers])
            workbook.save(path)
        return path

    return write


@pytest.fixture
def beijing(reference_data):
    """Beijing's haidian and daxing districts with a district user each, and a city user."""
    from landsupply.models import District

    haidian = District.objects.get(code="haidian")
    daxing = District.objects.get(code="daxing")
    return {
        "haidian": haidian,
        "daxing": daxing,
        "haidian_user": DistrictUserFactory(district=haidian),
        "daxing_user": DistrictUserFactory(district=daxing),
        "city_user": CityUserFactory(jurisdiction=haidian.jurisdiction),
        "categories": reference_data["categories"],
    }


@pytest.fixture
def celery_eager():
    """Run Celery tasks in-process (the confirm queues the import task on commit)."""
    from landsupply.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


@pytest.fixture
def upload_ledger(client, celery_eager, django_capture_on_commit_callbacks):
    """upload_ledger(path, **form_data) posts a ledger file to the upload page as the logged-in
    client and runs the check task it queues (eagerly, on commit); returns the response."""
    from django.urls import reverse

    def upload(path, **data):
        with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as handle:
            return client.post(reverse("parcels:import_start"), {"file": handle, **data})

    return upload
