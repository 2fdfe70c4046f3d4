"""Every .xlsx and .csv the app produces is written here: the one formula-safe writer.

Text that users typed reaches city staff and enterprises through these files. A spreadsheet
program runs a cell that starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(…)`,
`=cmd|…`, DDE), and a leading tab or line break hides such a start. So every text value is
written as plain text:

- .xlsx: text cells are string cells; a text that looks like a formula (see formula_like) also
  gets openpyxl's `quotePrefix` (Excel's leading apostrophe: the cell stays text when edited)
  instead of becoming a formula cell, which openpyxl would otherwise make of any "=…" string.
  Characters that .xlsx cannot hold are replaced by U+FFFD.
- .csv: such a text is written with a leading apostrophe (OWASP's CSV-injection advice); UTF-8
  with a BOM so Excel reads Chinese.

Numbers, dates and booleans stay numbers, dates and booleans. Workbooks are written with
openpyxl's write-only mode into a temporary file that spills to disk, so memory stays flat;
responses stream that file.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = frozenset("=+-@")
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
    if not text:
        return False
    first = text[0]
    return first in FORMULA_STARTS or first < " " or first == "\x7f"


def _plain(value):
    """Return `value` as a spreadsheet value: text as str, lazy translations resolved, aware
    datetimes in local time (Excel has no time zones), non-finite Decimals as text; booleans
    as 是/否 (Yes/No in English), never TRUE/FALSE or 1/0."""
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if value is None or isinstance(value, int | float):
        return value
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


def _xlsx_rows(sheet, rows: Iterable[Sequence], bold: bool = False) -> Iterator[list]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    font = Font(bold=True) if bold else None
    for row in rows:
        out = []
        for value in row:
            value = _plain(value)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
                if formula_like(value) or font:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # never a formula cell
                    cell.quotePrefix = formula_like(value)
                    if font:
                        cell.font = font
                    value = cell
            out.append(value)
        yield out


def write_xlsx(sheets: Iterable[Sheet], target) -> None:
    """Write `sheets` as an .xlsx workbook to `target` (a path or a binary file), formula-safe
    (see the module docstring), with openpyxl's write-only mode."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:31])
        for index, width in enumerate(spec.widths, start=1):
            if width:
                sheet.column_dimensions[get_column_letter(index)].width = width
        if spec.headers:
            for row in _xlsx_rows(sheet, [spec.headers], bold=True):
                sheet.append(row)
        for row in _xlsx_rows(sheet, spec.rows):
            sheet.append(row)
    workbook.save(target)


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


def dataset_sheet(dataset, title: str) -> Sheet:
    """Return a tablib Dataset (django-import-export's export) as a Sheet for write_xlsx, named
    `title` (the dataset too, so nothing writes tablib's "Tablib Dataset")."""
    dataset.title = title
    return Sheet(title=title, headers=list(dataset.headers or []), rows=iter(dataset))
