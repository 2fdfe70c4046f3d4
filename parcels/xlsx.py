"""Writing .xlsx downloads with Chinese headers (openpyxl in write-only mode: flat memory)."""

from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(sheets, filename: str) -> HttpResponse:
    """Return an .xlsx download of `sheets`, each (title, headers, rows); a file name in
    Chinese is sent RFC 5987-encoded. Decimal, int, date and str cells are written natively."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(list(headers))
        for row in rows:
            sheet.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
