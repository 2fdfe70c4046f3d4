"""Zip archives (.xlsx, .docx …): the directory checked before it is read, every member inflated
here counting the real output."""

import os
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Collection, Iterator

from django.utils.translation import gettext as _

from landsupply.uploads.base import (
    CHUNK,
    Limits,
    UploadRejected,
    human_size,
    measured_size,
    thousands,
)

_EOCD = struct.Struct("<4s4H2LH")
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")


def _not_a_zip(name: str, what: str) -> UploadRejected:
    return UploadRejected(
        _(
            "文件「%(name)s」不是有效的 %(what)s 文件（无法按压缩格式打开：已损坏、不完整或改了扩展名）。"
        )
        % {"name": name, "what": what},
        code="not_zip",
    )


def check_zip(handle, *, name: str, limits: Limits, what: str = "zip") -> zipfile.ZipFile:
    """Return the ZipFile of `handle` after checking its directory: a central directory small
    enough for limits.max_members entries, no ZIP64, every member stored or deflated and within
    the declared total uncompressed size and compression ratio. Members are not inflated here
    (zip_member_chunks does that, counting the real output).

    `what` names the expected format in messages (".xlsx", ".docx"). Raises UploadRejected.
    """
    size = measured_size(handle)
    tail_length = min(size, _EOCD.size + 0xFFFF)
    handle.seek(size - tail_length)
    tail = handle.read(tail_length)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        raise _not_a_zip(name, what)
    _sig, _disk, _cd_disk, _n_disk, entries, cd_size, _cd_offset, _comment = _EOCD.unpack(
        tail[at : at + _EOCD.size]
    )
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        raise UploadRejected(
            _("文件「%(name)s」是 ZIP64 压缩包，不予处理。") % {"name": name}, code="zip64"
        )
    # A central directory entry takes at least 46 bytes plus its name; allow 300 per member.
    if entries > limits.max_members or cd_size > limits.max_members * 300:
        raise UploadRejected(
            _("文件「%(name)s」内含 %(count)s 个文件，超过上限 %(limit)s 个。")
            % {"name": name, "count": thousands(entries), "limit": thousands(limits.max_members)},
            code="too_many_members",
        )
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _not_a_zip(name, what) from None
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise UploadRejected(
                _("文件「%(name)s」已加密，无法检查。") % {"name": name}, code="encrypted"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UploadRejected(
                _("文件「%(name)s」使用了不支持的压缩方式。") % {"name": name},
                code="compression",
            )
        total += info.file_size
        _check_member_sizes(name, info, info.file_size, total, limits)
    return archive


def check_zip_members(
    handle, *, name: str, limits: Limits, suffixes: Collection[str], what: str = "zip"
) -> zipfile.ZipFile:
    """Return the ZipFile of an archive of files read together (a zipped Shapefile) once it
    has passed check_zip, every member's name is a relative path (no leading "/", no "..", no
    backslash) ending in one of `suffixes` (lower case, with the dot; folders and hidden files
    such as macOS's "._a.shp" may end in anything), and every member has been inflated here
    (zip_member_chunks), so one that inflates past its declared size, the ratio or the total
    limit is refused.

    Raises UploadRejected naming the file, the member and the limit.
    """
    archive = check_zip(handle, name=name, limits=limits, what=what)
    for info in archive.infolist():
        member = info.filename
        if member.startswith("/") or ".." in member.split("/") or "\\" in member:
            raise UploadRejected(
                _(
                    "文件「%(name)s」中的「%(member)s」路径不安全（绝对路径、含 .. 或反斜杠），不予处理。"
                )
                % {"name": name, "member": member},
                code="unsafe_path",
            )
        hidden = info.is_dir() or posixpath.basename(member).startswith(".")
        if not hidden and posixpath.splitext(member)[1].lower() not in suffixes:
            raise UploadRejected(
                _("文件「%(name)s」中不能有「%(member)s」：%(what)s 只能包含 %(allowed)s 文件。")
                % {
                    "name": name,
                    "member": member,
                    "what": what,
                    "allowed": " ".join(sorted(suffixes)),
                },
                code="member_type",
            )
    total = 0
    for info in archive.infolist():
        for chunk in zip_member_chunks(archive, info, name=name, limits=limits, total=total):
            total += len(chunk)
    return archive


def _check_member_sizes(name: str, info, inflated: int, total: int, limits: Limits) -> None:
    if total > limits.max_uncompressed_bytes:
        raise UploadRejected(
            _("文件「%(name)s」解压后超过 %(limit)s 的上限（疑似压缩炸弹）。")
            % {"name": name, "limit": human_size(limits.max_uncompressed_bytes)},
            code="uncompressed_too_large",
        )
    # Tiny members compress at odd ratios; the ratio matters once a member is large.
    if inflated > CHUNK and inflated > limits.max_ratio * max(info.compress_size, 1):
        raise UploadRejected(
            _(
                "文件「%(name)s」中的「%(member)s」压缩比超过 %(limit)s:1 的上限"
                "（%(compressed)s 解压为 %(inflated)s 以上，疑似压缩炸弹）。"
            )
            % {
                "name": name,
                "member": info.filename,
                "limit": limits.max_ratio,
                "compressed": human_size(info.compress_size),
                "inflated": human_size(inflated),
            },
            code="ratio",
        )


def zip_member_chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, name: str, limits: Limits, total: int = 0
) -> Iterator[bytes]:
    """Yield the inflated content of one member of a checked archive, CHUNK bytes at most at a
    time, inflating the raw data here so that a member whose stream inflates past its declared
    size, the ratio limit or the total limit (`total` bytes already inflated before it) is
    refused at that point. Raises UploadRejected.
    """
    handle = archive.fp
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise _not_a_zip(name, "zip")
    fields = _LOCAL_HEADER.unpack(header)
    handle.seek(fields[-2] + fields[-1], os.SEEK_CUR)  # file name and extra field
    left = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    inflated = 0
    pending = b""
    while left > 0 or pending:
        if not pending:
            pending = handle.read(min(CHUNK, left))
            if not pending:
                raise _not_a_zip(name, "zip")  # the data ends before its declared size
            left -= len(pending)
        if inflater is None:
            out, pending = pending, b""
        else:
            try:
                out = inflater.decompress(pending, CHUNK)
            except zlib.error:
                raise _not_a_zip(name, "zip") from None
            pending = inflater.unconsumed_tail
        inflated += len(out)
        if inflated > info.file_size:
            raise UploadRejected(
                _("文件「%(name)s」中的「%(member)s」解压后大于其声明的大小，不予处理。")
                % {"name": name, "member": info.filename},
                code="size_mismatch",
            )
        _check_member_sizes(name, info, inflated, total + inflated, limits)
        if out:
            yield out
        if inflater is not None and inflater.eof:
            break
