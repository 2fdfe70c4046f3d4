"""Geometry that answers questions (R4): near a rail station, in a key function area, next to
the hand-entered flags; reference layers loaded from a file."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from shapely.geometry import Point, box

from boundaries import rules
from boundaries.models import MapLayerFeature, ParcelBoundary, SpatialRuleSet
from boundaries.services import boundary_import, map_layer_load
from tests.boundaries.conftest import coordinate_text, square

pytestmark = pytest.mark.django_db

ZONE = rules.Zone(3, 39)
X0, Y0 = 4_400_000.0, 39_500_000.0  # the parcel: easting 500 000–500 100, northing X0–X0+100


def lonlat(x, y):
    """Return the CGCS2000 longitude/latitude of plane point (easting x, northing y), zone 39."""
    return rules.transform(Point(x, y), ZONE.epsg_plane, rules.CGCS2000)


def import_a1(district):
    text = coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}]).encode()
    report = boundary_import(district=district, data=text, source_name="f")
    assert report.ok, report.errors
    return ParcelBoundary.objects.get(parcel__code="A1")


@pytest.mark.parametrize(("gap_m", "near"), [(499.0, True), (501.0, False)])
def test_near_a_rail_station_within_the_jurisdictions_distance(district, gap_m, near):
    SpatialRuleSet.objects.create(jurisdiction=district.jurisdiction, rail_station_distance_m=500)
    # A station gap_m east of the parcel's east edge.
    map_layer_load(
        jurisdiction=district.jurisdiction,
        kind="rail_station",
        features=[("测试站", lonlat(500_100 + gap_m, X0 + 50))],
        source="test",
    )

    boundary = import_a1(district)

    assert boundary.computed_near_rail is near
    assert boundary.station_distance_m == pytest.approx(gap_m, abs=0.1)


@pytest.mark.parametrize(("inside_m", "inside"), [(51, True), (49, False)])
def test_in_a_key_function_area_when_at_least_its_share_lies_inside(district, inside_m, inside):
    SpatialRuleSet.objects.create(
        jurisdiction=district.jurisdiction, key_function_area_min_share=Decimal("0.50")
    )
    area = rules.transform(
        box(500_100 - inside_m, X0 - 1000, 502_000, X0 + 1000), ZONE.epsg_plane, rules.CGCS2000
    )
    map_layer_load(
        jurisdiction=district.jurisdiction,
        kind="key_function_area",
        features=[("测试功能区", area)],
        source="test",
    )

    boundary = import_a1(district)

    assert boundary.computed_in_key_function_area is inside
    assert boundary.computed_key_function_area_name == ("测试功能区" if inside else "")


def test_without_layers_the_answers_are_unknown(district):
    boundary = import_a1(district)

    assert boundary.computed_near_rail is None and boundary.computed_in_key_function_area is None


def test_loading_a_layer_recomputes_the_stored_answers(district):
    boundary = import_a1(district)
    assert boundary.computed_near_rail is None

    map_layer_load(
        jurisdiction=district.jurisdiction,
        kind="rail_station",
        features=[("站", lonlat(500_050, X0 + 50))],
        source="test",
    )

    boundary.refresh_from_db()
    assert boundary.computed_near_rail is True and boundary.station_distance_m == 0


def test_parcel_page_flags_a_disagreement_with_the_hand_entered_flag(client, district):
    from tests.factories import CityUserFactory

    map_layer_load(
        jurisdiction=district.jurisdiction,
        kind="rail_station",
        features=[("站", lonlat(500_050, X0 + 50))],
        source="test",
    )
    boundary = import_a1(district)  # near a station by geometry; the ledger says no
    client.force_login(CityUserFactory(jurisdiction=district.jurisdiction))

    page = client.get(f"/parcels/{boundary.parcel_id}/").content.decode()

    assert "不一致" in page and "距最近站点 0 米" in page
    feature = client.get("/map/parcels.json?bbox=116.9,39.6,117.2,39.9&zoom=15").json()
    assert feature["features"][0]["properties"]["disagree"] == ["轨道站点周边"]


def test_load_map_layers_command_reads_points_and_polygons(district, write_file, capsys):
    station = lonlat(500_050, X0 + 50)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "某站"},
                "geometry": {"type": "Point", "coordinates": [station.x, station.y]},
            },
            {
                "type": "Feature",
                "properties": {"name": "某功能区"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[116.9, 39.6], [117.1, 39.6], [117.1, 39.8], [116.9, 39.8], [116.9, 39.6]]
                    ],
                },
            },
        ],
    }
    path = write_file("layers.geojson", json.dumps(collection, ensure_ascii=False))
    boundary = import_a1(district)

    call_command("load_map_layers", str(path), "--jurisdiction", "testcity", "--source", "测试")

    assert MapLayerFeature.objects.filter(kind="rail_station").get().name == "某站"
    boundary.refresh_from_db()
    assert boundary.computed_near_rail and boundary.computed_in_key_function_area
    assert boundary.computed_key_function_area_name == "某功能区"


def test_load_map_layers_refuses_an_unreadable_file(district, write_file):
    with pytest.raises(CommandError) as info:
        call_command(
            "load_map_layers",
            str(write_file("x.geojson", "{not json")),
            "--jurisdiction",
            "testcity",
            "--source",
            "x",
        )

    assert info.value.returncode == 2
    assert not MapLayerFeature.objects.exists()


def test_demo_boundaries_lie_in_their_districts_and_do_not_overlap(reference_data):
    from boundaries.demo import seed_demo_boundaries
    from boundaries.models import DistrictOutline
    from boundaries.seed import seed_district_outlines
    from landsupply.seed import seed_demo_users
    from parcels.demo import seed_demo_parcels

    seed_district_outlines()
    seed_demo_users()
    seed_demo_parcels()

    created = seed_demo_boundaries()

    assert created == ParcelBoundary.objects.count() > 100
    assert seed_demo_boundaries() == 0  # idempotent
    outlines = {o.district_id: o.shape for o in DistrictOutline.objects.all()}
    shapes = []
    for boundary in ParcelBoundary.objects.select_related("parcel"):
        assert boundary.area_ha == boundary.parcel.area_ha
        outline = outlines.get(boundary.parcel.district_id)
        if outline is not None:
            assert outline.contains(boundary.shape), boundary.parcel.code
        shapes.append(boundary.shape)
    from shapely.strtree import STRtree

    tree = STRtree(shapes)
    for i, shape in enumerate(shapes):
        assert [j for j in tree.query(shape, predicate="overlaps") if j != i] == []
