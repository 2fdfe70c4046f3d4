"""Every .xlsx and .csv the app produces is written here: the one formula-safe writer.

Text that users typed reaches city staff and enterprises through these files. A spreadsheet
program runs a cell that starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(…)`,
`=cmd|…`, DDE), and a leading tab or line break hides such a start. So every text value is
written as plain text:

- .xlsx: text cells are string cells, always (XlsxWriter's `write_string` only, and the workbook
  never turns a string into a formula, number or link); a text that looks like a formula (see
  formula_like) also gets Excel's quote prefix (the leading apostrophe: the cell stays text when
  edited). Characters that .xlsx cannot hold are replaced by U+FFFD; a carriage return, and a
  text that spells such an escape (`_x000D_`), are escaped as Excel escapes them, so Excel and
  python-calamine read back what was written. Empty text leaves the cell empty.
- .csv: such a text is written with a leading apostrophe (OWASP's CSV-injection advice); UTF-8
  with a BOM so Excel reads Chinese.

Numbers, dates and booleans stay numbers, dates and booleans (dates with a date format; aware
datetimes in local time). Workbooks are written with XlsxWriter in its `constant_memory` mode:
each row goes to a temporary file on disk as soon as the next one starts, and the workbook is
zipped from there into the target (a temporary file that spills to disk for a download), so
memory stays flat; responses stream that file. Rows are consumed once, as they come (pass a
generator over `queryset.iterator()`), so no export holds its rows in memory. (openpyxl, about
half as fast at writing the same cells, is still what reads plan spreadsheets.)

A table that may be large is an `Export` (file name, sheet title, headers, rows): the view sends
it at once (`export_response`) when it is small and otherwise a Celery worker writes it with
`write_export` (landsupply.export_jobs): the same writer either way.
"""

import csv
import datetime
import io
import math
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = frozenset("=+-@")
# What formula_like looks for in a text's first character: FORMULA_STARTS or a control character.
RISKY_FIRST = FORMULA_STARTS | {chr(code) for code in range(32)} | {"\x7f"}
# Characters an .xlsx cell cannot hold (XML 1.0 has no other control characters than tab, LF, CR).
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_ROWS = 1_048_576  # rows of an .xlsx sheet (XlsxWriter would drop the rest silently)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"
WORKBOOK_OPTIONS = {
    "constant_memory": True,  # each row to disk when the next starts; rows in order, once
    "strings_to_formulas": False,  # never a formula cell from a string
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
SPOOL_BYTES = 8 * 1024 * 1024  # a workbook larger than this is kept on disk while it is sent


@dataclass
class Sheet:
    """One worksheet: its title (cut to Excel's 31 characters), a header row (bold; may be
    empty), the rows (any iterable, consumed once) and optional column widths in characters."""

    title: str
    headers: Sequence
    rows: Iterable[Sequence]
    widths: Sequence[float] = ()


def formula_like(text: str) -> bool:
    """Return whether a spreadsheet program could take `text` for a formula: it starts with
    = + - @ or a control character (tab, CR, LF …)."""
    return text[:1] in RISKY_FIRST


def _plain(value):
    """Return `value` as a spreadsheet value: text as str, lazy translations resolved, aware
    datetimes in local time (Excel has no time zones), non-finite Decimals as text; booleans
    as 是/否 (Yes/No in English), never TRUE/FALSE or 1/0."""
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else str(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str | Promise):
        return str(value)  # str subclasses (ColumnNote) translate in __str__
    return str(value)


def csv_value(value):
    """Return `value` for a CSV cell: text that looks like a formula behind an apostrophe."""
    value = _plain(value)
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def _sheet_title(title: str) -> str:
    """Return `title` cut to Excel's 31 characters (UTF-16 code units, as Excel counts)."""
    title = title[:31]
    while len(title.encode("utf-16-le")) > 62:
        title = title[:-1]
    return title


def _write_rows(sheet, rows: Iterable[Sequence], start: int, text, quoted, day, moment) -> int:
    """Write `rows` to `sheet` from row index `start`, each cell with XlsxWriter's typed call
    (never `write()`, which guesses), and return the next row index. `text` and `quoted` are
    the formats of plain and formula-like text, `day` and `moment` of dates and datetimes. None
    and empty text leave the cell empty (as openpyxl did: no value)."""
    write_string, write_number = sheet.write_string, sheet.write_number
    write_datetime = sheet.write_datetime
    illegal, risky = ILLEGAL_CHARACTERS.search, RISKY_FIRST
    next_row = start
    for row_index, row in enumerate(rows, start):
        if row_index >= MAX_ROWS:
            raise ValueError(f"more than {MAX_ROWS:,} rows for one .xlsx sheet")
        next_row = row_index + 1
        for col, value in enumerate(row):
            kind = type(value)
            if kind is not str:  # plain text, ints and Decimals (most cells) skip _plain
                if value is None:
                    continue
                if kind is int or kind is Decimal and value.is_finite():
                    write_number(row_index, col, value)
                    continue
                value = _plain(value)
                if value is None:
                    continue
                if not isinstance(value, str):
                    if isinstance(value, datetime.datetime):
                        write_datetime(row_index, col, value, moment)
                    elif isinstance(value, datetime.date):
                        write_datetime(row_index, col, value, day)
                    else:
                        write_number(row_index, col, value)
                    continue
            if not value:
                continue
            if illegal(value):
                value = ILLEGAL_CHARACTERS.sub("\ufffd", value)
            write_string(row_index, col, value, quoted if value[:1] in risky else text)
    return next_row


def write_xlsx(sheets: Iterable[Sheet], target) -> None:
    """Write `sheets` as an .xlsx workbook to `target` (a path or a binary file), formula-safe
    (see the module docstring), with XlsxWriter's constant_memory mode. Its row files live in
    a temporary folder that is removed afterwards, also when a row fails."""
    import xlsxwriter

    with tempfile.TemporaryDirectory(prefix="xlsx-") as tmpdir:
        workbook = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "tmpdir": tmpdir})
        formats = {
            key: workbook.add_format(properties)
            for key, properties in {
                "quoted": {"quote_prefix": True},
                "bold": {"bold": True},
                "bold_quoted": {"bold": True, "quote_prefix": True},
                "day": {"num_format": DATE_FORMAT},
                "moment": {"num_format": DATETIME_FORMAT},
            }.items()
        }
        day, moment = formats["day"], formats["moment"]
        for spec in sheets:
            sheet = workbook.add_worksheet(_sheet_title(spec.title))
            for index, width in enumerate(spec.widths):
                if width:
                    sheet.set_column(index, index, width)
            row = 0
            if spec.headers:
                bold, bold_quoted = formats["bold"], formats["bold_quoted"]
                row = _write_rows(sheet, [spec.headers], row, bold, bold_quoted, day, moment)
            _write_rows(sheet, spec.rows, row, None, formats["quoted"], day, moment)
        workbook.close()  # zips the parts into `target`; not reached when a row fails


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """Return `sheets` as .xlsx bytes (for attachments and tests; downloads use xlsx_response)."""
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer)
    return buffer.getvalue()


