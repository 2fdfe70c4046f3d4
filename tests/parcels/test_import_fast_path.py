"""The import's faster paths give the results of the slower ones: a ledger imported by
ledger_import holds exactly what django-import-export's own import of the same file through
the same resource writes, and the numeric date spelling read without strptime gives strptime's
date or its error."""

from datetime import datetime

import pytest

from parcels.ledger import FIELD_NAMES, ledger_import
from parcels.models import Parcel
from parcels.resources import _DATE_FORMATS, CellError, LedgerDateWidget, ParcelResource

from .conftest import ledger_row

pytestmark = pytest.mark.django_db

ROWS = [
    ledger_row(**{"地块编号": "HD-1"}),
    ledger_row(**{"地块编号": "HD-2", "面积": "25000", "面积单位": "平方米", "状态": "已供应",
                  "供应日期": "2024/6/30", "成交价（元）": "12,000,000.50", "轨道站点周边": "是"}),
    ledger_row(**{"地块编号": "HD-3", "面积": "30", "面积单位": "亩", "状态": "已供应",
                  "供应日期": "2024-01-05", "计划季度": "Q1"}),
    ledger_row(**{"地块编号": "HD-4", "状态": "已供应", "供应日期": "2024年12月31日",
                  "存量/新增": "存量", "供应方式": "先租后让"}),
    ledger_row(**{"地块编号": "HD-5", "状态": "已供应", "供应日期": "2024.2.29", "面积": "0.0001"}),
]  # fmt: skip


def stored():
    return {row[1]: row for row in Parcel.objects.values_list(*FIELD_NAMES)}  # by code


def test_ledger_import_stores_what_the_library_import_stores(beijing, write_ledger):
    import tablib

    path = write_ledger(ROWS)
    user = beijing["city_user"]
    check = ledger_import(path=path, user=user)
    assert check.ok and len(check.new) == len(ROWS)
    ours = stored()
    Parcel.objects.all().delete()

    dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    resource = ParcelResource(districts=beijing["haidian"].jurisdiction.districts.all())
    result = resource.import_data(dataset, dry_run=False, user=user)
    assert not result.has_errors() and not result.has_validation_errors()

    assert stored() == ours
    assert len(ours) == len(ROWS)


@pytest.mark.parametrize(
    "text",
    ["2024-06-30", "2024/6/30", "2024.2.29", "2023.2.29", "2024-13-01", "2024/0/10",
     "2024-6/30", "0999-01-01", "2024-06-30 ", "2024/06/031", "12024-01-01", "2024年6月30日"],
)  # fmt: skip
def test_numeric_dates_read_as_strptime_reads_them(text, settings):
    def slow(value):
        for fmt in _DATE_FORMATS:
            try:
                day = datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007
            except ValueError:
                continue
            return LedgerDateWidget.in_range(day)
        raise CellError("unreadable")

    def outcome(fn):
        try:
            return fn(text)
        except CellError as exc:
            return type(exc)

    assert outcome(LedgerDateWidget().clean) == outcome(slow)
