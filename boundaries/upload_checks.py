"""The checks every boundary upload passes before any parser sees it.

Every boundary file is hostile until checked: its size is capped before it is read whole, a
zipped Shapefile is inspected from its central directory (member count, names, declared and
actual uncompressed sizes, compression ratio) before anything is decompressed, and KML may not
declare a DTD or entities (no entity expansion).
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from boundaries.readers import KML, SHAPEFILE, BoundaryFileError, detect_format

SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml"}


def check_boundary_upload(*, name: str, size: int, data: bytes) -> str:
    """Return the boundary file's format after the upload checks; raise BoundaryFileError with
    a message naming the limit otherwise.

    This is the one gate for boundary uploads (page and command). It applies the boundary-
    specific limits below; the project-wide upload checks (landsupply/uploads.py, size and type
    by content for every upload) are to be called from here, so both doors get both.

    Limits (settings): BOUNDARIES_MAX_UPLOAD_BYTES for the file; for a zip,
    BOUNDARIES_MAX_ZIP_MEMBERS members, BOUNDARIES_MAX_UNZIPPED_BYTES in total and a
    compression ratio of at most BOUNDARIES_MAX_ZIP_RATIO per member.
    """
    limit = settings.BOUNDARIES_MAX_UPLOAD_BYTES
    if size > limit or len(data) > limit:
        raise BoundaryFileError(
            _("文件 %(name)s 超过 %(mb)d MB 的上限。")
            % {"name": name, "mb": limit // (1024 * 1024)}
        )
    if not data:
        raise BoundaryFileError(_("文件 %(name)s 是空的。") % {"name": name})
    file_format = detect_format(data)
    if file_format == SHAPEFILE:
        _check_zip(data)
    elif file_format == KML:
        head = data[:65536].lower()
        if b"<!doctype" in head or b"<!entity" in head:
            raise BoundaryFileError(_("KML 文件不得声明 DOCTYPE 或实体。"))
    return file_format


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise BoundaryFileError(_("zip 文件已损坏。")) from exc
    members = archive.infolist()
    if len(members) > settings.BOUNDARIES_MAX_ZIP_MEMBERS:
        raise BoundaryFileError(
            _("zip 文件包含 %(n)d 个文件，超过上限 %(max)d。")
            % {"n": len(members), "max": settings.BOUNDARIES_MAX_ZIP_MEMBERS}
        )
    total = 0
    shp = 0
    for member in members:
        name = member.filename
        if name.startswith("/") or ".." in name.split("/") or "\\" in name:
            raise BoundaryFileError(_("zip 文件中的路径不安全：%(name)s") % {"name": name})
        if member.is_dir() or posixpath.basename(name).startswith("."):
            continue
        extension = posixpath.splitext(name)[1].lower()
        if extension not in SHAPEFILE_PARTS:
            raise BoundaryFileError(
                _("zip 文件只能包含 Shapefile 的组成文件，而不是 %(name)s。") % {"name": name}
            )
        shp += extension == ".shp"
        total += member.file_size
        if total > settings.BOUNDARIES_MAX_UNZIPPED_BYTES:
            raise BoundaryFileError(
                _("zip 文件解压后超过 %(mb)d MB 的上限。")
                % {"mb": settings.BOUNDARIES_MAX_UNZIPPED_BYTES // (1024 * 1024)}
            )
        if member.file_size > settings.BOUNDARIES_MAX_ZIP_RATIO * max(member.compress_size, 1):
            raise BoundaryFileError(
                _("zip 文件中 %(name)s 的压缩比异常（疑似压缩炸弹）。") % {"name": name}
            )
    if shp != 1:
        raise BoundaryFileError(
            _("zip 文件须恰好包含一个 .shp 文件（实际 %(n)d 个）。") % {"n": shp}
        )
    # Declared sizes can lie: decompress each member with a hard cap on what it yields.
    budget = settings.BOUNDARIES_MAX_UNZIPPED_BYTES
    for member in members:
        if member.is_dir():
            continue
        with archive.open(member) as stream:
            read = 0
            while chunk := stream.read(65536):
                read += len(chunk)
                budget -= len(chunk)
                if read > member.file_size or budget < 0:
                    raise BoundaryFileError(
                        _("zip 文件中 %(name)s 的实际大小与声明不符（疑似压缩炸弹）。")
                        % {"name": member.filename}
                    )
