"""boundaries.readers: the coordinate file, GeoJSON, zipped Shapefile and KML."""

from decimal import Decimal

import pytest

from boundaries import rules
from boundaries.readers import BoundaryFileError, detect_format, read_boundaries
from tests.boundaries.conftest import (
    coordinate_text,
    geojson_bytes,
    kml_bytes,
    polygon_feature,
    square,
    zipped_shapefile,
)

X0, Y0 = 4_400_000.0, 39_500_000.0


def one(data: bytes):
    result = read_boundaries(data)
    assert result.errors == []
    [boundary] = result.boundaries
    return boundary


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-8-sig"])
def test_coordinate_file_in_gbk_or_utf8(encoding):
    text = coordinate_text([{"code": "A1", "name": "东坝地块", "rings": [square(X0, Y0)]}])

    boundary = one(text.encode(encoding))

    assert (boundary.code, boundary.name) == ("A1", "东坝地块")
    assert boundary.declared_area_ha == Decimal("1.0000")
    assert boundary.zone == rules.Zone(3, 39) and boundary.source_epsg == 4548
    # X(北) and Y(东) swapped into x = easting, y = northing, the prefix removed.
    assert boundary.geometry.bounds == (500_000, 4_400_000, 500_100, 4_400_100)


def test_a_second_ring_inside_the_first_is_a_hole():
    hole = square(X0 + 25, Y0 + 25, side=50)
    text = coordinate_text([{"code": "A1", "rings": [square(X0, Y0), hole], "area": "0.7500"}])

    boundary = one(text.encode())

    assert boundary.geometry.geom_type == "Polygon"
    assert rules.area_ha(boundary.geometry) == Decimal("0.7500")


def test_a_second_ring_outside_the_first_is_another_part():
    text = coordinate_text(
        [{"code": "A1", "rings": [square(X0, Y0), square(X0, Y0 + 300)], "area": "2.0000"}]
    )

    boundary = one(text.encode())

    assert boundary.geometry.geom_type == "MultiPolygon"
    assert rules.area_ha(boundary.geometry) == Decimal("2.0000")


def test_zone_from_the_header_when_y_has_no_prefix():
    text = coordinate_text([{"code": "A1", "rings": [square(X0, 500_000.0)]}], zone=39)

    assert one(text.encode()).zone == rules.Zone(3, 39)


def test_six_degree_zones():
    text = coordinate_text([{"code": "A1", "rings": [square(X0, 20_500_000.0)]}], zone=20, width=6)

    boundary = one(text.encode())

    assert boundary.zone == rules.Zone(6, 20) and boundary.source_epsg == 4509


def test_a_prefix_that_contradicts_the_header_is_a_wrong_zone():
    text = coordinate_text([{"code": "A1", "rings": [square(X0, 38_500_000.0)]}], zone=39)

    result = read_boundaries(text.encode())

    assert result.boundaries == []
    assert "带号不一致：Y 坐标含 38，而文件头为 39" in result.errors[0]["message"]
    assert result.errors[0]["code"] == "A1" and result.errors[0]["where"] == "第 12 行"


def test_no_zone_anywhere_is_refused():
    text = coordinate_text([{"code": "A1", "rings": [square(X0, 500_000.0)]}], zone=None)

    result = read_boundaries(text.encode())

    assert "文件头也没有“带号”" in result.errors[0]["message"]


def test_x_and_y_swapped_are_named():
    ring = [(y, x) for x, y in square(X0, Y0)]
    text = coordinate_text([{"code": "A1", "rings": [ring]}])

    result = read_boundaries(text.encode())

    assert "X 与 Y 是否填反" in result.errors[0]["message"]


def test_an_unclosed_ring_is_refused():
    text = coordinate_text([{"code": "A1", "rings": [square(X0, Y0)[:-1]]}])

    result = read_boundaries(text.encode())

    assert "圈号 1 未闭合" in result.errors[0]["message"]


def test_a_point_count_that_disagrees_is_refused():
    text = coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}]).replace(
        "5,1.0000", "6,1.0000"
    )

    result = read_boundaries(text.encode())

    assert "界址点数为 6，实际有 5 个点" in result.errors[0]["message"]


