"""The import's faster paths give the results of the slower ones: a ledger imported by
ledger_import holds exactly what django-import-export's own import of the same file through
the same resource writes, the numeric date spelling read without strptime gives strptime's
date or its error, and a cell value cleaned once per file gives in every row what that row
checked alone gives."""

from datetime import date, datetime

import pytest

from parcels.ledger import FIELD_NAMES, ledger_check, ledger_import
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


# Cells repeated down a file, typed as a spreadsheet keeps them (text, whole and fractional
# numbers, booleans, dates): equal values of different types must not share a result.
REPEATED = [
    {"区": "海淀区", "计划年度": 2024, "计划季度": "Q2", "重点功能区": True},
    {"区": "火星区", "计划年度": "2024", "计划季度": 2, "重点功能区": "是", "成交价（元）": 100},
    {"区": "大兴区", "计划年度": 2024.5, "计划季度": 2.0, "重点功能区": 1, "状态": "已供应",
     "供应日期": date(2024, 6, 30)},
    {"区": "haidian", "计划年度": 2024.0, "计划季度": 1, "重点功能区": 1.0, "状态": "已供应",
     "供应日期": datetime(2024, 6, 30, 12, 0), "成交价（元）": "1,000.5"},
    {"区": "火星区", "计划年度": "1999", "计划季度": "5", "重点功能区": "maybe", "状态": "已供应"},
    {"区": "daxing", "计划年度": True, "计划季度": True, "重点功能区": 0, "成交价（元）": -5},
    {"区": "", "计划年度": "", "计划季度": "第三季度", "重点功能区": "", "供应日期": "2024/2/30"},
]  # fmt: skip


@pytest.mark.parametrize("who", ["city_user", "haidian_user"])
def test_a_value_cleaned_once_per_file_gives_what_each_row_alone_gives(who, beijing, write_ledger):
    rows = [
        ledger_row(**{"地块编号": f"HD-{n}", **REPEATED[n % len(REPEATED)]})
        for n in range(3 * len(REPEATED))
    ]
    user = beijing[who]
    alone = [ledger_check(path=write_ledger([row]), user=user) for row in rows]
    expected = [{**e, "row": e["row"] + n} for n, one in enumerate(alone) for e in one.errors]

    whole = ledger_check(path=write_ledger(rows), user=user)
    assert whole.errors == expected
    assert {e["row"] for e in expected} != {n + 2 for n in range(len(rows))}  # some rows pass

    passing = [row for row, one in zip(rows, alone, strict=True) if one.ok]
    whole = ledger_check(path=write_ledger(passing), user=user)
    assert whole.ok
    assert [values for _n, values in whole.rows] == [
        values for one in alone if one.ok for _n, values in one.rows
    ]
