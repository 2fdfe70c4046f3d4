"""boundaries.rules: zones, transforms, area, validity, overlaps, distances."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from boundaries import rules
from boundaries.rules import GeometryError, Zone


@pytest.mark.parametrize(
    ("width", "number", "prefixed", "plane", "cm"),
    [
        (3, 25, 4513, 4534, 75),
        (3, 39, 4527, 4548, 117),
        (3, 45, 4533, 4554, 135),
        (6, 13, 4491, 4502, 75),
        (6, 20, 4498, 4509, 117),
        (6, 23, 4501, 4512, 135),
    ],
)
def test_zone_epsg_codes_and_central_meridians(width, number, prefixed, plane, cm):
    zone = rules.zone(number, width)

    assert (zone.epsg_prefixed, zone.epsg_plane, zone.central_meridian) == (prefixed, plane, cm)
    assert rules.zone_of_epsg(prefixed) == zone == rules.zone_of_epsg(plane)


@pytest.mark.parametrize(("width", "number"), [(3, 24), (3, 46), (6, 12), (6, 24), (4, 30)])
def test_zones_outside_china_are_refused(width, number):
    with pytest.raises(GeometryError):
        rules.zone(number, width)


def test_epsg_codes_next_to_the_gauss_krueger_range_are_not_zones():
    assert rules.zone_of_epsg(4490) is None
    assert rules.zone_of_epsg(4555) is None


@pytest.mark.parametrize(("lon", "number"), [(115.49, 38), (115.51, 39), (118.49, 39)])
def test_three_degree_zone_of_a_longitude(lon, number):
    assert rules.zone_for_longitude(lon).number == number


def test_six_degree_zone_of_a_longitude():
    assert rules.zone_for_longitude(116.4, 6) == Zone(6, 20)
    assert rules.zone_for_longitude(113.9, 6) == Zone(6, 19)


def test_split_zone_prefix():
    zone, easting = rules.split_zone_prefix(39_512_345.67, 3)

    assert zone == Zone(3, 39)
    assert easting == pytest.approx(512_345.67)


@pytest.mark.parametrize("y", [39_050_000.0, 39_950_000.0, 512_345.0])
def test_a_y_without_a_valid_prefix_is_refused(y):
    with pytest.raises(GeometryError):
        rules.split_zone_prefix(y, 3)


def test_area_of_a_100_m_square_is_one_hectare():
    assert rules.area_ha(box(500_000, 4_400_000, 500_100, 4_400_100)) == Decimal("1.0000")


@pytest.mark.parametrize(("side_m", "expected"), [(0.7072, "0.0001"), (0.7070, "0.0000")])
def test_area_rounds_half_up_to_four_places(side_m, expected):
    # 0.7072² = 0.50013 m² = 0.0000500 ha → 0.0001; 0.7070² = 0.49985 m² → 0.0000
    assert rules.area_ha(box(0, 0, side_m, side_m)) == Decimal(expected)


@given(
    width=st.integers(min_value=1, max_value=5000),
    height=st.integers(min_value=1, max_value=5000),
)
def test_area_of_a_whole_metre_rectangle_is_exact(width, height):
    shape = box(500_000, 4_000_000, 500_000 + width, 4_000_000 + height)

    assert rules.area_ha(shape) == (Decimal(width * height) / 10000).quantize(Decimal("0.0001"))


@given(
    lon=st.floats(min_value=115.6, max_value=118.4),
    lat=st.floats(min_value=30, max_value=45),
)
def test_lonlat_to_plane_and_back_is_lossless(lon, lat):
    point = Point(lon, lat)
    zone = rules.zone_for_longitude(lon)

    back = rules.transform(rules.to_plane(point, zone), zone.epsg_plane, rules.CGCS2000)

    assert back.x == pytest.approx(lon, abs=1e-9) and back.y == pytest.approx(lat, abs=1e-9)


def test_the_plane_uses_x_east_y_north():
    plane = rules.to_plane(Point(117.0, 39.7), Zone(3, 39))

    assert plane.x == pytest.approx(500_000, abs=0.01)
    assert 4_390_000 < plane.y < 4_400_000


@pytest.mark.parametrize(
    ("stated", "ok"), [("100.5000", True), ("100.5001", False), ("99.5000", True)]
)
def test_area_matches_within_a_relative_tolerance(stated, ok):
    assert rules.area_matches(Decimal("100"), Decimal(stated), tolerance=Decimal("0.005")) is ok


def test_area_matches_never_stricter_than_the_fourth_place():
    assert rules.area_matches(Decimal("0.0010"), Decimal("0.0011"), tolerance=Decimal("0.005"))
    assert not rules.area_matches(Decimal("0.0010"), Decimal("0.0012"), tolerance=Decimal("0.005"))


def test_polygon_problems():
    square = box(0, 0, 10, 10)
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])

    assert rules.polygon_problems(square) == []
    assert "自相交" in rules.polygon_problems(bowtie)[0]
    assert "Point" in rules.polygon_problems(Point(0, 0))[0]
    assert rules.polygon_problems(Polygon()) == ["边界为空。"]


@pytest.mark.parametrize(("overlap_m", "found"), [(0.009, False), (0.011, True)])
def test_find_overlaps_tolerates_slivers(overlap_m, found):
    new = box(0, 0, 100, 100)
    other = box(100 - overlap_m, 0, 200, 100)  # overlap_m × 100 m

    overlaps = rules.find_overlaps(new, [("B", other)], tolerance_m2=1.0)

    assert bool(overlaps) is found
    if found:
        assert overlaps[0].key == "B" and overlaps[0].area_m2 == pytest.approx(1.1)


def test_find_overlaps_reports_largest_first_in_hectares():
    new = box(0, 0, 100, 100)
    others = [("small", box(90, 0, 190, 100)), ("big", box(0, 50, 100, 150))]

    overlaps = rules.find_overlaps(new, others, tolerance_m2=1.0)

    assert [(o.key, o.area_ha) for o in overlaps] == [
        ("big", Decimal("0.5000")),
        ("small", Decimal("0.1000")),
    ]


def test_nearest_distance_and_share_inside():
    parcel = box(0, 0, 100, 100)

    assert rules.nearest_distance_m(parcel, [Point(600, 50), Point(150, 50)]) == 50
    assert rules.nearest_distance_m(parcel, [Point(50, 50)]) == 0
    assert rules.nearest_distance_m(parcel, []) is None
    assert rules.share_inside(parcel, box(0, 0, 50, 100)) == pytest.approx(0.5)


def test_wkb_round_trip():
    shape = box(116.1, 39.9, 116.2, 40.0)

    assert rules.from_wkb(memoryview(rules.to_wkb(shape))).equals(shape)
