"""Builders of hostile and broken upload files, made here (no binary fixtures).

Each returns the path of a file written to `folder`. Large contents are streamed to disk, so
building them costs the test process little memory.
"""

import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from parcels.resources import HEADERS

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def column_letters(column: int) -> str:
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def row_xml(number: int, values) -> str:
    cells = "".join(
        f'<c r="{column_letters(i)}{number}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
        for i, v in enumerate(values, start=1)
    )
    return f'<row r="{number}">{cells}</row>'


def write_xlsx(path: Path, sheet_parts, *, prolog: str = "", compression=zipfile.ZIP_DEFLATED):
    """Write a minimal workbook whose one sheet's XML is `prolog` + the strings of
    `sheet_parts` (an iterable, streamed) inside <worksheet>."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=False) as sheet:
            sheet.write((prolog + SHEET_OPEN).encode())
            for part in sheet_parts:
                sheet.write(part.encode())
            sheet.write(b"</worksheet>")
    return path


def dimension_bomb(folder: Path, headers=HEADERS, *, declare=True) -> Path:
    """The ledger header plus one cell at XFD1048576 (about 1 KB zipped): python-calamine
    allocates 1,048,576 × 16,384 cells for it, openpyxl pads every row to 16,384 columns."""
    dimension = '<dimension ref="A1:XFD1048576"/>' if declare else '<dimension ref="A1:S1"/>'
    parts = [
        dimension,
        "<sheetData>",
        row_xml(1, headers),
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
        "</sheetData>",
    ]
    return write_xlsx(folder / f"dimension-bomb{'' if declare else '-undeclared'}.xlsx", parts)


def zip_bomb(folder: Path, headers=HEADERS, *, megabytes=164, name="zip-bomb.xlsx") -> Path:
    """A small .xlsx whose sheet XML inflates to `megabytes` MB: the header, then the same
    empty-cell row again and again (no row numbers, so the rows stay within no limit)."""
    filler = "<row>" + "<c/>" * 19 + "</row>"
    block = filler * (1024 * 1024 // len(filler))

    def parts():
        yield "<sheetData>"
        yield row_xml(1, headers)
        for _ in range(megabytes):
            yield block
        yield "</sheetData>"

    return write_xlsx(folder / name, parts())


def declare_member_size(path: Path, member: str, size: int) -> Path:
    """Rewrite the zip at `path` so that `member` declares `size` bytes uncompressed (in its
    local header and its central directory entry), whatever it really inflates to."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    local = info.header_offset
    data[local + 22 : local + 26] = size.to_bytes(4, "little")
    end = data.rfind(b"PK\x05\x06")
    at = int.from_bytes(data[end + 16 : end + 20], "little")
    while data[at : at + 4] == b"PK\x01\x02":
        lengths = [int.from_bytes(data[at + i : at + i + 2], "little") for i in (28, 30, 32)]
        if data[at + 46 : at + 46 + lengths[0]] == info.filename.encode():
            data[at + 24 : at + 28] = size.to_bytes(4, "little")
        at += 46 + sum(lengths)
    path.write_bytes(bytes(data))
    return path


def lying_zip_bomb(folder: Path, headers=HEADERS) -> Path:
    """A zip bomb whose central directory declares the sheet tiny (1 KB, ratio 1:1): the
    inflated stream must be counted, not the declared size."""
    path = zip_bomb(folder, headers, megabytes=40, name="lying-zip-bomb.xlsx")
    return declare_member_size(path, "xl/worksheets/sheet1.xml", 1024)


def shapefile_zip_bomb(folder: Path, *, megabytes=40, name="bomb-shapefile.zip") -> Path:
    """A zipped Shapefile (.shp, .shx, .dbf, .prj) whose .shp inflates to `megabytes` MB of
    zeros: about 1 KB zipped per MB."""
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("parcels.shp", "w", force_zip64=False) as shp:
            for _ in range(megabytes):
                shp.write(bytes(1024 * 1024))
        for part in (".shx", ".dbf", ".prj"):
            archive.writestr(f"parcels{part}", b"")
    return path


def lying_shapefile_zip_bomb(folder: Path) -> Path:
    """A Shapefile zip bomb whose .shp declares 1 KB (ratio under 1:1)."""
    path = shapefile_zip_bomb(folder, name="lying-bomb-shapefile.zip")
    return declare_member_size(path, "parcels.shp", 1024)


def kml_billion_laughs(folder: Path) -> Path:
    """A KML file whose DTD nests entities (laughs_dtd) used in a placemark's name."""
    path = folder / "laughs.kml"
    path.write_text(
        f'<?xml version="1.0"?>{laughs_dtd("kml")}'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&lol9;</name>'
        "</Placemark></Document></kml>",
        encoding="utf-8",
    )
    return path


def laughs_dtd(root: str) -> str:
    """A DTD for `root` whose entity &lol9; nests ten deep: 10⁹ "lol"s, gigabytes expanded."""
    return (
        f'<!DOCTYPE {root} [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 10)
        )
        + "]>"
    )


def billion_laughs(folder: Path) -> Path:
    """A sheet whose XML declares nested entities (a DTD): expanding them takes gigabytes."""
    parts = ["<sheetData>", row_xml(1, HEADERS), "<row r='2'><c r='A2' t='inlineStr'><is><t>&lol9;</t></is></c></row>", "</sheetData>"]  # fmt: skip
    return write_xlsx(folder / "billion-laughs.xlsx", parts, prolog=laughs_dtd("lolz"))


def random_bytes(folder: Path, name="random.xlsx", size=50_000) -> Path:
    path = folder / name
    path.write_bytes(random.Random(8).randbytes(size))
    return path


def truncated(path: Path, folder: Path) -> Path:
    """The first half of a valid file (the zip's central directory is lost)."""
    data = path.read_bytes()
    out = folder / f"truncated-{path.name}"
    out.write_bytes(data[: len(data) // 2])
    return out


def oversized(folder: Path, name: str, size: int) -> Path:
    """A sparse file of `size` bytes (costs no disk)."""
    path = folder / name
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def csv_file(folder: Path, name: str, text: str, encoding="utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def ledger_csv(rows, headers=HEADERS) -> str:
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return buffer.getvalue()


def many_members(folder: Path, count=2_000) -> Path:
    path = folder / "many-members.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        for i in range(count):
            archive.writestr(f"xl/media/{i}.xml", "<a/>")
    return path


def html_page() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def svg_image() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b"<script>alert(document.domain)</script></svg>"
    )


def windows_exe() -> bytes:
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
    )


def pdf_document() -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png_image() -> bytes:
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def docx_document(folder: Path) -> Path:
    path = folder / "report.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("word/document.xml", "<w:document/>")
    return path
