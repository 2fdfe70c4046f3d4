"""Exports too large for a web request, written by a Celery worker with progress.

An app registers each of its exports once (`register(kind, build=…, count=…)`, in its
AppConfig.ready): `build(user=, query=)` returns a landsupply.exports.Export of the rows `user`
may see with the list page's filters (`query`, a QueryDict); `count(user=, query=, limit=)`
counts them, stopping at `limit`. A download at most settings.EXPORT_INLINE_MAX_ROWS rows long is
sent at once; a longer one is an ExportJob: started by a POST (GET never changes data), written
by `export_job_run_task` with `landsupply.exports.write_export` into private storage, its
progress on the row, and served only to the user who asked. The worker builds the rows with the
user's scope as it is when the job runs.

Jobs do not outlive their worker or their use: the worker writes a heartbeat on the row when it
claims the job and with its progress; `export_job_expire_stale` (Celery beat,
`landsupply.tasks.export_job_sweep_task`) fails a job queued or running without one for
settings.EXPORT_JOB_TIMEOUT_MINUTES, and `export_job_purge_old` deletes finished files older than
settings.EXPORT_KEEP_DAYS from storage, the job then EXPIRED. A worker that was only slow and
finishes after its job was failed writes nothing: the outcome is written only to a RUNNING row.
"""

import datetime
import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from landsupply.exports import Export, write_export
from landsupply.models import ExportJob, User

logger = logging.getLogger(__name__)
PROGRESS_SECONDS = 0.5  # the row's progress is written at most this often


@dataclass(frozen=True)
class ExportKind:
    build: Callable[..., Export]
    count: Callable[..., int]


KINDS: dict[str, ExportKind] = {}


def register(kind: str, *, build: Callable[..., Export], count: Callable[..., int]) -> None:
    """Register an export `kind` (see the module docstring for the two callables)."""
    KINDS[kind] = ExportKind(build=build, count=count)


def bounded_count(queryset: QuerySet, limit: int) -> int:
    """Return the number of rows of `queryset`, counting at most `limit` + 1 of them (a
    download's size is only compared with the limit; a million rows are not counted)."""
    return queryset.order_by()[: limit + 1].count()


def inline_limit() -> int:
    """Return the largest export sent within the web request, in rows."""
    return settings.EXPORT_INLINE_MAX_ROWS


def export_count(*, kind: str, user: User, query: QueryDict) -> int:
    """Return how many rows the export would have, up to inline_limit() + 1."""
    return KINDS[kind].count(user=user, query=query, limit=inline_limit())


def export_build(*, kind: str, user: User, query: QueryDict) -> Export:
    """Return the Export of `kind` for `user` with the filters `query`."""
    return KINDS[kind].build(user=user, query=query)


@transaction.atomic
def export_job_create(*, user: User, kind: str, file_format: str, query: str) -> ExportJob:
    """Create a queued ExportJob for `user` and queue its worker once the row is committed.

    `query` is the list page's query string (its filters). Raises KeyError for an unknown kind,
    ValueError for an unknown format.
    """
    from landsupply.tasks import export_job_run_task

    if kind not in KINDS:
        raise KeyError(kind)
    if file_format not in ExportJob.Format.values:
        raise ValueError(file_format)
    job = ExportJob.objects.create(user=user, kind=kind, file_format=file_format, query=query)
    transaction.on_commit(lambda: export_job_run_task.delay(job.pk))
    return job


class _NoLongerRunning(Exception):
    """The job's row is no longer RUNNING (export_job_expire_stale failed it): stop writing."""


def _beat(job_pk: int, **fields) -> None:
    """Write a heartbeat and `fields` to the job's row if it is still RUNNING (one conditional
    UPDATE). Raises _NoLongerRunning otherwise."""
    running = ExportJob.objects.filter(pk=job_pk, status=ExportJob.Status.RUNNING)
    if running.update(heartbeat_at=timezone.now(), **fields) != 1:
        raise _NoLongerRunning(job_pk)


def _counted(rows: Iterable, job_pk: int) -> Iterator:
    """Yield `rows`, writing the number yielded so far and a heartbeat to the job's row every
    few tenths of a second (one UPDATE of three columns; the page polls it). Raises
    _NoLongerRunning when the row is no longer RUNNING."""
    last = time.monotonic()
    for done, row in enumerate(rows, start=1):
        yield row
        now = time.monotonic()
        if now - last >= PROGRESS_SECONDS:
            last = now
            _beat(job_pk, processed_rows=done)