def test_another_datum_is_refused_for_the_whole_file():
    text = coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}]).replace(
        "2000国家大地坐标系", "1980西安坐标系"
    )

    with pytest.raises(BoundaryFileError, match="1980西安坐标系"):
        read_boundaries(text.encode())


def test_geojson_in_cgcs2000_lonlat_with_stated_area():
    ring = [[117.0, 39.7], [117.001, 39.7], [117.001, 39.701], [117.0, 39.701], [117.0, 39.7]]
    data = geojson_bytes([polygon_feature("G1", ring, 地块面积=0.95)])

    boundary = one(data)

    assert boundary.code == "G1" and boundary.source_epsg == 4490
    assert boundary.zone is None  # taken from the longitude later
    assert boundary.declared_area_ha == Decimal("0.95")


def test_geojson_without_crs_is_wgs84():
    ring = [[117.0, 39.7], [117.001, 39.7], [117.001, 39.701], [117.0, 39.7]]

    assert one(geojson_bytes([polygon_feature("G1", ring)], crs=None)).source_epsg == 4326


def test_geojson_feature_without_a_code_is_named():
    ring = [[117.0, 39.7], [117.001, 39.7], [117.001, 39.701], [117.0, 39.7]]
    feature = polygon_feature("x", ring)
    feature["properties"] = {"other": 1}

    result = read_boundaries(geojson_bytes([feature]))

    assert "要素缺少地块编号" in result.errors[0]["message"]
    assert result.errors[0]["where"] == "要素 1"


def test_zipped_shapefile_in_a_zone_with_prefix():
    ring = [(39_500_000, X0), (39_500_100, X0), (39_500_100, X0 + 100), (39_500_000, X0 + 100)]

    boundary = one(zipped_shapefile({"S1": ring + [ring[0]]}, crs="EPSG:4527"))

    assert boundary.code == "S1" and boundary.source_epsg == 4527
    assert boundary.zone == rules.Zone(3, 39)
    plane = rules.transform(boundary.geometry, boundary.source_epsg, boundary.zone.epsg_plane)
    assert rules.area_ha(plane) == Decimal("1.0000")


def test_a_shapefile_without_prj_is_refused():
    ring = [(500_000, X0), (500_100, X0), (500_100, X0 + 100), (500_000, X0)]

    with pytest.raises(BoundaryFileError, match=r"\.prj"):
        read_boundaries(zipped_shapefile({"S1": ring}, crs=None))


def test_a_shapefile_in_another_crs_is_refused():
    ring = [(500_000, X0), (500_100, X0), (500_100, X0 + 100), (500_000, X0)]

    with pytest.raises(BoundaryFileError, match="不受支持"):
        read_boundaries(zipped_shapefile({"S1": ring}, crs="EPSG:32650"))


def test_kml_placemark_name_is_the_code():
    ring = [(117.0, 39.7), (117.001, 39.7), (117.001, 39.701), (117.0, 39.7)]

    boundary = one(kml_bytes({"K1": ring}))

    assert boundary.code == "K1" and boundary.source_epsg in {4326, 4490}


@pytest.mark.parametrize(
    ("data", "fmt"),
    [(b"PK\x03\x04rest", "shapefile"), (b' \n{"type": 1}', "geojson"), (b"<?xml?><kml>", "kml")],
)
def test_format_is_judged_by_content(data, fmt):
    assert detect_format(data) == fmt


def test_unknown_content_is_refused():
    with pytest.raises(BoundaryFileError, match="无法识别"):
        detect_format(b"%PDF-1.7")


def test_parcel_count_is_capped(settings):
    settings.BOUNDARIES_MAX_PARCELS_PER_FILE = 2
    text = coordinate_text(
        [{"code": f"A{i}", "rings": [square(X0, Y0 + 200 * i)]} for i in range(3)]
    )

    with pytest.raises(BoundaryFileError, match="超过 2 块"):
        read_boundaries(text.encode())


def test_point_count_is_capped(settings):
    settings.BOUNDARIES_MAX_POINTS = 9
    text = coordinate_text(
        [{"code": f"A{i}", "rings": [square(X0, Y0 + 200 * i)]} for i in range(2)]
    )

    with pytest.raises(BoundaryFileError, match="超过 9 个"):
        read_boundaries(text.encode())
