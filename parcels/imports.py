"""Services around a ParcelImport: upload and preview, confirm, run (in a Celery worker).

Upload → parcel_import_create (file kept in private storage, checked at once: the preview)
→ parcel_import_confirm (queues parcels.tasks.parcel_import_run_task on commit)
→ parcel_import_run (re-checks against the database as it is then, writes all rows or none,
progress written to the ParcelImport row so a page can poll it).
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from landsupply.models import District, User
from landsupply.storage import local_copy
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
ALLOWED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


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
        fields = {"phase": phase, "processed_rows": done, "total_rows": total}
        if not connection.in_atomic_block:
            ParcelImport.objects.filter(pk=self.pk).update(**fields)
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection(connection.alias)
            table = connection.ops.quote_name(ParcelImport._meta.db_table)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET phase = %s, processed_rows = %s, total_rows = %s WHERE id = %s",
                    [phase, done, total, self.pk],
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


def parcel_import_create(
    *, user: User, uploaded_file: UploadedFile, district: District | None = None
) -> ParcelImport:
    """Save the uploaded ledger file, check it (a dry run) and return the ParcelImport.

    Status READY (preview: new, changed, unchanged rows) or INVALID (errors by row and column).
    Nothing is written to the ledger. Raises ValidationError for a file type that cannot be
    imported, PermissionDenied for a district outside the user's.
    """
    name = uploaded_file.name or "ledger"
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError(_("只能导入 .xlsx、.xls 或 .csv 文件"))
    scope_districts(user=user, district=district)
    parcel_import = ParcelImport(
        user=user,
        district=district,
        original_name=name[:255],
        status=ParcelImport.Status.READY,
        phase=gettext_noop("校验"),
    )
    parcel_import.file.save(name, uploaded_file, save=False)
    parcel_import.save()
    try:
        with local_copy(parcel_import.file) as path:
            check = ledger_check(path=path, user=user, district=district, progress=None)
    except LedgerFileError as exc:
        parcel_import.status = ParcelImport.Status.INVALID
        parcel_import.errors = [{"row": None, "column": "", "message": str(exc)}]
    else:
        _store_check(parcel_import, check)
        parcel_import.status = (
            ParcelImport.Status.READY if check.ok else ParcelImport.Status.INVALID
        )
    parcel_import.phase = ""
    parcel_import.save()
    return parcel_import


@transaction.atomic
def parcel_import_confirm(*, user: User, parcel_import: ParcelImport) -> ParcelImport:
    """Queue the checked import for writing and return it (status QUEUED).

    Only the uploader may confirm, and only a READY import. Raises PermissionDenied or
    ValidationError.
    """
    from parcels.tasks import parcel_import_run_task

    parcel_import = ParcelImport.objects.select_for_update().get(pk=parcel_import.pk)
    if parcel_import.user_id != user.pk:
        raise PermissionDenied(_("只能确认自己上传的文件"))
    if parcel_import.status != ParcelImport.Status.READY:
        raise ValidationError(
            _("该文件当前状态为「%(status)s」，不能确认导入")
            % {"status": parcel_import.get_status_display()}
        )
    parcel_import.status = ParcelImport.Status.QUEUED
    parcel_import.phase = gettext_noop("排队")
    parcel_import.processed_rows = 0
    parcel_import.save(update_fields=["status", "phase", "processed_rows"])
    pk = parcel_import.pk
    transaction.on_commit(lambda: parcel_import_run_task.delay(pk))
    return parcel_import


def parcel_import_run(*, parcel_import_id: int) -> ParcelImport:
    """Check the queued import's file again and write it: all rows or none. Returns the import
    with status DONE (counts of new, changed, unchanged) or FAILED (errors; nothing written).

    Runs once: an import that is not QUEUED is returned unchanged.
    """
    claimed = ParcelImport.objects.filter(
        pk=parcel_import_id, status=ParcelImport.Status.QUEUED
    ).update(status=ParcelImport.Status.RUNNING, phase=gettext_noop("读取"))
    parcel_import = ParcelImport.objects.select_related("user", "district").get(pk=parcel_import_id)
    if not claimed:
        return parcel_import
    progress = ImportProgress(parcel_import)
    throttled = Throttle(progress)
    try:
        with local_copy(parcel_import.file) as path:  # the worker may be on another machine
            check = ledger_check(
                path=path,
                user=parcel_import.user,
                district=parcel_import.district,
                progress=throttled,
            )
        if check.ok:
            progress(gettext_noop("写入"), 0, len(check.new) + len(check.changed))
            ledger_write(
                check,
                user=parcel_import.user,
                change_reason=f"台账导入：{parcel_import.original_name}"[:100],
                progress=throttled,
            )
    except (LedgerFileError, PermissionDenied) as exc:
        check = LedgerCheck(errors=[{"row": None, "column": "", "message": str(exc)}])
    except Exception:
        logger.exception("parcel import %s failed", parcel_import_id)
        check = LedgerCheck(
            errors=[
                {
                    "row": None,
                    "column": "",
                    "message": _("写入数据库时出错，未导入任何数据，请重试或联系管理员"),
                }
            ]
        )
    finally:
        progress.close()
    parcel_import.refresh_from_db()
    _store_check(parcel_import, check)
    parcel_import.status = ParcelImport.Status.DONE if check.ok else ParcelImport.Status.FAILED
    parcel_import.phase = ""
    parcel_import.processed_rows = parcel_import.total_rows if check.ok else 0
    parcel_import.finished_at = timezone.now()
    parcel_import.save()
    return parcel_import
