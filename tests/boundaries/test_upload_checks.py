"""boundaries.upload_checks: every boundary upload is hostile until checked."""

import io
import zipfile

import pytest

from boundaries.readers import BoundaryFileError
from boundaries.upload_checks import check_boundary_upload
from tests.boundaries.conftest import coordinate_text, square, zipped_shapefile

TEXT = coordinate_text([{"code": "A1", "rings": [square(4_400_000, 39_500_000)]}]).encode()
RING = [(500_000, 4_400_000), (500_100, 4_400_000), (500_100, 4_400_100), (500_000, 4_400_000)]


def check(data: bytes, name="f"):
    return check_boundary_upload(name=name, size=len(data), data=data)


def test_size_cap_on_both_sides(settings):
    settings.BOUNDARIES_MAX_UPLOAD_BYTES = len(TEXT)
    assert check(TEXT) == "coordinate_file"

    settings.BOUNDARIES_MAX_UPLOAD_BYTES = len(TEXT) - 1
    with pytest.raises(BoundaryFileError, match="上限"):
        check(TEXT)


def test_an_empty_file_is_refused():
    with pytest.raises(BoundaryFileError, match="是空的"):
        check(b"")


def test_a_good_zipped_shapefile_passes():
    assert check(zipped_shapefile({"S1": RING}, crs="EPSG:4548")) == "shapefile"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_expanded():
    bomb = _zip({"a.shp": b"\0" * 5_000_000, "a.shx": b"", "a.dbf": b""})

    with pytest.raises(BoundaryFileError, match="压缩炸弹"):
        check(bomb)


def test_unzipped_total_is_capped(settings):
    settings.BOUNDARIES_MAX_UNZIPPED_BYTES = 1000
    with pytest.raises(BoundaryFileError, match="解压后超过"):
        check(_zip({"a.shp": bytes(range(256)) * 8, "a.shx": b"", "a.dbf": b""}))


def test_zip_member_count_is_capped(settings):
    settings.BOUNDARIES_MAX_ZIP_MEMBERS = 3
    with pytest.raises(BoundaryFileError, match="超过上限 3"):
        check(_zip({f"a{i}.xml": b"x" for i in range(4)}))


@pytest.mark.parametrize("name", ["../evil.shp", "/abs.shp"])
def test_unsafe_paths_in_a_zip_are_refused(name):
    with pytest.raises(BoundaryFileError, match="路径不安全"):
        check(_zip({name: b"x"}))


def test_only_shapefile_parts_may_be_in_the_zip():
    with pytest.raises(BoundaryFileError, match="run.exe"):
        check(_zip({"a.shp": b"", "run.exe": b"MZ"}))


def test_exactly_one_shp():
    with pytest.raises(BoundaryFileError, match="恰好包含一个"):
        check(_zip({"a.shp": b"", "b.shp": b""}))


def test_kml_may_not_declare_entities():
    kml = b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa">]><kml>&a;</kml>'

    with pytest.raises(BoundaryFileError, match="DOCTYPE"):
        check(kml)