def _delete_file(name: str) -> bool:
    """Delete `name` from the export files' storage; return whether it went (a failure is
    logged with its trace)."""
    try:
        ExportJob._meta.get_field("file").storage.delete(name)
    except Exception:
        logger.exception("export file %s could not be deleted", name)
        return False
    return True


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write the file of a queued export job and return the job as it then is in the database
    (done or failed); None if the job is not queued (already taken by another worker, failed
    by export_job_expire_stale, or finished): running a job twice writes it once. The claim is a
    conditional UPDATE whose row count must be 1; it writes the first heartbeat.

    An error while building or writing fails the job with its exception's class name (the log
    has the trace); nothing is raised. The outcome is written only if the row is still RUNNING:
    a job that export_job_expire_stale failed meanwhile (its worker looked dead, having shown no
    progress for EXPORT_JOB_TIMEOUT_MINUTES) stays failed with that message; the worker stops
    at its next progress write, or, having finished, deletes the file it wrote.
    """
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, heartbeat_at=timezone.now()
    )
    if claimed != 1:
        return None
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    outcome: dict | None
    try:
        export = export_build(kind=job.kind, user=job.user, query=QueryDict(job.query))
        job.total_rows = export.total or 0
        _beat(job.pk, total_rows=job.total_rows)
        export.rows = _counted(export.rows, job.pk)
        filename = f"{export.name}.{job.file_format}"
        with tempfile.TemporaryFile() as target:
            write_export(export, job.file_format, target)
            target.seek(0)
            job.file.save(filename, File(target, name=filename), save=False)
        outcome = {
            "status": ExportJob.Status.DONE,
            "file": job.file.name,
            "filename": filename,
            "processed_rows": job.total_rows,
        }
    except _NoLongerRunning:
        outcome = None
    except Exception as exc:  # the page says it failed; the log has the trace
        logger.exception("export job %s failed", job_id)
        outcome = {
            "status": ExportJob.Status.FAILED,
            "error": _("导出失败：%(error)s") % {"error": exc.__class__.__name__},
        }
    now = timezone.now()
    written = outcome is not None and (
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            finished_at=now, heartbeat_at=now, **outcome
        )
        == 1
    )
    if not written:
        logger.warning(
            "export job %s is no longer running (export_job_expire_stale failed it "
            "meanwhile); its worker's outcome is dropped",
            job_id,
        )
        if job.file:
            _delete_file(job.file.name)  # no row points at it
    job.refresh_from_db()
    return job


def export_job_expire_stale(*, now: datetime.datetime | None = None) -> int:
    """Mark FAILED every export job whose worker is gone, and return how many:

    - RUNNING with no heartbeat for more than settings.EXPORT_JOB_TIMEOUT_MINUTES minutes (its
      worker was killed, ran out of memory, or was stopped by a deploy); a row without any
      heartbeat counts from its creation;
    - QUEUED for more than that many minutes since it was created (no worker took it).

    The job's error says, in the active language, which of the two happened and that the user
    can start the export again. `now` (an aware datetime) defaults to the current time; exactly
    the limit is not yet past it. Conditional UPDATEs: a job that finished meanwhile is not
    touched, and a failed job's worker, if alive after all, writes nothing (export_job_run).
    Safe to run in several processes at once.
    """
    now = now or timezone.now()
    minutes = settings.EXPORT_JOB_TIMEOUT_MINUTES
    cutoff = now - datetime.timedelta(minutes=minutes)
    Status = ExportJob.Status
    running = (
        ExportJob.objects.filter(status=Status.RUNNING)
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
        .update(
            status=Status.FAILED,
            error=_(
                "生成文件的后台进程已中断（超过 %(minutes)s 分钟没有进展），文件未生成。"
                "请重新导出。"
            )
            % {"minutes": minutes},
            finished_at=now,
        )
    )
    queued = ExportJob.objects.filter(status=Status.QUEUED, created_at__lt=cutoff).update(
        status=Status.FAILED,
        error=_(
            "排队超过 %(minutes)s 分钟仍未开始（后台进程可能没有运行），文件未生成。"
            "请重新导出；如仍不开始，请联系系统管理员。"
        )
        % {"minutes": minutes},
        finished_at=now,
    )
    if running or queued:
        logger.warning(
            "export jobs failed after %d minutes: %d running without heartbeat, %d never started",
            minutes,
            running,
            queued,
        )
    return running + queued


def export_job_purge_old(*, now: datetime.datetime | None = None) -> int:
    """Delete from private storage the file of every DONE export job finished more than
    settings.EXPORT_KEEP_DAYS days before `now` (an aware datetime, default the current time;
    exactly the limit is not yet past it), the job becoming EXPIRED: its page says so and its
    download answers 410. Return how many files were deleted.

    The jobs are marked first (one conditional UPDATE), then each file is deleted and its name
    cleared from the row. A file the storage fails to delete is logged and tried again on the
    next run (its expired job keeps the name until then); nothing is raised for it.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)
    ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=cutoff).update(
        status=ExportJob.Status.EXPIRED
    )
    expired = ExportJob.objects.filter(status=ExportJob.Status.EXPIRED).exclude(file="")
    deleted = 0
    for pk, name in expired.values_list("pk", "file"):
        if _delete_file(name):
            ExportJob.objects.filter(pk=pk, file=name).update(file="")
            deleted += 1
    if deleted:
        logger.info(
            "deleted %d export files older than %d days", deleted, settings.EXPORT_KEEP_DAYS
        )
    return deleted


def export_job_list(*, user: User) -> QuerySet[ExportJob]:
    """Return the export jobs of `user` (only the user who asked sees a job), newest first."""
    return ExportJob.objects.filter(user=user)


def export_job_get(*, user: User, pk: int) -> ExportJob:
    """Return one of `user`'s export jobs. Raises ExportJob.DoesNotExist otherwise (→ 404)."""
    return export_job_list(user=user).get(pk=pk)
