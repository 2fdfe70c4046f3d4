"""Services around a ParcelImport: upload, check (in a Celery worker), confirm, run (in a
Celery worker), retry, and the sweep that fails imports whose worker died.

Upload → parcel_import_create (the upload checks of landsupply.uploads run at once; only a file
that passes is stored and gets a row, status PENDING) → parcels.tasks.parcel_import_check_task
→ parcel_import_check (reads every cell: READY with the preview, or INVALID with the errors)
→ parcel_import_confirm (QUEUED; queues parcel_import_run_task on commit) → parcel_import_run
(re-checks against the database as it is then and writes all rows or none: DONE or FAILED).
Workers read the file through its storage's open() (web and worker may be different machines)
and write progress and a heartbeat to the row; parcel_import_expire_stale fails a row whose
heartbeat stopped, and parcel_import_retry starts a failed one again from the check.
"""

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from landsupply.models import District, User
from landsupply.uploads import UploadRejected, check_spreadsheet, limits_for, local_copy
from parcels.ledger import (
    LedgerCheck,
    LedgerFileError,
    Throttle,
    ledger_check,
    ledger_write,
    preview_rows,
    scope_districts,
)
from parcels.models import ParcelImport

logger = logging.getLogger(__name__)
Status = ParcelImport.Status


class ImportAbandoned(Exception):
    """The import's row left the state this worker claimed (the sweep failed it meanwhile)."""


class ImportProgress:
    """Progress callback writing (phase, processed, total) to a ParcelImport row.

    Inside the import's transaction a plain UPDATE would stay invisible to the polling page
    until commit; on PostgreSQL it goes through a second connection instead. SQLite allows one
    writer at a time, so there progress inside the transaction is not reported (it is short).
    """

    def __init__(self, parcel_import: ParcelImport):
        self.pk = parcel_import.pk
        self.side = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = timezone.now()
        fields = {"phase": phase, "processed_rows": done, "total_rows": total, "heartbeat_at": now}
        if not connection.in_atomic_block:
            ParcelImport.objects.filter(pk=self.pk).update(**fields)
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection(connection.alias)
            table = connection.ops.quote_name(ParcelImport._meta.db_table)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET phase = %s, processed_rows = %s, total_rows = %s, "
                    "heartbeat_at = %s WHERE id = %s",
                    [phase, done, total, now, self.pk],
                )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _store_check(parcel_import: ParcelImport, check: LedgerCheck) -> None:
    parcel_import.errors = check.errors
    if check.error_overflow:
        parcel_import.errors.append(
            {
                "row": None,
                "column": "",
                "message": ngettext(
                    "另有 %(count)s 个错误未列出",
                    "另有 %(count)s 个错误未列出",
                    check.error_overflow,
                )
                % {"count": check.error_overflow},
            }
        )
    parcel_import.total_rows = check.total_rows
    parcel_import.new_count = len(check.new)
    parcel_import.changed_count = len(check.changed)
    parcel_import.unchanged_count = len(check.unchanged)
    parcel_import.preview = preview_rows(check) if check.ok else {}


def _error(message: str) -> list[dict]:
    return [{"row": None, "column": "", "message": message}]


def parcel_import_create(
    *, user: User, uploaded_file: UploadedFile, district: District | None = None
) -> ParcelImport:
    """Check the uploaded ledger file against the upload limits of a ledger, store it and return
    its ParcelImport (status PENDING); its cells are checked by a worker (queued on commit).

    Raises UploadRejected (a ValidationError naming the limit) for a file that breaks a limit or
    is not what its name says — then nothing is stored and no row exists — and PermissionDenied
    for a district outside the user's.
    """
    from parcels.tasks import parcel_import_check_task

    name = Path(uploaded_file.name or "ledger").name
    scope_districts(user=user, district=district)
    # The cells of a large sheet are scanned by the worker before it reads them.
    check_spreadsheet(
        uploaded_file, name=name, kind="ledger", scan_bytes=settings.UPLOAD_WEB_SCAN_BYTES
    )
    with transaction.atomic():
        parcel_import = ParcelImport(
            user=user,
            district=district,
            original_name=name[:255],
            status=Status.PENDING,
            phase=gettext_noop("排队"),
            heartbeat_at=timezone.now(),
        )
        parcel_import.file.save(name, uploaded_file, save=False)
        parcel_import.save()
        pk = parcel_import.pk
        transaction.on_commit(lambda: parcel_import_check_task.delay(pk))
    return parcel_import


