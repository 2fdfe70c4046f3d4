"""Evidence files: an allowed type told by content, the name agreeing."""

from django.utils.translation import gettext as _

from landsupply.uploads.base import (
    Limits,
    UploadRejected,
    binary_source,
    check_size,
    limits_for,
    suffix_of,
)
from landsupply.uploads.zips import check_zip, zip_member_chunks

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
    with binary_source(source) as handle:
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
    suffix = suffix_of(name)
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
