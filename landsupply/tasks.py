"""Celery tasks of the project package: thin wrappers around its services (landsupply.notify,
landsupply.export_jobs)."""

import datetime
import logging

from celery import shared_task

from landsupply import notify
from landsupply.export_jobs import export_job_expire_stale, export_job_purge_old, export_job_run

logger = logging.getLogger(__name__)


@shared_task
def export_job_run_task(export_job_id: int) -> None:
    """Write the file of a queued export job (see landsupply.export_jobs.export_job_run)."""
    export_job_run(job_id=export_job_id)


@shared_task(name="landsupply.tasks.export_job_sweep_task")
def export_job_sweep_task() -> dict[str, int]:
    """Fail export jobs whose worker died or never started them, and delete finished files past
    their keeping time (Celery beat "export-job-sweep", every 5 minutes; see
    landsupply.export_jobs.export_job_expire_stale and export_job_purge_old). Returns
    {"failed": jobs failed, "purged": files deleted}."""
    return {"failed": export_job_expire_stale(), "purged": export_job_purge_old()}


@shared_task(name="landsupply.tasks.notification_email_task")
def notification_email_task(notification_ids: list[int]) -> int:
    """Send the immediate e-mails of `notification_ids` (queued by notify.deliver after the
    commit); return how many were sent. Each goes out once (notify.email_each)."""
    return notify.email_each(notification_ids)


@shared_task(name="landsupply.tasks.digest_sweep_task")
def digest_sweep_task(today: str | None = None) -> int:
    """Send the daily digests (Celery beat "daily-digest"); `today` (ISO date) overrides the
    local date. Exactly once per user and day (notify.digest_sweep)."""
    day = datetime.date.fromisoformat(today) if today else None
    sent = notify.digest_sweep(today=day)
    logger.info("digest sweep sent %d digests", len(sent))
    return len(sent)