def _claim(
    parcel_import_id: int, *, from_status: str, to_status: str, phase: str
) -> tuple[bool, ParcelImport]:
    """Move the import from `from_status` to `to_status` if it is there (one conditional
    UPDATE, so one worker claims it) and return (claimed, the import)."""
    claimed = ParcelImport.objects.filter(pk=parcel_import_id, status=from_status).update(
        status=to_status, phase=phase, heartbeat_at=timezone.now()
    )
    parcel_import = ParcelImport.objects.select_related("user", "district").get(pk=parcel_import_id)
    return bool(claimed), parcel_import


def _finish(parcel_import: ParcelImport, check: LedgerCheck, *, claimed: str, status: str) -> bool:
    """Write the outcome to the row if it is still in the `claimed` status; return whether it
    was (the sweep may have failed it meanwhile)."""
    _store_check(parcel_import, check)
    parcel_import.status = status
    parcel_import.phase = ""
    parcel_import.finished_at = None if status == Status.READY else timezone.now()
    parcel_import.heartbeat_at = timezone.now()
    fields = [
        "errors",
        "total_rows",
        "new_count",
        "changed_count",
        "unchanged_count",
        "preview",
        "status",
        "phase",
        "processed_rows",
        "finished_at",
        "heartbeat_at",
    ]
    values = {name: getattr(parcel_import, name) for name in fields}
    return bool(ParcelImport.objects.filter(pk=parcel_import.pk, status=claimed).update(**values))


def _check_stored(parcel_import: ParcelImport, progress) -> LedgerCheck:
    """Check the stored ledger file, read through its storage into a bounded local copy."""
    with local_copy(
        parcel_import.file,
        max_bytes=limits_for("ledger").max_bytes,
        suffix=Path(parcel_import.original_name).suffix.lower(),
    ) as path:
        return ledger_check(
            path=path,
            name=parcel_import.original_name,
            user=parcel_import.user,
            district=parcel_import.district,
            progress=progress,
        )


def parcel_import_check(*, parcel_import_id: int) -> ParcelImport:
    """Check every cell of a PENDING import's file (the upload limits first, again, before the
    file is read) and return the import: READY with the preview of new, changed and unchanged
    rows, or INVALID with every error by row and column. Writes no parcel.

    Runs once: an import that is not PENDING is returned unchanged.
    """
    claimed, parcel_import = _claim(
        parcel_import_id, from_status=Status.PENDING, to_status=Status.CHECKING, phase="校验"
    )
    if not claimed:
        return parcel_import
    status = Status.INVALID
    try:
        check = _check_stored(parcel_import, Throttle(ImportProgress(parcel_import)))
    except (LedgerFileError, PermissionDenied, UploadRejected) as exc:
        check = LedgerCheck(errors=_error(_message(exc)))
    except Exception:
        logger.exception("parcel import %s: check failed", parcel_import_id)
        check = LedgerCheck(errors=_error(_("校验时出错，未导入任何数据，请重试或联系管理员")))
        status = Status.FAILED
    else:
        status = Status.READY if check.ok else Status.INVALID
    parcel_import.processed_rows = 0
    _finish(parcel_import, check, claimed=Status.CHECKING, status=status)
    parcel_import.refresh_from_db()
    return parcel_import


def _message(exc: Exception) -> str:
    return exc.messages[0] if hasattr(exc, "messages") else str(exc)


@transaction.atomic
def parcel_import_confirm(*, user: User, parcel_import: ParcelImport) -> ParcelImport:
    """Queue the checked import for writing and return it (status QUEUED).

    Only the uploader may confirm, and only a READY import: of two confirms at once, the row
    lock lets one through and the other gets ValidationError saying it is confirmed already.
    Raises PermissionDenied or ValidationError.
    """
    from parcels.tasks import parcel_import_run_task

    parcel_import = ParcelImport.objects.select_for_update().get(pk=parcel_import.pk)
    if parcel_import.user_id != user.pk:
        raise PermissionDenied(_("只能确认自己上传的文件"))
    if parcel_import.status in (Status.QUEUED, Status.RUNNING, Status.DONE):
        raise ValidationError(
            _("该文件已确认导入（当前状态为「%(status)s」），无需再次确认。")
            % {"status": parcel_import.get_status_display()},
            code="confirmed",
        )
    if parcel_import.status != Status.READY:
        raise ValidationError(
            _("该文件当前状态为「%(status)s」，不能确认导入")
            % {"status": parcel_import.get_status_display()}
        )
    parcel_import.status = Status.QUEUED
    parcel_import.phase = gettext_noop("排队")
    parcel_import.processed_rows = 0
    parcel_import.heartbeat_at = timezone.now()
    parcel_import.save(update_fields=["status", "phase", "processed_rows", "heartbeat_at"])
    pk = parcel_import.pk
    transaction.on_commit(lambda: parcel_import_run_task.delay(pk))
    return parcel_import


