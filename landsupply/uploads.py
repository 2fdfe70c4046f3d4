"""Every uploaded file is checked here before anything reads it. The one place for upload limits.

Three kinds of upload use it today (the limits of each are settings, see UPLOAD_LIMITS):

- "ledger": the parcel ledger (.xlsx/.xlsm or .csv), read by python-calamine or csv;
- "plan": the annual plan spreadsheet (.xlsx or .csv), read by openpyxl or csv;
- "evidence": indicator-report evidence (PDF, images, office documents), stored and served.

A check never allocates more than a bounded amount of memory, whatever the file claims:

- the size is read from the file, never trusted from the request;
- a zip (.xlsx, .docx …) is opened only after its end-of-central-directory record shows a small
  central directory; every member is then decompressed here, in 1 MiB steps, counting the real
  output (a member that inflates past its declared size, the total uncompressed limit or the
  compression-ratio limit is refused at that point, before the rest is inflated);
- spreadsheet XML is scanned by expat as a stream (no tree is built) for `<dimension ref>` and
  for the row and column of every cell; a DTD is refused (no entity expansion, no external
  entities). python-calamine allocates rows × columns cells for the used range and openpyxl pads
  every row to the widest, so the declared dimension and the actual range must both fit the row,
  column and cell limits;
- CSV is decoded incrementally (UTF-8, UTF-8 with BOM, else GB18030), line by line with a cap on
  a row's length, so a row of a million commas cannot become a list of a million fields.

Rejections raise UploadRejected (a ValidationError) whose message, in Chinese (translated),
names the file and the limit. Boundary files and the API call the same functions later:
check_size, check_zip, check_spreadsheet, check_evidence, and local_copy to hand a stored
file to a reader that needs a path.
"""

import contextlib
import csv
import io
import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

CHUNK = 1 << 20  # bytes read or inflated at a time
SPREADSHEET_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv"}
UNCHECKABLE_SPREADSHEETS = {".xls", ".ods", ".et"}
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Chinese Excel saves CSV in GBK, a GB18030 subset

# Evidence: the allowed content types, by the extension the name must carry.
EVIDENCE_TYPES = {
    "pdf": ("pdf",),
    "jpg": ("jpg", "jpeg"),
    "png": ("png",),
    "gif": ("gif",),
    "webp": ("webp",),
    "tif": ("tif", "tiff"),
    "bmp": ("bmp",),
    "ole": ("doc", "xls", "ppt", "wps", "et", "dps"),  # Office 97–2003 and WPS
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    "pptx": ("pptx",),
    "odt": ("odt",),
    "ods": ("ods",),
    "odp": ("odp",),
}
EVIDENCE_ALLOWED_TEXT = (
    "PDF、JPG、PNG、GIF、WEBP、TIFF、BMP、DOC(X)、XLS(X)、PPT(X)、ODT、ODS、ODP、WPS"
)
# OOXML main parts and ODF mimetypes that tell a zipped document's real type.
OOXML_MAIN_PARTS = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
_EOCD = struct.Struct("<4s4H2LH")
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_LETTERS = re.compile(r"[A-Za-z]{1,3}")
_DIGITS = "0123456789"


class UploadRejected(ValidationError):
    """The uploaded file breaks a limit or is not what its name says. The message names both."""


@dataclass(frozen=True)
class Limits:
    """Limits of one kind of upload. Bytes, rows, columns, cells; ratio is uncompressed ÷
    compressed size of one zip member."""

    kind: str
    max_bytes: int
    max_rows: int = 0
    max_columns: int = 0
    max_cells: int = 0
    max_uncompressed_bytes: int = 0
    max_ratio: int = 0
    max_members: int = 0


@dataclass(frozen=True)
class SpreadsheetInfo:
    """What the check found: "xlsx" or "csv", the used range (last row and column with a cell,
    header included) and, for CSV, the encoding to read it with."""

    format: str
    rows: int
    columns: int
    encoding: str | None = None


