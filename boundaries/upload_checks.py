"""The gate every boundary upload passes before any reader sees it (the page, import_boundaries
and load_map_layers alike).

What is generic is landsupply.uploads', under the "boundary" limits of settings.UPLOAD_LIMITS:
the size measured before the file is read whole, a zip inspected from its central directory
(members, ZIP64, encryption, declared sizes and ratio) and then inflated counting the real output,
member paths and extensions, XML parsed as a stream with any DTD refused. Here is only what a
boundary file alone needs: its format told by content, the parts a zipped Shapefile may hold, and
exactly one .shp among them.
"""

from __future__ import annotations

import io
import posixpath
from dataclasses import dataclass

from django.utils.translation import gettext as _

from boundaries.readers import KML, SHAPEFILE, BoundaryFileError, detect_format
from landsupply.uploads import (
    UploadRejected,
    binary_source,
    check_size,
    check_xml,
    check_zip_members,
    limits_for,
)

# The files that make up one Shapefile (ESRI Shapefile Technical Description, and the usual
# companions: code page, spatial indexes, metadata).
SHAPEFILE_PARTS = frozenset(
    {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml"}
)


@dataclass(frozen=True)
class BoundaryUpload:
    """A boundary file that passed the checks: its format (readers.SHAPEFILE …) and bytes."""

    format: str
    data: bytes


def check_boundary_upload(source, *, name: str) -> BoundaryUpload:
    """Return the format and the content of a boundary file that passes the upload checks.

    `source` is a path or a file (an upload, a stored file); `name` names it in messages. The
    checks, in order: size within UPLOAD_LIMITS["boundary"]["max_bytes"] (measured; an empty
    file is refused), the format told by content; a zipped Shapefile holds only SHAPEFILE_PARTS
    (at most max_members members, max_uncompressed_bytes inflated, the ratio limit) and exactly
    one .shp; KML is well-formed XML without a DTD. At most max_bytes are held in memory.

    Raises BoundaryFileError whose message names the file and the limit it broke.
    """
    limits = limits_for("boundary")
    try:
        check_size(source, name=name, max_bytes=limits.max_bytes)
        with binary_source(source) as handle:
            data = handle.read(limits.max_bytes)
        file_format = detect_format(data)
        if file_format == SHAPEFILE:
            archive = check_zip_members(
                io.BytesIO(data),
                name=name,
                limits=limits,
                suffixes=SHAPEFILE_PARTS,
                what="Shapefile (.zip)",
            )
            shp = sum(
                posixpath.splitext(member)[1].lower() == ".shp"
                and not posixpath.basename(member).startswith(".")
                for member in archive.namelist()
            )
            if shp != 1:
                raise BoundaryFileError(
                    _("zip 文件须恰好包含一个 .shp 文件（实际 %(n)d 个）。") % {"n": shp}
                )
        elif file_format == KML:
            check_xml(io.BytesIO(data), name=name)
    except UploadRejected as exc:
        raise BoundaryFileError(exc.messages[0]) from None
    return BoundaryUpload(format=file_format, data=data)
