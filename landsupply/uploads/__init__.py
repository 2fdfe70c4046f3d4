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

from landsupply.uploads.base import (
    LimitedUploadHandler,
    Limits,
    UploadRejected,
    check_size,
    limits_for,
    local_copy,
)
from landsupply.uploads.evidence import EVIDENCE_TYPES, check_evidence
from landsupply.uploads.sheets import SpreadsheetInfo, check_spreadsheet, csv_rows, scan_xml
from landsupply.uploads.zips import check_zip, zip_member_chunks

__all__ = [
    "EVIDENCE_TYPES",
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
    "scan_xml",
    "zip_member_chunks",
]