def xlsx_response(sheets: Iterable[Sheet], filename: str) -> FileResponse:
    """Return a download of `sheets` as .xlsx named `filename` (a Chinese name is sent
    RFC 5987-encoded). The workbook is built in a temporary file that moves to disk past
    SPOOL_BYTES and is streamed from there."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - FileResponse closes it
    write_xlsx(sheets, spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)


class _Echo:
    def write(self, value):
        return value


def csv_response(headers: Sequence, rows: Iterable[Sequence], filename: str):
    """Return a streamed .csv download (UTF-8 with BOM, formula-safe) named `filename`."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([csv_value(v) for v in headers])
        for row in rows:
            yield writer.writerow([csv_value(v) for v in row])

    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines()), content_type="text/csv; charset=utf-8"
    )
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def write_csv(headers: Sequence, rows: Iterable[Sequence], target) -> None:
    """Write a formula-safe .csv (UTF-8 with BOM) to the binary file `target`."""
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([csv_value(v) for v in headers])
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    text.flush()
    text.detach()  # leave `target` open for the caller


@dataclass
class Export:
    """A table to download: `name` (file name without extension), the sheet `title`, header
    row, rows (consumed once) and, when known, how many rows there are (for progress)."""

    name: str
    title: str
    headers: Sequence
    rows: Iterable[Sequence]
    total: int | None = None

    def sheet(self) -> Sheet:
        return Sheet(self.title, self.headers, self.rows)


def write_export(export: Export, file_format: str, target) -> None:
    """Write `export` as .xlsx or .csv (`file_format`) to the binary file `target`."""
    if file_format == "csv":
        write_csv(export.headers, export.rows, target)
    else:
        write_xlsx([export.sheet()], target)


def export_response(export: Export, file_format: str):
    """Return `export` as a download (.xlsx built in a spooled file, .csv streamed)."""
    if file_format == "csv":
        return csv_response(export.headers, export.rows, f"{export.name}.csv")
    return xlsx_response([export.sheet()], f"{export.name}.xlsx")


def dataset_sheet(dataset, title: str) -> Sheet:
    """Return a tablib Dataset (django-import-export's export) as a Sheet for write_xlsx, named
    `title` (the dataset too, so nothing writes tablib's "Tablib Dataset")."""
    dataset.title = title
    return Sheet(title=title, headers=list(dataset.headers or []), rows=iter(dataset))
