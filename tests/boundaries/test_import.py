"""The boundary import: manage.py import_boundaries and boundaries.services.boundary_import."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from boundaries.models import ParcelBoundary
from boundaries.services import boundary_import
from tests.boundaries.conftest import coordinate_text, square
from tests.factories import ParcelFactory

pytestmark = pytest.mark.django_db

X0, Y0 = 4_400_000.0, 39_500_000.0  # zone 39, central meridian 117° E


def run(path, *args):
    return call_command("import_boundaries", str(path), "--district", "testdist", *args)


def test_a_100_m_square_in_zone_39_imports_with_one_hectare(district, write_file, capsys):
    path = write_file("a1.txt", coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}]), "gbk")

    run(path, "--format", "json")

    out = json.loads(capsys.readouterr().out)
    assert out["errors"] == []
    assert out["parcels"] == [
        {
            "code": "A1",
            "name": out["parcels"][0]["name"],
            "area_ha": "1.0000",
            "declared_area_ha": "1.0000",
            "ledger_area_ha": "1.0000",
            "overlaps": [],
            "warnings": [],
            "zone": 39,
            "near_rail": None,
            "in_key_function_area": None,
        }
    ]
    boundary = ParcelBoundary.objects.get(parcel__code="A1")
    assert boundary.area_ha == Decimal("1.0000")
    assert boundary.zone_epsg == 4548
    # Stored in CGCS2000 longitude/latitude: the square's west edge is the central meridian.
    assert boundary.min_x == pytest.approx(117.0, abs=1e-9)
    assert 39.7 < boundary.min_y < boundary.max_y < 39.8


def test_a_second_file_overlapping_the_first_is_refused_naming_it(district, write_file, capsys):
    run(write_file("a1.txt", coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}])))
    capsys.readouterr()
    # A2 is shifted 50 m east: half of it lies on A1 (0.5 ha).
    second = write_file("a2.txt", coordinate_text([{"code": "A2", "rings": [square(X0, Y0 + 50)]}]))

    with pytest.raises(SystemExit) as info:
        run(second, "--format", "json")

    assert info.value.code == 2
    out = json.loads(capsys.readouterr().out)
    assert out["parcels"][0]["overlaps"] == ["A1"]
    [error] = out["errors"]
    assert error["code"] == "A2"
    assert "A2" in error["message"] and "A1" in error["message"]
    assert "0.5000 公顷" in error["message"]
    assert not ParcelBoundary.objects.filter(parcel__code="A2").exists()


def test_text_output_and_exit_status_2_on_refusal(district, write_file, capsys):
    run(write_file("a1.txt", coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}])))
    capsys.readouterr()
    second = write_file(
        "a2.txt", coordinate_text([{"code": "A2", "rings": [square(X0 + 90, Y0 + 90)]}])
    )

    with pytest.raises(CommandError) as info:
        run(second)

    assert info.value.returncode == 2
    out = capsys.readouterr().out
    assert "错误 A2" in out and "测试区地块 A1" in out and "0.0100 公顷" in out


def test_dry_run_checks_and_writes_nothing(district, write_file, capsys):
    run(
        write_file("a1.txt", coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}])),
        "--dry-run",
    )

    assert "检查通过（未写入）：1 块" in capsys.readouterr().out
    assert not ParcelBoundary.objects.exists()


def test_all_or_nothing_one_bad_parcel_stops_the_whole_file(district, write_file, capsys):
    text = coordinate_text(
        [
            {"code": "A1", "rings": [square(X0, Y0)]},
            {"code": "NOPE", "rings": [square(X0, Y0 + 500)]},
        ]
    )

    with pytest.raises(SystemExit):
        run(write_file("two.txt", text), "--format", "json")

    out = json.loads(capsys.readouterr().out)
    assert [e["code"] for e in out["errors"]] == ["NOPE"]
    assert "测试区没有编号为 NOPE 的地块" in out["errors"][0]["message"]
    assert not ParcelBoundary.objects.exists()


def test_overlap_inside_one_file_is_refused(district, write_file, capsys):
    text = coordinate_text(
        [
            {"code": "A1", "rings": [square(X0, Y0)]},
            {"code": "A2", "rings": [square(X0 + 50, Y0)]},
        ]
    )

    with pytest.raises(SystemExit):
        run(write_file("two.txt", text), "--format", "json")

    out = json.loads(capsys.readouterr().out)
    assert "A1" in out["errors"][0]["message"] and "A2" in out["errors"][0]["message"]
    assert not ParcelBoundary.objects.exists()


@pytest.mark.parametrize(
    ("shift_m", "refused"),
    [(99.995, False), (99.98, True)],  # overlap 0.5 m² (a sliver) vs 2 m²
)
def test_sliver_overlaps_are_tolerated_larger_ones_refused(district, shift_m, refused):
    first = coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}]).encode()
    assert boundary_import(district=district, data=first, source_name="a1").ok
    second = coordinate_text([{"code": "A2", "rings": [square(X0, Y0 + shift_m)]}]).encode()

    report = boundary_import(district=district, data=second, source_name="a2")

    assert report.ok is not refused
    assert ParcelBoundary.objects.filter(parcel__code="A2").exists() is not refused


def test_adjacent_parcels_sharing_an_edge_import(district):
    text = coordinate_text(
        [
            {"code": "A1", "rings": [square(X0, Y0)]},
            {"code": "A2", "rings": [square(X0, Y0 + 100)]},
        ]
    ).encode()

    assert boundary_import(district=district, data=text, source_name="f").ok
    assert ParcelBoundary.objects.count() == 2


def test_reimporting_a_parcel_replaces_its_boundary(district):
    first = coordinate_text([{"code": "A1", "rings": [square(X0, Y0)]}]).encode()
    boundary_import(district=district, data=first, source_name="v1")
    moved = coordinate_text(
        [{"code": "A1", "rings": [square(X0 + 10, Y0, side=200)], "area": "4.0000"}]
    ).encode()

    report = boundary_import(district=district, data=moved, source_name="v2")

    assert report.ok, report.errors
    boundary = ParcelBoundary.objects.get()
    assert boundary.area_ha == Decimal("4.0000") and boundary.source_name == "v2"


def test_a_self_intersecting_ring_is_refused(district):
    bowtie = [(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100), (X0, Y0)]
    text = coordinate_text([{"code": "A1", "rings": [bowtie]}]).encode()

    report = boundary_import(district=district, data=text, source_name="f")

    assert not report.ok
    assert "界址线自相交" in report.errors[0]["message"]
    assert not ParcelBoundary.objects.exists()


def test_a_code_twice_in_the_file_is_refused(district):
    text = coordinate_text(
        [
            {"code": "A1", "rings": [square(X0, Y0)]},
            {"code": "A1", "rings": [square(X0, Y0 + 500)]},
        ]
    ).encode()

    report = boundary_import(district=district, data=text, source_name="f")

    assert [e["message"] for e in report.errors] == ["地块编号在文件中重复出现。"]


def test_a_parcel_of_another_district_is_an_unknown_code(district):
    ParcelFactory(code="B1")  # another district
    text = coordinate_text([{"code": "B1", "rings": [square(X0, Y0)]}]).encode()

    report = boundary_import(district=district, data=text, source_name="f")

    assert "没有编号为 B1 的地块" in report.errors[0]["message"]


@pytest.mark.parametrize(("stated", "ok"), [("1.0050", True), ("1.0051", False)])
def test_stated_area_must_match_the_geometry_within_the_tolerance(district, stated, ok):
    text = coordinate_text([{"code": "A1", "rings": [square(X0, Y0)], "area": stated}]).encode()

    report = boundary_import(district=district, data=text, source_name="f")

    assert report.ok is ok
    if not ok:
        assert "文件所载面积 1.0051 公顷与图形面积 1.0000 公顷不符" in report.errors[0]["message"]


def test_a_ledger_area_that_differs_is_a_warning_not_a_refusal(district):
    text = coordinate_text(
        [{"code": "A1", "rings": [square(X0, Y0, side=200)], "area": "4.0000"}]
    ).encode()

    report = boundary_import(district=district, data=text, source_name="f")

    assert report.ok
    assert report.as_dict()["parcels"][0]["warnings"] == [
        "台账面积 1.0000 公顷与图形面积 4.0000 公顷不符。"
    ]


def test_a_boundary_far_outside_its_district_outline_is_a_wrong_zone(reference_data):
    from boundaries.seed import seed_district_outlines
    from landsupply.models import District

    seed_district_outlines()
    pinggu = District.objects.get(code="pinggu")  # 117.0–117.4° E: zone 39
    ParcelFactory(district=pinggu, code="PG1", area_ha=Decimal("1.0000"))
    # Pinggu's coordinates (X 4 450 000, easting 510 000) written with zone 38 instead of 39:
    # the parcel lands near 114.1° E, hundreds of kilometres away.
    wrong = coordinate_text([{"code": "PG1", "rings": [square(4_450_000, 38_510_000)]}], zone=38)
    right = coordinate_text([{"code": "PG1", "rings": [square(4_450_000, 39_510_000)]}])

    refused = boundary_import(district=pinggu, data=wrong.encode(), source_name="f")
    accepted = boundary_import(district=pinggu, data=right.encode(), source_name="f")

    assert "区界以外约" in refused.errors[0]["message"]
    assert "带号或坐标错误" in refused.errors[0]["message"]
    assert accepted.ok, accepted.errors


def test_a_file_that_cannot_be_read_exits_2_with_the_reason(district, write_file, capsys):
    with pytest.raises(CommandError) as info:
        run(write_file("junk.txt", "hello"))

    assert info.value.returncode == 2
    assert "无法识别的边界文件" in str(info.value)


def test_unknown_district_exits_2(db, write_file):
    with pytest.raises(CommandError) as info:
        call_command("import_boundaries", str(write_file("x.txt", "x")), "--district", "nope")

    assert info.value.returncode == 2
