"""Every uploaded file is checked here before anything reads it. The one place for upload limits.

Four kinds of upload use it today (the limits of each are settings, see UPLOAD_LIMITS):

- "ledger": the parcel ledger (.xlsx/.xlsm or .csv), read by python-calamine or csv;
- "plan": the annual plan spreadsheet (.xlsx or .csv), read by openpyxl or csv;
- "evidence": indicator-report evidence (PDF, images, office documents), stored and served;
- "boundary": parcel boundary files (coordinate file, GeoJSON, KML, zipped Shapefile), read by
  boundaries.readers; boundaries.upload_checks adds what only a boundary file needs (its format,
  the Shapefile's parts) and calls check_size, check_zip_members and check_xml for the rest.

A check never allocates more than a bounded amount of memory, whatever the file claims:

- the size is read from the file, never trusted from the request;
- a zip (.xlsx, .docx, a zipped Shapefile …) is opened only after its end-of-central-directory
  record shows a small central directory; every member is then decompressed here, in 1 MiB
  steps, counting the real output (a member that inflates past its declared size, the total
  uncompressed limit or the compression-ratio limit is refused at that point, before the rest is
  inflated); check_zip_members also holds an archive of files to its members' extensions and to
  safe relative paths;
- XML is parsed by expat as a stream (no tree is built), a DTD refused (no entity expansion, no
  external entities): check_xml for a whole file (KML), scan_xml for spreadsheet XML, which also
  finds `<dimension ref>` and the row and column of every cell. python-calamine allocates
  rows × columns cells for the used range and openpyxl pads every row to the widest, so the
  declared dimension and the actual range must both fit the row, column and cell limits;
- CSV is decoded incrementally (UTF-8, UTF-8 with BOM, else GB18030), line by line with a cap on
  a row's length, so a row of a million commas cannot become a list of a million fields.

Rejections raise UploadRejected (a ValidationError) whose message, in Chinese (translated),
names the file and the limit. The API is to call the same functions: check_size, check_zip,
check_zip_members, check_xml, check_spreadsheet, check_evidence, and local_copy to hand a
stored file to a reader that needs a path.
"""

from landsupply.uploads.base import (
    LimitedUploadHandler,
    Limits,
    UploadRejected,
    binary_source,
    check_size,
    limits_for,
    local_copy,
)
from landsupply.uploads.evidence import EVIDENCE_TYPES, check_evidence
from landsupply.uploads.sheets import SpreadsheetInfo, check_spreadsheet, csv_rows, scan_xml
from landsupply.uploads.xmlfiles import check_xml
from landsupply.uploads.zips import check_zip, check_zip_members, zip_member_chunks

__all__ = [
    "EVIDENCE_TYPES",
    "Limits",
    "LimitedUploadHandler",
    "SpreadsheetInfo",
    "UploadRejected",
    "binary_source",
    "check_evidence",
    "check_size",
    "check_spreadsheet",
    "check_xml",
    "check_zip",
    "check_zip_members",
    "csv_rows",
    "limits_for",
    "local_copy",
    "scan_xml",
    "zip_member_chunks",
]
