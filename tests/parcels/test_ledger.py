"""The ledger import pipeline (parcels.ledger): reading, checking, all-or-nothing writing."""

import datetime
from decimal import Decimal

import pytest

from parcels.ledger import ledger_check, ledger_import
from parcels.models import Parcel
from tests.factories import ParcelFactory
from tests.parcels.conftest import ledger_row

pytestmark = pytest.mark.django_db


def errors_by_cell(check):
    return {(e["row"], e["column"]): e["message"] for e in check.errors}


def test_xlsx_import_converts_units_and_dates_and_keeps_history(beijing, write_ledger):
    user = beijing["haidian_user"]
    path = write_ledger(
        [
            ledger_row(地块编号="HD-001", 面积="2.5", 面积单位="公顷"),
            ledger_row(
                地块编号="HD-002",
                面积="25000",
                面积单位="平方米",
                状态="已供应",
                供应日期="2024/6/30",
                **{"成交价（元）": "12,345,678.50"},
            ),
            ledger_row(
                地块编号="HD-003", 面积="30", 面积单位="亩", 状态="已供应", 供应日期="2024年7月1日"
            ),
            ledger_row(
                地块编号="HD-004", 面积="1", 面积单位="ha", 状态="已供应", 供应日期="2024-08-15"
            ),
        ]
    )

    check = ledger_import(path=path, user=user, change_reason="导入测试")

    assert check.errors == []
    parcels = {p.code: p for p in Parcel.objects.all()}
    assert parcels["HD-001"].area_ha == Decimal("2.5000")
    assert parcels["HD-002"].area_ha == Decimal("2.5000")
    assert parcels["HD-003"].area_ha == Decimal("2.0000")
    assert parcels["HD-002"].supplied_on == datetime.date(2024, 6, 30)
    assert parcels["HD-002"].transaction_price == Decimal("12345678.50")
    assert parcels["HD-003"].supplied_on == datetime.date(2024, 7, 1)
    assert parcels["HD-004"].supplied_on == datetime.date(2024, 8, 15)
    first = parcels["HD-001"]
    assert first.district == beijing["haidian"]
    assert first.ring_id == beijing["haidian"].default_ring_id  # the district's default ring
    assert first.category.name == "工业用地"
    assert first.in_key_function_area is True and first.key_function_area_name == "中关村科学城"
    record = first.history.get()
    assert record.history_type == "+"
    assert record.history_user == user
    assert record.history_change_reason == "导入测试"
    assert record.area_ha == Decimal("2.5000")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_chinese_excel_writes(beijing, write_ledger, encoding):
    path = write_ledger([ledger_row(地块名称="五道口商服地块", 坐落="成府路")], ".csv", encoding)

    check = ledger_import(path=path, user=beijing["haidian_user"])

    assert check.errors == []
    parcel = Parcel.objects.get()
    assert parcel.name == "五道口商服地块"
    assert parcel.location == "成府路"


def test_every_error_is_named_by_row_and_column_and_nothing_is_written(beijing, write_ledger):
    path = write_ledger(
        [
            ledger_row(地块编号="OK-1"),
            ledger_row(地块编号="E-3", 区="火星区"),
            ledger_row(地块编号="E-4", 面积="-3"),
            ledger_row(地块编号="E-5", 用地类型="月球用地"),
            ledger_row(地块编号="OK-1"),
            ledger_row(地块编号="E-7", 状态="已供应", 供应日期="六月底"),
            ledger_row(地块编号="E-8", 面积单位="平方"),
            ledger_row(地块编号="E-9", 面积单位=""),
            ledger_row(地块编号="E-10", 计划季度="5", 地块名称=""),
            ledger_row(地块编号="E-11", 状态="已供应", 供应日期=""),
        ]
    )

    check = ledger_import(path=path, user=beijing["city_user"])

    errors = errors_by_cell(check)
    assert errors == {
        (3, "区"): "未知的区「火星区」",
        (4, "面积"): "面积不能为负数（-3）",
        (5, "用地类型"): "未知的用地类型「月球用地」",
        (6, "地块编号"): "地块编号「OK-1」在文件中重复（第 2 行已有，海淀区）",
        (7, "供应日期"): "日期无法识别「六月底」（可写 2024-06-30、2024/6/30 或 2024年6月30日）",
        (8, "面积单位"): "面积单位不明确「平方」（可填：公顷、平方米、亩）",
        (9, "面积单位"): "面积单位为空，无法确定面积（可填：公顷、平方米、亩）",
        (10, "计划季度"): "计划季度应为 1–4（或 Q1–Q4、第一季度…），此处为「5」",
        (10, "地块名称"): "此项必填，不能为空",
        (11, "供应日期"): "状态为已供应时必须填写供应日期",
    }
    assert Parcel.objects.count() == 0
    assert Parcel.history.count() == 0


def test_missing_required_column_is_reported_on_the_header_row(beijing, write_ledger):
    headers = [h for h in ledger_row() if h != "用地类型"]
    path = write_ledger([ledger_row()], headers=headers)

    check = ledger_check(path=path, user=beijing["haidian_user"])

    assert errors_by_cell(check) == {(1, "用地类型"): "缺少必需的列「用地类型」"}