def limits_for(kind: str) -> Limits:
    """Return the Limits of `kind` ("ledger", "plan", "evidence", …) from settings.UPLOAD_LIMITS,
    zip limits from UPLOAD_MAX_UNCOMPRESSED_BYTES, UPLOAD_MAX_COMPRESSION_RATIO and
    UPLOAD_MAX_ZIP_MEMBERS. Raises KeyError for a kind without limits."""
    values = settings.UPLOAD_LIMITS[kind]
    return Limits(
        kind=kind,
        max_bytes=values["max_bytes"],
        max_rows=values.get("max_rows", 0),
        max_columns=values.get("max_columns", 0),
        max_cells=values.get("max_cells", 0),
        max_uncompressed_bytes=settings.UPLOAD_MAX_UNCOMPRESSED_BYTES,
        max_ratio=settings.UPLOAD_MAX_COMPRESSION_RATIO,
        max_members=settings.UPLOAD_MAX_ZIP_MEMBERS,
    )


def _size(num: int) -> str:
    return str(filesizeformat(num)).replace("\xa0", " ")


def _num(num: int) -> str:
    return f"{num:,}"


@contextlib.contextmanager
def _binary(source):
    """Yield a seekable binary file for a path or an open file (rewound; left open)."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            yield handle
        return
    handle = getattr(source, "file", source)  # Django's File and UploadedFile wrap one
    handle.seek(0)
    try:
        yield handle
    finally:
        handle.seek(0)


def _file_size(handle) -> int:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def _suffix(name: str) -> str:
    return Path(name or "").suffix.lower()


def check_size(source, *, name: str, max_bytes: int) -> int:
    """Return the size of `source` (a path or a file) in bytes, measured, not as declared.

    Raises UploadRejected naming the file, its size and the limit when it is larger than
    max_bytes, or when it is empty. A file cut short by LimitedUploadHandler reports the size
    the client sent.
    """
    declared = getattr(source, "size", None) if getattr(source, "truncated", False) else None
    with _binary(source) as handle:
        size = declared or _file_size(handle)
    if size > max_bytes:
        raise UploadRejected(
            _("文件「%(name)s」大小为 %(size)s，超过上限 %(limit)s。")
            % {"name": name, "size": _size(size), "limit": _size(max_bytes)},
            code="too_large",
        )
    if size == 0:
        raise UploadRejected(_("文件「%(name)s」是空的。") % {"name": name}, code="empty")
    return size


# --- zip ------------------------------------------------------------------------------------


def _not_a_zip(name: str, what: str) -> UploadRejected:
    return UploadRejected(
        _(
            "文件「%(name)s」不是有效的 %(what)s 文件（无法按压缩格式打开：已损坏、不完整或改了扩展名）。"
        )
        % {"name": name, "what": what},
        code="not_zip",
    )


def check_zip(handle, *, name: str, limits: Limits, what: str = "zip") -> zipfile.ZipFile:
    """Return the ZipFile of `handle` after checking its directory: a central directory small
    enough for limits.max_members entries, no ZIP64, every member stored or deflated and within
    the declared total uncompressed size and compression ratio. Members are not inflated here
    (zip_member_chunks does that, counting the real output).

    `what` names the expected format in messages (".xlsx", ".docx"). Raises UploadRejected.
    """
    size = _file_size(handle)
    tail_length = min(size, _EOCD.size + 0xFFFF)
    handle.seek(size - tail_length)
    tail = handle.read(tail_length)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        raise _not_a_zip(name, what)
    _sig, _disk, _cd_disk, _n_disk, entries, cd_size, _cd_offset, _comment = _EOCD.unpack(
        tail[at : at + _EOCD.size]
    )
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        raise UploadRejected(
            _("文件「%(name)s」是 ZIP64 压缩包，不予处理。") % {"name": name}, code="zip64"
        )
    # A central directory entry takes at least 46 bytes plus its name; allow 300 per member.
    if entries > limits.max_members or cd_size > limits.max_members * 300:
        raise UploadRejected(
            _("文件「%(name)s」内含 %(count)s 个文件，超过上限 %(limit)s 个。")
            % {"name": name, "count": _num(entries), "limit": _num(limits.max_members)},
            code="too_many_members",
        )
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _not_a_zip(name, what) from None
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise UploadRejected(
                _("文件「%(name)s」已加密，无法检查。") % {"name": name}, code="encrypted"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UploadRejected(
                _("文件「%(name)s」使用了不支持的压缩方式。") % {"name": name},
                code="compression",
            )
        total += info.file_size
        _check_member_sizes(name, info, info.file_size, total, limits)
    return archive


def _check_member_sizes(name: str, info, inflated: int, total: int, limits: Limits) -> None:
    if total > limits.max_uncompressed_bytes:
        raise UploadRejected(
            _("文件「%(name)s」解压后超过 %(limit)s 的上限（疑似压缩炸弹）。")
            % {"name": name, "limit": _size(limits.max_uncompressed_bytes)},
            code="uncompressed_too_large",
        )
    # Tiny members compress at odd ratios; the ratio matters once a member is large.
    if inflated > CHUNK and inflated > limits.max_ratio * max(info.compress_size, 1):
        raise UploadRejected(
            _(
                "文件「%(name)s」中的「%(member)s」压缩比超过 %(limit)s:1 的上限"
                "（%(compressed)s 解压为 %(inflated)s 以上，疑似压缩炸弹）。"
            )
            % {
                "name": name,
                "member": info.filename,
                "limit": limits.max_ratio,
                "compressed": _size(info.compress_size),
                "inflated": _size(inflated),
            },
            code="ratio",
        )


def zip_member_chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, name: str, limits: Limits, total: int = 0
) -> Iterator[bytes]:
    """Yield the inflated content of one member of a checked archive, CHUNK bytes at most at a
    time, inflating the raw data here so that a member whose stream inflates past its declared
    size, the ratio limit or the total limit (`total` bytes already inflated before it) is
    refused at that point. Raises UploadRejected.
    """
    handle = archive.fp
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise _not_a_zip(name, "zip")
    fields = _LOCAL_HEADER.unpack(header)
    handle.seek(fields[-2] + fields[-1], os.SEEK_CUR)  # file name and extra field
    left = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    inflated = 0
    pending = b""
    while left > 0 or pending:
        if not pending:
            pending = handle.read(min(CHUNK, left))
            if not pending:
                raise _not_a_zip(name, "zip")  # the data ends before its declared size
            left -= len(pending)
        if inflater is None:
            out, pending = pending, b""
        else:
            try:
                out = inflater.decompress(pending, CHUNK)
            except zlib.error:
                raise _not_a_zip(name, "zip") from None
            pending = inflater.unconsumed_tail
        inflated += len(out)
        if inflated > info.file_size:
            raise UploadRejected(
                _("文件「%(name)s」中的「%(member)s」解压后大于其声明的大小，不予处理。")
                % {"name": name, "member": info.filename},
                code="size_mismatch",
            )
        _check_member_sizes(name, info, inflated, total + inflated, limits)
        if out:
            yield out
        if inflater is not None and inflater.eof:
            break


# --- spreadsheets ---------------------------------------------------------------------------


def _refuse_dtd(name: str):
    def refuse(*args):
        raise UploadRejected(
            _("文件「%(name)s」含有 XML 文档类型声明（DTD），出于安全原因不予处理。")
            % {"name": name},
            code="dtd",
        )

    return refuse


def _xml_parser(name: str, start, end=None):
    """Return an expat parser (attributes as [name, value, …]) that refuses any DTD, so no
    entity is expanded and nothing external is fetched."""
    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    refuse = _refuse_dtd(name)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def _attr(attrs: list, key: str):
    for i in range(0, len(attrs), 2):
        if attrs[i] == key:
            return attrs[i + 1]
    return None


def scan_xml(chunks, *, name: str, limits: Limits) -> tuple[int, int]:
    """Return (last row, last column) holding a cell in the <sheetData> of an XML part given as
    byte chunks (0, 0 for a part that is no worksheet), checking the declared <dimension> and
    every cell against the limits as it goes. Builds no tree; refuses a DTD.

    Raises UploadRejected. This runs once per element of the sheet, so it is kept lean.
    """
    # state: row, column, max row, max column, text of the current row number, in sheetData
    state = [0, 0, 0, 0, None, False]
    column_of: dict[str, int] = {}

    def fits(rows: int, columns: int, ref, declared=False) -> None:
        _check_range(rows, columns, ref, declared=declared, name=name, limits=limits)

    def new_row(row: int) -> None:
        state[0], state[1] = row, 0
        if row > state[2]:
            state[2] = row
            fits(row, state[3], None)

    def start(tag, attrs):
        if tag == "c":
            if not state[5]:
                return
            ref = attrs[1] if attrs and attrs[0] == "r" else _attr(attrs, "r")
            if ref:
                letters = ref.rstrip(_DIGITS)
                digits = ref[len(letters) :]
                if digits != state[4]:
                    new_row(_int(digits, name))
                    state[4] = digits
                column = column_of.get(letters)
                if column is None:
                    column = column_of[letters] = _column_number(letters, ref, name)
            else:
                column = state[1] + 1
            state[1] = column
            if column > state[3]:
                state[3] = column
                fits(state[2], column, ref)
        elif tag == "row":
            if state[5]:
                ref = _attr(attrs, "r")
                new_row(_int(ref, name) if ref else state[0] + 1)
                state[4] = ref
        elif tag == "sheetData":
            state[5] = True
        elif tag == "dimension":
            ref = _attr(attrs, "ref") or ""
            last = ref.rpartition(":")[2].replace("$", "")
            if last:
                rows, columns = _cell_position(last, name)
                fits(rows, columns, ref, declared=True)
        elif ":" in tag:  # a prefixed name, <x:c>
            start(tag.rpartition(":")[2], attrs)

    def end(tag):
        if tag == "sheetData" or tag.endswith(":sheetData"):
            state[5] = False

    parser = _xml_parser(name, start, end)
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise UploadRejected(
            _("文件「%(name)s」的内容不是有效的 XML（文件已损坏）。") % {"name": name},
            code="bad_xml",
        ) from None
    return state[2], state[3]


def _check_range(rows, columns, ref, *, declared, name, limits) -> None:
    """Refuse a used range past the limits (the header row is not counted in max_rows)."""
    if (
        rows <= limits.max_rows + 1
        and columns <= limits.max_columns
        and rows * columns <= limits.max_cells
    ):
        return
    if declared:
        where = _("声明的数据范围为 %(ref)s") % {"ref": ref}
    elif ref:
        where = _("在 %(ref)s 处有单元格") % {"ref": ref}
    else:
        where = _("有第 %(row)s 行") % {"row": _num(rows)}
    raise UploadRejected(
        _(
            "文件「%(name)s」的工作表%(where)s（%(rows)s 行 × %(columns)s 列），"
            "超过上限：最多 %(max_rows)s 行数据（不含列标题行）、%(max_columns)s 列、"
            "共 %(max_cells)s 个单元格。"
        )
        % {
            "name": name,
            "where": where,
            "rows": _num(rows),
            "columns": _num(columns),
            "max_rows": _num(limits.max_rows),
            "max_columns": _num(limits.max_columns),
            "max_cells": _num(limits.max_cells),
        },
        code="too_many_cells",
    )


def _int(text: str, name: str) -> int:
    if not text.isdigit() or len(text) > 9 or not text.isascii():
        raise UploadRejected(
            _("文件「%(name)s」的工作表内容无效（行号「%(text)s」）。")
            % {"name": name, "text": text[:20]},
            code="bad_xml",
        )
    return int(text)


def _column_number(letters: str, ref: str, name: str) -> int:
    if not _LETTERS.fullmatch(letters):
        raise UploadRejected(
            _("文件「%(name)s」的工作表内容无效（单元格位置「%(ref)s」）。")
            % {"name": name, "ref": ref[:20]},
            code="bad_xml",
        )
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return column


def _cell_position(ref: str, name: str) -> tuple[int, int]:
    """Return (row, column), both from 1, of an A1-style reference such as XFD1048576."""
    letters = ref.rstrip(_DIGITS)
    return _int(ref[len(letters) :], name), _column_number(letters, ref, name)


class _counted:
    """Iterates over byte chunks, adding up their length in `bytes`."""

    def __init__(self, chunks):
        self.chunks = chunks
        self.bytes = 0

    def __iter__(self):
        for chunk in self.chunks:
            self.bytes += len(chunk)
            yield chunk


def _check_xlsx(handle, *, name: str, limits: Limits) -> SpreadsheetInfo:
    archive = check_zip(handle, name=name, limits=limits, what=".xlsx")
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names and not any(n.endswith("/workbook.xml") for n in names):
        raise UploadRejected(
            _("文件「%(name)s」不是 Excel 工作簿（缺少 workbook.xml）。") % {"name": name},
            code="not_xlsx",
        )
    total = 0
    rows = columns = 0
    # Every XML part is scanned: a worksheet is whatever part holds <sheetData>, under any name.
    for info in archive.infolist():
        chunks = zip_member_chunks(archive, info, name=name, limits=limits, total=total)
        counted = _counted(chunks)
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            last_row, last_column = scan_xml(counted, name=name, limits=limits)
            rows, columns = max(rows, last_row), max(columns, last_column)
        else:
            for _chunk in counted:
                pass
        total += counted.bytes
    return SpreadsheetInfo(format="xlsx", rows=rows, columns=columns)


def _csv_lines(handle, encoding: str, *, name: str, counter: dict) -> Iterator[str]:
    """Yield decoded lines, none longer than settings.UPLOAD_CSV_MAX_ROW_CHARS characters, and
    no more than that many characters per CSV row (counter["row_chars"], reset by csv_rows when
    the reader yields a row). Refuses a NUL character. UnicodeDecodeError for other bytes."""
    limit = settings.UPLOAD_CSV_MAX_ROW_CHARS
    text = io.TextIOWrapper(handle, encoding=encoding, errors="strict", newline="")
    try:
        while line := text.readline(limit + 1):
            counter["row_chars"] += len(line)
            if counter["row_chars"] > limit:
                raise UploadRejected(
                    _("文件「%(name)s」第 %(row)s 行超过 %(limit)s 个字符的上限。")
                    % {"name": name, "row": counter["row"] + 1, "limit": _num(limit)},
                    code="row_too_long",
                )
            if "\x00" in line:
                raise UploadRejected(
                    _("文件「%(name)s」第 %(row)s 行含有空字符（NUL），不是有效的文本 CSV。")
                    % {"name": name, "row": counter["row"] + 1},
                    code="nul",
                )
            yield line
    finally:
        text.detach()


def csv_rows(handle, encoding: str, *, name: str) -> Iterator[list[str]]:
    """Yield the rows of a CSV file (binary handle) decoded with `encoding`, each row bounded
    by settings.UPLOAD_CSV_MAX_ROW_CHARS. Rows are counted as a spreadsheet shows them (a quoted
    line break stays in its row). Raises UploadRejected for a NUL character, a row too long, a
    field over csv's field limit or bad quoting, naming the row; UnicodeDecodeError for bytes
    that are not `encoding`."""
    counter = {"row": 0, "row_chars": 0}
    lines = _csv_lines(handle, encoding, name=name, counter=counter)
    reader = csv.reader(lines)
    try:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                values = {"name": name, "row": counter["row"] + 1, "error": exc}
                if "field limit" in str(exc):
                    values["limit"] = _num(csv.field_size_limit())
                    message = _(
                        "文件「%(name)s」第 %(row)s 行有单元格超过 %(limit)s 个字符的上限。"
                    )
                else:
                    message = _("文件「%(name)s」第 %(row)s 行无法按 CSV 读取（%(error)s）。")
                raise UploadRejected(message % values, code="bad_csv") from None
            counter["row"] += 1
            counter["row_chars"] = 0
            yield row
    finally:
        lines.close()


def _check_csv(handle, *, name: str, limits: Limits) -> SpreadsheetInfo:
    head = handle.read(8)
    handle.seek(0)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        raise UploadRejected(
            _("文件「%(name)s」不是文本 CSV（内容是压缩包、Office 或 PDF 文件）。")
            % {"name": name},
            code="not_csv",
        )
    for encoding in CSV_ENCODINGS:
        handle.seek(0)
        rows = columns = 0
        try:
            for row in csv_rows(handle, encoding, name=name):
                rows += 1
                used = len(row)
                while used and not row[used - 1].strip():
                    used -= 1
                columns = max(columns, used)
                if rows > limits.max_rows + 1 or columns > limits.max_columns:
                    raise UploadRejected(
                        _(
                            "文件「%(name)s」超过上限：最多 %(max_rows)s 行数据（不含列标题行）、"
                            "%(max_columns)s 列（已读到第 %(row)s 行，该行 %(columns)s 列）。"
                        )
                        % {
                            "name": name,
                            "max_rows": _num(limits.max_rows),
                            "max_columns": _num(limits.max_columns),
                            "row": _num(rows),
                            "columns": _num(used),
                        },
                        code="too_many_cells",
                    )
        except UnicodeDecodeError:
            continue
        return SpreadsheetInfo(format="csv", rows=rows, columns=columns, encoding=encoding)
    raise UploadRejected(
        _("无法识别 CSV 文件「%(name)s」的编码，请另存为 UTF-8 或 GBK 编码的 CSV。")
        % {"name": name},
        code="encoding",
    )


def check_spreadsheet(source, *, name: str, kind: str) -> SpreadsheetInfo:
    """Return what a spreadsheet upload holds once it has passed every limit of `kind`
    (limits_for): size; for .xlsx/.xlsm the zip checks, the declared and the actual used range
    of every worksheet (rows, columns, cells); for .csv the encoding, NUL bytes, row length,
    rows and columns. `source` is a path or a file; `name` gives the type by its extension
    (the content must agree). Memory stays bounded (see the module docstring).

    Raises UploadRejected with a message naming the file and the limit.
    """
    limits = limits_for(kind)
    suffix = _suffix(name)
    if suffix in UNCHECKABLE_SPREADSHEETS:
        raise UploadRejected(
            _(
                "不支持「%(name)s」的 %(suffix)s 格式：请在 Excel 或 WPS 中另存为 .xlsx（或 .csv）后上传。"
            )
            % {"name": name, "suffix": suffix},
            code="format",
        )
    if suffix not in SPREADSHEET_SUFFIXES:
        raise UploadRejected(
            _("只能上传 .xlsx 或 .csv 文件，「%(name)s」不是。") % {"name": name}, code="format"
        )
    check_size(source, name=name, max_bytes=limits.max_bytes)
    with _binary(source) as handle:
        if SPREADSHEET_SUFFIXES[suffix] == "csv":
            return _check_csv(handle, name=name, limits=limits)
        return _check_xlsx(handle, name=name, limits=limits)


# --- evidence -------------------------------------------------------------------------------


def _zipped_document(handle, *, name: str, limits: Limits) -> str | None:
    """Return docx/xlsx/pptx/odt/ods/odp for a zipped office document that passes the zip
    checks (every member inflated and counted), else None."""
    archive = check_zip(handle, name=name, limits=limits)
    names = set(archive.namelist())
    found = None
    if "[Content_Types].xml" in names:
        found = next((t for part, t in OOXML_MAIN_PARTS.items() if part in names), None)
    elif "mimetype" in names:
        info = archive.getinfo("mimetype")
        if info.file_size <= 100:
            mimetype = b"".join(zip_member_chunks(archive, info, name=name, limits=limits))
            found = ODF_MIMETYPES.get(mimetype.strip())
    if found:
        total = 0
        for info in archive.infolist():
            for chunk in zip_member_chunks(archive, info, name=name, limits=limits, total=total):
                total += len(chunk)
    return found


def check_evidence(source, *, name: str) -> str:
    """Return the content type found ("pdf", "png", "docx", "ole" …; see EVIDENCE_TYPES) of an
    evidence upload that passes: size within UPLOAD_LIMITS["evidence"], content (magic bytes,
    for zipped documents the zip structure) of an allowed type, and a name whose extension
    belongs to that type. HTML, SVG, executables and anything unrecognised are refused.

    Raises UploadRejected naming the file, what it holds and what is allowed.
    """
    import filetype

    limits = limits_for("evidence")
    check_size(source, name=name, max_bytes=limits.max_bytes)
    with _binary(source) as handle:
        head = handle.read(8192)
        handle.seek(0)
        guess = filetype.guess(head)
        detected = guess.extension if guess else None
        if detected in ("zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar"):
            detected = _zipped_document(handle, name=name, limits=limits) or "zip"
        elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            detected = "ole"
        elif detected == "jpeg":
            detected = "jpg"
        elif detected == "tiff":
            detected = "tif"
    allowed = {"." + ext for ext in EVIDENCE_TYPES.get(detected, ())}
    suffix = _suffix(name)
    if not allowed:
        what = guess.mime if guess else _("无法识别的内容")
        raise UploadRejected(
            _("证明材料「%(name)s」的内容（%(what)s）不在允许的类型之内；允许：%(allowed)s。")
            % {"name": name, "what": what, "allowed": EVIDENCE_ALLOWED_TEXT},
            code="type",
        )
    if suffix not in allowed:
        raise UploadRejected(
            _("证明材料「%(name)s」的扩展名与内容（%(what)s）不符；请使用 %(suffixes)s。")
            % {"name": name, "what": detected.upper(), "suffixes": "、".join(sorted(allowed))},
            code="type",
        )
    return detected


# --- handing files to readers ---------------------------------------------------------------


@contextlib.contextmanager
def local_copy(field_file, *, max_bytes: int, suffix: str = "") -> Iterator[Path]:
    """Yield the path of a temporary local copy of a stored file (read through its storage's
    open(), so the web and the worker may be different machines), deleted afterwards.

    Raises UploadRejected when the stored file is larger than max_bytes (it is not copied on).
    """
    with tempfile.NamedTemporaryFile(suffix=suffix, prefix="landsupply-") as copy:
        copied = 0
        with field_file.storage.open(field_file.name, "rb") as stored:
            while chunk := stored.read(CHUNK):
                copied += len(chunk)
                if copied > max_bytes:
                    raise UploadRejected(
                        _("文件「%(name)s」大小超过上限 %(limit)s。")
                        % {"name": os.path.basename(field_file.name), "limit": _size(max_bytes)},
                        code="too_large",
                    )
                copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Stores an uploaded file on disk up to settings.UPLOAD_REQUEST_MAX_BYTES and drops the
    rest, so an oversized upload cannot fill the disk; the file then reports the size the
    client sent (`truncated` is set) and check_size refuses it with a clear message."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_REQUEST_MAX_BYTES:
            return None
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        uploaded.truncated = self.received > settings.UPLOAD_REQUEST_MAX_BYTES
        return uploaded


__all__ = [
    "Limits",
    "LimitedUploadHandler",
    "SpreadsheetInfo",
    "UploadRejected",
    "check_evidence",
    "check_size",
    "check_spreadsheet",
    "check_zip",
    "csv_rows",
    "limits_for",
    "local_copy",
    "zip_member_chunks",
]
