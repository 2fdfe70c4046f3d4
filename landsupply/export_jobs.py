"""Exports too large for a web request, written by a Celery worker with progress.

An app registers each of its exports once (`register(kind, build=…, count=…)`, in its
AppConfig.ready): `build(user=, query=)` returns a landsupply.exports.Export of the rows `user`
may see with the list page's filters (`query`, a QueryDict); `count(user=, query=, limit=)`
counts them, stopping at `limit`. A download at most settings.EXPORT_INLINE_MAX_ROWS rows long is
sent at once; a longer one is an ExportJob: started by a POST (GET never changes data), written
by `export_job_run_task` with `landsupply.exports.write_export` into private storage, its
progress on the row, and served only to the user who asked. The worker builds the rows with the
user's scope as it is when the job runs.
"""

import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
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


def _counted(rows: Iterable, job_pk: int) -> Iterator:
    """Yield `rows`, writing the number yielded so far to the job's row every few tenths of a
    second (a plain UPDATE of two columns; the page polls it)."""
    last = time.monotonic()
    for done, row in enumerate(rows, start=1):
        yield row
        now = time.monotonic()
        if now - last >= PROGRESS_SECONDS:
            last = now
            ExportJob.objects.filter(pk=job_pk).update(processed_rows=done)


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write the file of a queued export job and return the job (done or failed); None if the
    job is not queued (already taken by another worker, or finished): running a job twice
    writes it once. The claim is a conditional UPDATE whose row count must be 1."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    if claimed != 1:
        return None
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        export = export_build(kind=job.kind, user=job.user, query=QueryDict(job.query))
        job.total_rows = export.total or 0
        job.save(update_fields=["total_rows"])
        export.rows = _counted(export.rows, job.pk)
        filename = f"{export.name}.{job.file_format}"
        with tempfile.TemporaryFile() as target:
            write_export(export, job.file_format, target)
            target.seek(0)
            job.file.save(filename, File(target, name=filename), save=False)
        job.filename = filename
        job.processed_rows = job.total_rows
        job.status = ExportJob.Status.DONE
    except Exception as exc:  # the page says it failed; the log has the trace
        logger.exception("export job %s failed", job_id)
        job.status = ExportJob.Status.FAILED
        job.error = _("导出失败：%(error)s") % {"error": exc.__class__.__name__}
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "file", "filename", "processed_rows", "error", "finished_at"])
    return job


def export_job_list(*, user: User) -> QuerySet[ExportJob]:
    """Return the export jobs of `user` (only the user who asked sees a job), newest first."""
    return ExportJob.objects.filter(user=user)


def export_job_get(*, user: User, pk: int) -> ExportJob:
    """Return one of `user`'s export jobs. Raises ExportJob.DoesNotExist otherwise (→ 404)."""
    return export_job_list(user=user).get(pk=pk)
