"""Map, map data, boundary import page and parcel page: who sees what (scope_to_user), filters
shared with the parcel list, R24 only for the public."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boundaries.models import BoundaryImport, ParcelBoundary
from boundaries.services import boundary_import
from parcels.models import Parcel, SupplyMethod
from tests.boundaries.conftest import coordinate_text, square
from tests.factories import (
    CityUserFactory,
    DistrictFactory,
    DistrictUserFactory,
    EnterpriseUserFactory,
    ParcelFactory,
)

pytestmark = pytest.mark.django_db

X0, Y0 = 4_400_000.0, 39_500_000.0
BOX = "116.9,39.6,117.2,39.9"


@pytest.fixture
def mapped(district):
    """A1 (planned) and A2 (supplied) in `district` with boundaries, B1 in a neighbouring
    district of the same city with a boundary 20 m east of A2."""
    Parcel.objects.filter(code="A2").update(status="supplied", supplied_on="2024-05-01")
    text = coordinate_text(
        [
            {"code": "A1", "rings": [square(X0, Y0)]},
            {"code": "A2", "rings": [square(X0, Y0 + 300)]},
        ]
    )
    assert boundary_import(district=district, data=text.encode(), source_name="f").ok
    other = DistrictFactory(code="otherdist", name="邻区", jurisdiction=district.jurisdiction)
    ParcelFactory(district=other, code="B1", area_ha=Decimal("1.0000"))
    text = coordinate_text([{"code": "B1", "rings": [square(X0, Y0 + 420)]}])
    assert boundary_import(district=other, data=text.encode(), source_name="f").ok
    return {"district": district, "other": other}


def codes(response):
    return sorted(f["properties"]["code"] for f in response.json()["features"])


def test_district_staff_see_their_district_city_staff_the_jurisdiction(client, mapped):
    client.force_login(DistrictUserFactory(district=mapped["district"]))
    assert codes(client.get(f"/map/parcels.json?bbox={BOX}&zoom=15")) == ["A1", "A2"]

    client.force_login(CityUserFactory(jurisdiction=mapped["district"].jurisdiction))
    assert codes(client.get(f"/map/parcels.json?bbox={BOX}&zoom=15")) == ["A1", "A2", "B1"]


def test_another_citys_staff_see_nothing(client, mapped):
    client.force_login(CityUserFactory())  # a jurisdiction of its own

    assert client.get(f"/map/parcels.json?bbox={BOX}&zoom=15").json()["total"] == 0


def test_enterprises_and_visitors_may_not_use_the_staff_map(client, mapped):
    assert client.get("/map/").status_code == 302  # to the login page
    client.force_login(EnterpriseUserFactory())
    assert client.get("/map/").status_code == 403
    assert client.get(f"/map/parcels.json?bbox={BOX}&zoom=15").status_code == 403


def test_filters_are_the_parcel_lists(client, mapped):
    client.force_login(CityUserFactory(jurisdiction=mapped["district"].jurisdiction))

    response = client.get(f"/map/parcels.json?bbox={BOX}&zoom=15&status=supplied")
    assert codes(response) == ["A2"]
    response = client.get(f"/map/parcels.json?bbox={BOX}&zoom=15&status=planned")
    assert codes(response) == ["A1", "B1"]
    response = client.get(f"/map/parcels.json?bbox={BOX}&zoom=15&q=B1")
    assert codes(response) == ["B1"]


def test_the_viewport_box_bounds_the_parcels(client, mapped):
    client.force_login(CityUserFactory(jurisdiction=mapped["district"].jurisdiction))
    # A1 spans 117.0000–117.0012° E; A2 starts at about 117.0035° E.
    assert codes(client.get("/map/parcels.json?bbox=116.99,39.7,117.002,39.8&zoom=15")) == ["A1"]
    assert codes(client.get("/map/parcels.json?bbox=116.9,39.7,116.999,39.8&zoom=15")) == []


@pytest.mark.parametrize("bbox", ["", "1,2,3", "a,b,c,d", "10,0,5,1", "0,0,200,1", "nan,0,1,1"])
def test_a_bad_bbox_is_a_400_not_a_500(client, mapped, bbox):
    client.force_login(CityUserFactory(jurisdiction=mapped["district"].jurisdiction))

    response = client.get(f"/map/parcels.json?bbox={bbox}&zoom=x")

    assert response.status_code == 400 and "bbox" in response.json()["error"]


def test_low_zoom_or_many_parcels_give_grid_clusters(client, mapped, monkeypatch):
    client.force_login(CityUserFactory(jurisdiction=mapped["district"].jurisdiction))

    data = client.get(f"/map/parcels.json?bbox={BOX}&zoom=8").json()
    assert data["mode"] == "clusters" and data["total"] == 3
    assert sum(c["count"] for c in data["clusters"]) == 3

    monkeypatch.setattr("boundaries.maps.MAX_FEATURES", 2)
    assert client.get(f"/map/parcels.json?bbox={BOX}&zoom=15").json()["mode"] == "clusters"
    monkeypatch.setattr("boundaries.maps.MAX_FEATURES", 3)
    assert client.get(f"/map/parcels.json?bbox={BOX}&zoom=15").json()["mode"] == "parcels"


def test_map_data_queries_do_not_grow_with_the_parcels(client, mapped):
    client.force_login(CityUserFactory(jurisdiction=mapped["district"].jurisdiction))
    url = f"/map/parcels.json?bbox={BOX}&zoom=15"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(5):
        ParcelFactory(district=mapped["district"], code=f"N{i}")
    text = coordinate_text(
        [{"code": f"N{i}", "rings": [square(X0 + 300, Y0 + 200 * i)]} for i in range(5)]
    )
    Parcel.objects.filter(code__startswith="N").update(area_ha=Decimal("1.0000"))
    assert boundary_import(district=mapped["district"], data=text.encode(), source_name="f").ok
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).json()["total"] == 8

    assert len(more) == len(few)


def test_public_map_shows_the_r24_parcels_only(client, mapped):
    Parcel.objects.filter(code="A1").update(supply_method=SupplyMethod.LEASE_THEN_TRANSFER)

    data = client.get(f"/map/public/parcels.json?bbox={BOX}&zoom=15").json()

    assert codes_of(data) == ["A1"]
    assert data["features"][0]["properties"]["url"] == ""  # no staff page for the public
    assert client.get("/map/public/").status_code == 200


def codes_of(data):
    return sorted(f["properties"]["code"] for f in data["features"])


def test_layers_of_the_users_jurisdiction(client, mapped, reference_data):
    from boundaries.seed import seed_district_outlines

    seed_district_outlines()  # Beijing's and Zhengzhou's, not this test city's
    client.force_login(DistrictUserFactory(district=mapped["district"]))

    layers = client.get("/map/layers.json").json()

    assert layers["district"]["features"] == []
    client.force_login(CityUserFactory(jurisdiction=reference_data["jurisdictions"]["beijing"]))
    names = {
        f["properties"]["name"]
        for f in client.get("/map/layers.json").json()["district"]["features"]
    }
    assert "海淀区" in names and "金水区" not in names


def test_parcel_page_shows_boundary_area_and_neighbours_the_user_may_see(client, mapped):
    a2 = Parcel.objects.get(code="A2")
    client.force_login(CityUserFactory(jurisdiction=mapped["district"].jurisdiction))

    page = client.get(f"/parcels/{a2.pk}/").content.decode()

    assert "1.0000 公顷" in page and "EPSG:4548" in page
    assert "B1" in page and "20.0" in page  # the neighbour 20 m away, in the other district
    client.force_login(DistrictUserFactory(district=mapped["district"]))
    page = client.get(f"/parcels/{a2.pk}/").content.decode()
    assert "B1" not in page  # not the district's to see
    assert "100 米内没有其他已有界址的地块" in page


def test_parcel_page_without_boundary_says_so(client, district):
    parcel = Parcel.objects.get(code="A1")
    client.force_login(DistrictUserFactory(district=district))

    page = client.get(f"/parcels/{parcel.pk}/").content.decode()

    assert "该地块尚无界址" in page and "/map/import/" in page


# --- the import page ---------------------------------------------------------------------


def upload(client, text, name="a.txt"):
    return client.post("/map/import/", {"file": SimpleUploadedFile(name, text.encode("gbk"))})


def test_district_staff_preview_then_confirm(client, district):
    client.force_login(DistrictUserFactory(district=district))

    response = upload(client, coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}]))

    imp = BoundaryImport.objects.get()
    assert response.url == f"/map/import/{imp.pk}/"
    assert imp.status == "ready" and not ParcelBoundary.objects.exists()
    page = client.get(response.url).content.decode()
    assert "1.0000" in page and "确认导入 1 块地块的界址" in page
    client.post(f"/map/import/{imp.pk}/confirm/")
    imp.refresh_from_db()
    assert imp.status == "done"
    assert ParcelBoundary.objects.get().area_ha == Decimal("1.0000")
    # Confirming twice does nothing more.
    client.post(f"/map/import/{imp.pk}/confirm/")
    assert ParcelBoundary.objects.count() == 1


def test_refusals_are_listed_and_cannot_be_confirmed(client, district):
    client.force_login(DistrictUserFactory(district=district))
    upload(client, coordinate_text([{"code": "ZZ", "rings": [square(X0, Y0)]}]))
    imp = BoundaryImport.objects.get()

    assert imp.status == "invalid"
    page = client.get(f"/map/import/{imp.pk}/").content.decode()
    assert "没有编号为 ZZ 的地块" in page and "确认导入" not in page
    client.post(f"/map/import/{imp.pk}/confirm/")
    assert not ParcelBoundary.objects.exists()


def test_a_change_since_the_preview_is_caught_at_confirm(client, district):
    client.force_login(DistrictUserFactory(district=district))
    upload(client, coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}]))
    imp = BoundaryImport.objects.get()
    # Meanwhile A2 gets a boundary over the same ground.
    text = coordinate_text([{"code": "A2", "rings": [square(X0 + 50, Y0)]}])
    assert boundary_import(district=district, data=text.encode(), source_name="other").ok

    client.post(f"/map/import/{imp.pk}/confirm/")

    imp.refresh_from_db()
    assert imp.status == "invalid" and "A2" in imp.report["errors"][0]["message"]
    assert not ParcelBoundary.objects.filter(parcel__code="A1").exists()


def test_a_hostile_file_is_refused_on_the_form(client, district, boundary_limits):
    boundary_limits(max_bytes=100)
    client.force_login(DistrictUserFactory(district=district))

    response = upload(client, coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}]))

    assert response.status_code == 200
    assert "文件「a.txt」大小为" in response.text and "超过上限 100 字节" in response.text
    assert not BoundaryImport.objects.exists()


def test_the_stored_file_is_checked_again_at_confirm(client, district, boundary_limits):
    client.force_login(DistrictUserFactory(district=district))
    upload(client, coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}]))
    imp = BoundaryImport.objects.get()
    boundary_limits(max_bytes=100)  # e.g. the stored file was replaced by a larger one

    response = client.post(f"/map/import/{imp.pk}/confirm/", follow=True)

    assert "文件「a.txt」大小为" in response.text and "超过上限 100 字节" in response.text
    imp.refresh_from_db()
    assert imp.status == "ready" and not ParcelBoundary.objects.exists()


def test_only_district_staff_import_and_only_their_own_uploads(client, district):
    owner = DistrictUserFactory(district=district)
    client.force_login(owner)
    upload(client, coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}]))
    imp = BoundaryImport.objects.get()

    client.force_login(CityUserFactory(jurisdiction=district.jurisdiction))
    assert client.get("/map/import/").status_code == 403
    client.force_login(DistrictUserFactory(district=district))  # a colleague
    assert client.get(f"/map/import/{imp.pk}/").status_code == 404
    assert client.post(f"/map/import/{imp.pk}/confirm/").status_code == 404
    assert not ParcelBoundary.objects.exists()
