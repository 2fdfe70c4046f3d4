"""Spreadsheets: .xlsx worksheets scanned as a stream for their declared and actual range, CSV
decoded line by line with bounded rows."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

from landsupply.uploads.base import (
    Limits,
    UploadRejected,
    binary_source,
    check_size,
    limits_for,
    suffix_of,
    thousands,
)
from landsupply.uploads.xmlfiles import xml_parser
from landsupply.uploads.zips import check_zip, zip_member_chunks

SPREADSHEET_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv"}
UNCHECKABLE_SPREADSHEETS = {".xls", ".ods", ".et"}
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Chinese Excel saves CSV in GBK, a GB18030 subset
_LETTERS = re.compile(r"[A-Za-z]{1,3}")
_DIGITS = "0123456789"


@dataclass(frozen=True)
class SpreadsheetInfo:
    """What the check found: "xlsx" or "csv", the used range (last row and column with a cell,
    header included), for CSV the encoding to read it with; complete is False when a worksheet
    larger than scan_bytes had only its head checked (rows and columns then leave it out)."""

    format: str
    rows: int
    columns: int
    encoding: str | None = None
    complete: bool = True


def _attr(attrs: list, key: str):
    for i in range(0, len(attrs), 2):
        if attrs[i] == key:
            return attrs[i + 1]
    return None


class _HeadRead(Exception):
    """The head of a worksheet (up to <sheetData>) is read; the cells are left for later."""


# Elements inside a cell (value, inline string, formula, rich-text run): most of the elements of a
# sheet, passed over before the other tests.
_IN_CELL = frozenset(("v", "is", "t", "f", "r"))


def scan_xml(chunks, *, name: str, limits: Limits, head_only: bool = False) -> tuple[int, int]:
    """Return (last row, last column) holding a cell in the <sheetData> of an XML part given as
    byte chunks (0, 0 for a part that is no worksheet), checking the declared <dimension> and
    every cell against the limits as it goes. Builds no tree; refuses a DTD. With head_only,
    stops where the cells begin (the DTD and the declared dimension are checked).

    Raises UploadRejected. This runs once per element of the sheet, so it is kept lean: the end
    of an element is handled by set.discard (no Python frame), which empties `open_sheet`, the
    spelling of the <sheetData> open now, when that element ends.
    """
    row = column = last_row = last_column = 0
    row_text = None  # the digits of the current row's number as written
    open_sheet: set[str] = set()  # one tag at most: <sheetData> or <x:sheetData> while open
    column_of: dict[str, int] = {}

    def start(tag, attrs, spelling=None):
        nonlocal row, column, last_row, last_column, row_text
        if tag == "c":
            if not open_sheet:
                return
            ref = attrs[1] if attrs and attrs[0] == "r" else _attr(attrs, "r")
            if ref:
                letters = ref.rstrip(_DIGITS)
                digits = ref[len(letters) :]
                if digits != row_text:
                    row, column, row_text = _int(digits, name), 0, digits
                    if row > last_row:
                        last_row = row
                        _check_range(
                            row, last_column, None, declared=False, name=name, limits=limits
                        )
                column = column_of.get(letters)
                if column is None:
                    column = column_of[letters] = _column_number(letters, ref, name)
            else:
                column += 1
            if column > last_column:
                last_column = column
                _check_range(last_row, column, ref, declared=False, name=name, limits=limits)
        elif tag in _IN_CELL:
            return
        elif tag == "row":
            if open_sheet:
                ref = _attr(attrs, "r")
                row, column, row_text = (_int(ref, name) if ref else row + 1), 0, ref
                if row > last_row:
                    last_row = row
                    _check_range(row, last_column, None, declared=False, name=name, limits=limits)
        elif tag == "sheetData":
            if head_only:
                raise _HeadRead
            # Only an end of this very spelling empties the set; in well-formed XML an element
            # opened before it cannot end while it is open, so the set is empty exactly when
            # some <sheetData> ended after the last one started.
            open_sheet.clear()
            open_sheet.add(spelling or tag)
        elif tag == "dimension":
            ref = _attr(attrs, "ref") or ""
            last = ref.rpartition(":")[2].replace("$", "")
            if last:
                rows, columns = _cell_position(last, name)
                _check_range(rows, columns, ref, declared=True, name=name, limits=limits)
        elif ":" in tag:  # a prefixed name, <x:c>
            start(tag.rpartition(":")[2], attrs, tag)

    parser = xml_parser(name, start, open_sheet.discard)
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _HeadRead:
        pass
    except expat.ExpatError:
        raise UploadRejected(
            _("文件「%(name)s」的内容不是有效的 XML（文件已损坏）。") % {"name": name},
            code="bad_xml",
        ) from None
    return last_row, last_column


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
        where = _("有第 %(row)s 行") % {"row": thousands(rows)}
    raise UploadRejected(
        _(
            "文件「%(name)s」的工作表%(where)s（%(rows)s 行 × %(columns)s 列），"
            "超过上限：最多 %(max_rows)s 行数据（不含列标题行）、%(max_columns)s 列、"
            "共 %(max_cells)s 个单元格。"
        )
        % {
            "name": name,
            "where": where,
            "rows": thousands(rows),
            "columns": thousands(columns),
            "max_rows": thousands(limits.max_rows),
            "max_columns": thousands(limits.max_columns),
            "max_cells": thousands(limits.max_cells),
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


def _check_xlsx(handle, *, name: str, limits: Limits, scan_bytes: int | None) -> SpreadsheetInfo:
    archive = check_zip(handle, name=name, limits=limits, what=".xlsx")
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names and not any(n.endswith("/workbook.xml") for n in names):
        raise UploadRejected(
            _("文件「%(name)s」不是 Excel 工作簿（缺少 workbook.xml）。") % {"name": name},
            code="not_xlsx",
        )
    total = 0
    rows = columns = 0
    complete = True
    # Every XML part is scanned: a worksheet is whatever part holds <sheetData>, under any name.
    for info in archive.infolist():
        head_only = scan_bytes is not None and info.file_size > scan_bytes
        complete = complete and not head_only
        chunks = zip_member_chunks(archive, info, name=name, limits=limits, total=total)
        counted = _counted(chunks)
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            last_row, last_column = scan_xml(counted, name=name, limits=limits, head_only=head_only)
            rows, columns = max(rows, last_row), max(columns, last_column)
        elif not head_only:
            for _chunk in counted:
                pass
        total += counted.bytes
    return SpreadsheetInfo(format="xlsx", rows=rows, columns=columns, complete=complete)


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
                    % {"name": name, "row": counter["row"] + 1, "limit": thousands(limit)},
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
                    values["limit"] = thousands(csv.field_size_limit())
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
                            "max_rows": thousands(limits.max_rows),
                            "max_columns": thousands(limits.max_columns),
                            "row": thousands(rows),
                            "columns": thousands(used),
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


def check_spreadsheet(
    source, *, name: str, kind: str, scan_bytes: int | None = None
) -> SpreadsheetInfo:
    """Return what a spreadsheet upload holds once it has passed every limit of `kind`
    (limits_for): size; for .xlsx/.xlsm the zip checks, the declared and the actual used range
    of every worksheet (rows, columns, cells); for .csv the encoding, NUL bytes, row length,
    rows and columns. `source` is a path or a file; `name` gives the type by its extension
    (the content must agree). Memory stays bounded (see the module docstring).

    scan_bytes (the web request's budget, settings.UPLOAD_WEB_SCAN_BYTES) leaves the cells of a
    worksheet part larger than that to a later full check: its DTD, declared dimension and zip
    sizes are still checked. Readers always run the full check (scan_bytes None).

    Raises UploadRejected with a message naming the file and the limit.
    """
    limits = limits_for(kind)
    suffix = suffix_of(name)
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
    with binary_source(source) as handle:
        if SPREADSHEET_SUFFIXES[suffix] == "csv":
            return _check_csv(handle, name=name, limits=limits)
        return _check_xlsx(handle, name=name, limits=limits, scan_bytes=scan_bytes)
