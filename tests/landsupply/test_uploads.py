"""landsupply.uploads: every limit tested on both sides of its boundary."""

import zipfile
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from landsupply.uploads import (
    UploadRejected,
    check_evidence,
    check_size,
    check_spreadsheet,
    check_xml,
    check_zip_members,
    limits_for,
    local_copy,
)
from tests import hostile


@pytest.fixture
def small_ledger(settings):
    """Ledger limits of 3 data rows (and the header), 4 columns, 16 cells."""
    settings.UPLOAD_LIMITS = {
        **settings.UPLOAD_LIMITS,
        "ledger": {"max_bytes": 10_000, "max_rows": 3, "max_columns": 4, "max_cells": 16},
    }


def sheet(tmp_path, rows, *, dimension=None, name="s.xlsx", prefix=""):
    parts = [f'<{prefix}dimension ref="{dimension}"/>'] if dimension else []
    parts += [f"<{prefix}sheetData>"]
    parts += [hostile.row_xml(n, values) for n, values in enumerate(rows, start=1)]
    parts += [f"</{prefix}sheetData>"]
    return hostile.write_xlsx(tmp_path / name, parts)


def refused(path, name=None, kind="ledger"):
    with pytest.raises(UploadRejected) as info:
        check_spreadsheet(path, name=name or path.name, kind=kind)
    return info.value.messages[0]


def test_size_limit_both_sides(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"x" * 100)
    assert check_size(path, name="f.csv", max_bytes=100) == 100
    with pytest.raises(UploadRejected, match="超过上限 99 字节"):
        check_size(path, name="f.csv", max_bytes=99)
    path.write_bytes(b"")
    with pytest.raises(UploadRejected, match="是空的"):
        check_size(path, name="f.csv", max_bytes=99)


def test_rows_columns_and_cells_of_xlsx_both_sides(tmp_path, small_ledger):
    header = ["a", "b", "c", "d"]
    ok = check_spreadsheet(sheet(tmp_path, [header] * 4), name="s.xlsx", kind="ledger")
    assert (ok.format, ok.rows, ok.columns) == ("xlsx", 4, 4)  # header + 3 data rows

    assert "有第 5 行" in refused(sheet(tmp_path, [header] * 5, name="r.xlsx"))
    assert "在 E1 处有单元格" in refused(sheet(tmp_path, [[*header, "e"]], name="c.xlsx"))
    assert "声明的数据范围为 A1:D5" in refused(
        sheet(tmp_path, [header], dimension="A1:D5", name="d.xlsx")
    )
    declared = sheet(tmp_path, [header], dimension="A1:D4", name="x.xlsx")
    assert check_spreadsheet(declared, name="x.xlsx", kind="ledger").rows == 1


def test_cells_limit_counts_rows_times_columns(tmp_path, settings):
    settings.UPLOAD_LIMITS = {
        **settings.UPLOAD_LIMITS,
        "ledger": {"max_bytes": 10_000, "max_rows": 10, "max_columns": 10, "max_cells": 12},
    }
    assert check_spreadsheet(sheet(tmp_path, [["a"] * 4] * 3), name="s.xlsx", kind="ledger")
    assert "共 12 个单元格" in refused(sheet(tmp_path, [["a"] * 4] * 4, name="t.xlsx"))


def test_cells_without_positions_and_prefixed_tags_are_counted(tmp_path, small_ledger):
    unnumbered = "<row>" + "<c/>" * 5 + "</row>"
    path = hostile.write_xlsx(tmp_path / "u.xlsx", ["<sheetData>", unnumbered, "</sheetData>"])
    assert "5 列" in refused(path)

    prefixed = sheet(tmp_path, [["a"]], dimension="A1:XFD9", name="p.xlsx", prefix="x:")
    assert "A1:XFD9" in refused(prefixed)


def test_cells_count_inside_sheet_data_only_as_calamine_reads_them(tmp_path, small_ledger):
    """A cell counts while a <sheetData> (of any prefix) is open: the end of any <sheetData>,
    a nested one too, closes it, and a new <sheetData> opens it again."""
    wide = '<row r="1"><c r="E1"/></row>'

    def scanned(name, parts):
        return check_spreadsheet(
            hostile.write_xlsx(tmp_path / name, parts), name=name, kind="ledger"
        )

    after = scanned("a.xlsx", ["<x:sheetData>", hostile.row_xml(1, ["a"]), "</x:sheetData>", wide])
    assert (after.rows, after.columns) == (1, 1)
    nested = scanned("n.xlsx", ["<sheetData><a:sheetData></a:sheetData>", wide, "</sheetData>"])
    assert (nested.rows, nested.columns) == (0, 0)
    with pytest.raises(UploadRejected, match="在 E1 处有单元格"):
        scanned("r.xlsx", ["<sheetData></sheetData><x:sheetData>", wide, "</x:sheetData>"])


