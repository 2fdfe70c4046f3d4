"""What every upload check shares: the rejection, the limits of a kind, the size check, and
handing a stored file to a reader (local_copy) or cutting an oversized request (the handler)."""

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

CHUNK = 1 << 20  # bytes read or inflated at a time


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


def limits_for(kind: str) -> Limits:
    """Return the Limits of `kind` ("ledger", "plan", "evidence", "boundary") from
    settings.UPLOAD_LIMITS. The zip limits are the kind's own max_uncompressed_bytes, max_ratio
    and max_members where it sets them, else UPLOAD_MAX_UNCOMPRESSED_BYTES,
    UPLOAD_MAX_COMPRESSION_RATIO and UPLOAD_MAX_ZIP_MEMBERS. Raises KeyError for a kind without
    limits."""
    values = settings.UPLOAD_LIMITS[kind]
    return Limits(
        kind=kind,
        max_bytes=values["max_bytes"],
        max_rows=values.get("max_rows", 0),
        max_columns=values.get("max_columns", 0),
        max_cells=values.get("max_cells", 0),
        max_uncompressed_bytes=values.get(
            "max_uncompressed_bytes", settings.UPLOAD_MAX_UNCOMPRESSED_BYTES
        ),
        max_ratio=values.get("max_ratio", settings.UPLOAD_MAX_COMPRESSION_RATIO),
        max_members=values.get("max_members", settings.UPLOAD_MAX_ZIP_MEMBERS),
    )


def human_size(num: int) -> str:
    """Return a byte count as people read it ("50.0 MB"), for messages."""
    return str(filesizeformat(num)).replace("\xa0", " ")


def thousands(num: int) -> str:
    """Return a count with thousands separators ("200,000"), for messages."""
    return f"{num:,}"


@contextlib.contextmanager
def binary_source(source):
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


def measured_size(handle) -> int:
    """Return the size in bytes of a seekable file, measured by seeking to its end."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def suffix_of(name: str) -> str:
    """Return a file name's extension in lower case (".xlsx"), "" for none."""
    return Path(name or "").suffix.lower()


def check_size(source, *, name: str, max_bytes: int) -> int:
    """Return the size of `source` (a path or a file) in bytes, measured, not as declared.

    Raises UploadRejected naming the file, its size and the limit when it is larger than
    max_bytes, or when it is empty. A file cut short by LimitedUploadHandler reports the size
    the client sent.
    """
    declared = getattr(source, "size", None) if getattr(source, "truncated", False) else None
    with binary_source(source) as handle:
        size = declared or measured_size(handle)
    if size > max_bytes:
        raise UploadRejected(
            _("文件「%(name)s」大小为 %(size)s，超过上限 %(limit)s。")
            % {"name": name, "size": human_size(size), "limit": human_size(max_bytes)},
            code="too_large",
        )
    if size == 0:
        raise UploadRejected(_("文件「%(name)s」是空的。") % {"name": name}, code="empty")
    return size


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
                        % {
                            "name": os.path.basename(field_file.name),
                            "limit": human_size(max_bytes),
                        },
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