def parcel_import_run(*, parcel_import_id: int) -> ParcelImport:
    """Check the queued import's file again and write it: all rows or none. Returns the import
    with status DONE (counts of new, changed, unchanged) or FAILED (errors; nothing written).
    DONE is written in the same transaction as the parcels, so an import the sweep failed
    meanwhile writes nothing.

    Runs once: an import that is not QUEUED is returned unchanged.
    """
    claimed, parcel_import = _claim(
        parcel_import_id, from_status=Status.QUEUED, to_status=Status.RUNNING, phase="读取"
    )
    if not claimed:
        return parcel_import
    progress = ImportProgress(parcel_import)
    throttled = Throttle(progress)
    try:
        check = _check_stored(parcel_import, throttled)
        if check.ok:
            progress(gettext_noop("写入"), 0, len(check.new) + len(check.changed))
            with transaction.atomic():
                ledger_write(
                    check,
                    user=parcel_import.user,
                    change_reason=f"台账导入：{parcel_import.original_name}"[:100],
                    progress=throttled,
                )
                parcel_import.processed_rows = check.total_rows
                if not _finish(parcel_import, check, claimed=Status.RUNNING, status=Status.DONE):
                    raise ImportAbandoned
    except ImportAbandoned:
        logger.warning(
            "parcel import %s was failed by the sweep; nothing written", parcel_import_id
        )
        parcel_import.refresh_from_db()
        return parcel_import
    except (LedgerFileError, PermissionDenied, UploadRejected) as exc:
        check = LedgerCheck(errors=_error(_message(exc)))
    except Exception:
        logger.exception("parcel import %s failed", parcel_import_id)
        check = LedgerCheck(
            errors=_error(_("写入数据库时出错，未导入任何数据，请重试或联系管理员"))
        )
    finally:
        progress.close()
    if not check.ok:
        parcel_import.processed_rows = 0
        _finish(parcel_import, check, claimed=Status.RUNNING, status=Status.FAILED)
    parcel_import.refresh_from_db()
    return parcel_import


@transaction.atomic
def parcel_import_retry(*, user: User, parcel_import: ParcelImport) -> ParcelImport:
    """Start a FAILED import again from the check (its stored file is checked and read anew)
    and return it (status PENDING; the check is queued on commit). Only the uploader may.

    Raises PermissionDenied, or ValidationError for an import that has not failed.
    """
    from parcels.tasks import parcel_import_check_task

    parcel_import = ParcelImport.objects.select_for_update().get(pk=parcel_import.pk)
    if parcel_import.user_id != user.pk:
        raise PermissionDenied(_("只能重试自己上传的文件"))
    if parcel_import.status != Status.FAILED:
        raise ValidationError(
            _("只有导入失败的文件可以重试，该文件当前状态为「%(status)s」")
            % {"status": parcel_import.get_status_display()},
            code="not_failed",
        )
    parcel_import.status = Status.PENDING
    parcel_import.phase = gettext_noop("排队")
    parcel_import.errors = []
    parcel_import.preview = {}
    parcel_import.processed_rows = 0
    parcel_import.finished_at = None
    parcel_import.heartbeat_at = timezone.now()
    parcel_import.save()
    pk = parcel_import.pk
    transaction.on_commit(lambda: parcel_import_check_task.delay(pk))
    return parcel_import


def parcel_import_expire_stale(*, now: datetime.datetime | None = None) -> int:
    """Mark FAILED every import still pending, checking, queued or running whose last heartbeat
    is older than settings.PARCEL_IMPORT_TIMEOUT_MINUTES (its worker died or its task was
    lost), with an error saying so; return how many. Nothing was written for them: the write
    and DONE commit together. One UPDATE; safe to run in several workers at once.
    """
    now = now or timezone.now()
    minutes = settings.PARCEL_IMPORT_TIMEOUT_MINUTES
    message = _(
        "超过 %(minutes)s 分钟没有进展（处理进程可能已中断），已标记为失败，未导入任何数据。请点击「重试」。"
    ) % {"minutes": minutes}
    return ParcelImport.objects.filter(
        status__in=ParcelImport.IN_PROGRESS,
        heartbeat_at__lt=now - datetime.timedelta(minutes=minutes),
    ).update(
        status=Status.FAILED,
        phase="",
        processed_rows=0,
        errors=_error(message),
        preview={},
        finished_at=now,
    )