def test_compression_ratio_and_total_size_both_sides(tmp_path, settings):
    path = hostile.zip_bomb(tmp_path, megabytes=4)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        ratio = info.file_size / info.compress_size
        total = sum(i.file_size for i in archive.infolist())
    settings.UPLOAD_LIMITS["ledger"]["max_rows"] = 10_000_000
    settings.UPLOAD_LIMITS["ledger"]["max_cells"] = 10**9

    settings.UPLOAD_MAX_COMPRESSION_RATIO = int(ratio)
    assert f"压缩比超过 {int(ratio)}:1" in refused(path)
    settings.UPLOAD_MAX_COMPRESSION_RATIO = int(ratio) + 1
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = total - 1
    assert "解压后超过" in refused(path)
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = total
    assert check_spreadsheet(path, name="b.xlsx", kind="ledger").rows > 40_000


def test_zip_member_count_both_sides(tmp_path, settings):
    path = hostile.many_members(tmp_path, count=8)  # + 2 parts = 10 members
    settings.UPLOAD_MAX_ZIP_MEMBERS = 10
    assert check_spreadsheet(path, name="m.xlsx", kind="ledger").rows == 0
    settings.UPLOAD_MAX_ZIP_MEMBERS = 9
    assert "内含 10 个文件，超过上限 9 个" in refused(path)