def test_district_user_cannot_overwrite_another_districts_parcel(beijing, write_ledger):
    theirs = ParcelFactory(
        district=beijing["daxing"], code="DX-001", name="大兴原地块", area_ha=Decimal("5")
    )
    path = write_ledger(
        [
            ledger_row(地块编号="HD-001"),
            ledger_row(地块编号="DX-001", 区="大兴区", 地块名称="被改写", 面积="99"),
            ledger_row(地块编号="DX-002", 区="daxing"),
        ]
    )

    check = ledger_import(path=path, user=beijing["haidian_user"])

    assert sorted(errors_by_cell(check)) == [(3, "区"), (4, "区")]
    assert "无权导入「大兴区」的地块" in check.errors[0]["message"]
    theirs.refresh_from_db()
    assert (theirs.name, theirs.area_ha) == ("大兴原地块", Decimal("5.0000"))
    assert not Parcel.objects.filter(code="HD-001").exists()  # all or nothing


def test_district_user_rows_without_district_go_to_their_district(beijing, write_ledger):
    path = write_ledger([ledger_row(区="")])

    ledger_import(path=path, user=beijing["daxing_user"])

    assert Parcel.objects.get().district == beijing["daxing"]


def test_city_staff_import_any_district_of_their_jurisdiction_only(beijing, write_ledger):
    path = write_ledger(
        [
            ledger_row(地块编号="A", 区="海淀区"),
            ledger_row(地块编号="B", 区="大兴区"),
            ledger_row(地块编号="C", 区="金水区"),
        ]
    )

    check = ledger_import(path=path, user=beijing["city_user"])

    assert [(e["row"], e["column"]) for e in check.errors] == [(4, "区")]  # Zhengzhou's 金水区
    fixed = write_ledger(
        [ledger_row(地块编号="A", 区="海淀区"), ledger_row(地块编号="B", 区="大兴区")]
    )
    assert ledger_import(path=fixed, user=beijing["city_user"]).ok
    assert set(Parcel.objects.values_list("district__code", flat=True)) == {"haidian", "daxing"}


def test_city_staff_limited_to_one_district_cannot_touch_another(beijing, write_ledger):
    path = write_ledger([ledger_row(区="大兴区")])

    check = ledger_check(path=path, user=beijing["city_user"], district=beijing["haidian"])

    assert check.errors[0]["column"] == "区"
    assert "只限「海淀区」" in check.errors[0]["message"] or "无权" in check.errors[0]["message"]


def test_rows_are_matched_by_district_and_code_into_new_changed_unchanged(beijing, write_ledger):
    haidian = beijing["haidian"]
    industrial = beijing["categories"]["industrial"]
    same = ParcelFactory(
        district=haidian,
        code="HD-SAME",
        name="不变",
        category=industrial,
        area_ha=Decimal("2.5"),
        location="中关村大街1号",
        in_key_function_area=True,
        key_function_area_name="中关村科学城",
    )
    changed = ParcelFactory(
        district=haidian, code="HD-CHG", name="旧名", category=industrial, area_ha=Decimal("1")
    )
    # Same code in another district is another parcel: never matched.
    ParcelFactory(district=beijing["daxing"], code="HD-NEW", area_ha=Decimal("7"))
    path = write_ledger(
        [
            ledger_row(地块编号="HD-SAME", 地块名称="不变"),
            ledger_row(地块编号="HD-CHG", 地块名称="新名"),
            ledger_row(地块编号="HD-NEW"),
        ]
    )

    check = ledger_import(path=path, user=beijing["haidian_user"], change_reason="年中更新")

    assert [n for n, _v in check.new] == [4]
    assert [(n, pk) for n, pk, _v, _o in check.changed] == [(3, changed.pk)]
    assert [n for n, _v in check.unchanged] == [2]
    changed.refresh_from_db()
    assert changed.name == "新名" and changed.area_ha == Decimal("2.5000")
    latest = changed.history.first()
    assert (latest.history_type, latest.history_change_reason) == ("~", "年中更新")
    assert same.history.count() == 1  # untouched: only the factory's creation record
    assert Parcel.objects.filter(code="HD-NEW").count() == 2


def test_all_or_nothing_with_one_bad_row_in_two_thousand(beijing, write_ledger):
    rows = [ledger_row(地块编号=f"HD-{i:05d}") for i in range(2000)]
    rows[1499] = ledger_row(地块编号="HD-01499", 面积="abc")
    bad = write_ledger(rows)

    check = ledger_import(path=bad, user=beijing["haidian_user"])

    assert check.errors == [{"row": 1501, "column": "面积", "message": "面积不是数字「abc」"}]
    assert Parcel.objects.count() == 0

    rows[1499] = ledger_row(地块编号="HD-01499")
    seen = []
    check = ledger_import(
        path=write_ledger(rows),
        user=beijing["haidian_user"],
        progress=lambda phase, done, total: seen.append((phase, done, total)),
    )
    assert check.ok and Parcel.objects.count() == 2000
    assert Parcel.history.count() == 2000
    assert ("校验", 2000, 2000) in seen and ("写入", 2000, 2000) in seen
    assert [done for phase, done, _t in seen if phase == "写入"] == sorted(
        done for phase, done, _t in seen if phase == "写入"
    )


def test_header_variants_and_implied_unit(beijing, write_ledger):
    row = ledger_row(面积="3")
    row["面积（亩）"] = row.pop("面积")
    row.pop("面积单位")
    row["宗地编号"] = row.pop("地块编号")
    path = write_ledger([row], ".csv", headers=list(row))

    check = ledger_import(path=path, user=beijing["haidian_user"])

    assert check.ok, check.errors
    assert Parcel.objects.get().area_ha == Decimal("0.2000")
