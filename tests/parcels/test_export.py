"""The parcel list as .xlsx: Chinese headers, the list page's filters, the user's scope."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from parcels.ledger import ledger_check
from parcels.resources import HEADERS
from tests.factories import ParcelFactory, SuppliedParcelFactory

pytestmark = pytest.mark.django_db


def read_xlsx(content):
    return CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()


def test_export_follows_filters_and_district_scope(client, beijing):
    industrial = beijing["categories"]["industrial"]
    ParcelFactory(district=beijing["haidian"], code="HD-PLAN", category=industrial)
    SuppliedParcelFactory(
        district=beijing["haidian"], code="HD-DONE", category=industrial, area_ha=Decimal("1.2345")
    )
    SuppliedParcelFactory(district=beijing["daxing"], code="DX-DONE", category=industrial)
    client.force_login(beijing["haidian_user"])

    response = client.get(reverse("parcels:export"), {"status": "supplied"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(response.getvalue())
    assert rows[0] == HEADERS
    assert [r[0] for r in rows[1:]] == ["HD-DONE"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["区"], row["用地类型"], row["面积"], row["面积单位"]) == (
        "海淀区",
        "工业用地",
        1.2345,
        "公顷",
    )
    assert (row["状态"], row["供应日期"]) == ("已供应", "2024-05-20")


def test_an_exported_ledger_imports_back_unchanged(client, beijing, tmp_path):
    industrial = beijing["categories"]["industrial"]
    ParcelFactory(
        district=beijing["haidian"],
        code="HD-1",
        category=industrial,
        in_key_function_area=True,
        key_function_area_name="中关村",
    )
    SuppliedParcelFactory(district=beijing["haidian"], code="HD-2", category=industrial)
    client.force_login(beijing["haidian_user"])
    path = tmp_path / "export.xlsx"
    path.write_bytes(client.get(reverse("parcels:export")).getvalue())

    check = ledger_check(path=path, user=beijing["haidian_user"])

    assert check.errors == []
    assert (len(check.new), len(check.changed), len(check.unchanged)) == (0, 0, 2)


def test_parcel_list_links_to_import_and_filtered_export(client, beijing):
    client.force_login(beijing["haidian_user"])
    page = client.get(reverse("parcels:list"), {"status": "planned"}).text
    assert reverse("parcels:import_start") in page
    assert reverse("parcels:export") + "?status=planned" in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_streamed_rows_are_the_resources_own_export(beijing, language):
    """parcels.exports renders plain column values with the resource's widgets, chosen once per
    column (foreign keys and choices looked up, text and numbers as they are) instead of
    building a model per row: the rows must be exactly ParcelResource.export()'s, in either
    language, for parcels covering every kind of value (None, choices, booleans, foreign keys,
    Decimal areas and prices, dates, formula-like text)."""
    from django.http import QueryDict
    from django.utils import translation

    from parcels.exports import parcel_export
    from parcels.resources import ParcelResource
    from parcels.selectors import district_list_for_user, parcel_list

    categories = list(beijing["categories"].values())
    ParcelFactory(
        district=beijing["haidian"], code="HD-1", category=categories[0], in_key_function_area=True,
        key_function_area_name="中关村", supply_method="lease_then_transfer", land_source="stock",
    )  # fmt: skip
    SuppliedParcelFactory(
        district=beijing["daxing"], code="DX-1", category=categories[0], area_ha=Decimal("0.0001"),
        transaction_price=Decimal("12000000.50"), contract_number="HT-1", awardee="=cmd",
    )  # fmt: skip
    ParcelFactory(
        district=beijing["haidian"], code="HD-2", category=categories[1], status="withdrawn",
        near_rail=True, supply_method="tender", area_ha=Decimal("12345678.1234"),
        location="+某某路", plan_year=2025, planned_quarter=4,
    )  # fmt: skip
    SuppliedParcelFactory(
        district=beijing["daxing"], code="DX-2", category=categories[-1], supplied_on=date(2025, 1, 2),
        transaction_price=Decimal("0.00"), supply_method="allocation", awardee="",
    )  # fmt: skip
    user = beijing["city_user"]

    with translation.override(language):
        export = parcel_export(user=user, query=QueryDict(""))
        rows = [list(r) for r in export.rows]
        districts = district_list_for_user(user=user)
        dataset = ParcelResource(districts=districts).export(queryset=parcel_list(user=user))

    assert list(export.headers) == list(dataset.headers)
    assert rows == [list(r) for r in dataset]
    assert export.total == 4
    values = {type(value) for row in rows for value in row}
    assert values == {str, int, Decimal, type(None)}  # None: the planned parcels' prices