def test_csv_encodings_rows_and_columns_both_sides(tmp_path, small_ledger):
    for encoding, expected in [
        ("utf-8", "utf-8-sig"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gb18030"),
    ]:
        path = hostile.csv_file(tmp_path, "e.csv", "地块编号,区\n海淀,海淀区\n", encoding)
        assert check_spreadsheet(path, name="e.csv", kind="ledger").encoding == expected

    path = hostile.csv_file(tmp_path, "r.csv", "a,b,c,d,,,\n" + "1,2\n" * 3)
    assert check_spreadsheet(path, name="r.csv", kind="ledger").columns == 4  # blanks at end
    path = hostile.csv_file(tmp_path, "r.csv", "a\n" + "1\n" * 4)
    assert "最多 3 行数据" in refused(path)
    path = hostile.csv_file(tmp_path, "c.csv", "a,b,c,d,e\n")
    assert "该行 5 列" in refused(path)


def test_csv_row_length_and_field_limit_both_sides(tmp_path, settings):
    settings.UPLOAD_CSV_MAX_ROW_CHARS = 100
    path = hostile.csv_file(tmp_path, "ok.csv", "h\n" + "x" * 99 + "\n")  # 100 with the newline
    assert check_spreadsheet(path, name="ok.csv", kind="ledger").rows == 2
    path = hostile.csv_file(tmp_path, "long.csv", "h\n" + "x" * 100 + "\n")
    assert "第 2 行超过 100 个字符的上限" in refused(path)
    # A quoted field may span lines; the row's characters still add up.
    path = hostile.csv_file(tmp_path, "multi.csv", 'h\n"' + "x\n" * 60 + '"\n')
    assert "第 2 行超过 100 个字符的上限" in refused(path)


def test_spreadsheet_name_must_be_xlsx_or_csv_and_content_must_match(tmp_path):
    path = hostile.csv_file(tmp_path, "a.csv", "a,b\n")
    assert "只能上传 .xlsx 或 .csv 文件" in refused(path, name="a.txt")
    assert "的 .ods 格式" in refused(path, name="a.ods")
    assert "不是有效的 .xlsx" in refused(path, name="a.xlsx")
    xlsx = sheet(tmp_path, [["a"]])
    assert "不是文本 CSV" in refused(xlsx, name="a.csv")


@pytest.mark.parametrize(
    ("name", "content", "found"),
    [
        ("审计报告.pdf", hostile.pdf_document(), "pdf"),
        ("照片.PNG", hostile.png_image(), "png"),
        ("照片.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100, "jpg"),
        ("旧文档.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "ole"),
    ],
)
def test_allowed_evidence_passes(name, content, found):
    assert check_evidence(SimpleUploadedFile(name, content), name=name) == found


def test_zipped_office_documents_are_told_by_their_parts(tmp_path):
    assert check_evidence(hostile.docx_document(tmp_path), name="报告.docx") == "docx"
    assert check_evidence(sheet(tmp_path, [["a"]]), name="表.xlsx") == "xlsx"
    plain_zip = tmp_path / "a.zip"
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(UploadRejected, match="不在允许的类型之内"):
        check_evidence(plain_zip, name="报告.docx")


def test_evidence_extension_must_match_content(tmp_path):
    with pytest.raises(UploadRejected, match=r"扩展名与内容（PNG）不符；请使用 \.png"):
        check_evidence(SimpleUploadedFile("照片.jpg", hostile.png_image()), name="照片.jpg")


def test_evidence_size_both_sides(settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "evidence": {"max_bytes": 200}}
    pdf = hostile.pdf_document()
    assert check_evidence(SimpleUploadedFile("a.pdf", pdf.ljust(200)), name="a.pdf") == "pdf"
    with pytest.raises(UploadRejected, match="超过上限 200 字节"):
        check_evidence(SimpleUploadedFile("a.pdf", pdf.ljust(201)), name="a.pdf")


def test_local_copy_reads_through_the_storage_and_is_bounded():
    storage = InMemoryStorage()
    name = storage.save("ledgers/a.csv", ContentFile(b"a,b\n1,2\n"))
    stored = SimpleNamespace(storage=storage, name=name)  # what a FieldFile offers

    with local_copy(stored, max_bytes=8, suffix=".csv") as path:
        assert path.read_bytes() == b"a,b\n1,2\n"
        assert path.suffix == ".csv"
    assert not path.exists()
    with pytest.raises(UploadRejected, match="超过上限 7 字节"), local_copy(stored, max_bytes=7):
        pass


def test_the_web_budget_checks_a_large_sheets_head_and_leaves_its_cells(tmp_path):
    far_cell = hostile.dimension_bomb(tmp_path, declare=False)  # small <dimension>, cell far out
    declared = hostile.dimension_bomb(tmp_path)

    info = check_spreadsheet(far_cell, name="a.xlsx", kind="ledger", scan_bytes=100)
    assert info.complete is False  # the cells are left to the worker's full check
    with pytest.raises(UploadRejected, match="A1:XFD1048576"):
        check_spreadsheet(declared, name="b.xlsx", kind="ledger", scan_bytes=100)
    with pytest.raises(UploadRejected, match="DTD"):
        check_spreadsheet(
            hostile.billion_laughs(tmp_path), name="c.xlsx", kind="ledger", scan_bytes=100
        )
    with pytest.raises(UploadRejected, match="1,048,576"):
        check_spreadsheet(far_cell, name="a.xlsx", kind="ledger", scan_bytes=10_000)


# --- archives of files read together, XML, per-kind zip limits -------------------------------


def test_a_kind_may_set_its_own_zip_limits(settings):
    settings.UPLOAD_LIMITS = {
        "strict": {"max_bytes": 10, "max_members": 3, "max_uncompressed_bytes": 99, "max_ratio": 5},
        "plain": {"max_bytes": 10},
    }
    strict, plain = limits_for("strict"), limits_for("plain")

    assert (strict.max_members, strict.max_uncompressed_bytes, strict.max_ratio) == (3, 99, 5)
    assert (plain.max_members, plain.max_uncompressed_bytes, plain.max_ratio) == (
        settings.UPLOAD_MAX_ZIP_MEMBERS,
        settings.UPLOAD_MAX_UNCOMPRESSED_BYTES,
        settings.UPLOAD_MAX_COMPRESSION_RATIO,
    )


def _archive(tmp_path, members: dict[str, bytes]):
    path = tmp_path / "parts.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return path


def _members(path, suffixes=(".a", ".b")):
    with open(path, "rb") as handle:
        archive = check_zip_members(
            handle, name="parts.zip", limits=limits_for("ledger"), suffixes=suffixes, what="X"
        )
        return sorted(archive.namelist())


def test_zip_members_must_end_in_the_suffixes_given(tmp_path):
    ok = _archive(
        tmp_path, {"d/": b"", "d/one.A": b"1", "two.b": b"2", "d/._one.a": b"", ".x": b""}
    )
    assert _members(ok) == [".x", "d/", "d/._one.a", "d/one.A", "two.b"]

    with pytest.raises(UploadRejected, match="「parts.zip」中不能有「two.c」：X 只能包含 .a .b"):
        _members(_archive(tmp_path, {"one.a": b"1", "two.c": b"2"}))


@pytest.mark.parametrize("member", ["../up.a", "d/../../up.a", "/root.a", "d\\win.a"])
def test_zip_members_must_be_safe_relative_paths(tmp_path, member):
    with pytest.raises(UploadRejected) as info:
        _members(_archive(tmp_path, {member: b"1"}))

    assert f"「{member}」路径不安全" in info.value.messages[0]


def test_zip_members_are_all_inflated_and_counted(tmp_path):
    path = hostile.declare_member_size(
        hostile.shapefile_zip_bomb(tmp_path, megabytes=2), "parcels.shp", 1024
    )

    with pytest.raises(UploadRejected, match="「parcels.shp」解压后大于其声明的大小"):
        _members(path, suffixes=(".shp", ".shx", ".dbf", ".prj"))


def test_xml_is_parsed_whole_and_a_dtd_anywhere_before_the_root_is_refused(tmp_path):
    path = tmp_path / "a.kml"
    path.write_bytes(b"<?xml version='1.0'?><kml>" + b"<a>x</a>" * 200_000 + b"</kml>")
    check_xml(path, name="a.kml")  # 1.6 MB, read in chunks

    path.write_bytes(
        b"<?xml version='1.0'?>" + b"<!--" + b" " * 2_000_000 + b"-->" + b"<!DOCTYPE kml><kml/>"
    )
    with pytest.raises(UploadRejected, match="「a.kml」含有 XML 文档类型声明（DTD）"):
        check_xml(path, name="a.kml")

    path.write_bytes(b"<kml><a></kml>")
    with pytest.raises(UploadRejected, match="「a.kml」不是有效的 XML（mismatched tag）"):
        check_xml(path, name="a.kml")
