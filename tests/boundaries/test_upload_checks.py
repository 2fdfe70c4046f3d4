"""boundaries.upload_checks: every boundary upload is hostile until checked. The generic checks
are landsupply.uploads' (tested there too); these show a boundary file gets them, under the
"boundary" limits, with a message naming the file and the limit."""

import io
import zipfile

import pytest

from boundaries.readers import BoundaryFileError
from boundaries.upload_checks import check_boundary_upload
from tests import hostile
from tests.boundaries.conftest import coordinate_text, kml_bytes, square, zipped_shapefile

TEXT = coordinate_text([{"code": "A1", "rings": [square(4_400_000, 39_500_000)]}]).encode()
RING = [(500_000, 4_400_000), (500_100, 4_400_000), (500_100, 4_400_100), (500_000, 4_400_000)]
MB = 1024 * 1024


def check(data: bytes, name="界址.zip"):
    return check_boundary_upload(io.BytesIO(data), name=name)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_size_cap_on_both_sides(boundary_limits):
    boundary_limits(max_bytes=len(TEXT))
    checked = check(TEXT, name="界址.txt")
    assert (checked.format, checked.data) == ("coordinate_file", TEXT)

    boundary_limits(max_bytes=len(TEXT) - 1)
    with pytest.raises(BoundaryFileError, match="文件「界址.txt」大小为 .*超过上限"):
        check(TEXT, name="界址.txt")


def test_the_default_size_cap_is_10_mb():
    with pytest.raises(BoundaryFileError, match=r"超过上限 10\.0 MB"):
        check(b"{" + b" " * (10 * MB), name="big.geojson")


def test_a_path_is_checked_like_an_upload(tmp_path):
    path = tmp_path / "界址.txt"
    path.write_bytes(TEXT)

    assert check_boundary_upload(path, name=path.name).data == TEXT


def test_an_empty_file_is_refused():
    with pytest.raises(BoundaryFileError, match="「界址.txt」是空的"):
        check(b"", name="界址.txt")


def test_an_unknown_format_is_refused():
    with pytest.raises(BoundaryFileError, match="无法识别的边界文件"):
        check(b"%PDF-1.4", name="界址.pdf")


def test_a_good_zipped_shapefile_passes():
    assert check(zipped_shapefile({"S1": RING}, crs="EPSG:4548")).format == "shapefile"


def test_a_good_kml_passes():
    assert check(kml_bytes({"K1": [(116.3, 39.9), (116.31, 39.9), (116.3, 39.91)]})).format == (
        "kml"
    )


def test_a_zip_bomb_is_refused_before_it_is_expanded():
    bomb = _zip({"a.shp": b"\0" * 5_000_000, "a.shx": b"", "a.dbf": b""})

    with pytest.raises(BoundaryFileError, match=r"「a.shp」压缩比超过 100:1.*疑似压缩炸弹"):
        check(bomb)


def test_unzipped_total_is_capped_on_both_sides(boundary_limits):
    data = _zip({"a.shp": bytes(range(256)) * 4, "a.shx": bytes(range(256)) * 4, "a.dbf": b""})
    boundary_limits(max_uncompressed_bytes=2048)
    assert check(data).format == "shapefile"

    boundary_limits(max_uncompressed_bytes=2047)
    with pytest.raises(BoundaryFileError, match="「界址.zip」解压后超过 2.0 KB 的上限"):
        check(data)


def test_the_default_unzipped_cap_is_50_mb(tmp_path):
    path = tmp_path / "big.zip"
    path.write_bytes(_zip({"a.shp": b"x", "a.dbf": b""}))
    hostile.declare_member_size(path, "a.shp", 50 * MB + 1)  # refused from the directory

    with pytest.raises(BoundaryFileError, match=r"解压后超过 50\.0 MB 的上限"):
        check(path.read_bytes())


def test_zip_member_count_is_capped_on_both_sides(boundary_limits):
    boundary_limits(max_members=4)
    assert check(_zip({"a.shp": b"", **{f"a{i}.xml": b"x" for i in range(3)}})).format == (
        "shapefile"
    )

    with pytest.raises(BoundaryFileError, match="内含 5 个文件，超过上限 4 个"):
        check(_zip({"a.shp": b"", **{f"a{i}.xml": b"x" for i in range(4)}}))


def test_the_default_member_cap_is_20():
    with pytest.raises(BoundaryFileError, match="内含 21 个文件，超过上限 20 个"):
        check(_zip({f"a{i}.xml": b"x" for i in range(21)}))


def test_a_member_larger_than_it_declares_is_refused(tmp_path):
    path = hostile.declare_member_size(
        hostile.shapefile_zip_bomb(tmp_path, megabytes=2), "parcels.shp", 1024
    )

    with pytest.raises(BoundaryFileError, match="「parcels.shp」解压后大于其声明的大小"):
        check(path.read_bytes())


@pytest.mark.parametrize("name", ["../evil.shp", "/abs.shp", "a\\b.shp"])
def test_unsafe_paths_in_a_zip_are_refused(name):
    with pytest.raises(BoundaryFileError, match="路径不安全"):
        check(_zip({name: b"x"}))


def test_only_shapefile_parts_may_be_in_the_zip():
    with pytest.raises(BoundaryFileError, match="不能有「run.exe」.*只能包含 .cpg .dbf"):
        check(_zip({"a.shp": b"", "run.exe": b"MZ"}))


def test_folders_and_hidden_files_may_be_in_the_zip():
    data = _zip(
        {"parcels/": b"", "parcels/a.shp": b"", "__MACOSX/._a.shp": b"\0", ".DS_Store": b""}
    )

    assert check(data).format == "shapefile"


@pytest.mark.parametrize(
    ("count", "members"), [(0, {"a.dbf": b""}), (2, {"a.shp": b"", "b.shp": b""})]
)
def test_exactly_one_shp(count, members):
    with pytest.raises(BoundaryFileError, match=f"恰好包含一个 .shp 文件（实际 {count} 个）"):
        check(_zip(members))


def test_kml_may_not_declare_entities():
    kml = b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa">]><kml>&a;</kml>'

    with pytest.raises(BoundaryFileError, match="「界址.kml」含有 XML 文档类型声明（DTD）"):
        check(kml, name="界址.kml")


def test_a_dtd_after_64_kb_of_whitespace_is_still_refused():
    # The old check looked at the first 64 KB only.
    padding = b"<!-- <kml> " + b" " * 70_000 + b"-->"
    kml = b"<?xml version='1.0'?>" + padding + b'<!DOCTYPE kml SYSTEM "file:///etc/passwd"><kml/>'

    with pytest.raises(BoundaryFileError, match="DTD"):
        check(kml, name="界址.kml")


def test_kml_that_is_not_well_formed_is_refused():
    with pytest.raises(BoundaryFileError, match="「界址.kml」不是有效的 XML"):
        check(b"<kml><Placemark></kml>", name="界址.kml")
